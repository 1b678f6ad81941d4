"""
``OrderEntry``: place our orders (single, batch lists, brackets with venue TP/SL, closing TP/SL).

Where a Nautilus order goes (bitget-protocol.md 5.4, 5.11; bitget-protocol-uta.md 3.4, 3.8):
MARKET / LIMIT -> place-order; STOP_MARKET / STOP_LIMIT / MARKET_IF_TOUCHED / LIMIT_IF_TOUCHED ->
a trigger plan, except a reduce-only one whose position is open: that is a closing TP/SL
(``TradingApi.build_tpsl`` / ``place_tpsl``; stop = stop-loss, if-touched = take-profit).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from nautilus_trader.cache.cache import Cache
from nautilus_trader.common.component import LiveClock
from nautilus_trader.execution.messages import SubmitOrder
from nautilus_trader.execution.messages import SubmitOrderList
from nautilus_trader.model.enums import OrderStatus
from nautilus_trader.model.enums import OrderType
from nautilus_trader.model.enums import PositionSide
from nautilus_trader.model.identifiers import InstrumentId
from nautilus_trader.model.identifiers import PositionId
from nautilus_trader.model.orders import Order

from nautilus_bitget.api.trading import Route
from nautilus_bitget.api.trading import TradingApi
from nautilus_bitget.common.errors import BitgetError
from nautilus_bitget.common.errors import BitgetRequestError
from nautilus_bitget.common.orders import BitgetOrderDenied
from nautilus_bitget.common.orders import chunks
from nautilus_bitget.common.orders import client_oid_error
from nautilus_bitget.common.orders import closed_hold_side
from nautilus_bitget.common.orders import is_close
from nautilus_bitget.common.orders import tpsl_plan_type
from nautilus_bitget.execution.events import OrderEventEmitter
from nautilus_bitget.execution.outcome import OutcomeResolver
from nautilus_bitget.execution.registry import OrderRegistry
from nautilus_bitget.execution.routes import Routes
from nautilus_bitget.execution.transport import OrderTransport


class DeferredSubmitted:
    """
    ``OrderSubmitted`` of one order, emitted once: on the next loop pass, or at once when the
    venue's answer is handled first (whichever comes first).

    The place request is written before the event is generated, so NautilusTrader's bookkeeping
    of the event runs while the request is in flight instead of before it (tick-to-trade). Any
    answer arrives by I/O, later than the next loop pass, so the event order is unchanged.
    """

    __slots__ = ("_emit", "_order")

    def __init__(self, emit: Callable[[Order], None], order: Order) -> None:
        self._emit: Callable[[Order], None] | None = emit
        self._order = order

    def __call__(self) -> None:
        """Emit the event unless it was emitted already."""
        emit, self._emit = self._emit, None
        if emit is not None:
            emit(self._order)


class OrderEntry:
    """
    Build and send place requests; the venue's answer becomes the order's first events.

    ``OrderSubmitted`` precedes the request; the REST ack (or the ``orders`` push, whichever
    comes first) accepts; a refusal rejects; an unknown outcome (timeout / 5xx) is resolved by
    ``OutcomeResolver`` and never re-sent. An order that cannot be expressed on Bitget is denied
    before anything is sent.

    Parameters
    ----------
    api : TradingApi
        The API family in use (wire bodies, TP/SL endpoints, batch size).
    transport : OrderTransport
        Where place requests go (``order_entry``: REST or the trade socket).
    routes : Routes
        Instrument routes.
    registry : OrderRegistry
        Per-order state (venue clientOids, hedge-mode closes, bracket links).
    cache : Cache
        Instruments, positions and our orders.
    clock : LiveClock
        Event timestamps.
    emitter : OrderEventEmitter
        Emits the submission events.
    resolver : OutcomeResolver
        Resolves unknown place outcomes.
    hedge : bool
        Whether orders are sent in hedge-mode shape.
    max_batch_size : int
        The configured cap on orders per batch place request.
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
        *,
        hedge: bool,
        max_batch_size: int,
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
        self._hedge = hedge
        self._max_batch_size = max_batch_size
        self._log = log

    async def submit(self, command: SubmitOrder) -> None:
        """Place one order."""
        order = command.order
        if self._orders.is_closed(order):
            return
        try:
            is_plan, body = self._prepare(order, command.position_id)
        except BitgetOrderDenied as e:
            self._emitter.denied(order, str(e))
            return
        submitted = DeferredSubmitted(self._emitter.submitted, order)
        asyncio.get_running_loop().call_soon(submitted)
        await self._place(order, is_plan, body, submitted)

    async def submit_list(self, command: SubmitOrderList) -> None:
        """
        Place an order list: an entry with TP/SL children as a bracket (venue presets), any
        other list in batch requests per symbol (trigger orders one by one).
        """
        orders = list(command.order_list.orders)
        entry, tp, sl = self._bracket_parts(orders)
        if entry is not None:
            await self._submit_bracket(command, entry, tp, sl)
            return
        batches: dict[InstrumentId, list[tuple[Any, dict[str, Any]]]] = {}
        for order in orders:
            try:
                is_plan, body = self._prepare(order, command.position_id)
            except BitgetOrderDenied as e:
                self._emitter.denied(order, str(e))
                continue
            self._emitter.submitted(order)
            if is_plan:
                await self._place(order, True, body)
            else:
                batches.setdefault(order.instrument_id, []).append((order, body))
        for instrument_id, items in batches.items():
            route = self._routes.of(instrument_id)
            for chunk in chunks(items, min(self._max_batch_size, self._api.max_batch)):
                await self._place_batch(chunk, route)

    # -- requests ----------------------------------------------------------------------------------

    def _prepare(
        self,
        order: Order,
        position_id: PositionId | None,
        take_profit: str | None = None,
        stop_loss: str | None = None,
    ) -> tuple[bool, dict[str, Any]]:
        """Return ``(is_plan, body)`` of an order; raise ``BitgetOrderDenied`` when impossible."""
        coid = order.client_order_id.value
        error = client_oid_error(coid)
        if error is not None:
            raise BitgetOrderDenied(error)
        instrument = self._cache.instrument(order.instrument_id)
        if instrument is None:
            raise BitgetOrderDenied(f"instrument {order.instrument_id} not loaded")
        close = False
        if self._hedge:
            position = self._cache.position(position_id) if position_id is not None else None
            close = is_close(
                order.side,
                order.is_reduce_only,
                position_id.value if position_id else None,
                position.side if position is not None else None,
            )
        route = self._routes.route(instrument)
        plan_type = tpsl_plan_type(order) if take_profit is None and stop_loss is None else None
        hold_side = self._open_position_closed_by(order) if plan_type is not None else None
        if plan_type is not None and hold_side is not None:
            # a closing TP/SL of the open position (bitget-protocol.md 5.11, -uta.md 3.8)
            body = self._api.build_tpsl(order, route, hold_side=hold_side, client_oid=coid)
            self._orders.tpsl_plans[order.client_order_id] = plan_type
            result: tuple[bool, dict[str, Any]] = (True, body)
        else:
            result = self._api.build_order(
                order,
                route,
                close=close,
                client_oid=coid,
                take_profit=take_profit,
                stop_loss=stop_loss,
            )
        if close:
            self._orders.close_orders.add(order.client_order_id)
        self._orders.venue_coid[order.client_order_id] = coid
        return result

    def _open_position_closed_by(self, order: Order) -> str | None:
        """
        Return the position side (``long`` / ``short``) a reduce-only order closes when that
        position is open in the cache (hedge: the side's positions; one-way: the net of the
        instrument's positions), else ``None``.
        """
        hold_side = closed_hold_side(order.side)
        positions = self._cache.positions_open(instrument_id=order.instrument_id)
        if self._hedge:
            wanted = PositionSide.LONG if hold_side == "long" else PositionSide.SHORT
            is_open = any(p.side == wanted for p in positions)
        else:
            net = sum((p.signed_decimal_qty() for p in positions), Decimal(0))
            is_open = net > 0 if hold_side == "long" else net < 0
        return hold_side if is_open else None

    async def _place(
        self,
        order: Order,
        is_plan: bool,
        body: dict[str, Any],
        submitted: DeferredSubmitted | None = None,
    ) -> None:
        try:
            if order.client_order_id in self._orders.tpsl_plans:
                venue_order_id = await self._api.place_tpsl(body)
            else:
                route = self._routes.of(order.instrument_id)
                venue_order_id = await self._transport.place(route, body, trigger=is_plan)
        except BitgetRequestError as e:
            if submitted is not None:
                submitted()
            self._emitter.rejected_by_venue(order, e)
            return
        except BitgetError as e:
            if submitted is not None:
                submitted()
            self._log.warning(f"Submit {order.client_order_id}: outcome unknown ({e}); querying")
            await self._resolver.resolve_unknown(order, is_plan)
            return
        if submitted is not None:
            submitted()
        if venue_order_id:
            self._emitter.accepted(order, venue_order_id, self._clock.timestamp_ns())

    async def _place_batch(self, chunk: list[tuple[Any, dict[str, Any]]], route: Route) -> None:
        try:
            result = await self._transport.place_batch(route, [body for _, body in chunk])
        except BitgetRequestError as e:
            for order, _ in chunk:
                self._emitter.rejected_by_venue(order, e)
            return
        except BitgetError as e:
            self._log.warning(f"Batch place outcome unknown ({e}); querying each order")
            await asyncio.gather(*(self._resolver.resolve_unknown(o, False) for o, _ in chunk))
            return
        by_coid = {o.client_order_id.value: o for o, _ in chunk}
        now = self._clock.timestamp_ns()
        for client_oid, order_id in result.accepted:
            order = by_coid.pop(client_oid or "", None)
            if order is not None and order_id:
                self._emitter.accepted(order, order_id, now)
        for _, client_oid, code, message in result.failed:
            order = by_coid.pop(client_oid or "", None)
            if order is not None:
                error = BitgetRequestError(message or "failed", code=code)
                self._emitter.rejected_by_venue(order, error)
        for order in by_coid.values():
            await self._resolver.resolve_unknown(order, False)

    # -- brackets ----------------------------------------------------------------------------------

    @staticmethod
    def _bracket_parts(orders: list[Order]) -> tuple[Order | None, Order | None, Order | None]:
        """Return ``(entry, tp, sl)`` of an entry + TP/SL list, else ``(None, None, None)``."""
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

    async def _submit_bracket(
        self,
        command: SubmitOrderList,
        entry: Order,
        tp: Order | None,
        sl: Order | None,
    ) -> None:
        """
        Place the entry with the children's prices as venue presets (TP = the TP order's price);
        the children are accepted with the entry and linked to the venue TP/SL plans later.
        """
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
        await self._place(entry, is_plan, body)
        if self._cache.order(entry.client_order_id).status == OrderStatus.REJECTED:
            for child in children:
                self._emitter.rejected(child, "bracket entry rejected")
