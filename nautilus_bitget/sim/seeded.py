"""Seeded public trades (history.py) in compact arrays, queried newest first (4.6)."""

from __future__ import annotations

from array import array
from bisect import bisect_left
from bisect import bisect_right

from nautilus_bitget.sim.contracts import ContractSpec
from nautilus_bitget.sim.events import PublicTrade


class SeededTrades:
    """Seeded public trades in ascending time (and id) order, in compact arrays."""

    __slots__ = ("ids", "lots", "sides", "symbol", "ticks", "ts")

    def __init__(self, symbol: str) -> None:
        self.symbol = symbol
        self.ids = array("q")
        self.ts = array("q")
        self.ticks = array("q")
        self.lots = array("q")
        self.sides = bytearray()  # b"b" buy, b"s" sell (taker side)

    def __len__(self) -> int:
        return len(self.ids)

    def append(self, trade_id: int, ts: int, ticks: int, lots: int, side: str) -> None:
        self.ids.append(trade_id)
        self.ts.append(ts)
        self.ticks.append(ticks)
        self.lots.append(lots)
        self.sides.append(98 if side == "buy" else 115)

    def newest_first(
        self,
        contract: ContractSpec,
        *,
        id_less_than: int | None,
        start_ms: int | None,
        end_ms: int | None,
        limit: int,
    ) -> list[PublicTrade]:
        """Return up to ``limit`` trades, newest first, below ``id_less_than`` and in the window."""
        hi = len(self.ids)
        if id_less_than is not None:
            hi = min(hi, bisect_left(self.ids, id_less_than))
        if end_ms is not None:
            hi = min(hi, bisect_right(self.ts, end_ms))
        lo = 0 if start_ms is None else bisect_left(self.ts, start_ms)
        c = contract
        out = []
        for i in range(hi - 1, max(lo, hi - limit) - 1, -1):
            side = "buy" if self.sides[i] == 98 else "sell"
            out.append(
                PublicTrade(
                    self.symbol,
                    str(self.ids[i]),
                    c.price_str(self.ticks[i]),
                    c.size_str(self.lots[i]),
                    side,
                    self.ts[i],
                )
            )
        return out
