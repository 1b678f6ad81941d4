"""
A rolling-window rate limiter: at most ``limit`` acquisitions within any ``period`` seconds.

Used by the REST transport (per-endpoint limits, ``http.ratelimit``) and the WebSocket client (the
venue's 10 messages per second per connection). The simulator enforces the venue's limits with its
own token buckets (``sim.pipeline``): the exchange side is modelled independently of the client.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from typing import Final


# Extra seconds added to every window, so latency jitter between us and the venue cannot make
# the venue see ``limit + 1`` requests inside one of its windows
WINDOW_MARGIN_SECS: Final[float] = 0.05


class RollingWindowLimiter:
    """
    At most ``limit`` acquisitions within any ``period`` seconds.

    Not bound to an event loop, so one instance may be shared by clients on different loops.

    Parameters
    ----------
    limit : int
        Tokens per period.
    period : float, default 1.0
        The period in seconds (``WINDOW_MARGIN_SECS`` is added).

    """

    def __init__(self, limit: int, period: float = 1.0) -> None:
        if limit < 1:
            raise ValueError(f"limit must be >= 1, was {limit}")
        self.limit = limit
        self.period = period + WINDOW_MARGIN_SECS
        self._taken: deque[float] = deque()

    def _prune(self, now: float) -> None:
        taken = self._taken
        cutoff = now - self.period
        while taken and taken[0] <= cutoff:
            taken.popleft()

    def try_acquire(self) -> float:
        """
        Take a token if one is free.

        Returns
        -------
        float
            ``0.0`` when a token was taken, otherwise the seconds until one returns.

        """
        now = time.monotonic()
        self._prune(now)
        if len(self._taken) < self.limit:
            self._taken.append(now)
            return 0.0
        return max(self._taken[0] + self.period - now, 0.001)

    async def acquire(self) -> None:
        """Wait for a token and take it."""
        while True:
            wait = self.try_acquire()
            if wait == 0.0:
                return
            await asyncio.sleep(wait)
