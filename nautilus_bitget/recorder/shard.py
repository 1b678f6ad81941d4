"""
``--shard I/N``: which symbols one of N recorder processes records.

Rule: shard ``I`` (1-based) of ``N`` records the symbols whose hash modulo ``N`` equals ``I - 1``,
in sorted order; the hash is the first 8 bytes (big-endian) of the SHA-256 of the upper-case Bitget
symbol (``BTCUSDT``). The
shards are disjoint and together cover every symbol, whatever list each process sees: a symbol's
shard depends on its name only, so a listing that appears between two shards' starts never lands in
two shards (a position-based split of the sorted list would shift every later symbol).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from nautilus_bitget.common.errors import BitgetConfigError


def parse_shard(text: str) -> tuple[int, int]:
    """
    Return ``(index, count)`` of ``I/N`` (1 <= I <= N).

    Raises
    ------
    BitgetConfigError
        If ``text`` is not ``I/N`` with 1 <= I <= N.

    """
    index_text, sep, count_text = text.strip().partition("/")
    try:
        index, count = int(index_text), int(count_text)
    except ValueError:
        index = count = 0
    if not sep or count < 1 or not 1 <= index <= count:
        raise BitgetConfigError(f"--shard {text!r}: expected I/N with 1 <= I <= N, e.g. 1/4")
    return index, count


def shard_of(symbol: str, count: int) -> int:
    """Return the 1-based shard of ``symbol`` among ``count`` shards."""
    digest = hashlib.sha256(symbol.upper().encode()).digest()
    return int.from_bytes(digest[:8], "big") % count + 1


def select(symbols: Iterable[str], index: int, count: int) -> list[str]:
    """Return the sorted symbols of shard ``index`` of ``count``."""
    return sorted(s for s in symbols if shard_of(s, count) == index)
