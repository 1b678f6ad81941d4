"""
Apply each named meaning mutant (issue 19) in turn, run a test tier, revert; report caught/survived.

Usage::

    .venv/bin/python scripts/mutants_check.py [--tier integration|unit|both] [--only NAME ...]

Tier ``integration`` runs ``tests/integration`` and ``tests/e2e`` (no unit tests); ``unit`` runs
``tests/unit``. Each run stops at the first failure (``-x``); the tier's test files most likely to
fail are run first on their own (a caught mutant is quick), and only when they pass is the whole
tier run. The source is restored even when interrupted. Exit status 1 when any mutant survives.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path


ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Mutant:
    name: str
    path: str
    old: str
    new: str
    first: dict[str, tuple[str, ...]]  # tier -> test files run first (the rest of the tier follows)


MUTANTS = (
    Mutant(
        "funding-sign",
        "nautilus_bitget/backtest/funding.py",
        "    return -notional * rate\n",
        "    return notional * rate\n",
        {
            "integration": ("tests/integration/test_money_by_hand.py",),
            "unit": ("tests/unit/test_funding_module.py",),
        },
    ),
    Mutant(
        "funding-sign-live",
        "nautilus_bitget/execution/funding.py",
        "        amount = px.dec(bill.amount) or Decimal(0)\n",
        "        amount = -(px.dec(bill.amount) or Decimal(0))\n",
        {
            "integration": ("tests/integration/test_coin_m_live.py",),
            "unit": ("tests/unit/test_execution_funding.py",),
        },
    ),
    Mutant(
        "reduce-only-one-way",
        "nautilus_bitget/common/orders.py",
        '        flag = "YES" if order.is_reduce_only else "NO"\n',
        '        flag = "NO"\n',
        {
            "integration": ("tests/integration/test_wire_meaning.py",),
            "unit": ("tests/unit/test_order_mapping.py",),
        },
    ),
    Mutant(
        "seq-gap-one-step",
        "nautilus_bitget/common/book.py",
        "        if pseq is not None and pseq != last:\n",
        "        if pseq is not None and pseq > last + 1:\n",
        {
            "integration": ("tests/integration/test_wire_meaning.py",),
            "unit": ("tests/unit/test_book_integrity.py",),
        },
    ),
    Mutant(
        "mark-from-last",
        "nautilus_bitget/parsing/market.py",
        "ctx.price(ticker.markPrice), _ms(ticker.ts), ts_init)",
        "ctx.price(ticker.lastPr), _ms(ticker.ts), ts_init)",
        {
            "integration": ("tests/integration/test_wire_meaning.py",),
            "unit": ("tests/unit/test_parsing_market.py",),
        },
    ),
    Mutant(
        "aggressor-flipped",
        "nautilus_bitget/parsing/market.py",
        '    if side == "buy":\n        return AggressorSide.BUYER\n',
        '    if side == "buy":\n        return AggressorSide.SELLER\n',
        {
            "integration": ("tests/integration/test_wire_meaning.py",),
            "unit": ("tests/unit/test_parsing_market.py",),
        },
    ),
)

TIERS = {"integration": ("tests/integration", "tests/e2e"), "unit": ("tests/unit",)}


def run_tier(mutant: Mutant, tier: str) -> tuple[bool, float, str]:
    """Return (caught, seconds, the first failing test) of ``mutant`` under ``tier``."""
    start = time.monotonic()
    first = [p for p in mutant.first.get(tier, ()) if (ROOT / p).exists()]
    for paths in (first, list(TIERS[tier])):
        if not paths:
            continue
        caught, failure = _pytest(paths)
        if caught:
            return True, time.monotonic() - start, failure
    return False, time.monotonic() - start, ""


def _pytest(paths: list[str]) -> tuple[bool, str]:
    cmd = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", "-o", "addopts="]
    proc = subprocess.run(  # noqa: S603 - our own interpreter
        [*cmd, *paths], cwd=ROOT, capture_output=True, text=True, check=False
    )
    failed = [ln for ln in proc.stdout.splitlines() if ln.startswith(("FAILED", "ERROR"))]
    return proc.returncode != 0, failed[0] if failed else ""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--tier", choices=("integration", "unit", "both"), default="both")
    parser.add_argument("--only", nargs="*", default=None, help="mutant names to run")
    args = parser.parse_args()
    tiers = ("integration", "unit") if args.tier == "both" else (args.tier,)
    survived = 0
    for mutant in MUTANTS:
        if args.only and mutant.name not in args.only:
            continue
        path = ROOT / mutant.path
        original = path.read_text()
        if original.count(mutant.old) != 1:
            print(f"{mutant.name}: the text to mutate is not found once in {mutant.path}")
            return 2
        try:
            path.write_text(original.replace(mutant.old, mutant.new))
            for tier in tiers:
                caught, secs, first_failure = run_tier(mutant, tier)
                survived += not caught
                verdict = "caught" if caught else "SURVIVED"
                print(f"{mutant.name:22} {tier:12} {verdict:9} {secs:6.0f}s  {first_failure}")
                sys.stdout.flush()
        finally:
            path.write_text(original)
    return 1 if survived else 0


if __name__ == "__main__":
    sys.exit(main())
