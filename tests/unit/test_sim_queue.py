"""Simulator queue semantics (bitget-protocol.md 9.8): back of the level, queue ahead first."""

from __future__ import annotations

from decimal import Decimal

import pytest

from nautilus_bitget.sim.events import Trades
from nautilus_bitget.sim.exchange import SimExchange


KEY = "sim-key"
T0 = 1_700_000_000_000
ASKS = [("60000.0", "0.100"), ("60000.5", "0.200"), ("60001.0", "0.300")]
BIDS = [("59999.5", "0.300"), ("59999.0", "0.200"), ("59998.0", "0.500")]


@pytest.fixture
def ex() -> SimExchange:
    exchange = SimExchange(clock=lambda: T0, seed=3, symbols=["BTCUSDT"])
    exchange.set_book("BTCUSDT", BIDS, ASKS)
    return exchange


def bid(ex: SimExchange, price: str, size: str = "0.100"):
    return ex.place_order(
        KEY,
        {
            "symbol": "BTCUSDT",
            "productType": "USDT-FUTURES",
            "marginMode": "crossed",
            "marginCoin": "USDT",
            "orderType": "limit",
            "side": "buy",
            "force": "post_only",
            "size": size,
            "price": price,
        },
    )


def filled(ex: SimExchange, order) -> Decimal:
    return ex.get_order(KEY, "BTCUSDT", order.order_id).filled_qty


def test_joins_back_of_level_trades_consume_queue_ahead_first(ex):
    o = bid(ex, "59999.5")  # 0.300 generated ahead of it
    ex.apply_external("BTCUSDT", [(True, 599995, 100)], [(599995, 200, "sell")], T0)
    assert filled(ex, o) == 0  # 0.200 of the 0.300 ahead traded
    ex.apply_external("BTCUSDT", [(True, 599995, 50)], [(599995, 150, "sell")], T0)
    # 0.100 ahead left, then 0.050 reaches the order (the rest of the trade was behind it)
    assert filled(ex, o) == Decimal("0.050")


def test_size_added_after_the_order_queues_behind_it(ex):
    o = bid(ex, "59999.5")
    # the level grows to 1.000: the 0.700 added later is behind the order
    ex.apply_external("BTCUSDT", [(True, 599995, 1000)], [], T0)
    ex.apply_external("BTCUSDT", [(True, 599995, 600)], [(599995, 400, "sell")], T0)
    assert filled(ex, o) == Decimal("0.100")


def test_level_shrinking_below_queue_ahead_moves_order_up(ex):
    o = bid(ex, "59999.5")
    ex.apply_external("BTCUSDT", [(True, 599995, 250)], [], T0)  # 0.250 left ahead
    ex.apply_external("BTCUSDT", [(True, 599995, 0)], [(599995, 300, "sell")], T0)
    assert filled(ex, o) == Decimal("0.050")


def test_inside_spread_order_has_no_queue_and_through_fills_print_public_trades(ex):
    seen: list = []
    ex.add_listener(seen.append)
    o = bid(ex, "59999.8")  # a new best level: nothing ahead
    ex.external_trade("BTCUSDT", "sell", "0.100")  # prints at 59999.5, through the order
    assert filled(ex, o) == Decimal("0.100")
    prints = [(t.price, t.size, t.side) for e in seen if isinstance(e, Trades) for t in e.trades]
    # the generated taker's print, then the user's maker fill as a public trade
    assert prints == [("59999.5", "0.100", "sell"), ("59999.8", "0.100", "sell")]
