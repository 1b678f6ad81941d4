"""Shared wire decoders, constants and small helpers of the execution client."""

from __future__ import annotations

from typing import Any

import msgspec

from nautilus_bitget.parsing import execution as px
from nautilus_bitget.schemas.envelope import BitgetWsFrame
from nautilus_bitget.schemas.v3.trade import BitgetV3BatchItem
from nautilus_bitget.schemas.v3.ws import BitgetV3WsAccount
from nautilus_bitget.schemas.v3.ws import BitgetV3WsFill
from nautilus_bitget.schemas.v3.ws import BitgetV3WsFrame
from nautilus_bitget.schemas.v3.ws import BitgetV3WsOrder
from nautilus_bitget.schemas.v3.ws import BitgetV3WsPosition
from nautilus_bitget.schemas.v3.ws import BitgetV3WsStrategyOrder
from nautilus_bitget.schemas.ws_private import BitgetWsAccount
from nautilus_bitget.schemas.ws_private import BitgetWsAlgoOrder
from nautilus_bitget.schemas.ws_private import BitgetWsFill
from nautilus_bitget.schemas.ws_private import BitgetWsOrder
from nautilus_bitget.schemas.ws_private import BitgetWsPosition


_MIX = "/api/v2/mix"
_PRIVATE_CHANNELS = ("orders", "fill", "positions", "account", "orders-algo")
_FRAME = msgspec.json.Decoder(BitgetWsFrame)
_WS_ORDERS = msgspec.json.Decoder(list[BitgetWsOrder])
_WS_FILLS = msgspec.json.Decoder(list[BitgetWsFill])
_WS_POSITIONS = msgspec.json.Decoder(list[BitgetWsPosition])
_WS_ACCOUNTS = msgspec.json.Decoder(list[BitgetWsAccount])
_WS_ALGO = msgspec.json.Decoder(list[BitgetWsAlgoOrder])
# bitget-protocol-uta.md 4.6: private v3 topics (instType "UTA", no symbol). ``fast-fill`` is not
# used: it has no fee, and a fill applied from it first would lose the commission (deduped).
_PRIVATE_TOPICS_V3 = ("order", "fill", "position", "account", "strategy-order")
_V3_FRAME = msgspec.json.Decoder(BitgetV3WsFrame)
_V3_ORDERS = msgspec.json.Decoder(list[BitgetV3WsOrder])
_V3_FILLS = msgspec.json.Decoder(list[BitgetV3WsFill])
_V3_POSITIONS = msgspec.json.Decoder(list[BitgetV3WsPosition])
_V3_ACCOUNTS = msgspec.json.Decoder(list[BitgetV3WsAccount])
_V3_STRATEGY = msgspec.json.Decoder(list[BitgetV3WsStrategyOrder])
_V3_BATCH_MAX = 20  # bitget-protocol-uta.md 3.6
_TRADE_ID_MEMORY = 100_000
_POST_ONLY_CODES = frozenset({"40915", "43011", "22031"})


def _split_batch_v3(
    items: list[BitgetV3BatchItem] | None,
) -> tuple[list[tuple[str | None, str]], list[tuple[str | None, str | None, str | None]]]:
    """Split a v3 batch result (per-item ``code``, 3.6) into successes and failures."""
    success = []
    failure = []
    for item in items or []:
        if item.ok:
            success.append((item.clientOid, px.text(item.orderId)))
        else:
            failure.append((item.clientOid, px.text(item.code), item.msg))
    return success, failure


def dec_positive(value: Any) -> bool:
    """Return whether a wire number is set and positive."""
    number = px.dec(value)
    return number is not None and number > 0


def text_lower(value: Any) -> str:
    """Return a wire flag lowercased (``""`` for ``None``)."""
    return str(value).lower() if value is not None else ""


def _uuid() -> Any:
    from nautilus_trader.core.uuid import UUID4

    return UUID4()
