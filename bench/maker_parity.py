"""
Maker parity of ``BookMaker``: ``bitget-nt demo --strategy book`` once, figures and targets.

Targets (issue 17): ``fills_matched_pct >= 80`` and ``phantom_fills_pct <= 20`` with the queue fill
model in a 180 s run; the touch and fifo models are printed alongside. Writes the figures to
``bench/results.json`` under ``maker_parity`` (read-modify-write) and keeps the run's folder.

Run: ``.venv/bin/python bench/maker_parity.py [--secs 180] [--out DIR]`` (about 4-5 minutes).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path


sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

RESULTS = Path(__file__).resolve().parent / "results.json"
KEYS = ("fills_live", "fills_backtest", "fills_matched", "fills_matched_pct", "phantom_fills_pct")


def main() -> int:
    """Run the book demo once; print the figures and whether the targets are met."""
    from nautilus_bitget.demo_book import run_book_demo

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--secs", type=float, default=180.0)
    parser.add_argument("--out", default=None)
    args = parser.parse_args()
    out = Path(args.out) if args.out else Path(tempfile.mkdtemp(prefix="maker-parity-"))
    report = run_book_demo(out, args.secs)
    figures = {
        "secs": args.secs,
        "out": str(out),
        "latency_p50_ms": report["latency"]["submit_accepted"]["p50_ms"],
        **{m: {k: r[k] for k in KEYS} for m, r in (("queue", report), ("touch", report["touch"]))},
        "fifo": {k: report["fifo"][k] for k in KEYS},
        "target_met": report["target_met"],
    }
    data = {}
    if RESULTS.exists():
        try:
            data = json.loads(RESULTS.read_text())
        except ValueError:
            data = {}
    data["maker_parity"] = figures
    RESULTS.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    q = figures["queue"]
    print(
        f"maker parity (queue): matched {q['fills_matched_pct']}% (target >= 80: "
        f"{'met' if q['fills_matched_pct'] >= 80 else 'NOT met'}), phantom "
        f"{q['phantom_fills_pct']}% (target <= 20: "
        f"{'met' if q['phantom_fills_pct'] <= 20 else 'NOT met'}); folder {out}",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
