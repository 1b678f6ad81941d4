"""``OrderAmender``: modify our orders (v2 replace under an alias, v3 amend in place)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from nautilus_trader.cache.cache import Cache
from nautilus_trader.execution.messages import ModifyOrder
from nautilus_trader.model.enums import OrderStatus
from nautilus_trader.model.enums import OrderType
from nautilus_trader.model.identifiers import ClientOrderId
from nautilus_trader.model.orders import Order

from nautilus_bitget.api.trading import Route
from nautilus_bitget.api.trading import TradingApi
from nautilus_bitget.common.errors import BitgetError
from nautilus_bitget.common.errors import BitgetRequestError
from nautilus_bitget.common.orders import modify_alias
from nautilus_bitget.execution.common import is_live_plan
from nautilus_bitget.execution.common import new_uuid
from nautilus_bitget.execution.context import ExecTimings
from nautilus_bitget.execution.events import OrderEventEmitter
from nautilus_bitget.execution.registry import OrderRegistry
from nautilus_bitget.execution.routes import Routes
from nautilus_bitget.execution.transport import OrderTransport
from nautilus_bitget.parsing import execution as px
from nautilus_bitget.schemas.ws_private import BitgetWsOrder


class OrderAmender:
    """
    Modify orders and confirm the outcome.

    Trigger orders are modified in place on both families (``OrderUpdated`` on the ack); a
    stand-alone TP/SL, and a bracket child through its venue TP/SL plan, with the TP/SL modify
    (``TradingApi.modify_tpsl``). Limit orders: v2 re-creates the order under a new clientOid
    alias (bitget-protocol.md 5.7), the ``orders`` push of the alias confirms; v3 amends in place
    and the push echoing the ``requestId`` confirms (bitget-protocol-uta.md 3.6). Without a
    confirmation the order is queried; unchanged at the venue, the modify is
    ``OrderModifyRejected``.

    Parameters
    ----------
    api : TradingApi
        The API family in use (``amends_in_place`` picks the limit-order path).
    transport : OrderTransport
        Where limit-order modify requests go (``order_entry``).
    routes : Routes
        Instrument routes.
    registry : OrderRegistry
        Per-order state (aliases, modifies in flight).
    cache : Cache
        Our orders and instruments.
    emitter : OrderEventEmitter
        Emits the outcome.
    timings : ExecTimings
        ``cancel_confirm_secs`` (v3 confirmation wait), ``unknown_outcome_delay_secs`` (v2).
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
        emitter: OrderEventEmitter,
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
        self._emitter = emitter
        self._timings = timings
        self._spawn = spawn
        self._log = log
        self._request_seq = 0

    async def modify(self, command: ModifyOrder) -> None:
        """Modify one order (quantity, price, trigger price)."""
        order = self._cache.order(command.client_order_id)
        if order is None or self._orders.is_closed(order):
            return
        route = self._routes.of(order.instrument_id)
        vid = self._orders.venue_order_id(order)
        venue_id = vid.value if vid else None
        quantity = command.quantity or order.quantity
        client_oid = self._orders.venue_coid.get(order.client_order_id, order.client_order_id.value)
        if order.client_order_id in self._orders.bracket_parent:
            await self._modify_bracket_leg(order, route, command, quantity)
            return
        if is_live_plan(order):
            trigger = command.trigger_price or order.trigger_price
            price = command.price or (order.price if order.has_price else None)
            plan_type = self._orders.tpsl_plans.get(order.client_order_id)
            try:
                if plan_type is not None:
                    # a stand-alone TP/SL: modify-tpsl-order (5.11) / modify-strategy-order (3.8)
                    await self._api.modify_tpsl(
                        route,
                        order_id=venue_id,
                        client_oid=client_oid,
                        plan_type=plan_type,
                        qty=str(quantity),
                        trigger_price=str(trigger),
                        price=str(price) if price is not None else None,
                        trigger_type=order.trigger_type,
                    )
                else:
                    await self._api.modify_trigger(
                        route,
                        order_id=venue_id,
                        client_oid=client_oid,
                        qty=str(quantity),
                        trigger_price=str(trigger),
                        price=str(price) if price is not None else None,
                        trigger_type=order.trigger_type,
                    )
            except BitgetError as e:
                self._emitter.modify_rejected(order, e)
                return
            self._emitter.updated(order, quantity, price, trigger)
            return
        if order.order_type != OrderType.LIMIT and order.status != OrderStatus.TRIGGERED:
            self._emitter.modify_rejected(
                order, None, "only LIMIT orders can be modified on Bitget"
            )
            return
        if order.filled_qty > 0:
            self._emitter.modify_rejected(
                order, None, "Bitget modifies only unfilled (live) orders"
            )
            return
        price = command.price or order.price
        if self._api.amends_in_place:
            await self._amend_in_place(order, route, venue_id, client_oid, quantity, price)
        else:
            await self._replace_with_alias(order, route, venue_id, client_oid, quantity, price)

    async def _modify_bracket_leg(
        self,
        order: Order,
        route: Route,
        command: ModifyOrder,
        quantity: Any,
    ) -> None:
        """
        Modify a bracket child through its venue TP/SL plan (``modify-tpsl-order``, 5.11;
        ``modify-strategy-order``, bitget-protocol-uta.md 3.8), which exists once the entry
        filled. The plan keeps executing at market, as the presets were placed
        (``OrderEntry._submit_bracket``); a LIMIT take-profit's price is its trigger.
        """
        plan = self._orders.bracket_plans.get(order.client_order_id)
        if plan is None:
            self._emitter.modify_rejected(
                order,
                None,
                "Bitget creates a bracket's TP/SL plan when the entry fills; modify it after that",
            )
            return
        plan_id, plan_type = plan
        if order.has_trigger_price:
            trigger = command.trigger_price or order.trigger_price
            price = command.price or (order.price if order.has_price else None)
        else:
            trigger = price = command.price or order.price
        try:
            await self._api.modify_tpsl(
                route,
                order_id=plan_id,
                client_oid="",
                plan_type=plan_type,
                qty=str(quantity),
                trigger_price=str(trigger),
                price=None,
                trigger_type=order.trigger_type if order.has_trigger_price else None,
            )
        except BitgetError as e:
            self._emitter.modify_rejected(order, e)
            return
        self._emitter.updated(
            order,
            quantity,
            price,
            trigger if order.has_trigger_price else None,
        )

    def on_modify_echo(self, request_id: str, qty: Any, price: Any) -> None:
        """Confirm an in-place modify whose ``requestId`` the ``order`` push echoes."""
        coid = self._orders.modify_requests.pop(request_id, None)
        if coid is not None:
            self._confirm_in_place(coid, qty, price)

    # -- v2: replace under an alias ----------------------------------------------------------------

    async def _replace_with_alias(
        self,
        order: Order,
        route: Route,
        venue_id: str | None,
        client_oid: str,
        quantity: Any,
        price: Any,
    ) -> None:
        """
        Modify that re-creates the order under a new clientOid alias (bitget-protocol.md 5.7);
        the old order's cancel push is ignored and ``OrderUpdated`` carries the new venue id.
        """
        n = self._orders.modify_count.get(order.client_order_id, 0) + 1
        self._orders.modify_count[order.client_order_id] = n
        alias = modify_alias(order.client_order_id.value, n)
        self._orders.coid_by_alias[alias] = order.client_order_id
        self._orders.pending_modify[alias] = order.client_order_id
        if venue_id:
            self._orders.replaced_ids.add(venue_id)
        try:
            await self._transport.modify(
                route,
                order_id=venue_id,
                client_oid=client_oid,
                qty=str(quantity),
                price=str(price),
                new_client_oid=alias,
            )
        except BitgetRequestError as e:
            self._orders.pending_modify.pop(alias, None)
            if venue_id:
                self._orders.replaced_ids.discard(venue_id)
            self._emitter.modify_rejected(order, e)
            return
        except BitgetError as e:
            self._log.warning(f"Modify {order.client_order_id}: outcome unknown ({e})")
            self._spawn(self._check_replace(order.client_order_id, alias, venue_id))
            return
        self._orders.venue_coid[order.client_order_id] = alias

    async def _check_replace(self, coid: ClientOrderId, alias: str, old_id: str | None) -> None:
        """After an unknown outcome, look the alias order up; not found, the modify failed."""
        await asyncio.sleep(self._timings.unknown_outcome_delay_secs * 2)
        if alias not in self._orders.pending_modify:
            return
        order = self._cache.order(coid)
        if order is None:  # no longer cached: nothing to emit
            self._orders.pending_modify.pop(alias, None)
            return
        route = self._routes.of(order.instrument_id)
        try:
            detail = await self._api.order_detail(route, client_oid=alias)
        except BitgetError:
            detail = None
        if alias not in self._orders.pending_modify:
            return
        if detail is None:
            self._orders.pending_modify.pop(alias, None)
            if old_id:
                self._orders.replaced_ids.discard(old_id)
            self._emitter.modify_rejected(
                order,
                None,
                "modify outcome unknown; order unchanged at venue",
            )
            return
        # the alias order exists: apply it as its lost ``orders`` push
        self._emitter.apply_order_row(
            order,
            BitgetWsOrder(
                orderId=detail.orderId,
                instId=route.symbol,
                clientOid=alias,
                price=detail.price,
                size=detail.size,
                status=detail.state or detail.status,
                uTime=detail.uTime,
            ),
        )

    # -- v3: amend in place ------------------------------------------------------------------------

    async def _amend_in_place(
        self,
        order: Order,
        route: Route,
        venue_id: str | None,
        client_oid: str,
        quantity: Any,
        price: Any,
    ) -> None:
        """
        Modify in place (bitget-protocol-uta.md 3.6): asynchronous, same orderId. The ack is not
        success: the ``order`` push echoing ``requestId`` confirms (``OrderUpdated``); without it
        the order is queried, and an order left unchanged is ``OrderModifyRejected``.
        """
        coid = order.client_order_id
        self._request_seq += 1
        request_id = f"m{self._request_seq}-{new_uuid().value.replace('-', '')[:20]}"
        self._orders.modify_requests[request_id] = coid
        try:
            await self._transport.modify(
                route,
                order_id=venue_id,
                client_oid=client_oid,
                qty=str(quantity),
                price=str(price),
                request_id=request_id,
            )
        except BitgetRequestError as e:
            self._orders.modify_requests.pop(request_id, None)
            self._emitter.modify_rejected(order, e)
            return
        except BitgetError as e:
            self._log.warning(f"Modify {coid}: outcome unknown ({e}); querying")
        self._spawn(self._check_in_place(coid, request_id, quantity, price))

    def _confirm_in_place(self, coid: ClientOrderId, qty: Any, price: Any) -> None:
        order = self._cache.order(coid)
        if order is None or self._orders.is_closed(order):
            return
        instrument = self._cache.instrument(order.instrument_id)
        new_qty = px.dec(qty) or self._orders.quantity(order)
        new_price = px.dec(price)
        self._orders.qty[coid] = new_qty
        self._emitter.updated(
            order,
            instrument.make_qty(new_qty),
            instrument.make_price(new_price) if new_price and order.has_price else None,
            None,
        )

    async def _check_in_place(
        self,
        coid: ClientOrderId,
        request_id: str,
        quantity: Any,
        price: Any,
    ) -> None:
        """Without a confirming push, ask the venue whether the modify took effect (3.6)."""
        await asyncio.sleep(self._timings.cancel_confirm_secs * 2)
        if request_id not in self._orders.modify_requests:
            return
        order = self._cache.order(coid)
        if order is None:  # no longer cached: nothing to emit
            self._orders.modify_requests.pop(request_id, None)
            return
        vid = self._orders.venue_order_id(order)
        try:
            row = await self._api.order_detail(
                self._routes.of(order.instrument_id),
                order_id=vid.value if vid else None,
                client_oid=self._orders.venue_coid.get(coid, coid.value),
            )
        except BitgetError as e:
            self._log.warning(f"Modify {coid}: query failed ({e})")
            row = None
        if self._orders.modify_requests.pop(request_id, None) is None:
            return  # the push arrived meanwhile
        applied = (
            row is not None
            and px.dec(row.size) == quantity.as_decimal()
            and px.dec(row.price) == price.as_decimal()
        )
        if applied:
            self._confirm_in_place(coid, row.size, row.price)
        elif not self._orders.is_closed(order):
            self._emitter.modify_rejected(
                order,
                None,
                "modify not applied at the venue (no confirmation)",
            )
