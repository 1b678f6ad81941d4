"""
Options of ``bitget-nt download`` and ``bitget-nt import-tardis`` (registered by
``nautilus_bitget.cli``; light: nothing heavy is imported until a command runs).
"""

from __future__ import annotations

from typing import Any

from nautilus_bitget.cli_format import HelpFormatter
from nautilus_bitget.cli_format import examples_epilog
from nautilus_bitget.constants import DEFAULT_CATALOG


DOWNLOAD_EPILOG = """\
types (comma-separated, default bars:1m,funding):
  bars:<i>        closed last-price candles -> Bar <SYMBOL>-PERP.BITGET-<step>-<UNIT>-LAST-EXTERNAL
  mark-bars:<i>   mark-price candles        -> Bar ...-MARK-EXTERNAL
  index-bars:<i>  index-price candles       -> Bar <SYMBOL>-INDEX.BITGET-<step>-<UNIT>-LAST-EXTERNAL
                  (NautilusTrader has no INDEX price type: the index gets its own id)
  trades          public trades             -> TradeTick
  funding         settled funding rates     -> FundingRateUpdate (with the interval)
  intervals <i>: 1m 3m 5m 15m 30m 1h 4h 6h 12h 1d (also 3d 1w); 6h and longer are UTC-anchored.
  The instruments (CryptoPerpetual, as live) are always written.

how far back Bitget keeps it (docs/bitget-protocol.md 4.5-4.7):
  candles: history-candles reach back to the listing (no documented limit); trades:
  fills-history serves the last 90 days (a --start older than that is refused with the earliest
  date); funding: history-fund-rate pages back through the whole history.

a second run over the same range writes nothing twice and fetches only what the catalog does not
cover; an interrupted run (Ctrl-C, kill -9) leaves a readable catalog and continues next time.
"""

IMPORT_EPILOG = """\
files: Tardis CSVs (.csv or .csv.gz) of exchange bitget-futures, one symbol per file:
  incremental_book_L2 -> OrderBookDeltas (as live: snapshot = CLEAR + ADDs F_SNAPSHOT,
                         F_LAST on the last delta of each venue message; sequence 0)
  trades              -> TradeTick
  book_ticker, quotes -> QuoteTick
  derivative_ticker   -> MarkPriceUpdate, IndexPriceUpdate, FundingRateUpdate
  book_snapshot_25/5  -> OrderBookDepth10
Instruments come from Bitget's contracts (--env), ids <SYMBOL>-PERP.BITGET; a file of a symbol
that is not a perpetual is refused. Re-importing a file writes nothing twice.
"""


def add_history_commands(sub: Any, add_url_overrides: Any) -> None:
    """Add ``download`` and ``import-tardis`` to the ``bitget-nt`` sub-parsers."""
    del add_url_overrides  # only --http-url applies: these commands use REST only
    download = sub.add_parser(
        "download",
        help="download Bitget history (candles, trades, funding) into a catalog",
        description="Download closed candles, trades and funding rates from Bitget's REST "
        "history endpoints into a Nautilus Parquet catalog (resumable).",
        epilog=examples_epilog(
            [
                "bitget-nt download --symbols BTCUSDT --start 2026-11-01",
                "bitget-nt download --symbols BTCUSDT,ETHUSDT --start 2026-11-01 "
                "--end 2026-11-08 --types bars:1m,trades,funding",
                "bitget-nt download --env sim --symbols BTCUSDT --start 2026-12-01 "
                "--catalog data/sim-history",
            ],
            notes=DOWNLOAD_EPILOG,
        ),
        formatter_class=HelpFormatter,
    )
    download.add_argument(
        "--symbols", required=True, help="Bitget symbols, e.g. BTCUSDT,ETHUSDT (required)"
    )
    download.add_argument("--catalog", default=DEFAULT_CATALOG, help="catalog path or fsspec URI")
    download.add_argument(
        "--start", required=True, help="UTC date or time, e.g. 2026-11-01 (required)"
    )
    download.add_argument("--end", default=None, help="UTC date or time (exclusive; default: now)")
    download.add_argument(
        "--types",
        default="bars:1m,funding",
        help="bars:1m,mark-bars:1m,index-bars:1m,trades,funding (default: bars:1m,funding)",
    )
    download.add_argument(
        "--env",
        choices=("live", "demo", "sim"),
        default="live",
        help="sim starts a simulator in-process unless --http-url is given",
    )
    download.add_argument(
        "--http-url", help="REST base URL override, e.g. a simulator (default: the --env host)"
    )
    download.add_argument(
        "-q", "--quiet", action="store_true", help="no progress display (default: on a terminal)"
    )
    download.set_defaults(target="nautilus_bitget.history.cli:run_download")

    tardis = sub.add_parser(
        "import-tardis",
        help="import Tardis CSV files of bitget-futures into a catalog",
        description="Import Tardis CSV files (incremental_book_L2, trades, derivative_ticker, "
        "book_ticker, book_snapshot_25) of bitget-futures into a Nautilus Parquet catalog.",
        epilog=examples_epilog(
            [
                "bitget-nt import-tardis bitget-futures_trades_2026-11-01_BTCUSDT.csv.gz",
                "bitget-nt import-tardis --catalog data/tardis *_incremental_book_L2_*.csv.gz",
            ],
            notes=IMPORT_EPILOG,
        ),
        formatter_class=HelpFormatter,
    )
    tardis.add_argument("--catalog", default=DEFAULT_CATALOG, help="catalog path or fsspec URI")
    tardis.add_argument("files", nargs="+", metavar="FILE", help="Tardis .csv or .csv.gz files")
    tardis.add_argument(
        "--env",
        choices=("live", "demo", "sim"),
        default="live",
        help="where instrument definitions come from (default: live)",
    )
    tardis.add_argument(
        "--http-url", help="REST base URL override, e.g. a simulator (default: the --env host)"
    )
    tardis.add_argument(
        "-q", "--quiet", action="store_true", help="no progress display (default: on a terminal)"
    )
    tardis.set_defaults(target="nautilus_bitget.history.cli:run_import")
