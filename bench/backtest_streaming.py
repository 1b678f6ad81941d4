"""
Backtests at history scale: ``bitget-nt backtest`` streams a catalog of >= 10M order book deltas.

A generated BTCUSDT-PERP.BITGET L2 catalog (a 25-level snapshot, then updates of 1-3 deltas every
10 ms; ~9 hours per 10M deltas) is cached under the temp folder (``bitget-nt-bench/``); it is
written once as a 1M-delta block, then copied with shifted timestamps through Arrow (seconds, not
minutes). Side by side, each in its own process on the same data with the same trivial strategy
(it counts the deltas it receives):

``ours``
    ``run_backtest`` (what ``bitget-nt backtest`` runs): ``StreamingBacktestNode`` with the
    default chunk size, deltas re-batched per update, the equity sampler and funding module on.
``bare``
    a bare ``BacktestEngine`` (L2 venue, the instrument, the strategy) fed by
    ``add_data_iterator`` from the same Rust catalog session, chunk by chunk (single deltas).

Reports deltas/s of both (wall time of the whole run, catalog open included), peak RSS of ours
(target < 3 GB) and the throughput ratio bare/ours (target <= 1.25). Merges
``{"backtest_streaming": {...}}`` into ``bench/results.json``.

Run: ``.venv/bin/python bench/backtest_streaming.py [--deltas 10000000]``
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from nautilus_trader.config import StrategyConfig
from nautilus_trader.trading.strategy import Strategy


ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "results.json"
IID = "BTCUSDT-PERP.BITGET"
BLOCK = 1_000_000
T0 = 1_793_491_200_000_000_000  # 2026-11-01T00:00:00Z
STEP_NS = 10_000_000
TARGET_RSS_MB = 3072
TARGET_RATIO = 1.25


class DeltaCounterConfig(StrategyConfig, frozen=True):
    """Config of the trivial strategy: the instrument whose deltas it counts."""

    instrument_id: str


class DeltaCounter(Strategy):
    """The trivial strategy of both runs: subscribes to the book deltas and counts them."""

    def __init__(self, config: DeltaCounterConfig) -> None:
        super().__init__(config)
        self.deltas = 0

    def on_start(self) -> None:
        from nautilus_trader.model.identifiers import InstrumentId

        self.subscribe_order_book_deltas(InstrumentId.from_str(self.config.instrument_id))

    def on_order_book_deltas(self, deltas) -> None:
        self.deltas += len(deltas.deltas) if hasattr(deltas, "deltas") else 1


def _block(instrument, rng: random.Random) -> list:
    """Return BLOCK deltas: a 25-level snapshot, then small uncrossed updates."""
    from nautilus_trader.model.data import BookOrder
    from nautilus_trader.model.data import OrderBookDelta
    from nautilus_trader.model.enums import BookAction
    from nautilus_trader.model.enums import OrderSide
    from nautilus_trader.model.enums import RecordFlag
    from nautilus_trader.model.objects import Price
    from nautilus_trader.model.objects import Quantity

    iid = instrument.id
    last, snap = int(RecordFlag.F_LAST), int(RecordFlag.F_SNAPSHOT)
    prices = [Price(t / 10, 1) for t in range(590_000, 610_000)]  # ticks of 0.1
    sizes = [Quantity(s / 10_000, 4) for s in range(1, 50_001, 7)]

    def order(side, tick):
        return BookOrder(side, prices[tick - 590_000], rng.choice(sizes), 0)

    mid = 600_000
    bids, asks = list(range(mid - 1, mid - 26, -1)), list(range(mid + 1, mid + 26))
    ts = T0
    out = [OrderBookDelta(iid, BookAction.CLEAR, None, snap, 0, ts, ts)]
    levels = [(OrderSide.BUY, t) for t in bids] + [(OrderSide.SELL, t) for t in asks]
    for j, (side, tick) in enumerate(levels):
        flags = snap | (last if j == len(levels) - 1 else 0)
        out.append(OrderBookDelta(iid, BookAction.ADD, order(side, tick), flags, 0, ts, ts))
    while len(out) < BLOCK:
        ts += STEP_NS
        ops = []
        if rng.random() < 0.25 and 595_000 < mid < 605_000:  # the touch moves one tick
            if rng.random() < 0.5:
                gone, new, keep = asks.pop(0), asks[-1] + 1, (OrderSide.SELL, OrderSide.BUY)
                asks.append(new)
                bids.insert(0, gone)
                bids.pop()
                mid += 1
            else:
                gone, new, keep = bids.pop(0), bids[-1] - 1, (OrderSide.BUY, OrderSide.SELL)
                bids.append(new)
                asks.insert(0, gone)
                asks.pop()
                mid -= 1
            ops.append((BookAction.DELETE, keep[0], gone))
            ops.append((BookAction.ADD, keep[1], gone))
        else:
            for _ in range(rng.randint(1, 3)):
                side = rng.choice((OrderSide.BUY, OrderSide.SELL))
                tick = rng.choice(bids[:10] if side == OrderSide.BUY else asks[:10])
                ops.append((BookAction.UPDATE, side, tick))
        for k, (action, side, tick) in enumerate(ops):
            flags = last if k == len(ops) - 1 else 0
            out.append(OrderBookDelta(iid, action, order(side, tick), flags, 0, ts, ts))
    while not out[-1].flags & last:  # end on a whole update
        out.pop()
    return out


def ensure_catalog(path: Path, deltas: int) -> int:
    """Build (once) a catalog of about ``deltas`` deltas at ``path``; return the exact count."""
    marker = path / "bench-deltas.json"
    if marker.exists():
        saved = json.loads(marker.read_text())
        if saved["requested"] == deltas:
            return saved["deltas"]
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq
    from nautilus_trader.persistence.catalog import ParquetDataCatalog
    from nautilus_trader.persistence.catalog.parquet import _timestamps_to_filename

    from tests.instruments import btcusdt_perp

    shutil.rmtree(path, ignore_errors=True)
    t0 = time.perf_counter()
    catalog = ParquetDataCatalog(str(path))
    instrument = btcusdt_perp(ts_event=T0, ts_init=T0)
    catalog.write_data([instrument])
    block = _block(instrument, random.Random(11))
    catalog.write_data(block)
    (first,) = (path / "data" / "order_book_deltas" / IID).glob("*.parquet")
    table = pq.read_table(first)
    span = block[-1].ts_init - T0 + STEP_NS
    copies = max(1, -(-deltas // len(block)))
    for k in range(1, copies):
        shift = pa.scalar(k * span, pa.uint64())
        shifted = table
        for name in ("ts_event", "ts_init"):
            i = shifted.schema.get_field_index(name)
            shifted = shifted.set_column(i, name, pc.add(shifted.column(name), shift))
        start, end = T0 + k * span, block[-1].ts_init + k * span
        pq.write_table(shifted, first.parent / _timestamps_to_filename(start, end))
    total = copies * len(block)
    marker.write_text(json.dumps({"requested": deltas, "deltas": total}))
    print(f"built catalog: {total:,} deltas in {time.perf_counter() - t0:.1f} s at {path}")
    return total


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child_ours(catalog: str, chunk_size: int) -> dict:
    from nautilus_bitget.backtest.runner import run_backtest

    t0 = time.perf_counter()
    result = run_backtest(
        catalog,
        f"{Path(__file__).resolve()}:DeltaCounter",
        {"instrument_id": IID},
        chunk_size=chunk_size,
    )
    secs = time.perf_counter() - t0
    return {"secs": secs, "rss_mb": _rss_mb(), "end": result.summary["end"]}


def child_bare(catalog_path: str, chunk_size: int) -> dict:
    from decimal import Decimal

    from nautilus_trader.backtest.engine import BacktestEngine
    from nautilus_trader.config import BacktestEngineConfig
    from nautilus_trader.config import LoggingConfig
    from nautilus_trader.core.nautilus_pyo3 import DataBackendSession
    from nautilus_trader.core.nautilus_pyo3 import drop_cvec_pycapsule
    from nautilus_trader.model.currencies import USDT
    from nautilus_trader.model.data import OrderBookDelta
    from nautilus_trader.model.data import capsule_to_list
    from nautilus_trader.model.enums import AccountType
    from nautilus_trader.model.enums import BookType
    from nautilus_trader.model.enums import OmsType
    from nautilus_trader.model.identifiers import Venue
    from nautilus_trader.model.objects import Money
    from nautilus_trader.persistence.catalog import ParquetDataCatalog

    t0 = time.perf_counter()
    catalog = ParquetDataCatalog(catalog_path)
    (instrument,) = catalog.instruments(instrument_ids=[IID])
    engine = BacktestEngine(BacktestEngineConfig(logging=LoggingConfig(log_level="ERROR")))
    engine.add_venue(
        venue=Venue("BITGET"),
        oms_type=OmsType.NETTING,
        account_type=AccountType.MARGIN,
        starting_balances=[Money(10_000, USDT)],
        base_currency=USDT,
        default_leverage=Decimal(10),
        book_type=BookType.L2_MBP,
    )
    engine.add_instrument(instrument)
    session = catalog.backend_session(
        data_cls=OrderBookDelta,
        identifiers=[IID],
        session=DataBackendSession(chunk_size=chunk_size),
    )

    def chunks():
        for chunk in session.to_query_result():
            data = capsule_to_list(chunk)
            drop_cvec_pycapsule(chunk)
            yield data

    engine.add_data_iterator("deltas", chunks())
    strategy = DeltaCounter(DeltaCounterConfig(instrument_id=IID))
    engine.add_strategy(strategy)
    engine.run()
    counted = strategy.deltas
    engine.dispose()
    return {"secs": time.perf_counter() - t0, "rss_mb": _rss_mb(), "counted": counted}


def _run_child(kind: str, catalog: Path, chunk_size: int) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, "--child", kind, str(catalog), str(chunk_size)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"{kind} run failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    from nautilus_bitget.backtest.streaming import DEFAULT_CHUNK_SIZE

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    parser.add_argument("--deltas", type=int, default=10_000_000)
    parser.add_argument("--chunk-size", type=int, default=DEFAULT_CHUNK_SIZE)
    args = parser.parse_args()
    cache = Path(tempfile.gettempdir()) / "bitget-nt-bench" / f"streaming-{args.deltas}"
    total = ensure_catalog(cache, args.deltas)
    print(f"catalog: {total:,} OrderBookDeltas ({cache}); cpus: {os.cpu_count()}")
    bare = _run_child("bare", cache, args.chunk_size)
    print(f"bare BacktestEngine: {bare['secs']:.1f} s, {total / bare['secs']:,.0f} deltas/s")
    ours = _run_child("ours", cache, args.chunk_size)
    print(f"bitget-nt backtest:  {ours['secs']:.1f} s, {total / ours['secs']:,.0f} deltas/s")
    ratio = ours["secs"] / bare["secs"]
    result = {
        "deltas": total,
        "chunk_size": args.chunk_size,
        "ours_deltas_per_sec": round(total / ours["secs"]),
        "bare_deltas_per_sec": round(total / bare["secs"]),
        "ratio": round(ratio, 3),
        "ours_peak_rss_mb": round(ours["rss_mb"]),
        "bare_peak_rss_mb": round(bare["rss_mb"]),
        "bare_deltas_counted": bare["counted"],
        "target_ratio": TARGET_RATIO,
        "target_rss_mb": TARGET_RSS_MB,
        "meets_targets": ratio <= TARGET_RATIO and ours["rss_mb"] < TARGET_RSS_MB,
        "load_avg_1m": round(os.getloadavg()[0], 2),
        "ts": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    print(
        f"ratio {ratio:.2f}x (target <= {TARGET_RATIO}): "
        f"{'met' if ratio <= TARGET_RATIO else 'NOT met'}; peak RSS {ours['rss_mb']:.0f} MB "
        f"(target < {TARGET_RSS_MB}): {'met' if ours['rss_mb'] < TARGET_RSS_MB else 'NOT met'} "
        f"(bare engine {bare['rss_mb']:.0f} MB); load avg {result['load_avg_1m']}"
    )
    data = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    data["backtest_streaming"] = result
    RESULTS.write_text(json.dumps(data, indent=2) + "\n")


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--child":
        run = child_ours if sys.argv[2] == "ours" else child_bare
        print(json.dumps(run(sys.argv[3], int(sys.argv[4]))))
    else:
        main()
