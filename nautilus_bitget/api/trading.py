"""
The private (trading) half of an API family: what the execution client may ask of the venue.

The execution client speaks only this interface; ``trading_v2`` (classic, ``/api/v2/mix``) and
``trading_v3`` (UTA, ``/api/v3``) implement it. Rows come back in the classic v2 shapes
(``schemas.trade`` / ``schemas.ws_private``): the v3 implementation translates its rows
(``parsing.execution_v3``), so events, de-duplication, brackets and reconciliation are written
once. Differences that are behaviour, not shape, are capabilities:

- ``amends_in_place``: v3 modify keeps the venue order id and is confirmed by the ``order`` push
  echoing ``requestId`` (bitget-protocol-uta.md 3.6); v2 modify replaces the order under a new
  clientOid (bitget-protocol.md 5.7).
- ``max_batch``: orders per batch place / cancel request (v2 50, v3 20).

Closing TP/SL (a reduce-only stop / if-touched order on an open position; which orders go there
is decided once, in ``execution.entry``) has its own methods: ``build_tpsl`` / ``place_tpsl`` /
``modify_tpsl`` (v2 ``place-tpsl-order`` / ``modify-tpsl-order``, bitget-protocol.md 5.11; v3
``place-strategy-order`` ``type=tpsl`` / ``modify-strategy-order``, bitget-protocol-uta.md 3.8),
canceled with ``cancel_batch(trigger=True, plan_type=...)``. ``plan_type`` is always named in the
v2 vocabulary (``profit_plan``, ``loss_plan``, ``pos_profit``, ``pos_loss``).

A third family is one more implementation of ``TradingApi``. WebSocket order entry is not: it is
an order transport (``execution.transport``) over the family's ``api.trade_ws`` dialect.
"""

from __future__ import annotations

from collections.abc import Awaitable
from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from typing import Any
from typing import NamedTuple
from typing import Protocol


# (clientOid, venue orderId) of an accepted batch item
BatchAccepted = tuple[str | None, str]
# (venue orderId, clientOid, code, message) of a refused batch item
BatchFailure = tuple[str | None, str | None, str | None, str | None]


class Route(NamedTuple):
    """
    Where an instrument's orders go: the venue symbol, product type and margin coin.

    Parameters
    ----------
    symbol : str
        The Bitget symbol, e.g. ``BTCUSDT``.
    product_type : str
        ``USDT-FUTURES``, ``USDC-FUTURES`` or ``COIN-FUTURES`` (the v3 ``category``).
    margin_coin : str
        The settlement currency code, e.g. ``USDT`` or ``BTC``.

    """

    symbol: str
    product_type: str
    margin_coin: str


@dataclass(slots=True)
class BatchResult:
    """The per-item outcome of a batch place: accepted and refused items."""

    accepted: list[BatchAccepted] = field(default_factory=list)
    failed: list[BatchFailure] = field(default_factory=list)


class PrivatePushSink(Protocol):
    """What a family's private-stream router delivers, in v2 row shapes."""

    def on_order_row(self, row: Any) -> None:
        """Handle an ``orders`` row (``BitgetWsOrder``)."""

    def on_fill_row(self, row: Any) -> None:
        """Handle a ``fill`` row (``BitgetWsFill``)."""

    def on_algo_row(self, row: Any) -> None:
        """Handle a trigger / TP-SL plan row (``BitgetWsAlgoOrder``)."""

    def on_positions(self, product_type: str | None, rows: list[Any], snapshot: bool) -> None:
        """Handle position rows: a full snapshot of ``product_type`` or per-side updates."""

    def on_balances(self, rows: list[tuple[Any, Any, str]]) -> None:
        """Handle ``(equity, available, coin)`` balance rows."""

    def on_modify_echo(self, request_id: str, qty: Any, price: Any) -> None:
        """Handle the push that confirms an in-place modify (``amends_in_place`` families)."""

    def on_stream_error(self, code: Any, message: Any) -> None:
        """Handle an error event of the private socket."""

    def on_bad_input(self, where: str, error: Exception) -> None:
        """Count a malformed push (skipped)."""


class TradingApi(Protocol):
    """The private endpoints and streams of one API family (see the module docstring)."""

    name: str
    amends_in_place: bool
    max_batch: int

    # -- orders ----------------------------------------------------------------------------------

    def build_order(
        self,
        order: Any,
        route: Route,
        *,
        close: bool,
        client_oid: str,
        take_profit: str | None = None,
        stop_loss: str | None = None,
    ) -> tuple[bool, dict[str, Any]]:
        """Return ``(is_trigger_order, wire body)`` of a Nautilus order; raise when denied."""
        ...

    async def place(self, body: dict[str, Any], *, trigger: bool) -> str | None:
        """Place one order; return its venue order id (``None`` when the ack has none)."""
        ...

    def build_tpsl(
        self,
        order: Any,
        route: Route,
        *,
        hold_side: str,
        client_oid: str,
    ) -> dict[str, Any]:
        """Return the wire body of a closing TP/SL of the open position ``hold_side``."""
        ...

    async def place_tpsl(self, body: dict[str, Any]) -> str | None:
        """Place a closing TP/SL built by ``build_tpsl``; return its venue order id."""
        ...

    async def place_batch(self, route: Route, bodies: Sequence[dict[str, Any]]) -> BatchResult:
        """Place up to ``max_batch`` orders of one symbol."""
        ...

    async def modify(
        self,
        route: Route,
        *,
        order_id: str | None,
        client_oid: str,
        qty: str,
        price: str,
        new_client_oid: str | None = None,
        request_id: str | None = None,
    ) -> None:
        """Modify a resting limit order (``new_client_oid`` v2, ``request_id`` v3)."""
        ...

    async def modify_trigger(
        self,
        route: Route,
        *,
        order_id: str | None,
        client_oid: str,
        qty: str,
        trigger_price: str,
        price: str | None,
        trigger_type: Any,
    ) -> None:
        """Modify a trigger (plan / strategy) order."""
        ...

    async def modify_tpsl(
        self,
        route: Route,
        *,
        order_id: str | None,
        client_oid: str,
        plan_type: str,
        qty: str,
        trigger_price: str,
        price: str | None,
        trigger_type: Any,
    ) -> None:
        """Modify a TP/SL plan in place (``price`` ``None``: executes at market)."""
        ...

    async def cancel(self, route: Route, ref: dict[str, str]) -> None:
        """Cancel one normal order by ``{"orderId"}`` or ``{"clientOid"}``."""
        ...

    async def cancel_batch(
        self,
        route: Route,
        refs: Sequence[dict[str, str]],
        *,
        trigger: bool,
        plan_type: str = "normal_plan",
    ) -> list[BatchFailure]:
        """Cancel normal or trigger orders (one ``plan_type``) of one symbol; return refusals."""
        ...

    async def cancel_position_tpsl(self, route: Route, order_id: str, plan_type: str) -> None:
        """Cancel a venue TP/SL plan created from an entry's presets (brackets)."""
        ...

    # -- queries (v2 row shapes) -----------------------------------------------------------------

    async def open_orders(self, product_type: str, symbol: str | None = None) -> list[Any]:
        """Return the open normal orders."""
        ...

    async def order_history(
        self,
        product_type: str,
        start_ms: int | None,
        symbol: str | None = None,
    ) -> list[Any]:
        """Return finished orders since ``start_ms``."""
        ...

    async def fills(
        self,
        product_type: str,
        *,
        order_id: str | None = None,
        symbol: str | None = None,
        start_ms: int | None = None,
    ) -> list[Any]:
        """Return private fills."""
        ...

    async def trigger_orders(
        self,
        product_type: str,
        symbol: str | None,
        *,
        history: bool,
        plan_type: str,
        start_ms: int | None,
    ) -> list[Any]:
        """Return trigger (``normal_plan``) or TP/SL (``profit_loss``) plan rows."""
        ...

    async def order_detail(
        self,
        route: Route,
        *,
        order_id: str | None = None,
        client_oid: str | None = None,
    ) -> Any:
        """Return one order; raise ``BitgetOrderNotFoundError`` when unknown."""
        ...

    # -- account ---------------------------------------------------------------------------------

    def position_mode_scopes(self, product_types: Sequence[str]) -> tuple[str | None, ...]:
        """Return where the position mode is held: per product type, or ``None`` (account)."""
        ...

    async def position_mode(self, scope: str | None, route: Route | None) -> str | None:
        """Return ``hedge_mode`` / ``one_way_mode`` of a scope (``route``: any of its symbols)."""
        ...

    async def set_position_mode(self, scope: str | None, mode: str) -> None:
        """Switch the position mode of a scope."""
        ...

    async def set_leverage(self, route: Route, leverage: int) -> list[tuple[str, Exception]]:
        """Apply the margin mode and leverage of a symbol; return ``(setting, error)`` refusals."""
        ...

    async def balances(self, product_types: Sequence[str]) -> list[tuple[Any, Any, str]]:
        """Return ``(equity, available, coin)`` rows."""
        ...

    async def positions(self, product_type: str) -> list[Any]:
        """Return the open positions of a product type."""
        ...

    async def funding_bills(self, product_type: str, since_ms: int) -> list[Any]:
        """Return funding settlement bills since ``since_ms`` (``BitgetBill`` shape)."""
        ...

    # -- private stream --------------------------------------------------------------------------

    def private_ws_url(self, url: str) -> str:
        """Return the private socket URL of this family from the configured (v2) one."""
        ...

    def private_subscriptions(self, product_types: Sequence[str]) -> list[dict[str, str]]:
        """Return the subscription args of the private channels."""
        ...

    def route_private(self, raw: bytes, sink: PrivatePushSink) -> None:
        """Decode one private frame and deliver its rows to ``sink``."""
        ...


async def collect_pages(
    fetch: Callable[[str | None], Awaitable[tuple[list[Any], str | None]]],
    *,
    page_size: int = 100,
    max_pages: int = 20,
) -> list[Any]:
    """
    Collect a paged listing: ``fetch(cursor)`` returns ``(rows, next cursor)``.

    Stops at a short page, an empty cursor, or after ``max_pages``.
    """
    rows: list[Any] = []
    cursor: str | None = None
    for _ in range(max_pages):
        batch, cursor = await fetch(cursor)
        rows.extend(batch)
        if len(batch) < page_size or not cursor:
            break
    return rows
