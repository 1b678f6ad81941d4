"""
Execution drills: private socket dropped or pushes lost while orders fill; 5xx / 429 bursts and
timeouts on submit, modify and cancel. Outcome checked against the simulator's account: every fill
exactly once, no duplicate venue order per clientOid, every order in its true state, position equal.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable
from collections.abc import Callable
from typing import Any

import msgspec
from nautilus_trader.model.enums import OrderSide
from nautilus_trader.model.enums import OrderStatus
from nautilus_trader.model.objects import Quantity

from nautilus_bitget.faults.exec_stack import ExecStack
from nautilus_bitget.faults.harness import PRODUCT
from nautilus_bitget.faults.harness import sim_running
from nautilus_bitget.faults.result import Drill
from nautilus_bitget.faults.result import failed


PLACE = "/api/v2/mix/order/place-order"
MODIFY = "/api/v2/mix/order/modify-order"
CANCEL = "/api/v2/mix/order/cancel-order"
POSITIONS_V3 = "/api/v3/position/current-position"
EXEC_EXPECTED = "fills once, no duplicate order, states + position == venue"
DONE = (OrderStatus.FILLED, OrderStatus.CANCELED, OrderStatus.REJECTED)


async def _exec_drill(
    name: str,
    expected: str,
    scenario: Callable[[ExecStack], Awaitable[str]],
    **stack_config: Any,
) -> Drill:
    start = time.monotonic()
    try:
        async with sim_running() as sim:
            stack = ExecStack(sim, "one_way", **stack_config)
            try:
                await stack.start()
                note = await scenario(stack)
                cmp = await stack.compare()
            finally:
                await stack.stop()
    except Exception as e:
        return failed(name, expected, e)
    observed = f"{note}; {cmp.text()}"
    return Drill(name, expected, observed, cmp.lost, cmp.lost == 0, time.monotonic() - start)


# -- private socket ---------------------------------------------------------------------------


async def _fill_while(s: ExecStack, inject: Callable[[], Any]) -> str:
    warm = s.market(OrderSide.BUY)
    await s.until_status(warm, OrderStatus.FILLED)
    reconnects = s.client.ws.reconnect_count
    inject()
    orders = [s.market(OrderSide.BUY if i % 2 else OrderSide.SELL) for i in range(4)]
    orders.append(s.market(OrderSide.BUY, Quantity.from_str("0.020")))
    resting = s.limit(OrderSide.BUY, s.px("0.97"))
    for order in orders:
        await s.until_status(order, OrderStatus.FILLED, wait=15.0)
    await s.until_status(resting, OrderStatus.ACCEPTED, wait=10.0)
    return (
        f"{len(orders)} market orders filled, 1 resting accepted, "
        f"private reconnects +{s.client.ws.reconnect_count - reconnects}"
    )


async def drill_private_drop() -> Drill:
    """Private socket aborted while market orders fill."""
    return await _exec_drill(
        "private socket dropped while filling",
        EXEC_EXPECTED,
        lambda s: _fill_while(s, lambda: s.sim.faults.drop_ws("private")),
    )


async def drill_private_lost_pushes() -> Drill:
    """The venue silently loses private pushes (bitget-protocol.md 3.1: they CAN be lost)."""
    return await _exec_drill(
        "private pushes lost (lose_private 8)",
        EXEC_EXPECTED + " (REST fallback)",
        lambda s: _fill_while(s, lambda: s.sim.faults.lose_private(8)),
    )


# -- venue shapes -----------------------------------------------------------------------------


class _ErrorLog:
    """A logger proxy that counts (and forwards) the error lines a collaborator writes."""

    def __init__(self, log: Any) -> None:
        self._log = log
        self.errors: list[str] = []

    def error(self, message: str, *args: Any, **kwargs: Any) -> None:
        self.errors.append(message)
        self._log.error(message, *args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._log, name)


async def drill_uta_flat_reconcile() -> Drill:
    """
    Start-up on a flat UTA account: ``current-position`` answers ``{"list": null}``
    (bitget-protocol-uta.md 3.2); connect, the account refresh and the engine's start-up
    reconciliation must all succeed with no error logged and no input skipped.
    """
    name = "UTA flat account: start-up reconciliation"
    expected = 'current-position {"list": null} decoded as empty; reconciled, 0 errors'
    start = time.monotonic()
    try:
        async with sim_running(account_mode="uta") as sim:
            stack = ExecStack(sim, "one_way", account_mode="uta")
            client: Any = stack.client
            logs = [_ErrorLog(client._reports._log), _ErrorLog(client._account._log)]
            client._reports._log, client._account._log = logs
            try:
                raw = await client.http.get(POSITIONS_V3, {"category": PRODUCT}, signed=True)
                answered = msgspec.json.decode(raw)
                reconciled = await stack.start(reconcile=True)
                positions = len(stack.cache.positions_open())
            finally:
                await stack.stop()
    except Exception as e:
        return failed(name, expected, e)
    errors = sum(len(log.errors) for log in logs) + sum(client.bad_input_counts.values())
    observed = (
        f"current-position answered {msgspec.json.encode(answered).decode()}, "
        f"reconciled {reconciled}, open positions {positions}, errors {errors}"
    )
    passed = reconciled and errors == 0 and positions == 0 and answered == {"list": None}
    return Drill(name, expected, observed, errors, passed, time.monotonic() - start)


# -- REST faults ------------------------------------------------------------------------------


async def _submit_under(s: ExecStack, inject: Callable[[], Any]) -> str:
    inject()
    first = s.market(OrderSide.BUY)
    await s.until_status(first, *DONE, wait=12.0)
    inject()
    resting = s.limit(OrderSide.BUY, s.px("0.95"))
    await s.until_status(resting, OrderStatus.ACCEPTED, OrderStatus.REJECTED, wait=12.0)
    return f"market -> {s.status(first).name}, limit -> {s.status(resting).name}"


async def _modify_under(s: ExecStack, inject: Callable[[], Any]) -> str:
    resting = s.limit(OrderSide.BUY, s.px("0.95"))
    await s.until_status(resting, OrderStatus.ACCEPTED)
    inject()
    s.strategy.modify_order(resting, quantity=Quantity.from_str("0.020"), price=s.px("0.94"))
    deadline = time.monotonic() + 5.0
    while s.status(resting) != OrderStatus.ACCEPTED or s.cache.order(
        resting.client_order_id,
    ).quantity != Quantity.from_str("0.020"):
        if time.monotonic() > deadline:
            break
        await _sleep(0.05)
    await _sleep(1.0)  # let the unknown-outcome resolution finish
    order = s.cache.order(resting.client_order_id)
    note = f"modified order -> {order.status.name} qty {order.quantity} px {order.price}"
    # The order must still be manageable: cancel it
    s.strategy.cancel_order(order)
    try:
        await s.until_status(resting, OrderStatus.CANCELED, wait=8.0)
    except TimeoutError:
        pass
    return f"{note}, then cancel -> {s.status(resting).name}"


async def _cancel_under(s: ExecStack, inject: Callable[[], Any]) -> str:
    resting = s.limit(OrderSide.BUY, s.px("0.95"))
    await s.until_status(resting, OrderStatus.ACCEPTED)
    inject()
    s.strategy.cancel_order(resting)
    try:
        await s.until_status(resting, OrderStatus.CANCELED, OrderStatus.ACCEPTED, wait=10.0)
    except TimeoutError:
        pass
    return f"canceled order -> {s.status(resting).name}"


async def _sleep(secs: float) -> None:
    import asyncio

    await asyncio.sleep(secs)


def _rest_drill(
    name: str,
    action: Callable[[ExecStack, Callable[[], Any]], Awaitable[str]],
    fault: Callable[[Any], Any],
) -> Callable[[], Awaitable[Drill]]:
    async def run() -> Drill:
        return await _exec_drill(name, EXEC_EXPECTED, lambda s: action(s, lambda: fault(s.sim)))

    run.__name__ = "drill_" + name.replace(" ", "_")
    return run


def _ws_drill(
    name: str,
    action: Callable[[ExecStack, Callable[[], Any]], Awaitable[str]],
    fault: Callable[[Any], Any],
) -> Callable[[], Awaitable[Drill]]:
    """The same action with ``order_entry="websocket"``, once the trade socket is logged in."""

    async def scenario(s: ExecStack) -> str:
        socket = s.client.trade_socket
        deadline = time.monotonic() + 10.0
        while socket is None or not socket.is_up:
            if time.monotonic() > deadline:
                raise TimeoutError("trade socket not logged in")
            await _sleep(0.02)
        note = await action(s, lambda: fault(s.sim))
        return f"{note}; {socket.requests_sent} requests over the trade socket"

    async def run() -> Drill:
        return await _exec_drill(name, EXEC_EXPECTED, scenario, order_entry="websocket")

    run.__name__ = "drill_ws_" + name.replace(" ", "_").replace(":", "")
    return run


def _drop_private(sim: Any) -> None:
    sim.faults.drop_ws("private")


DRILLS = [
    drill_private_drop,
    drill_private_lost_pushes,
    drill_uta_flat_reconcile,
    _rest_drill(
        "submit 5xx burst", _submit_under, lambda sim: sim.faults.http_errors(3, 500, PLACE)
    ),
    _rest_drill(
        "submit 429 burst", _submit_under, lambda sim: sim.faults.http_errors(3, 429, PLACE)
    ),
    _rest_drill(
        "submit timeout",
        _submit_under,
        lambda sim: sim.faults.hang_requests(1, PLACE, secs=2.5),
    ),
    _rest_drill(
        "modify 5xx burst", _modify_under, lambda sim: sim.faults.http_errors(3, 500, MODIFY)
    ),
    _rest_drill(
        "modify 429 burst", _modify_under, lambda sim: sim.faults.http_errors(3, 429, MODIFY)
    ),
    _rest_drill(
        "modify timeout",
        _modify_under,
        lambda sim: sim.faults.hang_requests(1, MODIFY, secs=2.5),
    ),
    _rest_drill(
        "cancel 5xx burst", _cancel_under, lambda sim: sim.faults.http_errors(3, 500, CANCEL)
    ),
    _rest_drill(
        "cancel 429 burst", _cancel_under, lambda sim: sim.faults.http_errors(3, 429, CANCEL)
    ),
    _rest_drill(
        "cancel timeout",
        _cancel_under,
        lambda sim: sim.faults.hang_requests(1, CANCEL, secs=2.5),
    ),
    # order_entry="websocket": the trade socket drops mid-request, replies come too late, the
    # socket is down (REST fallback); every unknown outcome resolved by clientOid, never re-sent
    _ws_drill(
        "ws submit: reply lost, socket dropped",
        _submit_under,
        lambda sim: sim.faults.drop_trade_ws(1),
    ),
    _ws_drill("ws submit: reply too late", _submit_under, lambda sim: sim.faults.delay_trade(1500)),
    _ws_drill("ws submit: private sockets dropped", _submit_under, _drop_private),
    _ws_drill(
        "ws cancel: reply lost, socket dropped",
        _cancel_under,
        lambda sim: sim.faults.drop_trade_ws(1),
    ),
    _ws_drill("ws cancel: reply too late", _cancel_under, lambda sim: sim.faults.delay_trade(1500)),
]
