"""Lost-push recovery: REST backfill after reconnect and the open-order watchdog."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

from nautilus_trader.execution.messages import GenerateOrderStatusReport

from nautilus_bitget.common.errors import BitgetError
from nautilus_bitget.common.errors import BitgetOrderNotFoundError
from nautilus_bitget.common.symbol import infer_product_type
from nautilus_bitget.constants import BITGET_VENUE
from nautilus_bitget.execution.common import is_live_plan
from nautilus_bitget.execution.common import new_uuid
from nautilus_bitget.parsing import execution as px


class ReconcileMixin:
    """Backfill orders/fills/positions after a reconnect; watchdog for quiet open orders."""

    async def backfill(self, since_ms: int) -> None:
        """
        Reconcile cached orders with the venue after a private-socket gap.

        Fills since ``since_ms`` (deduplicated by tradeId), then the state of every cached
        open order (pending list, else detail), then positions and balances.
        """
        async with self._backfill_lock:
            try:
                await self._backfill(since_ms)
            except BitgetError as e:
                self._log.error(f"Backfill after reconnect failed: {e}")

    async def _backfill(self, since_ms: int) -> None:
        # 1. Our open orders first: their state, their fills, and the orders spawned by plans
        #    that triggered during the gap (plan history executeOrderId), so that step 2 can
        #    attribute every fill.
        by_product: dict[str, list[Any]] = {}
        for order in self._cache.orders_open(venue=BITGET_VENUE):
            if (
                self._orders.is_closed(order)
                or order.client_order_id in self._orders.bracket_parent
            ):
                continue
            if self._orders.venue_order_id(order) is None:
                continue
            product_type = infer_product_type(order.instrument_id).value
            by_product.setdefault(product_type, []).append(order)
        for product_type, orders in by_product.items():
            await self._watch_product(product_type, orders)
        for order in self._cache.orders_inflight(venue=BITGET_VENUE):
            if self._orders.is_closed(order) or self._orders.venue_order_id(order) is not None:
                continue
            report = await self.generate_order_status_report(
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
                await self._resolver.apply_status_report(
                    self._cache.order(order.client_order_id), report
                )
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
            coid = self._lookup.client_order_id(px.client_oid_of(row), row.orderId)
            order = self._cache.order(coid) if coid is not None else None
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

    async def _watchdog_loop(self) -> None:
        while True:
            await asyncio.sleep(self.watchdog_interval_secs)
            try:
                await self._watchdog()
            except BitgetError as e:
                self._log.warning(f"Order watchdog: {e}")

    async def _watchdog(self) -> None:
        """
        Catch up on pushes the venue lost without a reconnect (bitget-protocol.md 9.2).

        Open orders quiet for a watchdog interval are compared with ``orders-pending`` (one
        request per product type): more filled there -> REST fills backfilled (deduplicated by
        tradeId); missing there -> order detail (filled/canceled) applied. Plans missing from the
        plan list are looked up in the plan history.
        """
        stale_before = self._clock.timestamp_ns() - int(self.watchdog_interval_secs * 1e9)
        stale: dict[str, list[Any]] = {}
        for order in self._cache.orders_open(venue=BITGET_VENUE):
            if (
                self._orders.is_closed(order)
                or order.client_order_id in self._orders.bracket_parent
                or self._orders.venue_order_id(order) is None
                or order.ts_last > stale_before
            ):
                continue
            product_type = infer_product_type(order.instrument_id).value
            stale.setdefault(product_type, []).append(order)
        changed = False
        async with self._backfill_lock:
            for product_type, orders in stale.items():
                changed |= await self._watch_product(product_type, orders)
        if changed:
            await self._account.refresh()

    async def _watch_product(self, product_type: str, orders: list[Any]) -> bool:
        changed = False
        plans = [o for o in orders if is_live_plan(o)]
        normal = [o for o in orders if not is_live_plan(o)]
        if normal:
            pending = {r.orderId: r for r in await self._api.open_orders(product_type)}
            for order in normal:
                coid = order.client_order_id
                instrument = self._cache.instrument(order.instrument_id)
                venue_id = self._orders.venue_order_id(order).value
                row = pending.get(venue_id)
                if row is not None:
                    filled = px.dec(row.baseVolume) or Decimal(0)
                    if filled > self._orders.filled.get(coid, Decimal(0)):
                        await self._resolver.backfill_fills(order, venue_id, instrument)
                        changed = True
                    continue
                try:
                    detail = await self._api.order_detail(
                        self._routes.route(instrument), order_id=venue_id
                    )
                except BitgetOrderNotFoundError:
                    continue
                if detail is not None:
                    await self._resolver.apply_detail(order, detail, instrument)
                    changed = True
        if plans:
            live = {
                r.orderId for r in await self._plan_rows.fetch(product_type, None, history=False)
            }
            missing = [o for o in plans if self._orders.venue_order_id(o).value not in live]
            if missing:
                history = {
                    r.orderId: r
                    for r in await self._plan_rows.fetch(product_type, None, history=True)
                }
                unnamed_since: int | None = None  # executed plans without executeOrderId
                for order in missing:
                    row = history.get(self._orders.venue_order_id(order).value)
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
                    # v3 (3.8): the spawned order is found through its fills
                    await self._apply_fill_rows(product_type, unnamed_since - 5_000)
        return changed
