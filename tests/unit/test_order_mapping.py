"""Nautilus order -> Bitget request body: the exact mapping table (bitget-protocol.md 5.4-5.11,
9.3)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from nautilus_trader.common.component import TestClock
from nautilus_trader.common.factories import OrderFactory
from nautilus_trader.model.currencies import BTC
from nautilus_trader.model.currencies import USDT
from nautilus_trader.model.enums import OrderSide
from nautilus_trader.model.enums import OrderType
from nautilus_trader.model.enums import PositionSide
from nautilus_trader.model.enums import TimeInForce
from nautilus_trader.model.enums import TriggerType
from nautilus_trader.model.identifiers import InstrumentId
from nautilus_trader.model.identifiers import StrategyId
from nautilus_trader.model.identifiers import Symbol
from nautilus_trader.model.identifiers import TraderId
from nautilus_trader.model.identifiers import Venue
from nautilus_trader.model.instruments import CryptoPerpetual
from nautilus_trader.model.objects import Money
from nautilus_trader.model.objects import Price
from nautilus_trader.model.objects import Quantity

from nautilus_bitget.common.orders import TPSL_PLAN_TYPE
from nautilus_bitget.common.orders import BitgetOrderDenied
from nautilus_bitget.common.orders import alias_base
from nautilus_bitget.common.orders import batch_item
from nautilus_bitget.common.orders import batch_request
from nautilus_bitget.common.orders import chunks
from nautilus_bitget.common.orders import client_oid_error
from nautilus_bitget.common.orders import closed_hold_side
from nautilus_bitget.common.orders import is_close
from nautilus_bitget.common.orders import modify_alias
from nautilus_bitget.common.orders import modify_request
from nautilus_bitget.common.orders import modify_tpsl_request
from nautilus_bitget.common.orders import order_request
from nautilus_bitget.common.orders import plan_type_name
from nautilus_bitget.common.orders import tpsl_plan_type
from nautilus_bitget.common.orders import tpsl_request
from nautilus_bitget.common.orders import trade_direction
from nautilus_bitget.common.orders import wire_side


INSTRUMENT_ID = InstrumentId(Symbol("BTCUSDT-PERP"), Venue("BITGET"))
ROUTE = {
    "symbol": "BTCUSDT",
    "productType": "USDT-FUTURES",
    "marginMode": "crossed",
    "marginCoin": "USDT",
}


def make_instrument() -> CryptoPerpetual:
    return CryptoPerpetual(
        instrument_id=INSTRUMENT_ID,
        raw_symbol=Symbol("BTCUSDT"),
        base_currency=BTC,
        quote_currency=USDT,
        settlement_currency=USDT,
        is_inverse=False,
        price_precision=1,
        size_precision=3,
        price_increment=Price.from_str("0.1"),
        size_increment=Quantity.from_str("0.001"),
        ts_event=0,
        ts_init=0,
        multiplier=Quantity.from_int(1),
        lot_size=Quantity.from_str("0.001"),
        max_quantity=Quantity.from_str("1000.000"),
        min_quantity=Quantity.from_str("0.001"),
        max_notional=None,
        min_notional=Money(5, USDT),
        max_price=Price.from_str("1000000.0"),
        min_price=Price.from_str("0.1"),
        margin_init=Decimal("0.05"),
        margin_maint=Decimal("0.005"),
        maker_fee=Decimal("0.0002"),
        taker_fee=Decimal("0.0006"),
    )


@pytest.fixture
def factory() -> OrderFactory:
    return OrderFactory(TraderId("TESTER-001"), StrategyId("S-001"), TestClock())


def req(order, *, hedge=False, close=False, coid="C1", **kw):
    return order_request(
        order,
        symbol="BTCUSDT",
        product_type="USDT-FUTURES",
        margin_coin="USDT",
        margin_mode="crossed",
        hedge=hedge,
        close=close,
        client_oid=coid,
        **kw,
    )


Q = Quantity.from_str("0.010")
P = Price.from_str("65000.1")
T = Price.from_str("60000.0")


def test_market_one_way(factory):
    is_plan, body = req(factory.market(INSTRUMENT_ID, OrderSide.BUY, Q))
    assert not is_plan
    assert body == {
        **ROUTE,
        "size": "0.010",
        "side": "buy",
        "orderType": "market",
        "clientOid": "C1",
        "reduceOnly": "NO",
    }


def test_market_reduce_only_one_way(factory):
    order = factory.market(INSTRUMENT_ID, OrderSide.SELL, Q, reduce_only=True)
    _, body = req(order)
    assert body == {
        **ROUTE,
        "size": "0.010",
        "side": "sell",
        "orderType": "market",
        "clientOid": "C1",
        "reduceOnly": "YES",
    }


@pytest.mark.parametrize(
    ("tif", "post_only", "force"),
    [
        (TimeInForce.GTC, False, "gtc"),
        (TimeInForce.IOC, False, "ioc"),
        (TimeInForce.FOK, False, "fok"),
        (TimeInForce.GTC, True, "post_only"),
    ],
)
def test_limit_forces_one_way(factory, tif, post_only, force):
    order = factory.limit(
        INSTRUMENT_ID, OrderSide.SELL, Q, P, time_in_force=tif, post_only=post_only
    )
    _, body = req(order)
    assert body == {
        **ROUTE,
        "size": "0.010",
        "price": "65000.1",
        "side": "sell",
        "orderType": "limit",
        "force": force,
        "clientOid": "C1",
        "reduceOnly": "NO",
    }


@pytest.mark.parametrize(
    ("order_side", "close", "side", "trade_side"),
    [
        (OrderSide.BUY, False, "buy", "open"),  # open long
        (OrderSide.SELL, False, "sell", "open"),  # open short
        (OrderSide.SELL, True, "buy", "close"),  # close long: side = position side
        (OrderSide.BUY, True, "sell", "close"),  # close short
    ],
)
def test_hedge_sides(factory, order_side, close, side, trade_side):
    order = factory.limit(INSTRUMENT_ID, order_side, Q, P, time_in_force=TimeInForce.IOC)
    _, body = req(order, hedge=True, close=close)
    assert body == {
        **ROUTE,
        "size": "0.010",
        "price": "65000.1",
        "side": side,
        "tradeSide": trade_side,
        "orderType": "limit",
        "force": "ioc",
        "clientOid": "C1",
    }
    assert "reduceOnly" not in body


def test_stop_market_mark_price_one_way_reduce(factory):
    order = factory.stop_market(
        INSTRUMENT_ID,
        OrderSide.SELL,
        Q,
        T,
        trigger_type=TriggerType.MARK_PRICE,
        reduce_only=True,
    )
    is_plan, body = req(order, coid="S-001")
    assert is_plan
    # bitget-protocol.md section 10 example, field for field
    assert body == {
        **ROUTE,
        "size": "0.010",
        "planType": "normal_plan",
        "triggerPrice": "60000.0",
        "triggerType": "mark_price",
        "side": "sell",
        "orderType": "market",
        "clientOid": "S-001",
        "reduceOnly": "yes",
    }


@pytest.mark.parametrize(
    ("kind", "order_type", "trigger_type", "wire_trigger"),
    [
        ("stop_limit", "limit", TriggerType.DEFAULT, "fill_price"),
        ("limit_if_touched", "limit", TriggerType.LAST_PRICE, "fill_price"),
        ("market_if_touched", "market", TriggerType.MARK_PRICE, "mark_price"),
    ],
)
def test_plan_orders_hedge(factory, kind, order_type, trigger_type, wire_trigger):
    if kind == "market_if_touched":
        order = factory.market_if_touched(
            INSTRUMENT_ID, OrderSide.BUY, Q, T, trigger_type=trigger_type
        )
    else:
        order = getattr(factory, kind)(
            INSTRUMENT_ID, OrderSide.BUY, Q, P, T, trigger_type=trigger_type
        )
    is_plan, body = req(order, hedge=True, close=False)
    assert is_plan
    expected = {
        **ROUTE,
        "size": "0.010",
        "planType": "normal_plan",
        "triggerPrice": "60000.0",
        "triggerType": wire_trigger,
        "side": "buy",
        "tradeSide": "open",
        "orderType": order_type,
        "clientOid": "C1",
    }
    if order_type == "limit":
        expected["price"] = "65000.1"
    assert body == expected


def test_bracket_presets(factory):
    order = factory.market(INSTRUMENT_ID, OrderSide.BUY, Q)
    _, body = req(order, take_profit="70000.0", stop_loss="60000.0")
    assert body["presetStopSurplusPrice"] == "70000.0"
    assert body["presetStopLossPrice"] == "60000.0"
    item = batch_item(body)
    assert "symbol" not in item and "marginCoin" not in item
    assert item["presetStopLossPrice"] == "60000.0"
    batch = batch_request(
        [item],
        symbol="BTCUSDT",
        product_type="USDT-FUTURES",
        margin_coin="USDT",
        margin_mode="crossed",
    )
    assert batch["orderList"] == [item]
    assert batch["symbol"] == "BTCUSDT"


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (
            lambda f: f.limit(INSTRUMENT_ID, OrderSide.BUY, Q, P, time_in_force=TimeInForce.DAY),
            "time_in_force DAY",
        ),
        (
            lambda f: f.stop_market(
                INSTRUMENT_ID, OrderSide.BUY, Q, T, trigger_type=TriggerType.INDEX_PRICE
            ),
            "trigger_type INDEX_PRICE",
        ),
        (
            lambda f: f.trailing_stop_market(
                INSTRUMENT_ID, OrderSide.BUY, Q, trailing_offset=Decimal(1)
            ),
            "TRAILING_STOP_MARKET",
        ),
    ],
)
def test_denied(factory, make, reason):
    with pytest.raises(BitgetOrderDenied, match=reason):
        req(make(factory))


def test_client_oid_validation():
    assert client_oid_error("O-20240101-000000-001-001-1") is None  # Nautilus default id fits
    assert client_oid_error("a" * 32) is None
    assert "33 chars" in client_oid_error("a" * 33)
    assert "characters outside" in client_oid_error("bad#id")
    assert "characters outside" in client_oid_error("bad id")


def test_modify_alias_roundtrip():
    coid = "O-20240101-000000-001-001-1"
    alias = modify_alias(coid, 1)
    assert alias == coid + "_m1"
    assert alias_base(alias) == coid
    assert client_oid_error(alias) is None
    long_coid = "x" * 32
    long_alias = modify_alias(long_coid, 12)
    assert len(long_alias) <= 32 and client_oid_error(long_alias) is None
    assert long_alias == modify_alias(long_coid, 12)  # deterministic
    assert alias_base("plain") is None


def test_modify_request_sends_size_and_price_together():
    body = modify_request(
        symbol="BTCUSDT",
        product_type="USDT-FUTURES",
        order_id="123",
        client_oid="C1",
        new_client_oid="C1_m1",
        new_size="0.010",
        new_price="65000.1",
    )
    assert body == {
        "symbol": "BTCUSDT",
        "productType": "USDT-FUTURES",
        "orderId": "123",
        "newClientOid": "C1_m1",
        "newSize": "0.010",
        "newPrice": "65000.1",
    }


def test_is_close_decisions():
    assert is_close(OrderSide.SELL, True, None)
    assert is_close(OrderSide.SELL, False, "BTCUSDT-PERP.BITGET-LONG")
    assert not is_close(OrderSide.BUY, False, "BTCUSDT-PERP.BITGET-LONG")
    assert is_close(OrderSide.BUY, False, "BTCUSDT-PERP.BITGET-SHORT")
    assert is_close(OrderSide.BUY, False, "P-1", PositionSide.SHORT)
    assert not is_close(OrderSide.SELL, False, None)


def test_wire_side_and_direction_roundtrip():
    for order_side in (OrderSide.BUY, OrderSide.SELL):
        for close in (False, True):
            side, trade_side = wire_side(order_side, hedge=True, close=close)
            assert trade_direction(side, trade_side, "hedge_mode") == order_side
        side, trade_side = wire_side(order_side, hedge=False, close=False)
        assert trade_side is None
        assert trade_direction(side, None, "one_way_mode") == order_side


def test_chunks():
    assert chunks(list(range(5)), 2) == [[0, 1], [2, 3], [4]]
    assert chunks([], 50) == []


# -- closing TP/SL: place-tpsl-order / modify-tpsl-order (bitget-protocol.md 5.11) ---------------


def tpsl(order, *, hedge=False, hold_side="long", coid="C1"):
    return tpsl_request(
        order,
        symbol="BTCUSDT",
        product_type="USDT-FUTURES",
        margin_coin="USDT",
        hedge=hedge,
        hold_side=hold_side,
        client_oid=coid,
    )


TPSL_ROUTE = {"marginCoin": "USDT", "productType": "USDT-FUTURES", "symbol": "BTCUSDT"}


@pytest.mark.parametrize(
    ("kind", "side", "trigger_type", "plan_type", "execute", "wire_trigger"),
    [
        ("stop_market", OrderSide.SELL, TriggerType.MARK_PRICE, "loss_plan", "0", "mark_price"),
        ("stop_limit", OrderSide.SELL, TriggerType.DEFAULT, "loss_plan", "65000.1", "fill_price"),
        ("market_if_touched", OrderSide.SELL, TriggerType.LAST_PRICE, "profit_plan", "0",
         "fill_price"),
        ("limit_if_touched", OrderSide.BUY, TriggerType.MARK_PRICE, "profit_plan", "65000.1",
         "mark_price"),
    ],
)  # fmt: skip
@pytest.mark.parametrize("hedge", [False, True])
def test_tpsl_request_table(factory, kind, side, trigger_type, plan_type, execute, wire_trigger,
                            hedge):  # fmt: skip
    """Stop = loss_plan, if-touched = profit_plan; the limit price is executePrice (0 =
    market); holdSide names the position: hedge long/short, one-way buy (long) / sell (short)."""
    make = getattr(factory, kind)
    if kind in ("stop_market", "market_if_touched"):
        order = make(INSTRUMENT_ID, side, Q, T, trigger_type=trigger_type, reduce_only=True)
    else:
        order = make(INSTRUMENT_ID, side, Q, P, T, trigger_type=trigger_type, reduce_only=True)
    assert tpsl_plan_type(order) == plan_type
    hold = closed_hold_side(side)
    assert hold == ("long" if side == OrderSide.SELL else "short")
    body = tpsl(order, hedge=hedge, hold_side=hold)
    assert body == {
        **TPSL_ROUTE,
        "planType": plan_type,
        "triggerPrice": "60000.0",
        "triggerType": wire_trigger,
        "executePrice": execute,
        "holdSide": hold if hedge else {"long": "buy", "short": "sell"}[hold],
        "size": "0.010",
        "clientOid": "C1",
    }
    assert not {"side", "tradeSide", "reduceOnly", "orderType", "marginMode"} & set(body)


def test_tpsl_plan_type_only_for_reduce_only_triggers(factory):
    assert tpsl_plan_type(factory.stop_market(INSTRUMENT_ID, OrderSide.SELL, Q, T)) is None
    assert (
        tpsl_plan_type(factory.market(INSTRUMENT_ID, OrderSide.SELL, Q, reduce_only=True)) is None
    )
    assert (
        tpsl_plan_type(factory.limit(INSTRUMENT_ID, OrderSide.SELL, Q, P, reduce_only=True)) is None
    )
    assert TPSL_PLAN_TYPE[OrderType.STOP_LIMIT] == "loss_plan"
    with pytest.raises(BitgetOrderDenied, match="not a Bitget TP/SL"):
        tpsl(factory.limit(INSTRUMENT_ID, OrderSide.SELL, Q, P, reduce_only=True))


@pytest.mark.parametrize(
    ("plan_type", "price", "trigger_type", "expected"),
    [
        ("loss_plan", None, "mark_price", {"triggerType": "mark_price", "executePrice": "0",
                                            "size": "0.020"}),
        ("profit_plan", "66000.0", None, {"executePrice": "66000.0", "size": "0.020"}),
        # position TP/SL: size "" (the page)
        ("pos_loss", None, "fill_price", {"triggerType": "fill_price", "executePrice": "0",
                                           "size": ""}),
        ("ptp", None, None, {"executePrice": "0", "size": ""}),  # orders-algo short code
    ],
)  # fmt: skip
def test_modify_tpsl_request(plan_type, price, trigger_type, expected):
    body = modify_tpsl_request(
        symbol="BTCUSDT",
        product_type="USDT-FUTURES",
        margin_coin="USDT",
        order_id="77",
        client_oid="C1",
        plan_type=plan_type,
        size="0.020",
        trigger_price="61000.0",
        execute_price=price,
        trigger_type=trigger_type,
    )
    assert body == {"orderId": "77", **TPSL_ROUTE, "triggerPrice": "61000.0", **expected}
    by_coid = modify_tpsl_request(
        symbol="BTCUSDT", product_type="USDT-FUTURES", margin_coin="USDT", order_id=None,
        client_oid="C1", plan_type=plan_type, size="0.020", trigger_price="61000.0",
        execute_price=price, trigger_type=trigger_type,
    )  # fmt: skip
    assert by_coid["clientOid"] == "C1" and "orderId" not in by_coid


def test_plan_type_names():
    assert [plan_type_name(t) for t in ("tp", "sl", "ptp", "psl", "pl", "loss_plan", None)] == [
        "profit_plan", "loss_plan", "pos_profit", "pos_loss", "normal_plan", "loss_plan", "",
    ]  # fmt: skip
