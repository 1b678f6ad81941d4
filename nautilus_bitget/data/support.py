"""
Helpers shared by the data client mixins: log-once, skip counting, instrument lookups, publishing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine

from nautilus_trader.core.data import Data
from nautilus_trader.model.identifiers import InstrumentId
from nautilus_trader.model.instruments import Instrument

from nautilus_bitget.common.symbol import instrument_id_for_symbol
from nautilus_bitget.parsing.book import BookContext


class DataClientSupport:
    """Shared helpers of ``BitgetDataClient`` (a mixin; state lives on the client)."""

    def _start_loop_task(self, coro: Coroutine, name: str) -> asyncio.Task | None:
        # Periodic loops are stopped by ``_disconnect``: not through ``create_task``, whose done
        # callback logs a WARN for every cancelled task (so at every normal stop)
        if not self._loop or not self._loop.is_running():
            coro.close()
            self._log.error(f"Async task '{name}' created but event loop is not running")
            return None
        task = self._loop.create_task(coro, name=name)
        task.add_done_callback(self._on_loop_task_done)
        return task

    def _on_loop_task_done(self, task: asyncio.Task) -> None:
        if task.cancelled():
            return
        exception = task.exception()
        if exception is not None:
            self._log.exception(f"Error running '{task.get_name()}'", exception)

    async def _stop_loop_tasks(self, tasks: list[asyncio.Task | None]) -> None:
        pending = [task for task in tasks if task is not None]
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.gather(*pending, return_exceptions=True)

    def _log_once(self, key: str, message: str) -> None:
        if key in self._logged_once:
            return
        self._logged_once.add(key)
        self._log.warning(f"{message} (further occurrences counted in stats, not logged)")

    def _malformed(self, kind: str, error: BaseException | str) -> None:
        self.stats.malformed += 1
        self._log_once(f"malformed:{kind}", f"Skipped malformed {kind} frame: {error}")

    def _unknown_symbol(self, symbol: str) -> None:
        self.stats.unknown_symbol += 1
        self._log_once(f"symbol:{symbol}", f"Frame for unknown symbol {symbol!r} skipped")

    def _publish(self, data: Data) -> None:
        self.stats.published += 1
        self._handle_data(data)

    def _context(self, symbol: str) -> BookContext | None:
        ctx = self._contexts.get(symbol)
        if ctx is not None:
            return ctx
        instrument = self._provider.instrument_for_symbol(symbol)
        if instrument is None:
            instrument = self._cache.instrument(instrument_id_for_symbol(symbol))
        if instrument is None:
            return None
        ctx = BookContext(instrument)
        self._contexts[symbol] = ctx
        return ctx

    def _instrument(self, instrument_id: InstrumentId) -> Instrument:
        instrument = self._provider.find(instrument_id) or self._cache.instrument(instrument_id)
        if instrument is None:
            raise ValueError(
                f"instrument {instrument_id} is not loaded: add it to "
                "instrument_provider.load_ids or use load_all=True",
            )
        return instrument

    def _arg(self, channel: str, symbol: str) -> dict[str, str]:
        return self._dialect.arg(channel, symbol, self._provider.product_type_for(symbol))
