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

from nautilus_bitget.common.errors import BitgetError
from nautilus_bitget.common.errors import BitgetPositionModeError
from nautilus_bitget.common.errors import BitgetRateLimitError
from nautilus_bitget.common.errors import BitgetRequestError
from nautilus_bitget.common.orders import BitgetOrderDenied
from nautilus_bitget.common.orders import batch_item
from nautilus_bitget.common.orders import batch_request
from nautilus_bitget.common.orders import chunks
from nautilus_bitget.common.orders import client_oid_error
from nautilus_bitget.common.orders import is_close
from nautilus_bitget.common.orders import order_request
from nautilus_bitget.common.orders_v3 import order_request_v3
from nautilus_bitget.execution._common import _MIX
from nautilus_bitget.execution._common import _POST_ONLY_CODES
from nautilus_bitget.execution._common import _V3_BATCH_MAX
from nautilus_bitget.execution._common import _split_batch_v3
from nautilus_bitget.http.v3 import TRADE as V3_TRADE
from nautilus_bitget.parsing import execution as px
from nautilus_bitget.schemas.trade import BitgetBatchResult
from nautilus_bitget.schemas.trade import BitgetOrderId
from nautilus_bitget.schemas.v3.trade import BitgetV3BatchItem
from nautilus_bitget.schemas.v3.trade import BitgetV3OrderAck


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
        symbol, product_type, margin_coin = self._route(instrument)
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
                self._close_orders.add(order.client_order_id)
        common = {
            "symbol": symbol,
            "margin_mode": self._config.margin_mode,
            "hedge": self._hedge,
            "close": close,
            "client_oid": coid,
            "take_profit": take_profit,
            "stop_loss": stop_loss,
        }
        if self._uta:
            result = order_request_v3(order, category=product_type, **common)
        else:
            result = order_request(
                order,
                product_type=product_type,
                margin_coin=margin_coin,
                **common,
            )
        self._venue_coid[order.client_order_id] = coid
        return result

    def _deny(self, order: Any, reason: str) -> None:
        self.generate_order_denied(
            order.strategy_id,
            order.instrument_id,
            order.client_order_id,
            reason,
            self._clock.timestamp_ns(),
        )

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
        if self._is_done(order):
            return
        try:
            is_plan, body = self._prepare(order, command.position_id)
        except BitgetOrderDenied as e:
            self._deny(order, str(e))
            return
        self.generate_order_submitted(
            order.strategy_id,
            order.instrument_id,
            order.client_order_id,
            self._clock.timestamp_ns(),
        )
        await self._send_place(order, is_plan, body)

    async def _send_place(self, order: Any, is_plan: bool, body: dict[str, Any]) -> None:
        if self._uta:
            # bitget-protocol-uta.md 3.8: trigger orders are strategy orders
            path = f"{V3_TRADE}/place-strategy-order" if is_plan else f"{V3_TRADE}/place-order"
            decoder: Any = BitgetV3OrderAck
        else:
            path = f"{_MIX}/order/place-plan-order" if is_plan else f"{_MIX}/order/place-order"
            decoder = BitgetOrderId
        try:
            result = await self._post_unless_limited(path, body, decoder)
        except BitgetRequestError as e:
            self._reject(order, e)
            return
        except BitgetError as e:
            self._log.warning(f"Submit {order.client_order_id}: outcome unknown ({e}); querying")
            await self._resolve_unknown(order, is_plan)
            return
        if result is not None and result.orderId:
            self._ensure_accepted(order, px.text(result.orderId), self._clock.timestamp_ns())

    async def _post_unless_limited(self, path: str, body: dict, decoder: Any) -> Any:
        """
        POST a non-idempotent request; resend only on 429 (rejected before processing, 7.1).

        Timeouts and 5xx are raised: the outcome is unknown and is resolved by query.
        """
        for attempt in range(self.rate_limit_resends + 1):
            try:
                return await self._http.post(path, body, decoder=decoder)
            except BitgetRateLimitError:
                if attempt >= self.rate_limit_resends:
                    raise
                await asyncio.sleep(0.25 * 2**attempt)
        return None

    def _reject(self, order: Any, error: BitgetError) -> None:
        reason = f"{error.code}: {error.message}" if error.code else error.message
        if isinstance(error, BitgetPositionModeError):
            reason += (
                f" (account position mode and order shape disagree; client sends "
                f"{'hedge' if self._hedge else 'one-way'} orders)"
            )
        self._closed.add(order.client_order_id)
        self.generate_order_rejected(
            order.strategy_id,
            order.instrument_id,
            order.client_order_id,
            reason,
            self._clock.timestamp_ns(),
            due_post_only=order.is_post_only and (error.code in _POST_ONLY_CODES),
        )

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
                self._deny(order, str(e))
                continue
            self.generate_order_submitted(
                order.strategy_id,
                order.instrument_id,
                order.client_order_id,
                self._clock.timestamp_ns(),
            )
            if is_plan:
                await self._send_place(order, True, body)
            else:
                batches.setdefault(order.instrument_id, []).append((order, body))
        for instrument_id, items in batches.items():
            instrument = self._cache.instrument(instrument_id)
            symbol, product_type, margin_coin = self._route(instrument)
            size = self._config.max_batch_size
            for chunk in chunks(items, min(size, _V3_BATCH_MAX) if self._uta else size):
                await self._send_batch(chunk, symbol, product_type, margin_coin)

    async def _send_batch(
        self,
        chunk: list[tuple[Any, dict]],
        symbol: str,
        product_type: str,
        margin_coin: str,
    ) -> None:
        try:
            success, failure = await self._post_batch_place(
                chunk,
                symbol,
                product_type,
                margin_coin,
            )
        except BitgetRequestError as e:
            for order, _ in chunk:
                self._reject(order, e)
            return
        except BitgetError as e:
            self._log.warning(f"Batch place outcome unknown ({e}); querying each order")
            await asyncio.gather(*(self._resolve_unknown(o, False) for o, _ in chunk))
            return
        by_coid = {o.client_order_id.value: o for o, _ in chunk}
        now = self._clock.timestamp_ns()
        for client_oid, order_id in success:
            order = by_coid.pop(client_oid or "", None)
            if order is not None and order_id:
                self._ensure_accepted(order, order_id, now)
        for client_oid, code, message in failure:
            order = by_coid.pop(client_oid or "", None)
            if order is not None:
                self._reject(order, BitgetRequestError(message or "failed", code=code))
        for order in by_coid.values():
            await self._resolve_unknown(order, False)

    async def _post_batch_place(
        self,
        chunk: list[tuple[Any, dict]],
        symbol: str,
        product_type: str,
        margin_coin: str,
    ) -> tuple[list[tuple[str | None, str]], list[tuple[str | None, str | None, str | None]]]:
        """Send one batch; return ``([(clientOid, orderId)], [(clientOid, code, msg)])``."""
        if self._uta:
            # bitget-protocol-uta.md 3.6: a bare JSON array, each item a place-order body
            items = await self._http.post(
                f"{V3_TRADE}/place-batch",
                [b for _, b in chunk],
                decoder=list[BitgetV3BatchItem],
            )
            return _split_batch_v3(items)
        body = batch_request(
            [batch_item(b) for _, b in chunk],
            symbol=symbol,
            product_type=product_type,
            margin_coin=margin_coin,
            margin_mode=self._config.margin_mode,
        )
        result = await self._http.post(
            f"{_MIX}/order/batch-place-order",
            body,
            decoder=BitgetBatchResult,
        )
        if result is None:
            return [], []
        success = [(i.clientOid, i.orderId or "") for i in result.successList or []]
        failure = [
            (i.clientOid, None if i.errorCode is None else str(i.errorCode), i.errorMsg)
            for i in result.failureList or []
        ]
        return success, failure
