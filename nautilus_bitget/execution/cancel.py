"""``OrderCanceller``: cancel our orders (single, batch, all, bracket children) and confirm."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from nautilus_trader.cache.cache import Cache
from nautilus_trader.common.component import LiveClock
from nautilus_trader.execution.messages import BatchCancelOrders
from nautilus_trader.execution.messages import CancelAllOrders
from nautilus_trader.execution.messages import CancelOrder
from nautilus_trader.execution.messages import GenerateOrderStatusReport
from nautilus_trader.model.enums import OrderStatus
from nautilus_trader.model.identifiers import ClientOrderId
from nautilus_trader.model.identifiers import InstrumentId
from nautilus_trader.model.orders import Order

from nautilus_bitget.api.trading import Route
from nautilus_bitget.api.trading import TradingApi
from nautilus_bitget.common.errors import BitgetError
from nautilus_bitget.common.errors import BitgetOrderNotFoundError
from nautilus_bitget.common.errors import BitgetRequestError
from nautilus_bitget.common.orders import chunks
from nautilus_bitget.common.orders import order_ref
from nautilus_bitget.execution.common import is_live_plan
from nautilus_bitget.execution.common import new_uuid
from nautilus_bitget.execution.context import ExecTimings
from nautilus_bitget.execution.events import OrderEventEmitter
from nautilus_bitget.execution.outcome import OutcomeResolver
from nautilus_bitget.execution.registry import OrderRegistry
from nautilus_bitget.execution.reports import ReportBuilder
from nautilus_bitget.execution.routes import Routes
from nautilus_bitget.execution.transport import OrderTransport


class OrderCanceller:
    """
    Cancel orders and make sure the outcome is known.

    Cancels are idempotent (transient failures are retried by the transport). ``OrderCanceled``
    comes from the push; without one within ``cancel_confirm_secs`` the order is queried and its
    state applied (a cancel that did not take effect is ``OrderCancelRejected``).

    Parameters
    ----------
    api : TradingApi
        The API family in use.
    transport : OrderTransport
        Where cancel requests go (``order_entry``).
    routes : Routes
        Instrument routes.
    registry : OrderRegistry
        Per-order state (cancel requests, bracket plans, venue clientOids).
    cache : Cache
        Our orders.
    clock : LiveClock
        Event timestamps.
    emitter : OrderEventEmitter
        Emits cancel outcomes.
    resolver : OutcomeResolver
        Applies the queried state of an unconfirmed cancel.
    reports : ReportBuilder
        Queries one order's state.
    timings : ExecTimings
        ``cancel_confirm_secs``.
    spawn : Callable[..., asyncio.Task]
        Runs a background task (the client's ``create_task``).
    log : Logger
        The client's logger.

    """

    def __init__(
        self,
        api: TradingApi,
        transport: OrderTransport,
        routes: Routes,
        registry: OrderRegistry,
        cache: Cache,
        clock: LiveClock,
        emitter: OrderEventEmitter,
        resolver: OutcomeResolver,
        reports: ReportBuilder,
        *,
        timings: ExecTimings,
        spawn: Callable[..., asyncio.Task],
        log: Any,
    ) -> None:
        self._api = api
        self._transport = transport
        self._routes = routes
        self._orders = registry
        self._cache = cache
        self._clock = clock
        self._emitter = emitter
        self._resolver = resolver
        self._reports = reports
        self._timings = timings
        self._spawn = spawn
        self._log = log

    # -- commands ----------------------------------------------------------------------------------

    async def cancel(self, command: CancelOrder) -> None:
        """Cancel one order."""
        order = self._cache.order(command.client_order_id)
        if order is None or self._orders.is_closed(order):
            return
        if order.client_order_id in self._orders.bracket_parent:
            self._cancel_bracket_child(order)
            return
        await self.cancel_orders([order])

    async def batch_cancel(self, command: BatchCancelOrders) -> None:
        """Cancel the listed orders (batched per symbol)."""
        orders = []
        for cancel in command.cancels:
            order = self._cache.order(cancel.client_order_id)
            if order is not None and not self._orders.is_closed(order):
                orders.append(order)
        await self.cancel_orders(orders)

    async def cancel_all(self, command: CancelAllOrders) -> None:
        """Cancel our open and in-flight orders of an instrument (and side) for a strategy."""
        # Only OUR orders: open or in flight in the cache for this instrument and strategy.
        side = command.order_side
        orders = {
            o.client_order_id: o
            for o in self._cache.orders_open(
                venue=None,
                instrument_id=command.instrument_id,
                strategy_id=command.strategy_id,
                side=side,
            )
        }
        for o in self._cache.orders_inflight(
            venue=None,
            instrument_id=command.instrument_id,
            strategy_id=command.strategy_id,
            side=side,
        ):
            orders.setdefault(o.client_order_id, o)
        await self.cancel_orders(list(orders.values()))

    async def cancel_orders(self, orders: list[Order]) -> None:
        """
        Cancel orders: a single normal order with cancel-order, several (per symbol, at most the
        family's batch size) with one batch request; trigger orders and stand-alone TP/SL plans
        by plan cancel, per plan type.
        """
        normal: dict[InstrumentId, list[Any]] = {}
        plans: dict[tuple[InstrumentId, str], list[Any]] = {}
        for order in orders:
            coid = order.client_order_id
            self._orders.cancel_requested.add(coid)
            if coid in self._orders.bracket_parent:
                self._cancel_bracket_child(order)
                continue
            if is_live_plan(order):
                # trigger plans and stand-alone TP/SL plans are canceled per plan type (5.11)
                plan_type = self._orders.tpsl_plans.get(coid, "normal_plan")
                plans.setdefault((order.instrument_id, plan_type), []).append(order)
            else:
                normal.setdefault(order.instrument_id, []).append(order)
        for instrument_id, items in normal.items():
            route = self._routes.of(instrument_id)
            for chunk in chunks(items, self._api.max_batch):
                if len(chunk) == 1:
                    await self._cancel_one(chunk[0], route)
                else:
                    await self._cancel_batch(route, chunk, False)
        for (instrument_id, plan_type), items in plans.items():
            route = self._routes.of(instrument_id)
            for chunk in chunks(items, self._api.max_batch):
                await self._cancel_batch(route, chunk, True, plan_type)

    async def cancel_venue_tpsl(self, order: Order, order_id: str, plan_type: str) -> None:
        """Cancel the venue TP/SL plan of a bracket child (failures are logged)."""
        route = self._routes.of(order.instrument_id)
        try:
            await self._api.cancel_position_tpsl(route, order_id, plan_type)
        except BitgetError as e:
            self._log.warning(f"Cancel venue {plan_type} {order_id} failed: {e}")

    # -- requests ----------------------------------------------------------------------------------

    def _cancel_bracket_child(self, order: Order) -> None:
        """
        Cancel a bracket TP/SL child: its venue TP/SL plan when it exists (entry filled), else
        locally; a preset that the venue creates later for a canceled child is canceled then.
        """
        self._orders.cancel_requested.add(order.client_order_id)
        plan = self._orders.bracket_plans.get(order.client_order_id)
        if plan is not None:
            self._spawn(self.cancel_venue_tpsl(order, *plan))
        self._emitter.canceled(order, self._clock.timestamp_ns())

    def _ref(self, order: Order) -> dict[str, str]:
        vid = self._orders.venue_order_id(order)
        return order_ref(
            vid.value if vid else None,
            self._orders.venue_coid.get(order.client_order_id, order.client_order_id.value),
        )

    async def _cancel_one(self, order: Order, route: Route) -> None:
        try:
            await self._transport.cancel(route, self._ref(order))
        except BitgetOrderNotFoundError as e:
            # Already gone (a retried cancel that had succeeded, or filled): ask the venue.
            self._log.info(f"Cancel {order.client_order_id}: {e.message}; confirming")
            self._spawn(self._confirm_cancel([order.client_order_id], delay=0.2))
            return
        except BitgetRequestError as e:
            self._emitter.cancel_rejected(order, e.message, e.code)
            return
        except BitgetError as e:
            self._log.warning(f"Cancel {order.client_order_id}: outcome unknown ({e})")
        self._spawn(self._confirm_cancel([order.client_order_id]))

    async def _cancel_batch(
        self,
        route: Route,
        chunk: list[Order],
        trigger: bool,
        plan_type: str = "normal_plan",
    ) -> None:
        refs = [self._ref(o) for o in chunk]
        try:
            failures = await self._transport.cancel_batch(
                route, refs, trigger=trigger, plan_type=plan_type
            )
        except BitgetRequestError as e:
            for order in chunk:
                self._emitter.cancel_rejected(order, e.message, e.code)
            return
        except BitgetError as e:
            self._log.warning(f"Batch cancel outcome unknown ({e})")
            failures = []
        for order, ref in zip(chunk, refs, strict=True):
            key_id = ref.get("orderId", "")
            for oid, coid, code, message in failures:
                if (key_id and oid == key_id) or (coid and coid == ref.get("clientOid")):
                    self._emitter.cancel_rejected(order, message or "cancel failed", code)
        self._spawn(self._confirm_cancel([o.client_order_id for o in chunk]))

    async def _confirm_cancel(
        self,
        coids: list[ClientOrderId],
        delay: float | None = None,
    ) -> None:
        """If no push confirmed a cancel within a few seconds, ask the venue (lost push)."""
        await asyncio.sleep(self._timings.cancel_confirm_secs if delay is None else delay)
        for coid in coids:
            order = self._cache.order(coid)
            if order is None or self._orders.is_closed(order):
                continue
            report = await self._reports.order_status_report(
                GenerateOrderStatusReport(
                    instrument_id=order.instrument_id,
                    client_order_id=coid,
                    venue_order_id=self._orders.venue_order_id(order),
                    command_id=new_uuid(),
                    ts_init=self._clock.timestamp_ns(),
                ),
            )
            if report is None:
                continue
            await self._resolver.apply_status_report(order, report)
            order = self._cache.order(coid)
            if (
                not self._orders.is_closed(order)
                and order.status == OrderStatus.PENDING_CANCEL
                and report.order_status in (OrderStatus.ACCEPTED, OrderStatus.PARTIALLY_FILLED)
            ):
                # The cancel never took effect: the order is still working at the venue.
                self._emitter.cancel_rejected(order, "cancel not applied; order still open", None)
