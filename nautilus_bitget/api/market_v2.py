"""
``MarketApi`` of the classic account: the v2 public ``mix/market`` endpoints (bitget-protocol.md 4).

Rows are the v2 structs themselves (the shared shape); this module only pages. The v2 public
endpoints serve any key (or none), so the v3 family reuses this implementation where v3 has no
endpoint of its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import msgspec

from nautilus_bitget.api.detect import AccountType
from nautilus_bitget.api.market import page_candles_back
from nautilus_bitget.constants import BitgetProductType
from nautilus_bitget.http.client import BitgetHttpClient
from nautilus_bitget.http.market import BitgetMarketHttpAPI
from nautilus_bitget.schemas.common import num_str
from nautilus_bitget.schemas.market import BitgetCandleRow
from nautilus_bitget.schemas.market import BitgetContract
from nautilus_bitget.schemas.market import BitgetCurrentFundRate
from nautilus_bitget.schemas.market import BitgetHistoryFundRate
from nautilus_bitget.schemas.market import BitgetMergeDepth
from nautilus_bitget.schemas.market import BitgetRecentTrade
from nautilus_bitget.schemas.market import BitgetTicker


HISTORY_CANDLES_MAX: Final[int] = 200  # bitget-protocol.md 4.5: rows per history-candles page
FILLS_HISTORY_MAX: Final[int] = 1000  # bitget-protocol.md 4.6: rows per fills-history page
FUND_HISTORY_PAGE: Final[int] = 100  # bitget-protocol.md 4.7: rows per history-fund-rate page


class BitgetV2Market:
    """
    Classic (API v2) public market endpoints.

    Parameters
    ----------
    http : BitgetHttpClient
        The REST transport (credentials not needed).

    """

    name: str = "v2"
    account_type: AccountType = "classic"

    def __init__(self, http: BitgetHttpClient) -> None:
        self.http = http
        self._endpoints = BitgetMarketHttpAPI(http)

    async def contracts(
        self,
        product_type: BitgetProductType,
        symbol: str | None = None,
    ) -> list[BitgetContract]:
        """Return contract rows (v2 ``contracts``, bitget-protocol.md 4.2)."""
        return await self._endpoints.contracts(product_type, symbol)

    async def tickers(
        self,
        product_type: BitgetProductType,
        symbol: str | None = None,
    ) -> list[BitgetTicker]:
        """Return tickers (v2 ``ticker`` for one symbol, ``tickers`` for all; 4.4)."""
        if symbol is None:
            return await self._endpoints.tickers(product_type)
        row = await self._endpoints.ticker(symbol, product_type)
        return [row] if row is not None else []

    async def current_funding_rates(
        self,
        product_type: BitgetProductType,
        symbols: Sequence[str],
    ) -> list[BitgetCurrentFundRate]:
        """Return funding rates of ``symbols`` (one v2 ``current-fund-rate`` request, 4.7)."""
        wanted = set(symbols)
        if not wanted:
            return []
        rows = await self._endpoints.current_fund_rate(product_type)
        return [row for row in rows if row.symbol in wanted]

    async def funding_history(
        self,
        symbol: str,
        product_type: BitgetProductType,
        *,
        start_ms: int | None = None,
        limit: int = 0,
    ) -> list[BitgetHistoryFundRate]:
        """Return settled funding rates ascending (v2 ``history-fund-rate``, pages by number)."""
        rows: dict[int, BitgetHistoryFundRate] = {}
        page_no = 1
        while True:
            page = await self._endpoints.history_fund_rate(
                symbol,
                product_type,
                page_size=FUND_HISTORY_PAGE,
                page_no=page_no,
            )
            for row in page:
                rows[int(num_str(row.fundingTime))] = row
            oldest = min((int(num_str(r.fundingTime)) for r in page), default=None)
            # newest first: stop once older than the window or the pages run out
            if len(page) < FUND_HISTORY_PAGE or oldest is None:
                break
            if start_ms is not None and oldest < start_ms:
                break
            if limit and len(rows) >= limit:
                break
            page_no += 1
        return [rows[ts] for ts in sorted(rows)]

    async def history_candles(
        self,
        symbol: str,
        product_type: BitgetProductType,
        interval: str,
        *,
        kline_type: str = "market",
        start_ms: int | None = None,
        end_ms: int | None = None,
        limit: int = 0,
    ) -> list[BitgetCandleRow]:
        """Return closed candles (v2 ``history-candles`` / ``-mark-`` / ``-index-``, 4.5)."""

        async def page(cursor: int | None) -> list[BitgetCandleRow]:
            return await self._endpoints.history_candles(
                symbol,
                product_type,
                interval,
                start_time=start_ms,
                end_time=cursor,
                limit=HISTORY_CANDLES_MAX,
                kline_type=kline_type,
            )

        return await page_candles_back(page, start_ms=start_ms, end_ms=end_ms, limit=limit)

    async def recent_trades(
        self,
        symbol: str,
        product_type: BitgetProductType,
        limit: int | None = None,
    ) -> list[BitgetRecentTrade]:
        """Return recent public trades (v2 ``fills``, max 100; 4.6)."""
        return await self._endpoints.fills(symbol, product_type, limit)

    async def history_trades(
        self,
        symbol: str,
        product_type: BitgetProductType,
        *,
        start_ms: int | None = None,
        end_ms: int | None = None,
        limit: int | None = None,
    ) -> list[BitgetRecentTrade]:
        """Return public trades of a window (v2 ``fills-history``, ``idLessThan`` cursor; 4.6)."""
        wanted = limit or FILLS_HISTORY_MAX
        trades: dict[str, BitgetRecentTrade] = {}
        cursor: str | None = None
        while len(trades) < wanted:
            page = await self._endpoints.fills_history(
                symbol,
                product_type,
                limit=FILLS_HISTORY_MAX,
                id_less_than=cursor,
                start_time=start_ms,
                end_time=end_ms,
            )
            fresh = [t for t in page if t.tradeId not in trades]
            for trade in fresh:
                trades[trade.tradeId] = trade
            if not fresh or len(page) < FILLS_HISTORY_MAX:
                break
            cursor = min(fresh, key=lambda t: int(num_str(t.ts))).tradeId
        return list(trades.values())

    async def book_snapshot(
        self,
        symbol: str,
        product_type: BitgetProductType,
        limit: int | None = None,
    ) -> BitgetMergeDepth:
        """Return an unmerged snapshot (v2 ``merge-depth`` ``scale0``, every level; 4.3)."""
        depth = await self._endpoints.merge_depth(
            symbol,
            product_type,
            precision="scale0",
            limit="max",
        )
        if limit is None:
            return depth
        return msgspec.structs.replace(depth, asks=depth.asks[:limit], bids=depth.bids[:limit])
