"""Order submission: single, batch (order lists) and rate-limit handling."""

from __future__ import annotations

import asyncio
import functools
from typing import Any

from nautilus_trader.common.enums import LogColor
from nautilus_trader.execution.messages import SubmitOrder
from nautilus_trader.execution.messages import SubmitOrderList
from nautilus_trader.model.identifiers import InstrumentId
from nautilus_trader.model.identifiers import PositionId

from nautilus_bitget.api.trading import Route
from nautilus_bitget.common.errors import BitgetError
from nautilus_bitget.common.errors import BitgetRequestError
from nautilus_bitget.common.orders import BitgetOrderDenied
from nautilus_bitget.common.orders import chunks
from nautilus_bitget.common.orders import client_oid_error
from nautilus_bitget.common.orders import is_close


class SubmitMixin:
    """Build and send place requests (single and batch), reject/deny on venue errors."""

    def _prepare(
        self,
        order: Any,
        position_id: PositionId | None,
        take_profit: str | None = None,
        stop_loss: str | None = None,
    ) -> tuple[bool, dict[str, Any]]:
        """Return ``(is_plan, body)`` or raise ``BitgetOrderDenied``."""
        coid = order.client_order_id.value
        error = client_oid_error(coid)
        if error is not None:
            raise BitgetOrderDenied(error)
        instrument = self._cache.instrument(order.instrument_id)
        if instrument is None:
            raise BitgetOrderDenied(f"instrument {order.instrument_id} not loaded")
        route = self._routes.route(instrument)
        close = False
        if self._hedge:
            position_side = None
            if position_id is not None:
                position = self._cache.position(position_id)
                position_side = position.side if position is not None else None
            close = is_close(
                order.side,
                order.is_reduce_only,
                position_id.value if position_id else None,
                position_side,
            )
            if close:
                self._orders.close_orders.add(order.client_order_id)
        result = self._api.build_order(
            order,
            route,
            close=close,
            client_oid=coid,
            take_profit=take_profit,
            stop_loss=stop_loss,
        )
        self._orders.venue_coid[order.client_order_id] = coid
        return result

    def submit_order(self, command: SubmitOrder) -> None:
        """
        Start the submission now: the task starts eagerly, so the signed request is written
        before control returns to the engine (tick-to-trade), instead of on a later loop pass.
        """
        task = asyncio.Task(self._submit_order(command), loop=self._loop, eager_start=True)
        if not task.done():
            self._tasks.add(task)
        task.add_done_callback(
            functools.partial(self._on_task_completed, None, None, LogColor.NORMAL),
        )
        self._log.info(f"Submit {command.order.client_order_id!r}", LogColor.BLUE)

    async def _submit_order(self, command: SubmitOrder) -> None:
        order = command.order
        if self._orders.is_closed(order):
            return
        try:
            is_plan, body = self._prepare(order, command.position_id)
        except BitgetOrderDenied as e:
            self._emitter.denied(order, str(e))
            return
        self._emitter.submitted(order)
        await self._send_place(order, is_plan, body)

    async def _send_place(self, order: Any, is_plan: bool, body: dict[str, Any]) -> None:
        try:
            venue_order_id = await self._api.place(body, trigger=is_plan)
        except BitgetRequestError as e:
            self._emitter.rejected_by_venue(order, e)
            return
        except BitgetError as e:
            self._log.warning(f"Submit {order.client_order_id}: outcome unknown ({e}); querying")
            await self._resolve_unknown(order, is_plan)
            return
        if venue_order_id:
            self._emitter.accepted(order, venue_order_id, self._clock.timestamp_ns())

    async def _submit_order_list(self, command: SubmitOrderList) -> None:
        orders = list(command.order_list.orders)
        entry, tp, sl = self._bracket_parts(orders)
        if entry is not None:
            await self._submit_bracket(command, entry, tp, sl)
            return
        # Plain list: batch place per symbol (plan orders one by one).
        batches: dict[InstrumentId, list[tuple[Any, dict]]] = {}
        for order in orders:
            try:
                is_plan, body = self._prepare(order, command.position_id)
            except BitgetOrderDenied as e:
                self._emitter.denied(order, str(e))
                continue
            self._emitter.submitted(order)
            if is_plan:
                await self._send_place(order, True, body)
            else:
                batches.setdefault(order.instrument_id, []).append((order, body))
        for instrument_id, items in batches.items():
            instrument = self._cache.instrument(instrument_id)
            route = self._routes.route(instrument)
            for chunk in chunks(items, min(self._config.max_batch_size, self._api.max_batch)):
                await self._send_batch(chunk, route)

    async def _send_batch(self, chunk: list[tuple[Any, dict]], route: Route) -> None:
        try:
            result = await self._api.place_batch(route, [body for _, body in chunk])
        except BitgetRequestError as e:
            for order, _ in chunk:
                self._emitter.rejected_by_venue(order, e)
            return
        except BitgetError as e:
            self._log.warning(f"Batch place outcome unknown ({e}); querying each order")
            await asyncio.gather(*(self._resolve_unknown(o, False) for o, _ in chunk))
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
                self._emitter.rejected_by_venue(
                    order, BitgetRequestError(message or "failed", code=code)
                )
        for order in by_coid.values():
            await self._resolve_unknown(order, False)
