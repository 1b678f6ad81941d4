"""``PushRouter``: private WebSocket rows -> the collaborator that applies them."""

from __future__ import annotations

import asyncio
from typing import Any

from nautilus_trader.cache.cache import Cache

from nautilus_bitget.api.trading import TradingApi
from nautilus_bitget.execution.account import AccountSync
from nautilus_bitget.execution.amend import OrderAmender
from nautilus_bitget.execution.bad_input import BadInputCounter
from nautilus_bitget.execution.dedupe import Deduplicator
from nautilus_bitget.execution.events import OrderEventEmitter
from nautilus_bitget.execution.generators import EventGenerators
from nautilus_bitget.execution.linking import OrderLinker
from nautilus_bitget.execution.lookup import OrderLookup
from nautilus_bitget.execution.reports import ReportBuilder
from nautilus_bitget.parsing import execution as px
from nautilus_bitget.schemas.ws_private import BitgetWsAlgoOrder
from nautilus_bitget.schemas.ws_private import BitgetWsFill
from nautilus_bitget.schemas.ws_private import BitgetWsOrder


BRACKET_PLAN_TYPES = ("tp", "sl", "ptp", "psl", "profit_plan", "loss_plan")
UNRESOLVED_FILL_WAIT_SECS = 1.0


class PushRouter:
    """
    The ``PrivatePushSink`` of the execution client.

    The API family decodes each private frame once and delivers its rows (v2 shapes) here.
    Order, fill and plan rows are resolved to our order (clientOid, alias, venue id, else the
    plan or bracket that spawned it) and applied by the ``OrderEventEmitter``; rows of orders
    that are not ours become reports for the engine. Positions and balances go to
    ``AccountSync``, in-place modify echoes to ``OrderAmender``.

    Parameters
    ----------
    api : TradingApi
        The API family in use (decodes frames).
    lookup : OrderLookup
        Venue ids -> our orders.
    linker : OrderLinker
        Spawned orders and bracket TP/SL executions.
    emitter : OrderEventEmitter
        Applies rows of our orders.
    reports : ReportBuilder
        Rows of other orders -> reports.
    fill_ids : Deduplicator
        Trade ids already applied.
    events : EventGenerators
        Sends reports to the engine.
    account : AccountSync
        Positions and balances.
    amender : OrderAmender
        In-place modify confirmations.
    bad_inputs : BadInputCounter
        Malformed pushes.
    cache : Cache
        Our orders.
    loop : asyncio.AbstractEventLoop
        Schedules the second look at a fill of an unknown order.
    log : Logger
        The client's logger.

    """

    def __init__(
        self,
        api: TradingApi,
        lookup: OrderLookup,
        linker: OrderLinker,
        emitter: OrderEventEmitter,
        reports: ReportBuilder,
        fill_ids: Deduplicator,
        events: EventGenerators,
        account: AccountSync,
        amender: OrderAmender,
        bad_inputs: BadInputCounter,
        cache: Cache,
        *,
        loop: asyncio.AbstractEventLoop,
        log: Any,
    ) -> None:
        self._api = api
        self._lookup = lookup
        self._linker = linker
        self._emitter = emitter
        self._reports = reports
        self._fill_ids = fill_ids
        self._events = events
        self._account = account
        self._amender = amender
        self._bad_inputs = bad_inputs
        self._cache = cache
        self._loop = loop
        self._log = log

    def handle_frame(self, raw: bytes) -> None:
        """Route one private frame through the API family in use (never raises)."""
        try:
            self._api.route_private(raw, self)
        except Exception as e:  # never let one bad row kill the socket
            self._log.exception("Error handling a private push", e)

    # -- PrivatePushSink ---------------------------------------------------------------------------

    def on_order_row(self, row: BitgetWsOrder) -> None:
        """Apply an ``orders`` row."""
        coid = self._lookup.client_order_id(px.client_oid_of(row), row.orderId)
        if coid is None:
            coid = self._linker.spawned_by_plan(row)
        if coid is None:
            child = self._linker.bracket_child(row)
            if child is None and self._linker.is_bracket_close(row):
                self._linker.defer(self.on_order_row, row)
                return
            coid = child.client_order_id if child is not None else None
        order = self._cache.order(coid) if coid is not None else None
        if order is None:
            self._report_other_order(row)
            return
        self._emitter.apply_order_row(order, row)

    def on_fill_row(self, row: BitgetWsFill) -> None:
        """Apply a ``fill`` row."""
        if self._fill_ids.seen(row.tradeId):
            return
        order = self._lookup.order(px.client_oid_of(row), row.orderId)
        if order is None:
            order = self._linker.spawned_by_plan_fill(row)
        if order is None:
            order = self._linker.bracket_child(row)
            if order is None and self._linker.is_bracket_close(row):
                self._linker.defer(self.on_fill_row, row)
                return
        if order is None:
            # The orders push (which links spawned/unknown orders) may still be on its way.
            self._loop.call_later(UNRESOLVED_FILL_WAIT_SECS, self._on_unresolved_fill, row)
            return
        self._emitter.apply_fill_row(order, row, side_is_direction=True)

    def on_algo_row(self, row: BitgetWsAlgoOrder) -> None:
        """
        Apply a trigger / TP-SL plan row: a plan of ours (trigger order or stand-alone TP/SL)
        by clientOid / orderId, else a bracket's venue TP/SL plan.
        """
        order = self._lookup.order(px.client_oid_of(row), row.orderId)
        if order is not None and not self._linker.is_bracket_child(order):
            self._emitter.apply_plan_row(order, row)
        elif row.planType in BRACKET_PLAN_TYPES:
            self._linker.on_bracket_plan(row)

    def on_positions(self, product_type: str | None, rows: list[Any], snapshot: bool) -> None:
        """Replace a product type's positions (snapshot) or merge per-side updates."""
        if snapshot and product_type is not None:
            self._account.replace_positions(product_type, rows)
        else:
            self._account.merge_positions(rows)

    def on_balances(self, rows: list[tuple[Any, Any, str]]) -> None:
        """Emit the account state of ``(equity, available, coin)`` rows."""
        self._account.on_balances(rows)

    def on_modify_echo(self, request_id: str, qty: Any, price: Any) -> None:
        """Confirm an in-place modify whose ``requestId`` the push echoes."""
        self._amender.on_modify_echo(request_id, qty, price)

    def on_stream_error(self, code: Any, message: Any) -> None:
        """Log an error event of the private socket."""
        self._log.error(f"Private socket error {code}: {message}")

    def on_bad_input(self, where: str, error: Exception) -> None:
        """Count a malformed private push."""
        self._bad_inputs.count(where, error)

    # -- rows of orders that are not (yet) ours ----------------------------------------------------

    def _on_unresolved_fill(self, row: BitgetWsFill) -> None:
        if self._fill_ids.seen(row.tradeId):
            return
        order = self._lookup.order(px.client_oid_of(row), row.orderId)
        if order is not None:
            self._emitter.apply_fill_row(order, row, side_is_direction=True)
            return
        instrument = self._lookup.instrument_for_symbol(row.symbol)
        if instrument is not None and self._fill_ids.first_time(row.tradeId):
            self._events.fill_report(
                self._reports.fill_report(row, instrument, side_is_direction=True),
            )

    def _report_other_order(self, row: BitgetWsOrder) -> None:
        """Send the engine reports of an order placed outside this client (external)."""
        instrument = self._lookup.instrument_for_symbol(row.instId)
        if instrument is None:
            return
        report = self._reports.pushed_order_report(row, instrument)
        self._events.order_status_report(report)
        if row.tradeId and self._fill_ids.first_time(row.tradeId):
            coid = report.client_order_id
            self._events.fill_report(
                self._reports.fill_report(row, instrument, client_order_id=coid),
            )
