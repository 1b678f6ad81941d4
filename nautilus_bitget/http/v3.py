"""
Typed endpoint groups of the Bitget UTA API v3 (bitget-protocol-uta.md sections 2 and 3).

Thin wrappers over ``BitgetHttpClient``: same host, signing and envelope as v2 (1.3). GETs are
retried by the client; order placement never is. Batch endpoints send a **bare JSON array** as the
body (3.6). ``category`` is upper case on REST (2.1). Server time stays on
``/api/v2/public/time`` (1.3: v3 has none), which ``BitgetHttpClient.sync_clock`` already uses.
"""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Sequence
from typing import Any
from typing import Final

from nautilus_bitget.constants import BitgetProductType
from nautilus_bitget.http.client import BitgetHttpClient
from nautilus_bitget.schemas.v3.account import BitgetV3AccountInfo
from nautilus_bitget.schemas.v3.account import BitgetV3AccountSettings
from nautilus_bitget.schemas.v3.account import BitgetV3Assets
from nautilus_bitget.schemas.v3.account import BitgetV3FinancialRecords
from nautilus_bitget.schemas.v3.account import BitgetV3HistoryPositions
from nautilus_bitget.schemas.v3.account import BitgetV3Positions
from nautilus_bitget.schemas.v3.market import BitgetV3CandleRow
from nautilus_bitget.schemas.v3.market import BitgetV3CurrentFundRate
from nautilus_bitget.schemas.v3.market import BitgetV3HistoryFundRate
from nautilus_bitget.schemas.v3.market import BitgetV3Instrument
from nautilus_bitget.schemas.v3.market import BitgetV3OpenInterest
from nautilus_bitget.schemas.v3.market import BitgetV3OrderBook
from nautilus_bitget.schemas.v3.market import BitgetV3PublicFill
from nautilus_bitget.schemas.v3.market import BitgetV3Ticker
from nautilus_bitget.schemas.v3.trade import BitgetV3BatchItem
from nautilus_bitget.schemas.v3.trade import BitgetV3FillList
from nautilus_bitget.schemas.v3.trade import BitgetV3ListResult
from nautilus_bitget.schemas.v3.trade import BitgetV3Order
from nautilus_bitget.schemas.v3.trade import BitgetV3OrderAck
from nautilus_bitget.schemas.v3.trade import BitgetV3OrderList
from nautilus_bitget.schemas.v3.trade import BitgetV3StrategyOrder
from nautilus_bitget.schemas.v3.trade import BitgetV3StrategyOrderList


V3: Final[str] = "/api/v3"
MARKET: Final[str] = f"{V3}/market"
ACCOUNT: Final[str] = f"{V3}/account"
POSITION: Final[str] = f"{V3}/position"
TRADE: Final[str] = f"{V3}/trade"

SETTINGS_PATH: Final[str] = f"{ACCOUNT}/settings"  # the account-type probe (1.2)
BATCH_MAX: Final[int] = 20  # place-batch / cancel-batch (3.6)
HOLD_MODES: Final[tuple[str, ...]] = ("one_way_mode", "hedge_mode")
MARGIN_MODES: Final[tuple[str, ...]] = ("crossed", "isolated")
TIME_IN_FORCE: Final[tuple[str, ...]] = ("gtc", "ioc", "fok", "post_only")
CANDLE_TYPES: Final[tuple[str, ...]] = ("market", "mark", "index", "premium")


# bitget-protocol-uta.md 3.1: ledger rows. Kept here until schemas/v3/account.py (another owner) has
# them; field names from the doc (JK fixture), the ``type`` enum is marked unsure there.
def category_param(category: BitgetProductType | str) -> str:
    """
    Return the REST ``category`` (upper case, 2.1).

    Parameters
    ----------
    category : BitgetProductType or str
        ``BitgetProductType`` or a category string in any case.

    Returns
    -------
    str

    """
    if isinstance(category, BitgetProductType):
        return category.value
    return category.strip().upper()


class BitgetV3MarketHttpAPI:
    """
    Public market endpoints ``/api/v3/market/*`` (2.2-2.8).

    Parameters
    ----------
    client : BitgetHttpClient
        The REST transport.

    """

    def __init__(self, client: BitgetHttpClient) -> None:
        self.client = client

    async def _get(self, endpoint: str, params: dict[str, Any], decoder: Any) -> Any:
        return await self.client.get(f"{MARKET}/{endpoint}", params, decoder=decoder)

    async def instruments(
        self,
        category: BitgetProductType | str,
        symbol: str | None = None,
    ) -> list[BitgetV3Instrument]:
        """``GET /api/v3/market/instruments`` (2.2)."""
        params = {"category": category_param(category), "symbol": symbol}
        return await self._get("instruments", params, list[BitgetV3Instrument]) or []

    async def tickers(
        self,
        category: BitgetProductType | str,
        symbol: str | None = None,
    ) -> list[BitgetV3Ticker]:
        """``GET /api/v3/market/tickers`` (2.4)."""
        params = {"category": category_param(category), "symbol": symbol}
        return await self._get("tickers", params, list[BitgetV3Ticker]) or []

    async def orderbook(
        self,
        category: BitgetProductType | str,
        symbol: str,
        limit: int | None = None,
    ) -> BitgetV3OrderBook:
        """``GET /api/v3/market/orderbook`` (2.3): levels are JSON numbers."""
        params = {"category": category_param(category), "symbol": symbol, "limit": limit}
        book: BitgetV3OrderBook = await self._get("orderbook", params, BitgetV3OrderBook)
        return book

    async def candles(
        self,
        category: BitgetProductType | str,
        symbol: str,
        interval: str,
        *,
        start_time: int | None = None,
        end_time: int | None = None,
        limit: int | None = None,
        candle_type: str | None = None,
        history: bool = False,
    ) -> list[BitgetV3CandleRow]:
        """
        ``GET /api/v3/market/candles`` or ``history-candles`` (2.5), rows ascending.

        ``candle_type`` is sent upper case (``MARKET``/``MARK``/``INDEX``, as documented).
        """
        if candle_type is not None and candle_type.lower() not in CANDLE_TYPES:
            raise ValueError(f"candle_type must be one of {CANDLE_TYPES}, was {candle_type!r}")
        params = {
            "category": category_param(category),
            "symbol": symbol,
            "interval": interval,
            "startTime": start_time,
            "endTime": end_time,
            "limit": limit,
            "type": candle_type.upper() if candle_type else None,
        }
        endpoint = "history-candles" if history else "candles"
        return await self._get(endpoint, params, list[BitgetV3CandleRow]) or []

    async def fills(
        self,
        category: BitgetProductType | str,
        symbol: str,
        limit: int | None = None,
    ) -> list[BitgetV3PublicFill]:
        """``GET /api/v3/market/fills`` (2.6): recent public trades."""
        params = {"category": category_param(category), "symbol": symbol, "limit": limit}
        return await self._get("fills", params, list[BitgetV3PublicFill]) or []

    async def current_fund_rate(
        self,
        symbol: str,
        category: BitgetProductType | str | None = None,
    ) -> list[BitgetV3CurrentFundRate]:
        """``GET /api/v3/market/current-fund-rate`` (2.7): rate and ``nextUpdate``."""
        params = {"symbol": symbol, "category": category_param(category) if category else None}
        return await self._get("current-fund-rate", params, list[BitgetV3CurrentFundRate]) or []

    async def history_fund_rate(
        self,
        category: BitgetProductType | str,
        symbol: str,
        *,
        cursor: str | None = None,
        limit: int | None = None,
    ) -> BitgetV3HistoryFundRate:
        """``GET /api/v3/market/history-fund-rate`` (2.7), newest first."""
        params = {
            "category": category_param(category),
            "symbol": symbol,
            "cursor": cursor,
            "limit": limit,
        }
        page: BitgetV3HistoryFundRate = await self._get(
            "history-fund-rate",
            params,
            BitgetV3HistoryFundRate,
        )
        return page

    async def open_interest(
        self,
        category: BitgetProductType | str,
        symbol: str | None = None,
    ) -> BitgetV3OpenInterest:
        """``GET /api/v3/market/open-interest`` (2.8)."""
        params = {"category": category_param(category), "symbol": symbol}
        interest: BitgetV3OpenInterest = await self._get(
            "open-interest",
            params,
            BitgetV3OpenInterest,
        )
        return interest


class BitgetV3AccountHttpAPI:
    """
    Account and position endpoints ``/api/v3/account/*``, ``/api/v3/position/*`` (3.1-3.3).

    Parameters
    ----------
    client : BitgetHttpClient
        The REST transport (with credentials).

    """

    def __init__(self, client: BitgetHttpClient) -> None:
        self.client = client

    async def settings(self) -> BitgetV3AccountSettings:
        """``GET /api/v3/account/settings`` (3.1): hold mode, per-symbol margin / leverage."""
        return await self.client.get(
            SETTINGS_PATH, None, signed=True, decoder=BitgetV3AccountSettings
        )

    async def assets(self) -> BitgetV3Assets:
        """``GET /api/v3/account/assets`` (3.1): unified account equity and coins."""
        return await self.client.get(f"{ACCOUNT}/assets", None, signed=True, decoder=BitgetV3Assets)

    async def info(self) -> BitgetV3AccountInfo:
        """``GET /api/v3/account/info`` (1.4): permissions."""
        return await self.client.get(
            f"{ACCOUNT}/info", None, signed=True, decoder=BitgetV3AccountInfo
        )

    async def set_leverage(
        self,
        category: BitgetProductType | str,
        symbol: str,
        leverage: int | str,
        *,
        pos_side: str | None = None,
        margin_mode: str | None = None,
    ) -> None:
        """``POST /api/v3/account/set-leverage`` (3.3); ``data: "success"``. Safe to repeat."""
        body: dict[str, Any] = {
            "category": category_param(category),
            "symbol": symbol,
            "leverage": str(leverage),
        }
        if pos_side is not None:
            body["posSide"] = pos_side
        if margin_mode is not None:
            body["marginMode"] = margin_mode
        await self.client.post(f"{ACCOUNT}/set-leverage", body, retry=True)

    async def set_hold_mode(self, hold_mode: str) -> None:
        """``POST /api/v3/account/set-hold-mode`` (3.3): account-wide one-way / hedge."""
        if hold_mode not in HOLD_MODES:
            raise ValueError(f"hold_mode must be one of {HOLD_MODES}, was {hold_mode!r}")
        await self.client.post(f"{ACCOUNT}/set-hold-mode", {"holdMode": hold_mode}, retry=True)

    async def positions(
        self,
        category: BitgetProductType | str,
        symbol: str | None = None,
        pos_side: str | None = None,
    ) -> BitgetV3Positions:
        """``GET /api/v3/position/current-position`` (3.2): ``{"list": [...]}``."""
        params = {"category": category_param(category), "symbol": symbol, "posSide": pos_side}
        return await self.client.get(
            f"{POSITION}/current-position",
            params,
            signed=True,
            decoder=BitgetV3Positions,
        )

    async def financial_records(
        self,
        category: BitgetProductType | str,
        *,
        coin: str | None = None,
        record_type: str | None = None,
        start_time: int | None = None,
        end_time: int | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> BitgetV3FinancialRecords:
        """``GET /api/v3/account/financial-records`` (3.1): the unified account ledger."""
        params = _page(category, None, start_time, end_time, limit, cursor)
        params.update({"coin": coin, "type": record_type})
        return await self.client.get(
            f"{ACCOUNT}/financial-records",
            params,
            signed=True,
            decoder=BitgetV3FinancialRecords,
        )

    async def history_positions(
        self,
        category: BitgetProductType | str,
        *,
        symbol: str | None = None,
        start_time: int | None = None,
        end_time: int | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> BitgetV3HistoryPositions:
        """``GET /api/v3/position/history-position`` (3.2)."""
        params = {
            "category": category_param(category),
            "symbol": symbol,
            "startTime": start_time,
            "endTime": end_time,
            "limit": limit,
            "cursor": cursor,
        }
        return await self.client.get(
            f"{POSITION}/history-position",
            params,
            signed=True,
            decoder=BitgetV3HistoryPositions,
        )


class BitgetV3TradeHttpAPI:
    """
    Trade endpoints ``/api/v3/trade/*`` (3.4-3.8). Order-creating calls are never retried.

    Parameters
    ----------
    client : BitgetHttpClient
        The REST transport (with credentials).

    """

    def __init__(self, client: BitgetHttpClient) -> None:
        self.client = client

    async def place_order(self, body: Mapping[str, Any]) -> BitgetV3OrderAck:
        """``POST /api/v3/trade/place-order`` (3.4); the body comes from ``api.trading_v3``."""
        return await self.client.post(
            f"{TRADE}/place-order", dict(body), decoder=BitgetV3OrderAck, resend_rate_limited=True
        )

    async def place_batch(self, orders: Sequence[Mapping[str, Any]]) -> list[BitgetV3BatchItem]:
        """``POST /api/v3/trade/place-batch`` (3.6): a bare array (<= 20, one category)."""
        _check_batch(orders, "orders")
        body = [dict(o) for o in orders]
        return (
            await self.client.post(
                f"{TRADE}/place-batch",
                body,
                decoder=list[BitgetV3BatchItem],
                resend_rate_limited=True,
            )
            or []
        )

    async def modify_order(
        self,
        *,
        category: BitgetProductType | str,
        symbol: str,
        order_id: str | None = None,
        client_oid: str | None = None,
        qty: str | None = None,
        price: str | None = None,
        auto_cancel: bool | None = None,
        request_id: str | None = None,
    ) -> BitgetV3OrderAck:
        """
        ``POST /api/v3/trade/modify-order`` (3.6). Asynchronous: the ack is not success; confirm
        through the ``order`` push (which echoes ``requestId``) or a query.
        """
        body = _ids(order_id, client_oid)
        body.update({"category": category_param(category), "symbol": symbol})
        if qty is not None:
            body["qty"] = qty
        if price is not None:
            body["price"] = price
        if qty is None and price is None:
            raise ValueError("modify_order needs qty and/or price")
        if auto_cancel is not None:
            body["autoCancel"] = "yes" if auto_cancel else "no"
        if request_id is not None:
            body["requestId"] = request_id
        return await self.client.post(
            f"{TRADE}/modify-order", body, decoder=BitgetV3OrderAck, resend_rate_limited=True
        )

    async def cancel_order(
        self,
        *,
        category: BitgetProductType | str | None = None,
        symbol: str | None = None,
        order_id: str | None = None,
        client_oid: str | None = None,
    ) -> BitgetV3OrderAck:
        """``POST /api/v3/trade/cancel-order`` (3.6) by ``orderId`` or ``clientOid``."""
        body = _ids(order_id, client_oid)
        if category is not None:
            body["category"] = category_param(category)
        if symbol is not None:
            body["symbol"] = symbol
        return await self.client.post(
            f"{TRADE}/cancel-order", body, decoder=BitgetV3OrderAck, retry=True
        )

    async def cancel_batch(self, items: Sequence[Mapping[str, Any]]) -> list[BitgetV3BatchItem]:
        """``POST /api/v3/trade/cancel-batch`` (3.6): items ``{category, symbol, orderId}``."""
        _check_batch(items, "items")
        body = [dict(i) for i in items]
        return (
            await self.client.post(
                f"{TRADE}/cancel-batch", body, decoder=list[BitgetV3BatchItem], retry=True
            )
            or []
        )

    async def cancel_symbol_orders(
        self,
        category: BitgetProductType | str,
        symbol: str | None = None,
    ) -> BitgetV3ListResult:
        """``POST /api/v3/trade/cancel-symbol-order`` (3.6): cancel all (of a symbol)."""
        body: dict[str, Any] = {"category": category_param(category)}
        if symbol is not None:
            body["symbol"] = symbol
        return await self.client.post(
            f"{TRADE}/cancel-symbol-order", body, decoder=BitgetV3ListResult
        )

    async def close_positions(
        self,
        category: BitgetProductType | str,
        symbol: str | None = None,
        pos_side: str | None = None,
    ) -> BitgetV3ListResult:
        """``POST /api/v3/trade/close-positions`` (3.6): market close."""
        body: dict[str, Any] = {"category": category_param(category)}
        if symbol is not None:
            body["symbol"] = symbol
        if pos_side is not None:
            body["posSide"] = pos_side
        return await self.client.post(f"{TRADE}/close-positions", body, decoder=BitgetV3ListResult)

    async def order_info(
        self,
        order_id: str | None = None,
        client_oid: str | None = None,
    ) -> BitgetV3Order:
        """``GET /api/v3/trade/order-info`` (3.7)."""
        params = _ids(order_id, client_oid)
        return await self.client.get(
            f"{TRADE}/order-info", params, signed=True, decoder=BitgetV3Order
        )

    async def unfilled_orders(
        self,
        category: BitgetProductType | str | None = None,
        *,
        symbol: str | None = None,
        start_time: int | None = None,
        end_time: int | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> BitgetV3OrderList:
        """``GET /api/v3/trade/unfilled-orders`` (3.7)."""
        params = _page(category, symbol, start_time, end_time, limit, cursor)
        return await self.client.get(
            f"{TRADE}/unfilled-orders", params, signed=True, decoder=BitgetV3OrderList
        )

    async def history_orders(
        self,
        category: BitgetProductType | str,
        *,
        symbol: str | None = None,
        start_time: int | None = None,
        end_time: int | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> BitgetV3OrderList:
        """``GET /api/v3/trade/history-orders`` (3.7): filled and cancelled orders."""
        params = _page(category, symbol, start_time, end_time, limit, cursor)
        return await self.client.get(
            f"{TRADE}/history-orders", params, signed=True, decoder=BitgetV3OrderList
        )

    async def fills(
        self,
        category: BitgetProductType | str | None = None,
        *,
        order_id: str | None = None,
        start_time: int | None = None,
        end_time: int | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> BitgetV3FillList:
        """``GET /api/v3/trade/fills`` (3.7)."""
        params = _page(category, None, start_time, end_time, limit, cursor)
        params["orderId"] = order_id
        return await self.client.get(
            f"{TRADE}/fills", params, signed=True, decoder=BitgetV3FillList
        )

    async def place_strategy_order(self, body: Mapping[str, Any]) -> BitgetV3OrderAck:
        """``POST /api/v3/trade/place-strategy-order`` (3.8): ``type`` ``tpsl``|``trigger``."""
        return await self.client.post(
            f"{TRADE}/place-strategy-order",
            dict(body),
            decoder=BitgetV3OrderAck,
            resend_rate_limited=True,
        )

    async def modify_strategy_order(self, body: Mapping[str, Any]) -> BitgetV3OrderAck | None:
        """``POST /api/v3/trade/modify-strategy-order`` (3.8): the id plus ``qty`` required."""
        return await self.client.post(
            f"{TRADE}/modify-strategy-order",
            dict(body),
            decoder=BitgetV3OrderAck,
            resend_rate_limited=True,
        )

    async def cancel_strategy_order(
        self,
        order_id: str | None = None,
        client_oid: str | None = None,
    ) -> BitgetV3OrderAck | None:
        """``POST /api/v3/trade/cancel-strategy-order`` (3.8); ``data`` may be null."""
        body = _ids(order_id, client_oid)
        return await self.client.post(
            f"{TRADE}/cancel-strategy-order",
            body,
            decoder=BitgetV3OrderAck,
            retry=True,
        )

    async def unfilled_strategy_orders(
        self,
        category: BitgetProductType | str,
        strategy_type: str | None = None,
    ) -> list[BitgetV3StrategyOrder]:
        """``GET /api/v3/trade/unfilled-strategy-orders`` (3.8): a bare list."""
        params = {"category": category_param(category), "type": strategy_type}
        return (
            await self.client.get(
                f"{TRADE}/unfilled-strategy-orders",
                params,
                signed=True,
                decoder=list[BitgetV3StrategyOrder],
            )
            or []
        )

    async def history_strategy_orders(
        self,
        category: BitgetProductType | str,
        strategy_type: str | None = None,
        *,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> BitgetV3StrategyOrderList:
        """``GET /api/v3/trade/history-strategy-orders`` (3.8)."""
        params = {
            "category": category_param(category),
            "type": strategy_type,
            "limit": limit,
            "cursor": cursor,
        }
        return await self.client.get(
            f"{TRADE}/history-strategy-orders",
            params,
            signed=True,
            decoder=BitgetV3StrategyOrderList,
        )


def _ids(order_id: str | None, client_oid: str | None) -> dict[str, Any]:
    if not order_id and not client_oid:
        raise ValueError("order_id or client_oid is required")
    out: dict[str, Any] = {}
    if order_id:
        out["orderId"] = order_id
    if client_oid:
        out["clientOid"] = client_oid
    return out


def _check_batch(items: Sequence[Any], name: str) -> None:
    if not items:
        raise ValueError(f"{name} must not be empty")
    if len(items) > BATCH_MAX:
        raise ValueError(f"{name}: at most {BATCH_MAX} per batch (3.6), got {len(items)}")


def _page(
    category: BitgetProductType | str | None,
    symbol: str | None,
    start_time: int | None,
    end_time: int | None,
    limit: int | None,
    cursor: str | None,
) -> dict[str, Any]:
    return {
        "category": category_param(category) if category is not None else None,
        "symbol": symbol,
        "startTime": start_time,
        "endTime": end_time,
        "limit": limit,
        "cursor": cursor,
    }
