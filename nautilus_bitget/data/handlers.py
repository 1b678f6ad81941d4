"""
Frame routing of the public streams: decode the envelope once, route by exact channel name to
``_handle_<kind>``, parse and publish (books with integrity checks live in ``books``).
"""

from __future__ import annotations

from typing import Any

import msgspec

from nautilus_bitget.data.support import DEPTH
from nautilus_bitget.data.support import FUNDING
from nautilus_bitget.data.support import INDEX
from nautilus_bitget.data.support import MARK
from nautilus_bitget.data.support import QUOTES
from nautilus_bitget.data.support import DataClientSupport
from nautilus_bitget.data.support import Sub
from nautilus_bitget.parsing.book import parse_books1_to_quote
from nautilus_bitget.parsing.book import parse_books15_to_depth10
from nautilus_bitget.parsing.book import parse_top_to_quote
from nautilus_bitget.parsing.market import parse_candle_to_bar
from nautilus_bitget.parsing.market import parse_ticker_to_funding_rate
from nautilus_bitget.parsing.market import parse_ticker_to_index_price
from nautilus_bitget.parsing.market import parse_ticker_to_mark_price
from nautilus_bitget.parsing.market import parse_trade_to_trade_tick


_RAW_NULL = msgspec.Raw(b"null")
_BAD_FRAME_ERRORS = (
    msgspec.DecodeError,
    msgspec.ValidationError,
    ValueError,
    TypeError,
    KeyError,
    IndexError,
    AttributeError,
    OverflowError,
)


class StreamHandlers(DataClientSupport):
    """Channel handlers of ``BitgetDataClient`` (a mixin; state lives on the client)."""

    def _handle_frame(self, raw: bytes) -> None:
        self.stats.frames += 1
        streams = self._streams
        try:
            frame = streams.frame_decoder.decode(raw)
        except (msgspec.DecodeError, msgspec.ValidationError) as e:
            self._malformed("envelope", e)
            return
        if frame.event is not None:
            self._handle_event(frame)
            return
        try:
            channel, symbol = streams.route(frame)
        except AttributeError:
            channel = symbol = ""
        if not symbol or frame.data is None or frame.data == _RAW_NULL:
            self._malformed("envelope", "no arg, symbol or data")
            return
        handler = self._handlers.get(channel)
        if handler is None:
            self.stats.unknown_channel += 1
            self._log_once(f"channel:{channel}", f"Unknown channel {channel!r} skipped")
            return
        try:
            handler(channel, symbol, frame)
        except _BAD_FRAME_ERRORS as e:
            self._malformed(channel, repr(e))

    def _handle_event(self, frame: Any) -> None:
        if frame.event == "error":
            self.stats.venue_errors += 1
            where = self._streams.describe(frame)
            self._log.error(f"Bitget WS error {frame.code} on {where}: {frame.msg}")

    def _handle_books1(self, channel: str, symbol: str, frame: Any) -> None:
        if Sub(QUOTES, channel, symbol) not in self._subs:
            return
        ctx = self._context(symbol)
        if ctx is None:
            self._unknown_symbol(symbol)
            return
        book = self._streams.decode_books(frame.data)[0]
        quote = parse_books1_to_quote(book, ctx, self._clock.timestamp_ns())
        if quote is not None:
            self._publish(quote)

    def _handle_books15(self, channel: str, symbol: str, frame: Any) -> None:
        if Sub(DEPTH, channel, symbol) not in self._subs:
            return
        ctx = self._context(symbol)
        if ctx is None:
            self._unknown_symbol(symbol)
            return
        book = self._streams.decode_books(frame.data)[0]
        self._publish(parse_books15_to_depth10(book, ctx, self._clock.timestamp_ns()))

    def _handle_trade(self, channel: str, symbol: str, frame: Any) -> None:
        dedupe = self._trade_dedupe.get(symbol)
        if dedupe is None:
            return
        ctx = self._context(symbol)
        if ctx is None:
            self._unknown_symbol(symbol)
            return
        trades = self._streams.decode_trades(frame.data)
        if frame.action == "snapshot":
            # bitget-protocol.md 6.1: recent history, not new trades
            dedupe.remember(t.tradeId for t in trades)
            return
        ts_init = self._clock.timestamp_ns()
        ticks = [
            parse_trade_to_trade_tick(t, ctx, ts_init)
            for t in sorted(trades, key=lambda t: int(t.ts))
            if dedupe.is_new(t.tradeId)
        ]
        for tick in ticks:
            self._publish(tick)

    def _handle_ticker(self, channel: str, symbol: str, frame: Any) -> None:
        ctx = self._context(symbol)
        if ctx is None:
            self._unknown_symbol(symbol)
            return
        ts_init = self._clock.timestamp_ns()
        tickers = self._streams.decode_tickers(frame.data, frame.ts)
        # One channel, several kinds: each published only while subscribed
        subs = self._subs
        mark = Sub(MARK, channel, symbol) in subs
        index = Sub(INDEX, channel, symbol) in subs
        funding = Sub(FUNDING, channel, symbol) in subs
        quotes = Sub(QUOTES, channel, symbol) in subs
        for ticker in tickers:
            if mark:
                mark_price = parse_ticker_to_mark_price(ticker, ctx, ts_init)
                if mark_price is not None:
                    self._publish(mark_price)
            if index:
                index_price = parse_ticker_to_index_price(ticker, ctx, ts_init)
                if index_price is not None:
                    self._publish(index_price)
            if funding:
                hours = self._provider.funding_interval_hours(ctx.instrument_id)
                rate = parse_ticker_to_funding_rate(
                    ticker,
                    ctx.instrument_id,
                    hours * 60 if hours else None,
                    ts_init,
                )
                if rate is not None:
                    self._publish(rate)
            if quotes and ticker.bidPr and ticker.askPr and ticker.bidSz and ticker.askSz:
                self._publish(
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

    def _handle_candle(self, channel: str, symbol: str, frame: Any) -> None:
        entry = self._bars.get((channel, symbol))
        if entry is None:
            return
        bar_type, closer = entry
        ctx = self._context(symbol)
        if ctx is None:
            self._unknown_symbol(symbol)
            return
        rows = self._streams.decode_candles(frame.data)
        closed = closer.on_snapshot(rows) if frame.action == "snapshot" else closer.on_update(rows)
        ts_init = self._clock.timestamp_ns()
        for row in closed:
            self._publish(parse_candle_to_bar(row, bar_type, ctx, ts_init))
