"""
``bitget-nt backtest`` and ``run_backtest`` on a catalog built here from Nautilus objects:
BTCUSDT-PERP.BITGET with an hour of L2 deltas, trades, 1-minute EXTERNAL bars, mark prices and
funding updates.
"""

from __future__ import annotations

import json
import math
import random
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from nautilus_trader.model.currencies import USDT
from nautilus_trader.model.data import Bar
from nautilus_trader.model.data import BarType
from nautilus_trader.model.data import BookOrder
from nautilus_trader.model.data import FundingRateUpdate
from nautilus_trader.model.data import MarkPriceUpdate
from nautilus_trader.model.data import OrderBookDelta
from nautilus_trader.model.data import OrderBookDeltas
from nautilus_trader.model.data import TradeTick
from nautilus_trader.model.enums import AggressorSide
from nautilus_trader.model.enums import BookAction
from nautilus_trader.model.enums import OrderSide
from nautilus_trader.model.enums import RecordFlag
from nautilus_trader.model.identifiers import InstrumentId
from nautilus_trader.model.identifiers import Symbol
from nautilus_trader.model.identifiers import TradeId
from nautilus_trader.model.identifiers import Venue
from nautilus_trader.model.instruments import CryptoPerpetual
from nautilus_trader.model.objects import Money
from nautilus_trader.model.objects import Price
from nautilus_trader.model.objects import Quantity
from nautilus_trader.persistence.catalog import ParquetDataCatalog

from nautilus_bitget.backtest.loader import StrategyLoadError
from nautilus_bitget.backtest.runner import run_backtest
from tests.instruments import btcusdt_perp


REPO = Path(__file__).resolve().parents[2]
CONFIGS = REPO / "strategies" / "configs"
IID = InstrumentId(Symbol("BTCUSDT-PERP"), Venue("BITGET"))
BAR_TYPE = BarType.from_str("BTCUSDT-PERP.BITGET-1-MINUTE-LAST-EXTERNAL")
SEC = 1_000_000_000
T0 = 1_700_000_000 * SEC - (1_700_000_000 * SEC) % (60 * SEC)  # on a minute boundary
MINUTES = 60
FUNDING_TS = T0 + 40 * 60 * SEC


def make_instrument() -> CryptoPerpetual:
    return btcusdt_perp(
        ts_event=T0,
        ts_init=T0,
        max_quantity=Quantity.from_str("1000.0000"),
        min_quantity=Quantity.from_str("0.0001"),
        min_notional=Money(5, USDT),
        margin_init=Decimal(1),
        margin_maint=Decimal("0.5"),
        maker_fee=Decimal("0.0002"),
        taker_fee=Decimal("0.0006"),
        info={"productType": "USDT-FUTURES"},
    )


def _book(ts: int, mid_ticks: int, rng: random.Random) -> OrderBookDeltas:
    deltas = [OrderBookDelta(IID, BookAction.CLEAR, None, RecordFlag.F_SNAPSHOT, 0, ts, ts)]
    levels = []
    for i in range(10):
        levels.append((OrderSide.BUY, mid_ticks - 1 - i))
        levels.append((OrderSide.SELL, mid_ticks + 1 + i))
    for j, (side, ticks) in enumerate(levels):
        flags = RecordFlag.F_SNAPSHOT | (RecordFlag.F_LAST if j == len(levels) - 1 else 0)
        size = Quantity(rng.randint(1, 40) / 10, 4)
        order = BookOrder(side, Price(ticks / 10, 1), size, 0)
        deltas.append(OrderBookDelta(IID, BookAction.ADD, order, flags, 0, ts, ts))
    return OrderBookDeltas(IID, deltas)


def build_catalog(path: Path, minutes: int = MINUTES) -> Path:
    """Write a deterministic hour of BTCUSDT-PERP.BITGET market data to a catalog at ``path``."""
    rng = random.Random(7)
    catalog = ParquetDataCatalog(str(path))
    catalog.write_data([make_instrument()])
    books, trades, bars, marks = [], [], [], []
    mid = 600_000  # in ticks of 0.1 -> 60000.0
    bar_px: list[int] = []
    for s in range(minutes * 60):
        ts = T0 + s * SEC
        drift = round(6 * math.sin(s / 420))
        mid += drift + rng.randint(-6, 6)
        books.append(_book(ts, mid, rng))
        side = rng.choice((AggressorSide.BUYER, AggressorSide.SELLER))
        px = mid + (1 if side == AggressorSide.BUYER else -1)
        trades.append(
            TradeTick(IID, Price(px / 10, 1), Quantity(0.05, 4), side, TradeId(f"T{s}"), ts, ts),
        )
        bar_px.append(px)
        if s % 10 == 0:
            marks.append(MarkPriceUpdate(IID, Price(mid / 10, 1), ts, ts))
        if (s + 1) % 60 == 0:
            close_ts = T0 + (s + 1) * SEC
            o, hi, lo, c = bar_px[0], max(bar_px), min(bar_px), bar_px[-1]
            bars.append(
                Bar(
                    BAR_TYPE,
                    Price(o / 10, 1),
                    Price(hi / 10, 1),
                    Price(lo / 10, 1),
                    Price(c / 10, 1),
                    Quantity(len(bar_px) * 0.05, 4),
                    close_ts,
                    close_ts,
                ),
            )
            bar_px = []
    funding = [
        FundingRateUpdate(
            IID,
            Decimal("0.0001"),
            T0 + 5 * SEC,
            T0 + 5 * SEC,
            interval=480,
            next_funding_ns=FUNDING_TS,
        ),
        FundingRateUpdate(
            IID,
            Decimal("-0.00005"),
            FUNDING_TS + 60 * SEC,
            FUNDING_TS + 60 * SEC,
            interval=480,
            next_funding_ns=FUNDING_TS + 480 * 60 * SEC,
        ),
    ]
    for chunk in (books, trades, bars, marks, funding):
        catalog.write_data(chunk)
    return path


@pytest.fixture(scope="module")
def catalog(tmp_path_factory) -> Path:
    return build_catalog(tmp_path_factory.mktemp("bt") / "catalog")


def _check_outputs(out: Path, summary: dict) -> None:
    data = json.loads((out / "results.json").read_text())
    for key in (
        "orders",
        "fills",
        "commissions_total",
        "funding_total",
        "realized_pnl_total",
        "ending_balance",
    ):
        assert key in data, key
    for key in ("commissions_total", "funding_total", "realized_pnl_total", "ending_balance"):
        assert isinstance(data[key], str)
        Decimal(data[key])
    assert data == json.loads(json.dumps(summary, default=str))
    # the account moves by exactly trading PnL, fees and funding
    start, end = Decimal(data["starting_balance"]), Decimal(data["ending_balance"])
    realized = Decimal(data["realized_pnl_total"])
    fees, funding = Decimal(data["commissions_total"]), Decimal(data["funding_total"])
    assert end == start + realized - fees + funding
    fills_csv = (out / "fills.csv").read_text().splitlines()
    assert fills_csv[0].startswith("time,ts_event,instrument_id")
    assert len(fills_csv) == data["fills"] + 1
    assert (out / "positions.csv").read_text().startswith("position_id,")
    html = (out / "report.html").read_text()
    assert html.count("<svg") == 3
    for title in ("price and fills", "Equity", "Drawdown"):
        assert title in html
    assert "<polyline" in html
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")


def test_ema_cross_from_python(catalog: Path, tmp_path: Path) -> None:
    out = tmp_path / "ema"
    result = run_backtest(
        catalog,
        "strategies.ema_cross:EMACross",
        CONFIGS / "ema_cross.json",
        out,
    )
    s = result.summary
    assert s["book_type"] == "L2_MBP"
    assert s["orders"] >= 2
    assert s["fills"] >= 2
    assert s["orders_by_type"].get("STOP_MARKET", 0) >= 1
    assert Decimal(s["commissions_total"]) > 0
    # a position was open at the funding time: exactly one payment, never zero
    assert s["funding_payments"] == 1
    assert Decimal(s["funding_total"]) != 0
    # its sign and size by hand: -(position at the funding time) x last mark x 0.0001
    signed = sum(
        Decimal(f["quantity"]) * (1 if f["side"] == "BUY" else -1)
        for f in result.fills
        if f["ts_event"] <= FUNDING_TS
    )
    # the mark in force: the last one before the funding time (the settlement comes first)
    marks = ParquetDataCatalog(str(catalog)).query(MarkPriceUpdate, end=FUNDING_TS - 1)
    mark = max(marks, key=lambda m: m.ts_event).value.as_decimal()
    assert signed != 0
    expected = -signed * mark * Decimal("0.0001")
    assert abs(Decimal(s["funding_total"]) - expected) < Decimal("0.00000002")
    assert all(f["tags"].startswith(("decision=", "on_stop")) for f in result.fills)
    _check_outputs(out, s)


def test_book_maker_from_python(catalog: Path, tmp_path: Path) -> None:
    out = tmp_path / "maker"
    result = run_backtest(
        catalog,
        "strategies.book_maker:BookMaker",
        CONFIGS / "book_maker.json",
        out,
        start=T0,
        end=T0 + 10 * 60 * SEC,
    )
    s = result.summary
    types = s["orders_by_type"]
    assert types.get("LIMIT", 0) >= 2
    assert any(f["liquidity_side"] == "MAKER" for f in result.fills)
    orders = result.orders
    assert all(o["post_only"] for o in orders if o["type"] == "LIMIT")
    assert any(o["reduce_only"] for o in orders), "inventory limit never triggered a reduce-only"
    _check_outputs(out, s)


@pytest.mark.parametrize(
    ("strategy", "config"),
    [
        ("strategies.book_maker:BookMaker", "book_maker.json"),
        (str(REPO / "strategies" / "ema_cross.py") + ":EMACross", "ema_cross.json"),
    ],
)
def test_backtest_cli(catalog: Path, tmp_path: Path, strategy: str, config: str) -> None:
    out = tmp_path / "cli"
    proc = subprocess.run(  # noqa: S603 - our own CLI
        [
            sys.executable,
            "-m",
            "nautilus_bitget.cli",
            "backtest",
            "--catalog",
            str(catalog),
            "--strategy",
            strategy,
            "--config",
            str(CONFIGS / config),
            "--out",
            str(out),
            "--leverage",
            "5",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "ending balance" in proc.stdout
    assert str(out) in proc.stdout
    data = json.loads((out / "results.json").read_text())
    assert data["leverage"] == 5.0
    assert data["orders"] > 0
    _check_outputs(out, data)


def test_bad_config_field_named(catalog: Path) -> None:
    with pytest.raises(StrategyLoadError, match="fast_ema_perod"):
        run_backtest(
            catalog,
            "strategies.ema_cross:EMACross",
            {"instrument_id": str(IID), "bar_type": str(BAR_TYPE), "fast_ema_perod": 3},
        )
