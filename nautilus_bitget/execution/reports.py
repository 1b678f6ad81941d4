"""Reconciliation reports: order status, fills and positions."""

from __future__ import annotations

from nautilus_trader.execution.messages import GenerateFillReports
from nautilus_trader.execution.messages import GenerateOrderStatusReport
from nautilus_trader.execution.messages import GenerateOrderStatusReports
from nautilus_trader.execution.messages import GeneratePositionStatusReports
from nautilus_trader.execution.reports import FillReport
from nautilus_trader.execution.reports import OrderStatusReport
from nautilus_trader.execution.reports import PositionStatusReport
from nautilus_trader.model.identifiers import PositionId

from nautilus_bitget.common.errors import BitgetError
from nautilus_bitget.common.errors import BitgetOrderNotFoundError
from nautilus_bitget.parsing import execution as px


class ReportsMixin:
    """Generate order status, fill and position status reports for the execution engine."""

    async def generate_order_status_report(
        self,
        command: GenerateOrderStatusReport,
    ) -> OrderStatusReport | None:
        """Return the venue state of one order (by venue order id or clientOid)."""
        instrument_id = command.instrument_id
        instrument = self._cache.instrument(instrument_id) if instrument_id else None
        if instrument is None:
            return None
        symbol, product_type, _ = self._routes.route(instrument)
        coid = command.client_order_id
        order = self._cache.order(coid) if coid else None
        venue_id = command.venue_order_id.value if command.venue_order_id else None
        if order is not None and self._is_live_plan(order):
            rows = await self._plan_rows(product_type, symbol, history=False)
            rows += await self._plan_rows(product_type, symbol, history=True)
            for row in rows:
                if row.orderId == venue_id or (coid and px.client_oid_of(row) == coid.value):
                    return self._order_report(row, plan=True)
            return None
        if not venue_id and not coid:
            return None
        try:
            detail = await self._order_detail(
                instrument,
                order_id=venue_id,
                client_oid=self._orders.venue_coid.get(coid, coid.value) if coid else None,
            )
        except BitgetOrderNotFoundError:
            return None
        except BitgetError as e:
            self._log.warning(f"Order status query failed: {e}")
            return None
        return self._order_report(detail) if detail is not None else None

    async def generate_order_status_reports(
        self,
        command: GenerateOrderStatusReports,
    ) -> list[OrderStatusReport]:
        """Return open orders (and, unless ``open_only``, recent history) incl. plan orders."""
        reports: list[OrderStatusReport] = []
        instrument_id = command.instrument_id
        symbol = instrument_id.symbol.value.removesuffix("-PERP") if instrument_id else None
        start_ms = command.start.value // 1_000_000 if command.start else None
        try:
            for product_type in self._routes.product_types_for(instrument_id):
                rows = await self._pending_rows(product_type, symbol)
                if not command.open_only:
                    seen = {r.orderId for r in rows}
                    history = await self._history_rows(product_type, start_ms, symbol)
                    rows += [r for r in history if r.orderId not in seen]
                for row in rows:
                    if row.orderId in self._orders.replaced_ids:
                        continue
                    report = self._order_report(row)
                    if report is not None:
                        reports.append(report)
                for row in await self._plan_rows(product_type, symbol, history=False):
                    report = self._order_report(row, plan=True)
                    if report is not None:
                        reports.append(report)
        except BitgetError as e:
            self._log.error(f"Order status reports failed: {e}")
        return reports

    async def generate_fill_reports(self, command: GenerateFillReports) -> list[FillReport]:
        """Return fills (REST ``order/fills``) since ``command.start``."""
        reports: list[FillReport] = []
        instrument_id = command.instrument_id
        symbol = instrument_id.symbol.value.removesuffix("-PERP") if instrument_id else None
        start_ms = command.start.value // 1_000_000 if command.start else None
        venue_id = command.venue_order_id.value if command.venue_order_id else None
        try:
            for product_type in self._routes.product_types_for(instrument_id):
                rows = await self._fill_rows(
                    product_type,
                    order_id=venue_id,
                    symbol=symbol,
                    start_ms=start_ms,
                )
                for row in rows:
                    instrument = self._lookup.instrument_for_symbol(row.symbol)
                    if instrument is None:
                        continue
                    coid = self._lookup.client_order_id(px.client_oid_of(row), row.orderId)
                    reports.append(
                        px.parse_fill_report(
                            row,
                            instrument,
                            self.account_id,
                            self._clock.timestamp_ns(),
                            client_order_id=coid,
                            use_position_ids=self._use_position_ids,
                        ),
                    )
        except BitgetError as e:
            self._log.error(f"Fill reports failed: {e}")
        for report in reports:
            self._fill_ids.first_time(report.trade_id.value)
        return reports

    async def generate_position_status_reports(
        self,
        command: GeneratePositionStatusReports,
    ) -> list[PositionStatusReport]:
        """Return open positions (``all-position``); a requested flat instrument reports FLAT."""
        reports: list[PositionStatusReport] = []
        instrument_id = command.instrument_id
        ts_init = self._clock.timestamp_ns()
        try:
            for product_type in self._routes.product_types_for(instrument_id):
                for row in await self._api.positions(product_type):
                    instrument = self._lookup.instrument_for_symbol(row.symbol)
                    if instrument is None:
                        continue
                    if instrument_id is not None and instrument.id != instrument_id:
                        continue
                    reports.append(
                        px.parse_position_report(
                            row,
                            instrument,
                            self.account_id,
                            ts_init,
                            hedge=self._hedge,
                            use_position_ids=self._use_position_ids,
                        ),
                    )
        except BitgetError as e:
            self._log.error(f"Position reports failed: {e}")
        if instrument_id is not None and not self._hedge and not reports:
            reports.append(px.flat_position_report(instrument_id, self.account_id, ts_init))
        elif instrument_id is not None and self._use_position_ids:
            # Bitget omits flat positions (5.3): report the missing hedge sides as FLAT.
            present = {r.venue_position_id for r in reports}
            for side in ("LONG", "SHORT"):
                position_id = PositionId(f"{instrument_id}-{side}")
                if position_id not in present:
                    reports.append(
                        px.flat_position_report(
                            instrument_id,
                            self.account_id,
                            ts_init,
                            position_id,
                        ),
                    )
        return reports
