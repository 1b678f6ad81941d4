"""
WebSocket order entry (``order_entry="websocket"``) against the simulator, both API families.

The client's trade socket sends ``op: "trade"`` requests to the simulator's private socket over a
real connection; the simulator runs them through the same engine as REST. Each scenario checks
the Nautilus events and the simulator's truth (orders by clientOid, fills by tradeId).
"""

from __future__ import annotations

from typing import Any

import pytest
from nautilus_trader.model.enums import OrderSide
from nautilus_trader.model.enums import OrderStatus
from nautilus_trader.model.events import OrderRejected
from nautilus_trader.model.objects import Quantity

from nautilus_bitget.constants import SIM_API_KEY
from tests.integration.test_execution_client import BTC
from tests.integration.test_execution_client import PLACE_PATH
from tests.integration.test_execution_client import PRODUCT
from tests.integration.test_execution_client import Q
from tests.integration.test_execution_client import Stack
from tests.integration.test_execution_client import exercise_everything


pytestmark = pytest.mark.timeout(90)

MODES = ("classic", "uta")


def trade_ops(s: Stack, account_mode: str) -> Any:
    """The simulator's trade-op server of the family in use."""
    return s.sim.v3.private.trade_ops if account_mode == "uta" else s.sim.private.trade_ops


def rest_requests(s: Stack, path: str) -> int:
    return s.sim.rest.request_counts.get(path, 0)


async def ws_started(sim_factory: Any, account_mode: str, **config: Any) -> Stack:
    sim = await sim_factory(account_mode=account_mode)
    s = Stack(sim, "one_way", account_mode=account_mode, order_entry="websocket", **config)
    await s.start()
    socket = s.client.trade_socket
    assert socket is not None
    await s.until(lambda: socket.is_up, what="trade socket logged in")
    return s


def venue_orders_with_coid(s: Stack, coid: str) -> list[Any]:
    ex = s.sim.exchange
    orders = ex.order_history(SIM_API_KEY, PRODUCT, client_oid=coid, limit=100_000)
    orders += ex.pending_orders(SIM_API_KEY, PRODUCT, client_oid=coid, limit=100_000)
    return orders


@pytest.mark.parametrize("account_mode", MODES)
async def test_every_order_type_over_the_trade_socket(sim_factory, account_mode):
    s = await ws_started(sim_factory, account_mode)
    try:
        ops = trade_ops(s, account_mode)
        await exercise_everything(s)
        # places and cancels went over the socket (trigger plans over REST)
        assert ops.requests >= 8
        assert s.client.trade_socket.requests_sent == ops.requests
        await s.assert_matches_venue()
    finally:
        await s.stop()


@pytest.mark.parametrize("account_mode", MODES)
async def test_place_and_cancel_use_the_socket_not_rest(sim_factory, account_mode):
    s = await ws_started(sim_factory, account_mode)
    try:
        ops = trade_ops(s, account_mode)
        place_path = PLACE_PATH[account_mode]
        rest_before = rest_requests(s, place_path)
        ws_before = ops.requests
        order = s.limit(OrderSide.BUY, s.px("0.95"))
        await s.until_status(order, OrderStatus.ACCEPTED)
        assert s.cache.order(order.client_order_id).venue_order_id is not None
        s.strategy.cancel_order(order)
        await s.until_status(order, OrderStatus.CANCELED)
        assert ops.requests == ws_before + 2
        assert rest_requests(s, place_path) == rest_before
        await s.assert_matches_venue()
    finally:
        await s.stop()


@pytest.mark.parametrize("account_mode", MODES)
async def test_refusal_rejects_with_the_venue_code_and_message(sim_factory, account_mode):
    s = await ws_started(sim_factory, account_mode)
    try:
        huge = s.market(OrderSide.BUY, Quantity.from_str("5000.000"))
        await s.until_status(huge, OrderStatus.REJECTED)
        event = s.cache.order(huge.client_order_id).last_event
        assert isinstance(event, OrderRejected)
        # the 25xxx family of the trade ops (insufficient balance: 25202)
        assert "25202" in event.reason, event.reason
        assert not venue_orders_with_coid(s, huge.client_order_id.value)
    finally:
        await s.stop()


@pytest.mark.parametrize("account_mode", MODES)
async def test_lost_reply_is_resolved_by_client_oid_not_resent(sim_factory, account_mode):
    s = await ws_started(sim_factory, account_mode)
    try:
        ops = trade_ops(s, account_mode)
        s.sim.faults.drop_trade_ws(1)  # executed, then the socket is dropped before the reply
        order = s.limit(OrderSide.BUY, s.px("0.95"))
        await s.until_status(order, OrderStatus.ACCEPTED, wait=15.0)
        assert ops.requests == 1
        assert len(venue_orders_with_coid(s, order.client_order_id.value)) == 1
        # the socket comes back by itself and carries orders again
        await s.until(lambda: s.client.trade_socket.is_up, wait=15.0, what="trade socket back")
        again = s.market(OrderSide.BUY)
        await s.until_status(again, OrderStatus.FILLED)
        assert ops.requests == 2
        await s.assert_matches_venue()
    finally:
        await s.stop()


@pytest.mark.parametrize("account_mode", MODES)
async def test_reply_timeout_is_an_unknown_outcome(sim_factory, account_mode):
    s = await ws_started(sim_factory, account_mode, http_timeout_secs=1.0)
    try:
        s.sim.faults.delay_trade(2500)  # longer than the request timeout
        order = s.market(OrderSide.BUY)
        await s.until_status(order, OrderStatus.FILLED, wait=15.0)
        s.sim.faults.delay_trade(0)
        assert len(venue_orders_with_coid(s, order.client_order_id.value)) == 1
        await s.assert_matches_venue()
    finally:
        await s.stop()


@pytest.mark.parametrize("account_mode", MODES)
async def test_socket_down_falls_back_to_rest_without_duplicates(sim_factory, account_mode):
    s = await ws_started(sim_factory, account_mode)
    try:
        ops = trade_ops(s, account_mode)
        socket = s.client.trade_socket
        await socket.disconnect()  # down (not reconnecting): orders go over REST
        place_path = PLACE_PATH[account_mode]
        rest_before = rest_requests(s, place_path)
        order = s.market(OrderSide.BUY)
        await s.until_status(order, OrderStatus.FILLED)
        assert ops.requests == 0
        assert rest_requests(s, place_path) == rest_before + 1
        assert len(venue_orders_with_coid(s, order.client_order_id.value)) == 1
        await socket.connect()
        await s.until(lambda: socket.is_up, what="trade socket back")
        back = s.market(OrderSide.SELL)
        await s.until_status(back, OrderStatus.FILLED)
        assert ops.requests == 1
        await s.assert_matches_venue()
    finally:
        await s.stop()


async def test_uta_modify_and_batches_over_the_socket(sim_factory):
    s = await ws_started(sim_factory, "uta")
    try:
        ops = trade_ops(s, "uta")
        f = s.strategy.order_factory
        orders = [f.limit(BTC, OrderSide.BUY, Q, s.px(p)) for p in ("0.95", "0.94", "0.93")]
        s.strategy.submit_order_list(f.create_list(orders))
        for order in orders:
            await s.until_status(order, OrderStatus.ACCEPTED)
        assert ops.requests == 1  # one batch-place
        venue_id = s.cache.order(orders[0].client_order_id).venue_order_id
        s.strategy.modify_order(orders[0], quantity=Quantity.from_str("0.020"))
        await s.until(
            lambda: s.cache.order(orders[0].client_order_id).quantity == Quantity.from_str("0.020"),
            what="modify confirmed",
        )
        assert s.cache.order(orders[0].client_order_id).venue_order_id == venue_id
        assert ops.requests == 2
        s.strategy.cancel_all_orders(BTC)
        for order in orders:
            await s.until_status(order, OrderStatus.CANCELED)
        assert ops.requests == 3  # one batch-cancel
        await s.assert_matches_venue()
    finally:
        await s.stop()
