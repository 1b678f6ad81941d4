"""
``bitget-nt sweep`` speed-up: the same grid run sequentially (1 Ray worker) and with 2 workers.

The catalog is the backtest tests' generated BTCUSDT-PERP.BITGET market (L2 snapshots every
second, trades, 1-minute bars, marks, funding; ``--minutes`` long, default 180: runs of ~6 s,
where the per-run overhead no longer dominates), cached in the temp folder. The grid is 4
``BookMaker`` combinations (4 ``imbalance_weight`` values: runs of similar cost, so 2 workers can
halve the time). Each mode starts its own local Ray runtime and warms its workers (imports done)
before the clock starts, so the figure is sweep throughput; the runtime start is reported apart.
Target: speed-up >= 1.7x with identical figures in both modes. Merges ``{"sweep": {...}}`` into
``bench/results.json``.

Run: ``.venv/bin/python bench/sweep.py [--minutes 180]``
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path


ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "results.json"
GRID = {"imbalance_weight": ["0.2", "0.4", "0.6", "0.8"], "inventory_skew_ticks": [2]}
TARGET_SPEEDUP = 1.7


def _warm() -> int:
    import nautilus_bitget.backtest.runner  # noqa: F401 - the import is the warm-up
    import strategies.book_maker  # noqa: F401

    time.sleep(0.5)  # keep this worker busy so the next warm-up lands on another one
    return os.getpid()


def _sweep(catalog: Path, out: Path, workers: int) -> tuple[float, float, list[dict]]:
    import logging

    import ray

    from nautilus_bitget.backtest.cli import BacktestSettings
    from nautilus_bitget.backtest.sweep import run_sweep

    shutil.rmtree(out, ignore_errors=True)
    t0 = time.perf_counter()
    ray.init(
        address="local",
        num_cpus=workers,
        include_dashboard=False,
        log_to_driver=False,
        logging_level=logging.ERROR,
    )
    warm = ray.remote(num_cpus=1)(_warm)
    pids = set(ray.get([warm.remote() for _ in range(workers)]))
    startup = time.perf_counter() - t0
    base = BacktestSettings(
        catalog=str(catalog),
        strategy="strategies.book_maker:BookMaker",
        config=str(ROOT / "strategies" / "configs" / "book_maker.json"),
        out=None,
    )
    t1 = time.perf_counter()
    outcome = run_sweep(base, GRID, out, workers=workers)
    secs = time.perf_counter() - t1
    ray.shutdown()
    if outcome.failed:
        raise SystemExit(f"failed combinations: {outcome.failed}")
    print(f"  {workers} worker(s) ({len(pids)} warm): {secs:.1f} s, runtime start {startup:.1f} s")
    return secs, startup, outcome.rows


def main() -> None:
    from tests.integration.test_backtest_cli import build_catalog

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    parser.add_argument("--minutes", type=int, default=180)
    args = parser.parse_args()
    work = Path(tempfile.gettempdir()) / "bitget-nt-bench"
    catalog = work / f"sweep-catalog-{args.minutes}m"
    if not (catalog / "data").exists():
        shutil.rmtree(catalog, ignore_errors=True)
        build_catalog(catalog, minutes=args.minutes)
    print(f"catalog {catalog}; grid {json.dumps(GRID)}; cpus {os.cpu_count()}")
    seq, seq_start, seq_rows = _sweep(catalog, work / "sweep-seq", 1)
    par, par_start, par_rows = _sweep(catalog, work / "sweep-par", 2)
    drop = ("wall_secs",)
    identical = [{k: v for k, v in r.items() if k not in drop} for r in seq_rows] == [
        {k: v for k, v in r.items() if k not in drop} for r in par_rows
    ]
    speedup = seq / par
    met = speedup >= TARGET_SPEEDUP and identical
    result = {
        "combinations": len(seq_rows),
        "catalog_minutes": args.minutes,
        "sequential_secs": round(seq, 2),
        "two_workers_secs": round(par, 2),
        "speedup": round(speedup, 2),
        "ray_start_secs": round((seq_start + par_start) / 2, 2),
        "figures_identical": identical,
        "target_speedup": TARGET_SPEEDUP,
        "meets_targets": met,
        "load_avg_1m": round(os.getloadavg()[0], 2),
        "ts": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    print(
        f"speed-up {speedup:.2f}x (target >= {TARGET_SPEEDUP}): "
        f"{'met' if speedup >= TARGET_SPEEDUP else 'NOT met'}; figures identical: {identical}; "
        f"load avg {result['load_avg_1m']}"
    )
    data = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    data["sweep"] = result
    RESULTS.write_text(json.dumps(data, indent=2) + "\n")


if __name__ == "__main__":
    main()
