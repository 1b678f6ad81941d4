"""
The compact status line of ``bitget-nt live``: open positions, open orders, PnL and the time of
the last market data, redrawn about every second on a terminal (``LiveStatus`` actor).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from nautilus_trader.common.actor import Actor
from nautilus_trader.config import ActorConfig
from nautilus_trader.core.datetime import unix_nanos_to_iso8601
from nautilus_trader.model.identifiers import InstrumentId

from nautilus_bitget.recorder.status import StatusLine


class LiveStatusConfig(ActorConfig, frozen=True):
    """
    Configuration of ``LiveStatus``.

    Parameters
    ----------
    instrument_ids : tuple[str, ...]
        The instruments whose last data time is shown.
    interval_secs : float, default 1.0
        Redraw interval.

    """

    instrument_ids: tuple[str, ...] = ()
    interval_secs: float = 1.0


def format_live_status(
    elapsed_secs: float,
    positions: list[str],
    open_orders: int,
    realized: str,
    unrealized: str,
    last_data_ns: int | None,
    lag_secs: float | None,
) -> str:
    """Return the status line text."""
    last = "no data yet"
    if last_data_ns:
        last = unix_nanos_to_iso8601(last_data_ns)[11:19] + " UTC"
        if lag_secs is not None:
            last += f" ({lag_secs:.1f}s ago)"
    return (
        f"live {elapsed_secs:,.0f}s | positions {', '.join(positions) or 'flat'} | "
        f"open orders {open_orders} | PnL realized {realized} unrealized {unrealized} | "
        f"last data {last}"
    )


class LiveStatus(Actor):
    """
    Draw the status line of a live node on stderr (in place on a terminal).

    Parameters
    ----------
    config : LiveStatusConfig
        The configuration.
    line : StatusLine, optional
        Where to draw (default: stderr).

    """

    def __init__(self, config: LiveStatusConfig, line: StatusLine | None = None) -> None:
        super().__init__(config)
        self._ids = [InstrumentId.from_str(i) for i in config.instrument_ids]
        self._interval = config.interval_secs
        self._line = line or StatusLine()
        self._started_ns = 0

    def on_start(self) -> None:
        self._started_ns = self.clock.timestamp_ns()
        self.clock.set_timer(
            "bitget-nt-status",
            timedelta(seconds=self._interval),
            callback=self._draw,
        )

    def on_stop(self) -> None:
        self._line.close()

    def _draw(self, _event: Any = None) -> None:
        now = self.clock.timestamp_ns()
        positions = [
            f"{p.instrument_id.symbol} {p.side.name.lower()} {p.quantity}"
            for p in self.cache.positions_open()
        ]
        realized = unrealized = 0.0
        currency = ""
        for iid in self._ids:
            r = self.portfolio.realized_pnl(iid)
            u = self.portfolio.unrealized_pnl(iid)
            if r is not None:
                realized += float(r)
                currency = r.currency.code
            if u is not None:
                unrealized += float(u)
                currency = u.currency.code
        last = 0
        for iid in self._ids:
            for tick in (self.cache.trade_tick(iid), self.cache.quote_tick(iid)):
                if tick is not None:
                    last = max(last, tick.ts_event)
        ccy = f" {currency}" if currency else ""
        self._line.show(
            format_live_status(
                (now - self._started_ns) / 1e9,
                positions,
                len(self.cache.orders_open()),
                f"{realized:+.2f}{ccy}",
                f"{unrealized:+.2f}{ccy}",
                last or None,
                (now - last) / 1e9 if last else None,
            ),
        )
