"""Row selection and ``idLessThan`` / time-window paging of the simulator's query endpoints."""

from __future__ import annotations

from collections.abc import Iterable
from copy import copy
from typing import Any


def select(rows: Iterable[Any], **equal: Any) -> list[Any]:
    """Return the rows whose attributes equal every given value (``None`` matches any)."""
    wanted = [(k, v) for k, v in equal.items() if v is not None]
    return [r for r in rows if all(getattr(r, k) == v for k, v in wanted)]


def page(
    rows: list[Any],
    id_attr: str,
    id_less_than: str | None,
    start_ms: int | None,
    end_ms: int | None,
    limit: int,
) -> list[Any]:
    """Return copies of ``rows`` newest first, below the ``id_less_than`` cursor, in the window."""
    out = []
    cursor = int(id_less_than) if id_less_than else None
    for r in reversed(rows):
        if cursor is not None and int(getattr(r, id_attr)) >= cursor:
            continue
        t = r.c_time
        if (start_ms is not None and t < start_ms) or (end_ms is not None and t > end_ms):
            continue
        out.append(copy(r))
        if len(out) >= limit:
            break
    return out
