"""
Crash-safe, append-only writer of Nautilus objects into a ``ParquetDataCatalog``.

Files land exactly where ``ParquetDataCatalog.write_data`` would put them
(``<root>/data/<class>/<identifier>/<startISO>_<endISO>.parquet``, serialized by the catalog's own
Arrow serializer) but are written first into ``<root>/recorder/tmp/`` and then renamed into place,
so a reader (which only globs ``data/**/*.parquet``) never sees a partial file. A crash leaves at
most an orphan temp file outside ``data/``; ``cleanup_temp_files`` removes them on the next start.

Every file's ``[first.ts_init, last.ts_init]`` is strictly disjoint from every other file in its
directory (a shared boundary nanosecond counts as overlap in the catalog): items whose ``ts_init``
falls inside an interval already written are dropped and counted, and a chunk that straddles an
existing file is split around it. This is what makes restarts and backfills append cleanly.
"""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Iterable
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from dataclasses import field
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from fsspec.core import split_protocol
from nautilus_trader.core.data import Data
from nautilus_trader.model.data import CustomData
from nautilus_trader.model.data import OrderBookDeltas
from nautilus_trader.model.instruments import Instrument
from nautilus_trader.persistence.catalog import ParquetDataCatalog

from nautilus_bitget.compat import catalog_directory
from nautilus_bitget.compat import catalog_table
from nautilus_bitget.compat import filename_timestamps
from nautilus_bitget.compat import timestamps_to_filename


RECORDER_DIR = "recorder"
TMP_DIR = f"{RECORDER_DIR}/tmp"  # noqa: S108 - inside the catalog, not /tmp
TMP_SUFFIX = ".tmp"
SYNC_THREADS = 16  # fsyncs in flight during a group commit


def open_catalog(uri: str, storage_options: dict[str, Any] | None = None) -> ParquetDataCatalog:
    """
    Return the ``ParquetDataCatalog`` for a local path or an fsspec URI.

    Parameters
    ----------
    uri : str
        A local path or a URI such as ``s3://bucket/catalog``.
    storage_options : dict, optional
        fsspec storage options (for S3: ``endpoint_url``, ``key``, ``secret`` ...).

    Returns
    -------
    ParquetDataCatalog

    """
    protocol, path = split_protocol(uri)
    if protocol in (None, "file"):
        return ParquetDataCatalog.from_uri(path, fs_storage_options=storage_options or None)
    # Not ``from_uri``: it merges ``host=<bucket>`` into the options, which s3fs rejects.
    return ParquetDataCatalog(
        path=path,
        fs_protocol=protocol,
        fs_storage_options=storage_options or None,
        fs_rust_storage_options=rust_storage_options(protocol, storage_options),
    )


def rust_storage_options(protocol: str, options: dict[str, Any] | None) -> dict[str, Any] | None:
    """Translate s3fs-style options into the Rust object store's for catalog reads."""
    if not options or protocol not in ("s3", "s3a"):
        return options or None
    out: dict[str, Any] = {}
    endpoint = options.get("endpoint_url") or (options.get("client_kwargs") or {}).get(
        "endpoint_url",
    )
    if endpoint:
        out["endpoint_url"] = endpoint
        if endpoint.startswith("http://"):
            out["allow_http"] = "true"
    if options.get("key"):
        out["access_key_id"] = options["key"]
    if options.get("secret"):
        out["secret_access_key"] = options["secret"]
    region = (options.get("client_kwargs") or {}).get("region_name") or options.get("region")
    if region:
        out["region"] = region
    return out


def flatten(items: Iterable[Any]) -> list[Data]:
    """Unwrap ``CustomData`` and expand ``OrderBookDeltas`` into ``OrderBookDelta`` rows."""
    out: list[Data] = []
    for item in items:
        if isinstance(item, OrderBookDeltas):
            out.extend(item.deltas)
        elif isinstance(item, CustomData):
            out.append(item.data)
        else:
            out.append(item)
    return out


@dataclass
class WriteStats:
    """Counters of what a ``CatalogWriter`` did."""

    files: int = 0
    rows: int = 0
    bytes: int = 0
    dropped_overlap: int = 0
    temp_cleaned: int = 0
    rows_by_dir: dict[str, int] = field(default_factory=dict)


class CatalogWriter:
    """
    Append Nautilus data to a Parquet catalog in disjoint, atomically renamed files.

    One ``CatalogWriter`` per catalog and process: the interval index per directory is loaded from
    the file names once and then kept in memory. Methods are thread-safe (serialized by a lock),
    so they can run in an executor.

    Parameters
    ----------
    uri : str
        Catalog path or fsspec URI.
    storage_options : dict, optional
        fsspec storage options.
    temp_name : str, optional
        Keep temp files in ``recorder/tmp/<temp_name>/``: writers running at the same time into
        one catalog (``record --shard``) each clean up only their own.

    """

    def __init__(
        self,
        uri: str,
        storage_options: dict[str, Any] | None = None,
        temp_name: str | None = None,
    ) -> None:
        self.uri = uri
        self.catalog = open_catalog(uri, storage_options)
        self.fs = self.catalog.fs
        self.root = self.catalog.path.rstrip("/")
        self.is_local = self.catalog.fs_protocol == "file"
        self.stats = WriteStats()
        self.temp_dir = f"{self.root}/{TMP_DIR}" + (f"/{temp_name}" if temp_name else "")
        self._intervals: dict[str, list[tuple[int, int]]] = {}
        self._lock = threading.Lock()
        # group commit (``group()``): files written but not yet synced and renamed into place
        self._group: list[_Pending] | None = None
        self._syncer: ThreadPoolExecutor | None = None

    # -- housekeeping -----------------------------------------------------------------------------

    def cleanup_temp_files(self) -> int:
        """
        Remove temp files a crashed writer of the same name left; return how many were removed.

        Only this writer's temp directory, not its sub-directories: other shards' writers may be
        renaming theirs right now.
        """
        removed = 0
        if self.fs.exists(self.temp_dir):
            for path in self.fs.find(self.temp_dir, maxdepth=1):
                if path.endswith(TMP_SUFFIX):
                    self.fs.rm(path)
                    removed += 1
        self.stats.temp_cleaned += removed
        return removed

    def directory(self, data_cls: type, identifier: str | None) -> str:
        """Return the catalog directory of ``data_cls`` / ``identifier``."""
        return catalog_directory(self.catalog, data_cls, identifier)

    def intervals(self, directory: str) -> list[tuple[int, int]]:
        """Return the sorted ``(start, end)`` ts_init intervals of the files in ``directory``."""
        known = self._intervals.get(directory)
        if known is None:
            known = []
            if self.fs.exists(directory):
                for path in self.fs.glob(f"{directory}/*.parquet"):
                    interval = filename_timestamps(path)
                    if interval is not None:
                        known.append(interval)
            known.sort()
            self._intervals[directory] = known
        return known

    def last_ts(self, data_cls: type, identifier: str | None) -> int | None:
        """Return the largest ts_init already written for ``data_cls`` / ``identifier``."""
        known = self.intervals(self.directory(data_cls, identifier))
        return max(end for _, end in known) if known else None

    # -- writing ----------------------------------------------------------------------------------

    @contextmanager
    def group(self) -> Iterator[None]:
        """
        Commit every file written inside the block together (local catalogs).

        Files are written to temp first, then synced side by side on a small thread pool, then
        renamed into place, then their directories synced: one flush of a whole venue is
        thousands of small files, and one fsync after another made the disk, not the CPU, the
        limit. A file is renamed only after its data is synced, as without a group. If the block
        or the commit fails, the files not yet in place are removed and their intervals
        forgotten; the error propagates. Object stores commit each file as it is written.
        """
        if not self.is_local or self._group is not None:
            yield
            return
        self._group = []
        try:
            yield
            self._commit(self._group)
        except BaseException:
            self._rollback(self._group)
            raise
        finally:
            self._group = None

    def write(self, data_cls: type, identifier: str | None, items: list[Data]) -> list[str]:
        """
        Write ``items`` (one class, one identifier) as one or more new files.

        Parameters
        ----------
        data_cls : type
            The class the rows are serialized as (``OrderBookDelta`` for book deltas, the inner
            class for custom data).
        identifier : str or None
            Instrument id or bar type string (the catalog sub-directory).
        items : list[Data]
            Rows; sorted here (stable) by ts_init.

        Returns
        -------
        list[str]
            The paths written.

        """
        if not items:
            return []
        items = sorted(items, key=_ts_init)  # stable: keeps book message order at equal ts
        with self._lock:
            directory = self.directory(data_cls, identifier)
            known = self.intervals(directory)
            written = []
            for run in self._runs_outside(items, known):
                written.append(self._write_file(data_cls, directory, run))
                known.append((run[0].ts_init, run[-1].ts_init))
                known.sort()
            return written

    def write_instrument(self, instrument: Instrument) -> str | None:
        """Write ``instrument`` unless an identical definition is already in the catalog."""
        with self._lock:
            # A fresh instrument directory needs no catalog query (whole-venue starts write
            # hundreds of definitions)
            directory = self.directory(type(instrument), instrument.id.value)
            known = self.intervals(directory)
            existing = (
                self.catalog.instruments(instrument_ids=[instrument.id.value]) if known else []
            )
        if existing and _same_instrument(existing[-1], instrument):
            return None
        paths = self.write(type(instrument), instrument.id.value, [instrument])
        return paths[0] if paths else None

    def _runs_outside(self, items: list[Data], known: list[tuple[int, int]]) -> list[list[Data]]:
        runs: list[list[Data]] = []
        current: list[Data] = []
        j = 0
        n = len(known)
        for item in items:
            ts = item.ts_init
            while j < n and known[j][1] < ts:
                j += 1
                if current:  # an existing file lies between the previous item and this one
                    prev = current[-1].ts_init
                    if known[j - 1][0] > prev:
                        runs.append(current)
                        current = []
            if j < n and known[j][0] <= ts <= known[j][1]:
                self.stats.dropped_overlap += 1
                if current:
                    runs.append(current)
                    current = []
                continue
            current.append(item)
        if current:
            runs.append(current)
        return runs

    def _write_file(self, data_cls: type, directory: str, rows: list[Data]) -> str:
        table: pa.Table = catalog_table(self.catalog, rows, data_cls)
        final = f"{directory}/{timestamps_to_filename(rows[0].ts_init, rows[-1].ts_init)}"
        tmp_dir = self.temp_dir
        tmp = f"{tmp_dir}/{uuid.uuid4().hex}.parquet{TMP_SUFFIX}"
        self.fs.mkdirs(tmp_dir, exist_ok=True)
        self.fs.mkdirs(directory, exist_ok=True)
        if self.is_local:
            pq.write_table(table, tmp, row_group_size=self.catalog.max_rows_per_group)
            size = os.path.getsize(tmp)
            if self._group is not None:
                interval = (rows[0].ts_init, rows[-1].ts_init)
                self._group.append(_Pending(tmp, final, directory, interval, len(rows), size))
                return final
            _fsync_file(tmp)
            os.replace(tmp, final)  # atomic on one file system
            _fsync_dir(directory)
        else:
            # Object stores: an object becomes visible only when its upload completes, so the
            # copy into place is atomic for readers.
            pq.write_table(
                table,
                tmp,
                filesystem=self.fs,
                row_group_size=self.catalog.max_rows_per_group,
            )
            size = int(self.fs.size(tmp))
            self.fs.mv(tmp, final)
        self.stats.files += 1
        self.stats.rows += len(rows)
        self.stats.bytes += size
        self.stats.rows_by_dir[directory] = self.stats.rows_by_dir.get(directory, 0) + len(rows)
        return final

    def _commit(self, pending: list[_Pending]) -> None:
        if not pending:
            return
        if self._syncer is None:
            self._syncer = ThreadPoolExecutor(SYNC_THREADS, thread_name_prefix="catalog-fsync")
        list(self._syncer.map(_fsync_file, [p.tmp for p in pending]))
        directories = sorted({p.directory for p in pending})
        for p in list(pending):
            os.replace(p.tmp, p.final)  # atomic on one file system
            pending.remove(p)  # in place: a failure below rolls back only the rest
            self.stats.files += 1
            self.stats.rows += p.rows
            self.stats.bytes += p.size
            by_dir = self.stats.rows_by_dir
            by_dir[p.directory] = by_dir.get(p.directory, 0) + p.rows
        list(self._syncer.map(_fsync_dir, directories))

    def _rollback(self, pending: list[_Pending]) -> None:
        with self._lock:
            for p in pending:
                known = self._intervals.get(p.directory)
                if known is not None and p.interval in known:
                    known.remove(p.interval)
                try:
                    os.remove(p.tmp)
                except OSError:
                    pass


@dataclass(frozen=True)
class _Pending:
    """A file of an open group: written to ``tmp``, not yet synced and renamed to ``final``."""

    tmp: str
    final: str
    directory: str
    interval: tuple[int, int]
    rows: int
    size: int


def _ts_init(item: Data) -> int:
    return item.ts_init


def _fsync_file(path: str) -> None:
    with open(path, "rb+") as f:
        os.fsync(f.fileno())


def _fsync_dir(directory: str) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _same_instrument(a: Instrument, b: Instrument) -> bool:
    da = type(a).to_dict(a)
    db = type(b).to_dict(b)
    for key in ("ts_event", "ts_init"):
        da.pop(key, None)
        db.pop(key, None)
    return da == db
