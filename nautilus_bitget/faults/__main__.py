"""
``python -m nautilus_bitget.faults [--only SUBSTRING] [--markdown PATH]``: run every fault drill,
print the table (drill, expected, observed, data lost, result) and exit 1 if any drill failed.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Awaitable
from collections.abc import Callable

from nautilus_bitget.faults import drills_book
from nautilus_bitget.faults import drills_exec
from nautilus_bitget.faults import drills_frames
from nautilus_bitget.faults import drills_input
from nautilus_bitget.faults import drills_recorder
from nautilus_bitget.faults.result import Drill
from nautilus_bitget.faults.result import failed
from nautilus_bitget.faults.result import format_markdown
from nautilus_bitget.faults.result import format_table


ALL_DRILLS: list[Callable[[], Awaitable[Drill]]] = [
    *drills_book.DRILLS,
    *drills_exec.DRILLS,
    *drills_input.DRILLS,
    *drills_frames.DRILLS,
    *drills_recorder.DRILLS,
]


async def run_drills(only: str | None = None, progress: bool = True) -> list[Drill]:
    """Run the drills (those whose function name contains ``only``) one after another."""
    results: list[Drill] = []
    for drill in ALL_DRILLS:
        if only and only not in drill.__name__:
            continue
        t0 = time.monotonic()
        try:
            result = await asyncio.wait_for(drill(), 120.0)
        except Exception as e:
            result = failed(drill.__name__, "(drill did not finish)", e)
        result.seconds = time.monotonic() - t0
        results.append(result)
        if progress:
            print(
                f"[{result.result}] {result.name} ({result.seconds:.1f}s)",
                file=sys.stderr,
                flush=True,
            )
    return results


def main(argv: list[str] | None = None) -> int:
    """Run the drills; return the exit code."""
    parser = argparse.ArgumentParser(prog="python -m nautilus_bitget.faults")
    parser.add_argument("--only", default=None, help="run drills whose name contains this")
    parser.add_argument("--markdown", default=None, help="also write the table as markdown here")
    args = parser.parse_args(argv)
    results = asyncio.run(run_drills(args.only))
    time.sleep(0.3)  # the Rust logger writes asynchronously
    print(format_table(results), flush=True)
    if args.markdown:
        with open(args.markdown, "w", encoding="utf-8") as f:
            f.write(format_markdown(results))
    return 0 if results and all(d.result == "PASS" for d in results) else 1


if __name__ == "__main__":
    sys.exit(main())
