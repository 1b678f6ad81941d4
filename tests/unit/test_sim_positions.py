"""Simulator positions: one-way net/flip/reduce-only, hedge open/close, PnL and fees by hand."""

from __future__ import annotations

from decimal import Decimal

import pytest

from nautilus_bitget.sim.events import FillEvent
from nautilus_bitget.sim.exchange import SimError
from nautilus_bitget.sim.exchange import SimExchange


KEY = "sim-key"
T0 = 1_700_000_000_000
USDT = "USDT-FUTURES"


@pytest.fixture
def ex() -> SimExchange:
    return SimExchange(clock=lambda: T0, seed=3, symbols=["BTCUSDT", "BTCUSD"])


def book(ex: SimExchange, bid: str, ask: str, symbol: str = "BTCUSDT") -> None:
    ex.set_book(symbol, [(bid, "10.000")], [(ask, "10.000")])


def mkt(side: str, size: str, **kw) -> dict:
    body = {
        "symbol": "BTCUSDT",
        "productType": USDT,
        "marginMode": "crossed",
        "marginCoin": "USDT",
        "orderType": "market",
        "side": side,
        "size": size,
    }
    body.update(kw)
    return body


def pos(ex: SimExchange, side: str, symbol: str = "BTCUSDT", pt: str = USDT):
    found = [p for p in ex.positions(KEY, pt, symbol) if p.hold_side == side]
    return found[0] if found else None


def balance(ex: SimExchange, coin: str = "USDT") -> Decimal:
    return ex.account(KEY).balances[coin]


def test_one_way_open_increase_reduce_flip_close(ex):
    book(ex, "59990.0", "60000.0")
    ex.place_order(KEY, mkt("buy", "0.500"))
    p = pos(ex, "long")
    assert (p.total, p.open_price_avg) == (Decimal("0.500"), Decimal(60000))
    # fee 0.5 * 60000 * 0.0006 = 18
    assert balance(ex) == Decimal("99982")

    book(ex, "60990.0", "61000.0")
    ex.place_order(KEY, mkt("buy", "0.500"))
    # avg = (0.5*60000 + 0.5*61000) / 1.0 = 60500 ; fee 0.5 * 61000 * 0.0006 = 18.3
    assert pos(ex, "long").open_price_avg == Decimal(60500)
    assert balance(ex) == Decimal("99963.7")

    book(ex, "62000.0", "62010.0")
    ex.place_order(KEY, mkt("sell", "0.400", reduceOnly="YES"))
    # pnl 0.4 * (62000 - 60500) = 600 ; fee 0.4 * 62000 * 0.0006 = 14.88
    p = pos(ex, "long")
    assert (p.total, p.achieved_profits) == (Decimal("0.600"), Decimal(600))
    assert balance(ex) == Decimal("100548.82")

    # reduce-only can never exceed or flip
    with pytest.raises(SimError) as e:
        ex.place_order(KEY, mkt("sell", "1.000", reduceOnly="YES"))
    assert e.value.code == "40757"
    with pytest.raises(SimError) as e:
        ex.place_order(KEY, mkt("buy", "0.100", reduceOnly="YES"))
    assert e.value.code == "22002"

    # a plain sell of 1.0 closes the 0.6 long (pnl 0.6 * 1500 = 900) and opens a 0.4 short
    o = ex.place_order(KEY, mkt("sell", "1.000"))
    assert o.total_profits == Decimal(900)
    assert pos(ex, "long") is None
    s = pos(ex, "short")
    assert (s.total, s.open_price_avg) == (Decimal("0.400"), Decimal(62000))
    # fee 1.0 * 62000 * 0.0006 = 37.2, split 0.6/0.4 -> 22.32 / 14.88
    bills = ex.bills(KEY, USDT, limit=2)
    assert [(b.business_type, b.amount, b.fee) for b in bills] == [
        ("open_short", Decimal(0), Decimal("-14.88")),
        ("close_long", Decimal(900), Decimal("-22.32")),
    ]
    assert balance(ex) == Decimal("101411.62")

    book(ex, "60990.0", "61000.0")
    ex.place_order(KEY, mkt("buy", "0.400", reduceOnly="YES"))
    # pnl 0.4 * (62000 - 61000) = 400 ; fee 0.4 * 61000 * 0.0006 = 14.64
    assert ex.positions(KEY, USDT) == []
    assert balance(ex) == Decimal("101796.98")
    hist = ex.history_positions(KEY, USDT)
    assert [(h.hold_side, h.achieved_profits) for h in hist] == [
        ("short", Decimal(400)),
        ("long", Decimal(1500)),
    ]


def test_unrealized_pnl_and_equity_at_mark(ex):
    book(ex, "59990.0", "60000.0")
    ex.place_order(KEY, mkt("buy", "0.500"))
    ex.set_mark_price("BTCUSDT", "61000.0")
    p = pos(ex, "long")
    # upnl 0.5 * (61000 - 60000) = 500 ; margin 0.5 * 60000 / 20 = 1500
    assert p.unrealized_pl == Decimal(500)
    assert p.margin_size == Decimal(1500)
    view = ex.account_view(KEY, "USDT")
    assert view.equity == Decimal("100482")  # 99982 + 500
    assert view.available == Decimal("98982")  # 100482 - 1500


def test_open_order_freezes_margin(ex):
    book(ex, "59990.0", "60000.0")
    ex.place_order(
        KEY,
        mkt("buy", "1.000", orderType="limit", price="50000.0"),
    )
    # 1.0 * 50000 / 20 = 2500 frozen
    assert ex.account_view(KEY, "USDT").locked == Decimal(2500)
    assert ex.account_view(KEY, "USDT").available == Decimal(97500)


def test_hedge_open_both_and_close_long_with_buy_close(
    ex,
):
    events: list = []
    ex.add_listener(events.append)
    ex.set_position_mode(KEY, {"productType": USDT, "posMode": "hedge_mode"})
    book(ex, "59990.0", "60000.0")
    ex.place_order(KEY, mkt("buy", "0.500", tradeSide="open"))
    ex.place_order(KEY, mkt("sell", "0.300", tradeSide="open"))
    assert pos(ex, "long").total == Decimal("0.500")
    assert pos(ex, "short").total == Decimal("0.300")

    # close long = side buy + tradeSide close -> trades SELL against the bids at 59990
    events.clear()
    o = ex.place_order(KEY, mkt("buy", "0.200", tradeSide="close"))
    fill = next(e.fill for e in events if isinstance(e, FillEvent))
    assert (o.direction, fill.side, fill.direction, fill.price) == (
        "sell",
        "buy",
        "sell",
        Decimal("59990.0"),
    )
    # pnl 0.2 * (59990 - 60000) = -2
    assert fill.profit == Decimal(-2)
    assert pos(ex, "long").total == Decimal("0.300")
    assert pos(ex, "short").total == Decimal("0.300")

    with pytest.raises(SimError) as e:
        ex.place_order(KEY, mkt("buy", "0.400", tradeSide="close"))
    assert e.value.code == "40757"
    with pytest.raises(SimError) as e:
        ex.place_order(KEY, mkt("buy", "0.100"))  # hedge mode without tradeSide
    assert e.value.code == "40774"
    ex.place_order(KEY, mkt("sell", "0.300", tradeSide="close"))
    with pytest.raises(SimError) as e:
        ex.place_order(KEY, mkt("sell", "0.100", tradeSide="close"))
    assert e.value.code == "22002"


def test_close_positions_hedge_hold_side(ex):
    ex.set_position_mode(KEY, {"productType": USDT, "posMode": "hedge_mode"})
    book(ex, "59990.0", "60000.0")
    ex.place_order(KEY, mkt("buy", "0.500", tradeSide="open"))
    ex.place_order(KEY, mkt("sell", "0.300", tradeSide="open"))
    res = ex.close_positions(KEY, {"productType": USDT, "symbol": "BTCUSDT", "holdSide": "long"})
    assert len(res.success) == 1
    assert pos(ex, "long") is None
    assert pos(ex, "short").total == Decimal("0.300")
    ex.close_positions(KEY, {"productType": USDT, "symbol": "BTCUSDT"})
    assert ex.positions(KEY, USDT) == []
    with pytest.raises(SimError) as e:
        ex.close_positions(KEY, {"productType": USDT, "symbol": "BTCUSDT"})
    assert e.value.code == "22002"


def test_inverse_pnl_and_fees_in_base_coin(ex):
    book(ex, "49999.5", "50000.0", symbol="BTCUSD")
    body = mkt("buy", "1.000", symbol="BTCUSD", productType="COIN-FUTURES", marginCoin="BTC")
    ex.place_order(KEY, body)
    p = pos(ex, "long", "BTCUSD", "COIN-FUTURES")
    # margin 1.0 / 20 = 0.05 BTC ; fee 1.0 * 0.0006 = 0.0006 BTC
    assert p.margin_size == Decimal("0.05")
    assert balance(ex, "BTC") == Decimal("9.9994")
    book(ex, "62500.0", "62500.5", symbol="BTCUSD")
    o = ex.place_order(KEY, {**body, "side": "sell", "reduceOnly": "YES"})
    # pnl = 1.0 * (62500 - 50000) / 62500 = 0.2 BTC (= face 50000 USD * (1/50000 - 1/62500))
    assert o.total_profits == Decimal("0.2")
    assert balance(ex, "BTC") == Decimal("10.1988")  # 10 - 0.0006 + 0.2 - 0.0006


def test_position_mode_switch_blocked_by_orders_and_positions(ex):
    book(ex, "59990.0", "60000.0")
    o = ex.place_order(KEY, mkt("buy", "0.100", orderType="limit", price="50000.0"))
    hedge = {"productType": USDT, "posMode": "hedge_mode"}
    with pytest.raises(SimError) as e:
        ex.set_position_mode(KEY, hedge)
    assert e.value.code == "40920"
    ex.cancel_order(KEY, {"symbol": "BTCUSDT", "productType": USDT, "orderId": o.order_id})
    ex.place_order(KEY, mkt("buy", "0.100"))
    with pytest.raises(SimError) as e:
        ex.set_position_mode(KEY, hedge)
    assert e.value.code == "40920"
    # other product types are independent
    assert ex.set_position_mode(KEY, {"productType": "COIN-FUTURES", "posMode": "hedge_mode"}) == {
        "posMode": "hedge_mode"
    }
    ex.place_order(KEY, mkt("sell", "0.100", reduceOnly="YES"))
    assert ex.set_position_mode(KEY, hedge) == {"posMode": "hedge_mode"}


def test_margin_mode_and_leverage(ex):
    book(ex, "59990.0", "60000.0")
    base = {"symbol": "BTCUSDT", "productType": USDT, "marginCoin": "USDT"}
    assert ex.set_leverage(KEY, {**base, "leverage": "10"})["crossMarginLeverage"] == "10"
    for bad in ("0", "126", "2.5"):
        with pytest.raises(SimError) as e:
            ex.set_leverage(KEY, {**base, "leverage": bad})
        assert e.value.code == "40020"
    ex.place_order(KEY, mkt("buy", "0.100"))
    assert pos(ex, "long").leverage == 10
    with pytest.raises(SimError) as e:
        ex.set_margin_mode(KEY, {**base, "marginMode": "isolated"})
    assert e.value.code == "45117"
    ex.close_positions(KEY, {"productType": USDT, "symbol": "BTCUSDT"})
    assert ex.set_margin_mode(KEY, {**base, "marginMode": "isolated"})["marginMode"] == "isolated"
    ex.set_leverage(KEY, {**base, "leverage": "5", "holdSide": "long"})
    s = ex.account_settings(KEY, "BTCUSDT", USDT)
    assert (s.margin_mode, s.isolated_long_lever, s.isolated_short_lever) == ("isolated", 5, 20)


def test_preset_tp_sl_create_plans_and_trigger(ex):
    book(ex, "59990.0", "60000.0")
    ex.place_order(
        KEY, mkt("buy", "0.100", presetStopSurplusPrice="61000.0", presetStopLossPrice="59000.0")
    )
    plans = ex.plan_orders(KEY, USDT, "profit_loss")
    assert sorted(p.plan_type for p in plans) == ["loss_plan", "profit_plan"]
    book(ex, "61000.0", "61000.5")
    ex.set_last_price("BTCUSDT", "61000.0")
    assert ex.positions(KEY, USDT) == []
    hist = ex.plan_history(KEY, USDT, "profit_loss")
    assert sorted((p.plan_type, p.status) for p in hist) == [
        ("loss_plan", "cancelled"),
        ("profit_plan", "executed"),
    ]


def test_normal_plan_triggers_on_mark(ex):
    book(ex, "59990.0", "60000.0")
    ex.set_mark_price("BTCUSDT", "60000.0")
    plan = ex.place_plan_order(
        KEY,
        {
            "planType": "normal_plan",
            "symbol": "BTCUSDT",
            "productType": USDT,
            "marginMode": "crossed",
            "marginCoin": "USDT",
            "size": "0.100",
            "triggerPrice": "60500.0",
            "triggerType": "mark_price",
            "side": "buy",
            "orderType": "market",
        },
    )
    assert plan.trigger_above
    ex.set_mark_price("BTCUSDT", "60400.0")
    assert ex.plan_orders(KEY, USDT)[0].status == "live"
    ex.set_mark_price("BTCUSDT", "60500.0")
    done = ex.plan_history(KEY, USDT)[0]
    assert done.status == "executed"
    assert ex.get_order(KEY, "BTCUSDT", done.execute_order_id).status == "filled"
    assert pos(ex, "long").total == Decimal("0.100")
