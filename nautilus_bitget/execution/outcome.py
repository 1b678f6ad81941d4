"""``OutcomeResolver``: bring our orders to the venue's true state from REST rows."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

from nautilus_trader.cache.cache import Cache
from nautilus_trader.common.component import LiveClock
from nautilus_trader.execution.reports import OrderStatusReport
from nautilus_trader.model.enums import OrderStatus
from nautilus_trader.model.instruments import Instrument
from nautilus_trader.model.orders import Order

from nautilus_bitget.api.trading import TradingApi
from nautilus_bitget.common.errors import BitgetError
from nautilus_bitget.common.errors import BitgetOrderNotFoundError
from nautilus_bitget.common.orders import PLAN_ORDER_TYPES
from nautilus_bitget.execution.context import ExecTimings
from nautilus_bitget.execution.dedupe import Deduplicator
from nautilus_bitget.execution.events import CANCELED
from nautilus_bitget.execution.events import OrderEventEmitter
from nautilus_bitget.execution.plan_rows import PlanRows
from nautilus_bitget.execution.registry import OrderRegistry
from nautilus_bitget.execution.reports import ReportBuilder
from nautilus_bitget.execution.routes import Routes
from nautilus_bitget.parsing import execution as px


class OutcomeResolver:
    """
    Resolve what the pushes did not tell: unknown submit outcomes and lost pushes.

    A submit whose outcome is unknown (timeout / 5xx) is never re-sent: the order is looked up
    by clientOid (plans in the plan lists) and its true state emitted; not found after
    ``unknown_outcome_retries`` lookups, it is rejected. The same row appliers serve the cancel
    confirmation and the reconciler (detail rows, plan rows, status reports, REST fills).

    Parameters
    ----------
    api : TradingApi
        The API family in use.
    routes : Routes
        Instrument routes.
    registry : OrderRegistry
        Per-order state.
    cache : Cache
        Our orders and instruments.
    clock : LiveClock
        Event timestamps.
    emitter : OrderEventEmitter
        Emits the resolved state.
    reports : ReportBuilder
        REST fill rows -> ``FillReport``.
    plan_rows : PlanRows
        Plan listings.
    fill_ids : Deduplicator
        Trade ids already applied.
    timings : ExecTimings
        ``unknown_outcome_retries`` and ``unknown_outcome_delay_secs``.
    log : Logger
        The client's logger.

    """

    def __init__(
        self,
        api: TradingApi,
        routes: Routes,
        registry: OrderRegistry,
        cache: Cache,
        clock: LiveClock,
        emitter: OrderEventEmitter,
        reports: ReportBuilder,
        plan_rows: PlanRows,
        fill_ids: Deduplicator,
        *,
        timings: ExecTimings,
        log: Any,
    ) -> None:
        self._api = api
        self._routes = routes
        self._orders = registry
        self._cache = cache
        self._clock = clock
        self._emitter = emitter
        self._reports = reports
        self._plan_rows = plan_rows
        self._fill_ids = fill_ids
        self._timings = timings
        self._log = log

    async def resolve_unknown(self, order: Order, is_plan: bool) -> None:
        """Find out whether an order whose place outcome is unknown exists (never re-send)."""
        instrument = self._cache.instrument(order.instrument_id)
        route = self._routes.route(instrument)
        coid = order.client_order_id
        for attempt in range(self._timings.unknown_outcome_retries):
            await asyncio.sleep(self._timings.unknown_outcome_delay_secs * (attempt + 1))
            order = self._cache.order(coid)
            if order is None or self._orders.is_closed(order) or coid in self._orders.accepted:
                return  # a push already told us
            try:
                if is_plan:
                    symbol, product_type = route.symbol, route.product_type
                    listing = self._orders.plan_listing(coid)
                    rows = await self._plan_rows.fetch(
                        product_type, symbol, history=False, plan_type=listing
                    )
                    rows += await self._plan_rows.fetch(
                        product_type, symbol, history=True, plan_type=listing
                    )
                    match = [r for r in rows if px.client_oid_of(r) == coid.value]
                    if match:
                        self.apply_plan_row(order, match[0])
                        return
                    continue
                detail = await self._api.order_detail(route, client_oid=coid.value)
            except BitgetOrderNotFoundError:
                continue
            except BitgetError as e:
                self._log.warning(f"Query {coid} after unknown outcome failed: {e}")
                continue
            if detail is not None:
                await self.apply_detail(order, detail, instrument)
                return
        order = self._cache.order(coid)
        if (
            order is not None
            and not self._orders.is_closed(order)
            and coid not in self._orders.accepted
        ):
            self._log.warning(f"{coid} not found at the venue after unknown outcome: rejected")
            self._emitter.rejected(order, "order not found at Bitget after a timeout/5xx on submit")

    async def apply_detail(self, order: Order, detail: Any, instrument: Instrument) -> None:
        """Bring a cached order to the state of a REST order row (fills via REST, deduped)."""
        coid = order.client_order_id
        ts = px.ms_to_ns(detail.uTime, self._clock.timestamp_ns())
        self._emitter.accepted(order, detail.orderId, ts)
        order = self._cache.order(coid)
        vid = self._orders.venue_order_id(order)
        if vid is not None and vid.value != detail.orderId:
            # the order its trigger plan spawned
            if order.order_type in PLAN_ORDER_TYPES:
                self._emitter.triggered(order, ts)
            self._emitter.relinked(self._cache.order(coid), detail.orderId, ts)
        filled = px.dec(detail.baseVolume) or Decimal(0)
        if filled > self._orders.filled_qty(coid):
            await self.backfill_fills(order, detail.orderId, instrument)
        state = detail.state or detail.status
        if state in CANCELED:
            self._emitter.canceled(self._cache.order(coid), ts)

    async def apply_status_report(self, order: Order, report: OrderStatusReport) -> None:
        """Bring a cached order to the state of an ``OrderStatusReport`` (fills via REST)."""
        instrument = self._cache.instrument(order.instrument_id)
        coid = order.client_order_id
        if report.filled_qty.as_decimal() > self._orders.filled_qty(coid):
            await self.backfill_fills(order, report.venue_order_id.value, instrument)
        if report.order_status in (OrderStatus.CANCELED, OrderStatus.EXPIRED):
            self._emitter.accepted(
                self._cache.order(coid), report.venue_order_id.value, report.ts_last
            )
            self._emitter.canceled(self._cache.order(coid), report.ts_last)

    async def backfill_fills(self, order: Order, order_id: str, instrument: Instrument) -> None:
        """Apply the REST fills of one venue order not applied yet, in time order."""
        route = self._routes.route(instrument)
        fills = await self._api.fills(route.product_type, order_id=order_id)
        for row in sorted(fills, key=lambda r: px.ms_to_ns(r.cTime)):
            if self._fill_ids.seen(row.tradeId):
                continue
            report = self._reports.fill_report(
                row,
                instrument,
                client_order_id=order.client_order_id,
            )
            self._emitter.filled(self._cache.order(order.client_order_id), report)

    def apply_plan_row(self, order: Order, row: Any) -> None:
        """Bring a trigger order to the state of a REST plan row (live list or history)."""
        ts = px.ms_to_ns(row.uTime, self._clock.timestamp_ns())
        self._emitter.accepted(order, row.orderId, ts)
        status = row.planStatus
        if status in (*CANCELED, "fail_execute"):
            self._emitter.canceled(self._cache.order(order.client_order_id), ts)
        elif status in ("executed", "triggered") and row.executeOrderId:
            self._orders.coid_by_venue_id[row.executeOrderId] = order.client_order_id
            self._orders.linked_plans.add(order.client_order_id)
        elif status in ("executed", "triggered"):
            # v3 history-strategy-orders (bitget-protocol-uta.md 3.8) names no spawned order: wait
            # for it like after an "executed" push (linked by symbol / side, or by its fills)
            self._emitter.plan_fired(order, row.symbol, ts)
