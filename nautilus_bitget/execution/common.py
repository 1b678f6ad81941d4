"""Constants and small helpers shared by the execution client's collaborators."""

from __future__ import annotations

from typing import Any
from typing import Final

from nautilus_trader.core.uuid import UUID4
from nautilus_trader.model.enums import OrderStatus
from nautilus_trader.model.orders import Order

from nautilus_bitget.common.orders import PLAN_ORDER_TYPES
from nautilus_bitget.parsing import execution as px


TRADE_ID_MEMORY: Final[int] = 100_000  # fills de-duplicated by trade id (bounded)
BILL_ID_MEMORY: Final[int] = 10_000  # funding bills de-duplicated by bill id (bounded)
# post-only orders refused because they would take: v2 (40915, 43011) and v3 (22031)
POST_ONLY_CODES: Final[frozenset[str]] = frozenset({"40915", "43011", "22031"})


def dec_positive(value: Any) -> bool:
    """Return whether a wire number is set and positive."""
    number = px.dec(value)
    return number is not None and number > 0


def text_lower(value: Any) -> str:
    """Return a wire flag lowercased (``""`` for ``None``)."""
    return str(value).lower() if value is not None else ""


def is_live_plan(order: Order) -> bool:
    """Return whether ``order`` is a trigger order whose venue plan has not fired yet."""
    return order.order_type in PLAN_ORDER_TYPES and order.status != OrderStatus.TRIGGERED


def new_uuid() -> UUID4:
    """Return a fresh Nautilus ``UUID4`` (command ids, request ids)."""
    return UUID4()
