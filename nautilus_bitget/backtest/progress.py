"""
Progress of ``bitget-nt backtest`` on a terminal: the simulated time reached, the share of the
catalog's time range covered, elapsed time and ETA (rich), or nothing (not a terminal, ``--quiet``).

The engine runs on the calling thread; ``EquitySampler`` reports each sample's time through
``report`` (a no-op unless a display is open), and rich redraws from its own thread.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nautilus_bitget.history.progress import progress_wanted
from nautilus_bitget.history.progress import short_time


_listener: Callable[[int], None] | None = None


def report(ts_ns: int) -> None:
    """Report that the backtest reached ``ts_ns`` (called by ``EquitySampler``)."""
    if _listener is not None:
        _listener(ts_ns)


def catalog_range(path: str) -> tuple[int, int] | None:
    """Return the ``(first, last)`` ns of a local catalog's data files, from their names."""
    from pathlib import Path

    from nautilus_bitget.compat import filename_timestamps

    spans = [s for f in Path(path).glob("data/*/*/*.parquet") if (s := filename_timestamps(f.name))]
    if not spans:
        return None
    return min(s[0] for s in spans), max(s[1] for s in spans)


class BacktestProgress:
    """
    A progress bar over the catalog's time range while a backtest runs (context manager).

    Parameters
    ----------
    catalog : str
        The catalog path (its file names give the time range).
    enabled : bool, optional
        Show it (default: on a terminal, see ``progress_wanted``).

    """

    def __init__(self, catalog: str, enabled: bool | None = None) -> None:
        self.enabled = progress_wanted() if enabled is None else enabled
        self._catalog = catalog
        self._rich: Any = None
        self._task: Any = None
        self._start = 0

    def __enter__(self) -> BacktestProgress:
        global _listener
        if not self.enabled:
            return self
        span = catalog_range(self._catalog) if "://" not in self._catalog else None
        from rich.console import Console
        from rich.progress import BarColumn
        from rich.progress import Progress
        from rich.progress import TextColumn
        from rich.progress import TimeElapsedColumn
        from rich.progress import TimeRemainingColumn

        self._rich = Progress(
            TextColumn("backtest"),
            BarColumn(bar_width=30),
            TextColumn("{task.percentage:>5.1f}%"),
            TextColumn("{task.fields[at]}"),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        self._rich.__enter__()
        if span is not None:
            self._start = span[0]
            total = max(1, span[1] - span[0])
        else:
            total = None
        self._task = self._rich.add_task("backtest", total=total, at="starting")
        _listener = self._on_time
        return self

    def _on_time(self, ts_ns: int) -> None:
        self._rich.update(
            self._task,
            completed=max(0, ts_ns - self._start) if self._start else None,
            at=f"at {short_time(ts_ns)}",
        )

    def __exit__(self, *exc: object) -> None:
        global _listener
        _listener = None
        if self._rich is not None:
            self._rich.__exit__(*exc)
            self._rich = None
