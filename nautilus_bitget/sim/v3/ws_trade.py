"""
WebSocket order entry on the UTA private socket (bitget-protocol-uta.md 4.7).

Topics ``place-order``, ``batch-place`` (<= 20), ``cancel-order``, ``batch-cancel`` (<= 20) and
``modify-order``; ``category`` in lower case on the request (upper case is refused; optional for
cancel and modify). Each runs the
REST twin (3.6), so ids, pushes and refusal codes are the v3 ones::

    {"op":"trade","id":"r1","category":"usdt-futures","topic":"place-order","args":[{...}]}
    {"event":"trade","id":"r1","category":"usdt-futures","topic":"place-order",
     "args":[{"symbol","orderId","clientOid","cTime"}],"code":"0","msg":"success","ts":"..."}
    batch items: {"orderId","clientOid","code","msg"} each ("0" / "success" when accepted)
    refused as a whole: {"event":"error","id":"r1","topic":"...","code":"25204","msg":"..."}
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nautilus_bitget.sim import wire
from nautilus_bitget.sim.auth import SimApiKey
from nautilus_bitget.sim.errors import SimError
from nautilus_bitget.sim.faults import SimFaults
from nautilus_bitget.sim.pipeline import RestCall
from nautilus_bitget.sim.v3 import rest
from nautilus_bitget.sim.v3.orders import V3Context
from nautilus_bitget.sim.v3.rows import FUTURES
from nautilus_bitget.sim.ws_public import WsConn
from nautilus_bitget.sim.ws_trade import RATE_LIMIT_CODE
from nautilus_bitget.sim.ws_trade import WsTradeOps


_Handler = Callable[[V3Context, RestCall], Any]
# 4.7: topics whose ``category`` may be left out
OPTIONAL_CATEGORY = frozenset({"cancel-order", "batch-cancel", "modify-order"})


class UtaWsTradeOps(WsTradeOps):
    """The v3 trade topics (4.7)."""

    def __init__(self, ctx: V3Context, faults: SimFaults) -> None:
        super().__init__(faults)
        self._ctx = ctx
        # topic -> (REST twin, rate-limit kind, batch)
        self._topics: dict[str, tuple[_Handler, str, bool]] = {
            "place-order": (rest.place_order, "place", False),
            "cancel-order": (rest.cancel_order, "cancel", False),
            "modify-order": (rest.modify_order, "modify", False),
            "batch-place": (rest.place_batch, "batch", True),
            "batch-cancel": (rest.cancel_batch, "batch", True),
        }

    async def handle(self, conn: WsConn, key: SimApiKey, msg: dict[str, Any]) -> None:
        """Execute one request and reply with its ``id``."""
        req_id, topic, category = msg.get("id"), msg.get("topic"), msg.get("category")
        head = {"id": req_id, "category": category, "topic": topic}
        route = self._topics.get(str(topic))
        args = msg.get("args")
        if (
            not req_id
            or route is None
            or not isinstance(args, list)
            or not args
            or not all(isinstance(a, dict) for a in args)
            or not _category_ok(category, str(topic))
        ):
            await self._error(conn, head, rest.PARAM_ERROR, "Parameter verification failed")
            return
        handler, kind, batch = route
        if not batch and len(args) != 1:
            await self._error(
                conn, head, rest.PARAM_ERROR, "Parameter verification failed: one order"
            )
            return
        if not self._allowed(key.uid, kind):
            await self._error(conn, head, str(RATE_LIMIT_CODE), "Request too many")
            return
        self.requests += 1
        extra = {"category": category.upper()} if isinstance(category, str) else {}
        items = [{**a, **extra} for a in args]
        try:
            data = handler(self._ctx, RestCall(key, {}, items if batch else items[0]))
        except SimError as e:
            err = rest.v3_error(e.code, e.msg)
            await self._error(conn, head, err.code, err.msg)
            return
        now = str(self._ctx.now_ms())
        if batch:
            out = [
                {
                    "orderId": d.get("orderId", ""),
                    "clientOid": d.get("clientOid", ""),
                    "code": d.get("code", "0"),
                    "msg": d.get("msg", "success"),
                }
                for d in data
            ]
        else:
            out = [{"symbol": items[0].get("symbol", ""), **data, "cTime": now}]
        reply = {**head, "args": out, "code": "0", "msg": "success", "ts": now}
        await self._reply(conn, wire.encode({"event": "trade", **reply}))

    async def _error(self, conn: WsConn, head: dict[str, Any], code: str, msg: str) -> None:
        await self._reply(conn, wire.encode({"event": "error", **head, "code": code, "msg": msg}))


def _category_ok(category: Any, topic: str) -> bool:
    """4.7: lower case on the socket; optional for cancel and modify."""
    if category is None:
        return topic in OPTIONAL_CATEGORY
    return (
        isinstance(category, str) and category == category.lower() and category.upper() in FUTURES
    )
