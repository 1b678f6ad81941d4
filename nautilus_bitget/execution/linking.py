"""
``OrderLinker``: orders the venue creates for us -> the Nautilus order they belong to.

Two kinds of venue order carry no clientOid of ours:

* the order a trigger plan spawns when it fires (stop / if-touched orders): linked to the plan
  by symbol, side and size (its ``orders`` push may precede the plan's ``executed`` push), or by
  its fills;
* the order a bracket's venue TP/SL plan spawns: the plan that executed (``orders-algo``
  ``executed`` push, else the plan history's ``executeOrderId``) names the child; its rows are
  held until that is known (``bracket_link_wait_secs``), then the nearest trigger decides.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from collections.abc import Coroutine
from decimal import Decimal
from typing import Any

from nautilus_trader.cache.cache import Cache
from nautilus_trader.common.component import LiveClock
from nautilus_trader.model.identifiers import ClientOrderId
from nautilus_trader.model.orders import Order

from nautilus_bitget.common.errors import BitgetError
from nautilus_bitget.common.orders import PLAN_ORDER_TYPES
from nautilus_bitget.common.orders import TP_PLAN_TYPES
from nautilus_bitget.common.orders import plan_type_name
from nautilus_bitget.common.symbol import instrument_id_for_symbol
from nautilus_bitget.execution.common import text_lower
from nautilus_bitget.execution.context import ExecTimings
from nautilus_bitget.execution.events import CANCELED
from nautilus_bitget.execution.events import PLAN_FIRED
from nautilus_bitget.execution.events import OrderEventEmitter
from nautilus_bitget.execution.plan_rows import PlanRows
from nautilus_bitget.execution.registry import OrderRegistry
from nautilus_bitget.parsing import execution as px


class OrderLinker:
    """
    Link venue orders spawned by trigger plans and bracket TP/SL plans to our orders.

    Parameters
    ----------
    registry : OrderRegistry
        Trigger-plan and bracket links are recorded here.
    cache : Cache
        Our orders.
    clock : LiveClock
        Event timestamps.
    emitter : OrderEventEmitter
        Cancels a bracket child whose venue plan was canceled.
    plan_rows : PlanRows
        The TP/SL plan history (``executeOrderId``).
    product_types : tuple[str, ...]
        The configured product types.
    timings : ExecTimings
        ``bracket_link_wait_secs``.
    loop : asyncio.AbstractEventLoop
        Schedules the wait for a TP/SL plan link.
    spawn : Callable[[Coroutine], asyncio.Task]
        Runs a background task (the client's ``create_task``).
    cancel_venue_tpsl : Callable[[Any, str, str], Coroutine]
        Cancels a venue TP/SL plan ``(child order, plan order id, plan type)``.
    log : Logger
        The client's logger.

    """

    def __init__(
        self,
        registry: OrderRegistry,
        cache: Cache,
        clock: LiveClock,
        emitter: OrderEventEmitter,
        plan_rows: PlanRows,
        product_types: tuple[str, ...],
        *,
        timings: ExecTimings,
        loop: asyncio.AbstractEventLoop,
        spawn: Callable[..., asyncio.Task],
        cancel_venue_tpsl: Callable[[Any, str, str], Coroutine[Any, Any, None]],
        log: Any,
    ) -> None:
        self._orders = registry
        self._cache = cache
        self._clock = clock
        self._emitter = emitter
        self._plan_rows = plan_rows
        self._product_types = product_types
        self._timings = timings
        self._loop = loop
        self._spawn = spawn
        self._cancel_venue_tpsl = cancel_venue_tpsl
        self._log = log

    # -- orders spawned by trigger plans -----------------------------------------------------------

    def spawned_by_plan(self, row: Any) -> ClientOrderId | None:
        """Link a new venue order (``orders`` row) to the plan that spawned it, if any."""
        waiting = list(self._orders.triggered_plans.get(row.instId) or [])
        instrument_id = instrument_id_for_symbol(row.instId)
        # The spawned order's push may precede the orders-algo "executed" push: live plans of
        # the same side and size are candidates too (explicitly triggered ones first).
        for order in self._cache.orders_open(instrument_id=instrument_id):
            if (
                order.order_type in PLAN_ORDER_TYPES
                and order.client_order_id not in waiting
                and order.client_order_id not in self._orders.linked_plans
                and order.client_order_id not in self._orders.bracket_parent
            ):
                waiting.append(order.client_order_id)
        direction = px.order_side_of(row)
        size = px.dec(row.size)
        for coid in waiting:
            order = self._cache.order(coid)
            if order is None or self._orders.is_closed(order):
                continue
            if (
                order.side == direction
                and (size is None or size == order.quantity.as_decimal())
                and _spawns(order, row)
            ):
                pending = self._orders.triggered_plans.get(row.instId)
                if pending and coid in pending:
                    pending.remove(coid)
                self._orders.linked_plans.add(coid)
                self._orders.coid_by_venue_id[row.orderId] = coid
                return coid
        return None

    def spawned_by_plan_fill(self, row: Any) -> Order | None:
        """Return the fired plan (our order) a fill of an unknown venue order belongs to."""
        waiting = self._orders.triggered_plans.get(row.symbol)
        if not waiting:
            return None
        direction = px.order_side_of(row)
        for coid in waiting:
            order = self._cache.order(coid)
            if order is not None and order.side == direction and not self._orders.is_closed(order):
                self._orders.coid_by_venue_id[row.orderId] = coid
                return order
        return None

    # -- bracket TP/SL executions ------------------------------------------------------------------

    def is_bracket_child(self, order: Order) -> bool:
        """Whether ``order`` is a bracket's TP/SL child (its venue plan is the bracket's)."""
        return order.client_order_id in self._orders.bracket_parent

    def is_bracket_close(self, row: Any) -> bool:
        """Whether ``row`` is a closing order/fill on a symbol with an active bracket."""
        symbol = px.get(row, "symbol") or px.get(row, "instId")
        entry_coid = self._orders.bracket_active.get(symbol)
        if entry_coid is None:
            return False
        if "close" not in (px.get(row, "tradeSide") or "") and (
            text_lower(px.get(row, "reduceOnly")) != "yes"
        ):
            return False  # only closing orders execute a TP/SL
        children = self._orders.brackets.get(entry_coid, ())
        return any(
            (o := self._cache.order(c)) is not None and not self._orders.is_closed(o)
            for c in children
            if c is not None
        )

    def bracket_child(self, row: Any, *, guess: bool = False) -> Order | None:
        """
        Map the order spawned by a venue TP/SL (bracket child) to the child.

        Exact when the ``orders-algo`` ``executed`` push (OCO: only one child executes) or the
        plan history ``executeOrderId`` is known; ``guess`` falls back to the child whose
        trigger is nearest the fill price (both sources lost).
        """
        if not self.is_bracket_close(row):
            return None
        symbol = px.get(row, "symbol") or px.get(row, "instId")
        order_id = px.get(row, "orderId")
        known = self._orders.coid_by_venue_id.get(order_id)
        if known is not None:
            return self._cache.order(known)
        fired = self._orders.bracket_triggered.get(symbol)
        if fired is not None:
            child = self._cache.order(fired)
            if child is not None and not self._orders.is_closed(child):
                self._orders.coid_by_venue_id[order_id] = fired
                return child
        if not guess:
            return None
        entry_coid = self._orders.bracket_active[symbol]
        candidates = [self._cache.order(c) for c in self._orders.brackets.get(entry_coid, ()) if c]
        candidates = [c for c in candidates if c is not None and not self._orders.is_closed(c)]
        if not candidates:
            return None
        fill_px = px.dec(px.get(row, "fillPrice") or px.get(row, "price")) or Decimal(0)

        def distance(child: Order) -> Decimal:
            ref = child.trigger_price if child.has_trigger_price else child.price
            return abs(ref.as_decimal() - fill_px)

        child = min(candidates, key=distance)
        self._log.warning(
            f"TP/SL execution {order_id} attributed by price: {child.client_order_id}",
        )
        self._orders.coid_by_venue_id[order_id] = child.client_order_id
        return child

    def defer(self, handler: Callable[[Any], None], row: Any) -> None:
        """Hold a TP/SL execution row until the plan that fired is known (algo push or REST)."""
        first = not self._orders.bracket_deferred
        self._orders.bracket_deferred.append((handler, row))
        if first:
            self._loop.call_later(self._timings.bracket_link_wait_secs, self._link_timeout)

    def on_bracket_plan(self, row: Any) -> None:
        """Apply an ``orders-algo`` row of a bracket's venue TP/SL plan."""
        ts_event = px.ms_to_ns(row.uTime, self._clock.timestamp_ns())
        entry_coid = self._orders.bracket_active.get(row.instId)
        if entry_coid is None:
            return
        tp_coid, sl_coid = self._orders.brackets.get(entry_coid, (None, None))
        is_tp = row.planType in TP_PLAN_TYPES
        coid = tp_coid if is_tp else sl_coid
        child = self._cache.order(coid) if coid else None
        if coid is None or child is None:
            return
        self._orders.coid_by_venue_id[row.orderId] = coid
        # the plan's own type (tp -> profit_plan, ptp -> pos_profit, 6.2): cancel and modify
        # name it (5.11)
        plan_type = plan_type_name(row.planType) or ("profit_plan" if is_tp else "loss_plan")
        self._orders.bracket_plans[coid] = (row.orderId, plan_type)
        self._orders.bracket_plan_coid[row.orderId] = coid
        if row.status == "live" and coid in self._orders.cancel_requested:
            # The user canceled this child before the entry filled: remove the venue TP/SL now.
            self._spawn(self._cancel_venue_tpsl(child, row.orderId, plan_type))
        if row.status in PLAN_FIRED:
            self._orders.bracket_triggered[row.instId] = coid
            if self._orders.bracket_deferred:
                self._replay_deferred()
        if row.status in CANCELED:
            # The sibling executed (OCO) or the position closed elsewhere.
            if not self._orders.is_closed(child) and not self._orders.filled.get(coid):
                self._emitter.canceled(child, ts_event)

    async def refresh_bracket_links(self, product_type: str) -> None:
        """Link TP/SL executions named by the plan history (``executeOrderId``)."""
        if not self._orders.bracket_active:
            return
        history = await self._plan_rows.fetch(
            product_type,
            None,
            history=True,
            plan_type="profit_loss",
        )
        for row in history:
            if not row.executeOrderId or row.executeOrderId in self._orders.coid_by_venue_id:
                continue
            coid = self._orders.bracket_plan_coid.get(row.orderId)
            entry_coid = self._orders.bracket_active.get(row.symbol)
            if coid is None and entry_coid is not None:
                # The plan's own pushes were lost too: its type names the child.
                tp_coid, sl_coid = self._orders.brackets.get(entry_coid, (None, None))
                coid = tp_coid if row.planType in ("profit_plan", "pos_profit") else sl_coid
            if coid is not None:
                self._orders.coid_by_venue_id[row.executeOrderId] = coid

    def _replay_deferred(self) -> None:
        rows, self._orders.bracket_deferred = self._orders.bracket_deferred, []
        for handler, row in rows:
            handler(row)

    def _link_timeout(self) -> None:
        if self._orders.bracket_deferred:
            self._spawn(self._resolve_deferred(), log_msg="bracket link")

    async def _resolve_deferred(self) -> None:
        """Link deferred TP/SL executions by the plan history, else by the nearest trigger."""
        for product_type in self._product_types:
            try:
                await self.refresh_bracket_links(product_type)
            except BitgetError as e:
                self._log.warning(f"TP/SL plan history query failed: {e}")
        rows, self._orders.bracket_deferred = self._orders.bracket_deferred, []
        for _, row in rows:
            self.bracket_child(row, guess=True)
        for handler, row in rows:
            handler(row)


def _spawns(order: Order, row: Any) -> bool:
    """
    Whether ``row`` can be the order ``order``'s plan spawns: a limit order at its price for
    STOP_LIMIT / LIMIT_IF_TOUCHED, a market order otherwise (rows without an ``orderType`` pass).
    """
    order_type = px.get(row, "orderType")
    if order_type not in ("limit", "market"):
        return True
    if (order_type == "limit") != order.has_price:
        return False
    price = px.dec(px.get(row, "price"))
    return order_type == "market" or price is None or price == order.price.as_decimal()
