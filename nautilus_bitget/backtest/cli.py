"""``bitget-nt backtest``: run a strategy on a catalog and write the results (architecture.md 3)."""

from __future__ import annotations

import argparse
import sys

from nautilus_bitget.backtest.fills import fill_options
from nautilus_bitget.backtest.loader import StrategyLoadError
from nautilus_bitget.backtest.progress import BacktestProgress
from nautilus_bitget.backtest.runner import BacktestError
from nautilus_bitget.backtest.runner import run_backtest
from nautilus_bitget.common.errors import BitgetConfigError


SUMMARY_LINES = [
    ("instruments", "instruments"),
    ("start", "start"),
    ("end", "end"),
    ("book_type", "book type"),
    ("fill_model", "fill model"),
    ("orders", "orders"),
    ("fills", "fills"),
    ("starting_balance", "starting balance"),
    ("ending_balance", "ending balance"),
    ("net_pnl", "net PnL"),
    ("realized_pnl_total", "realized PnL (gross)"),
    ("commissions_total", "commissions"),
    ("funding_total", "funding"),
    ("unrealized_pnl", "unrealized PnL"),
    ("max_drawdown", "max drawdown"),
    ("return_pct", "return %"),
]


def format_summary(summary: dict) -> str:
    """Return the summary as aligned ``label: value`` lines."""
    ccy = summary.get("currency", "")
    money = {
        "starting_balance",
        "ending_balance",
        "net_pnl",
        "realized_pnl_total",
        "commissions_total",
        "funding_total",
        "unrealized_pnl",
        "max_drawdown",
    }
    lines = []
    for key, label in SUMMARY_LINES:
        value = summary.get(key)
        if isinstance(value, list):
            value = ", ".join(value)
        suffix = f" {ccy}" if key in money else ""
        lines.append(f"  {label:<22}{value}{suffix}")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    """Run ``bitget-nt backtest`` with parsed ``args``; return the exit code."""
    try:
        fills = fill_options(args)
        with BacktestProgress(args.catalog, False if getattr(args, "quiet", False) else None):
            result = run_backtest(
                args.catalog,
                args.strategy,
                args.config,
                args.out,
                balance=args.balance,
                leverage=args.leverage,
                position_mode=args.position_mode,
                fills=fills,
            )
    except (StrategyLoadError, BacktestError, BitgetConfigError) as e:
        print(f"bitget-nt backtest: {e}", file=sys.stderr)
        return 2
    print(f"Backtest of {args.strategy}")
    print(format_summary(result.summary))
    print(f"  {'wall time':<22}{result.summary.get('wall_secs', '?')} s")
    print(f"Results written to {result.out_dir} (open report.html)")
    return 0
