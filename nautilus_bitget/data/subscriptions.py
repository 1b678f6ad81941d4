"""
Subscribe/unsubscribe bookkeeping: ref-counted public channels shared between data types,
per-type symbol sets read by the handlers, and the instrument status poll.
"""

from __future__ import annotations

import asyncio

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
from nautilus_bitget.common.symbol import symbol_from_instrument_id
from nautilus_bitget.parsing.bars import BitgetBarSpecError
from nautilus_bitget.parsing.bars import bar_spec_to_interval
from nautilus_bitget.parsing.bars import validate_external
from nautilus_bitget.parsing.market import CandleCloser
from nautilus_bitget.parsing.market import TradeDeduper
from nautilus_bitget.parsing.market import parse_symbol_status_to_instrument_status


STATUS_POLL_SECS = 30.0


class Subscriptions:
    """Subscriptions of ``BitgetDataClient`` (a mixin; state lives on the client)."""

    async def _acquire(self, channel: str, instrument_id: InstrumentId) -> str:
        self._instrument(instrument_id)  # fail fast on unknown instruments
        symbol = symbol_from_instrument_id(instrument_id)
        key = (channel, symbol)
        self._channel_refs[key] += 1
        if self._channel_refs[key] == 1:
            await self._ws.subscribe([self._arg(channel, symbol)])
        return symbol

    async def _release(self, channel: str, instrument_id: InstrumentId) -> bool:
        symbol = symbol_from_instrument_id(instrument_id)
        key = (channel, symbol)
        if self._channel_refs[key] <= 0:
            return False
        self._channel_refs[key] -= 1
        if self._channel_refs[key] > 0:
            return False
        del self._channel_refs[key]
        await self._ws.unsubscribe([self._arg(channel, symbol)])
        return True

    async def _subscribe_instruments(self, command: SubscribeInstruments) -> None:
        pass  # instruments are published on connect and on every refresh

    async def _subscribe_instrument(self, command: SubscribeInstrument) -> None:
        pass

    async def _unsubscribe_instruments(self, command: UnsubscribeInstruments) -> None:
        pass

    async def _unsubscribe_instrument(self, command: UnsubscribeInstrument) -> None:
        pass

    async def _subscribe_order_book_deltas(self, command: SubscribeOrderBook) -> None:
        symbol = symbol_from_instrument_id(command.instrument_id)
        self._instrument(command.instrument_id)
        if (self._dialect.books, symbol) not in self._channel_refs:
            self._integrity[symbol] = BookIntegrity(self._verify_checksum)
        await self._acquire(self._dialect.books, command.instrument_id)

    async def _unsubscribe_order_book_deltas(self, command: UnsubscribeOrderBook) -> None:
        if await self._release(self._dialect.books, command.instrument_id):
            symbol = symbol_from_instrument_id(command.instrument_id)
            self._integrity.pop(symbol, None)
            self._resync_pending.discard(symbol)

    async def _subscribe_order_book_depth(self, command: SubscribeOrderBook) -> None:
        symbol = await self._acquire(self._dialect.depth, command.instrument_id)
        self._depth_symbols.add(symbol)

    async def _unsubscribe_order_book_depth(self, command: UnsubscribeOrderBook) -> None:
        if await self._release(self._dialect.depth, command.instrument_id):
            self._depth_symbols.discard(symbol_from_instrument_id(command.instrument_id))

    def _quote_channel(self) -> str:
        dialect = self._dialect
        return dialect.ticker if self._config.quote_channel == "ticker" else dialect.quotes

    async def _subscribe_quote_ticks(self, command: SubscribeQuoteTicks) -> None:
        symbol = await self._acquire(self._quote_channel(), command.instrument_id)
        self._quote_symbols.add(symbol)

    async def _unsubscribe_quote_ticks(self, command: UnsubscribeQuoteTicks) -> None:
        self._quote_symbols.discard(symbol_from_instrument_id(command.instrument_id))
        await self._release(self._quote_channel(), command.instrument_id)

    async def _subscribe_trade_ticks(self, command: SubscribeTradeTicks) -> None:
        symbol = symbol_from_instrument_id(command.instrument_id)
        self._instrument(command.instrument_id)
        self._trade_dedupe.setdefault(symbol, TradeDeduper())
        await self._acquire(self._dialect.trades, command.instrument_id)

    async def _unsubscribe_trade_ticks(self, command: UnsubscribeTradeTicks) -> None:
        if await self._release(self._dialect.trades, command.instrument_id):
            self._trade_dedupe.pop(symbol_from_instrument_id(command.instrument_id), None)

    async def _subscribe_mark_prices(self, command: SubscribeMarkPrices) -> None:
        self._mark_symbols.add(await self._acquire(self._dialect.ticker, command.instrument_id))

    async def _unsubscribe_mark_prices(self, command: UnsubscribeMarkPrices) -> None:
        self._mark_symbols.discard(symbol_from_instrument_id(command.instrument_id))
        await self._release(self._dialect.ticker, command.instrument_id)

    async def _subscribe_index_prices(self, command: SubscribeIndexPrices) -> None:
        self._index_symbols.add(await self._acquire(self._dialect.ticker, command.instrument_id))

    async def _unsubscribe_index_prices(self, command: UnsubscribeIndexPrices) -> None:
        self._index_symbols.discard(symbol_from_instrument_id(command.instrument_id))
        await self._release(self._dialect.ticker, command.instrument_id)

    async def _subscribe_funding_rates(self, command: SubscribeFundingRates) -> None:
        self._funding_symbols.add(await self._acquire(self._dialect.ticker, command.instrument_id))

    async def _unsubscribe_funding_rates(self, command: UnsubscribeFundingRates) -> None:
        self._funding_symbols.discard(symbol_from_instrument_id(command.instrument_id))
        await self._release(self._dialect.ticker, command.instrument_id)

    def _candle_channel(self, bar_type: BarType) -> str:
        validate_external(bar_type)
        if bar_type.spec.price_type != PriceType.LAST:
            raise BitgetBarSpecError(
                f"bar type {bar_type}: Bitget candle channels are LAST (market) only; "
                "MARK/index candles are available through request_bars",
            )
        interval = bar_spec_to_interval(bar_type.spec, websocket=True)
        try:
            return self._dialect.candle_channel(interval)
        except UnsupportedIntervalError as e:
            raise BitgetBarSpecError(f"bar type {bar_type}: {e}") from None

    async def _subscribe_bars(self, command: SubscribeBars) -> None:
        bar_type = command.bar_type
        channel = self._candle_channel(bar_type)
        symbol = symbol_from_instrument_id(bar_type.instrument_id)
        self._bars.setdefault((channel, symbol), (bar_type, CandleCloser()))
        await self._acquire(channel, bar_type.instrument_id)

    async def _unsubscribe_bars(self, command: UnsubscribeBars) -> None:
        channel = self._candle_channel(command.bar_type)
        if await self._release(channel, command.bar_type.instrument_id):
            symbol = symbol_from_instrument_id(command.bar_type.instrument_id)
            self._bars.pop((channel, symbol), None)

    async def _subscribe_instrument_status(self, command: SubscribeInstrumentStatus) -> None:
        self._instrument(command.instrument_id)
        self._status_ids.add(command.instrument_id)
        await self._poll_status()
        if self._status_task is None:
            self._status_task = self._start_loop_task(self._status_loop(), "status poll")

    async def _unsubscribe_instrument_status(self, command: UnsubscribeInstrumentStatus) -> None:
        self._status_ids.discard(command.instrument_id)
        self._last_status.pop(symbol_from_instrument_id(command.instrument_id), None)

    async def _status_loop(self) -> None:
        interval = STATUS_POLL_SECS
        minutes = self._config.update_instruments_interval_mins
        if minutes:
            interval = min(interval, minutes * 60.0)
        while True:
            await asyncio.sleep(interval)
            if not self._status_ids:
                continue
            try:
                await self._poll_status()
            except BitgetError as e:
                self._log.warning(f"Instrument status poll failed: {e}")

    async def _poll_status(self) -> None:
        """Publish ``InstrumentStatus`` for subscribed instruments whose status changed."""
        wanted = {symbol_from_instrument_id(i): i for i in self._status_ids}
        product_types = {self._provider.product_type_for(s) for s in wanted}
        ts = self._clock.timestamp_ns()
        for product_type in sorted(product_types, key=lambda p: p.value):
            for contract in await self._provider.fetch_contracts(product_type):
                instrument_id = wanted.get(contract.symbol)
                status = contract.symbolStatus or ""
                if instrument_id is None or self._last_status.get(contract.symbol) == status:
                    continue
                self._last_status[contract.symbol] = status
                self._publish(
                    parse_symbol_status_to_instrument_status(status, instrument_id, ts, ts),
                )
