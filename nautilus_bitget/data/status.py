"""
``StatusPoller``: ``InstrumentStatus`` of the subscribed instruments, polled from the contracts
endpoint (Bitget pushes no status changes).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from nautilus_trader.common.component import LiveClock
from nautilus_trader.common.component import Logger

from nautilus_bitget.common.errors import BitgetError
from nautilus_bitget.common.symbol import instrument_id_for_symbol
from nautilus_bitget.data.loop_task import LoopTask
from nautilus_bitget.data.publisher import Publisher
from nautilus_bitget.data.subscriptions import Sub
from nautilus_bitget.parsing.market import parse_symbol_status_to_instrument_status
from nautilus_bitget.providers import BitgetInstrumentProvider


STATUS_POLL_SECS = 30.0


class StatusPoller:
    """
    Publish an ``InstrumentStatus`` whenever the status of a subscribed instrument changes.

    Parameters
    ----------
    provider : BitgetInstrumentProvider
        The instrument provider (contract rows, product types).
    symbols : Callable[[], set[str]]
        The symbols whose status is subscribed (``SubscriptionBook.symbols(STATUS)``).
    publisher : Publisher
        Where statuses go.
    clock : LiveClock
        The clock.
    loop : asyncio.AbstractEventLoop
        The event loop (the poll loop).
    log : Logger
        The client's logger.
    interval_secs : float
        Seconds between polls.

    """

    __slots__ = (
        "_clock",
        "_interval_secs",
        "_last",
        "_log",
        "_provider",
        "_publisher",
        "_symbols",
        "_task",
    )

    def __init__(
        self,
        provider: BitgetInstrumentProvider,
        symbols: Callable[[], set[str]],
        publisher: Publisher,
        clock: LiveClock,
        loop: asyncio.AbstractEventLoop,
        log: Logger,
        interval_secs: float,
    ) -> None:
        self._provider = provider
        self._symbols = symbols
        self._publisher = publisher
        self._clock = clock
        self._log = log
        self._interval_secs = interval_secs
        self._last: dict[str, str] = {}
        self._task = LoopTask(loop, log, "status poll", self._run)

    def start(self) -> None:
        """Start polling every ``interval_secs`` (once; later calls do nothing)."""
        self._task.start()

    async def stop(self) -> None:
        """Stop polling."""
        await self._task.stop()

    def forget(self, sub: Sub) -> None:
        """Forget the last status of ``sub.symbol`` (its status subscription went)."""
        self._last.pop(sub.symbol, None)

    async def poll(self) -> None:
        """
        Publish ``InstrumentStatus`` for subscribed instruments whose status changed.

        Raises
        ------
        BitgetError
            If the contracts request fails.

        """
        wanted = self._symbols()
        product_types = {self._provider.product_type_for(s) for s in wanted}
        ts = self._clock.timestamp_ns()
        for product_type in sorted(product_types, key=lambda p: p.value):
            for contract in await self._provider.fetch_contracts(product_type):
                symbol = contract.symbol
                status = contract.symbolStatus or ""
                if symbol not in wanted or self._last.get(symbol) == status:
                    continue
                self._last[symbol] = status
                self._publisher.publish(
                    parse_symbol_status_to_instrument_status(
                        status,
                        instrument_id_for_symbol(symbol),
                        ts,
                        ts,
                    ),
                )

    async def poll_if_subscribed(self) -> None:
        """``poll`` if any status is subscribed."""
        if self._symbols():
            await self.poll()

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self._interval_secs)
            if not self._symbols():
                continue
            try:
                await self.poll()
            except BitgetError as e:
                self._log.warning(f"Instrument status poll failed: {e}")
