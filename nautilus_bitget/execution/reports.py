"""``ReportBuilder``: venue rows -> Nautilus order status, fill and position status reports."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from typing import Final

import msgspec
from nautilus_trader.cache.cache import Cache
from nautilus_trader.common.component import LiveClock
from nautilus_trader.execution.messages import GenerateFillReports
from nautilus_trader.execution.messages import GenerateOrderStatusReport
from nautilus_trader.execution.messages import GenerateOrderStatusReports
from nautilus_trader.execution.messages import GeneratePositionStatusReports
from nautilus_trader.execution.reports import FillReport
from nautilus_trader.execution.reports import OrderStatusReport
from nautilus_trader.execution.reports import PositionStatusReport
from nautilus_trader.model.identifiers import AccountId
from nautilus_trader.model.identifiers import ClientOrderId
from nautilus_trader.model.identifiers import PositionId
from nautilus_trader.model.instruments import Instrument

from nautilus_bitget.api.trading import TradingApi
from nautilus_bitget.common.errors import BitgetError
from nautilus_bitget.common.errors import BitgetOrderNotFoundError
from nautilus_bitget.execution.bad_input import BadInputCounter
from nautilus_bitget.execution.common import is_live_plan
from nautilus_bitget.execution.dedupe import Deduplicator
from nautilus_bitget.execution.lookup import OrderLookup
from nautilus_bitget.execution.plan_rows import PlanRows
from nautilus_bitget.execution.registry import OrderRegistry
from nautilus_bitget.execution.routes import Routes
from nautilus_bitget.parsing import execution as px


# bitget-protocol.md 5.11: trigger plans, and every TP/SL plan type (pos_profit, pos_loss, ...)
PLAN_LISTINGS: Final[tuple[str, ...]] = ("normal_plan", "profit_loss")
REPORT_ROW = "order status report"


class ReportBuilder:
    """
    Build Nautilus reports from venue rows, and answer the engine's report requests.

    Rows resolve to our orders through ``OrderLookup`` (modify aliases, spawned orders), so a
    report names the Nautilus ``ClientOrderId``.

    Parameters
    ----------
    api : TradingApi
        The API family in use.
    routes : Routes
        Instrument routes and the configured product types.
    lookup : OrderLookup
        Venue ids -> our orders.
    registry : OrderRegistry
        Venue clientOids in use and replaced venue ids.
    plan_rows : PlanRows
        Plan listings.
    fill_ids : Deduplicator
        Fills reported to the engine are remembered as applied.
    cache : Cache
        Instruments and orders.
    clock : LiveClock
        ``ts_init`` of the reports.
    account_id : AccountId
        The account of the reports.
    hedge : bool
        Whether the account is in hedge mode.
    use_position_ids : bool
        Whether reports carry venue position ids.
    bad_inputs : BadInputCounter
        Where rows that cannot become a report are counted (skipped, the first one logged).
    log : Logger
        The client's logger.

    """

    def __init__(
        self,
        api: TradingApi,
        routes: Routes,
        lookup: OrderLookup,
        registry: OrderRegistry,
        plan_rows: PlanRows,
        fill_ids: Deduplicator,
        cache: Cache,
        clock: LiveClock,
        *,
        account_id: AccountId,
        hedge: bool,
        use_position_ids: bool,
        bad_inputs: BadInputCounter,
        log: Any,
    ) -> None:
        self._api = api
        self._bad_inputs = bad_inputs
        self._routes = routes
        self._lookup = lookup
        self._registry = registry
        self._plan_rows = plan_rows
        self._fill_ids = fill_ids
        self._cache = cache
        self._clock = clock
        self._account_id = account_id
        self._hedge = hedge
        self._use_position_ids = use_position_ids
        self._log = log

    # -- rows -> reports ---------------------------------------------------------------------------

    def order_report(self, row: Any, *, plan: bool = False) -> OrderStatusReport | None:
        """Return the report of a REST order (or plan) row; ``None`` for unknown instruments."""
        instrument = self._lookup.instrument_for_symbol(row.symbol)
        if instrument is None:
            return None
        coid = self._lookup.client_order_id(px.client_oid_of(row), row.orderId)
        cached = self._cache.order(coid) if coid is not None else None
        order_type = cached.order_type if cached is not None else None
        parse = px.parse_plan_status_report if plan else px.parse_order_status_report
        report: OrderStatusReport = parse(
            row,
            instrument,
            self._account_id,
            self._clock.timestamp_ns(),
            client_order_id=coid,
            order_type=order_type,
            use_position_ids=self._use_position_ids,
        )
        return report

    def pushed_order_report(self, row: Any, instrument: Instrument) -> OrderStatusReport:
        """Return the report of an ``orders`` push row of an order that is not ours."""
        return px.parse_order_status_report(
            row,
            instrument,
            self._account_id,
            self._clock.timestamp_ns(),
            use_position_ids=self._use_position_ids,
            ws=True,
        )

    def fill_report(
        self,
        row: Any,
        instrument: Instrument,
        *,
        client_order_id: ClientOrderId | None = None,
        side_is_direction: bool = False,
    ) -> FillReport:
        """
        Return the report of a fill row (``orders`` / ``fill`` push or REST fill).

        ``side_is_direction``: the row's ``side`` is the trade direction (``fill`` channel), not
        the order side of the ``orders`` channel.
        """
        return px.parse_fill_report(
            row,
            instrument,
            self._account_id,
            self._clock.timestamp_ns(),
            client_order_id=client_order_id,
            use_position_ids=self._use_position_ids,
            side_is_direction=side_is_direction,
        )

    # -- the engine's report requests --------------------------------------------------------------

    async def order_status_report(
        self,
        command: GenerateOrderStatusReport,
    ) -> OrderStatusReport | None:
        """Return the venue state of one order (by venue order id or clientOid)."""
        instrument_id = command.instrument_id
        instrument = self._cache.instrument(instrument_id) if instrument_id else None
        if instrument is None:
            return None
        route = self._routes.route(instrument)
        coid = command.client_order_id
        order = self._cache.order(coid) if coid else None
        venue_id = command.venue_order_id.value if command.venue_order_id else None
        if order is not None and is_live_plan(order):
            listing = self._registry.plan_listing(order.client_order_id)
            rows = await self._plan_rows.fetch(
                route.product_type, route.symbol, history=False, plan_type=listing
            )
            rows += await self._plan_rows.fetch(
                route.product_type, route.symbol, history=True, plan_type=listing
            )
            for row in rows:
                if row.orderId == venue_id or (coid and px.client_oid_of(row) == coid.value):
                    return self.order_report(row, plan=True)
            return None
        if not venue_id and not coid:
            return None
        try:
            detail = await self._api.order_detail(
                route,
                order_id=venue_id,
                client_oid=self._registry.venue_coid.get(coid, coid.value) if coid else None,
            )
        except BitgetOrderNotFoundError:
            return None
        except BitgetError as e:
            self._log.warning(f"Order status query failed: {e}")
            return None
        return self.order_report(detail) if detail is not None else None

    async def order_status_reports(
        self,
        command: GenerateOrderStatusReports,
    ) -> list[OrderStatusReport]:
        """
        Return open orders (and, unless ``open_only``, recent history) incl. trigger and TP/SL
        plans (v3 TP/SL strategies one report per leg, ``parsing.execution_v3``). A row that
        cannot become a report is skipped and counted (``bad_input_counts``, the first logged);
        it never stops the others.
        """
        reports: list[OrderStatusReport] = []
        instrument_id = command.instrument_id
        symbol = instrument_id.symbol.value.removesuffix("-PERP") if instrument_id else None
        start_ms = command.start.value // 1_000_000 if command.start else None
        try:
            for product_type in self._routes.product_types_for(instrument_id):
                rows = await self._api.open_orders(product_type, symbol)
                if not command.open_only:
                    seen = {r.orderId for r in rows}
                    history = await self._api.order_history(product_type, start_ms, symbol)
                    rows += [r for r in history if r.orderId not in seen]
                for row in rows:
                    if row.orderId in self._registry.replaced_ids:
                        continue
                    self._append(reports, row, plan=False)
                positions: list[Any] | None = None  # read once, when a plan needs its size
                for plan_type in PLAN_LISTINGS:
                    for row in await self._plan_rows.fetch(
                        product_type, symbol, history=False, plan_type=plan_type
                    ):
                        if row.orderId in self._registry.bracket_plan_coid:
                            continue  # a bracket's venue TP/SL: its child is linked (linking)
                        if (px.dec(row.size) or Decimal(0)) <= 0:
                            if positions is None:
                                positions = await self._api.positions(product_type)
                            row = self._whole_position(row, positions)
                            if row is None:
                                continue
                        self._append(reports, row, plan=True)
        except BitgetError as e:
            self._log.error(f"Order status reports failed: {e}")
        return reports

    def _append(self, reports: list[OrderStatusReport], row: Any, *, plan: bool) -> None:
        """Add the report of ``row``; a row that cannot become one is counted and skipped."""
        try:
            report = self.order_report(row, plan=plan)
        except Exception as e:  # one bad row never stops the others
            self._bad_inputs.count(REPORT_ROW, e, noun=f"row {row.orderId}")
            return
        if report is not None:
            reports.append(report)

    def _whole_position(self, row: Any, positions: list[Any]) -> Any | None:
        """
        Return a position TP/SL plan row (``pos_profit``/``pos_loss``: ``size`` ``0`` = the
        whole position, bitget-protocol.md 5.11) sized to its position, or ``None`` (counted)
        when the position is not known.
        """
        hold = px.text(row.posSide).lower()
        sides = [p for p in positions if p.symbol == row.symbol and (px.dec(p.total) or 0) > 0]
        if hold in ("long", "short"):
            sides = [p for p in sides if p.holdSide == hold]
        if len(sides) != 1:
            error = ValueError(
                f"{row.planType} plan {row.orderId} of {row.symbol} has size {row.size!r} "
                f"(the whole position) and no single open position to size it",
            )
            self._bad_inputs.count(REPORT_ROW, error, noun="row")
            return None
        return msgspec.structs.replace(row, size=px.text(sides[0].total))

    async def fill_reports(self, command: GenerateFillReports) -> list[FillReport]:
        """Return fills (REST ``order/fills``) since ``command.start``; they count as applied."""
        reports: list[FillReport] = []
        instrument_id = command.instrument_id
        symbol = instrument_id.symbol.value.removesuffix("-PERP") if instrument_id else None
        start_ms = command.start.value // 1_000_000 if command.start else None
        venue_id = command.venue_order_id.value if command.venue_order_id else None
        try:
            for product_type in self._routes.product_types_for(instrument_id):
                rows = await self._api.fills(
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
                    reports.append(self.fill_report(row, instrument, client_order_id=coid))
        except BitgetError as e:
            self._log.error(f"Fill reports failed: {e}")
        for report in reports:
            self._fill_ids.first_time(report.trade_id.value)
        return reports

    async def position_status_reports(
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
                            self._account_id,
                            ts_init,
                            hedge=self._hedge,
                            use_position_ids=self._use_position_ids,
                        ),
                    )
        except BitgetError as e:
            self._log.error(f"Position reports failed: {e}")
        if instrument_id is not None and not self._hedge and not reports:
            reports.append(px.flat_position_report(instrument_id, self._account_id, ts_init))
        elif instrument_id is not None and self._use_position_ids:
            # Bitget omits flat positions (5.3): report the missing hedge sides as FLAT.
            present = {r.venue_position_id for r in reports}
            for side in ("LONG", "SHORT"):
                position_id = PositionId(f"{instrument_id}-{side}")
                if position_id not in present:
                    reports.append(
                        px.flat_position_report(
                            instrument_id,
                            self._account_id,
                            ts_init,
                            position_id,
                        ),
                    )
        return reports
