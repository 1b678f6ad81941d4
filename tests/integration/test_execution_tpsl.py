"""
Closing TP/SL through BitgetExecutionClient against the simulator, over real sockets.

A reduce-only stop / if-touched order on an open position is a TP/SL plan: classic
``place-tpsl-order`` (``loss_plan`` / ``profit_plan``, bitget-protocol.md 5.11), UTA
``place-strategy-order`` ``type=tpsl`` ``tpslMode=partial`` (bitget-protocol-uta.md 3.8); modified
with ``modify-tpsl-order`` / ``modify-strategy-order``, canceled with ``cancel-plan-order`` (its
plan type) / ``cancel-strategy-order``. A bracket's children are modified through their venue TP/SL
plans. TP/SL plans placed outside the client are reported one report per leg.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from nautilus_trader.core.uuid import UUID4
from nautilus_trader.execution.messages import GenerateOrderStatusReports
from nautilus_trader.model.enums import OrderSide
from nautilus_trader.model.enums import OrderStatus
from nautilus_trader.model.enums import OrderType
from nautilus_trader.model.enums import TriggerType
from nautilus_trader.model.objects import Quantity

from nautilus_bitget.api.detect import clear_account_mode_cache
from nautilus_bitget.constants import SIM_API_KEY
from tests.integration.test_execution_client import BTC
from tests.integration.test_execution_client import PRODUCT
from tests.integration.test_execution_client import Q
from tests.integration.test_execution_client import Stack
from tests.integration.test_execution_client import event_types
from tests.integration.test_execution_client import started
from tests.integration.test_sim_rest import signed


pytestmark = pytest.mark.timeout(60)

MODES = [
    ("classic", "one_way"),
    ("classic", "hedge"),
    ("uta", "one_way"),
    ("uta", "hedge"),
]


@pytest.fixture(autouse=True)
def _fresh_detection():
    clear_account_mode_cache()
    yield
    clear_account_mode_cache()


def tpsl_plans(s: Stack) -> dict[str, Any]:
    """The simulator's live TP/SL plans (classic and UTA share the engine) by clientOid."""
    return {
        p.client_oid: p for p in s.sim.exchange.plan_orders(SIM_API_KEY, PRODUCT, "profit_loss")
    }


def trigger_plans(s: Stack) -> dict[str, Any]:
    return {
        p.client_oid: p for p in s.sim.exchange.plan_orders(SIM_API_KEY, PRODUCT, "normal_plan")
    }


async def open_long(s: Stack, qty: str) -> None:
    entry = s.market(OrderSide.BUY, Quantity.from_str(qty))
    await s.until_status(entry, OrderStatus.FILLED)
    await s.until(lambda: bool(s.cache.positions_open(instrument_id=BTC)), what="position open")


async def reports(s: Stack) -> list[Any]:
    return await s.client.generate_order_status_reports(
        GenerateOrderStatusReports(
            instrument_id=BTC,
            start=None,
            end=None,
            open_only=True,
            command_id=UUID4(),
            ts_init=s.clock.timestamp_ns(),
        ),
    )


@pytest.mark.parametrize(("account_mode", "position_mode"), MODES)
async def test_reduce_only_stops_are_tpsl_plans(sim_factory, account_mode, position_mode):
    """
    Place (STOP_MARKET, STOP_LIMIT, MARKET_IF_TOUCHED, LIMIT_IF_TOUCHED), modify, report, cancel,
    fire and close: every event from the plan pushes and the spawned orders.
    """
    s = await started(sim_factory, account_mode, position_mode)
    try:
        f = s.strategy.order_factory
        # No position yet: a reduce-only stop is a trigger plan (TP/SL needs a position, 22002)
        early = s.submit(f.stop_market(BTC, OrderSide.SELL, Q, s.px("0.70"), reduce_only=True))
        await s.until_status(early, OrderStatus.ACCEPTED)
        assert early.client_order_id.value in trigger_plans(s)
        s.strategy.cancel_order(early)
        await s.until_status(early, OrderStatus.CANCELED)

        await open_long(s, "0.050")
        mark = TriggerType.MARK_PRICE
        sl = s.submit(
            f.stop_market(BTC, OrderSide.SELL, Q, s.px("0.90"), trigger_type=mark, reduce_only=True)
        )
        stop_limit = s.submit(
            f.stop_limit(BTC, OrderSide.SELL, Q, s.px("0.84"), s.px("0.85"), reduce_only=True)
        )
        mit = s.submit(f.market_if_touched(BTC, OrderSide.SELL, Q, s.px("1.15"), reduce_only=True))
        lit = s.submit(
            f.limit_if_touched(BTC, OrderSide.SELL, Q, s.px("1.09"), s.px("1.10"), reduce_only=True)
        )
        orders = (sl, stop_limit, mit, lit)
        for order in orders:
            await s.until_status(order, OrderStatus.ACCEPTED)
        venue = tpsl_plans(s)
        assert not {o.client_order_id.value for o in orders} & set(trigger_plans(s))
        expected = {  # plan type, trigger type, execute price (None = market)
            sl: ("loss_plan", "mark_price", None),
            stop_limit: ("loss_plan", "fill_price", stop_limit.price),
            mit: ("profit_plan", "fill_price", None),
            lit: ("profit_plan", "fill_price", lit.price),
        }
        for order, (plan_type, trigger_type, price) in expected.items():
            plan = venue[order.client_order_id.value]
            assert (plan.plan_type, plan.trigger_type) == (plan_type, trigger_type)
            assert plan.trigger_price == order.trigger_price.as_decimal()
            assert plan.size == Q.as_decimal()
            assert plan.price == (price.as_decimal() if price is not None else None)
            assert plan.pos_side == ("long" if position_mode == "hedge" else "net")
            assert s.cache.order(order.client_order_id).venue_order_id.value in (
                plan.order_id,
                plan.strategy_id,
            )

        # Modify: trigger and quantity of the stop, trigger and limit price of the LIT (a limit
        # under the book, so that the order it spawns when it fires fills)
        q2 = Quantity.from_str("0.020")
        # (prices taken once: the simulated book moves)
        sl_trigger, lit_trigger, lit_price = s.px("0.88"), s.px("1.12"), s.px("0.99")
        s.strategy.modify_order(sl, quantity=q2, trigger_price=sl_trigger)
        s.strategy.modify_order(lit, price=lit_price, trigger_price=lit_trigger)
        await s.until(
            lambda: (
                s.cache.order(sl.client_order_id).quantity == q2
                and s.cache.order(lit.client_order_id).trigger_price == lit_trigger
            ),
            what="TP/SL modify",
        )
        venue = tpsl_plans(s)
        sl_plan, lit_plan = venue[sl.client_order_id.value], venue[lit.client_order_id.value]
        assert (sl_plan.size, sl_plan.trigger_price) == (
            Decimal("0.020"),
            sl_trigger.as_decimal(),
        )
        assert sl_plan.trigger_type == "mark_price"
        assert (lit_plan.trigger_price, lit_plan.price) == (
            lit_trigger.as_decimal(),
            lit_price.as_decimal(),
        )
        for order in (sl, lit):
            assert "OrderUpdated" in event_types(s, order)
            assert s.status(order) == OrderStatus.ACCEPTED

        # Reports of the open TP/SL plans name our orders with their types and triggers
        by_coid = {r.client_order_id: r for r in await reports(s)}
        for order in orders:
            report = by_coid[order.client_order_id]
            cached = s.cache.order(order.client_order_id)
            assert report.order_side == OrderSide.SELL and report.reduce_only
            assert report.order_type == cached.order_type
            assert report.trigger_price == cached.trigger_price
            assert report.quantity == cached.quantity
        assert by_coid[sl.client_order_id].trigger_type == TriggerType.MARK_PRICE

        # Cancel the MIT: cancel-plan-order of its plan type / cancel-strategy-order
        s.strategy.cancel_order(mit)
        await s.until_status(mit, OrderStatus.CANCELED)
        assert mit.client_order_id.value not in tpsl_plans(s)

        # The stop-loss fires on the mark price: filled through the order it spawns
        s.sim.exchange.set_mark_price("BTCUSDT", str(s.px("0.87")))
        await s.until_status(sl, OrderStatus.FILLED)
        (pos,) = s.sim.exchange.positions(SIM_API_KEY, PRODUCT, symbol="BTCUSDT")
        assert pos.total == Decimal("0.030")
        await s.assert_matches_venue()

        # The LIT fires on the last price: triggered, then filled
        s.sim.exchange.set_last_price("BTCUSDT", str(s.px("1.13")))
        await s.until_status(lit, OrderStatus.FILLED)
        assert "OrderTriggered" in event_types(s, lit)

        # Closing the position: the venue cancels the TP/SL left (the stop-limit)
        close = s.market(OrderSide.SELL, Quantity.from_str("0.020"), reduce_only=True)
        await s.until_status(close, OrderStatus.FILLED)
        await s.until_status(stop_limit, OrderStatus.CANCELED)
        assert tpsl_plans(s) == {}
        await s.assert_matches_venue()
    finally:
        await s.stop()


@pytest.mark.parametrize("account_mode", ["classic", "uta"])
async def test_bracket_children_modified_through_venue_tpsl(sim_factory, account_mode):
    """Before the entry fills there is no venue plan (refused); after, modify-tpsl-order /
    modify-strategy-order moves the venue TP/SL, and the moved TP fires."""
    s = await started(sim_factory, account_mode, "hedge")
    try:
        f = s.strategy.order_factory
        resting = f.bracket(
            BTC,
            OrderSide.BUY,
            Q,
            entry_order_type=OrderType.LIMIT,
            entry_price=s.px("0.90"),
            tp_price=s.px("1.10"),
            sl_trigger_price=s.px("0.80"),
        )
        s.strategy.submit_order_list(resting)
        r_entry, r_sl, _ = resting.orders
        await s.until_status(r_sl, OrderStatus.ACCEPTED)
        trigger_before = s.cache.order(r_sl.client_order_id).trigger_price
        s.strategy.modify_order(r_sl, trigger_price=s.px("0.79"))
        await s.until(lambda: "OrderModifyRejected" in event_types(s, r_sl), what="refused")
        assert s.cache.order(r_sl.client_order_id).trigger_price == trigger_before
        s.strategy.cancel_order(r_entry)
        await s.until_status(r_entry, OrderStatus.CANCELED)

        bracket = f.bracket(
            BTC, OrderSide.BUY, Q, tp_price=s.px("1.10"), sl_trigger_price=s.px("0.90")
        )
        s.strategy.submit_order_list(bracket)
        entry, sl, tp = bracket.orders
        await s.until_status(entry, OrderStatus.FILLED)
        await s.until(lambda: len(s.client.registry.bracket_plans) == 2, what="plans linked")
        sl_trigger, tp_price = s.px("0.88"), s.px("1.12")  # once: the simulated book moves
        s.strategy.modify_order(sl, trigger_price=sl_trigger)
        s.strategy.modify_order(tp, price=tp_price)
        await s.until(
            lambda: (
                s.cache.order(sl.client_order_id).trigger_price == sl_trigger
                and s.cache.order(tp.client_order_id).price == tp_price
            ),
            what="bracket legs modified",
        )
        venue = {p.plan_type: p for p in tpsl_plans(s).values()}
        assert venue["loss_plan"].trigger_price == sl_trigger.as_decimal()
        assert venue["profit_plan"].trigger_price == tp_price.as_decimal()
        assert venue["profit_plan"].price is None  # still executes at market, as placed
        # the old TP level no longer fires; the new one does (OCO cancels the SL child)
        s.sim.exchange.set_last_price("BTCUSDT", str(s.px("1.11")))
        s.sim.exchange.set_last_price("BTCUSDT", str(s.px("1.13")))
        await s.until_status(tp, OrderStatus.FILLED)
        await s.until_status(sl, OrderStatus.CANCELED)
        await s.assert_matches_venue()
    finally:
        await s.stop()


@pytest.mark.parametrize(("account_mode", "position_mode"), MODES)
async def test_external_tpsl_with_both_legs_reported_per_leg(
    sim_factory, account_mode, position_mode
):
    """
    A TP/SL set outside the client on both legs (classic ``place-pos-tpsl``, UTA one ``tpsl``
    strategy): one report per leg, closing side, trigger and trigger type, order type from the
    leg and its order type, limit price. UTA legs of one strategy are ``<orderId>-TP`` / ``-SL``.
    """
    s = await started(sim_factory, account_mode, position_mode)
    try:
        await open_long(s, "0.010")
        tp_px, sl_px, sl_limit = s.px("1.10"), s.px("0.90"), s.px("0.89")
        hedge = position_mode == "hedge"
        if account_mode == "classic":
            path = "/api/v2/mix/order/place-pos-tpsl"
            body = {
                "marginCoin": "USDT", "productType": PRODUCT, "symbol": "BTCUSDT",
                "holdSide": "long" if hedge else "buy",
                "stopSurplusTriggerPrice": str(tp_px), "stopSurplusTriggerType": "mark_price",
                "stopLossTriggerPrice": str(sl_px), "stopLossTriggerType": "fill_price",
                "stopLossExecutePrice": str(sl_limit),
            }  # fmt: skip
        else:
            path = "/api/v3/trade/place-strategy-order"
            body = {
                "category": PRODUCT, "symbol": "BTCUSDT", "clientOid": "ext-tpsl",
                "takeProfit": str(tp_px), "tpTriggerBy": "mark", "tpOrderType": "market",
                "stopLoss": str(sl_px), "slTriggerBy": "market", "slOrderType": "limit",
                "slLimitPrice": str(sl_limit),
            }  # fmt: skip
            if hedge:
                body["posSide"] = "long"
        status, js = await signed(s.sim, "POST", path, body=body)
        assert status == 200 and js["code"] == "00000", js
        legs = [r for r in await reports(s) if r.order_type != OrderType.MARKET]
        by_type = {r.order_type: r for r in legs}
        assert set(by_type) == {OrderType.MARKET_IF_TOUCHED, OrderType.STOP_LIMIT}, legs
        tp, sl = by_type[OrderType.MARKET_IF_TOUCHED], by_type[OrderType.STOP_LIMIT]
        for report in (tp, sl):
            assert report.order_side == OrderSide.SELL  # a long's TP and SL sell
            assert report.reduce_only and report.order_status == OrderStatus.ACCEPTED
        assert (tp.trigger_price, tp.trigger_type, tp.price) == (
            tp_px,
            TriggerType.MARK_PRICE,
            None,
        )
        assert (sl.trigger_price, sl.trigger_type, sl.price) == (
            sl_px,
            TriggerType.LAST_PRICE,
            sl_limit,
        )
        if account_mode == "uta":
            strategy_id = js["data"]["orderId"]
            assert (tp.venue_order_id.value, sl.venue_order_id.value) == (
                f"{strategy_id}-TP",
                f"{strategy_id}-SL",
            )
            assert (tp.client_order_id.value, sl.client_order_id.value) == (
                "ext-tpsl-TP",
                "ext-tpsl-SL",
            )
        else:
            assert tp.venue_order_id != sl.venue_order_id
    finally:
        await s.stop()


TPSL_PLACE = {
    "classic": "/api/v2/mix/order/place-tpsl-order",
    "uta": "/api/v3/trade/place-strategy-order",
}


@pytest.mark.parametrize("account_mode", ["classic", "uta"])
async def test_tpsl_outcomes_from_plan_queries(sim_factory, account_mode):
    """
    Without pushes the TP/SL plan listings tell: a hung placement is found by clientOid (never
    re-sent); with the private pushes lost, a TP/SL canceled at the venue and one that fired are
    resolved from the plan history (classic ``executeOrderId``; UTA through the fills).
    """
    s = await started(sim_factory, account_mode, "one_way", http_timeout_secs=1.0)
    try:
        f = s.strategy.order_factory
        await open_long(s, "0.030")
        s.sim.faults.hang_requests(1, path=TPSL_PLACE[account_mode], secs=2.5)
        hung = s.submit(f.stop_market(BTC, OrderSide.SELL, Q, s.px("0.80"), reduce_only=True))
        await s.until_status(hung, OrderStatus.ACCEPTED, OrderStatus.REJECTED, wait=10.0)
        assert s.status(hung) == OrderStatus.ACCEPTED
        assert list(tpsl_plans(s)) == [hung.client_order_id.value]  # placed once
        fires = s.submit(
            f.market_if_touched(BTC, OrderSide.SELL, Q, s.px("1.02"), reduce_only=True)
        )
        await s.until_status(fires, OrderStatus.ACCEPTED)
        s.sim.faults.lose_private(1_000_000)
        gone = tpsl_plans(s)[hung.client_order_id.value]
        s.sim.exchange.cancel_plan_order(
            SIM_API_KEY,
            {"productType": PRODUCT, "planType": gone.plan_type,
             "orderIdList": [{"orderId": gone.order_id}]},
        )  # fmt: skip
        s.sim.exchange.set_last_price("BTCUSDT", str(s.px("1.03")))
        await s.until_status(hung, OrderStatus.CANCELED, wait=10.0)
        await s.until_status(fires, OrderStatus.FILLED, wait=10.0)
        s.sim.faults.lose_private(0)
        await s.assert_matches_venue()
    finally:
        await s.stop()
