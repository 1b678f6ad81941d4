"""
The ``bitget-nt`` command line (architecture.md section 3, contract).

Each sub-command's options are declared here; the work is done by the module that owns it, imported
only when that command runs.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from nautilus_bitget.common.errors import BitgetError
from nautilus_bitget.constants import SIM_DEFAULT_HOST
from nautilus_bitget.constants import SIM_DEFAULT_PORT


def _add_url_overrides(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--http-url", help="REST base URL override (e.g. a simulator)")
    parser.add_argument("--ws-public-url", help="public WebSocket URL override")
    parser.add_argument("--ws-private-url", help="private WebSocket URL override")


def build_parser() -> argparse.ArgumentParser:
    """Return the ``bitget-nt`` argument parser."""
    parser = argparse.ArgumentParser(
        prog="bitget-nt",
        description="Bitget perpetual futures for NautilusTrader: simulate, record, backtest, "
        "trade live.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    sim = sub.add_parser("sim", help="run the local Bitget simulator")
    sim.add_argument("--host", default=SIM_DEFAULT_HOST)
    sim.add_argument("--port", type=int, default=SIM_DEFAULT_PORT, help="0 picks a free port")
    sim.add_argument("--symbols", default=None, help="comma-separated symbols (default: a few)")
    sim.add_argument("--seed", type=int, default=7)
    sim.add_argument("--account", choices=("classic", "uta"), default="classic")
    sim.add_argument(
        "--checksum", action="store_true", help="send crc32 checksums on v2 books (v3: always)"
    )
    sim.add_argument(
        "--history-days",
        type=float,
        default=3.0,
        help="days of seeded candles, trades and funding before the start (0: none)",
    )
    sim.add_argument(
        "--funding-interval-secs",
        type=float,
        default=28_800.0,
        help="funding settlement interval in seconds",
    )
    sim.add_argument("--replay", default=None, help="serve a recorded Nautilus catalog instead")
    sim.add_argument("--rate", type=float, default=None, help="book messages/s per symbol")
    sim.add_argument(
        "--contracts",
        type=int,
        default=None,
        help="also list N generated USDT-M perpetuals (GEN000USDT...): half update their book "
        "every 50-100 ms, the rest every 0.5-1 s",
    )
    sim.add_argument(
        "--fault",
        action="append",
        metavar="SPEC",
        help="inject a fault: name[:json-args][@delay-secs], e.g. drop_ws@30 (repeatable; "
        "see nautilus_bitget/sim/faults.py)",
    )
    sim.set_defaults(target="nautilus_bitget.sim.cli:run")

    record = sub.add_parser("record", help="record market data to a Nautilus Parquet catalog")
    record.add_argument("--symbols", required=True, help="BTCUSDT,ETHUSDT or 'all'")
    record.add_argument("--catalog", required=True, help="catalog path or fsspec URI")
    record.add_argument("--duration", type=float, default=None, help="seconds (default: forever)")
    record.add_argument("--env", choices=("live", "demo", "sim"), default="live")
    record.add_argument("--product-types", default="USDT-FUTURES")
    record.add_argument("--bars", default="1m", help="candle intervals, e.g. 1m,5m")
    record.add_argument(
        "--flush-secs",
        type=float,
        default=None,
        help="seconds between flushes (default 10; 60 with --symbols all)",
    )
    record.add_argument("--depth10-interval-ms", type=int, default=0)
    record.add_argument("--status", action="store_true", help="live status line on stderr")
    record.add_argument(
        "--shard",
        default=None,
        help="I/N: record shard I of N of the symbols (N processes or machines, one catalog)",
    )
    _add_url_overrides(record)
    record.set_defaults(target="nautilus_bitget.recorder.cli:run")

    backtest = sub.add_parser("backtest", help="backtest a strategy on a catalog")
    backtest.add_argument("--catalog", required=True)
    backtest.add_argument("--strategy", required=True, help="package.module:Class or file.py:Class")
    backtest.add_argument("--config", required=True, help="JSON file of the strategy config")
    backtest.add_argument("--out", default="backtest-out")
    backtest.add_argument("--balance", default="10000 USDT")
    backtest.add_argument("--leverage", type=float, default=None)
    backtest.add_argument("--position-mode", choices=("one_way", "hedge"), default="one_way")
    backtest.set_defaults(target="nautilus_bitget.backtest.cli:run")

    live = sub.add_parser("live", help="run a strategy live (simulator, demo or mainnet)")
    live.add_argument("--strategy", required=True)
    live.add_argument("--config", required=True)
    live.add_argument("--env", choices=("sim", "demo", "live"), required=True)
    live.add_argument("--duration", type=float, default=None)
    live.add_argument("--record", default=None, help="also record to this catalog")
    live.add_argument("--position-mode", choices=("one_way", "hedge"), default=None)
    _add_url_overrides(live)
    live.set_defaults(target="nautilus_bitget.live:run")

    demo = sub.add_parser("demo", help="simulator -> record -> live -> backtest -> parity report")
    demo.add_argument("--out", default=None, help="output folder (default: a new one)")
    demo.add_argument("--duration", type=float, default=None, help="live run seconds")
    demo.set_defaults(target="nautilus_bitget.demo:run")

    from nautilus_bitget.history.args import add_history_commands

    add_history_commands(sub, _add_url_overrides)

    catalog = sub.add_parser("catalog", help="inspect or compact a catalog")
    catalog_sub = catalog.add_subparsers(dest="catalog_command", required=True)
    info = catalog_sub.add_parser("info", help="summarise what a catalog holds")
    info.add_argument("path")
    info.set_defaults(target="nautilus_bitget.recorder.cli:info")
    compact = catalog_sub.add_parser("compact", help="merge small files per day")
    compact.add_argument("path")
    compact.set_defaults(target="nautilus_bitget.recorder.cli:compact")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``bitget-nt``; return the process exit code."""
    args = build_parser().parse_args(argv)
    module_name, func_name = args.target.split(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as e:
        if e.name and e.name.startswith(module_name.rsplit(".", 1)[0]):
            print(f"bitget-nt {args.command}: not implemented yet ({module_name})", file=sys.stderr)
            return 2
        raise
    try:
        result = getattr(module, func_name)(args)
    except (ValueError, BitgetError) as e:
        # Bad user input (unknown symbol, bad config value, wrong key or environment) is
        # reported as one line; BITGET_NT_DEBUG=1 shows the traceback
        if os.environ.get("BITGET_NT_DEBUG") == "1":
            raise
        print(f"bitget-nt {args.command}: {e}", file=sys.stderr)
        return 2
    return int(result or 0)


if __name__ == "__main__":
    sys.exit(main())
