"""
Progress of ``download`` / ``import-tardis``: one line per task on a TTY (rich), nothing when
stderr is not a terminal (logs, CI, pipes) except the final one-line summary the commands print.

``BITGET_NT_PROGRESS=1`` forces the display, ``=0`` turns it off.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from nautilus_trader.core.datetime import unix_nanos_to_iso8601


PROGRESS_ENV = "BITGET_NT_PROGRESS"


def progress_wanted(stream: Any = None) -> bool:
    """Return whether to show live progress (a TTY, unless ``BITGET_NT_PROGRESS`` says)."""
    env = os.environ.get(PROGRESS_ENV)
    if env in ("0", "1"):
        return env == "1"
    stream = stream or sys.stderr
    return bool(getattr(stream, "isatty", lambda: False)())


def short_time(ns: int) -> str:
    """Return ``2026-11-01 12:00`` for a UNIX ns timestamp (minutes, UTC)."""
    if not ns:
        return "-"
    return unix_nanos_to_iso8601(ns)[:16].replace("T", " ")


class Progress:
    """
    Live per-task progress (rows, range covered, ETA) on stderr, or nothing.

    Parameters
    ----------
    enabled : bool, optional
        Show it (default: ``progress_wanted()``).

    """

    def __init__(self, enabled: bool | None = None) -> None:
        self.enabled = progress_wanted() if enabled is None else enabled
        self._rich: Any = None
        self._tasks: dict[str, Any] = {}

    def __enter__(self) -> Progress:
        if self.enabled:
            from rich.console import Console
            from rich.progress import BarColumn
            from rich.progress import Progress as RichProgress
            from rich.progress import TextColumn
            from rich.progress import TimeElapsedColumn
            from rich.progress import TimeRemainingColumn

            self._rich = RichProgress(
                TextColumn("{task.description:<34}"),
                BarColumn(bar_width=24),
                TextColumn("{task.fields[rows]:>11,} rows"),
                TextColumn("{task.fields[span]}"),
                TimeElapsedColumn(),
                TextColumn("ETA"),
                TimeRemainingColumn(),
                console=Console(stderr=True),
                transient=False,
                refresh_per_second=4,
            )
            self._rich.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._rich is not None:
            self._rich.__exit__(*exc)
            self._rich = None

    def add(self, key: str, description: str, total: float | None = None) -> None:
        """Add a task (``total`` in any unit ``update(completed=...)`` uses; ``None``: open)."""
        if self._rich is None:
            return
        self._tasks[key] = self._rich.add_task(description, total=total, rows=0, span="")

    def update(
        self,
        key: str,
        *,
        rows: int | None = None,
        completed: float | None = None,
        first_ns: int | None = None,
        last_ns: int | None = None,
        note: str | None = None,
    ) -> None:
        """Update a task's rows, progress and covered range (or a note in place of the range)."""
        if self._rich is None or key not in self._tasks:
            return
        fields: dict[str, Any] = {}
        if rows is not None:
            fields["rows"] = rows
        if note is not None:
            fields["span"] = note
        elif first_ns or last_ns:
            fields["span"] = f"{short_time(first_ns or 0)} .. {short_time(last_ns or 0)}"
        self._rich.update(self._tasks[key], completed=completed, **fields)

    def done(self, key: str, note: str | None = None) -> None:
        """Mark a task finished."""
        if self._rich is None or key not in self._tasks:
            return
        task = self._rich.tasks[[t.id for t in self._rich.tasks].index(self._tasks[key])]
        total = task.total if task.total is not None else max(task.completed, 1)
        fields = {"span": note} if note is not None else {}
        self._rich.update(self._tasks[key], total=total, completed=total, **fields)
