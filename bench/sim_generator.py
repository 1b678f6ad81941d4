"""
Benchmark: sustained book messages per second of the simulator's market generator.

Runs ``SimExchange.generate`` (one book message with its changed levels as wire strings, trades,
candles, ticker and user-book checks, delivered to one listener) round-robin over the default
symbols for a few seconds and writes ``{"sim_generator": {...}}`` into bench/results.json
(read-modify-write: other benches share the file).
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

from nautilus_bitget.sim.events import BookChanged
from nautilus_bitget.sim.exchange import SimExchange


TARGET_MSGS_PER_SEC = 2_000
RESULTS = Path(__file__).with_name("results.json")


def measure(duration_s: float = 3.0, seed: int = 7) -> dict:
    """Return the measured throughput of book messages across all default symbols."""
    now = [1_700_000_000_000]
    ex = SimExchange(clock=lambda: now[0], seed=seed)
    counts = {"books": 0, "levels": 0}

    def listener(event) -> None:
        if isinstance(event, BookChanged):
            counts["books"] += 1
            counts["levels"] += len(event.bids) + len(event.asks)

    ex.add_listener(listener)
    symbols = list(ex.markets)
    start = time.perf_counter()
    deadline = start + duration_s
    while time.perf_counter() < deadline:
        for _ in range(100):
            now[0] += 1
            for s in symbols:
                ex.generate(s, now[0])
    elapsed = time.perf_counter() - start
    rate = counts["books"] / elapsed
    return {
        "book_msgs_per_sec": round(rate, 1),
        "avg_changed_levels_per_msg": round(counts["levels"] / max(counts["books"], 1), 2),
        "symbols": len(symbols),
        "messages": counts["books"],
        "seconds": round(elapsed, 3),
        "target_msgs_per_sec": TARGET_MSGS_PER_SEC,
        "ok": rate >= TARGET_MSGS_PER_SEC,
    }


def write_result(result: dict) -> None:
    """Merge ``result`` under ``sim_generator`` into bench/results.json (atomic replace)."""
    data = {}
    if RESULTS.exists():
        try:
            data = json.loads(RESULTS.read_text())
        except (OSError, ValueError):
            data = {}
    data["sim_generator"] = result
    tmp = RESULTS.with_suffix(f".tmp{os.getpid()}")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    tmp.replace(RESULTS)


def main() -> int:
    """Run the benchmark, print and store the result; exit 1 below target."""
    result = measure()
    write_result(result)
    print(json.dumps({"sim_generator": result}))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
