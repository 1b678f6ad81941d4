"""Helpers for the background loops the clients run on the node's event loop."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable


async def until_cancelled(loop_body: Awaitable[None]) -> None:
    """
    Run a background loop that only ends when cancelled, and end normally when it is.

    The clients stop their loops (funding poll, order watchdog) by cancelling them on disconnect;
    NautilusTrader's task-completion handler warns "Task ... was cancelled" for every cancelled
    task it tracks, which a normal stop must not print. Errors still propagate.
    """
    try:
        await loop_body
    except asyncio.CancelledError:
        return
