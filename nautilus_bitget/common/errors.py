"""
Typed Bitget errors.

Every error raised by the transport carries the HTTP status, the venue code (a string, as on the
wire), the venue message and the endpoint. Callers match on the class, never on message text
(bitget-protocol.md section 8.1). Messages never contain credentials.

"""

from __future__ import annotations

from typing import Final


class BitgetError(Exception):
    """
    Base class of all Bitget errors.

    Parameters
    ----------
    message : str
        The venue's (or our) message.
    code : str, optional
        The venue error code, e.g. ``"40034"``.
    status : int, optional
        The HTTP status (``None`` for WebSocket or transport errors).
    endpoint : str, optional
        The request path, e.g. ``/api/v2/mix/order/place-order``.

    """

    hint: str = ""

    def __init__(
        self,
        message: str,
        code: str | None = None,
        status: int | None = None,
        endpoint: str | None = None,
    ) -> None:
        self.message = message
        self.code = code
        self.status = status
        self.endpoint = endpoint
        super().__init__(self.__str__())

    def __str__(self) -> str:
        parts = []
        if self.endpoint:
            parts.append(self.endpoint)
        if self.status is not None:
            parts.append(f"HTTP {self.status}")
        if self.code:
            parts.append(f"code {self.code}")
        head = " ".join(parts)
        text = f"{head}: {self.message}" if head else self.message
        return f"{text} ({self.hint})" if self.hint else text

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(code={self.code!r}, status={self.status!r}, "
            f"endpoint={self.endpoint!r}, message={self.message!r})"
        )

    @property
    def is_retryable(self) -> bool:
        """Whether the same request may succeed if sent again later (idempotent calls only)."""
        return False


class BitgetTransportError(BitgetError):
    """The request may or may not have reached the venue (timeout, connection reset)."""

    @property
    def is_retryable(self) -> bool:
        return True


class BitgetServerError(BitgetError):
    """HTTP 5xx or a venue code documented as transient (release window, system busy)."""

    @property
    def is_retryable(self) -> bool:
        return True


class BitgetRateLimitError(BitgetError):
    """HTTP 429 / code 429: too many requests."""

    hint = "rate limited by Bitget; backing off"

    @property
    def is_retryable(self) -> bool:
        return True


class BitgetRequestError(BitgetError):
    """The venue rejected the request (HTTP 4xx or a non-success code)."""


class BitgetAuthenticationError(BitgetRequestError):
    """Bad API key, passphrase, signature or permissions."""

    hint = "check BITGET_API_KEY / BITGET_API_SECRET / BITGET_API_PASSPHRASE and key permissions"


class BitgetTimestampError(BitgetRequestError):
    """Code 40008: request timestamp outside Bitget's 30 s window (clock skew)."""

    hint = "local clock differs from Bitget's; the client resyncs and retries once"

    @property
    def is_retryable(self) -> bool:
        return True


class BitgetUtaAccountError(BitgetAuthenticationError):
    """Code 40085: a Unified Trading Account key used on the classic v2 API."""

    hint = (
        "this key belongs to a Unified Trading Account, which only works on API v3; "
        "set account_mode='uta' (or 'auto') or use a classic-account key"
    )


class BitgetClassicAccountError(BitgetAuthenticationError):
    """Code 40084: a classic-account key used on the UTA v3 API."""

    hint = "this key belongs to a classic account; set account_mode='classic' (or 'auto')"


class BitgetEnvironmentError(BitgetAuthenticationError):
    """Code 40099: a demo key used on live, or a live key used on demo."""

    hint = (
        "the key does not belong to this environment: use a demo key with "
        "environment=DEMO, or a live key with environment=LIVE"
    )


class BitgetSymbolError(BitgetRequestError):
    """Code 40034/40102/30001: the symbol does not exist for this product type."""


class BitgetOrderNotFoundError(BitgetRequestError):
    """The order does not exist (or is no longer open)."""


class BitgetDuplicateClientOidError(BitgetRequestError):
    """The clientOid is already used by a pending order."""


class BitgetInsufficientBalanceError(BitgetRequestError):
    """The account balance does not cover the order."""


class BitgetPrecisionError(BitgetRequestError):
    """Price or size does not match the contract's tick or step."""


class BitgetPositionModeError(BitgetRequestError):
    """
    Code 40774/45021: the order's one-way/hedge shape disagrees with the account's position mode.
    """

    hint = "the account's position mode (one-way/hedge) and the order's shape disagree"


class BitgetPositionModeSwitchError(BitgetRequestError):
    """Code 40920: position mode cannot be switched while positions or orders exist."""

    hint = "close all positions and cancel all orders of the product type, then retry"


class BitgetPositionModeMismatchError(BitgetError, RuntimeError):
    """
    Start-up: the account's position mode and ``BitgetExecClientConfig.position_mode`` disagree
    and the account cannot (or may not) be switched. The message says what to change.
    """


class BitgetConfigError(BitgetError, ValueError):
    """A user configuration value is invalid; the message names the field and what to change."""


class BitgetOrderDenied(BitgetError, ValueError):
    """An order cannot be expressed on Bitget; it is denied before anything is sent."""


# v3 (bitget-protocol-uta.md) codes sit beside their v2 equivalents
_TRANSIENT: Final[frozenset[str]] = frozenset(
    {"40010", "40015", "40200", "40725", "45001", "25000", "25001", "25003"},
)
_AUTH: Final[frozenset[str]] = frozenset(
    {
        "40001", "40002", "40003", "40005", "40006", "40009", "40011", "40012", "40014",
        "40018", "40037", "40038", "30004", "30005", "30011", "30012", "30013", "30015", "25620",
    },
)  # fmt: skip
_NOT_FOUND: Final[frozenset[str]] = frozenset(
    {
        "40109",
        "40768",
        "43001",
        "43004",
        "22001",
        "45057",
        "43020",
        "43025",
        "43033",
        "40819",
        "25204",
    },
)
_INSUFFICIENT: Final[frozenset[str]] = frozenset(
    {"40754", "43012", "45002", "40798", "40762", "25202", "25203", "25228", "25231"},
)
_PRECISION: Final[frozenset[str]] = frozenset(
    {"40808", "41103", "45035", "45115", "43028", "25244", "25610", "25611", "25207"},
)
_DUPLICATE: Final[frozenset[str]] = frozenset({"43118", "45034", "25212"})
_SYMBOL: Final[frozenset[str]] = frozenset({"40034", "40102", "30001", "25100"})

_BY_CODE: Final[dict[str, type[BitgetError]]] = {
    "429": BitgetRateLimitError,
    "30006": BitgetRateLimitError,
    "40008": BitgetTimestampError,
    "30014": BitgetTimestampError,
    "40084": BitgetClassicAccountError,
    "25245": BitgetClassicAccountError,
    "25004": BitgetRateLimitError,
    "40085": BitgetUtaAccountError,
    "40099": BitgetEnvironmentError,
    "40774": BitgetPositionModeError,
    "45021": BitgetPositionModeError,
    "40920": BitgetPositionModeSwitchError,
    **dict.fromkeys(_TRANSIENT, BitgetServerError),
    **dict.fromkeys(_AUTH, BitgetAuthenticationError),
    **dict.fromkeys(_NOT_FOUND, BitgetOrderNotFoundError),
    **dict.fromkeys(_INSUFFICIENT, BitgetInsufficientBalanceError),
    **dict.fromkeys(_PRECISION, BitgetPrecisionError),
    **dict.fromkeys(_DUPLICATE, BitgetDuplicateClientOidError),
    **dict.fromkeys(_SYMBOL, BitgetSymbolError),
}


def error_from_response(
    status: int | None,
    code: str | int | None,
    message: str,
    endpoint: str | None = None,
) -> BitgetError:
    """
    Return the typed error for a venue response.

    Parameters
    ----------
    status : int, optional
        HTTP status.
    code : str or int, optional
        Venue code (WebSocket frames send it as a number).
    message : str
        Venue message.
    endpoint : str, optional
        Request path.

    Returns
    -------
    BitgetError

    """
    code_str = None if code is None else str(code)
    cls = _BY_CODE.get(code_str or "")
    if cls is None:
        if status == 429:
            cls = BitgetRateLimitError
        elif status is not None and status >= 500:
            cls = BitgetServerError
        elif status in (401, 403):
            cls = BitgetAuthenticationError
        else:
            cls = BitgetRequestError
    return cls(message, code=code_str, status=status, endpoint=endpoint)
