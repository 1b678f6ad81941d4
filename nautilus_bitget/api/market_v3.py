"""
``MarketApi`` of the Unified Trading Account: the v3 public ``market`` endpoints
(bitget-protocol-uta.md 2), rows translated into the shared v2 shapes.

On the family's own v3 endpoint: instruments (``parsing.instruments_v3``: tick =
``priceMultiplier``, step = ``quantityMultiplier``, status mapped to the v2 ``symbolStatus``),
tickers, current funding rate (per symbol, 2.7), funding history (``cursor`` paging, 2.7),
candles of 1m-4H (``history-candles`` with ``type``, 100 rows a page, 2.5), recent trades (2.6)
and the book snapshot (``orderbook``, at most 200 levels, 2.3).

On the v2 public endpoint (any key may read it), where v3 has none: historical public trades (v3
only has the recent ``fills``) and candles of 6 hours or more (v3 ``6H``/``12H``/``1D`` do not
state their anchor, and ``3D``/``1W``/``1M`` do not exist there, while Nautilus bars are
UTC-aligned: v2 ``6Hutc`` ... ``1Mutc``).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Final
from typing import Protocol

from nautilus_bitget.api.detect import AccountType
from nautilus_bitget.api.market import page_candles_back
from nautilus_bitget.api.market_v2 import BitgetV2Market
from nautilus_bitget.constants import BitgetProductType
from nautilus_bitget.http.client import BitgetHttpClient
from nautilus_bitget.http.v3 import BitgetV3MarketHttpAPI
from nautilus_bitget.parsing.instruments import BitgetInstrumentParseError
from nautilus_bitget.parsing.instruments_v3 import v3_to_classic_contract
from nautilus_bitget.schemas.common import num_str
from nautilus_bitget.schemas.market import BitgetCandleRow
from nautilus_bitget.schemas.market import BitgetContract
from nautilus_bitget.schemas.market import BitgetCurrentFundRate
from nautilus_bitget.schemas.market import BitgetHistoryFundRate
from nautilus_bitget.schemas.market import BitgetMergeDepth
from nautilus_bitget.schemas.market import BitgetRecentTrade
from nautilus_bitget.schemas.market import BitgetTicker
from nautilus_bitget.schemas.v3.market import BitgetV3CandleRow
from nautilus_bitget.schemas.v3.market import BitgetV3CurrentFundRate
from nautilus_bitget.schemas.v3.market import BitgetV3PublicFill
from nautilus_bitget.schemas.v3.market import BitgetV3Ticker


HISTORY_CANDLES_MAX: Final[int] = 100  # bitget-protocol-uta.md 2.5: rows per page
FUND_HISTORY_PAGE: Final[int] = 100  # bitget-protocol-uta.md 2.7
FUND_HISTORY_MAX_PAGES: Final[int] = 100  # 2.7: the page number ``cursor`` is at most 100
ORDERBOOK_MAX: Final[int] = 200  # bitget-protocol-uta.md 2.3: levels per side
# bitget-protocol-uta.md 2.5: intervals whose candles are the same as v2's (no anchor question)
V3_CANDLE_INTERVALS: Final[frozenset[str]] = frozenset({"1m", "3m", "5m", "15m", "30m", "1H", "4H"})

_log = logging.getLogger(__name__)


class WarningLogger(Protocol):
    """Where skipped instrument rows are reported (a Nautilus ``Logger`` or ``logging``)."""

    def warning(self, msg: str) -> None:
        """Log a warning."""


class BitgetV3Market:
    """
    UTA (API v3) public market endpoints, with v2 public fallbacks (see the module docstring).

    Parameters
    ----------
    http : BitgetHttpClient
        The REST transport (credentials not needed).
    logger : Logger, optional
        Where instrument rows that cannot be translated are reported.

    """

    name: str = "v3"
    account_type: AccountType = "uta"

    def __init__(self, http: BitgetHttpClient, logger: WarningLogger | None = None) -> None:
        self.http = http
        self._endpoints = BitgetV3MarketHttpAPI(http)
        self._v2 = BitgetV2Market(http)
        self._log: WarningLogger = logger or _log

    async def contracts(
        self,
        product_type: BitgetProductType,
        symbol: str | None = None,
    ) -> list[BitgetContract]:
        """
        Return v3 ``instruments`` rows as v2 contract rows (2.2).

        Rows whose precision fields are invalid are skipped with a warning.
        """
        contracts = []
        for row in await self._endpoints.instruments(product_type, symbol):
            try:
                contracts.append(v3_to_classic_contract(row, product_type))
            except BitgetInstrumentParseError as e:
                self._log.warning(f"Skipping instrument: {e}")
        return contracts

    async def tickers(
        self,
        product_type: BitgetProductType,
        symbol: str | None = None,
    ) -> list[BitgetTicker]:
        """Return v3 ``tickers`` (2.4) as v2 ticker rows."""
        return [_ticker(t) for t in await self._endpoints.tickers(product_type, symbol)]

    async def current_funding_rates(
        self,
        product_type: BitgetProductType,
        symbols: Sequence[str],
    ) -> list[BitgetCurrentFundRate]:
        """Return funding rates: one v3 ``current-fund-rate`` request per symbol (2.7)."""
        rows: list[BitgetCurrentFundRate] = []
        for symbol in symbols:
            rates = await self._endpoints.current_fund_rate(symbol, product_type)
            rows.extend(_fund_rate(rate) for rate in rates)
        return rows

    async def funding_history(
        self,
        symbol: str,
        product_type: BitgetProductType,
        *,
        start_ms: int | None = None,
        limit: int = 0,
    ) -> list[BitgetHistoryFundRate]:
        """
        Return settled funding rates ascending (v3 ``history-fund-rate``, 2.7).

        ``cursor`` is a request page number (1, 2, ... at most 100) and the response has only
        ``resultList`` (newest first): pages are read until a short page, the window start, the
        ``limit`` or a page with nothing new (a venue ignoring ``cursor``).
        """
        rows: dict[int, BitgetHistoryFundRate] = {}
        for page_no in range(1, FUND_HISTORY_MAX_PAGES + 1):
            page = await self._endpoints.history_fund_rate(
                product_type,
                symbol,
                cursor=str(page_no),
                limit=FUND_HISTORY_PAGE,
            )
            records = page.resultList
            fresh = 0
            for record in records:
                ts = int(num_str(record.fundingRateTimestamp))
                if ts not in rows:
                    fresh += 1
                rows[ts] = BitgetHistoryFundRate(
                    symbol=record.symbol,
                    fundingRate=record.fundingRate,
                    fundingTime=record.fundingRateTimestamp,
                )
            oldest = min((int(num_str(r.fundingRateTimestamp)) for r in records), default=0)
            if len(records) < FUND_HISTORY_PAGE or not fresh:
                break
            if start_ms is not None and oldest < start_ms:
                break
            if limit and len(rows) >= limit:
                break
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
        """Return closed candles: v3 ``history-candles`` up to 4H, the v2 public ones above."""
        if interval not in V3_CANDLE_INTERVALS:
            return await self._v2.history_candles(
                symbol,
                product_type,
                interval,
                kline_type=kline_type,
                start_ms=start_ms,
                end_ms=end_ms,
                limit=limit,
            )

        async def page(cursor: int | None) -> list[BitgetCandleRow]:
            rows = await self._endpoints.candles(
                product_type,
                symbol,
                interval,
                start_time=start_ms,
                end_time=cursor,
                limit=HISTORY_CANDLES_MAX,
                candle_type=kline_type,
                history=True,
            )
            return [_candle(row) for row in rows]

        return await page_candles_back(page, start_ms=start_ms, end_ms=end_ms, limit=limit)

    async def recent_trades(
        self,
        symbol: str,
        product_type: BitgetProductType,
        limit: int | None = None,
    ) -> list[BitgetRecentTrade]:
        """Return recent public trades (v3 ``fills``, 2.6) as v2 trade rows."""
        fills = await self._endpoints.fills(product_type, symbol, limit)
        return [_trade(fill, symbol) for fill in fills]

    async def history_trades(
        self,
        symbol: str,
        product_type: BitgetProductType,
        *,
        start_ms: int | None = None,
        end_ms: int | None = None,
        limit: int | None = None,
    ) -> list[BitgetRecentTrade]:
        """Return public trades of a window from the v2 public ``fills-history`` (v3 has none)."""
        return await self._v2.history_trades(
            symbol,
            product_type,
            start_ms=start_ms,
            end_ms=end_ms,
            limit=limit,
        )

    async def book_snapshot(
        self,
        symbol: str,
        product_type: BitgetProductType,
        limit: int | None = None,
    ) -> BitgetMergeDepth:
        """Return a snapshot from v3 ``orderbook`` (2.3), at most 200 levels a side."""
        depth = min(limit, ORDERBOOK_MAX) if limit else ORDERBOOK_MAX
        book = await self._endpoints.orderbook(product_type, symbol, depth)
        return BitgetMergeDepth(asks=book.a[:depth], bids=book.b[:depth], ts=book.ts)


# -- v3 rows -> v2 rows --------------------------------------------------------------------------


def _candle(row: BitgetV3CandleRow) -> BitgetCandleRow:
    # 2.5: [start, open, high, low, close, volume (base), turnover (quote)]
    if len(row) < 6:
        raise ValueError(f"candle row {row!r} has fewer than 6 entries")
    return BitgetCandleRow(
        ts=row[0],
        open=row[1],
        high=row[2],
        low=row[3],
        close=row[4],
        baseVolume=row[5],
        quoteVolume=row[6] if len(row) > 6 else None,
    )


def _trade(fill: BitgetV3PublicFill, symbol: str) -> BitgetRecentTrade:
    return BitgetRecentTrade(
        tradeId=fill.execId,
        price=fill.price,
        size=fill.size,
        side=fill.side,
        ts=fill.ts,
        symbol=symbol,
    )


def _fund_rate(rate: BitgetV3CurrentFundRate) -> BitgetCurrentFundRate:
    return BitgetCurrentFundRate(
        symbol=rate.symbol,
        fundingRate=rate.fundingRate,
        fundingRateInterval=rate.fundingRateInterval,
        nextUpdate=rate.nextUpdate,
        minFundingRate=rate.minFundingRate,
        maxFundingRate=rate.maxFundingRate,
    )


def _ticker(t: BitgetV3Ticker) -> BitgetTicker:
    # 2.4: v3 names; ``openInterest`` is the v2 ``holdingAmount`` (base coin)
    return BitgetTicker(
        symbol=t.symbol,
        lastPr=t.lastPrice,
        askPr=t.ask1Price,
        bidPr=t.bid1Price,
        bidSz=t.bid1Size,
        askSz=t.ask1Size,
        high24h=t.highPrice24h,
        low24h=t.lowPrice24h,
        ts=t.ts,
        change24h=t.price24hPcnt,
        baseVolume=t.volume24h,
        quoteVolume=t.turnover24h,
        indexPrice=t.indexPrice,
        fundingRate=t.fundingRate,
        holdingAmount=t.openInterest,
        deliveryStartTime=t.deliveryStartTime,
        deliveryTime=t.deliveryTime,
        deliveryStatus=t.deliveryStatus,
        open24h=t.openPrice24h,
        markPrice=t.markPrice,
    )
