"""``WsTradeDialect`` of the classic account: v2 ``op: "trade"`` (bitget-protocol.md 3.5)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from typing import Final

import msgspec

from nautilus_bitget.api.trade_ws import WsTradeReply
from nautilus_bitget.api.trade_ws import code_text
from nautilus_bitget.api.trading import Route
from nautilus_bitget.parsing.execution import text
from nautilus_bitget.schemas.ws_trade import BitgetWsTradeReply


_DECODER: Final = msgspec.json.Decoder(BitgetWsTradeReply)
_ENCODE: Final = msgspec.json.Encoder().encode
# the REST body fields the socket carries in ``instType`` / ``instId`` instead of ``params``
_ROUTED: Final[frozenset[str]] = frozenset({"symbol", "productType"})


class ClassicWsTrade:
    """Classic v2: ``place-order`` / ``cancel-order`` only (3.5); batches and modify use REST."""

    name: str = "v2"
    modifies: bool = False
    batch_max: int = 0

    @staticmethod
    def _frame(req_id: str, route: Route, channel: str, params: dict[str, Any]) -> str:
        arg = {
            "id": req_id,
            "instType": route.product_type,
            "instId": route.symbol,
            "channel": channel,
            "params": params,
        }
        return _ENCODE({"op": "trade", "args": [arg]}).decode()

    def place(self, req_id: str, route: Route, body: dict[str, Any]) -> str:
        """``place-order``: ``params`` are the REST place-order fields (3.5)."""
        params = dict(body)  # a copy: the body stays whole for a REST fallback
        for key in _ROUTED:
            params.pop(key, None)
        return self._frame(req_id, route, "place-order", params)

    def cancel(self, req_id: str, route: Route, ref: dict[str, str]) -> str:
        """``cancel-order``: ``orderId`` or ``clientOid`` and the margin coin (3.5)."""
        return self._frame(req_id, route, "cancel-order", {**ref, "marginCoin": route.margin_coin})

    def place_batch(self, req_id: str, route: Route, bodies: Sequence[dict[str, Any]]) -> str:
        """Not offered on the classic socket (``batch_max`` 0)."""
        raise NotImplementedError("classic v2 has no WebSocket batch place (3.5)")

    def cancel_batch(self, req_id: str, route: Route, refs: Sequence[dict[str, str]]) -> str:
        """Not offered on the classic socket (``batch_max`` 0)."""
        raise NotImplementedError("classic v2 has no WebSocket batch cancel (3.5)")

    def modify(
        self,
        req_id: str,
        route: Route,
        *,
        order_id: str | None,
        client_oid: str,
        qty: str,
        price: str,
        request_id: str | None,
    ) -> str:
        """Not offered on the classic socket (``modifies`` False)."""
        raise NotImplementedError("classic v2 has no WebSocket modify (3.5)")

    def decode(self, raw: bytes) -> WsTradeReply | None:
        """Return the reply of a ``trade`` / ``error`` frame naming a request id in ``arg``."""
        if b'"event"' not in raw:
            return None
        reply = _DECODER.decode(raw)
        if reply.event not in ("trade", "error") or not reply.arg or reply.arg[0].id is None:
            return None
        arg = reply.arg[0]
        code = code_text(reply.code)
        params = arg.params
        order_id = text(params.orderId) if params is not None else None
        coid = params.clientOid if params is not None else None
        ok = code is None or code in ("0", "00000")
        item = (order_id or None, coid, None if ok else code, None if ok else reply.msg)
        return WsTradeReply(arg.id or "", code, reply.msg, [item])
