"""
``ChannelHandlers``: parse and publish the public channels other than ``books`` (``BookSync``):
quotes (``books1``), depth (``books15`` [``books50``]), trades, the shared ``ticker`` and candles.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Mapping
from typing import Any

from nautilus_trader.common.component import LiveClock
from nautilus_trader.model.data import BarType
from nautilus_trader.model.identifiers import InstrumentId

from nautilus_bitget.api.streams import StreamDialect
from nautilus_bitget.data.publisher import Publisher
from nautilus_bitget.data.router import ChannelHandler
from nautilus_bitget.data.subscriptions import DEPTH
from nautilus_bitget.data.subscriptions import FUNDING
from nautilus_bitget.data.subscriptions import INDEX
from nautilus_bitget.data.subscriptions import MARK
from nautilus_bitget.data.subscriptions import QUOTES
from nautilus_bitget.data.subscriptions import Sub
from nautilus_bitget.parsing.book import BookContext
from nautilus_bitget.parsing.book import parse_books1_to_quote
from nautilus_bitget.parsing.book import parse_books15_to_depth10
from nautilus_bitget.parsing.book import parse_top_to_quote
from nautilus_bitget.parsing.market import CandleCloser
from nautilus_bitget.parsing.market import TradeDeduper
from nautilus_bitget.parsing.market import parse_candle_to_bar
from nautilus_bitget.parsing.market import parse_ticker_to_funding_rate
from nautilus_bitget.parsing.market import parse_ticker_to_index_price
from nautilus_bitget.parsing.market import parse_ticker_to_mark_price
from nautilus_bitget.parsing.market import parse_trade_to_trade_tick


class ChannelHandlers:
    """
    The handlers of the non-book public channels; each publishes only what is subscribed.

    Parameters
    ----------
    streams : StreamDialect
        The public stream dialect (channel names, decoders).
    wanted : Mapping[Sub, int]
        The reference count (``SubscriptionBook.wanted``): which kinds a channel is parsed into.
    context : Callable[[str], BookContext | None]
        The parse context of a symbol (``Instruments.context``).
    publisher : Publisher
        Where parsed data goes.
    clock : LiveClock
        The clock (``ts_init``).
    funding_interval_hours : Callable[[InstrumentId], int | None]
        The funding interval of an instrument (the provider's).

    """

    __slots__ = (
        "_bars",
        "_context",
        "_funding_interval_hours",
        "_publish",
        "_publisher",
        "_streams",
        "_timestamp_ns",
        "_trade_dedupe",
        "_wanted",
    )

    def __init__(
        self,
        streams: StreamDialect,
        wanted: Mapping[Sub, int],
        context: Callable[[str], BookContext | None],
        publisher: Publisher,
        clock: LiveClock,
        funding_interval_hours: Callable[[InstrumentId], int | None],
    ) -> None:
        self._streams = streams
        self._wanted = wanted
        self._context = context
        self._publisher = publisher
        self._funding_interval_hours = funding_interval_hours
        # Bound once: called for every frame
        self._publish = publisher.publish
        self._timestamp_ns = clock.timestamp_ns
        self._trade_dedupe: dict[str, TradeDeduper] = {}
        self._bars: dict[tuple[str, str], tuple[BarType, CandleCloser]] = {}

    def routes(self) -> dict[str, ChannelHandler]:
        """Return the handler of each channel, for ``FrameRouter.add_routes``."""
        streams = self._streams
        routes: dict[str, ChannelHandler] = {
            streams.quotes: self.handle_books1,
            streams.depth: self.handle_books15,
            streams.trades: self.handle_trade,
            streams.ticker: self.handle_ticker,
        }
        for channel in streams.candle_channels():
            routes[channel] = self.handle_candle
        return routes

    def track_trades(self, sub: Sub) -> None:
        """Start de-duplicating the trades of ``sub.symbol`` (its first trade subscription)."""
        self._trade_dedupe[sub.symbol] = TradeDeduper()

    def untrack_trades(self, sub: Sub) -> None:
        """Stop publishing the trades of ``sub.symbol`` (its last trade subscription went)."""
        self._trade_dedupe.pop(sub.symbol, None)

    def track_bars(self, bar_type: BarType, sub: Sub) -> None:
        """Start closing candles of ``sub`` into bars of ``bar_type``."""
        self._bars[(sub.channel, sub.symbol)] = (bar_type, CandleCloser())

    def untrack_bars(self, sub: Sub) -> None:
        """Stop publishing the bars of ``sub``."""
        self._bars.pop((sub.channel, sub.symbol), None)

    def handle_books1(self, channel: str, symbol: str, frame: Any) -> None:
        """Publish the quote of a ``books1`` frame."""
        if Sub(QUOTES, channel, symbol) not in self._wanted:
            return
        ctx = self._context(symbol)
        if ctx is None:
            self._publisher.unknown_symbol(symbol)
            return
        book = self._streams.decode_books(frame.data)[0]
        quote = parse_books1_to_quote(book, ctx, self._timestamp_ns())
        if quote is not None:
            self._publish(quote)

    def handle_books15(self, channel: str, symbol: str, frame: Any) -> None:
        """Publish the ``OrderBookDepth10`` of a ``books15`` [``books50``] frame."""
        if Sub(DEPTH, channel, symbol) not in self._wanted:
            return
        ctx = self._context(symbol)
        if ctx is None:
            self._publisher.unknown_symbol(symbol)
            return
        book = self._streams.decode_books(frame.data)[0]
        self._publish(parse_books15_to_depth10(book, ctx, self._timestamp_ns()))

    def handle_trade(self, channel: str, symbol: str, frame: Any) -> None:
        """Publish the new trades of a trade frame (a snapshot is history: remembered only)."""
        dedupe = self._trade_dedupe.get(symbol)
        if dedupe is None:
            return
        ctx = self._context(symbol)
        if ctx is None:
            self._publisher.unknown_symbol(symbol)
            return
        trades = self._streams.decode_trades(frame.data)
        if frame.action == "snapshot":
            # bitget-protocol.md 6.1: recent history, not new trades
            dedupe.remember(t.tradeId for t in trades)
            return
        ts_init = self._timestamp_ns()
        ticks = [
            parse_trade_to_trade_tick(t, ctx, ts_init)
            for t in sorted(trades, key=lambda t: int(t.ts))
            if dedupe.is_new(t.tradeId)
        ]
        for tick in ticks:
            self._publish(tick)

    def handle_ticker(self, channel: str, symbol: str, frame: Any) -> None:
        """Publish mark, index, funding and quote of a ticker frame, each if subscribed."""
        ctx = self._context(symbol)
        if ctx is None:
            self._publisher.unknown_symbol(symbol)
            return
        ts_init = self._timestamp_ns()
        tickers = self._streams.decode_tickers(frame.data, frame.ts)
        # One channel, several kinds: each published only while subscribed
        wanted = self._wanted
        mark = Sub(MARK, channel, symbol) in wanted
        index = Sub(INDEX, channel, symbol) in wanted
        funding = Sub(FUNDING, channel, symbol) in wanted
        quotes = Sub(QUOTES, channel, symbol) in wanted
        publish = self._publish
        for ticker in tickers:
            if mark:
                mark_price = parse_ticker_to_mark_price(ticker, ctx, ts_init)
                if mark_price is not None:
                    publish(mark_price)
            if index:
                index_price = parse_ticker_to_index_price(ticker, ctx, ts_init)
                if index_price is not None:
                    publish(index_price)
            if funding:
                hours = self._funding_interval_hours(ctx.instrument_id)
                rate = parse_ticker_to_funding_rate(
                    ticker,
                    ctx.instrument_id,
                    hours * 60 if hours else None,
                    ts_init,
                )
                if rate is not None:
                    publish(rate)
            if quotes and ticker.bidPr and ticker.askPr and ticker.bidSz and ticker.askSz:
                publish(
                    parse_top_to_quote(
                        ctx,
                        ticker.bidPr,
                        ticker.bidSz,
                        ticker.askPr,
                        ticker.askSz,
                        int(ticker.ts) * 1_000_000,
                        ts_init,
                    ),
                )

    def handle_candle(self, channel: str, symbol: str, frame: Any) -> None:
        """Publish the bars a candle frame closes."""
        entry = self._bars.get((channel, symbol))
        if entry is None:
            return
        bar_type, closer = entry
        ctx = self._context(symbol)
        if ctx is None:
            self._publisher.unknown_symbol(symbol)
            return
        rows = self._streams.decode_candles(frame.data)
        closed = closer.on_snapshot(rows) if frame.action == "snapshot" else closer.on_update(rows)
        ts_init = self._timestamp_ns()
        for row in closed:
            self._publish(parse_candle_to_bar(row, bar_type, ctx, ts_init))
