"""
The ``bitget-nt`` command line (architecture.md section 3, contract).

Each sub-command's options are declared here; the work is done by the module that owns it, imported
only when that command runs.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.metadata
import os
import sys
from collections.abc import Sequence

from nautilus_bitget.cli_format import HelpFormatter
from nautilus_bitget.cli_format import add_command as _command
from nautilus_bitget.cli_format import examples_epilog
from nautilus_bitget.common.errors import BitgetError
from nautilus_bitget.constants import DEFAULT_CATALOG
from nautilus_bitget.constants import SAMPLE_CATALOG
from nautilus_bitget.constants import SIM_DEFAULT_HOST
from nautilus_bitget.constants import SIM_DEFAULT_PORT


LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


def _add_url_overrides(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--http-url", help="REST base URL override, e.g. a simulator (default: the --env host)"
    )
    parser.add_argument(
        "--ws-public-url", help="public WebSocket URL override (default: derived from --http-url)"
    )
    parser.add_argument(
        "--ws-private-url", help="private WebSocket URL override (default: derived from --http-url)"
    )


def _add_quiet(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="no progress or status display, only the final summary (default: progress on a "
        "terminal, plain lines otherwise)",
    )


def _version() -> str:
    try:
        return importlib.metadata.version("bitget-nt")
    except importlib.metadata.PackageNotFoundError:
        return "unknown (not installed)"


def _add_backtest_run_options(parser: argparse.ArgumentParser) -> None:
    # the options of one backtest run, shared by backtest and sweep: backtest/cli.py run_options
    # turns them into run_backtest arguments, so an option added here reaches both commands
    parser.add_argument("--balance", default="10000 USDT", help="starting balance")
    parser.add_argument(
        "--leverage", type=float, default=None, help="leverage of every instrument (default: 10)"
    )
    parser.add_argument(
        "--position-mode",
        choices=("one_way", "hedge"),
        default="one_way",
        help="one_way nets positions, hedge keeps long and short apart",
    )
    parser.add_argument(
        "--fill-model",
        choices=("auto", "queue", "touch", "nautilus-queue"),
        default="auto",
        help="resting-order fills: price-time queue position on the L2 book, at the touch, or "
        "Nautilus's own queue tracking (auto: queue when the catalog has order book deltas and "
        "trades, else touch)",
    )
    latency = parser.add_mutually_exclusive_group()
    latency.add_argument(
        "--latency-ms", type=float, default=None, help="order command delay (default: none)"
    )
    latency.add_argument(
        "--latency-file", default=None, help="a live run's latency.json (default: none)"
    )
    latency.add_argument(
        "--latency-from",
        default=None,
        help="live run folder (live --record DIR) holding latency.json (default: none)",
    )
    parser.add_argument("--start", default=None, help="ISO time (default: catalog start)")
    parser.add_argument("--end", default=None, help="ISO time (default: catalog end)")
    parser.add_argument(
        "--chunk-size",
        type=int,
        default=None,
        help="records per streamed catalog chunk (default: 500000; 0: load it whole)",
    )


def build_parser() -> argparse.ArgumentParser:
    """Return the ``bitget-nt`` argument parser."""
    parser = argparse.ArgumentParser(
        prog="bitget-nt",
        description="Bitget perpetual futures for NautilusTrader: simulate, record, backtest, "
        "trade live.",
        epilog=examples_epilog(
            [
                "bitget-nt demo",
                f"bitget-nt backtest --catalog {SAMPLE_CATALOG} "
                "--strategy strategies.ema_cross:EMACross "
                "--config strategies/configs/ema_cross_demo.json",
                "bitget-nt <command> --help",
            ],
            notes='New here? README.md, section "First hour".',
        ),
        formatter_class=HelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    sim = _command(
        sub,
        "sim",
        "run the local Bitget simulator (REST + both WebSockets on one port)",
        [
            "bitget-nt sim",
            "bitget-nt sim --port 0 --symbols BTCUSDT --account uta",
            "bitget-nt sim --fault drop_ws@30 --history-days 0",
            "bitget-nt sim --contracts 500",
        ],
    )
    sim.add_argument("--host", default=SIM_DEFAULT_HOST, help="address to bind")
    sim.add_argument("--port", type=int, default=SIM_DEFAULT_PORT, help="0 picks a free port")
    sim.add_argument(
        "--symbols",
        default=None,
        help="comma-separated symbols (default: BTCUSDT,ETHUSDT,BTCPERP,BTCUSD)",
    )
    sim.add_argument("--seed", type=int, default=7, help="market generator seed")
    sim.add_argument(
        "--account",
        choices=("classic", "uta"),
        default="classic",
        help="account type of the default key: classic (API v2) or UTA (API v3)",
    )
    sim.add_argument(
        "--checksum",
        action="store_true",
        help="send crc32 checksums on v2 books (v3: always) (default: off)",
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
    sim.add_argument(
        "--replay",
        default=None,
        help="serve a recorded Nautilus catalog instead (default: a generated market)",
    )
    sim.add_argument(
        "--rate", type=float, default=None, help="book messages/s per symbol (default: 10)"
    )
    sim.add_argument(
        "--contracts",
        type=int,
        default=0,
        help="also list N generated USDT-M perpetuals (GEN000USDT...): half update their book "
        "every 50-100 ms, the rest every 0.5-1 s",
    )
    sim.add_argument(
        "--fault",
        action="append",
        metavar="SPEC",
        help="inject a fault: name[:json-args][@delay-secs], e.g. drop_ws@30 (repeatable; "
        "see nautilus_bitget/sim/faults.py) (default: none)",
    )
    sim.set_defaults(target="nautilus_bitget.sim.cli:run")

    record = _command(
        sub,
        "record",
        "record market data to a Nautilus Parquet catalog",
        [
            "bitget-nt record --env sim --symbols BTCUSDT --duration 60",
            "bitget-nt record --symbols BTCUSDT,ETHUSDT --bars 1m,5m",
            "bitget-nt record --symbols all --catalog s3://bucket/catalog",
            "bitget-nt record --symbols all --shard 1/2 --catalog s3://bucket/catalog",
        ],
        notes="Progress: a status line (messages/s per type, gaps, bytes written, elapsed, ETA "
        "with --duration) on a terminal; plain lines when stderr is not one; --quiet: none.",
    )
    record.add_argument("--symbols", required=True, help="BTCUSDT,ETHUSDT or 'all' (required)")
    record.add_argument("--catalog", default=DEFAULT_CATALOG, help="catalog path or fsspec URI")
    record.add_argument(
        "--duration", type=float, default=None, help="seconds (default: until Ctrl-C)"
    )
    record.add_argument(
        "--env",
        choices=("live", "demo", "sim"),
        default="live",
        help="sim starts a simulator in-process unless --http-url is given",
    )
    record.add_argument(
        "--product-types",
        default="USDT-FUTURES",
        help="comma-separated: USDT-FUTURES, USDC-FUTURES, COIN-FUTURES",
    )
    record.add_argument("--bars", default="1m", help="candle intervals, e.g. 1m,5m")
    record.add_argument(
        "--flush-secs",
        type=float,
        default=None,
        help="seconds between writes (default 10; 60 with --symbols all)",
    )
    record.add_argument(
        "--depth10-interval-ms",
        type=int,
        default=0,
        help="also write OrderBookDepth10 snapshots this often (0: off)",
    )
    record.add_argument(
        "--status",
        action="store_true",
        help="status line even when stderr is not a terminal (default: on a terminal only)",
    )
    record.add_argument(
        "--shard",
        default=None,
        help="I/N: record shard I of N of the symbols (N processes or machines, one catalog; "
        "default: all symbols in this process)",
    )
    _add_quiet(record)
    _add_url_overrides(record)
    record.set_defaults(target="nautilus_bitget.recorder.cli:run")

    backtest = _command(
        sub,
        "backtest",
        "backtest a strategy on a catalog",
        [
            f"bitget-nt backtest --catalog {SAMPLE_CATALOG} --strategy "
            "strategies.ema_cross:EMACross --config strategies/configs/ema_cross_demo.json",
            "bitget-nt backtest --strategy my_strategy.py:MyStrategy --config my.json "
            "--balance '5000 USDT' --leverage 5",
            "bitget-nt backtest --strategy strategies.ema_cross:EMACross --config cfg.json "
            "--out runs/ema --quiet",
        ],
        notes="Writes OUT/report.html (open it in a browser), results.json and CSVs of the "
        "orders, fills and positions.",
    )
    backtest.add_argument("--catalog", default=DEFAULT_CATALOG, help="catalog path")
    backtest.add_argument(
        "--strategy", required=True, help="package.module:Class or file.py:Class (required)"
    )
    backtest.add_argument(
        "--config", required=True, help="JSON file of the strategy config (required)"
    )
    backtest.add_argument("--out", default="backtest-out", help="output folder")
    _add_quiet(backtest)
    _add_backtest_run_options(backtest)
    backtest.set_defaults(target="nautilus_bitget.backtest.cli:run")

    sweep = _command(
        sub,
        "sweep",
        "backtest a grid of strategy configs in parallel on Ray",
        [
            "bitget-nt sweep --strategy strategies.ema_cross:EMACross --config "
            "strategies/configs/ema_cross.json --grid grid.json --out sweeps/ema",
            "bitget-nt sweep --ray-address HEAD:6379 --catalog s3://bucket/catalog --strategy "
            "strategies.ema_cross:EMACross --config base.json --grid grid.json --out sweeps/ema",
        ],
        notes="GRID.json: {field: [values]} (cartesian product) or a list of override objects. "
        "Writes OUT/results.csv, results.json, report.html and OUT/runs/<id>/; running it again "
        "skips the finished combinations.",
    )
    sweep.add_argument(
        "--catalog", default=DEFAULT_CATALOG, help="catalog path or fsspec URI (s3://...)"
    )
    sweep.add_argument(
        "--strategy", required=True, help="package.module:Class or file.py:Class (required)"
    )
    sweep.add_argument(
        "--config", required=True, help="JSON file of the base strategy config (required)"
    )
    sweep.add_argument(
        "--grid", required=True, help="JSON file: {field: [values]} or [{overrides}] (required)"
    )
    sweep.add_argument("--out", required=True, help="output folder (required)")
    sweep.add_argument(
        "--workers", type=int, default=None, help="parallel runs (default: CPUs of Ray)"
    )
    sweep.add_argument(
        "--ray-address", default=None, help="a running Ray cluster (default: a local runtime)"
    )
    sweep.add_argument(
        "--metric", default="return_pct", help="heatmap metric of report.html (2-field grids)"
    )
    _add_backtest_run_options(sweep)
    sweep.set_defaults(target="nautilus_bitget.backtest.sweep:run")

    live = _command(
        sub,
        "live",
        "run a strategy live (simulator, demo or mainnet)",
        [
            "bitget-nt live --env sim --strategy strategies.ema_cross:EMACross "
            "--config strategies/configs/ema_cross_demo.json --duration 60",
            "bitget-nt doctor --env demo --config my.json && bitget-nt live --env demo "
            "--strategy my_strategy.py:MyStrategy --config my.json",
            "bitget-nt live --env live --strategy my_strategy.py:MyStrategy --config my.json "
            "--log-level INFO",
        ],
        notes="Credentials: BITGET_API_KEY, BITGET_API_SECRET, BITGET_API_PASSPHRASE (demo and "
        "live; sim uses the simulator's key). Check them first with `bitget-nt doctor`.\n"
        "Shows a status line (positions, open orders, PnL, last data time) on a terminal.",
    )
    live.add_argument(
        "--strategy", required=True, help="package.module:Class or file.py:Class (required)"
    )
    live.add_argument("--config", required=True, help="JSON file of the strategy config (required)")
    live.add_argument(
        "--env",
        choices=("sim", "demo", "live"),
        required=True,
        help="sim starts a simulator in-process unless --http-url is given (required)",
    )
    live.add_argument(
        "--duration", type=float, default=None, help="seconds (default: until Ctrl-C)"
    )
    live.add_argument(
        "--record", default=None, help="also record to this catalog (default: no recording)"
    )
    live.add_argument(
        "--position-mode",
        choices=("one_way", "hedge"),
        default=None,
        help="set on connect (default: the account's mode, which must be one_way)",
    )
    live.add_argument(
        "--order-entry",
        choices=("rest", "websocket"),
        default="rest",
        help="place / cancel (UTA: also modify) over REST or the logged-in trade socket "
        "(BitgetExecClientConfig.order_entry)",
    )
    live.add_argument(
        "--log-level",
        default=os.environ.get("BITGET_NT_LOG_LEVEL", "WARNING"),
        type=str.upper,
        choices=LOG_LEVELS,
        help="NautilusTrader log level (default: %(default)s; INFO shows the start-up banner)",
    )
    _add_quiet(live)
    _add_url_overrides(live)
    live.set_defaults(target="nautilus_bitget.live:run")

    demo = _command(
        sub,
        "demo",
        "simulator -> record -> live -> backtest -> parity report",
        [
            "bitget-nt demo",
            "bitget-nt demo --duration 60 --out demo-out/quick",
            "bitget-nt demo --strategy book --duration 180",
        ],
        notes="Prints the output folder last; open its report.html.",
    )
    demo.add_argument("--out", default=None, help="output folder (default: demo-out/<UTC time>)")
    demo.add_argument(
        "--duration", type=float, default=None, help="live run seconds (default: 150)"
    )
    demo.add_argument(
        "--strategy",
        choices=("bar", "book"),
        default="bar",
        help="bar: EMACross on 1 s bars (what make demo runs); book: the BookMaker maker parity",
    )
    demo.set_defaults(target="nautilus_bitget.demo:run")

    from nautilus_bitget.history.args import add_history_commands

    add_history_commands(sub, _add_url_overrides)

    doctor = _command(
        sub,
        "doctor",
        "check credentials, account and settings before going live",
        [
            "bitget-nt doctor --env demo --config my.json",
            "bitget-nt doctor --env live --config strategies/configs/ema_cross_demo.json",
            "bitget-nt doctor --env sim --http-url http://127.0.0.1:8480",
        ],
        notes="One line per check; exit code 1 when a check would stop `bitget-nt live`.",
    )
    doctor.add_argument(
        "--env",
        choices=("sim", "demo", "live"),
        default="live",
        help="sim starts a simulator in-process unless --http-url is given",
    )
    doctor.add_argument(
        "--config",
        default=None,
        help="the strategy JSON config `live` would run (default: no instrument checks)",
    )
    doctor.add_argument(
        "--position-mode",
        choices=("one_way", "hedge"),
        default=None,
        help="the --position-mode `live` would be given (default: the account's, must be one_way)",
    )
    doctor.add_argument(
        "--http-url", help="REST base URL override, e.g. a simulator (default: the --env host)"
    )
    doctor.set_defaults(target="nautilus_bitget.doctor:run")

    catalog = _command(
        sub,
        "catalog",
        "inspect or compact a catalog",
        [f"bitget-nt catalog info {SAMPLE_CATALOG}", "bitget-nt catalog compact data/catalog"],
    )
    catalog_sub = catalog.add_subparsers(dest="catalog_command", required=True, metavar="ACTION")
    info = _command(
        catalog_sub,
        "info",
        "rows, first/last time and gaps per instrument and data type",
        [
            "bitget-nt catalog info",
            f"bitget-nt catalog info {SAMPLE_CATALOG} --json",
        ],
    )
    info.add_argument("path", nargs="?", default=DEFAULT_CATALOG, help="catalog path or URI")
    info.add_argument("--json", action="store_true", help="JSON for scripts (default: a table)")
    info.set_defaults(target="nautilus_bitget.recorder.cli:info")
    compact = _command(
        catalog_sub,
        "compact",
        "merge small files per day",
        ["bitget-nt catalog compact", "bitget-nt catalog compact s3://bucket/catalog"],
    )
    compact.add_argument("path", nargs="?", default=DEFAULT_CATALOG, help="catalog path or URI")
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
    except BrokenPipeError:
        # the reader went away (`bitget-nt catalog info | head`): not an error of ours
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    return int(result or 0)


if __name__ == "__main__":
    sys.exit(main())
