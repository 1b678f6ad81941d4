"""REST listing helpers for the v2 and v3 dialects (pages, pending/history/fill/plan rows)."""

from __future__ import annotations

from typing import Any

import msgspec
from nautilus_trader.execution.reports import OrderStatusReport
from nautilus_trader.model.identifiers import InstrumentId

from nautilus_bitget.common.errors import BitgetRequestError
from nautilus_bitget.common.symbol import infer_product_type
from nautilus_bitget.execution._common import _MIX
from nautilus_bitget.execution._common import dec_positive
from nautilus_bitget.parsing import execution as px
from nautilus_bitget.parsing import execution_v3 as p3
from nautilus_bitget.schemas.trade import BitgetFills
from nautilus_bitget.schemas.trade import BitgetPendingOrders
from nautilus_bitget.schemas.trade import BitgetPlanOrders


class RowsMixin:
    """Page through v2/v3 REST listings and map rows to order status reports."""

    async def _pages_v2(
        self,
        endpoint: str,
        params: dict[str, Any],
        decoder: Any,
        rows_field: str,
        max_pages: int = 20,
    ) -> list[Any]:
        """Collect a v2 ``/order/<endpoint>`` listing (9.2: ``idLessThan`` = ``endId``)."""
        rows: list[Any] = []
        query = {**params, "limit": 100}
        for _ in range(max_pages):
            page = await self._http.get(
                f"{_MIX}/order/{endpoint}", query, signed=True, decoder=decoder
            )
            batch = (getattr(page, rows_field) if page else None) or []
            rows.extend(batch)
            if len(batch) < 100 or not page.endId:
                break
            query["idLessThan"] = page.endId
        return rows

    async def _pages_v3(self, fetch: Any, max_pages: int = 20) -> list[Any]:
        """Collect a v3 ``{list, cursor}`` listing (3: pass ``cursor`` back, 100 per page)."""
        rows: list[Any] = []
        cursor = None
        for _ in range(max_pages):
            page = await fetch(cursor)
            batch = list(page.list) if page is not None else []
            rows.extend(batch)
            cursor = px.text(page.cursor) if page is not None else ""
            if len(batch) < 100 or not cursor:
                break
        return rows

    async def _pending_rows(self, product_type: str, symbol: str | None = None) -> list[Any]:
        if self._uta:
            rows = await self._pages_v3(
                lambda c: self._v3_trade.unfilled_orders(
                    product_type,
                    symbol=symbol,
                    limit=100,
                    cursor=c,
                ),
            )
            return [p3.order(r, self._hedge) for r in rows]
        return await self._pages_v2(
            "orders-pending",
            {"productType": product_type, "symbol": symbol},
            BitgetPendingOrders,
            "entrustedList",
        )

    async def _history_rows(
        self,
        product_type: str,
        start_ms: int | None,
        symbol: str | None = None,
    ) -> list[Any]:
        if self._uta:
            rows = await self._pages_v3(
                lambda c: self._v3_trade.history_orders(
                    product_type,
                    symbol=symbol,
                    start_time=start_ms or None,
                    limit=100,
                    cursor=c,
                ),
            )
            return [p3.order(r, self._hedge) for r in rows]
        return await self._pages_v2(
            "orders-history",
            {"productType": product_type, "symbol": symbol, "startTime": start_ms or None},
            BitgetPendingOrders,
            "entrustedList",
        )

    async def _fill_rows(
        self,
        product_type: str,
        *,
        order_id: str | None = None,
        symbol: str | None = None,
        start_ms: int | None = None,
    ) -> list[Any]:
        if self._uta:
            rows = await self._pages_v3(
                lambda c: self._v3_trade.fills(
                    product_type,
                    order_id=order_id,
                    start_time=start_ms or None,
                    limit=100,
                    cursor=c,
                ),
                max_pages=50,
            )
            return [p3.fill(r, self._hedge) for r in rows if symbol is None or r.symbol == symbol]
        params = {
            "productType": product_type,
            "orderId": order_id,
            "symbol": symbol,
            "startTime": start_ms or None,
        }
        return await self._pages_v2("fills", params, BitgetFills, "fillList", max_pages=50)

    async def _plan_rows(
        self,
        product_type: str,
        symbol: str | None,
        *,
        history: bool,
        plan_type: str = "normal_plan",
    ) -> list:
        if self._uta:
            return await self._strategy_rows(
                product_type, symbol, history=history, plan_type=plan_type
            )
        path = "orders-plan-history" if history else "orders-plan-pending"
        params: dict[str, Any] = {
            "productType": product_type,
            "planType": plan_type,
            "symbol": symbol,
            "limit": 100,
        }
        if history:
            params["startTime"] = max(self._connected_ms - 86_400_000, 0) or None
        page = await self._http.get(
            f"{_MIX}/order/{path}",
            params,
            signed=True,
            decoder=BitgetPlanOrders,
        )
        return list((page.entrustedList if page else None) or [])

    async def _strategy_rows(
        self,
        product_type: str,
        symbol: str | None,
        *,
        history: bool,
        plan_type: str,
    ) -> list:
        """v3 strategy orders (3.8) as v2 plan rows: ``trigger`` or ``tpsl`` (TP/SL presets)."""
        kind = "trigger" if plan_type == "normal_plan" else "tpsl"
        if history:
            try:
                page = await self._v3_trade.history_strategy_orders(product_type, kind, limit=100)
            except BitgetRequestError as e:
                self._bad_input("history-strategy-orders", e)
                return []
            rows = list(page.list) if page is not None else []
        else:
            rows = await self._v3_trade.unfilled_strategy_orders(product_type, kind)
        out = []
        for row in rows:
            if symbol is not None and row.symbol != symbol:
                continue
            converted = p3.strategy_order(row, self._hedge)
            if kind == "tpsl":
                tp = dec_positive(row.takeProfit)
                converted = msgspec.structs.replace(
                    converted,
                    planType="profit_plan" if tp else "loss_plan",
                )
            out.append(converted)
        return out

    def _product_types_for(self, instrument_id: InstrumentId | None) -> list[str]:
        if instrument_id is None:
            return list(self._product_types)
        return [infer_product_type(instrument_id).value]

    def _order_report(self, row: Any, *, plan: bool = False) -> OrderStatusReport | None:
        instrument = self._instrument_for_symbol(row.symbol)
        if instrument is None:
            return None
        coid = self._coid_for(px.client_oid_of(row), row.orderId)
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
