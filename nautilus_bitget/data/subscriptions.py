"""
Subscribe/unsubscribe bookkeeping and the instrument status poll.

One reference count (``_subs``, keyed by ``Sub(kind, channel, symbol)``) holds every wanted
stream. The rest is derived from it: the socket subscriptions (the distinct ``(channel, symbol)``
pairs, synced by ``_sync_channels`` after every change and after a reconnect), which kinds a
shared channel is parsed into (``ticker`` -> mark, index, funding, quotes) and which statuses are
polled. Per-kind state (book integrity, trade de-duplication, candle closers) is created with the
first reference of its ``Sub`` and dropped with the last.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from nautilus_trader.data.messages import SubscribeBars
from nautilus_trader.data.messages import SubscribeFundingRates
from nautilus_trader.data.messages import SubscribeIndexPrices
from nautilus_trader.data.messages import SubscribeInstrument
from nautilus_trader.data.messages import SubscribeInstruments
from nautilus_trader.data.messages import SubscribeInstrumentStatus
from nautilus_trader.data.messages import SubscribeMarkPrices
from nautilus_trader.data.messages import SubscribeOrderBook
from nautilus_trader.data.messages import SubscribeQuoteTicks
from nautilus_trader.data.messages import SubscribeTradeTicks
from nautilus_trader.data.messages import UnsubscribeBars
from nautilus_trader.data.messages import UnsubscribeFundingRates
from nautilus_trader.data.messages import UnsubscribeIndexPrices
from nautilus_trader.data.messages import UnsubscribeInstrument
from nautilus_trader.data.messages import UnsubscribeInstruments
from nautilus_trader.data.messages import UnsubscribeInstrumentStatus
from nautilus_trader.data.messages import UnsubscribeMarkPrices
from nautilus_trader.data.messages import UnsubscribeOrderBook
from nautilus_trader.data.messages import UnsubscribeQuoteTicks
from nautilus_trader.data.messages import UnsubscribeTradeTicks
from nautilus_trader.model.data import BarType
from nautilus_trader.model.enums import PriceType
from nautilus_trader.model.identifiers import InstrumentId

from nautilus_bitget.api.streams import UnsupportedIntervalError
from nautilus_bitget.common.book import BookIntegrity
from nautilus_bitget.common.errors import BitgetError
from nautilus_bitget.common.symbol import instrument_id_for_symbol
from nautilus_bitget.common.symbol import symbol_from_instrument_id
from nautilus_bitget.data.support import BARS
from nautilus_bitget.data.support import DELTAS
from nautilus_bitget.data.support import DEPTH
from nautilus_bitget.data.support import FUNDING
from nautilus_bitget.data.support import INDEX
from nautilus_bitget.data.support import MARK
from nautilus_bitget.data.support import QUOTES
from nautilus_bitget.data.support import STATUS
from nautilus_bitget.data.support import TRADES
from nautilus_bitget.data.support import DataClientSupport
from nautilus_bitget.data.support import Sub
from nautilus_bitget.parsing.bars import BitgetBarSpecError
from nautilus_bitget.parsing.bars import bar_spec_to_interval
from nautilus_bitget.parsing.bars import validate_external
from nautilus_bitget.parsing.market import CandleCloser
from nautilus_bitget.parsing.market import TradeDeduper
from nautilus_bitget.parsing.market import parse_symbol_status_to_instrument_status


STATUS_POLL_SECS = 30.0


class Subscriptions(DataClientSupport):
    """Subscriptions of ``BitgetDataClient`` (a mixin; state lives on the client)."""

    # -- the reference count ---------------------------------------------------------------------

    async def _acquire(
        self,
        kind: str,
        channel: str,
        instrument_id: InstrumentId,
        setup: Callable[[str], None] | None = None,
    ) -> str:
        """Add a reference to ``Sub(kind, channel, symbol)``; ``setup(symbol)`` on the first."""
        self._instrument(instrument_id)  # fail fast on unknown instruments
        symbol = symbol_from_instrument_id(instrument_id)
        sub = Sub(kind, channel, symbol)
        if sub not in self._subs and setup is not None:
            setup(symbol)  # before subscribing: frames may arrive while the request is sent
        self._subs[sub] += 1
        await self._sync_channels()
        return symbol

    async def _release(
        self,
        kind: str,
        channel: str,
        instrument_id: InstrumentId,
        teardown: Callable[[str], None] | None = None,
    ) -> None:
        """Drop a reference to ``Sub(kind, channel, symbol)``; ``teardown(symbol)`` on the last."""
        symbol = symbol_from_instrument_id(instrument_id)
        sub = Sub(kind, channel, symbol)
        if sub not in self._subs:
            return
        self._subs[sub] -= 1
        if self._subs[sub] > 0:
            return
        del self._subs[sub]
        if teardown is not None:
            teardown(symbol)
        await self._sync_channels()

    def _status_symbols(self) -> set[str]:
        return {sub.symbol for sub in self._subs if sub.kind == STATUS}

    # -- Nautilus commands ------------------------------------------------------------------------

    async def _subscribe_instruments(self, command: SubscribeInstruments) -> None:
        pass  # instruments are published on connect and on every refresh

    async def _subscribe_instrument(self, command: SubscribeInstrument) -> None:
        pass

    async def _unsubscribe_instruments(self, command: UnsubscribeInstruments) -> None:
        pass

    async def _unsubscribe_instrument(self, command: UnsubscribeInstrument) -> None:
        pass

    async def _subscribe_order_book_deltas(self, command: SubscribeOrderBook) -> None:
        def setup(symbol: str) -> None:
            self._integrity[symbol] = BookIntegrity(self._verify_checksum)

        await self._acquire(DELTAS, self._streams.books, command.instrument_id, setup)

    async def _unsubscribe_order_book_deltas(self, command: UnsubscribeOrderBook) -> None:
        def teardown(symbol: str) -> None:
            self._integrity.pop(symbol, None)
            self._resync_pending.discard(symbol)

        await self._release(DELTAS, self._streams.books, command.instrument_id, teardown)

    async def _subscribe_order_book_depth(self, command: SubscribeOrderBook) -> None:
        await self._acquire(DEPTH, self._streams.depth, command.instrument_id)

    async def _unsubscribe_order_book_depth(self, command: UnsubscribeOrderBook) -> None:
        await self._release(DEPTH, self._streams.depth, command.instrument_id)

    def _quote_channel(self) -> str:
        streams = self._streams
        return streams.ticker if self._config.quote_channel == "ticker" else streams.quotes

    async def _subscribe_quote_ticks(self, command: SubscribeQuoteTicks) -> None:
        await self._acquire(QUOTES, self._quote_channel(), command.instrument_id)

    async def _unsubscribe_quote_ticks(self, command: UnsubscribeQuoteTicks) -> None:
        await self._release(QUOTES, self._quote_channel(), command.instrument_id)

    async def _subscribe_trade_ticks(self, command: SubscribeTradeTicks) -> None:
        def setup(symbol: str) -> None:
            self._trade_dedupe[symbol] = TradeDeduper()

        await self._acquire(TRADES, self._streams.trades, command.instrument_id, setup)

    async def _unsubscribe_trade_ticks(self, command: UnsubscribeTradeTicks) -> None:
        def teardown(symbol: str) -> None:
            self._trade_dedupe.pop(symbol, None)

        await self._release(TRADES, self._streams.trades, command.instrument_id, teardown)

    async def _subscribe_mark_prices(self, command: SubscribeMarkPrices) -> None:
        await self._acquire(MARK, self._streams.ticker, command.instrument_id)

    async def _unsubscribe_mark_prices(self, command: UnsubscribeMarkPrices) -> None:
        await self._release(MARK, self._streams.ticker, command.instrument_id)

    async def _subscribe_index_prices(self, command: SubscribeIndexPrices) -> None:
        await self._acquire(INDEX, self._streams.ticker, command.instrument_id)

    async def _unsubscribe_index_prices(self, command: UnsubscribeIndexPrices) -> None:
        await self._release(INDEX, self._streams.ticker, command.instrument_id)

    async def _subscribe_funding_rates(self, command: SubscribeFundingRates) -> None:
        await self._acquire(FUNDING, self._streams.ticker, command.instrument_id)

    async def _unsubscribe_funding_rates(self, command: UnsubscribeFundingRates) -> None:
        await self._release(FUNDING, self._streams.ticker, command.instrument_id)

    def _candle_channel(self, bar_type: BarType) -> str:
        validate_external(bar_type)
        if bar_type.spec.price_type != PriceType.LAST:
            raise BitgetBarSpecError(
                f"bar type {bar_type}: Bitget candle channels are LAST (market) only; "
                "MARK/index candles are available through request_bars",
            )
        interval = bar_spec_to_interval(bar_type.spec, websocket=True)
        try:
            return self._streams.candle_channel(interval)
        except UnsupportedIntervalError as e:
            raise BitgetBarSpecError(f"bar type {bar_type}: {e}") from None

    async def _subscribe_bars(self, command: SubscribeBars) -> None:
        bar_type = command.bar_type
        channel = self._candle_channel(bar_type)

        def setup(symbol: str) -> None:
            self._bars[(channel, symbol)] = (bar_type, CandleCloser())

        await self._acquire(BARS, channel, bar_type.instrument_id, setup)

    async def _unsubscribe_bars(self, command: UnsubscribeBars) -> None:
        channel = self._candle_channel(command.bar_type)

        def teardown(symbol: str) -> None:
            self._bars.pop((channel, symbol), None)

        await self._release(BARS, channel, command.bar_type.instrument_id, teardown)

    async def _subscribe_instrument_status(self, command: SubscribeInstrumentStatus) -> None:
        await self._acquire(STATUS, "", command.instrument_id)
        await self._poll_status()
        if self._status_task is None:
            self._status_task = self._start_loop_task(self._status_loop(), "status poll")

    async def _unsubscribe_instrument_status(self, command: UnsubscribeInstrumentStatus) -> None:
        def teardown(symbol: str) -> None:
            self._last_status.pop(symbol, None)

        await self._release(STATUS, "", command.instrument_id, teardown)

    async def _status_loop(self) -> None:
        interval = STATUS_POLL_SECS
        minutes = self._config.update_instruments_interval_mins
        if minutes:
            interval = min(interval, minutes * 60.0)
        while True:
            await asyncio.sleep(interval)
            if not self._status_symbols():
                continue
            try:
                await self._poll_status()
            except BitgetError as e:
                self._log.warning(f"Instrument status poll failed: {e}")

    async def _poll_status(self) -> None:
        """Publish ``InstrumentStatus`` for subscribed instruments whose status changed."""
        wanted = self._status_symbols()
        product_types = {self._provider.product_type_for(s) for s in wanted}
        ts = self._clock.timestamp_ns()
        for product_type in sorted(product_types, key=lambda p: p.value):
            for contract in await self._provider.fetch_contracts(product_type):
                symbol = contract.symbol
                status = contract.symbolStatus or ""
                if symbol not in wanted or self._last_status.get(symbol) == status:
                    continue
                self._last_status[symbol] = status
                self._publish(
                    parse_symbol_status_to_instrument_status(
                        status,
                        instrument_id_for_symbol(symbol),
                        ts,
                        ts,
                    ),
                )
