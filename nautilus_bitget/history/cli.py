"""
``bitget-nt download`` and ``bitget-nt import-tardis`` (options in ``history.args``).

Bad input (unknown or non-perpetual symbol, end before start, a range the venue does not keep, a
candle interval Bitget does not have, a file that is not a ``bitget-futures`` Tardis CSV) raises
``HistoryInputError`` before anything is written: one line, exit code 2. A run that fails part-way
(the venue keeps failing after retries) says so, keeps what it wrote and exits 1; the next run
continues where it stopped.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from typing import Any

from nautilus_bitget.history.progress import Progress
from nautilus_bitget.history.sink import HistoryManifest
from nautilus_bitget.history.sink import HistoryWriter
from nautilus_bitget.history.sink import new_session_id
from nautilus_bitget.history.venue import HistoryInputError
from nautilus_bitget.history.venue import ResolvedInstrument
from nautilus_bitget.history.venue import Venue
from nautilus_bitget.recorder.cli import storage_options_from_env


def _rate(rows: int, secs: float) -> str:
    return f"{rows / secs:,.0f} rows/s" if secs > 0 else "-"


# -- import-tardis --------------------------------------------------------------------------------


def run_import(args: argparse.Namespace) -> int:
    """Run ``bitget-nt import-tardis``; return the exit code."""
    progress = False if getattr(args, "quiet", False) else None
    return asyncio.run(
        import_tardis(args.catalog, args.files, args.env, args.http_url, progress=progress)
    )


async def import_tardis(
    catalog: str,
    files: list[str],
    env: str = "live",
    http_url: str | None = None,
    *,
    progress: bool | None = None,
    chunk_rows: int | None = None,
    session_id: str | None = None,
) -> int:
    """
    Import Tardis files into ``catalog``; return the exit code (see the module docstring).

    Raises
    ------
    HistoryInputError
        On bad input, before anything is written.

    """
    from nautilus_bitget.history.tardis import TardisFile
    from nautilus_bitget.history.tardis import TardisImporter
    from nautilus_bitget.history.tardis import inspect_file

    inspected = [(path, *inspect_file(path)) for path in files]
    symbols = sorted({symbol for _, _, symbol in inspected if symbol})
    async with Venue(env, http_url) as venue:
        resolved: dict[str, ResolvedInstrument] = {}
        for symbol in symbols:
            resolved[symbol] = await venue.resolve(symbol)
        items = [
            TardisFile(path, kind, symbol or "", resolved.get(symbol) if symbol else None)
            for path, kind, symbol in inspected
        ]
        loop = asyncio.get_running_loop()

        def resolve_extra(symbol: str) -> ResolvedInstrument | None:
            future = asyncio.run_coroutine_threadsafe(venue.resolve(symbol), loop)
            try:
                return future.result(timeout=60)
            except HistoryInputError:
                return None

        manifest = HistoryManifest(
            session_id=session_id or new_session_id("import-tardis"),
            catalog=catalog,
            kind="import-tardis",
        )
        manifest.started_ns = time.time_ns()
        manifest.symbols = symbols
        manifest.sources = [{"file": p, "type": k, "symbol": s} for p, k, s in inspected]
        out = HistoryWriter(catalog, manifest, storage_options_from_env())
        t0 = time.perf_counter()
        with Progress(progress) as bar:
            for item in items:
                bar.add(item.path, f"{item.kind} {item.symbol}".strip())

            def on_progress(path: str, rows_read: int, _written: int) -> None:
                bar.update(path, rows=rows_read)

            importer = TardisImporter(out, chunk_rows=chunk_rows, on_progress=on_progress)

            def work() -> list[Any]:
                results = []
                for item in items:
                    result = importer.import_file(item, resolve_extra)
                    results.append(result)
                    bar.done(item.path, note=f"{_rate(result.rows_read, result.seconds)}")
                    out.save_manifest()
                return results

            results = await asyncio.to_thread(work)
        secs = time.perf_counter() - t0
        types = sorted({t for r in results for t in r.rows_written})
        manifest.types = types
        manifest.stopped_ns = time.time_ns()
        manifest.clean_stop = True
        manifest.completed = True
        out.save_manifest()
    read = sum(r.rows_read for r in results)
    written: dict[str, int] = {}
    for r in results:
        for t, n in r.rows_written.items():
            written[t] = written.get(t, 0) + n
    already = sum(r.skipped.get("rows already in the catalog", 0) for r in results)
    detail = ", ".join(f"{t} {n:,}" for t, n in sorted(written.items())) or "nothing new"
    print(
        f"imported {len(results)} file(s) into {catalog}: {read:,} rows read in {secs:.1f}s "
        f"({_rate(read, secs)}) -> {detail}; {already:,} already in the catalog; "
        f"manifest recorder/sessions/{manifest.session_id}.json",
        file=sys.stderr,
        flush=True,
    )
    return 0


# -- download -------------------------------------------------------------------------------------


def run_download(args: argparse.Namespace) -> int:
    """Run ``bitget-nt download``; return the exit code."""
    try:
        return asyncio.run(
            download(
                args.catalog,
                args.symbols,
                args.start,
                args.end,
                args.types,
                args.env,
                args.http_url,
                progress=False if getattr(args, "quiet", False) else None,
            ),
        )
    except KeyboardInterrupt:
        print(
            "bitget-nt download: interrupted; what was fetched is in the catalog, run the same "
            "command again to continue",
            file=sys.stderr,
        )
        return 130


def parse_symbols(text: str) -> list[str]:
    """Return the symbols of ``--symbols`` (``BTCUSDT,ETHUSDT``)."""
    symbols = list(dict.fromkeys(s.strip().upper() for s in text.split(",") if s.strip()))
    if not symbols:
        raise HistoryInputError("--symbols: give e.g. BTCUSDT,ETHUSDT")
    return symbols


async def download(
    catalog: str,
    symbols_text: str,
    start: str,
    end: str | None,
    types_text: str = "bars:1m,funding",
    env: str = "live",
    http_url: str | None = None,
    *,
    progress: bool | None = None,
    session_id: str | None = None,
    concurrency: int = 4,
) -> int:
    """
    Download history into ``catalog``; return the exit code (0 complete, 1 a task failed).

    Raises
    ------
    HistoryInputError
        On bad input, before anything is written.

    """
    from nautilus_bitget.history.download import MS
    from nautilus_bitget.history.download import Downloader
    from nautilus_bitget.history.download import TaskState
    from nautilus_bitget.history.download import check_range
    from nautilus_bitget.history.download import iso_day
    from nautilus_bitget.history.download import parse_time
    from nautilus_bitget.history.download import parse_types

    types = parse_types(types_text)
    symbols = parse_symbols(symbols_text)
    start_ns = parse_time(start, "--start")
    end_ns = parse_time(end, "--end") if end else None
    async with Venue(env, http_url) as venue:
        now_ns = venue.now_ms() * MS
        end_ns = check_range(start_ns, end_ns if end_ns is not None else now_ns, now_ns, types)
        resolved = [await venue.resolve(symbol) for symbol in symbols]
        manifest = HistoryManifest(
            session_id=session_id or new_session_id("download"),
            catalog=catalog,
            kind="download",
        )
        manifest.started_ns = time.time_ns()
        manifest.symbols = symbols
        manifest.types = [t.name for t in types]
        manifest.sources = [
            {
                "env": env,
                "http_url": http_url or "",
                "start_ns": start_ns,
                "end_ns": end_ns,
                "start_iso": iso_day(start_ns),
                "end_iso": iso_day(end_ns),
                "types": [t.name for t in types],
            },
        ]
        out = HistoryWriter(catalog, manifest, storage_options_from_env())
        for r in resolved:
            await asyncio.to_thread(out.write_instrument, r.instrument)
        states = [
            (r, TaskState(f"{r.symbol} {t.name}", r.symbol, t)) for r in resolved for t in types
        ]
        t0 = time.perf_counter()
        with Progress(progress) as bar:
            for _, state in states:
                bar.add(state.key, state.key, total=1.0)

            def on_progress(state: TaskState) -> None:
                frac = state.done_ns / state.want_ns if state.want_ns else 0.0
                bar.update(
                    state.key,
                    rows=state.rows,
                    completed=min(frac, 1.0),
                    first_ns=state.first_ns,
                    last_ns=state.last_ns,
                )

            downloader = Downloader(
                venue.market, out, start_ns, end_ns, venue.now_ms, on_progress=on_progress
            )
            gate = asyncio.Semaphore(concurrency)

            async def one(r: ResolvedInstrument, state: TaskState) -> None:
                async with gate:
                    await downloader.run_task(r, state)
                    note = "error" if state.error else ("already there" if state.already else None)
                    bar.done(state.key, note=note)
                    await asyncio.to_thread(out.save_manifest)

            try:
                await asyncio.gather(*(one(r, s) for r, s in states))
            finally:
                manifest.stopped_ns = time.time_ns()
                failed = [s for _, s in states if s.error]
                manifest.completed = all(s.finished for _, s in states)
                manifest.clean_stop = True
                await asyncio.to_thread(out.save_manifest)
        secs = time.perf_counter() - t0
    written: dict[str, int] = {}
    for (type_name, _), cov in manifest.coverage.items():
        written[type_name] = written.get(type_name, 0) + cov.count
    total = sum(written.values())
    requests = sum(s.requests for _, s in states)
    detail = ", ".join(f"{t} {n:,}" for t, n in sorted(written.items())) or "nothing new"
    print(
        f"downloaded {','.join(symbols)} {iso_day(start_ns)}..{iso_day(end_ns)} into {catalog}: "
        f"{detail} in {secs:.1f}s ({_rate(total, secs)}, {requests} paged calls); "
        f"{out.writer.stats.dropped_overlap:,} already there; venue gaps {len(manifest.gaps)}; "
        f"manifest recorder/sessions/{manifest.session_id}.json",
        file=sys.stderr,
        flush=True,
    )
    for _, state in states:
        if state.error:
            print(f"bitget-nt download: {state.key} failed: {state.error}", file=sys.stderr)
    return 1 if failed else 0
