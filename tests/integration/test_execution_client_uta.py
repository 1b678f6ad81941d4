"""
BitgetExecutionClient on a Unified Trading Account (API v3) against the simulator.

Reuses the classic scenario (``test_execution_client.exercise_everything`` and its ``Stack``), then
checks that classic and UTA give the same Nautilus-side orders, fills and positions for the same
scenario, the account-type detection matrix and the start-up error of a mismatched mode.
"""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

import pytest
from nautilus_trader.model.enums import OrderSide
from nautilus_trader.model.enums import OrderStatus
from nautilus_trader.model.enums import TimeInForce
from nautilus_trader.model.events import OrderFilled
from nautilus_trader.model.identifiers import PositionId
from nautilus_trader.model.objects import Quantity

from nautilus_bitget.api.detect import BitgetAccountModeError
from nautilus_bitget.api.detect import clear_account_mode_cache
from tests.integration.test_execution_client import BTC
from tests.integration.test_execution_client import Q
from tests.integration.test_execution_client import Stack
from tests.integration.test_execution_client import exercise_everything
from tests.integration.test_execution_client import modify_every_plan_type


pytestmark = pytest.mark.timeout(60)


@pytest.fixture(autouse=True)
def _fresh_detection():
    clear_account_mode_cache()
    yield
    clear_account_mode_cache()


@pytest.fixture
async def uta_sim(sim_factory):
    return await sim_factory(account_mode="uta")


async def _started(sim: Any, position_mode: str | None, **config: Any) -> Stack:
    stack = Stack(sim, position_mode, **config)
    await stack.start()
    return stack


@pytest.mark.parametrize("position_mode", ["one_way", "hedge"])
async def test_uta_every_order_type(uta_sim, position_mode):
    stack = await _started(uta_sim, position_mode, account_mode="uta")
    try:
        assert stack.client.api == "v3"
        assert stack.client.ws.url.endswith("/v3/ws/private")
        await exercise_everything(stack)
    finally:
        await stack.stop()


@pytest.mark.parametrize("position_mode", ["one_way", "hedge"])
async def test_uta_modify_every_plan_type(uta_sim, position_mode):
    stack = await _started(uta_sim, position_mode, account_mode="uta")
    try:
        await modify_every_plan_type(stack)  # v3 modify-strategy-order (3.8)
    finally:
        await stack.stop()


@pytest.mark.parametrize(("sim_mode", "api"), [("classic", "v2"), ("uta", "v3")])
async def test_auto_picks_the_account_api(sim_factory, sim_mode, api):
    sim = await sim_factory(account_mode=sim_mode)
    stack = await _started(sim, "one_way", account_mode="auto")
    try:
        assert stack.client.api == api
        buy = stack.market(OrderSide.BUY)
        await stack.until_status(buy, OrderStatus.FILLED)
        await stack.assert_matches_venue()
    finally:
        await stack.stop()


@pytest.mark.parametrize(
    ("sim_mode", "forced", "fix"),
    [("uta", "classic", "'uta'"), ("classic", "uta", "'classic'")],
)
async def test_forced_mode_mismatch_fails_start_up_clearly(sim_factory, sim_mode, forced, fix):
    sim = await sim_factory(account_mode=sim_mode)
    stack = Stack(sim, "one_way", account_mode=forced)
    stack.exec_engine.start()
    try:
        with pytest.raises(BitgetAccountModeError) as info:
            await stack.client._connect()
        message = str(info.value)
        assert f"account_mode='{forced}'" in message
        assert f"set account_mode={fix} or 'auto'" in message
        # Nothing was sent on the wrong API: no private socket, no order
        assert not stack.client.ws.is_connected
    finally:
        await stack.client._disconnect()
        stack.exec_engine.stop()


async def test_uta_modify_confirmed_by_order_push_keeps_venue_id(uta_sim):
    s = await _started(uta_sim, "one_way", account_mode="uta")
    try:
        order = s.limit(OrderSide.BUY, s.px("0.95"))
        await s.until_status(order, OrderStatus.ACCEPTED)
        venue_id = s.cache.order(order.client_order_id).venue_order_id
        s.strategy.modify_order(order, quantity=Quantity.from_str("0.030"), price=s.px("0.93"))
        await s.until(
            lambda: s.cache.order(order.client_order_id).quantity == Quantity.from_str("0.030"),
            what="modify confirmed",
        )
        cached = s.cache.order(order.client_order_id)
        assert cached.venue_order_id == venue_id
        assert cached.price == s.px("0.93")
        assert not s.client.registry.modify_requests
        await s.assert_matches_venue()
    finally:
        await s.stop()


async def test_uta_private_socket_drop_reconciles(uta_sim):
    s = await _started(uta_sim, "hedge", account_mode="uta")
    try:
        rest = s.limit(OrderSide.BUY, s.px("0.95"))
        await s.until_status(rest, OrderStatus.ACCEPTED)
        uta_sim.faults.private_lose_n = 1_000_000  # every private push is lost
        buy = s.market(OrderSide.BUY)
        await asyncio.sleep(0.3)
        uta_sim.faults.private_lose_n = 0
        assert uta_sim.v3.drop_all("private", clean=False) >= 1
        await s.until_status(buy, OrderStatus.FILLED, wait=15.0)
        await s.assert_matches_venue()
    finally:
        await s.stop()


# -- classic vs UTA: identical Nautilus-side results ------------------------------------------


async def deterministic_scenario(s: Stack) -> None:
    """Orders whose outcome does not depend on market timing (prices fixed before acting)."""
    f = s.strategy.order_factory
    mid = s.mid()
    price = s.instrument.make_price
    s.sim.exchange.set_last_price("BTCUSDT", str(price(mid)))
    s.sim.exchange.set_mark_price("BTCUSDT", str(price(mid)))
    buy = s.market(OrderSide.BUY, Quantity.from_str("0.020"))
    await s.until_status(buy, OrderStatus.FILLED)
    rest = s.limit(OrderSide.BUY, price(mid * Decimal("0.9")))
    await s.until_status(rest, OrderStatus.ACCEPTED)
    s.strategy.modify_order(
        rest, quantity=Quantity.from_str("0.020"), price=price(mid * Decimal("0.8"))
    )
    await s.until(
        lambda: s.cache.order(rest.client_order_id).quantity == Quantity.from_str("0.020"),
        what="modify",
    )
    ioc = s.limit(OrderSide.BUY, price(mid * Decimal("0.9")), time_in_force=TimeInForce.IOC)
    await s.until_status(ioc, OrderStatus.CANCELED)
    batch = [f.limit(BTC, OrderSide.BUY, Q, price(mid * Decimal(x))) for x in ("0.85", "0.86")]
    s.strategy.submit_order_list(f.create_list(batch))
    for order in batch:
        await s.until_status(order, OrderStatus.ACCEPTED)
    stop = s.submit(f.stop_market(BTC, OrderSide.SELL, Q, price(mid * Decimal("0.7"))))
    await s.until_status(stop, OrderStatus.ACCEPTED)
    s.strategy.cancel_all_orders(BTC)
    for order in (rest, *batch, stop):
        await s.until_status(order, OrderStatus.CANCELED)
    reduce = s.market(OrderSide.SELL, Quantity.from_str("0.005"), reduce_only=True)
    await s.until_status(reduce, OrderStatus.FILLED)
    await s.assert_matches_venue()


def nautilus_view(s: Stack) -> dict[str, Any]:
    """Orders, fills and positions with venue ids, trade ids and timestamps normalized away."""
    orders = []
    for order in sorted(s.cache.orders(), key=lambda o: o.ts_init):
        fills = [
            (e.order_side, str(e.last_qty), str(e.last_px), e.liquidity_side, str(e.commission))
            for e in order.events
            if isinstance(e, OrderFilled)
        ]
        orders.append(
            (
                order.order_type,
                order.side,
                str(order.quantity),
                order.status,
                str(order.filled_qty),
                order.is_reduce_only,
                [type(e).__name__ for e in order.events],
                fills,
            ),
        )
    positions = [
        (pos.side, str(pos.quantity), pos.is_open) for pos in s.cache.positions(instrument_id=BTC)
    ]
    hedge_long = s.cache.position(PositionId(f"{BTC}-LONG"))
    return {
        "orders": orders,
        "positions": sorted(positions, key=str),
        "hedge_long": None if hedge_long is None else str(hedge_long.quantity),
    }


@pytest.mark.parametrize("position_mode", ["one_way", "hedge"])
async def test_classic_and_uta_give_identical_nautilus_results(sim_factory, position_mode):
    views = {}
    for mode in ("classic", "uta"):
        sim = await sim_factory(account_mode=mode, seed=11, book_rate_hz=0.0)
        stack = await _started(sim, position_mode, account_mode=mode)
        try:
            await deterministic_scenario(stack)
            views[mode] = nautilus_view(stack)
        finally:
            await stack.stop()
    assert views["classic"]["orders"], "the scenario produced no orders"
    assert views["classic"] == views["uta"]
