"""Private WebSocket pushes: the sink the API family delivers decoded rows to."""

from __future__ import annotations

from typing import Any


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
        coid = self._orders.modify_requests.pop(request_id, None)
        if coid is not None:
            self._confirm_modify_v3(coid, qty, price)

    def on_stream_error(self, code: Any, message: Any) -> None:
        """Log an error event of the private socket."""
        self._log.error(f"Private socket error {code}: {message}")

    def on_bad_input(self, where: str, error: Exception) -> None:
        """Count a malformed private push."""
        self._bad_inputs.count(where, error)

    def _on_ws_disconnect(self) -> None:
        self._session.disconnected_ms = self._http.timestamp_ms()

    async def _on_ws_reconnect(self) -> None:
        since = self._session.disconnected_ms or self._session.connected_ms
        self._log.info("Private socket reconnected: backfilling orders, fills and positions")
        await self.backfill(since - 5_000)
        await self._funding.poll()
