"""
``Requests``: history over REST: instruments, bars, trade ticks, funding rates, book snapshot.

Every request goes through the market API of the account's family (``MarketApi``), which pages
and returns the shared v2 row shapes; this module filters to the requested window and parses.
The client hands the results to Nautilus.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC
from datetime import datetime

import msgspec
from nautilus_trader.common.component import LiveClock
from nautilus_trader.common.component import Logger
from nautilus_trader.model.data import Bar
from nautilus_trader.model.data import BarType
from nautilus_trader.model.data import FundingRateUpdate
from nautilus_trader.model.data import OrderBookDeltas
from nautilus_trader.model.data import TradeTick
from nautilus_trader.model.identifiers import InstrumentId
from nautilus_trader.model.instruments import Instrument

from nautilus_bitget.api.market import MarketApi
from nautilus_bitget.api.market_v2 import FILLS_HISTORY_MAX
from nautilus_bitget.api.market_v2 import FUND_HISTORY_PAGE
from nautilus_bitget.api.market_v2 import HISTORY_CANDLES_MAX
from nautilus_bitget.data.publisher import Publisher
from nautilus_bitget.parsing.bars import BitgetBarSpecError
from nautilus_bitget.parsing.bars import bar_close_ns
from nautilus_bitget.parsing.bars import bar_spec_to_interval
from nautilus_bitget.parsing.bars import kline_type_for
from nautilus_bitget.parsing.bars import validate_external
from nautilus_bitget.parsing.book import BookContext
from nautilus_bitget.parsing.book import parse_levels_to_snapshot
from nautilus_bitget.parsing.market import FUNDING_STAMP_BEFORE_NS
from nautilus_bitget.parsing.market import parse_candle_to_bar
from nautilus_bitget.parsing.market import parse_funding_history_to_updates
from nautilus_bitget.parsing.market import parse_trade_to_trade_tick
from nautilus_bitget.providers import BitgetInstrumentProvider
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


class Requests:
    """
    Historical data of the data client's requests, as Nautilus objects.

    Parameters
    ----------
    market : MarketApi
        The public REST endpoints of the account's API family.
    provider : BitgetInstrumentProvider
        The instrument provider (instruments, product types, funding intervals).
    require : Callable[[InstrumentId], Instrument]
        Return a loaded instrument or raise ``ValueError`` (``Instruments.require``).
    publisher : Publisher
        Where skipped rows are counted.
    clock : LiveClock
        The clock (``ts_init``, "now" of the open bar).
    log : Logger
        The client's logger.

    """

    __slots__ = ("_clock", "_log", "_market", "_provider", "_publisher", "_require")

    def __init__(
        self,
        market: MarketApi,
        provider: BitgetInstrumentProvider,
        require: Callable[[InstrumentId], Instrument],
        publisher: Publisher,
        clock: LiveClock,
        log: Logger,
    ) -> None:
        self._market = market
        self._provider = provider
        self._require = require
        self._publisher = publisher
        self._clock = clock
        self._log = log

    async def instrument(self, instrument_id: InstrumentId) -> Instrument | None:
        """Return the instrument of ``instrument_id``, loading it if needed (``None``: unlisted)."""
        instrument = self._provider.find(instrument_id)
        if instrument is None:
            await self._provider.load_async(instrument_id)
            instrument = self._provider.find(instrument_id)
        if instrument is None:
            self._log.error(f"Instrument {instrument_id} not found on Bitget")
        return instrument

    async def instruments(self) -> list[Instrument]:
        """Return every instrument of the configured product types (loading them if none are)."""
        if not self._provider.list_all():
            await self._provider.load_all_async()
        return self._provider.list_all()

    async def bars(
        self,
        bar_type: BarType,
        start: datetime | None,
        end: datetime | None,
        limit: int,
        params: dict | None,
    ) -> list[Bar] | None:
        """
        Return closed bars of ``bar_type`` from ``start`` to ``end`` (``None``: not requestable).

        ``params["kline_type"] = "index"`` asks for index candles (Nautilus has no INDEX price
        type); a bar type Bitget has no candles for is logged and answers ``None``.
        """
        try:
            validate_external(bar_type)
            kline_type = kline_type_for(bar_type, params)
            granularity = bar_spec_to_interval(bar_type.spec)
        except BitgetBarSpecError as e:
            self._log.error(f"Cannot request bars: {e}")
            return None
        ctx = BookContext(self._require(bar_type.instrument_id))
        return await self._closed_bars(
            bar_type,
            ctx,
            granularity,
            kline_type,
            _dt_to_ms(start),
            _dt_to_ms(end),
            limit,
        )

    async def _closed_bars(
        self,
        bar_type: BarType,
        ctx: BookContext,
        granularity: str,
        kline_type: str,
        start_ms: int | None,
        end_ms: int | None,
        limit: int,
    ) -> list[Bar]:
        # Venue candles paged back from ``end_ms`` (last, mark or index by ``kline_type``):
        # closed bars only, ascending, at most ``limit`` (the most recent) when > 0
        if start_ms is None and not limit:
            limit = DEFAULT_BARS_LIMIT  # bound the paging when neither start nor limit is given
        symbol = ctx.instrument.raw_symbol.value
        now_ms = self._clock.timestamp_ms()
        candles = await self._market.history_candles(
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
                self._publisher.malformed("history-candles", repr(e))
        if limit and len(bars) > limit:
            bars = bars[-limit:]
        return bars

    async def trade_ticks(
        self,
        instrument_id: InstrumentId,
        start: datetime | None,
        end: datetime | None,
        limit: int,
    ) -> list[TradeTick]:
        """Return the public trades of ``instrument_id`` from ``start`` to ``end``, ascending."""
        instrument = self._require(instrument_id)
        ctx = BookContext(instrument)
        symbol = instrument.raw_symbol.value
        start_ms = _dt_to_ms(start)
        end_ms = _dt_to_ms(end)
        trades = await self._market.history_trades(
            symbol,
            self._provider.product_type_for(symbol),
            start_ms=start_ms,
            end_ms=end_ms,
            limit=limit or None,
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
                self._publisher.malformed("fills-history", repr(e))
        ticks.sort(key=lambda t: (t.ts_event, t.trade_id.value))
        if limit and len(ticks) > limit:
            ticks = ticks[-limit:]
        return ticks

    async def funding_rates(
        self,
        instrument_id: InstrumentId,
        start: datetime | None,
        end: datetime | None,
        limit: int,
    ) -> list[FundingRateUpdate]:
        """
        Return the settled funding rates of ``instrument_id`` from ``start`` to ``end``.

        Exactly as ``bitget-nt download`` writes them (``parse_funding_history_to_updates``):
        the rate of funding time ``T`` stamped ``T - 1 ms`` (``ts_event = ts_init``) with
        ``next_funding_ns = T`` and the interval, so a backtest settles it at ``T``. ``start``
        and ``end`` bound the stamps.
        """
        instrument = self._require(instrument_id)
        symbol = instrument.raw_symbol.value
        start_ms, end_ms = _dt_to_ms(start), _dt_to_ms(end)
        start_ns = start_ms * 1_000_000 if start_ms is not None else None
        end_ns = end_ms * 1_000_000 if end_ms is not None else None
        hours = self._provider.funding_interval_hours(instrument_id)
        history = await self._market.funding_history(
            symbol,
            self._provider.product_type_for(symbol),
            start_ms=(
                (start_ns + FUNDING_STAMP_BEFORE_NS) // 1_000_000 if start_ns is not None else None
            ),
            limit=limit or 0,
        )
        updates = parse_funding_history_to_updates(
            {int(num_str(row.fundingTime)): num_str(row.fundingRate) for row in history}.items(),
            instrument_id,
            hours * 60 if hours else None,
            keep=lambda stamp: (
                (start_ns is None or stamp >= start_ns) and (end_ns is None or stamp <= end_ns)
            ),
            on_malformed=lambda: self._publisher.malformed("history-fund-rate", "bad rate"),
        )
        if limit and len(updates) > limit:
            updates = updates[-limit:]
        return updates

    async def book_snapshot(self, instrument_id: InstrumentId, limit: int) -> OrderBookDeltas:
        """Return the REST order book of ``instrument_id`` (``limit`` levels a side) as deltas."""
        instrument = self._require(instrument_id)
        ctx = BookContext(instrument)
        symbol = instrument.raw_symbol.value
        depth = await self._market.book_snapshot(
            symbol,
            self._provider.product_type_for(symbol),
            limit or None,
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
        return snapshot
