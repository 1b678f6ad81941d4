"""
TP/SL plan rows -> order status reports: v3 ``tpsl`` strategy rows and pushes translated per leg
(bitget-protocol-uta.md 3.8, 4.6; ``parsing.execution_v3``) and v2 ``profit_loss`` plan rows
(bitget-protocol.md 5.11), from the documented samples and shapes.
"""

from __future__ import annotations

import json

import msgspec
import pytest
from nautilus_trader.model.enums import OrderSide
from nautilus_trader.model.enums import OrderStatus
from nautilus_trader.model.enums import OrderType
from nautilus_trader.model.enums import TriggerType
from nautilus_trader.model.identifiers import AccountId
from nautilus_trader.model.identifiers import PositionId
from nautilus_trader.model.objects import Price

from nautilus_bitget.parsing import execution as px
from nautilus_bitget.parsing import execution_v3 as p3
from nautilus_bitget.schemas.trade import BitgetPlanOrder
from nautilus_bitget.schemas.v3.trade import BitgetV3StrategyOrder
from nautilus_bitget.schemas.v3.ws import BitgetV3WsStrategyOrder
from tests.instruments import btcusdt_perp
from tests.samples import UTA_SAMPLES


ACCOUNT = AccountId("BITGET-master")
TS = 1_000


@pytest.fixture
def btc():
    return btcusdt_perp(size_precision=3)


def report(row, instrument):
    return px.parse_plan_status_report(row, instrument, ACCOUNT, TS)


def strategy_row(**kw) -> BitgetV3StrategyOrder:
    base = {"orderId": "5", "clientOid": "c5", "category": "USDT-FUTURES", "symbol": "BTCUSDT",
            "qty": "0.02", "status": "pending", "createdTime": "1730186725663",
            "updatedTime": "1730186725691"}  # fmt: skip
    base.update(kw)
    return msgspec.convert(base, BitgetV3StrategyOrder)


def test_documented_row_with_both_legs_is_one_report_per_leg(btc):
    """The page's unfilled-strategy-orders row: both legs, market, on a long -> two SELLs."""
    data = json.loads((UTA_SAMPLES / "rest_unfilled_strategy_orders_doc.json").read_text())
    (row,) = msgspec.convert(data["data"], list[BitgetV3StrategyOrder])
    tp_row, sl_row = p3.tpsl_orders(row, hedge=False)
    assert (tp_row.orderId, sl_row.orderId) == ("111111111111111111-TP", "111111111111111111-SL")
    assert (tp_row.clientOid, sl_row.clientOid) == (
        "111111111111111111-TP",
        "111111111111111111-SL",
    )
    assert (tp_row.planType, sl_row.planType) == ("profit_plan", "loss_plan")
    tp, sl = report(tp_row, btc), report(sl_row, btc)
    assert tp.venue_order_id.value == "111111111111111111-TP"
    assert (tp.order_type, sl.order_type) == (OrderType.MARKET_IF_TOUCHED, OrderType.STOP_MARKET)
    assert tp.order_side == sl.order_side == OrderSide.SELL  # a long's TP and SL sell
    assert (tp.trigger_price, sl.trigger_price) == (
        Price.from_str("110000.0"),
        Price.from_str("90000.0"),
    )
    assert tp.trigger_type == sl.trigger_type == TriggerType.LAST_PRICE  # "market"
    assert tp.price is None and sl.price is None  # market legs: the limit prices are not used
    assert tp.reduce_only and sl.reduce_only
    assert tp.order_status == sl.order_status == OrderStatus.ACCEPTED  # pending
    assert str(tp.quantity) == "0.010" and tp.ts_accepted == 1730186725663 * 1_000_000


@pytest.mark.parametrize(
    ("leg", "order_type", "expected_type"),
    [
        ({"stopLoss": "59000", "slTriggerBy": "mark", "slOrderType": "limit",
          "slLimitPrice": "58900"}, "sl", OrderType.STOP_LIMIT),
        ({"stopLoss": "59000", "slTriggerBy": "mark", "slOrderType": "market"}, "sl",
         OrderType.STOP_MARKET),
        ({"takeProfit": "61000", "tpTriggerBy": "mark", "tpOrderType": "limit",
          "tpLimitPrice": "61100"}, "tp", OrderType.LIMIT_IF_TOUCHED),
        ({"takeProfit": "61000", "tpTriggerBy": "mark", "tpOrderType": "market"}, "tp",
         OrderType.MARKET_IF_TOUCHED),
    ],
)  # fmt: skip
def test_one_leg_keeps_ids_type_trigger_and_limit_price(btc, leg, order_type, expected_type):
    (row,) = p3.tpsl_orders(strategy_row(posSide="long", tpslMode="partial", **leg), hedge=False)
    assert (row.orderId, row.clientOid) == ("5", "c5")  # the id the placement ack returned
    r = report(row, btc)
    assert r.order_type == expected_type
    assert r.order_side == OrderSide.SELL
    trigger = leg["takeProfit" if order_type == "tp" else "stopLoss"]
    assert r.trigger_price == Price.from_str(f"{trigger}.0")
    assert r.trigger_type == TriggerType.MARK_PRICE
    limit = leg.get(f"{order_type}LimitPrice")
    assert r.price == (Price.from_str(f"{limit}.0") if limit else None)


def test_hedge_short_closes_with_buy_and_names_its_position(btc):
    row = strategy_row(posSide="short", stopLoss="61000", slTriggerBy="market")
    (leg,) = p3.tpsl_orders(row, hedge=True)
    assert (leg.side, leg.tradeSide, leg.posMode) == ("sell", "close", "hedge_mode")  # v2 shape
    r = report(leg, btc)
    assert r.order_side == OrderSide.BUY and r.order_type == OrderType.STOP_MARKET
    assert r.venue_position_id == PositionId(f"{btc.id}-SHORT")


def test_one_way_row_without_pos_side_takes_side_as_closing_direction(btc):
    """ccxt's one-way shape (3.8): no posSide, ``side`` the closing direction."""
    (leg,) = p3.tpsl_orders(strategy_row(side="buy", takeProfit="58000"), hedge=False)
    r = report(leg, btc)
    assert r.order_side == OrderSide.BUY and r.order_type == OrderType.MARKET_IF_TOUCHED


@pytest.mark.parametrize(
    ("status", "expected"),
    [("success", OrderStatus.TRIGGERED), ("cancelled", OrderStatus.CANCELED),
     ("failed", OrderStatus.REJECTED)],
)  # fmt: skip
def test_history_status_applies_to_every_leg(btc, status, expected):
    row = strategy_row(posSide="long", status=status, takeProfit="61000", stopLoss="59000")
    assert [report(r, btc).order_status for r in p3.tpsl_orders(row, hedge=False)] == [
        expected,
        expected,
    ]


def test_documented_strategy_push_is_its_leg():
    """The page's push: triggerType takeProfit -> the TP leg, on the side closing ``posSide``."""
    data = json.loads((UTA_SAMPLES / "ws_strategy_order_doc.json").read_text())
    (row,) = msgspec.convert(data["data"], list[BitgetV3WsStrategyOrder])
    algo = p3.tpsl_push(row, hedge=False)
    assert (algo.orderId, algo.clientOid, algo.instId) == (
        "111111111111111111",
        "myorder001",
        "BTCUSDT",
    )
    assert (algo.planType, algo.triggerPrice, algo.triggerType) == (
        "profit_plan",
        "110000",
        "fill_price",
    )
    assert algo.status == "live" and algo.side == "sell" and algo.orderType == "market"
    sl = p3.tpsl_push(msgspec.structs.replace(row, triggerType="stopLoss"), hedge=True)
    assert (sl.planType, sl.triggerPrice, sl.side, sl.tradeSide) == (
        "loss_plan",
        "90000",
        "buy",  # v2 hedge: a close names the position's side
        "close",
    )


@pytest.mark.parametrize(
    ("plan_type", "order_type", "execute", "expected"),
    [
        ("profit_plan", "limit", "66000", OrderType.LIMIT_IF_TOUCHED),
        ("pos_profit", "market", "", OrderType.MARKET_IF_TOUCHED),
        ("loss_plan", "limit", "54000", OrderType.STOP_LIMIT),
        ("pos_loss", "market", "", OrderType.STOP_MARKET),
        ("normal_plan", "market", "", OrderType.STOP_MARKET),
    ],
)
def test_v2_profit_loss_rows(btc, plan_type, order_type, execute, expected):
    """orders-plan-pending?planType=profit_loss rows (5.11): type from the plan and orderType,
    limit price from executePrice, reduce-only (a TP/SL closes its position)."""
    row = msgspec.convert(
        {"orderId": "1", "symbol": "BTCUSDT", "planType": plan_type, "size": "0.010",
         "price": "", "executePrice": execute, "triggerPrice": "60000", "triggerType":
         "mark_price", "planStatus": "live", "side": "sell", "posSide": "net",
         "orderType": order_type, "posMode": "one_way_mode", "cTime": "1", "uTime": "2"},
        BitgetPlanOrder,
    )  # fmt: skip
    r = report(row, btc)
    assert r.order_type == expected and r.order_side == OrderSide.SELL
    assert r.price == (Price.from_str(f"{execute}.0") if execute else None)
    assert r.reduce_only == (plan_type != "normal_plan")
    assert r.trigger_type == TriggerType.MARK_PRICE
