"""
Historical requests over REST: instruments, bars, trade ticks, funding rates, book snapshot.

Every request goes through the market API of the account's family (``self._api.market``), which
pages and returns the shared v2 row shapes; this module filters to the requested window and
parses.
"""

from __future__ import annotations

from datetime import UTC
from datetime import datetime

import msgspec
from nautilus_trader.data.messages import RequestBars
from nautilus_trader.data.messages import RequestFundingRates
from nautilus_trader.data.messages import RequestInstrument
from nautilus_trader.data.messages import RequestInstruments
from nautilus_trader.data.messages import RequestOrderBookSnapshot
from nautilus_trader.data.messages import RequestTradeTicks
from nautilus_trader.model.data import Bar
from nautilus_trader.model.data import BarType
from nautilus_trader.model.data import DataType
from nautilus_trader.model.data import FundingRateUpdate
from nautilus_trader.model.data import OrderBookDeltas
from nautilus_trader.model.data import TradeTick

from nautilus_bitget.api.market_v2 import FILLS_HISTORY_MAX
from nautilus_bitget.api.market_v2 import FUND_HISTORY_PAGE
from nautilus_bitget.api.market_v2 import HISTORY_CANDLES_MAX
from nautilus_bitget.constants import BITGET_VENUE
from nautilus_bitget.data.support import DataClientSupport
from nautilus_bitget.parsing.bars import BitgetBarSpecError
from nautilus_bitget.parsing.bars import bar_close_ns
from nautilus_bitget.parsing.bars import bar_spec_to_interval
from nautilus_bitget.parsing.bars import kline_type_for
from nautilus_bitget.parsing.bars import validate_external
from nautilus_bitget.parsing.book import BookContext
from nautilus_bitget.parsing.book import parse_levels_to_snapshot
from nautilus_bitget.parsing.market import parse_candle_to_bar
from nautilus_bitget.parsing.market import parse_funding_history_to_update
from nautilus_bitget.parsing.market import parse_trade_to_trade_tick
from nautilus_bitget.schemas.common import num_str
from nautilus_bitget.schemas.ws_public import BitgetWsTrade


# Page sizes of the v2 endpoints (re-exported; each family pages with its own, ``api.market_v*``)
__all__ = [
    "DEFAULT_BARS_LIMIT",
    "FILLS_HISTORY_MAX",
    "FUND_HISTORY_PAGE",
    "HISTORY_CANDLES_MAX",
    "Requests",
]

DEFAULT_BARS_LIMIT = 1000


def _dt_to_ms(value: datetime | None) -> int | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return int(value.timestamp() * 1000)


class Requests(DataClientSupport):
    """Historical requests of ``BitgetDataClient`` (a mixin; state lives on the client)."""

    async def _request_instrument(self, request: RequestInstrument) -> None:
        instrument = self._provider.find(request.instrument_id)
        if instrument is None:
            await self._provider.load_async(request.instrument_id)
            instrument = self._provider.find(request.instrument_id)
        if instrument is None:
            self._log.error(f"Instrument {request.instrument_id} not found on Bitget")
            return
        self._handle_instrument(instrument, request.id, request.start, request.end, request.params)

    async def _request_instruments(self, request: RequestInstruments) -> None:
        if not self._provider.list_all():
            await self._provider.load_all_async()
        self._handle_instruments(
            request.venue or BITGET_VENUE,
            self._provider.list_all(),
            request.id,
            request.start,
            request.end,
            request.params,
        )

    async def _request_bars(self, request: RequestBars) -> None:
        bar_type = request.bar_type
        try:
            validate_external(bar_type)
            kline_type = kline_type_for(bar_type, request.params)
            granularity = bar_spec_to_interval(bar_type.spec)
        except BitgetBarSpecError as e:
            self._log.error(f"Cannot request bars: {e}")
            return
        instrument = self._instrument(bar_type.instrument_id)
        ctx = BookContext(instrument)
        bars = await self.fetch_bars(
            bar_type,
            ctx,
            granularity,
            kline_type,
            _dt_to_ms(request.start),
            _dt_to_ms(request.end),
            request.limit,
        )
        self._handle_bars(bar_type, bars, request.id, request.start, request.end, request.params)

    async def fetch_bars(
        self,
        bar_type: BarType,
        ctx: BookContext,
        granularity: str,
        kline_type: str,
        start_ms: int | None,
        end_ms: int | None,
        limit: int,
    ) -> list[Bar]:
        """
        Return closed bars of ``bar_type`` from ``start_ms`` to ``end_ms`` (venue candles, paged
        back from ``end_ms``; last, mark or index by ``kline_type``).

        Returns closed bars only, ascending, at most ``limit`` (the most recent) when > 0.
        """
        if start_ms is None and not limit:
            limit = DEFAULT_BARS_LIMIT  # bound the paging when neither start nor limit is given
        symbol = ctx.instrument.raw_symbol.value
        now_ms = self._clock.timestamp_ms()
        candles = await self._api.market.history_candles(
            symbol,
            self._provider.product_type_for(symbol),
            granularity,
            kline_type=kline_type,
            start_ms=start_ms,
            end_ms=end_ms if end_ms is not None else now_ms,
            limit=limit,
        )
        ts_init = self._clock.timestamp_ns()
        bars: list[Bar] = []
        for candle in candles:
            row = [num_str(v) for v in msgspec.structs.astuple(candle)]
            start = int(row[0])
            if start_ms is not None and start < start_ms:
                continue
            close_ns = bar_close_ns(bar_type.spec, start * 1_000_000)
            if close_ns > now_ms * 1_000_000 or (end_ms is not None and start > end_ms):
                continue
            try:
                bars.append(parse_candle_to_bar(row, bar_type, ctx, ts_init))
            except ValueError as e:
                self._malformed("history-candles", repr(e))
        if limit and len(bars) > limit:
            bars = bars[-limit:]
        return bars

    async def _request_trade_ticks(self, request: RequestTradeTicks) -> None:
        instrument = self._instrument(request.instrument_id)
        ctx = BookContext(instrument)
        symbol = instrument.raw_symbol.value
        start_ms = _dt_to_ms(request.start)
        end_ms = _dt_to_ms(request.end)
        trades = await self._api.market.history_trades(
            symbol,
            self._provider.product_type_for(symbol),
            start_ms=start_ms,
            end_ms=end_ms,
            limit=request.limit or None,
        )
        ts_init = self._clock.timestamp_ns()
        ticks: list[TradeTick] = []
        for trade in trades:
            wire = BitgetWsTrade(
                ts=num_str(trade.ts),
                price=num_str(trade.price),
                size=num_str(trade.size),
                side=trade.side,
                tradeId=trade.tradeId,
            )
            ts_ms = int(wire.ts)
            if (start_ms is not None and ts_ms < start_ms) or (
                end_ms is not None and ts_ms > end_ms
            ):
                continue
            try:
                ticks.append(parse_trade_to_trade_tick(wire, ctx, ts_init))
            except ValueError as e:
                self._malformed("fills-history", repr(e))
        ticks.sort(key=lambda t: (t.ts_event, t.trade_id.value))
        if request.limit and len(ticks) > request.limit:
            ticks = ticks[-request.limit :]
        self._handle_trade_ticks(
            request.instrument_id,
            ticks,
            request.id,
            request.start,
            request.end,
            request.params,
        )

    async def _request_funding_rates(self, request: RequestFundingRates) -> None:
        instrument = self._instrument(request.instrument_id)
        symbol = instrument.raw_symbol.value
        start_ms = _dt_to_ms(request.start)
        end_ms = _dt_to_ms(request.end)
        hours = self._provider.funding_interval_hours(request.instrument_id)
        interval = hours * 60 if hours else None
        history = await self._api.market.funding_history(
            symbol,
            self._provider.product_type_for(symbol),
            start_ms=start_ms,
            limit=request.limit or 0,
        )
        rows = {int(num_str(row.fundingTime)): num_str(row.fundingRate) for row in history}
        ts_init = self._clock.timestamp_ns()
        updates: list[FundingRateUpdate] = [
            parse_funding_history_to_update(
                rate,
                str(ts),
                request.instrument_id,
                interval,
                ts_init,
            )
            for ts, rate in sorted(rows.items())
            if (start_ms is None or ts >= start_ms) and (end_ms is None or ts <= end_ms)
        ]
        if request.limit and len(updates) > request.limit:
            updates = updates[-request.limit :]
        self._handle_funding_rates(
            request.instrument_id,
            updates,
            request.id,
            request.start,
            request.end,
            request.params,
        )

    async def _request_order_book_snapshot(self, request: RequestOrderBookSnapshot) -> None:
        instrument = self._instrument(request.instrument_id)
        ctx = BookContext(instrument)
        symbol = instrument.raw_symbol.value
        depth = await self._api.market.book_snapshot(
            symbol,
            self._provider.product_type_for(symbol),
            request.limit or None,
        )
        bids = [(num_str(p), num_str(s)) for p, s in depth.bids]
        asks = [(num_str(p), num_str(s)) for p, s in depth.asks]
        ts_init = self._clock.timestamp_ns()
        snapshot: OrderBookDeltas = parse_levels_to_snapshot(
            bids,
            asks,
            ctx,
            num_str(depth.ts) or str(ts_init // 1_000_000),
            ts_init,
        )
        self._handle_data_response(
            DataType(OrderBookDeltas, metadata={"instrument_id": request.instrument_id}),
            [snapshot],
            request.id,
            None,
            None,
            request.params,
        )
