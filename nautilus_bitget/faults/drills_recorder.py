"""
Recorder drills: ``bitget-nt record`` killed with SIGKILL, and a disk write failure during a
flush. The catalog must stay readable, the loss stay within one flush window, and a write failure
give a clear error.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from typing import Any

from nautilus_bitget.faults.harness import BTC
from nautilus_bitget.faults.harness import captured_fds
from nautilus_bitget.faults.harness import data_node
from nautilus_bitget.faults.harness import sim_running
from nautilus_bitget.faults.harness import wait_for
from nautilus_bitget.faults.result import Drill
from nautilus_bitget.faults.result import failed


SLACK_SECS = 0.5  # time to write and rename one flush


def _read_book_ts(catalog: str) -> list[int]:
    """Return the sorted ts_init of every book delta in the catalog (proves it is readable)."""
    from nautilus_trader.persistence.catalog import ParquetDataCatalog

    cat = ParquetDataCatalog(catalog)
    deltas = cat.order_book_deltas(instrument_ids=[BTC.value])
    return sorted(d.ts_init for d in deltas)


def _count_files(directory: str) -> int:
    return len(os.listdir(directory)) if os.path.isdir(directory) else 0


def _replace_dir_with_file(directory: str) -> None:
    shutil.rmtree(directory)
    with open(directory, "wb") as f:
        f.write(b"not a directory")


def _from(line: str, marker: str) -> str:
    i = line.lower().find(marker)
    return line[i:].strip() if i >= 0 else line.strip()


def _max_gap_secs(ts: list[int]) -> float:
    return max((b - a for a, b in itertools.pairwise(ts)), default=0) / 1e9


async def drill_recorder_sigkill() -> Drill:
    """``bitget-nt record --env sim`` killed with SIGKILL mid-run."""
    name = "recorder killed with SIGKILL"
    flush = 1.0
    expected = f"catalog readable, loss <= one flush window ({flush:g} s)"
    start = time.monotonic()
    catalog = tempfile.mkdtemp(prefix="bitget-faults-kill-")
    try:
        proc = subprocess.Popen(  # noqa: S603, ASYNC220 - our own CLI, polled below
            [
                sys.executable,
                "-m",
                "nautilus_bitget.cli",
                "record",
                "--symbols",
                "BTCUSDT",
                "--catalog",
                catalog,
                "--env",
                "sim",
                "--flush-secs",
                str(flush),
                "--bars",
                "",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=dict(os.environ, BITGET_NT_LOG_LEVEL="ERROR"),
        )
        try:
            book_dir = os.path.join(catalog, "data", "order_book_deltas")
            await wait_for(
                lambda: os.path.isdir(book_dir) or proc.poll() is not None,
                60.0,
                "first book file",
            )
            if proc.poll() is not None:
                raise RuntimeError(f"recorder exited early with {proc.returncode}")
            await asyncio.sleep(2.7)  # mid-flush-interval
            kill_ns = time.time_ns()
            proc.send_signal(signal.SIGKILL)
            proc.wait(10)
        finally:
            if proc.poll() is None:
                proc.kill()
        ts = _read_book_ts(catalog)
        loss = (kill_ns - ts[-1]) / 1e9 if ts else float("inf")
        tmp_left = _count_files(os.path.join(catalog, "recorder", "tmp"))
    except Exception as e:
        return failed(name, expected, e)
    finally:
        shutil.rmtree(catalog, ignore_errors=True)
    ok = loss <= flush + SLACK_SECS
    observed = (
        f"catalog readable: {len(ts)} book rows, max gap {_max_gap_secs(ts):.2f}s; last row "
        f"{loss:.2f}s before the kill; {tmp_left} orphan temp file(s) outside data/"
    )
    return Drill(name, expected, observed, 0 if ok else 1, ok, time.monotonic() - start)


async def drill_recorder_disk_failure() -> Drill:
    """The file system refuses one flush (temp directory unusable), then recovers."""
    name = "recorder disk write failure"
    flush = 0.5
    expected = f"clear error, catalog readable, loss <= one flush window ({flush:g} s)"
    start = time.monotonic()
    catalog = tempfile.mkdtemp(prefix="bitget-faults-disk-")
    tmp_dir = os.path.join(catalog, "recorder", "tmp")
    try:
        with captured_fds() as out:
            async with sim_running() as sim:
                async with data_node(sim, catalog=catalog, flush_secs=flush) as (_n, _w, _c, rec):
                    await wait_for(lambda: rec.writer.stats.files > 0, 10.0, "first flush")
                    await asyncio.sleep(1.0)
                    files_before = rec.writer.stats.files
                    # the disk fails: the temp directory becomes a plain file (ENOTDIR/EEXIST)
                    _replace_dir_with_file(tmp_dir)
                    fail_ns = time.time_ns()
                    await wait_for(lambda: rec.flush_errors >= 1, 5.0, "a failed flush")
                    os.remove(tmp_dir)  # the disk recovers
                    ok_ns = time.time_ns()
                    files_mid = rec.writer.stats.files
                    await wait_for(lambda: rec.writer.stats.files > files_mid, 5.0, "next flush")
                    await asyncio.sleep(1.0)
                    received = rec.counts.get("OrderBookDelta", 0)
                flush_errors = rec.flush_errors
        log = out[0] if out else ""
        ts = _read_book_ts(catalog)
    except Exception as e:
        return failed(name, expected, e)
    finally:
        shutil.rmtree(catalog, ignore_errors=True)
    errors = [line for line in log.splitlines() if "flush failed" in line.lower()]
    gap = _max_gap_secs(ts)
    window = (ok_ns - fail_ns) / 1e9
    clear = bool(errors) and ("recorder/tmp" in errors[0] or "No space" in errors[0])
    ok = clear and gap <= flush + SLACK_SECS and files_before > 0
    observed = (
        f"flush errors {flush_errors}; error: "
        f"{_from(errors[0], 'recorder flush failed')[:170] if errors else 'none logged'}; catalog "
        f"readable, {len(ts)} rows; largest hole {gap:.2f}s (failure lasted {window:.2f}s); "
        f"{received} book messages received"
    )
    return Drill(
        name,
        expected,
        observed,
        0 if gap <= flush + SLACK_SECS else 1,
        ok,
        time.monotonic() - start,
    )


DRILLS: list[Any] = [drill_recorder_sigkill, drill_recorder_disk_failure]
