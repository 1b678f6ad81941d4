"""
Order timelines: one row per order event, for comparing when and where quotes rested.

``order_event_rows`` flattens the events of orders (from a backtest engine's or a live node's
cache) into ``{ts, client_order_id, event, side, price, qty, tags}`` rows; ``price`` is the order's
price after the event (an ``OrderUpdated`` moves it), ``qty`` the filled quantity of a fill.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from nautilus_trader.model.events import OrderFilled
from nautilus_trader.model.events import OrderUpdated


EVENT_NAMES = {
    "OrderSubmitted": "submitted",
    "OrderAccepted": "accepted",
    "OrderPendingUpdate": "pending_update",
    "OrderUpdated": "updated",
    "OrderPendingCancel": "pending_cancel",
    "OrderCanceled": "canceled",
    "OrderFilled": "filled",
    "OrderRejected": "rejected",
    "OrderExpired": "expired",
}


def order_event_rows(orders: Iterable[Any]) -> list[dict[str, Any]]:
    """
    Return the events of ``orders`` as rows sorted by ``ts`` (the node clock, ``ts_init``).

    Parameters
    ----------
    orders : iterable of Order
        Orders with their events.

    Returns
    -------
    list[dict]

    """
    rows: list[dict[str, Any]] = []
    for order in orders:
        current = _initial_price(order)
        tags = ";".join(order.tags or [])
        for e in order.events:
            name = EVENT_NAMES.get(type(e).__name__)
            if name is None:
                continue
            if isinstance(e, OrderUpdated) and e.price is not None:
                current = str(e.price)
            row = {
                "ts": int(e.ts_init),
                "client_order_id": order.client_order_id.value,
                "event": name,
                "side": order.side.name,
                "type": order.order_type.name,
                "price": current,
                "tags": tags,
            }
            if isinstance(e, OrderFilled):
                row["price"] = str(e.last_px)
                row["qty"] = str(e.last_qty)
                row["ts_event"] = int(e.ts_event)
            rows.append(row)
    rows.sort(key=lambda r: r["ts"])
    return rows


def _initial_price(order: Any) -> str:
    # the price the order was created with (``OrderInitialized.options``), before any update
    options = getattr(order.init_event, "options", None) or {}
    price = options.get("price")
    if price is None:
        price = getattr(order, "price", None)
    return str(price) if price is not None else ""
