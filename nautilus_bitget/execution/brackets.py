"""Brackets (entry + venue TP/SL) and triggered-plan linking."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from nautilus_trader.execution.messages import SubmitOrderList
from nautilus_trader.model.enums import OrderStatus
from nautilus_trader.model.enums import OrderType
from nautilus_trader.model.identifiers import ClientOrderId

from nautilus_bitget.common.errors import BitgetError
from nautilus_bitget.common.orders import PLAN_ORDER_TYPES
from nautilus_bitget.common.orders import BitgetOrderDenied
from nautilus_bitget.common.orders import client_oid_error
from nautilus_bitget.common.symbol import instrument_id_for_symbol
from nautilus_bitget.execution.common import text_lower
from nautilus_bitget.parsing import execution as px


class BracketMixin:
    """Submit brackets; link venue TP/SL plans and triggered plan orders to Nautilus orders."""

    def _link_triggered_child(self, row: Any) -> ClientOrderId | None:
        """Link a new venue order to the plan that spawned it (same symbol, side and size)."""
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
            if order.side == direction and (size is None or size == order.quantity.as_decimal()):
                pending = self._orders.triggered_plans.get(row.instId)
                if pending and coid in pending:
                    pending.remove(coid)
                self._orders.linked_plans.add(coid)
                self._orders.coid_by_venue_id[row.orderId] = coid
                return coid
        return None

    def _is_bracket_close(self, row: Any) -> bool:
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
            c is not None
            and (o := self._cache.order(c)) is not None
            and not self._orders.is_closed(o)
            for c in children
        )

    def _bracket_child_for_fill(self, row: Any, *, guess: bool = False) -> Any:
        """
        Map the order spawned by a venue TP/SL (bracket child) to the child.

        Exact when the ``orders-algo`` ``executed`` push (OCO: only one child executes) or the
        plan history ``executeOrderId`` is known; ``guess`` falls back to the child whose
        trigger is nearest the fill price (both sources lost).
        """
        if not self._is_bracket_close(row):
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

        def distance(child: Any) -> Decimal:
            ref = child.trigger_price if child.has_trigger_price else child.price
            return abs(ref.as_decimal() - fill_px)

        child = min(candidates, key=distance)
        self._log.warning(
            f"TP/SL execution {order_id} attributed by price: {child.client_order_id}"
        )
        self._orders.coid_by_venue_id[order_id] = child.client_order_id
        return child

    def _defer_bracket_row(self, handler: Any, row: Any) -> None:
        """Hold a TP/SL execution until the plan that fired is known (algo push or REST)."""
        first = not self._orders.bracket_deferred
        self._orders.bracket_deferred.append((handler, row))
        if first:
            self._loop.call_later(self.bracket_link_wait_secs, self._bracket_link_timeout)

    def _replay_bracket_rows(self) -> None:
        rows, self._orders.bracket_deferred = self._orders.bracket_deferred, []
        for handler, row in rows:
            handler(row)

    def _bracket_link_timeout(self) -> None:
        if self._orders.bracket_deferred:
            self.create_task(self._resolve_bracket_rows(), log_msg="bracket link")

    async def _resolve_bracket_rows(self) -> None:
        """Link deferred TP/SL executions by the plan history's ``executeOrderId``."""
        for product_type in self._routes.product_types:
            try:
                await self._refresh_bracket_links(product_type)
            except BitgetError as e:
                self._log.warning(f"TP/SL plan history query failed: {e}")
        rows, self._orders.bracket_deferred = self._orders.bracket_deferred, []
        for _, row in rows:
            self._bracket_child_for_fill(row, guess=True)
        for handler, row in rows:
            handler(row)

    async def _refresh_bracket_links(self, product_type: str) -> None:
        if not self._orders.bracket_active:
            return
        history = await self._plan_rows.fetch(
            product_type, None, history=True, plan_type="profit_loss"
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

    def _on_bracket_algo(self, row: Any, ts_event: int) -> None:
        entry_coid = self._orders.bracket_active.get(row.instId)
        if entry_coid is None:
            return
        tp_coid, sl_coid = self._orders.brackets.get(entry_coid, (None, None))
        is_tp = row.planType in ("tp", "ptp", "profit_plan", "pos_profit")
        coid = tp_coid if is_tp else sl_coid
        child = self._cache.order(coid) if coid else None
        if child is None:
            return
        self._orders.coid_by_venue_id[row.orderId] = coid
        plan_type = "profit_plan" if is_tp else "loss_plan"
        self._orders.bracket_plans[coid] = (row.orderId, plan_type)
        self._orders.bracket_plan_coid[row.orderId] = coid
        if row.status == "live" and coid in self._orders.cancel_requested:
            # The user canceled this child before the entry filled: remove the venue TP/SL now.
            self.create_task(self._cancel_venue_tpsl(child, row.orderId, plan_type))
        if row.status in ("executed", "executing", "triggered"):
            self._orders.bracket_triggered[row.instId] = coid
            if self._orders.bracket_deferred:
                self._replay_bracket_rows()
        if row.status in ("cancelled", "canceled"):
            # The sibling executed (OCO) or the position closed elsewhere.
            if not self._orders.is_closed(child) and not self._orders.filled.get(
                child.client_order_id
            ):
                self._emitter.canceled(child, ts_event)

    @staticmethod
    def _bracket_parts(orders: list[Any]) -> tuple[Any, Any, Any]:
        if len(orders) not in (2, 3):
            return None, None, None
        entry = orders[0]
        children = orders[1:]
        if not all(c.parent_order_id == entry.client_order_id for c in children):
            return None, None, None
        tp = sl = None
        for child in children:
            if child.order_type in (OrderType.LIMIT, OrderType.LIMIT_IF_TOUCHED):
                tp = child
            elif child.order_type in (OrderType.STOP_MARKET, OrderType.STOP_LIMIT):
                sl = child
            else:
                return None, None, None
        return entry, tp, sl

    async def _submit_bracket(self, command: SubmitOrderList, entry: Any, tp: Any, sl: Any) -> None:
        tp_px = str(tp.trigger_price if tp.has_trigger_price else tp.price) if tp else None
        sl_px = str(sl.trigger_price) if sl else None
        children = [c for c in (tp, sl) if c is not None]
        try:
            for child in children:
                error = client_oid_error(child.client_order_id.value)
                if error is not None:
                    raise BitgetOrderDenied(error)
            is_plan, body = self._prepare(entry, command.position_id, tp_px, sl_px)
        except BitgetOrderDenied as e:
            for order in (entry, *children):
                self._emitter.denied(order, str(e))
            return
        self._orders.brackets[entry.client_order_id] = (
            tp.client_order_id if tp else None,
            sl.client_order_id if sl else None,
        )
        for child in children:
            self._orders.bracket_parent[child.client_order_id] = entry.client_order_id
            self._orders.close_orders.add(child.client_order_id)
        for order in (entry, *children):
            self._emitter.submitted(order)
        await self._send_place(entry, is_plan, body)
        entry = self._cache.order(entry.client_order_id)
        if entry.status == OrderStatus.REJECTED:
            for child in children:
                self._emitter.rejected(child, "bracket entry rejected")
