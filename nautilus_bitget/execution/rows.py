"""REST listings of the API family in use (pending, history, fill and plan rows) and reports."""

from __future__ import annotations

from typing import Any

from nautilus_trader.execution.reports import OrderStatusReport

from nautilus_bitget.common.errors import BitgetRequestError
from nautilus_bitget.parsing import execution as px


class RowsMixin:
    """Page through v2/v3 REST listings and map rows to order status reports."""

    async def _pending_rows(self, product_type: str, symbol: str | None = None) -> list[Any]:
        return await self._api.open_orders(product_type, symbol)

    async def _history_rows(
        self,
        product_type: str,
        start_ms: int | None,
        symbol: str | None = None,
    ) -> list[Any]:
        return await self._api.order_history(product_type, start_ms, symbol)

    async def _fill_rows(
        self,
        product_type: str,
        *,
        order_id: str | None = None,
        symbol: str | None = None,
        start_ms: int | None = None,
    ) -> list[Any]:
        return await self._api.fills(
            product_type, order_id=order_id, symbol=symbol, start_ms=start_ms
        )

    async def _plan_rows(
        self,
        product_type: str,
        symbol: str | None,
        *,
        history: bool,
        plan_type: str = "normal_plan",
    ) -> list:
        """Trigger or TP/SL plan rows; history covers the day before connect."""
        start_ms = max(self._session.connected_ms - 86_400_000, 0) or None if history else None
        try:
            return await self._api.trigger_orders(
                product_type, symbol, history=history, plan_type=plan_type, start_ms=start_ms
            )
        except BitgetRequestError as e:
            if not history:
                raise
            # a refused history query (seen on v3 history-strategy-orders) is counted, not fatal
            self._bad_inputs.count("trigger order history", e)
            return []

    def _order_report(self, row: Any, *, plan: bool = False) -> OrderStatusReport | None:
        instrument = self._lookup.instrument_for_symbol(row.symbol)
        if instrument is None:
            return None
        coid = self._lookup.client_order_id(px.client_oid_of(row), row.orderId)
        cached = self._cache.order(coid) if coid is not None else None
        order_type = cached.order_type if cached is not None else None
        parse = px.parse_plan_status_report if plan else px.parse_order_status_report
        return parse(
            row,
            instrument,
            self.account_id,
            self._clock.timestamp_ns(),
            client_order_id=coid,
            order_type=order_type,
            use_position_ids=self._use_position_ids,
        )
