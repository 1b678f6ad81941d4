"""``WsTradeDialect`` of the UTA account: v3 ``op: "trade"`` (bitget-protocol-uta.md 4.7)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from typing import Final

import msgspec

from nautilus_bitget.api.trade_ws import WsTradeReply
from nautilus_bitget.api.trade_ws import code_text
from nautilus_bitget.api.trading import Route
from nautilus_bitget.parsing.execution import text
from nautilus_bitget.schemas.ws_trade import BitgetV3WsTradeReply


BATCH_MAX: Final[int] = 20  # bitget-protocol-uta.md 4.7: batch-place / batch-cancel <= 20
_DECODER: Final = msgspec.json.Decoder(BitgetV3WsTradeReply)
_ENCODE: Final = msgspec.json.Encoder().encode


class UtaWsTrade:
    """UTA v3: place, cancel, modify and batches over the private socket (4.7)."""

    name: str = "v3"
    modifies: bool = True
    batch_max: int = BATCH_MAX

    @staticmethod
    def _frame(req_id: str, route: Route, topic: str, args: list[dict[str, Any]]) -> str:
        # 4.7: ``category`` is lower case on the socket; the args carry no category
        return _ENCODE(
            {
                "op": "trade",
                "id": req_id,
                "category": route.product_type.lower(),
                "topic": topic,
                "args": args,
            },
        ).decode()

    @staticmethod
    def _order(body: dict[str, Any]) -> dict[str, Any]:
        order = dict(body)  # a copy: the body stays whole for a REST fallback
        order.pop("category", None)
        return order

    def place(self, req_id: str, route: Route, body: dict[str, Any]) -> str:
        """``place-order``: the REST place-order fields without ``category`` (4.7)."""
        return self._frame(req_id, route, "place-order", [self._order(body)])

    def cancel(self, req_id: str, route: Route, ref: dict[str, str]) -> str:
        """``cancel-order`` by ``orderId`` or ``clientOid`` (4.7)."""
        return self._frame(req_id, route, "cancel-order", [{"symbol": route.symbol, **ref}])

    def place_batch(self, req_id: str, route: Route, bodies: Sequence[dict[str, Any]]) -> str:
        """``batch-place`` (4.7): per-item results."""
        return self._frame(req_id, route, "batch-place", [self._order(b) for b in bodies])

    def cancel_batch(self, req_id: str, route: Route, refs: Sequence[dict[str, str]]) -> str:
        """``batch-cancel`` (4.7): per-item results."""
        args = [{"symbol": route.symbol, **ref} for ref in refs]
        return self._frame(req_id, route, "batch-cancel", args)

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
        """
        ``modify-order`` (4.7, as REST 3.6): asynchronous, confirmed by the ``order`` push
        echoing ``requestId``; ``autoCancel=no`` keeps the order if the amend fails.
        """
        arg: dict[str, Any] = {"symbol": route.symbol, "qty": qty, "price": price}
        if order_id:
            arg["orderId"] = order_id
        else:
            arg["clientOid"] = client_oid
        arg["autoCancel"] = "no"
        if request_id:
            arg["requestId"] = request_id
        return self._frame(req_id, route, "modify-order", [arg])

    def decode(self, raw: bytes) -> WsTradeReply | None:
        """Return the reply of a ``trade`` / ``error`` frame carrying a request ``id``."""
        if b'"event"' not in raw:
            return None
        reply = _DECODER.decode(raw)
        if reply.event not in ("trade", "error") or reply.id is None:
            return None
        items = []
        for item in reply.args or []:
            failed = _failed_code(item.code)
            items.append(
                (text(item.orderId) or None, item.clientOid, failed, item.msg if failed else None)
            )
        return WsTradeReply(reply.id, code_text(reply.code), reply.msg, items)


def _failed_code(code: str | int | None) -> str | None:
    value = code_text(code)
    return None if value in (None, "", "0", "00000") else value
