"""
Quality manifest of one recording session (``<catalog>/recorder/sessions/<session_id>.json``).

The manifest says what was recorded and where it is not trustworthy: symbols, types, counts and
time coverage per (type, identifier), gap and resync markers, rows dropped because they overlapped
data already in the catalog, and frames the data client skipped.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from nautilus_trader.core.datetime import unix_nanos_to_iso8601

from nautilus_bitget.recorder.markers import BitgetGapMarker


SESSIONS_DIR = "recorder/sessions"


@dataclass
class Coverage:
    """Count and ts_init range of one (type, identifier) stream."""

    count: int = 0
    first_ts: int = 0
    last_ts: int = 0

    def add(self, n: int, first_ts: int, last_ts: int) -> None:
        """Account ``n`` rows spanning ``[first_ts, last_ts]``."""
        if n <= 0:
            return
        if self.count == 0 or first_ts < self.first_ts:
            self.first_ts = first_ts
        self.last_ts = max(self.last_ts, last_ts)
        self.count += n


@dataclass
class SessionManifest:
    """
    Running quality summary of one recording session, serialisable to JSON.

    Parameters
    ----------
    session_id : str
        Unique id of the session (also the file name).
    catalog : str
        The catalog path or URI.
    shard : str, optional
        ``"I/N"`` when the session recorded one shard of the symbols.

    """

    session_id: str
    catalog: str
    shard: str | None = None
    started_ns: int = 0
    stopped_ns: int = 0
    symbols: list[str] = field(default_factory=list)
    types: list[str] = field(default_factory=list)
    bar_types: list[str] = field(default_factory=list)
    coverage: dict[tuple[str, str], Coverage] = field(default_factory=dict)
    gaps: list[dict[str, Any]] = field(default_factory=list)
    resyncs: list[dict[str, Any]] = field(default_factory=list)
    frames_skipped: int = 0
    data_client: dict[str, int] = field(default_factory=dict)
    rows_dropped_overlap: int = 0
    files_written: int = 0
    bytes_written: int = 0
    temp_files_cleaned: int = 0
    clean_stop: bool = False

    def record_rows(self, type_name: str, identifier: str, n: int, first: int, last: int) -> None:
        """Account rows written for ``type_name`` / ``identifier``."""
        self.coverage.setdefault((type_name, identifier), Coverage()).add(n, first, last)

    def record_marker(self, marker: BitgetGapMarker) -> None:
        """Add a gap or resync marker to the manifest."""
        entry = {
            "instrument_id": marker.instrument_id.value,
            "start": marker.start,
            "end": marker.end,
            "start_iso": unix_nanos_to_iso8601(marker.start) if marker.start else None,
            "end_iso": unix_nanos_to_iso8601(marker.end) if marker.end else None,
            "reason": marker.reason,
            "channel": marker.channel,
            "backfilled": marker.backfilled,
        }
        (self.resyncs if marker.kind == "resync" else self.gaps).append(entry)

    def to_dict(self) -> dict[str, Any]:
        """Return the manifest as JSON-compatible dict."""
        coverage = []
        for (type_name, identifier), cov in sorted(self.coverage.items()):
            coverage.append(
                {
                    "type": type_name,
                    "identifier": identifier,
                    "count": cov.count,
                    "first_ts": cov.first_ts,
                    "last_ts": cov.last_ts,
                    "first_iso": unix_nanos_to_iso8601(cov.first_ts) if cov.count else None,
                    "last_iso": unix_nanos_to_iso8601(cov.last_ts) if cov.count else None,
                },
            )
        return {
            "session_id": self.session_id,
            "catalog": self.catalog,
            "shard": self.shard,
            "started_ns": self.started_ns,
            "stopped_ns": self.stopped_ns,
            "started_iso": unix_nanos_to_iso8601(self.started_ns) if self.started_ns else None,
            "stopped_iso": unix_nanos_to_iso8601(self.stopped_ns) if self.stopped_ns else None,
            "clean_stop": self.clean_stop,
            "symbols": sorted(self.symbols),
            "types": sorted(self.types),
            "bar_types": sorted(self.bar_types),
            "coverage": coverage,
            "gaps": self.gaps,
            "resyncs": self.resyncs,
            "frames_skipped": self.frames_skipped,
            "data_client": self.data_client,
            "rows_dropped_overlap": self.rows_dropped_overlap,
            "files_written": self.files_written,
            "bytes_written": self.bytes_written,
            "temp_files_cleaned": self.temp_files_cleaned,
        }

    def to_json(self) -> bytes:
        """Return the manifest as indented JSON bytes."""
        return json.dumps(self.to_dict(), indent=2).encode()


def write_manifest(fs: Any, root: str, manifest: SessionManifest) -> str:
    """
    Write ``manifest`` atomically (temp then rename) and return its path.

    Parameters
    ----------
    fs : fsspec.AbstractFileSystem
        The catalog's file system.
    root : str
        The catalog root path.
    manifest : SessionManifest
        The manifest.

    """
    directory = f"{root.rstrip('/')}/{SESSIONS_DIR}"
    fs.mkdirs(directory, exist_ok=True)
    final = f"{directory}/{manifest.session_id}.json"
    tmp = f"{final}.tmp"
    with fs.open(tmp, "wb") as f:
        f.write(manifest.to_json())
    fs.mv(tmp, final)
    return final


def read_manifests(fs: Any, root: str) -> list[dict[str, Any]]:
    """Return every session manifest in the catalog at ``root``, oldest first."""
    directory = f"{root.rstrip('/')}/{SESSIONS_DIR}"
    if not fs.exists(directory):
        return []
    out = []
    for path in sorted(fs.glob(f"{directory}/*.json")):
        with fs.open(path, "rb") as f:
            out.append(json.loads(f.read()))
    return sorted(out, key=lambda m: m.get("started_ns", 0))
