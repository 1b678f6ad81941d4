"""Unknown-outcome resolution: query an order by clientOid and emit its true state."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

from nautilus_bitget.common.errors import BitgetError
from nautilus_bitget.common.errors import BitgetOrderNotFoundError
from nautilus_bitget.common.orders import PLAN_ORDER_TYPES
from nautilus_bitget.parsing import execution as px


class OutcomeMixin:
    """Resolve submits with an unknown outcome from the venue's order detail and fills."""

    async def _resolve_unknown(self, order: Any, is_plan: bool) -> None:
        """Find out whether an order whose request outcome is unknown exists (never re-send)."""
        instrument = self._cache.instrument(order.instrument_id)
        symbol, product_type, _ = self._routes.route(instrument)
        coid = order.client_order_id
        for attempt in range(self.unknown_outcome_retries):
            await asyncio.sleep(self.unknown_outcome_delay_secs * (attempt + 1))
            order = self._cache.order(coid)
            if order is None or self._orders.is_closed(order) or coid in self._orders.accepted:
                return  # a push already told us
            try:
                if is_plan:
                    rows = await self._plan_rows.fetch(product_type, symbol, history=False)
                    rows += await self._plan_rows.fetch(product_type, symbol, history=True)
                    match = [r for r in rows if px.client_oid_of(r) == coid.value]
                    if match:
                        self._apply_plan_report(order, match[0], instrument)
                        return
                    continue
                detail = await self._api.order_detail(
                    self._routes.route(instrument), client_oid=coid.value
                )
            except BitgetOrderNotFoundError:
                continue
            except BitgetError as e:
                self._log.warning(f"Query {coid} after unknown outcome failed: {e}")
                continue
            if detail is not None:
                await self._apply_detail(order, detail, instrument)
                return
        order = self._cache.order(coid)
        if (
            order is not None
            and not self._orders.is_closed(order)
            and coid not in self._orders.accepted
        ):
            self._log.warning(f"{coid} not found at the venue after unknown outcome: rejected")
            self._emitter.rejected(order, "order not found at Bitget after a timeout/5xx on submit")

    async def _apply_detail(self, order: Any, detail: Any, instrument: Any) -> None:
        """Bring a cached order to the state of a REST order row (fills via REST, deduped)."""
        coid = order.client_order_id
        ts = px.ms_to_ns(detail.uTime, self._clock.timestamp_ns())
        self._emitter.accepted(order, detail.orderId, ts)
        order = self._cache.order(coid)
        if (vid := self._orders.venue_order_id(order)) is not None and vid.value != detail.orderId:
            if order.order_type in PLAN_ORDER_TYPES:
                self._emitter.triggered(order, ts)
            self._emitter.relinked(self._cache.order(coid), detail.orderId, ts)
        filled = px.dec(detail.baseVolume) or Decimal(0)
        if filled > self._orders.filled.get(coid, Decimal(0)):
            await self._backfill_order_fills(order, detail.orderId, instrument)
        state = detail.state or detail.status
        order = self._cache.order(coid)
        if state in ("canceled", "cancelled"):
            self._emitter.canceled(order, ts)

    async def _backfill_order_fills(self, order: Any, order_id: str, instrument: Any) -> None:
        _, product_type, _ = self._routes.route(instrument)
        fills = await self._api.fills(product_type, order_id=order_id)
        for row in sorted(fills, key=lambda r: px.ms_to_ns(r.cTime)):
            if self._fill_ids.seen(row.tradeId):
                continue
            report = self._reports.fill_report(
                row,
                instrument,
                client_order_id=order.client_order_id,
            )
            self._emitter.filled(self._cache.order(order.client_order_id), report)

    def _apply_plan_report(self, order: Any, row: Any, instrument: Any) -> None:
        ts = px.ms_to_ns(row.uTime, self._clock.timestamp_ns())
        self._emitter.accepted(order, row.orderId, ts)
        status = row.planStatus
        if status in ("cancelled", "canceled", "fail_execute"):
            self._emitter.canceled(self._cache.order(order.client_order_id), ts)
        elif status in ("executed", "triggered") and row.executeOrderId:
            self._orders.coid_by_venue_id[row.executeOrderId] = order.client_order_id
            self._orders.linked_plans.add(order.client_order_id)
        elif status in ("executed", "triggered"):
            # v3 history-strategy-orders (bitget-protocol-uta.md 3.8) names no spawned order: wait
            # for it like after an "executed" push (linked by symbol / side, or by its fills)
            self._emitter.plan_fired(order, row.symbol, ts)
