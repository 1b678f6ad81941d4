"""
Sustained recording throughput of ``BitgetRecorder`` (target: >= 20,000 book messages/s, one core).

Two measurements, written to ``bench/results.json`` key ``record_throughput`` (read-modify-write):

``full_path``
    ``bitget-nt sim`` in a subprocess at a high book rate (books + trades + candles for every
    default symbol) -> Bitget data client -> DataEngine -> ``BitgetRecorder`` -> Parquet catalog,
    all in this process. Reports book messages/s recorded, this process's CPU seconds per
    message (so the capacity on one core, ``msgs / cpu_s``) and peak RSS. The simulator's socket
    output caps the offered rate (see ``sim_ws_throughput``), so this is a floor, not a ceiling.
``recorder_core``
    The recorder alone on one core: ``on_order_book_deltas`` (buffering, resync detection) plus
    the writer thread (flatten, Arrow serialization, parquet, temp-then-rename), fed with
    pre-built ``OrderBookDeltas`` (3 levels each, like the simulator's updates) for 4 instruments,
    flushing in windows as in live. Reports messages/s end to end (until the last file is renamed)
    and peak RSS above the pre-built input.

Run: ``.venv/bin/python bench/record_throughput.py [--secs 8] [--messages 200000]``
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path


sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

# Importing the node first installs NautilusTrader's uvloop policy (nautilus_trader.system.kernel),
# exactly as in a live script that builds a TradingNode: the loop below is the loop users run.
from nautilus_trader.live.node import TradingNode


RESULTS = Path(__file__).resolve().parent / "results.json"
TARGET = 20_000.0
# (recording core, simulator core) when the machine has two cores to pin to
_PIN: tuple[int, int] | None = None


def rss_mb() -> float:
    """Current resident set size in MB (Linux /proc)."""
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6


def peak_rss_mb() -> float:
    """Peak resident set size of this process in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_secs() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# -- recorder core --------------------------------------------------------------------------------


def build_messages(n: int):
    from nautilus_trader.model.data import BookOrder
    from nautilus_trader.model.data import OrderBookDelta
    from nautilus_trader.model.data import OrderBookDeltas
    from nautilus_trader.model.enums import BookAction
    from nautilus_trader.model.enums import OrderSide
    from nautilus_trader.model.enums import RecordFlag
    from nautilus_trader.model.identifiers import InstrumentId
    from nautilus_trader.model.objects import Price
    from nautilus_trader.model.objects import Quantity

    ids = [
        InstrumentId.from_str(f"{s}-PERP.BITGET")
        for s in ("BTCUSDT", "ETHUSDT", "SOLUSDT", "XRPUSDT")
    ]
    t0 = time.time_ns()
    msgs = []
    for i in range(n):
        iid = ids[i % len(ids)]
        ts = t0 + i * 1000
        deltas = []
        for k in range(3):
            side = OrderSide.BUY if k % 2 == 0 else OrderSide.SELL
            px = Price(
                50_000.0 + (k + 1) * 0.1 * (1 if side == OrderSide.SELL else -1) + (i % 50) * 0.1, 1
            )
            order = BookOrder(side, px, Quantity(0.001 * (1 + (i + k) % 9), 3), 0)
            flags = RecordFlag.F_LAST if k == 2 else 0
            deltas.append(OrderBookDelta(iid, BookAction.UPDATE, order, flags, i, ts, ts))
        msgs.append(OrderBookDeltas(iid, deltas))
    return msgs


def bench_recorder_core(n: int, window: int) -> dict:
    from nautilus_trader.cache.cache import Cache
    from nautilus_trader.common.component import MessageBus
    from nautilus_trader.common.component import TestClock
    from nautilus_trader.model.identifiers import TraderId
    from nautilus_trader.portfolio.portfolio import Portfolio

    from nautilus_bitget.recorder.actor import BitgetRecorder
    from nautilus_bitget.recorder.actor import BitgetRecorderConfig

    tmp = tempfile.mkdtemp(prefix="bench-record-")
    try:
        msgs = build_messages(n)
        rss_input = rss_mb()
        clock = TestClock()
        msgbus = MessageBus(TraderId("BENCH-001"), clock)
        cache = Cache()
        portfolio = Portfolio(msgbus, cache, clock)
        rec = BitgetRecorder(BitgetRecorderConfig(catalog_path=tmp, session_id="bench"))
        rec.register_base(portfolio, msgbus, cache, clock)
        rec._executor = ThreadPoolExecutor(max_workers=1)
        handler = rec.on_order_book_deltas
        cpu0 = cpu_secs()
        start = time.perf_counter()
        for i, msg in enumerate(msgs):
            handler(msg)
            if (i + 1) % window == 0:
                rec.flush()  # hands the window to the writer thread (skips if it is behind)
        fed = time.perf_counter() - start
        rec.flush(wait=True)
        elapsed = time.perf_counter() - start
        cpu = cpu_secs() - cpu0
        rec._executor.shutdown()
        deltas = rec.writer.stats.rows
        assert deltas == 3 * n, (deltas, n)
        return {
            "messages": n,
            "deltas_per_message": 3,
            "flush_window_messages": window,
            "feed_only_msgs_per_sec": round(n / fed),
            "msgs_per_sec": round(n / elapsed),
            "cpu_secs": round(cpu, 3),
            "files": rec.writer.stats.files,
            "bytes": rec.writer.stats.bytes,
            "rss_input_mb": round(rss_input, 1),
            "peak_rss_mb": round(peak_rss_mb(), 1),
        }
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


# -- full path ------------------------------------------------------------------------------------


def _start_sim(rate: float) -> tuple[subprocess.Popen, dict[str, str]]:
    exe = Path(sys.executable).with_name("bitget-nt")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "nautilus_bitget.cli"]
    # a plain Popen: NautilusTrader installs an event loop policy without child watchers
    proc = subprocess.Popen(
        [*cmd, "sim", "--port", "0", "--rate", str(rate)], stdout=subprocess.PIPE, text=True
    )
    if _PIN is not None:
        os.sched_setaffinity(proc.pid, {_PIN[1]})  # the simulator gets the other core
    line = proc.stdout.readline()
    if not line.startswith("READY "):
        proc.kill()
        raise RuntimeError(f"unexpected first line: {line!r}")
    return proc, dict(part.split("=", 1) for part in line.split()[1:])


async def bench_full_path(rate: float, secs: float) -> dict:
    from nautilus_trader.config import InstrumentProviderConfig
    from nautilus_trader.config import LoggingConfig
    from nautilus_trader.config import TradingNodeConfig

    from nautilus_bitget.config import BitgetDataClientConfig
    from nautilus_bitget.constants import BitgetProductType
    from nautilus_bitget.factories import BitgetLiveDataClientFactory
    from nautilus_bitget.recorder.actor import BitgetRecorder
    from nautilus_bitget.recorder.actor import BitgetRecorderConfig

    rss_baseline = rss_mb()  # NautilusTrader and our modules imported, nothing running
    proc, urls = _start_sim(rate)
    tmp = tempfile.mkdtemp(prefix="bench-record-full-")
    try:
        config = TradingNodeConfig(
            trader_id="BENCH-001",
            logging=LoggingConfig(log_level="ERROR", log_colors=False),
            data_clients={
                "BITGET": BitgetDataClientConfig(
                    base_url_http=urls["http"],
                    base_url_ws_public=urls["ws_public"],
                    base_url_ws_private=urls["ws_private"],
                    product_types=tuple(BitgetProductType),
                    instrument_provider=InstrumentProviderConfig(load_all=True),
                    update_instruments_interval_mins=None,
                ),
            },
            timeout_connection=20.0,
            timeout_disconnection=3.0,
            timeout_post_stop=0.1,
        )
        node = TradingNode(config=config, loop=asyncio.get_running_loop())
        rec = BitgetRecorder(
            BitgetRecorderConfig(
                catalog_path=tmp,
                types=("book", "trade", "bar"),
                bar_intervals=("1m",),
                flush_interval_secs=2.0,
                session_id="bench",
            ),
        )
        node.trader.add_actor(rec)
        node.add_data_client_factory("BITGET", BitgetLiveDataClientFactory)
        node.build()
        task = asyncio.create_task(node.run_async())
        deadline = time.monotonic() + 30
        while rec.counts.get("OrderBookDelta", 0) < 100:
            if time.monotonic() > deadline:
                raise RuntimeError("no book data from the simulator")
            await asyncio.sleep(0.05)
        await asyncio.sleep(1.0)  # warm-up
        n0 = rec.counts.get("OrderBookDelta", 0)
        t0 = rec.counts.get("TradeTick", 0)
        cpu0 = cpu_secs()
        start = time.perf_counter()
        await asyncio.sleep(secs)
        elapsed = time.perf_counter() - start
        cpu = cpu_secs() - cpu0
        books = rec.counts.get("OrderBookDelta", 0) - n0
        trades = rec.counts.get("TradeTick", 0) - t0
        await node.stop_async()
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task
        return {
            "sim_book_rate_hz_per_symbol": rate,
            "offered_book_msgs_per_sec": round(rate * len(rec.instrument_ids)),
            "event_loop": type(asyncio.get_running_loop()).__module__.split(".")[0],
            "instruments": len(rec.instrument_ids),
            "seconds": round(elapsed, 2),
            "book_msgs_per_sec": round(books / elapsed),
            "trade_msgs_per_sec": round(trades / elapsed),
            "process_cpu_secs": round(cpu, 2),
            "cpu_utilisation": round(cpu / elapsed, 2),
            "capacity_book_msgs_per_cpu_sec": round(books / cpu) if cpu else None,
            "capacity_all_msgs_per_cpu_sec": round((books + trades) / cpu) if cpu else None,
            "rss_after_imports_mb": round(rss_baseline, 1),
            "rows_written": rec.writer.stats.rows,
            "flush_errors": rec.flush_errors,
            "peak_rss_mb": round(peak_rss_mb(), 1),
            "note": "simulator in its own process (other core); recording process on one core",
        }
    finally:
        proc.terminate()
        with contextlib.suppress(Exception):
            proc.wait(10)
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--secs", type=float, default=8.0)
    parser.add_argument("--rate", type=float, default=7000.0, help="sim book msgs/s per symbol")
    parser.add_argument("--messages", type=int, default=200_000)
    parser.add_argument("--window", type=int, default=50_000, help="messages per flush window")
    args = parser.parse_args()

    global _PIN
    cores = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    if len(cores) >= 2:
        _PIN = (cores[0], cores[1])
        os.sched_setaffinity(0, {_PIN[0]})  # this process (and its writer thread): one core

    # full path first: the core bench's pre-built input would dominate the peak RSS
    full = asyncio.run(bench_full_path(args.rate, args.secs))
    print("full_path:", json.dumps(full), flush=True)
    core = bench_recorder_core(args.messages, args.window)
    print("recorder_core:", json.dumps(core), flush=True)

    result = {
        "target_book_msgs_per_sec": TARGET,
        "recorder_core": core,
        "full_path": full,
        "meets_target_recorder_core": core["msgs_per_sec"] >= TARGET,
        "meets_target_full_path": full["book_msgs_per_sec"] >= TARGET,
        "full_path_capacity_meets_target": (full["capacity_book_msgs_per_cpu_sec"] or 0) >= TARGET,
        "pinned_cores": list(_PIN) if _PIN else None,
        "python": sys.version.split()[0],
        "ts": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    data = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    data["record_throughput"] = result
    RESULTS.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
