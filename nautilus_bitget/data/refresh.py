"""
``InstrumentRefresher``: reload the instruments periodically and publish the changed ones.
"""

from __future__ import annotations

import asyncio

from nautilus_trader.common.component import Logger

from nautilus_bitget.common.errors import BitgetError
from nautilus_bitget.data.instruments import Instruments
from nautilus_bitget.data.loop_task import LoopTask
from nautilus_bitget.data.status import StatusPoller
from nautilus_bitget.providers import BitgetInstrumentProvider


class InstrumentRefresher:
    """
    Every ``interval_secs``: reload the instruments, publish the changed ones, refresh funding
    intervals and poll the subscribed statuses.

    Parameters
    ----------
    provider : BitgetInstrumentProvider
        The instrument provider.
    instruments : Instruments
        Where changed instruments are published.
    status : StatusPoller
        The status poll (run with every refresh).
    loop : asyncio.AbstractEventLoop
        The event loop.
    log : Logger
        The client's logger.
    interval_secs : float, optional
        Seconds between refreshes; ``None`` never refreshes
        (``config.update_instruments_interval_mins``).

    """

    __slots__ = ("_instruments", "_interval_secs", "_log", "_provider", "_status", "_task")

    def __init__(
        self,
        provider: BitgetInstrumentProvider,
        instruments: Instruments,
        status: StatusPoller,
        loop: asyncio.AbstractEventLoop,
        log: Logger,
        interval_secs: float | None,
    ) -> None:
        self._provider = provider
        self._instruments = instruments
        self._status = status
        self._log = log
        self._interval_secs = interval_secs or 0.0
        self._task = LoopTask(loop, log, "instrument refresh", self._run)

    def start(self) -> None:
        """Start refreshing (nothing when no interval is configured)."""
        if self._interval_secs > 0:
            self._task.start()

    async def stop(self) -> None:
        """Stop refreshing."""
        await self._task.stop()

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self._interval_secs)
            try:
                changed = await self._provider.refresh()
                self._instruments.publish(changed)
                await self._provider.refresh_funding_intervals()
                await self._status.poll_if_subscribed()
            except BitgetError as e:
                self._log.warning(f"Instrument refresh failed: {e}")
