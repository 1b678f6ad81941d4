"""``OrderEventEmitter``: our orders' venue rows and outcomes -> Nautilus order events."""

from __future__ import annotations

from typing import Any

from nautilus_trader.cache.cache import Cache
from nautilus_trader.common.component import LiveClock
from nautilus_trader.execution.reports import FillReport
from nautilus_trader.model.enums import OrderSide
from nautilus_trader.model.enums import OrderStatus
from nautilus_trader.model.enums import OrderType
from nautilus_trader.model.identifiers import PositionId
from nautilus_trader.model.identifiers import VenueOrderId
from nautilus_trader.model.orders import Order

from nautilus_bitget.common.errors import BitgetError
from nautilus_bitget.common.errors import BitgetPositionModeError
from nautilus_bitget.execution.common import POST_ONLY_CODES
from nautilus_bitget.execution.dedupe import Deduplicator
from nautilus_bitget.execution.generators import EventGenerators
from nautilus_bitget.execution.registry import OrderRegistry
from nautilus_bitget.execution.reports import ReportBuilder
from nautilus_bitget.parsing import execution as px


CANCELED = ("canceled", "cancelled")
PLAN_FIRED = ("executed", "executing", "triggered")


class OrderEventEmitter:
    """
    Emit the Nautilus events of our orders through the client's ``generate_*`` methods.

    Each event is emitted once: what was emitted is recorded in the ``OrderRegistry`` (the
    engine applies events asynchronously, so the cache can lag), fills are de-duplicated by
    trade id. Brackets follow their entry here: children are accepted with it, canceled with an
    unfilled entry, and the sibling of a filled child is canceled (OCO).

    Parameters
    ----------
    registry : OrderRegistry
        Per-order state.
    fill_ids : Deduplicator
        Trade ids already applied.
    reports : ReportBuilder
        Fill rows -> ``FillReport``.
    cache : Cache
        Orders and instruments.
    clock : LiveClock
        Event timestamps.
    events : EventGenerators
        The client's event generators.
    hedge : bool
        Whether the account is in hedge mode.
    use_position_ids : bool
        Whether fills carry venue position ids (``<instrument_id>-LONG``/``-SHORT``).
    log : Logger
        The client's logger.

    """

    def __init__(
        self,
        registry: OrderRegistry,
        fill_ids: Deduplicator,
        reports: ReportBuilder,
        cache: Cache,
        clock: LiveClock,
        events: EventGenerators,
        *,
        hedge: bool,
        use_position_ids: bool,
        log: Any,
    ) -> None:
        self._orders = registry
        self._fill_ids = fill_ids
        self._reports = reports
        self._cache = cache
        self._clock = clock
        self._events = events
        self._hedge = hedge
        self._use_position_ids = use_position_ids
        self._log = log

    # -- submission outcomes -----------------------------------------------------------------------

    def submitted(self, order: Order) -> None:
        """Emit ``OrderSubmitted`` (the request is about to be sent)."""
        self._events.order_submitted(
            order.strategy_id,
            order.instrument_id,
            order.client_order_id,
            self._clock.timestamp_ns(),
        )

    def denied(self, order: Order, reason: str) -> None:
        """Emit ``OrderDenied``: the order cannot be expressed on Bitget (nothing was sent)."""
        self._events.order_denied(
            order.strategy_id,
            order.instrument_id,
            order.client_order_id,
            reason,
            self._clock.timestamp_ns(),
        )

    def rejected(self, order: Order, reason: str, *, due_post_only: bool = False) -> None:
        """Emit ``OrderRejected`` and close the order."""
        self._orders.closed.add(order.client_order_id)
        self._events.order_rejected(
            order.strategy_id,
            order.instrument_id,
            order.client_order_id,
            reason,
            self._clock.timestamp_ns(),
            due_post_only=due_post_only,
        )

    def rejected_by_venue(self, order: Order, error: BitgetError) -> None:
        """Emit ``OrderRejected`` for a place request the venue refused."""
        reason = f"{error.code}: {error.message}" if error.code else error.message
        if isinstance(error, BitgetPositionModeError):
            reason += (
                f" (account position mode and order shape disagree; client sends "
                f"{'hedge' if self._hedge else 'one-way'} orders)"
            )
        post_only = order.is_post_only and (error.code in POST_ONLY_CODES)
        self.rejected(order, reason, due_post_only=post_only)

    def accepted(self, order: Order, venue_order_id: str, ts_event: int) -> None:
        """Emit ``OrderAccepted`` once (REST ack, push or query, whichever comes first)."""
        coid = order.client_order_id
        if coid in self._orders.accepted:
            return
        self._orders.accepted.add(coid)
        self._orders.coid_by_venue_id[venue_order_id] = coid
        self._orders.venue_id.setdefault(coid, VenueOrderId(venue_order_id))
        if order.status in (OrderStatus.SUBMITTED, OrderStatus.INITIALIZED):
            self._events.order_accepted(
                order.strategy_id,
                order.instrument_id,
                coid,
                VenueOrderId(venue_order_id),
                ts_event,
            )
        self._accept_bracket_children(order, venue_order_id, ts_event)

    # -- changes of a working order ----------------------------------------------------------------

    def relinked(self, order: Order, venue_order_id: str, ts_event: int) -> None:
        """Emit ``OrderUpdated`` when a venue order id replaces the order's current one."""
        self._orders.coid_by_venue_id[venue_order_id] = order.client_order_id
        current = self._orders.venue_order_id(order)
        if current is None or current.value == venue_order_id:
            return
        self._orders.venue_id[order.client_order_id] = VenueOrderId(venue_order_id)
        self._events.order_updated(
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

    def updated(
        self,
        order: Order,
        quantity: Any,
        price: Any,
        trigger_price: Any,
        *,
        venue_order_id: VenueOrderId | None = None,
        ts_event: int | None = None,
    ) -> None:
        """Emit ``OrderUpdated`` (a modify took effect); a new venue order id is recorded."""
        venue_id = venue_order_id or self._orders.venue_order_id(order)
        if venue_order_id is not None:
            self._orders.venue_id[order.client_order_id] = venue_order_id
            self._orders.coid_by_venue_id[venue_order_id.value] = order.client_order_id
        self._events.order_updated(
            order.strategy_id,
            order.instrument_id,
            order.client_order_id,
            venue_id,
            quantity,
            price,
            trigger_price,
            ts_event if ts_event is not None else self._clock.timestamp_ns(),
            venue_order_id_modified=venue_order_id is not None,
        )

    def triggered(self, order: Order, ts_event: int) -> None:
        """Emit ``OrderTriggered`` once for limit-type trigger orders whose plan fired."""
        coid = order.client_order_id
        self._orders.linked_plans.add(coid)
        if coid in self._orders.triggered_sent or self._orders.is_closed(order):
            return
        if order.order_type in (OrderType.STOP_LIMIT, OrderType.LIMIT_IF_TOUCHED):
            self._orders.triggered_sent.add(coid)
            self._events.order_triggered(
                order.strategy_id,
                order.instrument_id,
                order.client_order_id,
                self._orders.venue_order_id(order),
                ts_event,
            )

    def plan_fired(self, order: Order, symbol: str, ts_event: int) -> None:
        """
        A trigger order's plan fired: wait for the order it spawns on ``symbol`` (linked by
        side and size, or by its fills) and emit ``OrderTriggered``.
        """
        coid = order.client_order_id
        waiting = self._orders.triggered_plans.setdefault(symbol, [])
        linked = coid in self._orders.linked_plans
        if coid not in waiting and not self._orders.is_closed(order) and not linked:
            waiting.append(coid)
        if not linked:
            self.triggered(order, ts_event)
            self._orders.linked_plans.discard(coid)

    def modify_rejected(self, order: Order, error: BitgetError | None, reason: str = "") -> None:
        """Emit ``OrderModifyRejected`` (the venue refused, or the modify did not take effect)."""
        if error is not None:
            reason = f"{error.code}: {error.message}" if error.code else error.message
        self._events.order_modify_rejected(
            order.strategy_id,
            order.instrument_id,
            order.client_order_id,
            self._orders.venue_order_id(order),
            reason,
            self._clock.timestamp_ns(),
        )

    # -- closing events ----------------------------------------------------------------------------

    def canceled(self, order: Order, ts_event: int) -> None:
        """Emit ``OrderCanceled`` once; an unfilled bracket entry takes its children along."""
        if self._orders.is_closed(order):
            return
        self._events.order_canceled(
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
                    self.canceled(child, ts_event)

    def cancel_rejected(self, order: Order, message: str, code: str | None) -> None:
        """Emit ``OrderCancelRejected`` unless the order closed meanwhile."""
        order = self._cache.order(order.client_order_id)
        if order is None or self._orders.is_closed(order):
            return
        self._events.order_cancel_rejected(
            order.strategy_id,
            order.instrument_id,
            order.client_order_id,
            self._orders.venue_order_id(order),
            f"{code}: {message}" if code else message,
            self._clock.timestamp_ns(),
        )

    def filled(self, order: Order, report: FillReport) -> None:
        """Emit ``OrderFilled`` for a cached order from a fill report (once per trade id)."""
        if not self._fill_ids.first_time(report.trade_id.value):
            return
        coid = order.client_order_id
        if self._orders.filled_qty(coid) >= self._orders.quantity(order):
            self._log.warning(f"Fill {report.trade_id} for filled {coid}")
            return
        venue_id = report.venue_order_id.value
        self.accepted(order, venue_id, report.ts_event)
        order = self._cache.order(coid)
        if (vid := self._orders.venue_order_id(order)) is not None and vid.value != venue_id:
            self.relinked(order, venue_id, report.ts_event)
        venue_position_id = report.venue_position_id
        if self._hedge and self._use_position_ids and venue_position_id is None:
            venue_position_id = self._hedge_position_id(order)
        self._events.order_filled(
            order.strategy_id,
            order.instrument_id,
            coid,
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
        filled = self._orders.filled_qty(coid) + report.last_qty.as_decimal()
        self._orders.filled[coid] = filled
        if filled >= self._orders.quantity(order):
            self._orders.closed.add(coid)
        self._after_fill(order)

    # -- venue rows of our orders ------------------------------------------------------------------

    def apply_order_row(self, order: Order, row: Any) -> None:
        """Bring ``order`` to the state of an ``orders`` row (push, or a detail row as one)."""
        coid = order.client_order_id
        order_id = row.orderId
        ts_event = px.ms_to_ns(row.uTime, self._clock.timestamp_ns())
        if order_id in self._orders.replaced_ids:
            # The old order of a modify: its cancel push is not a Nautilus cancel (5.7).
            if row.tradeId:
                self.apply_fill_row(order, row, side_is_direction=False)
            return
        if self._orders.pending_modify.pop(px.client_oid_of(row), None) is not None:
            # bitget-protocol.md 5.7: the modify's new order (under the alias) is live
            self.accepted(order, order_id, ts_event)
            instrument = self._cache.instrument(order.instrument_id)
            self._orders.qty[coid] = px.dec(row.size) or self._orders.quantity(order)
            self.updated(
                order,
                instrument.make_qty(px.dec(row.size)),
                instrument.make_price(px.dec(row.price)) if order.has_price else None,
                None,
                venue_order_id=VenueOrderId(order_id),
                ts_event=ts_event,
            )
            order = self._cache.order(coid)
        elif coid not in self._orders.accepted:
            self.accepted(order, order_id, ts_event)
        elif (vid := self._orders.venue_order_id(order)) is not None and vid.value != order_id:
            # the order a trigger plan spawned
            self.triggered(order, ts_event)
            self.relinked(self._cache.order(coid), order_id, ts_event)
            order = self._cache.order(coid)
        if row.tradeId:
            self.apply_fill_row(order, row, side_is_direction=False)
        if row.status in CANCELED and not self._orders.is_closed(order):
            if (
                order.is_post_only
                and coid not in self._orders.cancel_requested
                and not self._orders.filled.get(coid)
            ):
                # bitget-protocol.md 9.2: a post-only order that would take is killed (live ->
                # canceled); Nautilus reports that as a post-only rejection (as in backtest).
                self._orders.closed.add(coid)
                self._events.order_rejected(
                    order.strategy_id,
                    order.instrument_id,
                    coid,
                    "post-only order would have taken liquidity (canceled by Bitget)",
                    ts_event,
                    due_post_only=True,
                )
                return
            self.canceled(order, ts_event)

    def apply_fill_row(self, order: Order, row: Any, *, side_is_direction: bool) -> None:
        """Emit ``OrderFilled`` from a fill row (``orders`` / ``fill`` push, REST fill)."""
        if self._fill_ids.seen(row.tradeId):
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
        self.filled(order, report)

    def apply_plan_row(self, order: Order, row: Any) -> None:
        """Bring a trigger order to the state of its plan row (``orders-algo`` push)."""
        coid = order.client_order_id
        ts_event = px.ms_to_ns(row.uTime, self._clock.timestamp_ns())
        status = row.status
        if status == "live":
            self.accepted(order, row.orderId, ts_event)
        elif status in PLAN_FIRED:
            self.accepted(order, row.orderId, ts_event)
            self.plan_fired(self._cache.order(coid), row.instId, ts_event)
        elif status in CANCELED:
            self.accepted(order, row.orderId, ts_event)
            self.canceled(self._cache.order(coid), ts_event)
        elif status == "fail_execute" and not self._orders.is_closed(order):
            self.accepted(order, row.orderId, ts_event)
            self.canceled(self._cache.order(coid), ts_event)

    # -- helpers -----------------------------------------------------------------------------------

    def _hedge_position_id(self, order: Order) -> PositionId:
        # Opening BUY / closing SELL act on the long; the rest on the short.
        close = order.is_reduce_only or order.client_order_id in self._orders.close_orders
        long_side = (order.side == OrderSide.BUY) != close
        return PositionId(f"{order.instrument_id}-{'LONG' if long_side else 'SHORT'}")

    def _accept_bracket_children(self, entry: Order, venue_order_id: str, ts_event: int) -> None:
        children = self._orders.brackets.get(entry.client_order_id)
        if not children:
            return
        for child_coid, tag in zip(children, ("TP", "SL"), strict=True):
            child = self._cache.order(child_coid) if child_coid else None
            if child is None or child_coid in self._orders.accepted:
                continue
            self._orders.accepted.add(child_coid)
            if child.status == OrderStatus.SUBMITTED:
                self._events.order_accepted(
                    child.strategy_id,
                    child.instrument_id,
                    child_coid,
                    VenueOrderId(f"{venue_order_id}-{tag}"),
                    ts_event,
                )

    def _after_fill(self, order: Order) -> None:
        coid = order.client_order_id
        if coid in self._orders.brackets:
            # the entry filled: the venue creates its TP/SL plans on this symbol
            symbol = order.instrument_id.symbol.value.removesuffix("-PERP")
            self._orders.bracket_active[symbol] = coid
            return
        entry_coid = self._orders.bracket_parent.get(coid)
        if entry_coid is None:
            return
        order = self._cache.order(coid)
        if self._orders.is_closed(order):
            for sibling in self._orders.brackets.get(entry_coid, ()):
                other = self._cache.order(sibling) if sibling else None
                if other is not None and not self._orders.is_closed(other):
                    self.canceled(other, self._clock.timestamp_ns())
