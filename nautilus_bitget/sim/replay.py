"""
Replay a recorded Nautilus Parquet catalog as the simulator's market.

:class:`CatalogReplay` loads the ``OrderBookDelta`` and ``TradeTick`` data of
``<SYMBOL>-PERP.BITGET`` instruments and feeds them, in ``ts_event`` order, into a
:class:`~nautilus_bitget.sim.exchange.SimExchange` via ``apply_external``: every recorded
venue message (deltas up to ``F_LAST``) becomes one ``books`` update with a fresh seq, trades
print as public trades and fill resting user orders exactly like generated flow. Create the
exchange with ``book_rate_hz=0`` so the generator stays silent.

This is the only sim module that imports nautilus_trader (lazily, inside :meth:`load`).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from nautilus_bitget.sim.exchange import SimExchange


_F_LAST = 128  # nautilus RecordFlag.F_LAST
_F_SNAPSHOT = 32  # nautilus RecordFlag.F_SNAPSHOT


@dataclass(slots=True)
class _Batch:
    ts_ms: int
    symbol: str
    clear: bool
    levels: list[tuple[bool, int, int]]
    trades: list[tuple[int, int, str]]


class CatalogReplay:
    """
    Feed a recorded catalog into a simulator exchange.

    Parameters
    ----------
    exchange : SimExchange
        The exchange whose markets are driven (generator off: ``book_rate_hz=0``).
    catalog_path : str
        Path of the Nautilus Parquet catalog.
    symbols : list[str], optional
        Bitget symbols to replay (default: every exchange market found in the catalog).
    speed : float
        Replay speed (1.0 = real time, 10.0 = ten times faster).

    """

    def __init__(
        self,
        exchange: SimExchange,
        catalog_path: str,
        symbols: list[str] | None = None,
        speed: float = 1.0,
    ) -> None:
        self.exchange = exchange
        self.catalog_path = catalog_path
        self.symbols = symbols or list(exchange.markets)
        self.speed = speed
        self._batches: list[_Batch] = []
        self._pos = 0
        self._t0_wall: int | None = None
        self._t0_data = 0

    @property
    def done(self) -> bool:
        """Return whether every recorded message has been replayed."""
        return self._pos >= len(self._batches)

    def load(self) -> int:
        """Read the catalog; return the number of book / trade messages to replay."""
        from nautilus_trader.model.data import OrderBookDelta
        from nautilus_trader.model.enums import AggressorSide
        from nautilus_trader.model.enums import BookAction
        from nautilus_trader.model.enums import OrderSide
        from nautilus_trader.persistence.catalog import ParquetDataCatalog

        catalog = ParquetDataCatalog(self.catalog_path)
        batches: list[_Batch] = []
        for symbol in self.symbols:
            spec = self.exchange.contract(symbol)
            instrument_id = f"{symbol}-PERP.BITGET"
            tick, mult = spec.tick, spec.size_multiplier

            def conv(price: object, size: object) -> tuple[int, int] | None:
                t, r = divmod(Decimal(str(price)), tick)  # noqa: B023
                q, r2 = divmod(Decimal(str(size)), mult)  # noqa: B023
                return (int(t), int(q)) if r == 0 and r2 == 0 else None

            deltas = catalog.order_book_deltas(instrument_ids=[instrument_id]) or []
            cur: _Batch | None = None
            for d in deltas:
                if not isinstance(d, OrderBookDelta):
                    continue
                ts_ms = d.ts_event // 1_000_000
                if cur is None:
                    cur = _Batch(ts_ms, symbol, False, [], [])
                if d.action == BookAction.CLEAR:
                    cur.clear = True
                else:
                    lv = conv(d.order.price, d.order.size)
                    if lv is not None:
                        lots = 0 if d.action == BookAction.DELETE else lv[1]
                        cur.levels.append((d.order.side == OrderSide.BUY, lv[0], lots))
                if d.flags & _F_LAST:
                    batches.append(cur)
                    cur = None
            if cur is not None:
                batches.append(cur)
            for t in catalog.trade_ticks(instrument_ids=[instrument_id]) or []:
                lv = conv(t.price, t.size)
                if lv is None:
                    continue
                side = "buy" if t.aggressor_side == AggressorSide.BUYER else "sell"
                batches.append(_Batch(t.ts_event // 1_000_000, symbol, False, [], [(*lv, side)]))
        batches.sort(key=lambda b: b.ts_ms)  # stable: book before trades at equal ts
        self._batches = batches
        self._pos = 0
        if batches:
            self._t0_data = batches[0].ts_ms
        return len(batches)

    def advance(self, now_ms: int) -> int:
        """Replay every message due by ``now_ms`` (wall clock); return how many were applied."""
        if self._t0_wall is None:
            self._t0_wall = now_ms
        horizon = self._t0_data + int((now_ms - self._t0_wall) * self.speed)
        n = 0
        while self._pos < len(self._batches) and self._batches[self._pos].ts_ms <= horizon:
            b = self._batches[self._pos]
            self._pos += 1
            self.exchange.apply_external(b.symbol, b.levels, b.trades, now_ms, clear=b.clear)
            n += 1
        return n
