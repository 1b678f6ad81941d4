"""
Benchmark: ``bitget-nt download`` against the simulator (rows/s, requests, 429s, peak RSS).

Starts a simulator in this process (its own thread; with seeded history when the simulator has
``history_days``: ``BENCH_HISTORY_DAYS``, default 3), then runs the real command in a child
process: ``download --symbols BTCUSDT,ETHUSDT --types bars:1m,mark-bars:1m,index-bars:1m,trades,
funding`` over the whole history, then once more (a resume over a complete range: nothing to
fetch). The venue's per-endpoint limits are enforced by the simulator: any 429 it answers is
counted (the client's own limiters should keep that at 0).

Prints the numbers and merges ``{"history_download": {...}}`` into ``bench/results.json``.
"""

from __future__ import annotations

import dataclasses
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "results.json"
DAYS = float(os.environ.get("BENCH_HISTORY_DAYS", "3"))
TYPES = "bars:1m,mark-bars:1m,index-bars:1m,trades,funding"


def main() -> None:
    from nautilus_bitget.sim import BitgetSimulator
    from nautilus_bitget.sim import SimConfig

    fields = {f.name for f in dataclasses.fields(SimConfig)}
    seeded = "history_days" in fields
    kwargs = {"host": "127.0.0.1", "port": 0}
    if seeded:
        kwargs["history_days"] = DAYS
    sim = BitgetSimulator(SimConfig(**kwargs))
    counts = {"requests": 0, "429": 0}
    take = sim.rest._take_token

    def counting(request, key, route):
        counts["requests"] += 1
        try:
            return take(request, key, route)
        except Exception:
            counts["429"] += 1
            raise

    sim.rest._take_token = counting
    sim.start_background()
    try:
        if not seeded:
            time.sleep(5)  # no seeded history: what the market made since start
        now = time.time()
        start = time.strftime(
            "%Y-%m-%dT%H:%M:%S", time.gmtime(now - DAYS * 86400 if seeded else now - 600)
        )
        with tempfile.TemporaryDirectory() as tmp:
            catalog = str(Path(tmp) / "catalog")
            cmd = [
                sys.executable, "-m", "nautilus_bitget.cli", "download",
                "--symbols", "BTCUSDT,ETHUSDT", "--catalog", catalog, "--start", start,
                "--types", TYPES, "--env", "sim", "--http-url", sim.http_url,
            ]  # fmt: skip
            t0 = time.perf_counter()
            first = subprocess.run(cmd, capture_output=True, text=True, check=True)
            secs = time.perf_counter() - t0
            rss_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
            requests_first, limited_first = counts["requests"], counts["429"]
            t1 = time.perf_counter()
            again = subprocess.run(cmd, capture_output=True, text=True, check=True)
            secs_again = time.perf_counter() - t1
            manifests = sorted((Path(catalog) / "recorder" / "sessions").glob("*.json"))
            rows = {}
            for path in manifests[:1]:
                for cov in json.loads(path.read_text())["coverage"]:
                    rows[cov["type"]] = rows.get(cov["type"], 0) + cov["count"]
            summary = first.stderr.strip().splitlines()[-1]
            summary_again = again.stderr.strip().splitlines()[-1]
    finally:
        sim.stop_background()
    total = sum(rows.values())
    result = {
        "seeded_history_days": DAYS if seeded else 0,
        "rows": rows,
        "rows_total": total,
        "secs": round(secs, 2),
        "rows_per_sec": round(total / secs) if secs else 0,
        "requests": requests_first,
        "http_429": limited_first,
        "peak_rss_mb": round(rss_mb, 1),
        "resume_secs": round(secs_again, 2),
        "resume_requests": counts["requests"] - requests_first,
        "machine": platform.machine(),
        "python": platform.python_version(),
    }
    print(summary)
    print(summary_again)
    print(
        f"download: {total:,} rows in {secs:.1f}s ({result['rows_per_sec']:,} rows/s, "
        f"{requests_first} requests, {limited_first} answered 429), peak RSS {rss_mb:.0f} MB; "
        f"second run {secs_again:.1f}s, {result['resume_requests']} requests"
    )
    data = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    data["history_download"] = result
    RESULTS.write_text(json.dumps(data, indent=2) + "\n")


if __name__ == "__main__":
    main()
