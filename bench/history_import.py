"""
Benchmark: ``bitget-nt import-tardis`` throughput and memory on a generated file.

Generates a Tardis ``incremental_book_L2`` CSV of ``bitget-futures`` BTCUSDT (a 400-level
snapshot, then updates of ~8 levels per message, a fresh snapshot every 200 000 rows, like a
reconnect) of ``ROWS`` rows in a temporary directory (never committed), imports it in a child
process (instruments from an in-process simulator) and reports rows/s and the child's peak RSS.
A second import of the same file must write nothing.

Prints the numbers and merges ``{"history_import": {...}}`` into ``bench/results.json``.
``BENCH_HISTORY_ROWS`` overrides the row count (default 3 000 000).
"""

from __future__ import annotations

import asyncio
import json
import os
import platform
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "results.json"
ROWS = int(os.environ.get("BENCH_HISTORY_ROWS", "3000000"))
T0_US = 1_793_491_200_000_000  # 2026-11-01T00:00:00Z


def generate(path: Path, rows: int) -> int:
    """Write ``rows`` book rows; return the number of messages."""
    rng = random.Random(5)
    mid = 600_000  # ticks of 0.1 (sim BTCUSDT: 1 price decimal, 3 size decimals)
    written = 0
    messages = 0
    ts = T0_US
    lines: list[str] = ["exchange,symbol,timestamp,local_timestamp,is_snapshot,side,price,amount\n"]
    prefix = "bitget-futures,BTCUSDT,"
    with open(path, "w") as f:
        while written < rows:
            if written % 200_000 < 10 or messages == 0:
                for side, sign in (("bid", -1), ("ask", 1)):
                    lines.extend(
                        f"{prefix}{ts},{ts + 7000},true,{side},{(mid + sign * i) / 10:.1f},"
                        f"{rng.randint(1, 5000) / 1000:.3f}\n"
                        for i in range(1, 201)
                    )
                written += 400
            else:
                mid += rng.randint(-2, 2)
                n = rng.randint(2, 14)
                for k in range(n):
                    side = "bid" if k < n // 2 else "ask"
                    off = rng.randint(1, 60)
                    px = mid - off if side == "bid" else mid + off
                    amount = "0" if rng.random() < 0.2 else f"{rng.randint(1, 5000) / 1000:.3f}"
                    lines.append(f"{prefix}{ts},{ts + 7000},false,{side},{px / 10:.1f},{amount}\n")
                written += n
            messages += 1
            ts += rng.randint(20_000, 150_000)
            if len(lines) > 50_000:
                f.writelines(lines)
                lines.clear()
        f.writelines(lines)
    return messages


def child(catalog: str, file: str) -> None:
    """Import ``file`` into ``catalog`` and print rows, seconds and peak RSS as JSON."""
    from nautilus_bitget.history.cli import import_tardis

    t0 = time.perf_counter()
    asyncio.run(import_tardis(catalog, [file], "sim", progress=False))
    secs = time.perf_counter() - t0
    rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"secs": secs, "peak_rss_mb": rss_kb / 1024}))


def run_child(catalog: str, file: str) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", catalog, file],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    from nautilus_trader.persistence.catalog import ParquetDataCatalog

    with tempfile.TemporaryDirectory() as tmp:
        file = Path(tmp) / "bitget-futures_incremental_book_L2_2026-11-01_BTCUSDT.csv"
        t0 = time.perf_counter()
        messages = generate(file, ROWS)
        gen_secs = time.perf_counter() - t0
        size_mb = file.stat().st_size / 1e6
        rows = sum(1 for _ in open(file)) - 1
        print(
            f"generated {rows:,} rows ({messages:,} messages, {size_mb:.0f} MB) in {gen_secs:.1f}s"
        )
        catalog = str(Path(tmp) / "catalog")
        first = run_child(catalog, str(file))
        again = run_child(catalog, str(file))
        deltas = sum(
            f.metadata.num_rows
            for f in _parquet_files(Path(catalog) / "data" / "order_book_deltas")
        )
        n_files = len(list((Path(catalog) / "data" / "order_book_deltas").rglob("*.parquet")))
        ParquetDataCatalog(catalog)  # readable
    result = {
        "rows": rows,
        "messages": messages,
        "file_mb": round(size_mb, 1),
        "import_secs": round(first["secs"], 2),
        "rows_per_sec": round(rows / first["secs"]),
        "peak_rss_mb": round(first["peak_rss_mb"], 1),
        "deltas_written": deltas,
        "parquet_files": n_files,
        "reimport_secs": round(again["secs"], 2),
        "reimport_peak_rss_mb": round(again["peak_rss_mb"], 1),
        "machine": platform.machine(),
        "python": platform.python_version(),
    }
    print(
        f"import: {result['rows_per_sec']:,} rows/s ({result['import_secs']}s), peak RSS "
        f"{result['peak_rss_mb']} MB, {deltas:,} deltas in {n_files} files; re-import "
        f"{result['reimport_secs']}s (writes nothing)"
    )
    data = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    data["history_import"] = result
    RESULTS.write_text(json.dumps(data, indent=2) + "\n")


def _parquet_files(directory: Path):
    import pyarrow.parquet as pq

    for path in sorted(directory.rglob("*.parquet")):
        yield pq.ParquetFile(path)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3])
    else:
        main()
