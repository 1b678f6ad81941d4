"""
Make the small simulated sample catalog committed as ``data/sample/`` (``make sample``).

Records ``--minutes`` of the local simulator's BTCUSDT (book deltas, quotes, trades, 1m bars, mark,
index and funding rates, with a funding settlement every minute so a short recording holds some)
with ``bitget-nt record``, then adds 1-second bars aggregated from the recorded trades and a
README saying the data is simulated.

    python -m nautilus_bitget.sample data/sample --minutes 3
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path


SYMBOL = "BTCUSDT"
INSTRUMENT_ID = f"{SYMBOL}-PERP.BITGET"
SECOND_BAR_TYPE = f"{INSTRUMENT_ID}-1-SECOND-LAST-EXTERNAL"
FUNDING_INTERVAL_SECS = 60.0

README = """\
# data/sample: SIMULATED market data (not real Bitget prices)

{minutes:g} minutes of BTCUSDT-PERP.BITGET from the local Bitget simulator (`bitget-nt sim`,
seed {seed}), recorded with `bitget-nt record` and made by `make sample`
(`python -m nautilus_bitget.sample`). The prices, trades and funding rates are generated: use it
to try the tools, not to judge a strategy.

It holds (see `bitget-nt catalog info data/sample`):

- order book deltas (L2, with snapshots), quotes and trades;
- 1-minute bars (`{iid}-1-MINUTE-LAST-EXTERNAL`, as Bitget's candles) and 1-second bars
  (`{second}`, aggregated from the trades; a second without trades is a flat bar with no
  volume);
- mark, index and funding rates, with a funding settlement every minute (the simulator's
  `--funding-interval-secs 60`; Bitget settles every 1-8 hours);
- the instrument (`CryptoPerpetual`) and the recording session's manifest.

Try it:

    bitget-nt backtest --catalog data/sample --strategy strategies.ema_cross:EMACross \\
        --config strategies/configs/ema_cross_demo.json --out backtest-out/sample
"""


def second_bars(catalog: str) -> list:
    """Return 1-second LAST bars aggregated from the catalog's BTCUSDT trades."""
    from nautilus_trader.model.data import Bar
    from nautilus_trader.model.data import BarType
    from nautilus_trader.model.data import TradeTick
    from nautilus_trader.model.objects import Price
    from nautilus_trader.model.objects import Quantity
    from nautilus_trader.persistence.catalog import ParquetDataCatalog

    trades = sorted(
        ParquetDataCatalog(catalog).query(TradeTick, identifiers=[INSTRUMENT_ID]),
        key=lambda t: t.ts_event,
    )
    bar_type = BarType.from_str(SECOND_BAR_TYPE)
    second = 1_000_000_000
    bars: list[Bar] = []
    groups: dict[int, list] = {}
    for t in trades:
        groups.setdefault(t.ts_event // second, []).append(t)
    if not groups:
        return bars
    first = min(groups)
    price_precision = trades[0].price.precision
    size_precision = trades[0].size.precision
    close = trades[0].price.as_decimal()
    # a second without trades is a flat bar at the last close with no volume, as Nautilus's
    # time-bar aggregator builds it (time_bars_build_with_no_updates)
    for key in range(first, max(groups) + 1):
        group = groups.get(key, [])
        prices = [t.price.as_decimal() for t in group] or [close]
        size = sum((t.size.as_decimal() for t in group), Decimal(0))
        close = prices[-1]
        ts = (key + 1) * second
        bars.append(
            Bar(
                bar_type,
                Price(prices[0], price_precision),
                Price(max(prices), price_precision),
                Price(min(prices), price_precision),
                Price(close, price_precision),
                Quantity(size, size_precision),
                ts,
                ts,
            ),
        )
    return bars


def make_sample(out: Path, minutes: float, seed: int = 7) -> int:
    """Record ``minutes`` of simulator data into ``out`` (replaced); return the exit code."""
    from nautilus_trader.persistence.catalog import ParquetDataCatalog

    from nautilus_bitget.cli import main

    if out.exists():
        shutil.rmtree(out)
    # the simulator in its own process: the recording node keeps this one's CPU to itself
    sim = subprocess.Popen(  # noqa: S603 - our own CLI
        [
            sys.executable,
            "-m",
            "nautilus_bitget.cli",
            "sim",
            "--port",
            "0",
            "--symbols",
            SYMBOL,
            "--seed",
            str(seed),
            "--history-days",
            "0",
            "--funding-interval-secs",
            str(FUNDING_INTERVAL_SECS),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        ready = sim.stdout.readline() if sim.stdout else ""
        if not ready.startswith("READY "):
            raise RuntimeError(f"simulator did not start: {ready!r}")
        http_url = ready.split()[1].removeprefix("http=")
        code = main(
            [
                "record",
                "--env",
                "sim",
                "--http-url",
                http_url,
                "--symbols",
                SYMBOL,
                "--catalog",
                str(out),
                "--duration",
                str(minutes * 60),
                "--bars",
                "1m",
                "--flush-secs",
                "30",
                "--quiet",
            ],
        )
    finally:
        sim.terminate()
        sim.wait(15)
    if code != 0:
        return code
    bars = second_bars(str(out))
    ParquetDataCatalog(str(out)).write_data(bars)
    (out / "README.md").write_text(
        README.format(minutes=minutes, seed=seed, iid=INSTRUMENT_ID, second=SECOND_BAR_TYPE),
    )
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    print(f"sample catalog {out}: {len(bars)} 1s bars added, {size / 1e6:.2f} MB", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    """``python -m nautilus_bitget.sample [OUT] [--minutes M]``."""
    parser = argparse.ArgumentParser(description="Make the simulated sample catalog.")
    parser.add_argument("out", nargs="?", default="data/sample")
    parser.add_argument("--minutes", type=float, default=3.0)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    return make_sample(Path(args.out), args.minutes, args.seed)


if __name__ == "__main__":
    sys.exit(main())
