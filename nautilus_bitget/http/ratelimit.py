"""
Per-endpoint rate limits (bitget-protocol.md section 7.2), shared by every client in the process.

Each limit is a bucket of ``limit`` tokens; a token taken at time ``t`` returns at ``t + period``.
That is a token bucket whose refill follows the rolling window the venue counts in, so no window
of ``period`` seconds ever holds more than ``limit`` requests and the client never triggers 429
itself. Buckets live in a module-level registry keyed by ``(scope, rule)``: scope is the API key
for UID-limited endpoints and the host for IP-limited ones, so two clients with the same key share
one bucket.

"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from nautilus_bitget.common.ratelimit import WINDOW_MARGIN_SECS as WINDOW_MARGIN_SECS
from nautilus_bitget.common.ratelimit import RollingWindowLimiter


@dataclass(frozen=True, slots=True)
class RateLimitRule:
    """A limit of ``limit`` requests per second, per ``scope`` (``"uid"`` or ``"ip"``)."""

    limit: int
    scope: str


UID: Final[str] = "uid"
IP: Final[str] = "ip"

# bitget-protocol.md 7.2: (path prefix, requests per second, scope, endpoint names)
RATE_LIMIT_TABLE: Final[tuple[tuple[str, int, str, tuple[str, ...]], ...]] = (
    ("/api/v2/public/", 20, IP, ("time",)),
    (
        "/api/v2/mix/market/",
        20,
        IP,
        (
            "contracts", "merge-depth", "ticker", "tickers", "fills", "candles",
            "history-candles", "history-mark-candles", "history-index-candles",
            "open-interest", "funding-time", "current-fund-rate", "history-fund-rate",
        ),
    ),
    ("/api/v2/mix/market/", 10, IP, ("fills-history", "vip-fee-rate", "oi-limit",
                                      "query-position-lever")),
    ("/api/v2/mix/market/", 20, UID, ("symbol-price",)),
    ("/api/v2/mix/account/", 10, UID, ("account", "accounts", "bill", "open-count")),
    (
        "/api/v2/mix/account/",
        5,
        UID,
        ("set-leverage", "set-margin", "set-margin-mode", "set-position-mode",
         "set-auto-margin", "set-all-leverage"),
    ),
    ("/api/v2/mix/account/", 2, UID, ("set-asset-mode",)),
    ("/api/v2/mix/account/", 20, UID, ("max-open", "liq-price")),
    ("/api/v2/mix/position/", 10, UID, ("single-position",)),
    ("/api/v2/mix/position/", 5, UID, ("all-position", "adlRank")),
    ("/api/v2/mix/position/", 20, UID, ("history-position",)),
    (
        "/api/v2/mix/order/",
        10,
        UID,
        (
            "place-order", "modify-order", "cancel-order", "batch-cancel-orders",
            "cancel-all-orders", "detail", "fills", "fill-history", "orders-pending",
            "orders-history", "place-plan-order", "place-tpsl-order", "place-pos-tpsl",
            "modify-plan-order", "modify-tpsl-order", "cancel-plan-order",
            "orders-plan-pending", "orders-plan-history", "plan-sub-order",
        ),
    ),
    ("/api/v2/mix/order/", 5, UID, ("batch-place-order",)),
    ("/api/v2/mix/order/", 1, UID, ("close-positions",)),
    # bitget-protocol-uta.md 5.1: UTA API v3
    (
        "/api/v3/market/",
        20,
        IP,
        (
            "instruments", "tickers", "orderbook", "fills", "candles", "history-candles",
            "current-fund-rate", "history-fund-rate", "open-interest", "oi-limit",
            "position-tier",
        ),
    ),
    ("/api/v3/account/", 20, UID, ("assets", "settings")),
    ("/api/v3/account/", 5, UID, ("info",)),
    ("/api/v3/account/", 10, UID, ("set-leverage", "set-hold-mode")),
    ("/api/v3/account/", 3, UID, ("fee-rate", "all-fee-rate")),
    ("/api/v3/position/", 20, UID, ("current-position", "history-position")),
    (
        "/api/v3/trade/",
        10,
        UID,
        (
            "place-order", "modify-order", "cancel-order", "batch-modify-order",
            "place-strategy-order", "modify-strategy-order", "cancel-strategy-order",
        ),
    ),
    ("/api/v3/trade/", 5, UID, ("place-batch", "cancel-batch", "close-positions",
                                 "cancel-symbol-order")),
    (
        "/api/v3/trade/",
        20,
        UID,
        ("order-info", "unfilled-orders", "history-orders", "fills",
         "unfilled-strategy-orders", "history-strategy-orders"),
    ),
)  # fmt: skip

# Conservative default for paths missing from the table (bitget-protocol.md 7.1: "Default 10/s")
DEFAULT_RULE: Final[RateLimitRule] = RateLimitRule(limit=10, scope=UID)


def _expand(
    table: tuple[tuple[str, int, str, tuple[str, ...]], ...],
) -> dict[str, RateLimitRule]:
    rules: dict[str, RateLimitRule] = {}
    for prefix, limit, scope, names in table:
        for name in names:
            rules[prefix + name] = RateLimitRule(limit=limit, scope=scope)
    return rules


RULES: Final[dict[str, RateLimitRule]] = _expand(RATE_LIMIT_TABLE)

_REGISTRY: dict[tuple[str, str], RollingWindowLimiter] = {}


def rule_for(path: str) -> RateLimitRule:
    """
    Return the rate-limit rule of ``path``.

    Parameters
    ----------
    path : str
        The full request path, e.g. ``/api/v2/mix/order/place-order``.

    Returns
    -------
    RateLimitRule

    """
    return RULES.get(path, DEFAULT_RULE)


def shared_limiter(scope_key: str, path: str) -> RollingWindowLimiter:
    """
    Return the process-wide bucket of ``path`` for ``scope_key``, creating it on first use.

    Parameters
    ----------
    scope_key : str
        The API key (UID-limited endpoints) or host (IP-limited ones).
    path : str
        The full request path.

    Returns
    -------
    RollingWindowLimiter

    """
    key = (scope_key, path)
    limiter = _REGISTRY.get(key)
    if limiter is None:
        limiter = RollingWindowLimiter(rule_for(path).limit)
        _REGISTRY[key] = limiter
    return limiter


class BitgetRateLimiter:
    """
    The rate limiter of one HTTP client; its buckets are shared through the module registry.

    Parameters
    ----------
    host : str
        The REST host (scope of IP-limited endpoints).
    api_key : str, optional
        The API key (scope of UID-limited endpoints); without a key the host is used.

    """

    def __init__(self, host: str, api_key: str | None = None) -> None:
        self._host = f"ip:{host}"
        self._uid = f"uid:{api_key}" if api_key else self._host

    def limiter_for(self, path: str) -> RollingWindowLimiter:
        """Return the shared bucket that ``path`` draws from."""
        scope_key = self._uid if rule_for(path).scope == UID else self._host
        return shared_limiter(scope_key, path)

    async def acquire(self, path: str) -> None:
        """
        Wait until a request to ``path`` is within its limit, then count it.

        Parameters
        ----------
        path : str
            The full request path.

        """
        await self.limiter_for(path).acquire()
