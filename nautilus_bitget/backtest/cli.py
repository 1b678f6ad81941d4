"""``bitget-nt backtest``: run a strategy on a catalog and write the results (architecture.md 3)."""

from __future__ import annotations

import argparse
import dataclasses
import sys
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any

from nautilus_bitget.backtest.fills import fill_options
from nautilus_bitget.backtest.loader import StrategyLoadError
from nautilus_bitget.backtest.progress import BacktestProgress
from nautilus_bitget.backtest.runner import BacktestError
from nautilus_bitget.backtest.runner import BacktestResult
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


@dataclass(frozen=True)
class BacktestSettings:
    """
    One ``bitget-nt backtest`` run: what ``backtest`` and each ``sweep`` combination execute.

    Attributes
    ----------
    catalog : str
        Catalog path or fsspec URI.
    strategy : str
        ``package.module:Class`` or ``path/to/file.py:Class``.
    config : str or dict
        Strategy config (JSON file path or the fields).
    out : str, optional
        Output folder.
    options : dict[str, Any]
        The ``run_backtest`` keyword arguments given by the command-line run options.

    """

    catalog: str
    strategy: str
    config: str | dict[str, Any]
    out: str | None
    options: dict[str, Any] = field(default_factory=dict)

    def replace(self, **changes: Any) -> BacktestSettings:
        """Return a copy with ``changes`` applied."""
        return dataclasses.replace(self, **changes)


def run_options(args: argparse.Namespace) -> dict[str, Any]:
    """Return the ``run_backtest`` keyword arguments of the parsed run options (``cli.py``)."""
    chunk = getattr(args, "chunk_size", None)
    return {
        "balance": args.balance,
        "leverage": args.leverage,
        "position_mode": args.position_mode,
        "start": getattr(args, "start", None),
        "end": getattr(args, "end", None),
        "fills": fill_options(args),  # --fill-model, --latency-ms/-file/-from (fills.py)
        **({"chunk_size": chunk or None} if chunk is not None else {}),
    }


def settings_from_args(args: argparse.Namespace) -> BacktestSettings:
    """Return the run described by ``bitget-nt backtest`` (or ``sweep``) arguments."""
    return BacktestSettings(
        catalog=str(args.catalog),
        strategy=args.strategy,
        config=args.config,
        out=str(args.out) if args.out is not None else None,
        options=run_options(args),
    )


def execute(settings: BacktestSettings) -> BacktestResult:
    """Run one backtest exactly as ``bitget-nt backtest`` does and write its outputs."""
    return run_backtest(
        settings.catalog,
        settings.strategy,
        settings.config,
        Path(settings.out) if settings.out is not None else None,
        **settings.options,
    )


def run(args: argparse.Namespace) -> int:
    """Run ``bitget-nt backtest`` with parsed ``args``; return the exit code."""
    try:
        settings = settings_from_args(args)
        with BacktestProgress(args.catalog, False if getattr(args, "quiet", False) else None):
            result = execute(settings)
    except (StrategyLoadError, BacktestError, BitgetConfigError) as e:
        print(f"bitget-nt backtest: {e}", file=sys.stderr)
        return 2
    print(f"Backtest of {args.strategy}")
    print(format_summary(result.summary))
    print(f"  {'wall time':<22}{result.summary.get('wall_secs', '?')} s")
    print(f"Results written to {result.out_dir} (open report.html)")
    return 0
