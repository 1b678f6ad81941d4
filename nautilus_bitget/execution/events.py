"""Order rows and fills -> Nautilus order events (identity, dedupe, triggers)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from nautilus_trader.execution.reports import FillReport
from nautilus_trader.model.enums import OrderSide
from nautilus_trader.model.enums import OrderStatus
from nautilus_trader.model.enums import OrderType
from nautilus_trader.model.identifiers import PositionId
from nautilus_trader.model.identifiers import VenueOrderId

from nautilus_bitget.parsing import execution as px
from nautilus_bitget.schemas.ws_private import BitgetWsAlgoOrder
from nautilus_bitget.schemas.ws_private import BitgetWsFill
from nautilus_bitget.schemas.ws_private import BitgetWsOrder


class OrderEventsMixin:
    """Map order/fill/algo rows to Nautilus order events (identity, state, fill dedupe)."""

    def _ensure_accepted(self, order: Any, venue_order_id: str, ts_event: int) -> None:
        coid = order.client_order_id
        if coid in self._orders.accepted:
            return
        self._orders.accepted.add(coid)
        self._orders.coid_by_venue_id[venue_order_id] = coid
        self._orders.venue_id.setdefault(coid, VenueOrderId(venue_order_id))
        if order.status in (OrderStatus.SUBMITTED, OrderStatus.INITIALIZED):
            self.generate_order_accepted(
                order.strategy_id,
                order.instrument_id,
                coid,
                VenueOrderId(venue_order_id),
                ts_event,
            )
        self._accept_bracket_children(order, venue_order_id, ts_event)

    def _relink(self, order: Any, venue_order_id: str, ts_event: int) -> None:
        """Emit ``OrderUpdated`` when a venue order id replaces the order's current one."""
        self._orders.coid_by_venue_id[venue_order_id] = order.client_order_id
        current = self._orders.venue_order_id(order)
        if current is None or current.value == venue_order_id:
            return
        self._orders.venue_id[order.client_order_id] = VenueOrderId(venue_order_id)
        self.generate_order_updated(
            order.strategy_id,
            order.instrument_id,
            order.client_order_id,
            VenueOrderId(venue_order_id),
            order.quantity,
            order.price if order.has_price else None,
            order.trigger_price if order.has_trigger_price else None,
            ts_event,
            venue_order_id_modified=True,
        )

    def _on_order_row(self, row: BitgetWsOrder) -> None:
        venue_coid = px.client_oid_of(row)
        order_id = row.orderId
        coid = self._lookup.client_order_id(venue_coid, order_id)
        if coid is None:
            coid = self._link_triggered_child(row)
        if coid is None:
            child = self._bracket_child_for_fill(row)
            if child is None and self._is_bracket_close(row):
                self._defer_bracket_row(self._on_order_row, row)
                return
            coid = child.client_order_id if child is not None else None
        order = self._cache.order(coid) if coid is not None else None
        ts_event = px.ms_to_ns(row.uTime, self._clock.timestamp_ns())
        if order is None:
            self._on_external_order(row)
            return
        if order_id in self._orders.replaced_ids:
            # The old order of a modify: its cancel push is not a Nautilus cancel (5.7).
            if row.tradeId:
                self._on_fill(order, row, side_is_direction=False)
            return
        status = row.status
        alias_coid = self._orders.pending_modify.pop(venue_coid, None)
        if alias_coid is not None:
            self._ensure_accepted(order, order_id, ts_event)
            self._orders.coid_by_venue_id[order_id] = coid
            instrument = self._cache.instrument(order.instrument_id)
            self._orders.venue_id[coid] = VenueOrderId(order_id)
            self._orders.qty[coid] = px.dec(row.size) or self._orders.quantity(order)
            self.generate_order_updated(
                order.strategy_id,
                order.instrument_id,
                coid,
                VenueOrderId(order_id),
                instrument.make_qty(px.dec(row.size)),
                instrument.make_price(px.dec(row.price)) if order.has_price else None,
                None,
                ts_event,
                venue_order_id_modified=True,
            )
            order = self._cache.order(coid)
        elif coid not in self._orders.accepted:
            self._ensure_accepted(order, order_id, ts_event)
        elif (vid := self._orders.venue_order_id(order)) is not None and vid.value != order_id:
            self._mark_triggered(order, ts_event)
            self._relink(self._cache.order(coid), order_id, ts_event)
            order = self._cache.order(coid)
        if row.tradeId:
            self._on_fill(order, row, side_is_direction=False)
        if status in ("canceled", "cancelled") and not self._orders.is_closed(order):
            if (
                order.is_post_only
                and coid not in self._orders.cancel_requested
                and not self._orders.filled.get(coid)
            ):
                # bitget-protocol.md 9.2: a post-only order that would take is killed (live ->
                # canceled); Nautilus reports that as a post-only rejection (as in backtest).
                self._orders.closed.add(coid)
                self.generate_order_rejected(
                    order.strategy_id,
                    order.instrument_id,
                    coid,
                    "post-only order would have taken liquidity (canceled by Bitget)",
                    ts_event,
                    due_post_only=True,
                )
                return
            self._emit_canceled(order, ts_event)

    def _mark_triggered(self, order: Any, ts_event: int) -> None:
        """Emit ``OrderTriggered`` once for limit-type trigger orders whose plan fired."""
        coid = order.client_order_id
        self._orders.linked_plans.add(coid)
        if coid in self._orders.triggered_sent or self._orders.is_closed(order):
            return
        if order.order_type in (OrderType.STOP_LIMIT, OrderType.LIMIT_IF_TOUCHED):
            self._orders.triggered_sent.add(coid)
            self.generate_order_triggered(
                order.strategy_id,
                order.instrument_id,
                order.client_order_id,
                self._orders.venue_order_id(order),
                ts_event,
            )

    def _emit_canceled(self, order: Any, ts_event: int) -> None:
        if self._orders.is_closed(order):
            return
        self.generate_order_canceled(
            order.strategy_id,
            order.instrument_id,
            order.client_order_id,
            self._orders.venue_order_id(order),
            ts_event,
        )
        self._orders.closed.add(order.client_order_id)
        children = self._orders.brackets.get(order.client_order_id)
        if children and not self._orders.filled.get(order.client_order_id):
            for child_coid in children:
                child = self._cache.order(child_coid) if child_coid else None
                if child is not None and not self._orders.is_closed(child):
                    self._emit_canceled(child, ts_event)

    def _on_fill_row(self, row: BitgetWsFill) -> None:
        if self._fill_ids.seen(row.tradeId):
            return
        coid = self._lookup.client_order_id(px.client_oid_of(row), row.orderId)
        order = self._cache.order(coid) if coid is not None else None
        if order is None:
            order = self._link_triggered_child_by_fill(row)
        if order is None:
            order = self._bracket_child_for_fill(row)
            if order is None and self._is_bracket_close(row):
                self._defer_bracket_row(self._on_fill_row, row)
                return
        if order is None:
            # The orders push (which links spawned/unknown orders) may still be on its way.
            self._loop.call_later(1.0, self._on_unresolved_fill, row)
            return
        self._on_fill(order, row, side_is_direction=True)

    def _on_unresolved_fill(self, row: BitgetWsFill) -> None:
        if self._fill_ids.seen(row.tradeId):
            return
        coid = self._lookup.client_order_id(px.client_oid_of(row), row.orderId)
        order = self._cache.order(coid) if coid is not None else None
        if order is None:
            instrument = self._lookup.instrument_for_symbol(row.symbol)
            if instrument is None:
                return
            if self._fill_ids.first_time(row.tradeId):
                report = self._reports.fill_report(row, instrument, side_is_direction=True)
                self._events.fill_report(report)
            return
        self._on_fill(order, row, side_is_direction=True)

    def _on_fill(self, order: Any, row: Any, *, side_is_direction: bool) -> None:
        trade_id = row.tradeId
        if self._fill_ids.seen(trade_id):
            return
        instrument = self._cache.instrument(order.instrument_id)
        if instrument is None:
            return
        report = self._reports.fill_report(
            row,
            instrument,
            client_order_id=order.client_order_id,
            side_is_direction=side_is_direction,
        )
        self._apply_fill(order, report)

    def _apply_fill(self, order: Any, report: FillReport) -> None:
        """Emit ``OrderFilled`` for a cached order from a fill report (dedupe by tradeId)."""
        if not self._fill_ids.first_time(report.trade_id.value):
            return
        coid = order.client_order_id
        if self._orders.filled.get(coid, Decimal(0)) >= self._orders.quantity(order):
            self._log.warning(f"Fill {report.trade_id} for filled {coid}")
            return
        venue_id = report.venue_order_id.value
        self._ensure_accepted(order, venue_id, report.ts_event)
        order = self._cache.order(order.client_order_id)
        if (vid := self._orders.venue_order_id(order)) is not None and vid.value != venue_id:
            self._relink(order, venue_id, report.ts_event)
        venue_position_id = report.venue_position_id
        if self._hedge and self._use_position_ids and venue_position_id is None:
            venue_position_id = self._hedge_position_id(order)
        self.generate_order_filled(
            order.strategy_id,
            order.instrument_id,
            order.client_order_id,
            report.venue_order_id,
            venue_position_id,
            report.trade_id,
            order.side,
            order.order_type,
            report.last_qty,
            report.last_px,
            self._cache.instrument(order.instrument_id).quote_currency,
            report.commission,
            report.liquidity_side,
            report.ts_event,
        )
        filled = self._orders.filled.get(coid, Decimal(0)) + report.last_qty.as_decimal()
        self._orders.filled[coid] = filled
        if filled >= self._orders.quantity(order):
            self._orders.closed.add(coid)
        self._after_fill(order)

    def _hedge_position_id(self, order: Any) -> PositionId:
        # Opening BUY / closing SELL act on the long; the rest on the short.
        close = order.is_reduce_only or order.client_order_id in self._orders.close_orders
        long_side = (order.side == OrderSide.BUY) != close
        return PositionId(f"{order.instrument_id}-{'LONG' if long_side else 'SHORT'}")

    def _on_external_order(self, row: BitgetWsOrder) -> None:
        instrument = self._lookup.instrument_for_symbol(row.instId)
        if instrument is None:
            return
        report = self._reports.pushed_order_report(row, instrument)
        self._events.order_status_report(report)
        if row.tradeId and self._fill_ids.first_time(row.tradeId):
            fill = self._reports.fill_report(
                row, instrument, client_order_id=report.client_order_id
            )
            self._events.fill_report(fill)

    def _on_algo_row(self, row: BitgetWsAlgoOrder) -> None:
        ts_event = px.ms_to_ns(row.uTime, self._clock.timestamp_ns())
        if row.planType in ("tp", "sl", "ptp", "psl", "profit_plan", "loss_plan"):
            self._on_bracket_algo(row, ts_event)
            return
        coid = self._lookup.client_order_id(px.client_oid_of(row), row.orderId)
        order = self._cache.order(coid) if coid is not None else None
        if order is None:
            return
        status = row.status
        if status == "live":
            self._ensure_accepted(order, row.orderId, ts_event)
        elif status in ("executed", "executing", "triggered"):
            self._ensure_accepted(order, row.orderId, ts_event)
            self._await_spawned_order(self._cache.order(coid), row.instId, ts_event)
        elif status in ("cancelled", "canceled"):
            self._ensure_accepted(order, row.orderId, ts_event)
            self._emit_canceled(self._cache.order(coid), ts_event)
        elif status == "fail_execute" and not self._orders.is_closed(order):
            self._ensure_accepted(order, row.orderId, ts_event)
            self._emit_canceled(self._cache.order(coid), ts_event)
