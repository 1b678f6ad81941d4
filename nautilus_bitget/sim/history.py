"""
Seeded market history: the days before the simulator started (``--history-days``).

For each market, :func:`seed_history` draws a deterministic (``seed``, symbol) random walk of 1m
candles ending exactly at the start price (so the first live candle continues from the last
seeded close), a few public trades per minute that print those candles (open, high, low, close),
and funding settlements on the funding grid with their rates. Every candle granularity is
aggregated from the seeded 1m candles and then continues with the live trades; the trades and
funding rates are served by the history endpoints beside the live ones (bitget-protocol.md 4.5-4.7,
bitget-protocol-uta.md 2.5-2.7).

Memory: per market ``days * 1440`` 1m candles (7 ints), four trades per minute kept in compact
int arrays (ids, times, ticks, lots; sides as bytes), ``days * 24 h / interval`` funding rows (at
most ``MAX_FUNDING_ROWS``).
"""

from __future__ import annotations

import random
from array import array
from decimal import Decimal
from functools import lru_cache
from typing import Final

from nautilus_bitget.sim.candles import INTERVALS
from nautilus_bitget.sim.candles import MINUTE
from nautilus_bitget.sim.candles import bucket_end
from nautilus_bitget.sim.candles import bucket_start
from nautilus_bitget.sim.market import MarketState


_MINUTE_VOLATILITY: Final[float] = 0.0004  # ~0.04 % per minute, about 2.6 % over three days
_RATE_PLACES: Final[int] = 6
MAX_FUNDING_ROWS: Final[int] = 1000


def history_minutes(days: float) -> int:
    """Return the number of seeded 1m candles for ``days``."""
    return max(0, int(days * 1440))


def seed_history(market: MarketState, seed: int, now_ms: int, days: float) -> None:
    """Fill ``market`` with ``days`` of history before ``now_ms`` (see the module docstring)."""
    n = history_minutes(days)
    if n == 0:
        return
    path = _minute_path(seed, market.symbol, n, market.last_ticks, market.typical_lots)
    first_minute = bucket_start("1m", now_ms) - n * MINUTE
    # trade ids below the first live id, increasing with time
    id_base = market.next_trade_id_floor() - path.id_span - 1
    trades = market.seeded
    trades.ids = array("q", [id_base + x for x in path.ids])
    trades.ts = array("q", [first_minute + x for x in path.offsets])
    trades.ticks = array("q", path.ticks)
    trades.lots = array("q", path.lots)
    trades.sides = bytearray(path.sides)
    minutes = [[first_minute + m[0], *m[1:]] for m in path.candles]
    _aggregate(market, minutes, n, now_ms)
    _seed_funding(market, random.Random(f"{seed}:{market.symbol}:funding"), now_ms, n * MINUTE)


class _MinutePath:
    """The time-free part of a seeded history (cached: every start with a seed shares it)."""

    __slots__ = ("candles", "id_span", "ids", "lots", "offsets", "sides", "ticks")

    def __init__(self) -> None:
        self.candles: list[tuple[int, ...]] = []  # (offset, o, h, l, c, lots, quote units)
        self.ids: list[int] | array[int] = []
        self.offsets: list[int] | array[int] = []
        self.ticks: list[int] | array[int] = []
        self.lots: list[int] | array[int] = []
        self.sides = bytearray()
        self.id_span = 0


@lru_cache(maxsize=16)
def _minute_path(seed: int, symbol: str, n: int, last_ticks: int, typical_lots: int) -> _MinutePath:
    rng = random.Random(f"{seed}:{symbol}:history")
    rand, gauss, expo = rng.random, rng.gauss, rng.expovariate
    # closes, walked backwards from the start price so the last close is exactly the live start
    closes = [0] * n
    closes[-1] = last_ticks
    price = float(last_ticks)
    for i in range(n - 2, -1, -1):
        price *= 1.0 + gauss(0.0, _MINUTE_VOLATILITY)
        closes[i] = max(1, round(price))
    typical = max(1, typical_lots // 4)
    out = _MinutePath()
    ids: list[int] = []
    offsets: list[int] = []
    ticks_out: list[int] = []
    lots_out: list[int] = []
    sides = out.sides
    next_id = 0
    open_ = closes[0]
    for i in range(n):
        start = i * MINUTE
        close = closes[i]
        up = close >= open_
        top, bottom = (close, open_) if up else (open_, close)
        spread = top - bottom + 1
        high = top + int(rand() * spread * 0.6)
        low = max(1, bottom - int(rand() * spread * 0.6))
        first, second = (high, low) if rand() < 0.5 else (low, high)
        trend = 98 if up else 115  # b"b" buy / b"s" sell
        lots_sum = quote = 0
        for ts, px, side in (
            (start + int(rand() * 1_000), open_, trend),
            (start + 1_000 + int(rand() * 28_000), first, 98 if first == high else 115),
            (start + 30_000 + int(rand() * 28_000), second, 98 if second == high else 115),
            (start + 59_000 + int(rand() * 999), close, trend),
        ):
            lots = int(typical * expo(1.0)) + 1
            next_id += 1 + next_id % 3
            ids.append(next_id)
            offsets.append(ts)
            ticks_out.append(px)
            lots_out.append(lots)
            sides.append(side)
            lots_sum += lots
            quote += lots * px
        out.candles.append((start, open_, high, low, close, lots_sum, quote))
        open_ = close
    out.id_span = next_id
    # compact while cached
    out.ids, out.offsets = array("q", ids), array("q", offsets)
    out.ticks, out.lots = array("q", ticks_out), array("q", lots_out)
    return out


# Granularities built from the 1m candles; every other one from the 1H candles (each anchor,
# UTC or UTC+8, local weeks and months, falls on an hour)
_FROM_MINUTES: Final[tuple[str, ...]] = ("1m", "3m", "5m", "15m", "30m", "1H")


def _aggregate(market: MarketState, minutes: list[list[int]], n: int, now_ms: int) -> None:
    """
    Build every granularity from the seeded 1m candles, then open the forming candle of each
    (flat at the last close, no volume: candles exist per interval, 4.5); live trades extend it.
    """
    hours: list[list[int]] = []
    for granularity in (*_FROM_MINUTES, *(g for g in INTERVALS if g not in _FROM_MINUTES)):
        series = market.series[granularity]
        length = INTERVALS[granularity][0]
        series.max_len = max(series.max_len, (n * MINUTE) // length + 1000 if length else 1000)
        if granularity == "1m":
            out = minutes
        else:
            out = _roll_up(granularity, minutes if granularity in _FROM_MINUTES else hours)
        if granularity == "1H":
            hours = out
        series.candles = out[-series.max_len :]
        forming = bucket_start(granularity, now_ms)
        if series.candles and series.candles[-1][0] != forming:
            last = series.candles[-1][4]
            series.candles.append([forming, last, last, last, last, 0, 0])
        series.resume()


def _roll_up(granularity: str, source: list[list[int]]) -> list[list[int]]:
    out: list[list[int]] = []
    end = -1
    cur: list[int] = []
    for m in source:
        if m[0] >= end:
            start = bucket_start(granularity, m[0])
            end = bucket_end(granularity, start)
            cur = [start, m[1], m[2], m[3], m[4], m[5], m[6]]
            out.append(cur)
            continue
        if m[2] > cur[2]:
            cur[2] = m[2]
        if m[3] < cur[3]:
            cur[3] = m[3]
        cur[4] = m[4]
        cur[5] += m[5]
        cur[6] += m[6]
    return out


def _seed_funding(market: MarketState, rng: random.Random, now_ms: int, span_ms: int) -> None:
    """Settlements on the funding grid within the seeded span, oldest first (4.7)."""
    interval = market.interval_ms
    # at most MAX_FUNDING_ROWS settlements (a sub-second test interval would give millions)
    span_ms = min(span_ms, MAX_FUNDING_ROWS * interval)
    t = (now_ms - span_ms) // interval * interval + interval
    rows: list[tuple[Decimal, int]] = []
    rate = 100
    while t <= now_ms:
        rate = max(-300, min(300, rate + rng.randint(-20, 20)))
        rows.append((Decimal(rate).scaleb(-_RATE_PLACES), t))
        t += interval
    market.funding_history[:0] = rows
