"""
``LoopTask``: one periodic loop of the data client run as a task, started once, stopped on
disconnect.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from collections.abc import Coroutine
from typing import Any

from nautilus_trader.common.component import Logger


class LoopTask:
    """
    Run ``body()`` as one named task until ``stop``.

    Not through the client's ``create_task``, whose done callback logs a WARN for every cancelled
    task (so at every normal stop); a loop that fails is logged with its exception.

    Parameters
    ----------
    loop : asyncio.AbstractEventLoop
        The event loop.
    log : Logger
        The client's logger.
    name : str
        The task name (in logs).
    body : Callable[[], Coroutine]
        The loop (runs until cancelled).

    """

    __slots__ = ("_body", "_log", "_loop", "_name", "_task")

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        log: Logger,
        name: str,
        body: Callable[[], Coroutine[Any, Any, None]],
    ) -> None:
        self._loop = loop
        self._log = log
        self._name = name
        self._body = body
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start the loop unless it runs (an error is logged if the event loop is not running)."""
        if self._task is not None:
            return
        if not self._loop or not self._loop.is_running():
            self._log.error(f"Async task '{self._name}' created but event loop is not running")
            return
        self._task = self._loop.create_task(self._body(), name=self._name)
        self._task.add_done_callback(self._on_done)

    async def stop(self) -> None:
        """Cancel the loop and wait for it to end."""
        task, self._task = self._task, None
        if task is None:
            return
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)

    def _on_done(self, task: asyncio.Task[None]) -> None:
        if task.cancelled():
            return
        exception = task.exception()
        if exception is not None:
            self._log.exception(f"Error running '{task.get_name()}'", exception)
