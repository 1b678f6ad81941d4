"""The result row of one fault drill and the table that reports them."""

from __future__ import annotations

import traceback
from dataclasses import dataclass


@dataclass
class Drill:
    """
    The outcome of one fault drill.

    Parameters
    ----------
    name : str
        Short drill name (``book.seq_gap``).
    expected : str
        What must happen.
    observed : str
        What happened (measured).
    data_lost : int
        Venue fills, orders or book levels missing or doubled on our side (must be 0).
    passed : bool
        Whether the expectation held and nothing was lost.
    seconds : float
        Wall time the drill took.

    """

    name: str
    expected: str
    observed: str
    data_lost: int
    passed: bool
    seconds: float = 0.0

    @property
    def result(self) -> str:
        """``PASS`` or ``FAIL``."""
        return "PASS" if self.passed and self.data_lost == 0 else "FAIL"


def failed(name: str, expected: str, error: BaseException, data_lost: int = 0) -> Drill:
    """Return a FAIL row for a drill that raised ``error`` (last frame named)."""
    tb = traceback.extract_tb(error.__traceback__)
    where = f" at {tb[-1].filename.rsplit('/', 1)[-1]}:{tb[-1].lineno}" if tb else ""
    text = str(error).replace("\n", " ")[:300]
    return Drill(name, expected, f"{type(error).__name__}: {text}{where}", data_lost, False)


HEADERS = ("drill", "expected", "observed", "data lost", "result")


def _rows(drills: list[Drill]) -> list[tuple[str, ...]]:
    return [(d.name, d.expected, d.observed, str(d.data_lost), d.result) for d in drills]


def format_table(drills: list[Drill], width: int = 60) -> str:
    """Return the drills as a plain-text table (long cells wrapped at ``width``)."""
    import textwrap

    rows = _rows(drills)
    wrapped = [[textwrap.wrap(cell, width) or [""] for cell in row] for row in rows]
    widths = [len(h) for h in HEADERS]
    for row in wrapped:
        for i, lines in enumerate(row):
            widths[i] = max(widths[i], *(len(line) for line in lines))
    sep = "+".join("-" * (w + 2) for w in widths)
    out = [" | ".join(h.ljust(w) for h, w in zip(HEADERS, widths, strict=True)), sep]
    for row in wrapped:
        height = max(len(lines) for lines in row)
        for k in range(height):
            cells = [(lines[k] if k < len(lines) else "") for lines in row]
            out.append(" | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)))
    passed = sum(d.result == "PASS" for d in drills)
    lost = sum(d.data_lost for d in drills)
    out.append(sep)
    out.append(f"{passed}/{len(drills)} drills passed, data lost in total: {lost}")
    return "\n".join(out)


def format_markdown(drills: list[Drill]) -> str:
    """Return the drills as a markdown table."""

    def esc(text: str) -> str:
        return text.replace("|", "\\|").replace("\n", " ")

    out = ["| " + " | ".join(HEADERS) + " |", "|" + "---|" * len(HEADERS)]
    out.extend("| " + " | ".join(esc(c) for c in row) + " |" for row in _rows(drills))
    passed = sum(d.result == "PASS" for d in drills)
    out.append("")
    out.append(f"{passed}/{len(drills)} drills passed.")
    return "\n".join(out) + "\n"
