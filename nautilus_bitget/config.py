"""Configuration of the Bitget data and execution clients (architecture.md section 3, contract)."""

from __future__ import annotations

from typing import Any
from typing import cast

import msgspec
from nautilus_trader.common.config import msgspec_encoding_hook
from nautilus_trader.config import LiveDataClientConfig
from nautilus_trader.config import LiveExecClientConfig

from nautilus_bitget.common.errors import BitgetConfigError
from nautilus_bitget.constants import BitgetEnvironment
from nautilus_bitget.constants import BitgetProductType
from nautilus_bitget.constants import default_urls


ACCOUNT_MODES = ("auto", "classic", "uta")
POSITION_MODES = ("one_way", "hedge")
ORDER_ENTRY_MODES = ("rest", "websocket")
MARGIN_MODES = ("crossed", "isolated")


def _fail(config: object, field: str, message: str) -> None:
    raise BitgetConfigError(f"{type(config).__name__}.{field}: {message}")


def _coerce_enum(config: object, field: str, enum_cls: type, value: Any) -> Any:
    if isinstance(value, enum_cls):
        return value
    for member in enum_cls:  # type: ignore[attr-defined]
        if value in (member.value, member.name) or (
            isinstance(value, str) and value.upper().replace("-", "_") == member.name
        ):
            return member
    allowed = ", ".join(m.name for m in enum_cls)  # type: ignore[attr-defined]
    _fail(config, field, f"{value!r} is not one of {allowed}")
    return None


class _BitgetCommonMixin:
    """Validation and URL resolution shared by both configs."""

    def _validate_common(self) -> None:
        env = _coerce_enum(self, "environment", BitgetEnvironment, self.environment)  # type: ignore[attr-defined]
        msgspec.structs.force_setattr(cast(msgspec.Struct, self), "environment", env)
        product_types = self.product_types  # type: ignore[attr-defined]
        if isinstance(product_types, str | BitgetProductType):
            product_types = (product_types,)
        coerced = tuple(
            _coerce_enum(self, "product_types", BitgetProductType, p) for p in product_types
        )
        if not coerced:
            _fail(self, "product_types", "must name at least one product type")
        msgspec.structs.force_setattr(cast(msgspec.Struct, self), "product_types", coerced)
        if self.account_mode not in ACCOUNT_MODES:  # type: ignore[attr-defined]
            _fail(
                self,
                "account_mode",
                f"{self.account_mode!r} is not one of {ACCOUNT_MODES}",  # type: ignore[attr-defined]
            )
        for name in ("base_url_http", "base_url_ws_public", "base_url_ws_private"):
            url = getattr(self, name)
            prefixes = ("http://", "https://") if name == "base_url_http" else ("ws://", "wss://")
            if url is not None and not url.startswith(prefixes):
                _fail(self, name, f"{url!r} must start with {' or '.join(prefixes)}")
        if self.http_timeout_secs <= 0:  # type: ignore[attr-defined]
            _fail(self, "http_timeout_secs", "must be > 0")
        if self.max_retries < 0:  # type: ignore[attr-defined]
            _fail(self, "max_retries", "must be >= 0")

    def json_without_secrets(self) -> bytes:
        """Return the config's JSON with the secret and passphrase replaced by null."""
        redacted = msgspec.structs.replace(self, api_secret=None, api_passphrase=None)  # type: ignore[type-var]
        return msgspec.json.encode(redacted, enc_hook=msgspec_encoding_hook)

    @property
    def http_url(self) -> str:
        """Return the REST base URL in effect (override or environment default)."""
        return self.base_url_http or default_urls(self.environment)[0]  # type: ignore[attr-defined]

    @property
    def ws_public_url(self) -> str:
        """Return the public WebSocket URL in effect."""
        return self.base_url_ws_public or default_urls(self.environment)[1]  # type: ignore[attr-defined]

    @property
    def ws_private_url(self) -> str:
        """Return the private WebSocket URL in effect."""
        return self.base_url_ws_private or default_urls(self.environment)[2]  # type: ignore[attr-defined]


class BitgetDataClientConfig(LiveDataClientConfig, _BitgetCommonMixin, frozen=True):
    """
    Configuration for ``BitgetDataClient``.

    Parameters
    ----------
    api_key, api_secret, api_passphrase : str, optional
        Credentials; ``None`` reads ``BITGET_API_KEY`` / ``BITGET_API_SECRET`` /
        ``BITGET_API_PASSPHRASE``. Market data needs none.
    environment : BitgetEnvironment, default LIVE
        ``LIVE`` or ``DEMO`` (demo WebSocket host, ``paptrading`` header on REST).
    base_url_http, base_url_ws_public, base_url_ws_private : str, optional
        Host overrides, e.g. a local simulator ``http://127.0.0.1:8480``.
    product_types : tuple[BitgetProductType, ...], default (USDT_FUTURES,)
        Product types whose perpetuals are loaded.
    account_mode : {"auto", "classic", "uta"}, default "auto"
        Classic v2 or unified v3 API; ``auto`` detects from the key. Market data follows the
        account: with credentials the key's type is detected on connect (a hand-set mode that
        contradicts it fails the connect, naming the value to set) and a UTA account reads the
        v3 public streams and v3 instruments, a classic one v2. Without credentials ``"uta"``
        selects v3, anything else v2 (public streams need no key). Both give identical Nautilus
        objects and instrument ids; the decode cost per book update is equal (bench).
    http_timeout_secs : float, default 10.0
        Timeout of one REST request.
    max_retries : int, default 3
        Retries of idempotent REST requests on transient failures.
    ws_ping_interval_secs : float, default 25.0
        Interval of the text ``ping`` heartbeat.
    ws_stale_timeout_secs : float, default 30.0
        Reconnect when no frame (and no ``pong``) arrives for this long.
    update_instruments_interval_mins : int, optional, default 60
        Periodic refresh of contracts; ``None`` disables it.
    verify_checksum : bool, default True
        Verify the crc32 book checksum when the venue sends one.
    quote_channel : {"books1", "ticker"}, default "books1"
        Source of ``QuoteTick``: ``books1`` is pushed every ~10 ms, ``ticker`` every ~100-300 ms.

    """

    api_key: str | None = None
    api_secret: str | None = None
    api_passphrase: str | None = None
    environment: BitgetEnvironment = BitgetEnvironment.LIVE
    base_url_http: str | None = None
    base_url_ws_public: str | None = None
    base_url_ws_private: str | None = None
    product_types: tuple[BitgetProductType, ...] = (BitgetProductType.USDT_FUTURES,)
    account_mode: str = "auto"
    http_timeout_secs: float = 10.0
    max_retries: int = 3
    ws_ping_interval_secs: float = 25.0
    ws_stale_timeout_secs: float = 30.0
    update_instruments_interval_mins: int | None = 60
    verify_checksum: bool = True
    quote_channel: str = "books1"

    def __post_init__(self) -> None:
        self._validate_common()
        if self.quote_channel not in ("books1", "ticker"):
            _fail(self, "quote_channel", f"{self.quote_channel!r} is not 'books1' or 'ticker'")

    def __repr__(self) -> str:
        return _safe_repr(self)

    def json(self) -> bytes:
        """
        Return serialized JSON with ``api_secret`` and ``api_passphrase`` left out (null).

        A config written to disk must not carry secrets; a config parsed back from it reads
        them from the ``BITGET_API_*`` environment variables.

        """
        return self.json_without_secrets()


class BitgetExecClientConfig(LiveExecClientConfig, _BitgetCommonMixin, frozen=True):
    """
    Configuration for ``BitgetExecutionClient``.

    Parameters
    ----------
    api_key, api_secret, api_passphrase : str, optional
        Credentials; ``None`` reads the ``BITGET_API_*`` environment variables. Required.
    environment : BitgetEnvironment, default LIVE
        ``LIVE`` or ``DEMO``.
    base_url_http, base_url_ws_public, base_url_ws_private : str, optional
        Host overrides (simulator).
    product_types : tuple[BitgetProductType, ...], default (USDT_FUTURES,)
        Product types traded.
    account_mode : {"auto", "classic", "uta"}, default "auto"
        Classic v2 or unified v3 API.
    position_mode : {"one_way", "hedge"}, optional
        Switched on connect when it differs from the account's. One-way maps to
        ``OmsType.NETTING``, hedge to ``OmsType.HEDGING``. ``None``: NETTING, and the account
        must already be one-way (it is not switched; a hedge-mode account refuses to start).
        NautilusTrader fixes the OMS type when the client is built, before the account's mode
        can be read, so ``None`` cannot adopt a hedge-mode account.
    margin_mode : {"crossed", "isolated"}, default "crossed"
        Margin mode set on connect for every instrument in ``leverages`` and used on orders.
    leverages : dict[str, int], optional
        Leverage per Bitget symbol, e.g. ``{"BTCUSDT": 10}``, set on connect.
    use_position_ids : bool, default True
        In hedge mode, report venue position ids ``<instrument_id>-LONG`` / ``-SHORT``.
    http_timeout_secs, max_retries, ws_ping_interval_secs, ws_stale_timeout_secs
        As for the data client.
    max_batch_size : int, default 20
        Orders per batch request (the venue documents 20 or 50; 20 is safe).
    order_entry : {"rest", "websocket"}, default "rest"
        Where place / cancel (and v3 modify, batches) go: REST, or a dedicated logged-in trade
        socket (``op: "trade"``; what the family cannot do there, and everything while that
        socket is down, goes over REST).

    """

    api_key: str | None = None
    api_secret: str | None = None
    api_passphrase: str | None = None
    environment: BitgetEnvironment = BitgetEnvironment.LIVE
    base_url_http: str | None = None
    base_url_ws_public: str | None = None
    base_url_ws_private: str | None = None
    product_types: tuple[BitgetProductType, ...] = (BitgetProductType.USDT_FUTURES,)
    account_mode: str = "auto"
    position_mode: str | None = None
    margin_mode: str = "crossed"
    leverages: dict[str, int] | None = None
    use_position_ids: bool = True
    http_timeout_secs: float = 10.0
    max_retries: int = 3
    ws_ping_interval_secs: float = 25.0
    ws_stale_timeout_secs: float = 30.0
    max_batch_size: int = 20
    order_entry: str = "rest"

    def __post_init__(self) -> None:
        self._validate_common()
        if self.order_entry not in ORDER_ENTRY_MODES:
            _fail(self, "order_entry", f"{self.order_entry!r} is not one of {ORDER_ENTRY_MODES}")
        if self.position_mode is not None and self.position_mode not in POSITION_MODES:
            _fail(
                self,
                "position_mode",
                f"{self.position_mode!r} is not one of {POSITION_MODES} (or None)",
            )
        if self.margin_mode not in MARGIN_MODES:
            _fail(self, "margin_mode", f"{self.margin_mode!r} is not one of {MARGIN_MODES}")
        for symbol, leverage in (self.leverages or {}).items():
            if not isinstance(leverage, int) or isinstance(leverage, bool) or leverage < 1:
                _fail(self, "leverages", f"{symbol}: leverage {leverage!r} must be an int >= 1")
            if "." in symbol or "-" in symbol:
                _fail(
                    self,
                    "leverages",
                    f"key {symbol!r} must be a Bitget symbol such as 'BTCUSDT', not an id",
                )
        if not 1 <= self.max_batch_size <= 50:
            _fail(self, "max_batch_size", "must be between 1 and 50")

    def __repr__(self) -> str:
        return _safe_repr(self)

    def json(self) -> bytes:
        """
        Return serialized JSON with ``api_secret`` and ``api_passphrase`` left out (null).

        A config written to disk must not carry secrets; a config parsed back from it reads
        them from the ``BITGET_API_*`` environment variables.

        """
        return self.json_without_secrets()


def _safe_repr(config: msgspec.Struct) -> str:
    fields = []
    for name in config.__struct_fields__:
        value = getattr(config, name)
        if name in ("api_secret", "api_passphrase") and value is not None:
            value = "***"
        elif name == "api_key" and value is not None:
            value = value[:4] + "***"
        fields.append(f"{name}={value!r}")
    return f"{type(config).__name__}({', '.join(fields)})"
