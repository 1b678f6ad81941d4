"""
Catalog inspection and crash-safe per-day compaction (``bitget-nt catalog info|compact``).

Compaction merges the small files of one UTC day of one ``data/<type>/<identifier>/`` directory
into one file. Each merge is journaled (``recorder/compact-journal.json``) before the merged file
is renamed into place and the sources are deleted, so a crash at any point is recovered on the
next run (``recover_compaction``): either the merged file exists and the remaining sources are
removed, or it does not and the sources are untouched.
"""

from __future__ import annotations

import itertools
import json
import uuid
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from nautilus_trader.core.datetime import unix_nanos_to_iso8601

from nautilus_bitget.compat import filename_timestamps
from nautilus_bitget.compat import timestamps_to_filename
from nautilus_bitget.recorder.manifest import read_manifests
from nautilus_bitget.recorder.markers import BitgetGapMarker
from nautilus_bitget.recorder.writer import TMP_DIR
from nautilus_bitget.recorder.writer import CatalogWriter


JOURNAL = "recorder/compact-journal.json"
DAY_NS = 86_400_000_000_000


@dataclass
class StreamSummary:
    """Files, rows and ts_init range of one ``data/<type>/<identifier>`` directory."""

    type_dir: str
    identifier: str
    files: int
    rows: int
    start: int
    end: int
    bytes: int


def leaf_directories(writer: CatalogWriter) -> list[tuple[str, str, str]]:
    """Return ``(type_dir, identifier, path)`` of every data directory holding parquet files."""
    out: list[tuple[str, str, str]] = []
    data = f"{writer.root}/data"
    if not writer.fs.exists(data):
        return out
    for path in sorted(writer.fs.glob(f"{data}/*/*")):
        if writer.fs.isdir(path):
            parts = path.rstrip("/").split("/")
            out.append((parts[-2], parts[-1], path))
    return out


def _files_with_intervals(writer: CatalogWriter, directory: str) -> list[tuple[str, int, int]]:
    files = []
    for path in writer.fs.glob(f"{directory}/*.parquet"):
        interval = filename_timestamps(path)
        if interval is not None:
            files.append((path, interval[0], interval[1]))
    return sorted(files, key=lambda f: f[1])


def summarize(writer: CatalogWriter) -> list[StreamSummary]:
    """Return a ``StreamSummary`` per data directory (rows from parquet footers)."""
    out = []
    for type_dir, identifier, path in leaf_directories(writer):
        files = _files_with_intervals(writer, path)
        if not files:
            continue
        rows = 0
        size = 0
        for f, _, _ in files:
            with writer.fs.open(f, "rb") as fh:
                rows += pq.ParquetFile(fh).metadata.num_rows
            size += int(writer.fs.size(f))
        out.append(
            StreamSummary(
                type_dir,
                identifier,
                len(files),
                rows,
                min(f[1] for f in files),
                max(f[2] for f in files),
                size,
            ),
        )
    return out


def _instrument_and_data(type_dir: str, identifier: str) -> tuple[str, str]:
    """Return ``(instrument id, data label)`` of a stream (a bar's spec goes in the label)."""
    marker = ".BITGET"
    if marker in identifier:
        head, _, tail = identifier.partition(marker)
        instrument = head + marker
        return instrument, f"{type_dir} {tail.lstrip('-')}".strip()
    return identifier, type_dir


def _missing_bars(identifier: str, rows: int, start: int, end: int) -> int | None:
    """Return how many bars are missing between the first and last (``None``: not a bar)."""
    from nautilus_trader.model.data import BarType

    try:
        step = int(BarType.from_str(identifier).spec.timedelta.total_seconds() * 1e9)
    except (ValueError, AttributeError):
        return None
    if step <= 0:
        return None
    return max(0, (end - start) // step + 1 - rows)


# Streams the venue pushes continuously while connected: a longer silence between two files is a
# gap even when the recorder saw no disconnect (e.g. the process was starved or suspended)
CONTINUOUS_TYPES = frozenset({"order_book_deltas", "order_book_depth10", "quote_tick"})
SILENCE_GAP_NS = 60_000_000_000


def _silences(writer: CatalogWriter, type_dir: str, identifier: str) -> int:
    """Return how many silences longer than ``SILENCE_GAP_NS`` lie between a stream's files."""
    if type_dir not in CONTINUOUS_TYPES:
        return 0
    files = _files_with_intervals(writer, f"{writer.root}/data/{type_dir}/{identifier}")
    return sum(1 for a, b in itertools.pairwise(files) if b[1] - a[2] > SILENCE_GAP_NS)


def info_dict(writer: CatalogWriter) -> dict[str, Any]:
    """
    Return a JSON-compatible summary of the catalog: per stream (instrument and data type) rows,
    first / last time and gaps; the instruments, gap markers and recording sessions.

    A stream's ``gaps`` counts the recorder's gap markers of its instrument inside its time range,
    for bars the bars missing between the first and the last (``missing_bars``), and for streams
    pushed continuously (books, quotes) the silences of more than 60 s between files
    (``silences``).
    """
    streams = summarize(writer)
    markers = []
    for item in writer.catalog.query(BitgetGapMarker):
        m = getattr(item, "data", item)
        markers.append(
            {
                "instrument_id": m.instrument_id.value,
                "kind": m.kind,
                "reason": m.reason,
                "start": unix_nanos_to_iso8601(m.start) if m.start else None,
                "end": unix_nanos_to_iso8601(m.end) if m.end else None,
                "start_ns": m.start,
                "backfilled": m.backfilled,
            },
        )
    rows = []
    for s in streams:
        instrument, data = _instrument_and_data(s.type_dir, s.identifier)
        missing = (
            _missing_bars(s.identifier, s.rows, s.start, s.end) if s.type_dir == "bar" else None
        )
        marker_gaps = sum(
            1
            for m in markers
            if m["kind"] == "gap"
            and m["instrument_id"] == instrument
            and (not m["start_ns"] or s.start <= m["start_ns"] <= s.end)
        )
        silences = _silences(writer, s.type_dir, s.identifier)
        rows.append(
            {
                "type": s.type_dir,
                "identifier": s.identifier,
                "instrument": instrument,
                "data": data,
                "files": s.files,
                "rows": s.rows,
                "bytes": s.bytes,
                "start": unix_nanos_to_iso8601(s.start),
                "end": unix_nanos_to_iso8601(s.end),
                "gaps": marker_gaps + (missing or 0) + silences,
                "silences": silences,
                "missing_bars": missing,
            },
        )
    return {
        "catalog": writer.uri,
        "streams": rows,
        "instruments": sorted({i.id.value for i in writer.catalog.instruments()}),
        "markers": [{k: v for k, v in m.items() if k != "start_ns"} for m in markers],
        "sessions": [
            {
                k: m.get(k)
                for k in ("session_id", "started_iso", "stopped_iso", "clean_stop", "symbols")
            }
            for m in read_manifests(writer.fs, writer.root)
        ],
    }


def _when(iso: str) -> str:
    return iso[:19].replace("T", " ")


def format_info(info: dict[str, Any]) -> str:
    """Return ``info_dict`` output as a table: one row per instrument and data type."""
    streams = sorted(info["streams"], key=lambda s: (s["instrument"], s["data"]))
    total = sum(s["bytes"] for s in streams)
    lines = [
        f"catalog: {info['catalog']}  ({len(streams)} streams, "
        f"{len(info['instruments'])} instruments, {total / 1e6:.1f} MB)",
        "",
    ]
    width = max([len(s["data"]) for s in streams] + [10])
    header = (
        f"{'instrument':<24} {'data':<{width}} {'rows':>10}  {'first (UTC)':<19}  "
        f"{'last (UTC)':<19}  gaps"
    )
    lines += [header, "-" * len(header)]
    previous = None
    for s in streams:
        shown = s["instrument"] if s["instrument"] != previous else ""
        previous = s["instrument"]
        shown_gaps = str(s["gaps"])
        if s.get("missing_bars"):
            shown_gaps += f" ({s['missing_bars']} missing bars)"
        if s.get("silences"):
            shown_gaps += f" ({s['silences']} silent > {SILENCE_GAP_NS // 1_000_000_000}s)"
        lines.append(
            f"{shown:<24} {s['data']:<{width}} {s['rows']:>10,}  {_when(s['start']):<19}  "
            f"{_when(s['end']):<19}  {shown_gaps}",
        )
    if not streams:
        lines.append("(no data)")
    lines.append("")
    lines.append(f"instruments: {', '.join(info['instruments']) or '(none)'}")
    gaps = [m for m in info["markers"] if m["kind"] == "gap"]
    resyncs = [m for m in info["markers"] if m["kind"] == "resync"]
    lines.append(f"gaps: {len(gaps)}  resyncs: {len(resyncs)}")
    lines.extend(
        f"  {m['kind']:<6} {m['instrument_id']:<24} {m['reason']:<10} {m['start']} .. "
        f"{m['end']}{'  (backfilled)' if m['backfilled'] else ''}"
        for m in info["markers"]
    )
    lines.append(f"sessions: {len(info['sessions'])}")
    lines.extend(
        f"  {s['session_id']}  {s['started_iso']} .. {s['stopped_iso']}  "
        f"clean_stop={s['clean_stop']}"
        for s in info["sessions"]
    )
    return "\n".join(lines)


# -- compaction -----------------------------------------------------------------------------------


def recover_compaction(writer: CatalogWriter) -> str | None:
    """Finish or roll back a compaction interrupted by a crash; return what was done."""
    journal = f"{writer.root}/{JOURNAL}"
    if not writer.fs.exists(journal):
        return None
    with writer.fs.open(journal, "rb") as f:
        entry = json.loads(f.read())
    if writer.fs.exists(entry["target"]):
        for source in entry["sources"]:
            if source != entry["target"] and writer.fs.exists(source):
                writer.fs.rm(source)
        action = "completed"
    else:
        if writer.fs.exists(entry["tmp"]):
            writer.fs.rm(entry["tmp"])
        action = "rolled back"
    writer.fs.rm(journal)
    return action


def compact(writer: CatalogWriter) -> dict[str, int]:
    """
    Merge the files of each UTC day, per data directory, into one file.

    Returns
    -------
    dict[str, int]
        ``{"merged_groups": n, "files_before": a, "files_after": b}``.

    """
    recover_compaction(writer)
    writer.cleanup_temp_files()
    merged = before = after = 0
    for _, _, directory in leaf_directories(writer):
        files = _files_with_intervals(writer, directory)
        before += len(files)
        groups: dict[int, list[tuple[str, int, int]]] = defaultdict(list)
        for f in files:
            groups[f[1] // DAY_NS].append(f)
        for day in sorted(groups):
            group = groups[day]
            if len(group) > 1 and _merge_group(writer, directory, group):
                merged += 1
                after += 1
            else:
                after += len(group)
    writer._intervals.clear()
    return {"merged_groups": merged, "files_before": before, "files_after": after}


def _merge_group(writer: CatalogWriter, directory: str, group: list[tuple[str, int, int]]) -> bool:
    fs = writer.fs
    tables = []
    for path, _, _ in group:
        with fs.open(path, "rb") as f:
            tables.append(pq.read_table(f))
    schemas = {t.schema.remove_metadata() for t in tables}
    if len(schemas) != 1:
        return False  # differing schemas (e.g. precision change): keep the files as they are
    table = pa.concat_tables([t.replace_schema_metadata(tables[0].schema.metadata) for t in tables])
    ts = table.column("ts_init")
    if len(ts) > 1 and not pc.all(pc.greater_equal(ts[1:], ts[:-1])).as_py():
        return False
    target = f"{directory}/{timestamps_to_filename(group[0][1], group[-1][2])}"
    tmp_dir = f"{writer.root}/{TMP_DIR}"
    fs.mkdirs(tmp_dir, exist_ok=True)
    tmp = f"{tmp_dir}/{uuid.uuid4().hex}.parquet.tmp"
    with fs.open(tmp, "wb") as f:
        pq.write_table(table, f, row_group_size=writer.catalog.max_rows_per_group)
    journal = f"{writer.root}/{JOURNAL}"
    entry = {"target": target, "tmp": tmp, "sources": [g[0] for g in group]}
    with fs.open(journal, "wb") as f:
        f.write(json.dumps(entry).encode())
    fs.mv(tmp, target)
    for path, _, _ in group:
        if path != target:
            fs.rm(path)
    fs.rm(journal)
    return True


def read_index_prices(writer: CatalogWriter, identifier: str | None = None) -> list[Any]:
    """
    Return the ``IndexPriceUpdate`` rows of the catalog, sorted by ts_init.

    ``ParquetDataCatalog.query(IndexPriceUpdate)`` raises ``NotImplementedError`` in
    NautilusTrader 1.231 (no Arrow decoder is registered for it, although it is written with the
    catalog's own serializer), so the rows are decoded here: ``value`` is the fixed-point raw of
    a ``Price`` (little-endian i128), ``price_precision`` is in the schema metadata.
    """
    from nautilus_trader.model.data import IndexPriceUpdate
    from nautilus_trader.model.identifiers import InstrumentId
    from nautilus_trader.model.objects import Price

    out = []
    for _, ident, path in leaf_directories(writer):
        if not path.rstrip("/").split("/")[-2] == "index_price_update":
            continue
        if identifier is not None and ident != identifier:
            continue
        for f, _, _ in _files_with_intervals(writer, path):
            with writer.fs.open(f, "rb") as fh:
                table = pq.read_table(fh)
            meta = table.schema.metadata or {}
            iid = InstrumentId.from_str(meta[b"instrument_id"].decode())
            precision = int(meta[b"price_precision"])
            for row in table.to_pylist():
                raw = int.from_bytes(row["value"], "little", signed=True)
                out.append(
                    IndexPriceUpdate(
                        iid,
                        Price.from_raw(raw, precision),
                        row["ts_event"],
                        row["ts_init"],
                    ),
                )
    return sorted(out, key=lambda x: x.ts_init)
