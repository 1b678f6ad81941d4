"""
Public market endpoints of Bitget v2 ``mix`` (bitget-protocol.md section 4), typed.

Thin wrappers over ``BitgetHttpClient.get``: build the query (wire names, ``productType``
uppercase), decode ``data`` into ``schemas.market`` types. GETs are retried by the client.
"""

from __future__ import annotations

from typing import Any
from typing import Final

from nautilus_bitget.constants import BitgetProductType
from nautilus_bitget.http.client import BitgetHttpClient
from nautilus_bitget.http.params import page_query
from nautilus_bitget.http.params import product_type_param
from nautilus_bitget.http.params import symbol_query
from nautilus_bitget.schemas.market import BitgetCandleRow
from nautilus_bitget.schemas.market import BitgetContract
from nautilus_bitget.schemas.market import BitgetCurrentFundRate
from nautilus_bitget.schemas.market import BitgetFundingTime
from nautilus_bitget.schemas.market import BitgetHistoryFundRate
from nautilus_bitget.schemas.market import BitgetMergeDepth
from nautilus_bitget.schemas.market import BitgetOpenInterest
from nautilus_bitget.schemas.market import BitgetRecentTrade
from nautilus_bitget.schemas.market import BitgetServerTime
from nautilus_bitget.schemas.market import BitgetSymbolPrice
from nautilus_bitget.schemas.market import BitgetTicker


MIX_MARKET: Final[str] = "/api/v2/mix/market"
KLINE_TYPES: Final[tuple[str, ...]] = ("market", "mark", "index")

# bitget-protocol.md 4.5: history-candles has no kLineType; mark/index history have their own paths
_HISTORY_CANDLE_PATHS: Final[dict[str, str]] = {
    "market": f"{MIX_MARKET}/history-candles",
    "mark": f"{MIX_MARKET}/history-mark-candles",
    "index": f"{MIX_MARKET}/history-index-candles",
}


def _kline_type(kline_type: str) -> str:
    value = kline_type.lower()
    if value not in KLINE_TYPES:
        raise ValueError(f"kline_type must be one of {KLINE_TYPES}, was {kline_type!r}")
    return value


def _candle_query(
    symbol: str,
    product_type: BitgetProductType | str,
    granularity: str,
    start_time: int | None,
    end_time: int | None,
    limit: int | None,
) -> dict[str, Any]:
    window = {"startTime": start_time, "endTime": end_time, "limit": limit}
    return symbol_query(symbol, product_type, granularity=granularity, **window)


class BitgetMarketHttpAPI:
    """
    Public market endpoints (``/api/v2/mix/market/*`` and ``/api/v2/public/time``).

    Parameters
    ----------
    client : BitgetHttpClient
        The REST transport.

    """

    def __init__(self, client: BitgetHttpClient) -> None:
        self.client = client

    async def _get(self, endpoint: str, params: dict[str, Any], decoder: Any) -> Any:
        return await self.client.get(f"{MIX_MARKET}/{endpoint}", params, decoder=decoder)

    async def _get_list(self, endpoint: str, params: dict[str, Any], decoder: Any) -> list[Any]:
        return await self._get(endpoint, params, decoder) or []

    async def _get_candles(self, path: str, params: dict[str, Any]) -> list[BitgetCandleRow]:
        # bitget-protocol.md 4.5: new listings answer "" instead of an empty array
        rows = await self.client.get(path, params, decoder=list[BitgetCandleRow] | str)
        return rows if isinstance(rows, list) else []

    async def server_time(self) -> BitgetServerTime:
        """Return the server time (``GET /api/v2/public/time``, bitget-protocol.md 4.1)."""
        time: BitgetServerTime = await self.client.get(
            "/api/v2/public/time",
            decoder=BitgetServerTime,
        )
        return time

    async def contracts(
        self,
        product_type: BitgetProductType | str,
        symbol: str | None = None,
    ) -> list[BitgetContract]:
        """
        Return the contracts of a product type, or of one symbol (bitget-protocol.md 4.2).

        Parameters
        ----------
        product_type : BitgetProductType or str
            The product type.
        symbol : str, optional
            Only this symbol (the venue answers 40034 when it does not exist).

        Returns
        -------
        list[BitgetContract]

        """
        params = symbol_query(symbol, product_type)
        return await self._get_list("contracts", params, list[BitgetContract])

    async def merge_depth(
        self,
        symbol: str,
        product_type: BitgetProductType | str,
        precision: str | None = None,
        limit: int | str | None = None,
    ) -> BitgetMergeDepth:
        """
        Return an order book snapshot (levels as JSON numbers, no sequence; bitget-protocol.md 4.3).

        Parameters
        ----------
        symbol : str
            The symbol.
        product_type : BitgetProductType or str
            The product type.
        precision : str, optional
            ``scale0`` (default, unmerged) .. ``scale3``.
        limit : int or str, optional
            ``1``, ``5``, ``15``, ``50`` or ``max``.

        Returns
        -------
        BitgetMergeDepth

        """
        params = symbol_query(symbol, product_type, precision=precision, limit=limit)
        depth: BitgetMergeDepth = await self._get("merge-depth", params, BitgetMergeDepth)
        return depth

    async def ticker(
        self,
        symbol: str,
        product_type: BitgetProductType | str,
    ) -> BitgetTicker | None:
        """Return the ticker of one symbol (the venue's one-element array; 4.4)."""
        rows = await self._get_list(
            "ticker", symbol_query(symbol, product_type), list[BitgetTicker]
        )
        return rows[0] if rows else None

    async def tickers(self, product_type: BitgetProductType | str) -> list[BitgetTicker]:
        """Return the tickers of every symbol of a product type (bitget-protocol.md 4.4)."""
        params = {"productType": product_type_param(product_type)}
        return await self._get_list("tickers", params, list[BitgetTicker])

    async def candles(
        self,
        symbol: str,
        product_type: BitgetProductType | str,
        granularity: str,
        start_time: int | None = None,
        end_time: int | None = None,
        limit: int | None = None,
        kline_type: str | None = None,
    ) -> list[BitgetCandleRow]:
        """
        Return recent candles incl. the still-forming one (``/candles``, bitget-protocol.md 4.5).

        Parameters
        ----------
        symbol : str
            The symbol.
        product_type : BitgetProductType or str
            The product type.
        granularity : str
            ``1m``, ``5m``, ``1H``, ``1Dutc``, ... (case-sensitive wire values).
        start_time, end_time : int, optional
            Window bounds, ms.
        limit : int, optional
            Rows, max 1000 (default 100).
        kline_type : str, optional
            ``market`` (default), ``mark`` or ``index``.

        Returns
        -------
        list[BitgetCandleRow]
            Ascending rows; empty when the venue sends ``""`` (new listings).

        """
        params = _candle_query(symbol, product_type, granularity, start_time, end_time, limit)
        params["kLineType"] = None if kline_type is None else _kline_type(kline_type)
        return await self._get_candles(f"{MIX_MARKET}/candles", params)

    async def history_candles(
        self,
        symbol: str,
        product_type: BitgetProductType | str,
        granularity: str,
        start_time: int | None = None,
        end_time: int | None = None,
        limit: int | None = None,
        kline_type: str = "market",
    ) -> list[BitgetCandleRow]:
        """
        Return finished candles from ``history-candles`` / ``history-mark-candles`` /
        ``history-index-candles`` (max 200 rows, bitget-protocol.md 4.5).

        Parameters
        ----------
        symbol : str
            The symbol.
        product_type : BitgetProductType or str
            The product type.
        granularity : str
            The wire granularity.
        start_time, end_time : int, optional
            Window bounds, ms.
        limit : int, optional
            Rows, max 200.
        kline_type : str, default "market"
            ``market``, ``mark`` or ``index`` (selects the endpoint).

        Returns
        -------
        list[BitgetCandleRow]

        """
        path = _HISTORY_CANDLE_PATHS[_kline_type(kline_type)]
        params = _candle_query(symbol, product_type, granularity, start_time, end_time, limit)
        return await self._get_candles(path, params)

    async def fills(
        self,
        symbol: str,
        product_type: BitgetProductType | str,
        limit: int | None = None,
    ) -> list[BitgetRecentTrade]:
        """Return recent public trades (``/fills``, max 100, bitget-protocol.md 4.6)."""
        params = symbol_query(symbol, product_type, limit=limit)
        return await self._get_list("fills", params, list[BitgetRecentTrade])

    async def fills_history(
        self,
        symbol: str,
        product_type: BitgetProductType | str,
        limit: int | None = None,
        id_less_than: str | None = None,
        start_time: int | None = None,
        end_time: int | None = None,
    ) -> list[BitgetRecentTrade]:
        """Return older public trades (``/fills-history``, window <= 7 days, bitget-protocol.md
        4.6)."""
        params = symbol_query(
            symbol, product_type, **page_query(id_less_than, start_time, end_time, limit)
        )
        return await self._get_list("fills-history", params, list[BitgetRecentTrade])

    async def current_fund_rate(
        self,
        product_type: BitgetProductType | str,
        symbol: str | None = None,
    ) -> list[BitgetCurrentFundRate]:
        """Return the running funding rate and interval (all symbols if ``symbol`` is None)."""
        params = symbol_query(symbol, product_type)
        return await self._get_list("current-fund-rate", params, list[BitgetCurrentFundRate])

    async def history_fund_rate(
        self,
        symbol: str,
        product_type: BitgetProductType | str,
        page_size: int | None = None,
        page_no: int | None = None,
    ) -> list[BitgetHistoryFundRate]:
        """Return settled funding rates, newest first (bitget-protocol.md 4.7)."""
        params = symbol_query(symbol, product_type, pageSize=page_size, pageNo=page_no)
        return await self._get_list("history-fund-rate", params, list[BitgetHistoryFundRate])

    async def funding_time(
        self,
        symbol: str,
        product_type: BitgetProductType | str,
    ) -> list[BitgetFundingTime]:
        """Return the next funding time and period (bitget-protocol.md 4.7)."""
        params = symbol_query(symbol, product_type)
        return await self._get_list("funding-time", params, list[BitgetFundingTime])

    async def open_interest(
        self,
        symbol: str,
        product_type: BitgetProductType | str,
    ) -> BitgetOpenInterest:
        """Return the open interest in base coin (bitget-protocol.md 4.8)."""
        params = symbol_query(symbol, product_type)
        interest: BitgetOpenInterest = await self._get("open-interest", params, BitgetOpenInterest)
        return interest

    async def symbol_price(
        self,
        symbol: str,
        product_type: BitgetProductType | str,
    ) -> list[BitgetSymbolPrice]:
        """Return last, index and mark price (bitget-protocol.md 4.9)."""
        params = symbol_query(symbol, product_type)
        return await self._get_list("symbol-price", params, list[BitgetSymbolPrice])
