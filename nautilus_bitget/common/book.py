"""
Order book integrity for the ``books`` channel (bitget-protocol.md 6.1 and 9.6).

``BookIntegrity`` follows one instrument's ``seq``/``pseq`` chain and, when the venue sends a
``checksum`` on updates, verifies the crc32 of the best 25 levels per side built from the original
wire strings. It knows nothing of Nautilus objects: the data client asks it before publishing.

Cost control: the local book of wire strings (needed only for the checksum) is kept from each
snapshot until the first update shows whether checksums are sent; when the first update has no
``checksum`` key (Bitget v2 today), the local book is dropped and only the seq chain is followed.
"""

from __future__ import annotations

import zlib
from bisect import bisect_left
from bisect import insort
from collections.abc import Sequence
from enum import Enum


CHECKSUM_DEPTH = 25


class BookCheck(Enum):
    """Outcome of checking one book frame."""

    OK = "ok"
    EMPTY = "empty"  # an update with no levels: chain advanced, nothing to publish
    GAP = "gap"  # pseq != previous seq
    CHECKSUM = "checksum"  # crc32 mismatch
    WAITING = "waiting"  # no valid snapshot yet (after a gap or before the first snapshot)


def book_checksum(
    bids: Sequence[tuple[str, str]],
    asks: Sequence[tuple[str, str]],
    depth: int = CHECKSUM_DEPTH,
) -> int:
    """
    Return Bitget's signed crc32 of the best ``depth`` levels (bitget-protocol.md 6.1).

    The string interleaves ``bid1.price:bid1.size:ask1.price:ask1.size:bid2...`` from the original
    wire strings, skipping the missing side's entries when a side is shorter.

    Parameters
    ----------
    bids : Sequence[tuple[str, str]]
        Bids, best (highest) first.
    asks : Sequence[tuple[str, str]]
        Asks, best (lowest) first.
    depth : int, default 25
        Levels per side.

    Returns
    -------
    int
        The crc32 as a signed 32-bit integer.

    """
    parts: list[str] = []
    for i in range(depth):
        if i < len(bids):
            parts.append(bids[i][0])
            parts.append(bids[i][1])
        if i < len(asks):
            parts.append(asks[i][0])
            parts.append(asks[i][1])
    crc = zlib.crc32(":".join(parts).encode())
    return crc - (1 << 32) if crc >= (1 << 31) else crc


class _WireSide:
    """One side of a book of wire strings, ordered best first by numeric price."""

    __slots__ = ("_keys", "_levels", "_sign")

    def __init__(self, descending: bool) -> None:
        self._sign = -1.0 if descending else 1.0
        self._keys: list[float] = []  # ascending (bids negated)
        self._levels: dict[float, tuple[str, str]] = {}

    def apply(self, levels: Sequence[tuple[str, str]]) -> None:
        keys = self._keys
        book = self._levels
        sign = self._sign
        for price, size in levels:
            key = sign * float(price)
            if float(size) == 0.0:
                if book.pop(key, None) is not None:
                    del keys[bisect_left(keys, key)]
            else:
                if key not in book:
                    insort(keys, key)
                book[key] = (price, size)

    def top(self, depth: int) -> list[tuple[str, str]]:
        levels = self._levels
        return [levels[k] for k in self._keys[:depth]]

    def __len__(self) -> int:
        return len(self._keys)


class BookIntegrity:
    """
    The ``seq``/``pseq`` chain and optional checksum state of one instrument's ``books`` stream.

    Parameters
    ----------
    verify_checksum : bool, default True
        Verify ``checksum`` when present and non-zero on an update.

    """

    __slots__ = ("_asks", "_bids", "_tracking", "last_seq", "verify_checksum")

    def __init__(self, verify_checksum: bool = True) -> None:
        self.verify_checksum = verify_checksum
        self.last_seq: int | None = None
        self._bids: _WireSide | None = None
        self._asks: _WireSide | None = None
        self._tracking = False

    @property
    def synced(self) -> bool:
        """Return whether a snapshot has been accepted and no fault has happened since."""
        return self.last_seq is not None

    @property
    def tracking_book(self) -> bool:
        """Return whether a local wire-string book is kept (checksums are being verified)."""
        return self._tracking

    def reset(self) -> None:
        """Forget all state: frames are refused until the next snapshot."""
        self.last_seq = None
        self._bids = None
        self._asks = None
        self._tracking = False

    def on_snapshot(
        self,
        seq: int | None,
        bids: Sequence[tuple[str, str]],
        asks: Sequence[tuple[str, str]],
    ) -> BookCheck:
        """
        Accept a snapshot (bitget-protocol.md 9.6 step 2); snapshots are never checksum-verified.

        Returns
        -------
        BookCheck
            Always ``OK``.

        """
        self.last_seq = seq if seq is not None else 0
        if self.verify_checksum:
            self._bids = _WireSide(descending=True)
            self._asks = _WireSide(descending=False)
            self._bids.apply(bids)
            self._asks.apply(asks)
            self._tracking = True
        return BookCheck.OK

    def on_update(
        self,
        seq: int | None,
        pseq: int | None,
        bids: Sequence[tuple[str, str]],
        asks: Sequence[tuple[str, str]],
        checksum: int | None,
    ) -> BookCheck:
        """
        Check an update against the chain (and the checksum); advance the state when valid.

        After ``GAP`` or ``CHECKSUM`` the state is reset: every frame returns ``WAITING`` until
        the next snapshot.

        Returns
        -------
        BookCheck

        """
        last = self.last_seq
        if last is None:
            return BookCheck.WAITING
        if pseq is not None and pseq != last:
            self.reset()
            return BookCheck.GAP
        if self._tracking:
            if checksum is None:
                # bitget-protocol.md 6.1: v2 sends no checksum key; stop paying for the local book.
                self._tracking = False
                self._bids = None
                self._asks = None
            else:
                assert self._bids is not None and self._asks is not None
                self._bids.apply(bids)
                self._asks.apply(asks)
                if checksum != 0:
                    expected = book_checksum(
                        self._bids.top(CHECKSUM_DEPTH),
                        self._asks.top(CHECKSUM_DEPTH),
                    )
                    if expected != checksum:
                        self.reset()
                        return BookCheck.CHECKSUM
        if seq is not None:
            self.last_seq = seq
        if not bids and not asks:
            return BookCheck.EMPTY
        return BookCheck.OK

    def wire_top(self, depth: int = CHECKSUM_DEPTH) -> tuple[list, list]:
        """Return the tracked ``(bids, asks)`` wire levels, best first (empty when not tracking)."""
        if not self._tracking or self._bids is None or self._asks is None:
            return [], []
        return self._bids.top(depth), self._asks.top(depth)
