"""Live one-line status of a running recorder (stderr, refreshed about every second)."""

from __future__ import annotations

import sys
from typing import TextIO


SHORT_NAMES = {
    "OrderBookDelta": "book",
    "OrderBookDepth10": "d10",
    "QuoteTick": "quote",
    "TradeTick": "trade",
    "Bar": "bar",
    "MarkPriceUpdate": "mark",
    "IndexPriceUpdate": "index",
    "FundingRateUpdate": "fund",
}


def human_bytes(n: float) -> str:
    """Return ``n`` bytes as a short human string (``1.2MB``)."""
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f}{unit}" if unit == "B" else f"{n:.1f}{unit}"
        n /= 1024
    return f"{n:.1f}GB"  # pragma: no cover


def format_status(
    rates: dict[str, float],
    gaps: int,
    resyncs: int,
    bytes_written: int,
    elapsed_secs: float,
    rows: int | None = None,
    remaining_secs: float | None = None,
) -> str:
    """
    Return the status line text.

    Parameters
    ----------
    rates : dict[str, float]
        Messages per second by type name.
    gaps, resyncs : int
        Markers so far.
    bytes_written : int
        Parquet bytes written so far.
    elapsed_secs : float
        Seconds since start.
    rows : int, optional
        Messages recorded so far.
    remaining_secs : float, optional
        Seconds left of a recording with a set duration (shown as ETA).

    """
    parts = [f"{SHORT_NAMES.get(k, k)} {v:,.0f}/s" for k, v in sorted(rates.items()) if v > 0]
    text = (
        f"rec {elapsed_secs:,.0f}s | {' '.join(parts) or 'no data yet'} | gaps {gaps} "
        f"resyncs {resyncs} | written {human_bytes(bytes_written)}"
    )
    if rows is not None:
        text += f" | {rows:,} msgs"
    if remaining_secs is not None:
        text += f" | ETA {remaining_secs:,.0f}s"
    return text


class StatusLine:
    """
    Render a status line on a stream: redrawn in place on a TTY, one line per update otherwise.

    Parameters
    ----------
    stream : TextIO, optional
        Defaults to ``sys.stderr``.

    """

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.is_tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self._last_len = 0

    def show(self, text: str) -> None:
        """Display ``text``."""
        if self.is_tty:
            pad = max(0, self._last_len - len(text))
            self.stream.write("\r" + text + " " * pad)
            self._last_len = len(text)
        else:
            self.stream.write(text + "\n")
        self.stream.flush()

    def close(self) -> None:
        """End the line on a TTY."""
        if self.is_tty and self._last_len:
            self.stream.write("\n")
            self.stream.flush()
