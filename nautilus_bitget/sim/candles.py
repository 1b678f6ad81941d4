"""
Candle aggregation for the simulator (bitget-protocol.md 4.5, 6.1).

Intervals: ``1m 3m 5m 15m 30m 1H 4H 6H 12H 1D 3D 1W 1M`` and the UTC-anchored ``6Hutc 12Hutc
1Dutc 3Dutc 1Wutc 1Mutc``. The non-``utc`` variants of 6H and above are anchored to exchange
local time; the sources do not state the offset, the simulator uses UTC+8 (Bitget is in
Singapore). Weeks start on Monday, months on the 1st.
"""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from datetime import timedelta
from typing import Final


MINUTE: Final[int] = 60_000
HOUR: Final[int] = 60 * MINUTE
DAY: Final[int] = 24 * HOUR
LOCAL_OFFSET_MS: Final[int] = 8 * HOUR

# granularity -> (length ms or 0 for months, anchor offset ms)
INTERVALS: Final[dict[str, tuple[int, int]]] = {
    "1m": (MINUTE, 0),
    "3m": (3 * MINUTE, 0),
    "5m": (5 * MINUTE, 0),
    "15m": (15 * MINUTE, 0),
    "30m": (30 * MINUTE, 0),
    "1H": (HOUR, 0),
    "4H": (4 * HOUR, 0),
    "6H": (6 * HOUR, LOCAL_OFFSET_MS),
    "12H": (12 * HOUR, LOCAL_OFFSET_MS),
    "1D": (DAY, LOCAL_OFFSET_MS),
    "3D": (3 * DAY, LOCAL_OFFSET_MS),
    "1W": (7 * DAY, LOCAL_OFFSET_MS),
    "1M": (0, LOCAL_OFFSET_MS),
    "6Hutc": (6 * HOUR, 0),
    "12Hutc": (12 * HOUR, 0),
    "1Dutc": (DAY, 0),
    "3Dutc": (3 * DAY, 0),
    "1Wutc": (7 * DAY, 0),
    "1Mutc": (0, 0),
}

_MONDAY_OFFSET: Final[int] = 4 * DAY  # 1970-01-01 was a Thursday; 1970-01-05 a Monday


def bucket_start(granularity: str, ts_ms: int) -> int:
    """Return the start (ms, UTC epoch) of the candle of ``granularity`` containing ``ts_ms``."""
    length, offset = INTERVALS[granularity]
    local = ts_ms + offset
    if length == 0:
        dt = datetime.fromtimestamp(local / 1000, tz=UTC)
        start = datetime(dt.year, dt.month, 1, tzinfo=UTC)
        return int(start.timestamp() * 1000) - offset
    if length == 7 * DAY:
        return (local - _MONDAY_OFFSET) // length * length + _MONDAY_OFFSET - offset
    return local // length * length - offset


def bucket_end(granularity: str, start_ms: int) -> int:
    """Return the (exclusive) end of the candle that starts at ``start_ms``."""
    length, offset = INTERVALS[granularity]
    if length:
        return start_ms + length
    dt = datetime.fromtimestamp((start_ms + offset) / 1000, tz=UTC) + timedelta(days=32)
    nxt = datetime(dt.year, dt.month, 1, tzinfo=UTC)
    return int(nxt.timestamp() * 1000) - offset


class CandleSeries:
    """
    OHLCV candles of one granularity, in integer ticks / lots (exact).

    Each candle is a list ``[start_ms, open, high, low, close, base_lots, quote_units]`` where
    ``quote_units`` is ``sum(lots * ticks)`` (quote = quote_units * sizeMultiplier * tick).
    """

    __slots__ = ("_cur_end", "_cur_start", "candles", "granularity", "max_len")

    def __init__(self, granularity: str, max_len: int = 1000) -> None:
        self.granularity = granularity
        self.max_len = max_len
        self.candles: list[list[int]] = []
        self._cur_start = -1
        self._cur_end = -1

    def resume(self) -> None:
        """Continue the last candle (after ``candles`` was filled from outside, e.g. history)."""
        if self.candles:
            self._cur_start = self.candles[-1][0]
            self._cur_end = bucket_end(self.granularity, self._cur_start)

    def add(self, ts_ms: int, ticks: int, lots: int) -> None:
        """Add one trade."""
        if self._cur_start <= ts_ms < self._cur_end:
            c = self.candles[-1]
            if ticks > c[2]:
                c[2] = ticks
            elif ticks < c[3]:
                c[3] = ticks
            c[4] = ticks
            c[5] += lots
            c[6] += lots * ticks
            return
        start = bucket_start(self.granularity, ts_ms)
        if self.candles and start < self.candles[-1][0]:
            return  # out-of-order trade: ignore (clock went backwards)
        self._cur_start = start
        self._cur_end = bucket_end(self.granularity, start)
        self.candles.append([start, ticks, ticks, ticks, ticks, lots, lots * ticks])
        if len(self.candles) > self.max_len:
            del self.candles[0]
