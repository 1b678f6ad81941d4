"""
Replies of the WebSocket order-entry ops (``op: "trade"``), both API families.

Classic v2 (bitget-protocol.md 3.5): the request id and the ack are inside ``arg``:
``{"event":"trade","arg":[{"id","instType","channel","instId","params":{"orderId","clientOid"}}],
"code":0,"msg":"Success"}``; a refusal is the same frame (or ``event: "error"``) with a non-zero
``code``.

UTA v3 (bitget-protocol-uta.md 4.7): the id is top level and ``args`` holds one item per order:
``{"event":"trade","id","category","topic","args":[{"symbol","orderId","clientOid","cTime"}],
"code":"0","msg":"success","ts"}``; batch items carry their own ``code`` / ``msg``; a refusal of
the whole request is ``event: "error"`` with the ``id``.
"""

from __future__ import annotations

import msgspec


class BitgetWsTradeParams(msgspec.Struct, frozen=True):
    """The ack of one classic order: ``{orderId, clientOid}``."""

    orderId: str | int | None = None
    clientOid: str | None = None


class BitgetWsTradeArg(msgspec.Struct, frozen=True):
    """One classic ``arg`` item: the request id and channel, and the ack in ``params``."""

    id: str | None = None
    channel: str | None = None
    params: BitgetWsTradeParams | None = None


class BitgetWsTradeReply(msgspec.Struct, frozen=True):
    """A classic v2 trade reply (``event`` ``trade`` or ``error``)."""

    event: str | None = None
    arg: list[BitgetWsTradeArg] | None = None
    code: str | int | None = None
    msg: str | None = None


class BitgetV3WsTradeItem(msgspec.Struct, frozen=True):
    """One item of a v3 trade reply (batch items carry their own ``code`` / ``msg``)."""

    orderId: str | int | None = None
    clientOid: str | None = None
    code: str | int | None = None
    msg: str | None = None


class BitgetV3WsTradeReply(msgspec.Struct, frozen=True):
    """A UTA v3 trade reply (``event`` ``trade`` or ``error``), matched by ``id``."""

    event: str | None = None
    id: str | None = None
    topic: str | None = None
    args: list[BitgetV3WsTradeItem] | None = None
    code: str | int | None = None
    msg: str | None = None
