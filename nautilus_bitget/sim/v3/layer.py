"""
The UTA API v3 family of one simulator (bitget-protocol-uta.md): its REST API (served by the
shared :mod:`~nautilus_bitget.sim.pipeline`), both v3 sockets and the v3 order ids, over the same
engine as v2.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nautilus_bitget.sim import key_info
from nautilus_bitget.sim.context import WsContext
from nautilus_bitget.sim.events import MARKET_EVENTS
from nautilus_bitget.sim.pipeline import RestApi
from nautilus_bitget.sim.v3 import rest
from nautilus_bitget.sim.v3.orders import V3Context
from nautilus_bitget.sim.v3.orders import V3Orders
from nautilus_bitget.sim.v3.ws import V3PrivateWs
from nautilus_bitget.sim.v3.ws import V3PublicWs
from nautilus_bitget.sim.v3.ws_trade import UtaWsTradeOps
from nautilus_bitget.sim.ws_public import drop_sockets


class SimV3:
    """
    The v3 family: REST ``/api/v3/...`` and the sockets ``/v3/ws/public`` / ``/v3/ws/private``.

    Parameters
    ----------
    ctx : WsContext
        The simulator's engine, config, faults and authenticator.
    now_ms : callable
        The server clock in ms.

    """

    def __init__(self, ctx: WsContext, now_ms: Callable[[], int]) -> None:
        self.orders = V3Orders(ctx.exchange)
        self.public = V3PublicWs(ctx)
        self.private = V3PrivateWs(ctx, self.orders)
        self.rest: RestApi[V3Context] = RestApi(
            "/api/v3/",
            rest.DIALECT,
            V3Context(ctx.exchange, now_ms, self.orders),
            rest.ROUTES + key_info.V3_ROUTES,
        )
        # WebSocket order entry runs the REST handlers with the same context
        self.private.trade_ops = UtaWsTradeOps(self.rest.context, ctx.faults)

    @property
    def seq_as_string(self) -> bool:
        """Return whether ``books`` carry ``seq``/``pseq`` as JSON strings (4.5: both occur)."""
        return self.public.seq_as_string

    @seq_as_string.setter
    def seq_as_string(self, value: bool) -> None:
        self.public.seq_as_string = value

    def on_event(self, event: Any) -> None:
        """Route one engine event to the v3 sockets (after following modifies)."""
        if isinstance(event, MARKET_EVENTS):
            self.public.on_event(event)
            return
        self.orders.track(event)
        self.private.on_event(event)

    def drop_all(self, which: str, clean: bool) -> int:
        """Close v3 sockets (``public``/``private``/``both``), like the v2 ``drop_ws`` fault."""
        return drop_sockets((self.public, self.private), which, clean)
