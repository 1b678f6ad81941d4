"""Order modification (v2 replace-with-alias, v3 amend in place)."""

from __future__ import annotations

import asyncio
from typing import Any

from nautilus_trader.execution.messages import ModifyOrder
from nautilus_trader.model.enums import OrderStatus
from nautilus_trader.model.enums import OrderType
from nautilus_trader.model.identifiers import ClientOrderId

from nautilus_bitget.common.errors import BitgetError
from nautilus_bitget.common.errors import BitgetRequestError
from nautilus_bitget.common.orders import PLAN_ORDER_TYPES
from nautilus_bitget.common.orders import modify_alias
from nautilus_bitget.common.orders import modify_plan_request
from nautilus_bitget.common.orders import modify_request
from nautilus_bitget.common.orders import trigger_type_wire
from nautilus_bitget.common.orders_v3 import modify_request_v3
from nautilus_bitget.common.orders_v3 import modify_strategy_request_v3
from nautilus_bitget.execution._common import _MIX
from nautilus_bitget.execution._common import _uuid
from nautilus_bitget.http.v3 import TRADE as V3_TRADE
from nautilus_bitget.parsing import execution as px
from nautilus_bitget.schemas.trade import BitgetOrderDetail
from nautilus_bitget.schemas.v3.trade import BitgetV3OrderAck
from nautilus_bitget.schemas.ws_private import BitgetWsOrder


class ModifyMixin:
    """Modify orders and confirm the outcome (v2 alias orders, v3 requestId echoes)."""

    async def _modify_order(self, command: ModifyOrder) -> None:
        order = self._cache.order(command.client_order_id)
        if order is None or self._is_done(order):
            return
        instrument = self._cache.instrument(order.instrument_id)
        symbol, product_type, _ = self._route(instrument)
        vid = self._vid(order)
        venue_id = vid.value if vid else None
        quantity = command.quantity or order.quantity
        if order.order_type in PLAN_ORDER_TYPES and order.status != OrderStatus.TRIGGERED:
            trigger = command.trigger_price or order.trigger_price
            price = command.price or (order.price if order.has_price else None)
            client_oid = self._venue_coid.get(order.client_order_id, order.client_order_id.value)
            if self._uta:
                path = f"{V3_TRADE}/modify-strategy-order"  # bitget-protocol-uta.md 3.8
                body = modify_strategy_request_v3(
                    category=product_type,
                    symbol=symbol,
                    order_id=venue_id,
                    client_oid=client_oid,
                    qty=str(quantity),
                    trigger_price=str(trigger),
                    price=str(price) if price is not None else None,
                    trigger_type=order.trigger_type,
                )
            else:
                path = f"{_MIX}/order/modify-plan-order"
                body = modify_plan_request(
                    product_type=product_type,
                    order_id=venue_id,
                    client_oid=client_oid,
                    new_size=str(quantity),
                    new_trigger_price=str(trigger),
                    new_price=str(price) if price is not None else None,
                    trigger_type=trigger_type_wire(order.trigger_type),
                )
                body["symbol"] = symbol
            try:
                await self._http.post(path, body)
            except BitgetError as e:
                self._modify_rejected(order, e)
                return
            self.generate_order_updated(
                order.strategy_id,
                order.instrument_id,
                order.client_order_id,
                self._vid(order),
                quantity,
                price,
                trigger,
                self._clock.timestamp_ns(),
            )
            return
        if order.order_type != OrderType.LIMIT and order.status != OrderStatus.TRIGGERED:
            self._modify_rejected(order, None, "only LIMIT orders can be modified on Bitget")
            return
        if order.filled_qty > 0:
            self._modify_rejected(order, None, "Bitget modifies only unfilled (live) orders")
            return
        price = command.price or order.price
        if self._uta:
            await self._modify_v3(order, symbol, product_type, venue_id, quantity, price)
            return
        n = self._modify_count.get(order.client_order_id, 0) + 1
        self._modify_count[order.client_order_id] = n
        alias = modify_alias(order.client_order_id.value, n)
        self._coid_by_alias[alias] = order.client_order_id
        self._pending_modify[alias] = order.client_order_id
        if venue_id:
            self._replaced_ids.add(venue_id)
        body = modify_request(
            symbol=symbol,
            product_type=product_type,
            order_id=venue_id,
            client_oid=self._venue_coid.get(order.client_order_id, order.client_order_id.value),
            new_client_oid=alias,
            new_size=str(quantity),
            new_price=str(price),
        )
        try:
            await self._post_unless_limited(f"{_MIX}/order/modify-order", body, None)
        except BitgetRequestError as e:
            self._pending_modify.pop(alias, None)
            if venue_id:
                self._replaced_ids.discard(venue_id)
            self._modify_rejected(order, e)
            return
        except BitgetError as e:
            self._log.warning(f"Modify {order.client_order_id}: outcome unknown ({e})")
            self.create_task(self._check_modify(order.client_order_id, alias, venue_id))
            return
        self._venue_coid[order.client_order_id] = alias

    async def _modify_v3(
        self,
        order: Any,
        symbol: str,
        product_type: str,
        venue_id: str | None,
        quantity: Any,
        price: Any,
    ) -> None:
        """
        v3 modify (bitget-protocol-uta.md 3.6): asynchronous, same orderId. The ack is not success:
        the ``order`` push echoing ``requestId`` confirms (``OrderUpdated``); without it the
        order is queried, and an order left unchanged is ``OrderModifyRejected``.
        """
        coid = order.client_order_id
        self._modify_seq += 1
        request_id = f"m{self._modify_seq}-{_uuid().value.replace('-', '')[:20]}"
        self._modify_requests[request_id] = coid
        body = modify_request_v3(
            category=product_type,
            symbol=symbol,
            order_id=venue_id,
            client_oid=self._venue_coid.get(coid, coid.value),
            qty=str(quantity),
            price=str(price),
            request_id=request_id,
        )
        try:
            await self._post_unless_limited(f"{V3_TRADE}/modify-order", body, BitgetV3OrderAck)
        except BitgetRequestError as e:
            self._modify_requests.pop(request_id, None)
            self._modify_rejected(order, e)
            return
        except BitgetError as e:
            self._log.warning(f"Modify {coid}: outcome unknown ({e}); querying")
        self.create_task(self._check_modify_v3(coid, request_id, quantity, price))

    def _confirm_modify_v3(self, coid: ClientOrderId, qty: Any, price: Any) -> None:
        order = self._cache.order(coid)
        if order is None or self._is_done(order):
            return
        instrument = self._cache.instrument(order.instrument_id)
        new_qty = px.dec(qty) or self._quantity(order)
        new_price = px.dec(price)
        self._qty[coid] = new_qty
        self.generate_order_updated(
            order.strategy_id,
            order.instrument_id,
            coid,
            self._vid(order),
            instrument.make_qty(new_qty),
            instrument.make_price(new_price) if new_price and order.has_price else None,
            None,
            self._clock.timestamp_ns(),
        )

    async def _check_modify_v3(
        self,
        coid: ClientOrderId,
        request_id: str,
        quantity: Any,
        price: Any,
    ) -> None:
        """Without a confirming push, ask the venue whether the modify took effect (3.6)."""
        await asyncio.sleep(self.cancel_confirm_secs * 2)
        if request_id not in self._modify_requests:
            return
        order = self._cache.order(coid)
        vid = self._vid(order) if order is not None else None
        try:
            row = await self._v3_trade.order_info(
                vid.value if vid else None,
                None if vid else self._venue_coid.get(coid, coid.value),
            )
        except BitgetError as e:
            self._log.warning(f"Modify {coid}: query failed ({e})")
            row = None
        if self._modify_requests.pop(request_id, None) is None:
            return  # the push arrived meanwhile
        applied = (
            row is not None
            and px.dec(row.qty) == quantity.as_decimal()
            and px.dec(row.price) == price.as_decimal()
        )
        if applied:
            self._confirm_modify_v3(coid, row.qty, row.price)
        elif order is not None and not self._is_done(order):
            self._modify_rejected(order, None, "modify not applied at the venue (no confirmation)")

    async def _check_modify(self, coid: ClientOrderId, alias: str, old_id: str | None) -> None:
        await asyncio.sleep(self.unknown_outcome_delay_secs * 2)
        if alias not in self._pending_modify:
            return
        order = self._cache.order(coid)
        instrument = self._cache.instrument(order.instrument_id)
        symbol, product_type, _ = self._route(instrument)
        try:
            detail = await self._http.get(
                f"{_MIX}/order/detail",
                {"symbol": symbol, "productType": product_type, "clientOid": alias},
                signed=True,
                decoder=BitgetOrderDetail,
            )
        except BitgetError:
            detail = None
        if alias not in self._pending_modify:
            return
        if detail is None:
            self._pending_modify.pop(alias, None)
            if old_id:
                self._replaced_ids.discard(old_id)
            self._modify_rejected(order, None, "modify outcome unknown; order unchanged at venue")
            return
        self._on_order_row(
            BitgetWsOrder(
                orderId=detail.orderId,
                instId=symbol,
                clientOid=alias,
                price=detail.price,
                size=detail.size,
                status=detail.state or detail.status,
                uTime=detail.uTime,
            ),
        )

    def _modify_rejected(self, order: Any, error: BitgetError | None, reason: str = "") -> None:
        if error is not None:
            reason = f"{error.code}: {error.message}" if error.code else error.message
        self.generate_order_modify_rejected(
            order.strategy_id,
            order.instrument_id,
            order.client_order_id,
            self._vid(order),
            reason,
            self._clock.timestamp_ns(),
        )

    def _is_live_plan(self, order: Any) -> bool:
        return order.order_type in PLAN_ORDER_TYPES and order.status != OrderStatus.TRIGGERED
