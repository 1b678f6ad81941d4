"""
Order-entry transports: where place / cancel / modify requests go (``order_entry`` config).

``OrderEntry``, ``OrderCanceller`` and ``OrderAmender`` speak only ``OrderTransport``; the client
picks one once (``order_transport``):

- ``RestOrderTransport``: the family's REST endpoints (``TradingApi``).
- ``WsOrderTransport``: the family's trade ops on a dedicated, logged-in socket
  (``websocket.trade``), falling back to REST for what the family cannot do there (trigger plans;
  classic batches and modify, bitget-protocol.md 3.5) and for every request while the socket is
  down. A request written to the socket whose reply is lost is an unknown outcome, like a REST
  timeout: the caller resolves it by clientOid (``OutcomeResolver``) and it is never re-sent, over
  either transport, so the fallback cannot duplicate an order.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Sequence
from typing import TYPE_CHECKING
from typing import Any
from typing import Protocol

from nautilus_bitget.api.trading import BatchFailure
from nautilus_bitget.api.trading import BatchResult
from nautilus_bitget.api.trading import Route
from nautilus_bitget.api.trading import TradingApi
from nautilus_bitget.common.credentials import BitgetCredentials
from nautilus_bitget.websocket.trade import DEFAULT_TIMEOUT_SECS
from nautilus_bitget.websocket.trade import BitgetTradeSocket
from nautilus_bitget.websocket.trade import TradeSocketDown


if TYPE_CHECKING:
    from nautilus_bitget.api.family import BitgetApi
    from nautilus_bitget.config import BitgetExecClientConfig


class OrderTransport(Protocol):
    """The order requests whose transport is configurable (``order_entry``)."""

    async def place(self, route: Route, body: dict[str, Any], *, trigger: bool) -> str | None:
        """Place one order (body from ``TradingApi.build_order``); return its venue id."""
        ...

    async def place_batch(self, route: Route, bodies: Sequence[dict[str, Any]]) -> BatchResult:
        """Place orders of one symbol in one request."""
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
        """Cancel orders of one symbol; return the refusals."""
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
        """Modify a resting limit order (see ``TradingApi.modify``)."""
        ...


class RestOrderTransport:
    """
    Order requests over the family's REST endpoints.

    Parameters
    ----------
    api : TradingApi
        The API family in use.

    """

    def __init__(self, api: TradingApi) -> None:
        self._api = api

    async def place(self, route: Route, body: dict[str, Any], *, trigger: bool) -> str | None:
        """``TradingApi.place``."""
        return await self._api.place(body, trigger=trigger)

    async def place_batch(self, route: Route, bodies: Sequence[dict[str, Any]]) -> BatchResult:
        """``TradingApi.place_batch``."""
        return await self._api.place_batch(route, bodies)

    async def cancel(self, route: Route, ref: dict[str, str]) -> None:
        """``TradingApi.cancel``."""
        await self._api.cancel(route, ref)

    async def cancel_batch(
        self,
        route: Route,
        refs: Sequence[dict[str, str]],
        *,
        trigger: bool,
        plan_type: str = "normal_plan",
    ) -> list[BatchFailure]:
        """``TradingApi.cancel_batch``."""
        return await self._api.cancel_batch(route, refs, trigger=trigger, plan_type=plan_type)

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
        """``TradingApi.modify``."""
        await self._api.modify(
            route,
            order_id=order_id,
            client_oid=client_oid,
            qty=qty,
            price=price,
            new_client_oid=new_client_oid,
            request_id=request_id,
        )


class WsOrderTransport:
    """
    Order requests over the trade socket, REST for the rest (see the module docstring).

    Parameters
    ----------
    socket : BitgetTradeSocket
        The logged-in trade socket (its dialect says what the family can do there).
    rest : RestOrderTransport
        Where requests go that the socket cannot carry now.
    log : Logger
        The client's logger.

    """

    def __init__(self, socket: BitgetTradeSocket, rest: RestOrderTransport, *, log: Any) -> None:
        self._socket = socket
        self._dialect = socket.dialect
        self._rest = rest
        self._log = log
        self._on_rest = False

    def _fallback(self, what: str) -> None:
        # once per outage: every order of it goes over REST
        if not self._on_rest:
            self._on_rest = True
            self._log.warning(f"Trade socket down: {what} and later orders go over REST until back")

    async def place(self, route: Route, body: dict[str, Any], *, trigger: bool) -> str | None:
        """``place-order`` on the socket (trigger plans over REST)."""
        if not trigger and self._socket.is_up:
            dialect = self._dialect
            try:
                reply = await self._socket.request(
                    "place", lambda req_id: dialect.place(req_id, route, body)
                )
            except TradeSocketDown:
                self._fallback("place")
            else:
                self._on_rest = False
                return reply.items[0][0] if reply.items else None
        elif not trigger:
            self._fallback("place")
        return await self._rest.place(route, body, trigger=trigger)

    async def place_batch(self, route: Route, bodies: Sequence[dict[str, Any]]) -> BatchResult:
        """``batch-place`` on the socket where the family has it, else REST."""
        dialect = self._dialect
        if 0 < len(bodies) <= dialect.batch_max:
            if self._socket.is_up:
                try:
                    reply = await self._socket.request(
                        "batch", lambda req_id: dialect.place_batch(req_id, route, bodies)
                    )
                except TradeSocketDown:
                    pass
                else:
                    result = BatchResult()
                    for order_id, client_oid, code, msg in reply.items:
                        if code is None:
                            result.accepted.append((client_oid, order_id or ""))
                        else:
                            result.failed.append((order_id, client_oid, code, msg))
                    return result
            self._fallback("batch place")
        return await self._rest.place_batch(route, bodies)

    async def cancel(self, route: Route, ref: dict[str, str]) -> None:
        """``cancel-order`` on the socket."""
        if self._socket.is_up:
            dialect = self._dialect
            try:
                await self._socket.request(
                    "cancel", lambda req_id: dialect.cancel(req_id, route, ref)
                )
            except TradeSocketDown:
                pass
            else:
                return
        self._fallback("cancel")
        await self._rest.cancel(route, ref)

    async def cancel_batch(
        self,
        route: Route,
        refs: Sequence[dict[str, str]],
        *,
        trigger: bool,
        plan_type: str = "normal_plan",
    ) -> list[BatchFailure]:
        """``batch-cancel`` of normal orders on the socket where the family has it, else REST."""
        dialect = self._dialect
        if not trigger and 0 < len(refs) <= dialect.batch_max:
            if self._socket.is_up:
                try:
                    reply = await self._socket.request(
                        "batch", lambda req_id: dialect.cancel_batch(req_id, route, refs)
                    )
                except TradeSocketDown:
                    pass
                else:
                    return [item for item in reply.items if item[2] is not None]
            self._fallback("batch cancel")
        return await self._rest.cancel_batch(route, refs, trigger=trigger, plan_type=plan_type)

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
        """``modify-order`` on the socket where the family has it (v3), else REST."""
        dialect = self._dialect
        if dialect.modifies:
            if self._socket.is_up:
                try:
                    await self._socket.request(
                        "modify",
                        lambda req_id: dialect.modify(
                            req_id,
                            route,
                            order_id=order_id,
                            client_oid=client_oid,
                            qty=qty,
                            price=price,
                            request_id=request_id,
                        ),
                    )
                except TradeSocketDown:
                    pass
                else:
                    return
            self._fallback("modify")
        await self._rest.modify(
            route,
            order_id=order_id,
            client_oid=client_oid,
            qty=qty,
            price=price,
            new_client_oid=new_client_oid,
            request_id=request_id,
        )


def order_transport(
    family: BitgetApi,
    config: BitgetExecClientConfig,
    credentials: BitgetCredentials | None,
    *,
    on_bad_input: Callable[[str, Exception], None] | None = None,
    log: Any,
) -> tuple[BitgetTradeSocket | None, OrderTransport]:
    """
    Return the order transport of ``config.order_entry`` for an API family (chosen once).

    Parameters
    ----------
    family : BitgetApi
        The API family in use (REST endpoints and socket trade ops).
    config : BitgetExecClientConfig
        ``order_entry``, the private socket URL and its keep-alive settings.
    credentials : BitgetCredentials
        The key the trade socket logs in with.
    on_bad_input : Callable[[str, Exception], None], optional
        Counts malformed trade replies.
    log : Logger
        The client's logger.

    Returns
    -------
    tuple[BitgetTradeSocket | None, OrderTransport]
        The trade socket to connect (``None`` for REST) and the transport.

    """
    rest = RestOrderTransport(family.trading)
    if config.order_entry != "websocket":
        return None, rest
    socket = BitgetTradeSocket(
        family.trading.private_ws_url(config.ws_private_url),
        family.trade_ws,
        credentials,
        timeout_secs=min(config.http_timeout_secs, DEFAULT_TIMEOUT_SECS),
        ping_interval_secs=config.ws_ping_interval_secs,
        stale_timeout_secs=config.ws_stale_timeout_secs,
        on_bad_input=on_bad_input,
        logger=log,
    )
    return socket, WsOrderTransport(socket, rest, log=log)
