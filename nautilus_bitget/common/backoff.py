"""The adapter's one backoff policy: NautilusTrader's exponential backoff with jitter."""

from __future__ import annotations

from nautilus_trader.live.retry import get_exponential_backoff


def backoff_secs(attempt: int, initial_secs: float, max_secs: float) -> float:
    """
    Return the delay before retry number ``attempt`` (1 = the first retry), in seconds.

    Doubles from ``initial_secs`` up to ``max_secs``, with full jitter between ``initial_secs``
    and that bound (``nautilus_trader.live.retry.get_exponential_backoff``).

    Parameters
    ----------
    attempt : int
        The number of attempts already made (>= 1).
    initial_secs : float
        The first delay.
    max_secs : float
        The largest delay.

    """
    initial_ms = max(int(initial_secs * 1000), 1)
    max_ms = max(int(max_secs * 1000), initial_ms)
    return get_exponential_backoff(max(attempt, 1), initial_ms, max_ms) / 1000
