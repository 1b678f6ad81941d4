"""
Nautilus order -> Bitget UTA API v3 request bodies (bitget-protocol-uta.md 3.4 - 3.8).

Pure functions, no I/O; the v2 twin is ``common.orders`` (same validation, ``check_order``).

Side mapping (bitget-protocol-uta.md 3.5): ``side`` is always the trade direction.

=============  ======================  ==========  ===========  ==========
hold mode      intent                  side        posSide      reduceOnly
=============  ======================  ==========  ===========  ==========
one-way        buy / sell              buy / sell  (omitted)    (omitted)
one-way        reduce-only buy/sell    buy / sell  (omitted)    yes
hedge          open long (BUY)         buy         long         (omitted)
hedge          open short (SELL)       sell        short        (omitted)
hedge          close long (SELL)       sell        long         (omitted)
hedge          close short (BUY)       buy         short        (omitted)
=============  ======================  ==========  ===========  ==========

In hedge mode closing a long is ``sell`` + ``posSide=long``: the opposite of v2, where the close
names the position's side (``buy`` + ``tradeSide=close``). ``reduceOnly`` is never sent with
``posSide`` (7.5).
"""

from __future__ import annotations

from typing import Any
from typing import Final

from nautilus_trader.model.enums import OrderSide
from nautilus_trader.model.enums import OrderType
from nautilus_trader.model.enums import TriggerType

from nautilus_bitget.common.errors import BitgetOrderDenied
from nautilus_bitget.common.orders import TP_PLAN_TYPES
from nautilus_bitget.common.orders import TPSL_PLAN_TYPE
from nautilus_bitget.common.orders import check_order
from nautilus_bitget.common.orders import plan_type_name
from nautilus_bitget.common.orders import time_in_force_wire


# bitget-protocol-uta.md 3.8: triggerBy is market (last price) or mark
_TRIGGER_BY: Final[dict[TriggerType, str]] = {
    TriggerType.DEFAULT: "market",
    TriggerType.LAST_PRICE: "market",
    TriggerType.NO_TRIGGER: "market",
    TriggerType.MARK_PRICE: "mark",
}


def pos_side(order_side: OrderSide, *, close: bool) -> str:
    """Return the hedge-mode ``posSide`` an order opens (``close=False``) or closes (3.5)."""
    long = (order_side == OrderSide.BUY) != close
    return "long" if long else "short"


def _sides(order: Any, *, hedge: bool, close: bool) -> dict[str, str]:
    out = {"side": "buy" if order.side == OrderSide.BUY else "sell"}
    if hedge:
        out["posSide"] = pos_side(order.side, close=close)
    elif order.is_reduce_only:
        out["reduceOnly"] = "yes"
    return out


def order_request_v3(
    order: Any,
    *,
    symbol: str,
    category: str,
    margin_mode: str,
    hedge: bool,
    close: bool,
    client_oid: str,
    take_profit: str | None = None,
    stop_loss: str | None = None,
) -> tuple[bool, dict[str, str]]:
    """
    Return ``(is_strategy, body)``: ``place-order`` (3.4) or a ``trigger`` ``place-strategy-order``
    (3.8) for stop / if-touched types.

    Parameters
    ----------
    order : Order
        The Nautilus order.
    symbol, category : str
        Venue routing (``category`` upper case, 2.1).
    margin_mode : str
        ``crossed`` or ``isolated``: v3 sets the margin mode per order (3.3).
    hedge : bool
        Whether the account holds hedge mode (account-wide in v3).
    close : bool
        Hedge mode: whether this order closes a position (see ``common.orders.is_close``).
    client_oid : str
        The validated clientOid.
    take_profit, stop_loss : str, optional
        Preset TP/SL trigger prices (bracket orders, ``takeProfit`` / ``stopLoss``).

    Returns
    -------
    tuple[bool, dict[str, str]]

    Raises
    ------
    BitgetOrderDenied
        If the order has no Bitget equivalent (same rules as v2).

    """
    is_plan, has_price = check_order(order)
    body: dict[str, str] = {
        "category": category,
        "symbol": symbol,
        "qty": str(order.quantity),
        **_sides(order, hedge=hedge, close=close),
        "marginMode": margin_mode,
        "clientOid": client_oid,
    }
    if is_plan:
        body["type"] = "trigger"
        body["triggerPrice"] = str(order.trigger_price)
        body["triggerBy"] = _TRIGGER_BY[order.trigger_type]
        body["triggerOrderType"] = "limit" if has_price else "market"
        if has_price:
            body["triggerOrderPrice"] = str(order.price)
    else:
        body["orderType"] = "limit" if has_price else "market"
        if has_price:
            body["price"] = str(order.price)
        if order.order_type == OrderType.LIMIT:
            body["timeInForce"] = time_in_force_wire(order)
    if take_profit:
        body["takeProfit"] = take_profit
    if stop_loss:
        body["stopLoss"] = stop_loss
    return is_plan, body


def modify_request_v3(
    *,
    category: str,
    symbol: str,
    order_id: str | None,
    client_oid: str,
    qty: str,
    price: str,
    request_id: str,
) -> dict[str, str]:
    """
    Return a ``modify-order`` body (3.6): asynchronous, confirmed by the ``order`` push that
    echoes ``requestId``; ``autoCancel=no`` keeps the original order if the amend fails.
    """
    body = {"category": category, "symbol": symbol}
    if order_id:
        body["orderId"] = order_id
    else:
        body["clientOid"] = client_oid
    body.update({"qty": qty, "price": price, "autoCancel": "no", "requestId": request_id})
    return body


def modify_strategy_request_v3(
    *,
    category: str,
    symbol: str,
    order_id: str | None,
    client_oid: str,
    qty: str,
    trigger_price: str,
    price: str | None,
    trigger_type: TriggerType,
) -> dict[str, str]:
    """Return a ``modify-strategy-order`` body (3.8: ``qty`` is required with the id)."""
    body = {"category": category, "symbol": symbol}
    if order_id:
        body["orderId"] = order_id
    else:
        body["clientOid"] = client_oid
    body.update(
        {
            "qty": qty,
            "triggerPrice": trigger_price,
            "triggerBy": _TRIGGER_BY.get(trigger_type, "market"),
        },
    )
    if price is not None:
        body["triggerOrderPrice"] = price
    return body


def _tpsl_leg(plan_type: str) -> tuple[str, str]:
    """Return ``(prefix, trigger field)`` of a leg: ``tp``/``takeProfit``, ``sl``/``stopLoss``."""
    return ("tp", "takeProfit") if plan_type in TP_PLAN_TYPES else ("sl", "stopLoss")


def tpsl_request_v3(
    order: Any,
    *,
    symbol: str,
    category: str,
    hedge: bool,
    hold_side: str,
    client_oid: str,
) -> dict[str, str]:
    """
    Return a ``place-strategy-order`` ``type=tpsl`` body (3.8) of a reduce-only stop /
    if-touched order that closes the open position ``hold_side``: ``tpslMode=partial`` with the
    order's ``qty``; a stop is the ``stopLoss`` leg, an if-touched order the ``takeProfit`` leg
    (``*TriggerBy``, ``*OrderType``, ``*LimitPrice``). ``side`` is the trade direction (3.5, as
    ccxt's one-way TP/SL); ``posSide`` names the position in hedge mode.

    Raises
    ------
    BitgetOrderDenied
        If the order is not a stop / if-touched order Bitget can take.

    """
    _, has_price = check_order(order)
    plan_type = TPSL_PLAN_TYPE.get(order.order_type)
    if plan_type is None:
        raise BitgetOrderDenied(f"{order.type_string()} is not a Bitget TP/SL order")
    prefix, key = _tpsl_leg(plan_type)
    body = {
        "category": category,
        "symbol": symbol,
        "clientOid": client_oid,
        "type": "tpsl",
        "tpslMode": "partial",
        "qty": str(order.quantity),
        "side": "buy" if order.side == OrderSide.BUY else "sell",
    }
    if hedge:
        body["posSide"] = hold_side
    body[key] = str(order.trigger_price)
    body[f"{prefix}TriggerBy"] = _TRIGGER_BY[order.trigger_type]
    body[f"{prefix}OrderType"] = "limit" if has_price else "market"
    if has_price:
        body[f"{prefix}LimitPrice"] = str(order.price)
    return body


def modify_tpsl_request_v3(
    *,
    category: str,
    symbol: str,
    order_id: str | None,
    client_oid: str,
    plan_type: str,
    qty: str,
    trigger_price: str,
    price: str | None,
    trigger_type: TriggerType | None,
) -> dict[str, str]:
    """
    Return a ``modify-strategy-order`` body of a TP/SL strategy leg (3.8: ``qty`` is required
    with the id): the leg's trigger (``takeProfit`` / ``stopLoss``), trigger source, order type
    and limit price.
    """
    prefix, key = _tpsl_leg(plan_type_name(plan_type))
    body = {"category": category, "symbol": symbol}
    if order_id:
        body["orderId"] = order_id
    else:
        body["clientOid"] = client_oid
    body["qty"] = qty
    body[key] = trigger_price
    if trigger_type is not None:
        body[f"{prefix}TriggerBy"] = _TRIGGER_BY.get(trigger_type, "market")
    body[f"{prefix}OrderType"] = "limit" if price is not None else "market"
    if price is not None:
        body[f"{prefix}LimitPrice"] = price
    return body


def cancel_item_v3(category: str, symbol: str, ref: dict[str, str]) -> dict[str, str]:
    """Return a ``cancel-batch`` item / ``cancel-order`` body (3.6)."""
    return {"category": category, "symbol": symbol, **ref}
