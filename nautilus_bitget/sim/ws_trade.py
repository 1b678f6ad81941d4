"""
WebSocket order entry (``op: "trade"``) on the private sockets, classic v2 (bitget-protocol.md
3.5); the UTA v3 ops are in :mod:`.v3.ws_trade`, on the same base.

A trade request runs the same engine path as its REST twin (the REST handler is called), so the
order, its pushes and its refusals are the venue's; only the envelope differs. Replies go to the
socket that sent the request. Per-UID rate limits per kind of op (place / cancel / modify 10/s,
batches 5/s; over: ``30006``). Faults (``SimFaults``): ``drop_trade_ws`` executes a request and
aborts its socket before the reply; ``delay_trade`` holds replies.

Classic request / reply (3.5)::

    {"op":"trade","args":[{"id":"r1","instType":"USDT-FUTURES","instId":"BTCUSDT",
      "channel":"place-order","params":{...REST place-order fields...}}]}
    {"event":"trade","arg":[{"id":"r1","instType":"USDT-FUTURES","channel":"place-order",
      "instId":"BTCUSDT","params":{"orderId":"...","clientOid":"..."}}],"code":0,"msg":"Success"}
    refused: {"event":"error","arg":[{"id":"r1",...}],"code":25212,"msg":"..."}

Refusal codes are the WS trade ``25xxx`` family (3.5), the same numbers as v3.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable
from typing import Any
from typing import Final

from nautilus_bitget.sim import rest_private
from nautilus_bitget.sim import wire
from nautilus_bitget.sim.auth import SimApiKey
from nautilus_bitget.sim.context import RestContext
from nautilus_bitget.sim.errors import SimError
from nautilus_bitget.sim.faults import SimFaults
from nautilus_bitget.sim.pipeline import RestCall
from nautilus_bitget.sim.v3.rest import v3_error
from nautilus_bitget.sim.ws_public import WsConn


# requests per second per UID by kind of op (bitget-protocol.md 3.5 / 7.2)
TRADE_RATES: Final[dict[str, int]] = {"place": 10, "cancel": 10, "modify": 10, "batch": 5}
RATE_LIMIT_CODE: Final[int] = 30006
PARAM_ERROR_CODE: Final[int] = 30016


class WsTradeOps:
    """
    What both families share: rate limits and reply delivery under the trade faults.

    Parameters
    ----------
    faults : SimFaults
        ``drop_trade_ws`` / ``delay_trade``.

    """

    def __init__(self, faults: SimFaults) -> None:
        self._faults = faults
        self._taken: dict[tuple[str, str], deque[float]] = {}
        self.requests = 0

    async def handle(self, conn: WsConn, key: SimApiKey, msg: dict[str, Any]) -> None:
        """Execute one ``op: "trade"`` request of a logged-in socket and reply to it."""
        raise NotImplementedError

    def _allowed(self, uid: str, kind: str) -> bool:
        now = time.monotonic()
        taken = self._taken.setdefault((uid, kind), deque())
        while taken and now - taken[0] >= 1.0:
            taken.popleft()
        if len(taken) >= TRADE_RATES[kind]:
            return False
        taken.append(now)
        return True

    async def _reply(self, conn: WsConn, data: bytes) -> None:
        faults = self._faults
        if faults.take_drop_trade():
            conn.abort()  # executed, reply lost
            return
        if faults.trade_delay_ms > 0:
            asyncio.get_running_loop().call_later(faults.trade_delay_ms / 1000.0, conn.send, data)
            return
        # written now, like a REST response (the request's pushes go out on their own sockets)
        await conn.send_now(data)


class ClassicWsTradeOps(WsTradeOps):
    """Classic v2 ``place-order`` / ``cancel-order`` (3.5)."""

    def __init__(self, ctx: RestContext, faults: SimFaults) -> None:
        super().__init__(faults)
        self._ctx = ctx
        self._channels: dict[str, tuple[Callable[[RestContext, RestCall], Any], str]] = {
            "place-order": (rest_private.place_order, "place"),
            "cancel-order": (rest_private.cancel_order, "cancel"),
        }

    async def handle(self, conn: WsConn, key: SimApiKey, msg: dict[str, Any]) -> None:
        """Execute the request's one ``arg`` (3.5)."""
        args = msg.get("args")
        if not isinstance(args, list) or len(args) != 1 or not isinstance(args[0], dict):
            conn.send(wire.event("error", code=PARAM_ERROR_CODE, msg="Param error", op="trade"))
            return
        arg = args[0]
        channel = arg.get("channel")
        echo = {
            "id": arg.get("id"),
            "instType": arg.get("instType"),
            "channel": channel,
            "instId": arg.get("instId"),
        }
        route = self._channels.get(str(channel))
        params = arg.get("params")
        if not arg.get("id") or route is None or not isinstance(params, dict):
            await self._reply(
                conn, wire.event("error", [echo], code=PARAM_ERROR_CODE, msg="Param error")
            )
            return
        handler, kind = route
        if not self._allowed(key.uid, kind):
            await self._reply(
                conn, wire.event("error", [echo], code=RATE_LIMIT_CODE, msg="Request too many")
            )
            return
        self.requests += 1
        body = {**params, "symbol": arg.get("instId"), "productType": arg.get("instType")}
        try:
            data = handler(self._ctx, RestCall(key, {}, body))
        except SimError as e:
            err = v3_error(e.code, e.msg)
            code: int | str = int(err.code) if err.code.isdigit() else err.code
            await self._reply(conn, wire.event("error", [echo], code=code, msg=err.msg))
            return
        await self._reply(
            conn, wire.event("trade", [{**echo, "params": data}], code=0, msg="Success")
        )
