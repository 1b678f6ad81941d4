"""
``BookMaker`` decides a book update on the fills stamped before it (strategies/book_maker.py).

A backtest fills a quote that the book crosses *before* the strategy sees that book update; live,
the private fill of the same venue instant arrives just before or just after it. The strategy must
therefore leave the filled side alone on that update and requote on the next one, in both.
"""

from __future__ import annotations

from pathlib import Path

from nautilus_trader.model.data import BookOrder
from nautilus_trader.model.data import OrderBookDelta
from nautilus_trader.model.data import OrderBookDeltas
from nautilus_trader.model.data import TradeTick
from nautilus_trader.model.enums import AggressorSide
from nautilus_trader.model.enums import BookAction
from nautilus_trader.model.enums import OrderSide
from nautilus_trader.model.enums import RecordFlag
from nautilus_trader.model.identifiers import TradeId
from nautilus_trader.model.objects import Price
from nautilus_trader.model.objects import Quantity
from nautilus_trader.persistence.catalog import ParquetDataCatalog

from nautilus_bitget.backtest.fills import FillOptions
from nautilus_bitget.backtest.fills import LatencyProfile
from nautilus_bitget.backtest.runner import run_backtest
from tests.integration.test_backtest_cli import IID
from tests.integration.test_backtest_cli import SEC
from tests.integration.test_backtest_cli import T0
from tests.integration.test_backtest_cli import make_instrument


MS = 1_000_000
RECV = 2 * MS  # the recording's receive lag (ts_init - ts_event)
CONFIG = {
    "instrument_id": str(IID),
    "imbalance_weight": "0",
    "half_spread_ticks": 2,
    "requote_ticks": 50,  # no modifies: only placements
    "max_inventory": "0.05",
    "inventory_skew_ticks": 0,
}


def _book(ts_event: int, bid_ticks: int) -> OrderBookDeltas:
    ts_init = ts_event + RECV
    deltas = [
        OrderBookDelta(IID, BookAction.CLEAR, None, RecordFlag.F_SNAPSHOT, 0, ts_event, ts_init)
    ]
    levels = [(OrderSide.BUY, bid_ticks - i) for i in range(3)]
    levels += [(OrderSide.SELL, bid_ticks + 1 + i) for i in range(3)]
    for j, (side, ticks) in enumerate(levels):
        flags = RecordFlag.F_SNAPSHOT | (RecordFlag.F_LAST if j == len(levels) - 1 else 0)
        order = BookOrder(side, Price(ticks / 10, 1), Quantity(1, 4), 0)
        deltas.append(OrderBookDelta(IID, BookAction.ADD, order, flags, 0, ts_event, ts_init))
    return OrderBookDeltas(IID, deltas)


def test_a_quote_filled_by_the_book_is_replaced_on_the_next_update(tmp_path: Path) -> None:
    catalog = ParquetDataCatalog(str(tmp_path / "catalog"))
    catalog.write_data([make_instrument()])
    t1, t2, t3 = T0 + SEC, T0 + SEC + 100 * MS, T0 + SEC + 200 * MS
    # t1: bid 60000.0 / ask 60000.1 -> quotes 59999.8 / 60000.3 (fair 60000.05 -/+ 2 ticks)
    # t2: the book jumps up: best bid 60000.5 crosses our ask, which fills
    # t3: the next update
    books = [_book(t1, 600_000), _book(t2, 600_005), _book(t3, 600_005)]
    catalog.write_data(books)
    # one trade far away, so the catalog has trades (the queue model's data)
    trade = TradeTick(
        IID, Price(60010.0, 1), Quantity(0.001, 4), AggressorSide.BUYER, TradeId("x"), t3, t3 + RECV
    )
    catalog.write_data([trade])
    result = run_backtest(
        tmp_path / "catalog",
        "strategies.book_maker:BookMaker",
        CONFIG,
        fills=FillOptions("queue", LatencyProfile.constant(1.0)),
        start=T0,
        end=T0 + 2 * SEC,
    )
    sells = [o for o in result.order_events if o["side"] == "SELL" and o["event"] == "submitted"]
    fills = [e for e in result.order_events if e["event"] == "filled" and e["side"] == "SELL"]
    assert len(fills) == 1
    assert fills[0]["price"] == "60000.3"
    assert fills[0]["ts"] == t2 + RECV  # filled when the crossing update was applied
    # the replacement ask is decided on the update after the one that filled the first
    decisions = [int(s["tags"].split("decision=")[1].split(";")[0]) for s in sells]
    assert decisions == [t1, t3]
