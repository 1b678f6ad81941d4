"""``Reconciler``: recover lost pushes — REST backfill after a reconnect, open-order watchdog."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from nautilus_trader.cache.cache import Cache
from nautilus_trader.common.component import LiveClock
from nautilus_trader.execution.messages import GenerateOrderStatusReport
from nautilus_trader.model.identifiers import ClientOrderId
from nautilus_trader.model.orders import Order

from nautilus_bitget.api.trading import TradingApi
from nautilus_bitget.common.errors import BitgetError
from nautilus_bitget.common.errors import BitgetOrderNotFoundError
from nautilus_bitget.common.symbol import infer_product_type
from nautilus_bitget.constants import BITGET_VENUE
from nautilus_bitget.execution.account import AccountSync
from nautilus_bitget.execution.common import is_live_plan
from nautilus_bitget.execution.common import new_uuid
from nautilus_bitget.execution.context import ExecTimings
from nautilus_bitget.execution.context import Session
from nautilus_bitget.execution.dedupe import Deduplicator
from nautilus_bitget.execution.events import OrderEventEmitter
from nautilus_bitget.execution.generators import EventGenerators
from nautilus_bitget.execution.linking import OrderLinker
from nautilus_bitget.execution.lookup import OrderLookup
from nautilus_bitget.execution.outcome import OutcomeResolver
from nautilus_bitget.execution.plan_rows import PlanRows
from nautilus_bitget.execution.registry import OrderRegistry
from nautilus_bitget.execution.reports import ReportBuilder
from nautilus_bitget.execution.routes import Routes
from nautilus_bitget.parsing import execution as px


OVERLAP_MS = 5_000  # REST catch-up windows start this long before the gap they cover


class Reconciler:
    """
    Keep our orders equal to the venue when pushes were lost.

    After every private reconnect, ``backfill`` applies the state and fills of our open orders,
    the orders spawned by plans that fired during the gap, every fill since the drop and the
    account. Without a reconnect, the watchdog compares quiet open orders with the venue every
    ``watchdog_interval_secs``. Each pass ends by marking orders the cache closed (e.g. through
    the engine's own reconciliation) as closed in the registry, so their state is pruned.

    Parameters
    ----------
    api : TradingApi
        The API family in use.
    routes : Routes
        Instrument routes and the configured product types.
    registry : OrderRegistry
        Per-order state.
    lookup : OrderLookup
        Venue ids -> our orders.
    cache : Cache
        Our orders.
    clock : LiveClock
        Timestamps.
    emitter : OrderEventEmitter
        Emits recovered events.
    resolver : OutcomeResolver
        Applies REST rows.
    linker : OrderLinker
        Links fills of spawned orders and TP/SL executions.
    reports : ReportBuilder
        Fill rows and order queries.
    plan_rows : PlanRows
        Plan listings.
    fill_ids : Deduplicator
        Trade ids already applied.
    events : EventGenerators
        Sends fill reports of orders that are not ours.
    account : AccountSync
        Refreshed after a backfill.
    poll_funding : Callable[[], Awaitable[None]]
        Polls the funding ledger after a reconnect.
    session : Session
        Connection times.
    venue_time_ms : Callable[[], int]
        The venue-synchronized clock (ms).
    timings : ExecTimings
        ``watchdog_interval_secs``.
    log : Logger
        The client's logger.

    """

    def __init__(
        self,
        api: TradingApi,
        routes: Routes,
        registry: OrderRegistry,
        lookup: OrderLookup,
        cache: Cache,
        clock: LiveClock,
        emitter: OrderEventEmitter,
        resolver: OutcomeResolver,
        linker: OrderLinker,
        reports: ReportBuilder,
        plan_rows: PlanRows,
        fill_ids: Deduplicator,
        events: EventGenerators,
        account: AccountSync,
        *,
        poll_funding: Callable[[], Awaitable[None]],
        session: Session,
        venue_time_ms: Callable[[], int],
        timings: ExecTimings,
        log: Any,
    ) -> None:
        self._api = api
        self._routes = routes
        self._orders = registry
        self._lookup = lookup
        self._cache = cache
        self._clock = clock
        self._emitter = emitter
        self._resolver = resolver
        self._linker = linker
        self._reports = reports
        self._plan_rows = plan_rows
        self._fill_ids = fill_ids
        self._events = events
        self._account = account
        self._poll_funding = poll_funding
        self._session = session
        self._venue_time_ms = venue_time_ms
        self._timings = timings
        self._log = log
        self._lock = asyncio.Lock()  # one backfill / watchdog pass at a time

    # -- private socket hooks ----------------------------------------------------------------------

    def on_disconnect(self) -> None:
        """Remember when the private socket dropped."""
        self._session.disconnected_ms = self._venue_time_ms()

    async def on_reconnect(self) -> None:
        """Backfill the gap since the drop, then poll funding."""
        since = self._session.disconnected_ms or self._session.connected_ms
        self._log.info("Private socket reconnected: backfilling orders, fills and positions")
        await self.backfill(since - OVERLAP_MS)
        await self._poll_funding()

    # -- backfill ----------------------------------------------------------------------------------

    async def backfill(self, since_ms: int) -> None:
        """
        Reconcile cached orders with the venue after a private-socket gap.

        The state of every cached open order (pending list, else detail) and its fills, then
        every fill since ``since_ms`` (deduplicated by tradeId), then positions and balances.
        """
        async with self._lock:
            try:
                await self._backfill(since_ms)
            except BitgetError as e:
                self._log.error(f"Backfill after reconnect failed: {e}")
            self.mark_closed()

    async def _backfill(self, since_ms: int) -> None:
        # 1. Our open orders first: their state, their fills, and the orders spawned by plans
        #    that triggered during the gap (plan history executeOrderId), so that step 2 can
        #    attribute every fill.
        by_product: dict[str, list[Any]] = {}
        for order in self._cache.orders_open(venue=BITGET_VENUE):
            if self._watched(order):
                product_type = infer_product_type(order.instrument_id).value
                by_product.setdefault(product_type, []).append(order)
        for product_type, orders in by_product.items():
            await self._watch_product(product_type, orders)
        for order in self._cache.orders_inflight(venue=BITGET_VENUE):
            if self._orders.is_closed(order) or self._orders.venue_order_id(order) is not None:
                continue
            report = await self._reports.order_status_report(
                GenerateOrderStatusReport(
                    instrument_id=order.instrument_id,
                    client_order_id=order.client_order_id,
                    venue_order_id=None,
                    command_id=new_uuid(),
                    ts_init=self._clock.timestamp_ns(),
                ),
            )
            if report is not None:
                self._emitter.accepted(order, report.venue_order_id.value, report.ts_accepted)
                order = self._cache.order(order.client_order_id)
                await self._resolver.apply_status_report(order, report)
        # 2. Every fill since the gap began (deduplicated by tradeId).
        for product_type in self._routes.product_types:
            await self._linker.refresh_bracket_links(product_type)
            await self._apply_fill_rows(product_type, since_ms)
        await self._account.refresh()

    async def _apply_fill_rows(self, product_type: str, since_ms: int) -> None:
        """Apply REST fills since ``since_ms`` not seen yet (orders spawned by plans linked)."""
        fills = await self._api.fills(product_type, start_ms=since_ms)
        for row in sorted(fills, key=lambda r: (px.ms_to_ns(r.cTime), r.tradeId)):
            if self._fill_ids.seen(row.tradeId):
                continue
            instrument = self._lookup.instrument_for_symbol(row.symbol)
            if instrument is None:
                continue
            order = self._lookup.order(px.client_oid_of(row), row.orderId)
            if order is None:
                order = self._linker.spawned_by_plan_fill(row)
            if order is None:
                order = self._linker.bracket_child(row, guess=True)
            report = self._reports.fill_report(
                row,
                instrument,
                client_order_id=order.client_order_id if order else None,
            )
            if order is None:
                if self._fill_ids.first_time(row.tradeId):
                    self._events.fill_report(report)
                continue
            self._emitter.filled(order, report)

    # -- watchdog ----------------------------------------------------------------------------------

    async def run_watchdog(self) -> None:
        """Run the open-order watchdog every ``watchdog_interval_secs`` until cancelled."""
        while True:
            await asyncio.sleep(self._timings.watchdog_interval_secs)
            try:
                await self.watchdog()
            except BitgetError as e:
                self._log.warning(f"Order watchdog: {e}")

    async def watchdog(self) -> None:
        """
        Catch up on pushes the venue lost without a reconnect (bitget-protocol.md 9.2).

        Open orders quiet for a watchdog interval are compared with ``orders-pending`` (one
        request per product type): more filled there -> REST fills backfilled (deduplicated by
        tradeId); missing there -> order detail (filled/canceled) applied. Plans missing from the
        plan list are looked up in the plan history.
        """
        stale_before = self._clock.timestamp_ns() - int(self._timings.watchdog_interval_secs * 1e9)
        stale: dict[str, list[Any]] = {}
        for order in self._cache.orders_open(venue=BITGET_VENUE):
            if self._watched(order) and order.ts_last <= stale_before:
                product_type = infer_product_type(order.instrument_id).value
                stale.setdefault(product_type, []).append(order)
        changed = False
        async with self._lock:
            try:
                for product_type, orders in stale.items():
                    changed |= await self._watch_product(product_type, orders)
            finally:
                self.mark_closed()
        if changed:
            await self._account.refresh()

    def mark_closed(self) -> None:
        """
        Mark orders the cache closed (or no longer holds) as closed in the registry.

        Orders normally close through our own events; this covers the ones the engine closed
        from reports, so their per-order state is pruned past the retention window too.
        """
        for coid in self._orders.unclosed():
            order = self._cache.order(coid)
            if order is None or order.is_closed:
                self._orders.closed.add(coid)

    def _watched(self, order: Order) -> bool:
        """Whether an open order is compared with the venue (ours, working, not a child)."""
        return not (
            self._orders.is_closed(order)
            or order.client_order_id in self._orders.bracket_parent
            or self._orders.venue_order_id(order) is None
        )

    async def _watch_product(self, product_type: str, orders: list[Order]) -> bool:
        """Bring watched orders of a product type to the venue's state; return if any changed."""
        changed = False
        plans = [o for o in orders if is_live_plan(o)]
        normal = [o for o in orders if not is_live_plan(o)]
        if normal:
            pending = {r.orderId: r for r in await self._api.open_orders(product_type)}
            for order in normal:
                changed |= await self._watch_order(order, pending)
        if plans:
            changed |= await self._watch_plans(product_type, plans)
        return changed

    async def _watch_order(self, order: Order, pending: dict[str, Any]) -> bool:
        coid: ClientOrderId = order.client_order_id
        instrument = self._cache.instrument(order.instrument_id)
        venue_id = self._venue_id(order)
        row = pending.get(venue_id)
        if row is not None:
            filled = px.dec(row.baseVolume) or Decimal(0)
            if filled <= self._orders.filled_qty(coid):
                return False
            await self._resolver.backfill_fills(order, venue_id, instrument)
            return True
        try:
            route = self._routes.route(instrument)
            detail = await self._api.order_detail(route, order_id=venue_id)
        except BitgetOrderNotFoundError:
            return False
        if detail is None:
            return False
        await self._resolver.apply_detail(order, detail, instrument)
        return True

    async def _watch_plans(self, product_type: str, plans: list[Order]) -> bool:
        """Compare trigger plans and TP/SL plans with their own listings (5.11, -uta.md 3.8)."""
        listings: dict[str, list[Order]] = {}
        for order in plans:
            listing = self._orders.plan_listing(order.client_order_id)
            listings.setdefault(listing, []).append(order)
        changed = False
        for listing, orders in listings.items():
            changed |= await self._watch_listing(product_type, orders, listing)
        return changed

    async def _watch_listing(self, product_type: str, plans: list[Order], listing: str) -> bool:
        live_rows = await self._plan_rows.fetch(
            product_type, None, history=False, plan_type=listing
        )
        live = {r.orderId for r in live_rows}
        missing = [o for o in plans if self._venue_id(o) not in live]
        if not missing:
            return False
        history_rows = await self._plan_rows.fetch(
            product_type, None, history=True, plan_type=listing
        )
        history = {r.orderId: r for r in history_rows}
        changed = False
        unnamed_since: int | None = None  # executed plans without executeOrderId
        for order in missing:
            row = history.get(self._venue_id(order))
            if row is None:
                continue
            instrument = self._cache.instrument(order.instrument_id)
            self._resolver.apply_plan_row(order, row)
            if row.executeOrderId:
                detail = await self._api.order_detail(
                    self._routes.route(instrument),
                    order_id=row.executeOrderId,
                )
                if detail is not None:
                    await self._resolver.apply_detail(order, detail, instrument)
            elif row.planStatus in ("executed", "triggered"):
                ts = px.ms_to_ns(row.uTime) // 1_000_000 or self._session.connected_ms
                unnamed_since = min(ts, unnamed_since or ts)
            changed = True
        if unnamed_since is not None:
            # v3 (bitget-protocol-uta.md 3.8): the spawned order is found through its fills
            await self._apply_fill_rows(product_type, unnamed_since - OVERLAP_MS)
        return changed

    def _venue_id(self, order: Order) -> str:
        vid = self._orders.venue_order_id(order)
        return vid.value if vid is not None else ""
