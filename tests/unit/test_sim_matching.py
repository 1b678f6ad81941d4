"""Simulator matching: fills per level, time in force, user book priority, modify, rejects."""

from __future__ import annotations

from decimal import Decimal

import pytest

from nautilus_bitget.sim.events import BookChanged
from nautilus_bitget.sim.events import FillEvent
from nautilus_bitget.sim.events import OrderEvent
from nautilus_bitget.sim.exchange import SimError
from nautilus_bitget.sim.exchange import SimExchange


KEY = "sim-key"
T0 = 1_700_000_000_000
ASKS = [("60000.0", "0.100"), ("60000.5", "0.200"), ("60001.0", "0.300")]
BIDS = [("59999.5", "0.100"), ("59999.0", "0.200"), ("59998.0", "0.500")]


@pytest.fixture
def ex() -> SimExchange:
    exchange = SimExchange(clock=lambda: T0, seed=3, symbols=["BTCUSDT", "BTCUSD"])
    exchange.set_book("BTCUSDT", BIDS, ASKS)
    return exchange


@pytest.fixture
def events(ex: SimExchange) -> list:
    out: list = []
    ex.add_listener(out.append)
    return out


def order(**kw) -> dict:
    body = {
        "symbol": "BTCUSDT",
        "productType": "USDT-FUTURES",
        "marginMode": "crossed",
        "marginCoin": "USDT",
        "orderType": "limit",
        "side": "buy",
    }
    body.update(kw)
    return body


def test_limit_crossing_levels_fills_per_level_and_rests(ex, events):
    o = ex.place_order(KEY, order(size="0.400", price="60000.5"))
    fills = [e.fill for e in events if isinstance(e, FillEvent)]
    assert [(f.price, f.size) for f in fills] == [
        (Decimal("60000.0"), Decimal("0.100")),
        (Decimal("60000.5"), Decimal("0.200")),
    ]
    assert len({f.trade_id for f in fills}) == 2
    assert all(f.trade_scope == "taker" for f in fills)
    # taker 0.0006: 0.1*60000*0.0006 = 3.6 ; 0.2*60000.5*0.0006 = 7.20006
    assert fills[0].fee == Decimal("-3.6")
    assert fills[1].fee == Decimal("-7.20006")
    assert o.status == "partially_filled"
    assert o.filled_qty == Decimal("0.300")
    assert o.fee == Decimal("-10.80006")
    # remainder 0.1 rests in the user book; consumed levels left the generated book
    assert [x.order_id for x in ex.pending_orders(KEY, "USDT-FUTURES")] == [o.order_id]
    bids, asks = ex.book("BTCUSDT")
    assert asks == [("60001.0", "0.300")]
    assert bids == BIDS
    book_msgs = [e for e in events if isinstance(e, BookChanged)]
    assert book_msgs[-1].asks == [("60000.0", "0"), ("60000.5", "0")]
    statuses = [e.order.status for e in events if isinstance(e, OrderEvent)]
    assert statuses == ["live", "partially_filled", "partially_filled"]


def test_market_order_sweeps(ex):
    o = ex.place_order(KEY, order(orderType="market", side="sell", size="0.250"))
    # 0.1 @ 59999.5 + 0.15 @ 59999.0 ; avg = (5999.95 + 8999.85) / 0.25 = 59999.2
    assert o.status == "filled"
    assert o.price_avg == Decimal("59999.2")
    assert ex.book("BTCUSDT", 2)[0] == [("59999.0", "0.050"), ("59998.0", "0.500")]


def test_ioc_partial_then_canceled(ex, events):
    o = ex.place_order(KEY, order(size="0.500", price="60000.5", force="ioc"))
    assert o.status == "canceled"
    assert o.filled_qty == Decimal("0.300")
    assert ex.pending_orders(KEY, "USDT-FUTURES") == []
    statuses = [e.order.status for e in events if isinstance(e, OrderEvent)]
    assert statuses == ["live", "partially_filled", "partially_filled", "canceled"]


def test_fok_not_fully_fillable_is_canceled_without_fills(ex, events):
    o = ex.place_order(KEY, order(size="0.500", price="60000.5", force="fok"))
    assert o.status == "canceled"
    assert o.filled_qty == 0
    assert not [e for e in events if isinstance(e, FillEvent)]
    assert ex.book("BTCUSDT")[1] == ASKS
    o2 = ex.place_order(KEY, order(size="0.300", price="60000.5", force="fok"))
    assert o2.status == "filled"


def test_post_only_crossing_is_canceled_live_then_canceled(ex, events):
    o = ex.place_order(KEY, order(size="0.100", price="60000.0", force="post_only"))
    assert o.status == "canceled"
    statuses = [e.order.status for e in events if isinstance(e, OrderEvent)]
    assert statuses == ["live", "canceled"]
    ok = ex.place_order(KEY, order(size="0.100", price="59999.9", force="post_only"))
    assert ok.status == "live"


def test_price_time_priority_among_user_orders(ex):
    a = ex.place_order(KEY, order(size="0.100", price="59999.8"))
    b = ex.place_order(KEY, order(size="0.100", price="59999.8"))
    # another trader sells 0.1: prints at 59999.5, through both user bids -> only A (earlier)
    trades = ex.external_trade("BTCUSDT", "sell", "0.100")
    assert [(t.price, t.size, t.side) for t in trades] == [("59999.5", "0.100", "sell")]
    a_now = ex.get_order(KEY, "BTCUSDT", a.order_id)
    b_now = ex.get_order(KEY, "BTCUSDT", b.order_id)
    assert a_now.status == "filled"
    assert a_now.price_avg == Decimal("59999.8")
    assert b_now.status == "live"
    fill = ex.fills(KEY, "USDT-FUTURES")[0]
    # maker 0.0002: 0.1 * 59999.8 * 0.0002 = 1.199996
    assert fill.trade_scope == "maker"
    assert fill.fee == Decimal("-1.199996")


def test_better_price_has_priority_over_time(ex):
    a = ex.place_order(KEY, order(size="0.100", price="59999.7"))
    b = ex.place_order(KEY, order(size="0.100", price="59999.8"))
    ex.external_trade("BTCUSDT", "sell", "0.100")
    assert ex.get_order(KEY, "BTCUSDT", b.order_id).status == "filled"
    assert ex.get_order(KEY, "BTCUSDT", a.order_id).status == "live"


def test_resting_order_filled_when_book_moves_across(ex):
    o = ex.place_order(KEY, order(size="0.100", price="59999.9"))
    assert o.status == "live"
    # generated asks drop to 59999.9: the user bid is crossed and fills fully at its price
    ex.set_book("BTCUSDT", [("59999.0", "1.000")], [("59999.9", "1.000"), ("60000.0", "1.000")])
    now = ex.get_order(KEY, "BTCUSDT", o.order_id)
    assert now.status == "filled"
    assert now.price_avg == Decimal("59999.9")
    assert ex.fills(KEY, "USDT-FUTURES")[0].trade_scope == "maker"


def test_modify_creates_new_order_id(ex, events):
    o = ex.place_order(KEY, order(size="0.100", price="59990.0", clientOid="c-1"))
    res = ex.modify_order(
        KEY,
        {
            "symbol": "BTCUSDT",
            "productType": "USDT-FUTURES",
            "orderId": o.order_id,
            "newClientOid": "c-2",
            "newSize": "0.200",
            "newPrice": "59991.0",
        },
    )
    assert res == {"orderId": None, "clientOid": "c-2"}
    assert ex.get_order(KEY, "BTCUSDT", o.order_id).status == "canceled"
    new = ex.get_order(KEY, "BTCUSDT", client_oid="c-2")
    assert new.order_id != o.order_id
    assert (new.size, new.price, new.status) == (Decimal("0.200"), Decimal("59991.0"), "live")
    with pytest.raises(SimError) as e:
        ex.modify_order(
            KEY,
            {
                "symbol": "BTCUSDT",
                "productType": "USDT-FUTURES",
                "orderId": new.order_id,
                "newClientOid": "c-3",
                "newSize": "0.300",
            },
        )
    assert e.value.code == "40925"


def test_cancel_and_not_found(ex):
    o = ex.place_order(KEY, order(size="0.100", price="59990.0", clientOid="x1"))
    body = {"symbol": "BTCUSDT", "productType": "USDT-FUTURES", "clientOid": "x1"}
    assert ex.cancel_order(KEY, body).order_id == o.order_id
    assert ex.get_order(KEY, "BTCUSDT", o.order_id).status == "canceled"
    with pytest.raises(SimError) as e:
        ex.cancel_order(KEY, body)
    assert e.value.code == "40768"
    # the clientOid is free again once the order is not pending
    ex.place_order(KEY, order(size="0.100", price="59990.0", clientOid="x1"))


def test_duplicate_client_oid_among_pending(ex):
    ex.place_order(KEY, order(size="0.100", price="59990.0", clientOid="dup"))
    with pytest.raises(SimError) as e:
        ex.place_order(KEY, order(size="0.100", price="59990.0", clientOid="dup"))
    assert e.value.code == "43118"
    for bad, code in (("x" * 51, "40304"), ("bad/oid", "40305")):
        with pytest.raises(SimError) as e:
            ex.place_order(KEY, order(size="0.100", price="59990.0", clientOid=bad))
        assert e.value.code == code


def test_batch_place_partial_failures(ex):
    body = {
        "symbol": "BTCUSDT",
        "productType": "USDT-FUTURES",
        "marginMode": "crossed",
        "marginCoin": "USDT",
        "orderList": [
            {
                "size": "0.100",
                "price": "59990.0",
                "side": "buy",
                "orderType": "limit",
                "clientOid": "b1",
            },
            {
                "size": "0.0001",
                "price": "59990.0",
                "side": "buy",
                "orderType": "limit",
                "clientOid": "b2",
            },
            {
                "size": "0.001",
                "price": "1000.0",
                "side": "buy",
                "orderType": "limit",
                "clientOid": "b3",
            },
        ],
    }
    res = ex.batch_place_orders(KEY, body)
    assert [s[1] for s in res.success] == ["b1"]
    assert [(f[1], f[2]) for f in res.failure] == [("b2", "40808"), ("b3", "45110")]
    with pytest.raises(SimError) as e:
        ex.batch_place_orders(KEY, {**body, "orderList": body["orderList"][:1] * 21})
    assert e.value.code == "40306"


def test_batch_cancel(ex):
    a = ex.place_order(KEY, order(size="0.100", price="59990.0"))
    res = ex.batch_cancel_orders(
        KEY,
        {
            "symbol": "BTCUSDT",
            "productType": "USDT-FUTURES",
            "orderIdList": [{"orderId": a.order_id}, {"orderId": "123"}],
        },
    )
    assert res.success == [(a.order_id, a.client_oid)]
    assert [(f[0], f[2]) for f in res.failure] == [("123", "40768")]
    with pytest.raises(SimError) as e:
        ex.batch_cancel_orders(
            KEY,
            {
                "symbol": "BTCUSDT",
                "productType": "USDT-FUTURES",
                "orderIdList": [{"orderId": "1"}] * 51,
            },
        )
    assert e.value.code == "40912"


def test_cancel_all_by_product_type(ex):
    ex.place_order(KEY, order(size="0.100", price="59990.0"))
    ex.place_order(KEY, order(size="0.100", price="59980.0"))
    res = ex.cancel_all_orders(KEY, {"productType": "USDT-FUTURES"})
    assert len(res.success) == 2
    assert ex.pending_orders(KEY, "USDT-FUTURES") == []


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"price": "60000.05"}, "45115"),  # tick 0.1
        ({"size": "0.0015"}, "40808"),  # sizeMultiplier 0.001
        ({"size": "0"}, "40020"),
        ({"size": "0.001", "price": "4000.0"}, "45110"),  # 0.001 * 4000 = 4 < 5 USDT
        ({"size": "100.000", "price": "59990.0"}, "40762"),  # margin 299950 > 100000
        ({"symbol": "NOPEUSDT"}, "40034"),
        ({"symbol": "XRPUSDT", "size": "10", "price": "0.5000"}, "41114"),
        ({"tradeSide": "open"}, "40774"),  # tradeSide in one-way mode
        ({"side": "long"}, "40020"),
        ({"price": None}, "40019"),
        ({"marginCoin": "USDC"}, "40020"),
    ],
)
def test_rejections(ex, overrides, code):
    body = order(size="0.010", price="59990.0")
    body.update(overrides)
    with pytest.raises(SimError) as e:
        ex.place_order(KEY, body)
    assert e.value.code == code


def test_inverse_tick_is_price_end_step(ex):
    # BTCUSD: pricePlace 1, priceEndStep 5 -> tick 0.5
    body = order(symbol="BTCUSD", productType="COIN-FUTURES", marginCoin="BTC", size="0.010")
    with pytest.raises(SimError) as e:
        ex.place_order(KEY, {**body, "price": "50000.3"})
    assert e.value.code == "45115"
    assert ex.place_order(KEY, {**body, "price": "50000.5"}).status == "live"


def test_order_ids_numeric_and_unique(ex):
    ids = {ex.place_order(KEY, order(size="0.010", price="59000.0")).order_id for _ in range(20)}
    assert len(ids) == 20
    assert all(i.isdigit() for i in ids)
