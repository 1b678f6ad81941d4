"""Nautilus order -> v3 request bodies (bitget-protocol-uta.md 3.4, 3.5, 3.8): exact mapping
table."""

from __future__ import annotations

import pytest
from nautilus_trader.common.component import TestClock
from nautilus_trader.common.factories import OrderFactory
from nautilus_trader.model.enums import OrderSide
from nautilus_trader.model.enums import TimeInForce
from nautilus_trader.model.enums import TriggerType
from nautilus_trader.model.identifiers import InstrumentId
from nautilus_trader.model.identifiers import StrategyId
from nautilus_trader.model.identifiers import TraderId
from nautilus_trader.model.objects import Price
from nautilus_trader.model.objects import Quantity

from nautilus_bitget.common.orders import BitgetOrderDenied
from nautilus_bitget.common.orders_v3 import modify_request_v3
from nautilus_bitget.common.orders_v3 import modify_tpsl_request_v3
from nautilus_bitget.common.orders_v3 import order_request_v3
from nautilus_bitget.common.orders_v3 import tpsl_request_v3


BTC = InstrumentId.from_str("BTCUSDT-PERP.BITGET")
Q = Quantity.from_str("0.010")
P = Price.from_str("60000.0")


@pytest.fixture
def factory() -> OrderFactory:
    return OrderFactory(TraderId("T-001"), StrategyId("S-001"), TestClock())


def body(order, *, hedge=False, close=False, **kw):
    return order_request_v3(
        order,
        symbol="BTCUSDT",
        category="USDT-FUTURES",
        margin_mode="crossed",
        hedge=hedge,
        close=close,
        client_oid="abc",
        **kw,
    )


@pytest.mark.parametrize(
    ("side", "hedge", "close", "reduce_only", "expected"),
    [
        (OrderSide.BUY, False, False, False, {"side": "buy"}),
        (OrderSide.SELL, False, False, True, {"side": "sell", "reduceOnly": "yes"}),
        (OrderSide.BUY, True, False, False, {"side": "buy", "posSide": "long"}),
        (OrderSide.SELL, True, False, False, {"side": "sell", "posSide": "short"}),
        # 3.5: closing a long sells with posSide long (v2: buy + tradeSide close)
        (OrderSide.SELL, True, True, False, {"side": "sell", "posSide": "long"}),
        (OrderSide.BUY, True, True, False, {"side": "buy", "posSide": "short"}),
    ],
)
def test_side_pos_side_table(factory, side, hedge, close, reduce_only, expected):
    order = factory.market(BTC, side, Q, reduce_only=reduce_only)
    is_plan, b = body(order, hedge=hedge, close=close)
    assert not is_plan
    got = {k: b[k] for k in ("side", "posSide", "reduceOnly") if k in b}
    assert got == expected
    for v2_key in ("productType", "marginCoin", "size", "force", "tradeSide", "holdSide"):
        assert v2_key not in b


def test_limit_post_only_and_tif(factory):
    _, b = body(factory.limit(BTC, OrderSide.BUY, Q, P, post_only=True))
    assert b["orderType"] == "limit" and b["price"] == "60000.0"
    assert b["timeInForce"] == "post_only"
    _, b = body(factory.limit(BTC, OrderSide.BUY, Q, P, time_in_force=TimeInForce.IOC))
    assert b["timeInForce"] == "ioc"
    assert b["category"] == "USDT-FUTURES" and b["qty"] == "0.010" and b["marginMode"] == "crossed"


def test_trigger_orders_are_strategy_orders(factory):
    order = factory.stop_limit(
        BTC, OrderSide.BUY, Q, P, Price.from_str("61000.0"), trigger_type=TriggerType.MARK_PRICE
    )
    is_plan, b = body(order)
    assert is_plan
    assert b["type"] == "trigger"
    assert b["triggerPrice"] == "61000.0" and b["triggerBy"] == "mark"
    assert b["triggerOrderType"] == "limit" and b["triggerOrderPrice"] == "60000.0"
    assert "orderType" not in b
    _, b = body(factory.stop_market(BTC, OrderSide.SELL, Q, P))
    assert b["triggerBy"] == "market" and b["triggerOrderType"] == "market"


def test_presets_and_denials(factory):
    _, b = body(factory.market(BTC, OrderSide.BUY, Q), take_profit="66000", stop_loss="54000")
    assert b["takeProfit"] == "66000" and b["stopLoss"] == "54000"
    with pytest.raises(BitgetOrderDenied, match="time_in_force"):
        body(factory.limit(BTC, OrderSide.BUY, Q, P, time_in_force=TimeInForce.DAY))


def test_modify_body():
    b = modify_request_v3(
        category="USDT-FUTURES",
        symbol="BTCUSDT",
        order_id="1",
        client_oid="abc",
        qty="0.02",
        price="59000",
        request_id="m1",
    )
    assert b == {
        "category": "USDT-FUTURES",
        "symbol": "BTCUSDT",
        "orderId": "1",
        "qty": "0.02",
        "price": "59000",
        "autoCancel": "no",
        "requestId": "m1",
    }


# -- closing TP/SL: place-strategy-order type=tpsl, modify-strategy-order (3.8) -------------------


def tpsl(order, *, hedge=False, hold_side="long"):
    return tpsl_request_v3(
        order,
        symbol="BTCUSDT",
        category="USDT-FUTURES",
        hedge=hedge,
        hold_side=hold_side,
        client_oid="abc",
    )


T = Price.from_str("61000.0")


@pytest.mark.parametrize("hedge", [False, True])
def test_tpsl_stop_loss_leg(factory, hedge):
    """A reduce-only stop closing a long: the stopLoss leg, partial with the order's qty."""
    order = factory.stop_limit(
        BTC, OrderSide.SELL, Q, P, T, trigger_type=TriggerType.MARK_PRICE, reduce_only=True
    )
    expected = {
        "category": "USDT-FUTURES",
        "symbol": "BTCUSDT",
        "clientOid": "abc",
        "type": "tpsl",
        "tpslMode": "partial",
        "qty": "0.010",
        "side": "sell",
        "stopLoss": "61000.0",
        "slTriggerBy": "mark",
        "slOrderType": "limit",
        "slLimitPrice": "60000.0",
    }
    if hedge:
        expected["posSide"] = "long"
    assert tpsl(order, hedge=hedge) == expected


@pytest.mark.parametrize("hedge", [False, True])
def test_tpsl_take_profit_leg(factory, hedge):
    """A reduce-only market-if-touched buy closing a short: the takeProfit leg at market."""
    order = factory.market_if_touched(BTC, OrderSide.BUY, Q, P, reduce_only=True)
    expected = {
        "category": "USDT-FUTURES",
        "symbol": "BTCUSDT",
        "clientOid": "abc",
        "type": "tpsl",
        "tpslMode": "partial",
        "qty": "0.010",
        "side": "buy",
        "takeProfit": "60000.0",
        "tpTriggerBy": "market",
        "tpOrderType": "market",
    }
    if hedge:
        expected["posSide"] = "short"
    b = tpsl(order, hedge=hedge, hold_side="short")
    assert b == expected
    for v2_key in ("planType", "holdSide", "triggerPrice", "executePrice", "marginMode"):
        assert v2_key not in b


def test_tpsl_denied_for_other_types(factory):
    with pytest.raises(BitgetOrderDenied, match="not a Bitget TP/SL"):
        tpsl(factory.market(BTC, OrderSide.SELL, Q, reduce_only=True))


@pytest.mark.parametrize(
    ("plan_type", "price", "trigger_type", "expected"),
    [
        ("loss_plan", None, TriggerType.MARK_PRICE,
         {"stopLoss": "59000.0", "slTriggerBy": "mark", "slOrderType": "market"}),
        ("profit_plan", "62000.0", TriggerType.DEFAULT,
         {"takeProfit": "59000.0", "tpTriggerBy": "market", "tpOrderType": "limit",
          "tpLimitPrice": "62000.0"}),
        ("tp", None, None, {"takeProfit": "59000.0", "tpOrderType": "market"}),  # a bracket TP
    ],
)  # fmt: skip
def test_modify_tpsl_body(plan_type, price, trigger_type, expected):
    b = modify_tpsl_request_v3(
        category="USDT-FUTURES",
        symbol="BTCUSDT",
        order_id="9",
        client_oid="abc",
        plan_type=plan_type,
        qty="0.02",
        trigger_price="59000.0",
        price=price,
        trigger_type=trigger_type,
    )
    assert b == {
        "category": "USDT-FUTURES",
        "symbol": "BTCUSDT",
        "orderId": "9",
        "qty": "0.02",
        **expected,
    }
