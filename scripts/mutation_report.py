"""
Summarize a ``mutmut run`` (``make mutation``): survival rate per module and overall, and the
surviving mutants (``mutmut show <name>`` prints one's diff). Exit status 1 above the target.

Usage::

    .venv/bin/python scripts/mutation_report.py [--target 10]
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from collections import Counter
from collections import defaultdict
from pathlib import Path


ROOT = Path(__file__).resolve().parent.parent
MUTMUT = Path(sys.executable).parent / "mutmut"
# mutmut 3 names: <module>.x_<function>__mutmut_<n> and, for methods,
# <module>.x\u01c1<Class>\u01c1<method>__mutmut_<n>
MUTANT = re.compile(r"^(.*?)\.x[_\u01c1]")


def main() -> int:
    parser = argparse.ArgumentParser(description="Summarize a mutmut run.")
    parser.add_argument("--target", type=float, default=10.0, help="max survival rate, percent")
    args = parser.parse_args()
    out = subprocess.run(  # noqa: S603 - our own venv's mutmut
        [str(MUTMUT), "results", "--all", "true"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    by_module: dict[str, Counter[str]] = defaultdict(Counter)
    survivors: list[str] = []
    for line in out.splitlines():
        name, _, status = line.strip().rpartition(": ")
        if not name:
            continue
        match = MUTANT.match(name)
        module = match.group(1) if match else name
        by_module[module][status] += 1
        if status == "survived":
            survivors.append(name)
    if not by_module:
        print('no mutmut results: run "make mutation" first')
        return 2
    total = Counter[str]()
    print(
        f"{'module':45} {'mutants':>8} {'killed':>7} {'survived':>9} {'other':>6} {'survival':>9}"
    )
    for module in sorted(by_module):
        c = by_module[module]
        total.update(c)
        _row(module, c)
    _row("TOTAL", total)
    rate = _rate(total)
    print(f"\nsurvival rate {rate:.1f}% (target <= {args.target:g}%)")
    if survivors:
        print(f"\nsurviving mutants ({len(survivors)}; `mutmut show NAME` for the diff):")
        for name in survivors:
            print(f"  {name}")
    (ROOT / "mutants").mkdir(exist_ok=True)
    (ROOT / "mutants" / "report.json").write_text(
        json.dumps(
            {
                "survival_rate_percent": round(rate, 2),
                "counts": dict(total),
                "by_module": {m: dict(c) for m, c in by_module.items()},
                "survivors": survivors,
            },
            indent=2,
        ),
    )
    return 0 if rate <= args.target else 1


def _rate(c: Counter[str]) -> float:
    tested = c["killed"] + c["survived"] + c["timeout"]
    return 100.0 * c["survived"] / tested if tested else 0.0


def _row(module: str, c: Counter[str]) -> None:
    other = sum(c.values()) - c["killed"] - c["survived"]
    print(
        f"{module:45} {sum(c.values()):8} {c['killed']:7} {c['survived']:9} {other:6} "
        f"{_rate(c):8.1f}%"
    )


if __name__ == "__main__":
    sys.exit(main())
