"""``Deduplicator``: bounded memory of ids already applied (fill trade ids, funding bill ids)."""

from __future__ import annotations

import sys
from collections import deque


class Deduplicator:
    """
    Remembers the last ``capacity`` ids; the oldest is forgotten when a new one is added.

    Fills arrive up to three times (``orders`` push, ``fill`` push, REST backfill), funding bills
    on every poll: the first sighting is applied, the rest are dropped.

    Parameters
    ----------
    capacity : int
        How many ids are remembered (may be lowered later; applies from the next new id).

    """

    __slots__ = ("_ids", "_order", "capacity")

    def __init__(self, capacity: int) -> None:
        if capacity < 1:
            raise ValueError(f"capacity must be >= 1, was {capacity}")
        self.capacity = capacity
        self._ids: set[str] = set()
        self._order: deque[str] = deque()

    def seen(self, id_: str) -> bool:
        """Return whether ``id_`` was already applied."""
        return id_ in self._ids

    def first_time(self, id_: str) -> bool:
        """Remember ``id_``; return ``True`` if it was new (apply it), ``False`` if seen."""
        if id_ in self._ids:
            return False
        self._ids.add(id_)
        self._order.append(id_)
        while len(self._order) > self.capacity:
            self._ids.discard(self._order.popleft())
        return True

    def __len__(self) -> int:
        return len(self._ids)

    def memory_bytes(self) -> int:
        """Return the memory of the set and queue themselves (the ids are shared)."""
        return sys.getsizeof(self._ids) + sys.getsizeof(self._order)
