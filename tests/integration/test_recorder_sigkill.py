"""
``bitget-nt record --env sim`` killed with SIGKILL mid-run: the catalog reads cleanly, the loss is
within one flush window, and a second run appends to the same catalog.
"""

from __future__ import annotations

import itertools
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from nautilus_trader.model.data import OrderBookDelta
from nautilus_trader.model.data import QuoteTick
from nautilus_trader.model.data import TradeTick
from nautilus_trader.persistence.catalog import ParquetDataCatalog

from nautilus_bitget.compat import filename_timestamps
from nautilus_bitget.recorder.writer import TMP_DIR


BTC = "BTCUSDT-PERP.BITGET"
FLUSH_SECS = 1.0
SEC = 1_000_000_000


def record_cmd(catalog: Path, *extra: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "nautilus_bitget.cli",
        "record",
        "--env",
        "sim",
        "--symbols",
        "BTCUSDT",
        "--catalog",
        str(catalog),
        "--flush-secs",
        str(FLUSH_SECS),
        *extra,
    ]


def _env() -> dict[str, str]:
    return {**os.environ, "BITGET_NT_LOG_LEVEL": "WARNING", "BITGET_NT_STATUS": "0"}


def delta_files(catalog: Path) -> list[Path]:
    return sorted((catalog / "data/order_book_deltas" / BTC).glob("*.parquet"))


def assert_disjoint(directory: Path) -> None:
    intervals = sorted(filename_timestamps(str(p)) for p in directory.glob("*.parquet"))
    for a, b in itertools.pairwise(intervals):
        assert a[1] < b[0], f"overlapping files in {directory}: {a} {b}"


def test_sigkill_loses_at_most_one_flush_and_restart_appends(tmp_path) -> None:
    catalog = tmp_path / "catalog"
    proc = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        record_cmd(catalog),
        env=_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 40
        while len(delta_files(catalog)) < 3:  # a few flushes happened
            assert proc.poll() is None, proc.stderr.read().decode()[-2000:]
            assert time.monotonic() < deadline, "recorder wrote no files"
            time.sleep(0.05)
        time.sleep(FLUSH_SECS * 1.6)  # kill somewhere inside a flush window
        kill_ns = time.time_ns()
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
        proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL

    # the catalog reads cleanly with a fresh reader; every file is complete
    cat = ParquetDataCatalog(str(catalog))
    assert [i.id.value for i in cat.instruments(instrument_ids=[BTC])] == [BTC]
    deltas = cat.order_book_deltas(instrument_ids=[BTC])
    quotes = cat.quote_ticks(instrument_ids=[BTC])
    assert deltas and quotes
    for rows in (deltas, quotes, cat.trade_ticks(instrument_ids=[BTC])):
        ts = [r.ts_init for r in rows]
        assert ts == sorted(ts)
    assert_disjoint(catalog / "data/order_book_deltas" / BTC)
    # a batched read starts from a snapshot and ends on a complete message (F_LAST)
    batched = cat.order_book_deltas(instrument_ids=[BTC], batched=True)
    assert batched[0].is_snapshot
    assert sum(len(b.deltas) for b in batched) == len(deltas)

    # loss within one flush window: what was written reaches to within one window of the kill
    # (plus the time a flush takes to serialize and rename, allowed 0.5 s on a loaded machine)
    last_written = max(deltas[-1].ts_init, quotes[-1].ts_init)
    loss_secs = (kill_ns - last_written) / SEC
    print(f"SIGKILL: data written up to {loss_secs:.3f}s before the kill")
    assert 0 <= loss_secs <= FLUSH_SECS + 0.5, f"lost {loss_secs:.3f}s of data"

    # a crash mid-write would leave a partial temp file: invisible to readers, cleaned on restart
    tmp_dir = catalog / TMP_DIR
    tmp_dir.mkdir(parents=True, exist_ok=True)
    (tmp_dir / "crashed.parquet.tmp").write_bytes(b"PAR1 partial")
    assert len(ParquetDataCatalog(str(catalog)).order_book_deltas(instrument_ids=[BTC])) == len(
        deltas,
    )

    # a second run appends to the same catalog without overlap errors
    second = subprocess.run(  # noqa: S603 - our own interpreter and module
        record_cmd(catalog, "--duration", "4"),
        env=_env(),
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert second.returncode == 0, second.stderr.decode()[-3000:]
    assert not list(tmp_dir.glob("*.tmp"))
    cat = ParquetDataCatalog(str(catalog))
    after = cat.order_book_deltas(instrument_ids=[BTC])
    assert len(after) > len(deltas)
    assert after[: len(deltas)] == deltas  # the first run's data is untouched
    assert after[len(deltas)].ts_init > deltas[-1].ts_init
    for cls, directory in (
        (OrderBookDelta, "order_book_deltas"),
        (QuoteTick, "quote_tick"),
        (TradeTick, "trade_tick"),
    ):
        rows = cat.query(cls, identifiers=[BTC])
        assert [r.ts_init for r in rows] == sorted(r.ts_init for r in rows)
        assert_disjoint(catalog / "data" / directory / BTC)
    manifests = [json.loads(p.read_text()) for p in (catalog / "recorder/sessions").glob("*.json")]
    assert len(manifests) == 2
    clean = [m for m in manifests if m["clean_stop"]]
    assert len(clean) == 1
    assert clean[0]["temp_files_cleaned"] == 1
    assert clean[0]["rows_dropped_overlap"] == 0


def test_sigterm_flushes_everything_before_exit(tmp_path) -> None:
    catalog = tmp_path / "catalog"
    proc = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [*record_cmd(catalog), "--flush-secs", "30"],  # no timed flush: only the stop flushes
        env=_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        manifest_dir = catalog / "recorder/sessions"
        deadline = time.monotonic() + 40
        while not list((catalog / "data").glob("crypto_perpetual/*/*.parquet")):
            assert proc.poll() is None, proc.stderr.read().decode()[-2000:]
            assert time.monotonic() < deadline, "recorder did not start"
            time.sleep(0.05)
        time.sleep(2.0)
        assert not delta_files(catalog)  # nothing flushed yet
        term_ns = time.time_ns()
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
        proc.stderr.close()
    assert proc.returncode == 0
    deltas = ParquetDataCatalog(str(catalog)).order_book_deltas(instrument_ids=[BTC])
    assert deltas and abs(term_ns - deltas[-1].ts_init) < 0.5 * SEC
    (manifest,) = [json.loads(p.read_text()) for p in manifest_dir.glob("*.json")]
    assert manifest["clean_stop"] is True
