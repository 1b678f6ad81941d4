"""Private WebSocket pushes: the sink the API family delivers decoded rows to."""

from __future__ import annotations

from typing import Any

from nautilus_bitget.parsing import execution as px
from nautilus_bitget.schemas.ws_private import BitgetWsAlgoOrder
from nautilus_bitget.schemas.ws_private import BitgetWsFill
from nautilus_bitget.schemas.ws_private import BitgetWsOrder


class PushMixin:
    """
    The ``PrivatePushSink`` of the execution client: the API family decodes each private frame
    once and delivers its rows (v2 shapes) here; reconnect/disconnect hooks.
    """

    def _handle_frame(self, raw: bytes) -> None:
        """Route one private frame through the API family in use."""
        try:
            self._api.route_private(raw, self)
        except Exception as e:  # never let one bad row kill the socket
            self._log.exception("Error handling a private push", e)

    def _on_order_row(self, row: BitgetWsOrder) -> None:
        coid = self._lookup.client_order_id(px.client_oid_of(row), row.orderId)
        if coid is None:
            coid = self._linker.spawned_by_plan(row)
        if coid is None:
            child = self._linker.bracket_child(row)
            if child is None and self._linker.is_bracket_close(row):
                self._linker.defer(self._on_order_row, row)
                return
            coid = child.client_order_id if child is not None else None
        order = self._cache.order(coid) if coid is not None else None
        if order is None:
            self._on_external_order(row)
            return
        self._emitter.apply_order_row(order, row)

    def _on_fill_row(self, row: BitgetWsFill) -> None:
        if self._fill_ids.seen(row.tradeId):
            return
        order = self._lookup.order(px.client_oid_of(row), row.orderId)
        if order is None:
            order = self._linker.spawned_by_plan_fill(row)
        if order is None:
            order = self._linker.bracket_child(row)
            if order is None and self._linker.is_bracket_close(row):
                self._linker.defer(self._on_fill_row, row)
                return
        if order is None:
            # The orders push (which links spawned/unknown orders) may still be on its way.
            self._loop.call_later(1.0, self._on_unresolved_fill, row)
            return
        self._emitter.apply_fill_row(order, row, side_is_direction=True)

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

    def _on_external_order(self, row: BitgetWsOrder) -> None:
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

    def _on_algo_row(self, row: BitgetWsAlgoOrder) -> None:
        if row.planType in ("tp", "sl", "ptp", "psl", "profit_plan", "loss_plan"):
            self._linker.on_bracket_plan(row)
            return
        order = self._lookup.order(px.client_oid_of(row), row.orderId)
        if order is not None:
            self._emitter.apply_plan_row(order, row)

    def on_order_row(self, row: Any) -> None:
        """Apply an ``orders`` row."""
        self._on_order_row(row)

    def on_fill_row(self, row: Any) -> None:
        """Apply a ``fill`` row."""
        self._on_fill_row(row)

    def on_algo_row(self, row: Any) -> None:
        """Apply a trigger / TP-SL plan row."""
        self._on_algo_row(row)

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
