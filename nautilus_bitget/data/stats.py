"""
Counters of the Bitget data client (``BitgetDataClient.stats``).
"""

from __future__ import annotations

from dataclasses import asdict
from dataclasses import dataclass


@dataclass
class BitgetDataStats:
    """
    Counters of the data client (``client.stats``); all monotonic.

    Attributes
    ----------
    frames : int
        Frames received (events included).
    published : int
        Objects handed to the DataEngine.
    malformed : int
        Frames skipped as undecodable or invalid (bad JSON, null fields, wrong types, bad values).
    unknown_channel : int
        Data frames of a channel this client does not handle.
    unknown_symbol : int
        Data frames for a symbol with no loaded instrument.
    venue_errors : int
        ``event: error`` frames.
    gaps : int
        ``books`` updates whose ``pseq`` did not match the previous ``seq``.
    checksum_failures : int
        ``books`` updates whose crc32 did not match.
    resyncs : int
        Book resubscriptions started (gap, checksum, invalid update).
    resynced : int
        Fresh book snapshots published after a resync or a socket reconnect.
    dropped_unsynced : int
        ``books`` updates dropped while waiting for a snapshot.
    reconnects : int
        Public socket reconnects.

    """

    frames: int = 0
    published: int = 0
    malformed: int = 0
    unknown_channel: int = 0
    unknown_symbol: int = 0
    venue_errors: int = 0
    gaps: int = 0
    checksum_failures: int = 0
    resyncs: int = 0
    resynced: int = 0
    dropped_unsynced: int = 0
    reconnects: int = 0

    def as_dict(self) -> dict[str, int]:
        """Return the counters as a plain dict."""
        return asdict(self)
