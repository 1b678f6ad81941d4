"""
Market data parsing: trades, ticker (mark, index, funding), candles, instrument status.

Free functions ``parse_<wire>_to_<nautilus>`` plus two small stateful helpers the data client
keeps per subscription: ``TradeDeduper`` (trade snapshot not re-published, no duplicate ids) and
``CandleCloser`` (only closed candles become bars, bitget-protocol.md 6.1).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from collections.abc import Sequence
from decimal import Decimal

from nautilus_trader.model.data import Bar
from nautilus_trader.model.data import BarType
from nautilus_trader.model.data import FundingRateUpdate
from nautilus_trader.model.data import IndexPriceUpdate
from nautilus_trader.model.data import InstrumentStatus
from nautilus_trader.model.data import MarkPriceUpdate
from nautilus_trader.model.data import TradeTick
from nautilus_trader.model.enums import AggressorSide
from nautilus_trader.model.enums import MarketStatusAction
from nautilus_trader.model.identifiers import InstrumentId
from nautilus_trader.model.identifiers import TradeId

from nautilus_bitget.parsing.bars import bar_close_ns
from nautilus_bitget.parsing.book import BookContext
from nautilus_bitget.schemas.ws_public import BitgetWsTicker
from nautilus_bitget.schemas.ws_public import BitgetWsTrade


def _ms(value: str | int) -> int:
    return int(value) * 1_000_000


def parse_aggressor(side: str) -> AggressorSide:
    """Return the aggressor from a taker side (``buy``/``sell``, any case; section 4.6)."""
    side = side.lower()
    if side == "buy":
        return AggressorSide.BUYER
    if side == "sell":
        return AggressorSide.SELLER
    return AggressorSide.NO_AGGRESSOR


def parse_trade_to_trade_tick(
    trade: BitgetWsTrade,
    ctx: BookContext,
    ts_init: int,
) -> TradeTick:
    """
    Return the ``TradeTick`` of one ``trade`` row (or REST ``fills``/``fills-history`` row).

    Raises
    ------
    ValueError
        If the trade id is empty or longer than 36 characters, or a value is invalid.

    """
    return TradeTick(
        ctx.instrument_id,
        ctx.price(trade.price),
        ctx.quantity(trade.size),
        parse_aggressor(trade.side),
        TradeId(trade.tradeId),
        _ms(trade.ts),
        ts_init,
    )


def parse_ticker_to_mark_price(
    ticker: BitgetWsTicker,
    ctx: BookContext,
    ts_init: int,
) -> MarkPriceUpdate | None:
    """Return the ``MarkPriceUpdate`` of a ``ticker`` row (``None`` without ``markPrice``)."""
    if not ticker.markPrice:
        return None
    return MarkPriceUpdate(ctx.instrument_id, ctx.price(ticker.markPrice), _ms(ticker.ts), ts_init)


def parse_ticker_to_index_price(
    ticker: BitgetWsTicker,
    ctx: BookContext,
    ts_init: int,
) -> IndexPriceUpdate | None:
    """
    Return the ``IndexPriceUpdate`` of a ``ticker`` row (``None`` without ``indexPrice``).

    The index can carry more decimals than the contract's ``pricePlace``; like every price it is
    built with ``instrument.make_price`` semantics (rounded to the instrument's precision).
    """
    if not ticker.indexPrice:
        return None
    return IndexPriceUpdate(
        ctx.instrument_id, ctx.price(ticker.indexPrice), _ms(ticker.ts), ts_init
    )


def parse_ticker_to_funding_rate(
    ticker: BitgetWsTicker,
    instrument_id: InstrumentId,
    interval_mins: int | None,
    ts_init: int,
) -> FundingRateUpdate | None:
    """
    Return the ``FundingRateUpdate`` of a ``ticker`` row (``None`` without ``fundingRate``).

    Parameters
    ----------
    ticker : BitgetWsTicker
        The row.
    instrument_id : InstrumentId
        The instrument.
    interval_mins : int, optional
        Funding interval in minutes, from REST ``fundInterval``/``fundingRateInterval`` (the ticker
        has none, bitget-protocol.md 6.1).
    ts_init : int
        UNIX nanoseconds of receipt.

    """
    if not ticker.fundingRate:
        return None
    next_funding = ticker.nextFundingTime
    next_ns = _ms(next_funding) if next_funding and next_funding not in ("0", "-1") else None
    return FundingRateUpdate(
        instrument_id,
        Decimal(ticker.fundingRate),
        _ms(ticker.ts),
        ts_init,
        interval=interval_mins,
        next_funding_ns=next_ns,
    )


def parse_funding_history_to_update(
    symbol_rate: str,
    funding_time_ms: str,
    instrument_id: InstrumentId,
    interval_mins: int | None,
    ts_init: int,
) -> FundingRateUpdate:
    """Return a ``FundingRateUpdate`` from a ``history-fund-rate`` row (section 4.7)."""
    ts = _ms(funding_time_ms)
    return FundingRateUpdate(
        instrument_id,
        Decimal(symbol_rate),
        ts,
        max(ts_init, ts),
        interval=interval_mins,
    )


def parse_candle_to_bar(
    row: Sequence[str],
    bar_type: BarType,
    ctx: BookContext,
    ts_init: int,
) -> Bar:
    """
    Return the ``Bar`` of a candle row ``[startTs, o, h, l, c, baseVolume, quoteVolume, ...]``.

    ``ts_event`` is the close time (open + interval), the Nautilus convention.

    Raises
    ------
    ValueError
        If the row has fewer than 6 fields or invalid values.

    """
    if len(row) < 6:
        raise ValueError(f"candle row has {len(row)} fields, expected 7 or 8")
    close_ns = bar_close_ns(bar_type.spec, _ms(row[0]))
    return Bar(
        bar_type,
        ctx.price(row[1]),
        ctx.price(row[2]),
        ctx.price(row[3]),
        ctx.price(row[4]),
        ctx.quantity(row[5]),
        close_ns,
        ts_init,
    )


_STATUS = {
    # bitget-protocol.md 4.2 symbolStatus -> (action, is_trading)
    "normal": (MarketStatusAction.TRADING, True),
    "listed": (MarketStatusAction.PRE_OPEN, False),
    "maintain": (MarketStatusAction.HALT, False),
    "limit_open": (MarketStatusAction.PAUSE, False),  # closing only
    "restrictedAPI": (MarketStatusAction.PAUSE, False),
    "off": (MarketStatusAction.CLOSE, False),
}


def parse_symbol_status_to_instrument_status(
    status: str,
    instrument_id: InstrumentId,
    ts_event: int,
    ts_init: int,
) -> InstrumentStatus:
    """
    Return the ``InstrumentStatus`` of a contract ``symbolStatus`` (bitget-protocol.md 4.2).

    ``limit_open`` (closing only) is reported as ``PAUSE`` with the reason ``limit_open``; unknown
    statuses map to ``NOT_AVAILABLE_FOR_TRADING`` with the status as reason.
    """
    action, is_trading = _STATUS.get(status, (MarketStatusAction.NOT_AVAILABLE_FOR_TRADING, False))
    return InstrumentStatus(
        instrument_id,
        action,
        ts_event,
        ts_init,
        reason=status,
        is_trading=is_trading,
    )


class TradeDeduper:
    """
    Remember recent trade ids of one instrument (bounded) to drop replays and duplicates.

    Parameters
    ----------
    capacity : int, default 2048
        How many ids are remembered.

    """

    __slots__ = ("_order", "_seen")

    def __init__(self, capacity: int = 2048) -> None:
        self._seen: set[str] = set()
        self._order: deque[str] = deque(maxlen=capacity)

    def remember(self, trade_ids: Iterable[str]) -> None:
        """Mark ids as seen without publishing them (the subscribe snapshot)."""
        for trade_id in trade_ids:
            self.is_new(trade_id)

    def is_new(self, trade_id: str) -> bool:
        """Return whether ``trade_id`` is new, and remember it."""
        if trade_id in self._seen:
            return False
        order = self._order
        if len(order) == order.maxlen:
            self._seen.discard(order[0])
        order.append(trade_id)
        self._seen.add(trade_id)
        return True


class CandleCloser:
    """
    Turn the stream of (repeating, still-forming) candle rows into closed candles.

    bitget-protocol.md 6.1: a candle is closed when a row with a newer start ts arrives. Snapshot
    rows
    (history) are never returned; the newest snapshot row becomes the pending candle and is
    returned once a newer row arrives (so a candle open during the subscribe is published when it
    closes). The still-open candle is never returned.
    """

    __slots__ = ("_pending", "_pending_start")

    def __init__(self) -> None:
        self._pending: Sequence[str] | None = None
        self._pending_start = -1

    def on_snapshot(self, rows: Sequence[Sequence[str]]) -> list[Sequence[str]]:
        """
        Take the newest snapshot row as the pending candle.

        Returns
        -------
        list[Sequence[str]]
            Nothing on the first snapshot (history is not re-published). On a later snapshot
            (a resubscribe after a reconnect), the candles that closed meanwhile: rows from the
            pending candle's start up to, excluding, the newest row.

        """
        ordered = sorted(rows, key=lambda r: int(r[0]))
        if not ordered:
            return []
        newest = ordered[-1]
        newest_start = int(newest[0])
        closed: list[Sequence[str]] = []
        if self._pending is not None and newest_start > self._pending_start:
            closed = [r for r in ordered[:-1] if int(r[0]) >= self._pending_start]
        if newest_start >= self._pending_start:
            self._pending = newest
            self._pending_start = newest_start
        return closed

    def on_update(self, rows: Sequence[Sequence[str]]) -> list[Sequence[str]]:
        """Return the rows closed by ``rows`` (oldest first)."""
        closed: list[Sequence[str]] = []
        for row in sorted(rows, key=lambda r: int(r[0])):
            start = int(row[0])
            if start > self._pending_start:
                if self._pending is not None:
                    closed.append(self._pending)
                self._pending = row
                self._pending_start = start
            elif start == self._pending_start:
                self._pending = row
        return closed
