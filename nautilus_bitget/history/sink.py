"""
Writing history into the catalog: the recorder's ``CatalogWriter`` behind a bounded buffer per
(type, identifier), and the session manifest of a download or an import.

``CatalogWriter`` keeps every file's ``[first.ts_init, last.ts_init]`` disjoint from the others
and drops rows inside an interval already written: that is what makes a re-run write nothing
twice. The one thing a chunked writer must add is never to cut between rows that share a
``ts_init`` (a shared boundary nanosecond counts as overlap, so the second half would be dropped):
``StreamSink`` only writes up to the last ``ts_init`` change and carries the rest.
"""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from nautilus_trader.core.datetime import unix_nanos_to_iso8601

from nautilus_bitget.recorder.manifest import SessionManifest
from nautilus_bitget.recorder.manifest import read_manifests
from nautilus_bitget.recorder.manifest import write_manifest
from nautilus_bitget.recorder.writer import CatalogWriter


DEFAULT_CHUNK_ROWS = 200_000


@dataclass
class HistoryManifest(SessionManifest):
    """
    ``SessionManifest`` of a ``download`` or ``import-tardis`` run (same file, same fields).

    Extra fields: ``kind`` (``download`` / ``import-tardis``), ``sources`` (the requested range
    or the files), ``rows_skipped`` (input rows that could not become data, by reason) and
    ``completed`` (every task finished). Venue gaps are in ``gaps`` with ``reason: "venue"``.
    """

    kind: str = "download"
    sources: list[dict[str, Any]] = field(default_factory=list)
    rows_skipped: dict[str, int] = field(default_factory=dict)
    completed: bool = False
    fetched: list[dict[str, Any]] = field(default_factory=list)

    def add_gap(
        self,
        type_name: str,
        identifier: str,
        instrument_id: str,
        start: int,
        end: int,
        channel: str,
        note: str = "",
    ) -> None:
        """Record a span the venue (or the file) has no data for."""
        self.gaps.append(
            {
                "instrument_id": instrument_id,
                "type": type_name,
                "identifier": identifier,
                "start": start,
                "end": end,
                "start_iso": unix_nanos_to_iso8601(start),
                "end_iso": unix_nanos_to_iso8601(end),
                "reason": "venue",
                "channel": channel,
                "backfilled": False,
                "note": note,
            },
        )

    def skip(self, reason: str, n: int = 1) -> None:
        """Count ``n`` input rows skipped for ``reason``."""
        if n:
            self.rows_skipped[reason] = self.rows_skipped.get(reason, 0) + n

    def to_dict(self) -> dict[str, Any]:
        """Return the manifest as JSON-compatible dict (the recorder's keys plus ours)."""
        out = super().to_dict()
        out.update(
            {
                "kind": self.kind,
                "sources": self.sources,
                "rows_skipped": dict(sorted(self.rows_skipped.items())),
                "completed": self.completed,
                "fetched": self.fetched,
            },
        )
        return out


def new_session_id(kind: str) -> str:
    """Return a fresh session id, e.g. ``download-20261108T120000Z-1a2b3c4d``."""
    return f"{kind}-{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}-{uuid.uuid4().hex[:8]}"


class HistoryWriter:
    """
    One ``CatalogWriter`` plus the manifest it reports into.

    Parameters
    ----------
    catalog : str
        Catalog path or fsspec URI.
    manifest : HistoryManifest
        The session manifest (written by ``save_manifest``).
    storage_options : dict, optional
        fsspec storage options.

    """

    def __init__(
        self,
        catalog: str,
        manifest: HistoryManifest,
        storage_options: dict[str, Any] | None = None,
    ) -> None:
        self.writer = CatalogWriter(catalog, storage_options)
        self.manifest = manifest
        self.manifest.temp_files_cleaned = self.writer.cleanup_temp_files()
        self._lock = threading.Lock()  # manifest updates and saves (writes may run in threads)
        self._fetched: dict[tuple[str, str], list[tuple[int, int]]] | None = None

    def covered(self, data_cls: type, identifier: str) -> list[tuple[int, int]]:
        """Return the sorted ``ts_init`` intervals already in the catalog for the stream."""
        return list(self.writer.intervals(self.writer.directory(data_cls, identifier)))

    def fetched_before(self, type_name: str, identifier: str) -> list[tuple[int, int]]:
        """
        Return ``ts_init`` windows earlier downloads fetched completely for the stream.

        A window the venue had nothing for leaves no file, only this record (the manifest's
        ``fetched``), so a re-run does not ask for it again.
        """
        if self._fetched is None:
            self._fetched = {}
            for m in read_manifests(self.writer.fs, self.writer.root):
                for f in m.get("fetched") or []:
                    key = (f["type"], f["identifier"])
                    self._fetched.setdefault(key, []).append((int(f["lo"]), int(f["hi"])))
        return sorted(self._fetched.get((type_name, identifier), []))

    def mark_fetched(self, type_name: str, identifier: str, lo: int, hi: int) -> None:
        """Record that ``[lo, hi]`` (``ts_init``) of a stream was fetched completely."""
        if hi < lo:
            return
        with self._lock:
            for f in self.manifest.fetched:
                if f["type"] == type_name and f["identifier"] == identifier:
                    if f["lo"] <= hi + 1 and lo <= f["hi"] + 1:  # touching: merge
                        f["lo"], f["hi"] = min(f["lo"], lo), max(f["hi"], hi)
                        return
            self.manifest.fetched.append(
                {"type": type_name, "identifier": identifier, "lo": lo, "hi": hi},
            )

    def write(self, data_cls: type, identifier: str, rows: list[Any], type_name: str) -> int:
        """Write ``rows`` (sorted or not); return how many were new (the rest overlapped)."""
        if not rows:
            return 0
        before = self.writer.stats.dropped_overlap
        self.writer.write(data_cls, identifier, rows)
        dropped = self.writer.stats.dropped_overlap - before
        written = len(rows) - dropped
        with self._lock:
            if written:
                ts = [r.ts_init for r in rows]
                self.manifest.record_rows(type_name, identifier, written, min(ts), max(ts))
            self.manifest.rows_dropped_overlap = self.writer.stats.dropped_overlap
            self.manifest.files_written = self.writer.stats.files
            self.manifest.bytes_written = self.writer.stats.bytes
        return written

    def write_instrument(self, instrument: Any) -> None:
        """Write an instrument unless the same definition is already there."""
        self.writer.write_instrument(instrument)

    def save_manifest(self) -> str:
        """Write the manifest (atomically) and return its path."""
        with self._lock:
            return write_manifest(self.writer.fs, self.writer.root, self.manifest)


class StreamSink:
    """
    Buffer rows of one (type, identifier) stream and write them in chunks of ``chunk_rows``.

    Rows must arrive in non-decreasing ``ts_init`` order; a chunk is cut only where ``ts_init``
    changes, the rows of the last ``ts_init`` wait for the next chunk (or ``close``).

    Parameters
    ----------
    out : HistoryWriter
        Where to write.
    data_cls : type
        The class rows are serialized as.
    identifier : str
        Instrument id or bar type.
    type_name : str
        The manifest's type name (``OrderBookDelta``, ``Bar`` ...).
    chunk_rows : int, default 200_000
        Rows per write (bounds memory).

    """

    def __init__(
        self,
        out: HistoryWriter,
        data_cls: type,
        identifier: str,
        type_name: str,
        chunk_rows: int = DEFAULT_CHUNK_ROWS,
    ) -> None:
        self.out = out
        self.data_cls = data_cls
        self.identifier = identifier
        self.type_name = type_name
        self.chunk_rows = chunk_rows
        self.rows: list[Any] = []
        self.received = 0
        self.written = 0
        self.out_of_order = 0
        self._last_ts = -1

    def add(self, rows: list[Any]) -> None:
        """Take rows (ascending ``ts_init``); write a chunk when enough are buffered."""
        if not rows:
            return
        if rows[0].ts_init < self._last_ts:
            self.out_of_order += 1
        self._last_ts = rows[-1].ts_init
        self.rows.extend(rows)
        self.received += len(rows)
        if len(self.rows) >= self.chunk_rows:
            self.flush(final=False)

    def flush(self, final: bool = True) -> None:
        """Write what is buffered (``final=False``: all but the rows of the last ``ts_init``)."""
        rows = self.rows
        if not rows:
            return
        if final:
            cut = len(rows)
        else:
            last = rows[-1].ts_init
            cut = len(rows) - 1
            while cut > 0 and rows[cut - 1].ts_init == last:
                cut -= 1
            if cut == 0:
                return  # one timestamp only so far: keep collecting
        chunk, self.rows = rows[:cut], rows[cut:]
        self.written += self.out.write(self.data_cls, self.identifier, chunk, self.type_name)
