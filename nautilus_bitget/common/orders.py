"""
Nautilus order -> Bitget request bodies (bitget-protocol.md 5.4 - 5.11, 9.2, 9.3).

Pure functions, no I/O. The execution client decides *what* to send (open or close, which
clientOid); this module decides *how* it looks on the wire, so the mapping table can be tested
exactly.

Side mapping (bitget-protocol.md 5.5, 9.3):

=============  =====================  ==========  ===========  ==============
position mode  intent                 side        tradeSide    reduceOnly
=============  =====================  ==========  ===========  ==============
one-way        buy / sell             buy / sell  (omitted)    NO
one-way        reduce-only buy/sell   buy / sell  (omitted)    YES
hedge          open long (BUY)        buy         open         (omitted)
hedge          open short (SELL)      sell        open         (omitted)
hedge          close long (SELL)      buy         close        (omitted)
hedge          close short (BUY)      sell        close        (omitted)
=============  =====================  ==========  ===========  ==============

In hedge mode a close names the *position's* side, so "close long" is ``side=buy`` and sells.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any
from typing import Final

from nautilus_trader.model.enums import OrderSide
from nautilus_trader.model.enums import OrderType
from nautilus_trader.model.enums import PositionSide
from nautilus_trader.model.enums import TimeInForce
from nautilus_trader.model.enums import TriggerType

from nautilus_bitget.common.errors import BitgetOrderDenied


# bitget-protocol.md 9.2: the documented regexes disagree; <= 32 of [0-9A-Za-z_-] is accepted by
# all.
CLIENT_OID_MAX_LEN: Final[int] = 32
_CLIENT_OID_RE: Final[re.Pattern[str]] = re.compile(r"[0-9A-Za-z_-]{1,32}")
_ALIAS_RE: Final[re.Pattern[str]] = re.compile(r"^(?P<base>.+)_m(?P<n>[0-9]+)$")

PLAN_ORDER_TYPES: Final[frozenset[OrderType]] = frozenset(
    {
        OrderType.STOP_MARKET,
        OrderType.STOP_LIMIT,
        OrderType.MARKET_IF_TOUCHED,
        OrderType.LIMIT_IF_TOUCHED,
    },
)
SUPPORTED_ORDER_TYPES: Final[frozenset[OrderType]] = PLAN_ORDER_TYPES | {
    OrderType.MARKET,
    OrderType.LIMIT,
}

# bitget-protocol.md 5.11: a reduce-only trigger order on an open position is a closing TP/SL plan.
# A stop closes on an adverse move (stop-loss), an if-touched order on a favourable one
# (take-profit): the same side rule the venue checks (40829 / 40830).
TPSL_PLAN_TYPE: Final[dict[OrderType, str]] = {
    OrderType.STOP_MARKET: "loss_plan",
    OrderType.STOP_LIMIT: "loss_plan",
    OrderType.MARKET_IF_TOUCHED: "profit_plan",
    OrderType.LIMIT_IF_TOUCHED: "profit_plan",
}
# TP/SL plan types that take profit: full names (REST, 5.11) and ``orders-algo`` short codes (6.2)
TP_PLAN_TYPES: Final[frozenset[str]] = frozenset({"profit_plan", "pos_profit", "tp", "ptp"})
# ``orders-algo`` short codes -> the plan types of ``cancel-plan-order`` / ``modify-tpsl-order``
_PLAN_TYPE_NAMES: Final[dict[str, str]] = {
    "tp": "profit_plan",
    "sl": "loss_plan",
    "ptp": "pos_profit",
    "psl": "pos_loss",
    "mtpsl": "moving_plan",
    "pl": "normal_plan",
    "track": "track_plan",
}
# position TP/SL plans close the whole position: ``size`` is "" on modify (5.11)
_WHOLE_POSITION_PLANS: Final[frozenset[str]] = frozenset({"pos_profit", "pos_loss"})

_FORCE: Final[dict[TimeInForce, str]] = {
    TimeInForce.GTC: "gtc",
    TimeInForce.IOC: "ioc",
    TimeInForce.FOK: "fok",
}

# bitget-protocol.md 5.11: triggerType is mark_price or fill_price (= last price).
_TRIGGER_TYPE: Final[dict[TriggerType, str]] = {
    TriggerType.DEFAULT: "fill_price",
    TriggerType.LAST_PRICE: "fill_price",
    TriggerType.NO_TRIGGER: "fill_price",
    TriggerType.MARK_PRICE: "mark_price",
}

# Keys of a single place-order body that batch items do not carry (bitget-protocol.md 5.6).
_BATCH_SHARED_KEYS: Final[frozenset[str]] = frozenset(
    {
        "symbol",
        "productType",
        "marginCoin",
        "marginMode",
        "presetStopSurplusExecutePrice",
        "presetStopLossExecutePrice",
    },
)


# -- CLIENT OID ---------------------------------------------------------------------------------


def client_oid_error(value: str) -> str | None:
    """
    Return why ``value`` cannot be a Bitget clientOid, or ``None`` when it can.

    Parameters
    ----------
    value : str
        The Nautilus ``ClientOrderId`` value.

    Returns
    -------
    str or None

    """
    # fast path (hot: every order) with plain string methods; the pattern decides the rest
    if (
        0 < len(value) <= CLIENT_OID_MAX_LEN
        and value.isascii()
        and value.replace("-", "").replace("_", "").isalnum()
    ) or _CLIENT_OID_RE.fullmatch(value):
        return None
    if len(value) > CLIENT_OID_MAX_LEN:
        return (
            f"client_order_id {value!r} is {len(value)} chars; Bitget clientOid allows at most "
            f"{CLIENT_OID_MAX_LEN} chars of [0-9A-Za-z_-]"
        )
    return f"client_order_id {value!r} has characters outside [0-9A-Za-z_-] (Bitget clientOid rule)"


def modify_alias(client_oid: str, n: int) -> str:
    """
    Return the deterministic venue clientOid used for the ``n``-th modification of an order.

    Bitget's modify-order creates a new order with a mandatory ``newClientOid``
    (bitget-protocol.md 5.7); the Nautilus ``ClientOrderId`` stays the same and this alias maps
    back.
    ``<coid>_m<n>`` when it fits in 32 chars, else a hash of the coid plus the suffix.

    Parameters
    ----------
    client_oid : str
        The original (Nautilus) client order id.
    n : int
        Modification count, starting at 1.

    Returns
    -------
    str

    """
    suffix = f"_m{n}"
    if len(client_oid) + len(suffix) <= CLIENT_OID_MAX_LEN:
        return client_oid + suffix
    return hashed_base(client_oid, CLIENT_OID_MAX_LEN - len(suffix)) + suffix


def hashed_base(client_oid: str, length: int = 24) -> str:
    """Return the short hash prefix used by ``modify_alias`` for long client order ids."""
    return "h" + hashlib.blake2b(client_oid.encode(), digest_size=16).hexdigest()[: length - 1]


def alias_base(venue_client_oid: str) -> str | None:
    """Return the base of a ``modify_alias`` value (``None`` when it is not an alias)."""
    match = _ALIAS_RE.match(venue_client_oid)
    return match.group("base") if match else None


# -- SIDES --------------------------------------------------------------------------------------


def is_close(
    order_side: OrderSide,
    reduce_only: bool,
    position_id: str | None,
    position_side: PositionSide | None = None,
) -> bool:
    """
    Decide whether a hedge-mode order closes (``tradeSide=close``) or opens a position.

    Parameters
    ----------
    order_side : OrderSide
        The order's side (trade direction).
    reduce_only : bool
        The order's reduce-only flag: always a close.
    position_id : str, optional
        ``cmd.position_id`` value; ``...-LONG`` with a SELL or ``...-SHORT`` with a BUY closes.
    position_side : PositionSide, optional
        Side of the cached position named by ``position_id`` (virtual ids); an opposite-side
        order closes it.

    Returns
    -------
    bool

    """
    if reduce_only:
        return True
    if position_id:
        if position_id.endswith("-LONG"):
            return order_side == OrderSide.SELL
        if position_id.endswith("-SHORT"):
            return order_side == OrderSide.BUY
    if position_side == PositionSide.LONG:
        return order_side == OrderSide.SELL
    if position_side == PositionSide.SHORT:
        return order_side == OrderSide.BUY
    return False


def wire_side(order_side: OrderSide, *, hedge: bool, close: bool) -> tuple[str, str | None]:
    """
    Return ``(side, tradeSide)`` for the request (bitget-protocol.md 5.5).

    ``tradeSide`` is ``None`` in one-way mode (it must not be sent there, 9.3).
    """
    side = "buy" if order_side == OrderSide.BUY else "sell"
    if not hedge:
        return side, None
    if close:
        # Close names the position's side: selling closes the long -> "buy".
        return ("sell" if side == "buy" else "buy"), "close"
    return side, "open"


def trade_direction(side: str, trade_side: str | None, pos_mode: str | None) -> OrderSide:
    """
    Return the real trade direction of a venue order row or REST fill (bitget-protocol.md 5.5).

    In hedge mode a close row repeats the position side (``buy`` closes a long = sells).
    """
    buy = side == "buy"
    if pos_mode == "hedge_mode" and trade_side and "close" in trade_side:
        buy = not buy
    return OrderSide.BUY if buy else OrderSide.SELL


# -- REQUEST BODIES -----------------------------------------------------------------------------


def check_order(order: Any) -> tuple[bool, bool]:
    """
    Return ``(is_plan, has_price)`` of an order Bitget can take (both APIs), else raise.

    Raises
    ------
    BitgetOrderDenied
        If the order type, time in force or trigger type has no Bitget equivalent.

    """
    order_type = order.order_type
    if order_type not in SUPPORTED_ORDER_TYPES:
        raise BitgetOrderDenied(
            f"order_type {order.type_string()} is not supported by Bitget futures "
            "(use MARKET, LIMIT, STOP_MARKET, STOP_LIMIT, MARKET_IF_TOUCHED or LIMIT_IF_TOUCHED)",
        )
    is_plan = order_type in PLAN_ORDER_TYPES
    tif = order.time_in_force
    if order_type != OrderType.MARKET and tif not in _FORCE:
        raise BitgetOrderDenied(
            f"time_in_force {order.tif_string()} is not supported by Bitget (use GTC, IOC or FOK)",
        )
    if is_plan and tif != TimeInForce.GTC:
        raise BitgetOrderDenied(
            f"time_in_force {order.tif_string()} is not supported on Bitget trigger orders "
            "(GTC only)",
        )
    if is_plan and order.trigger_type not in _TRIGGER_TYPE:
        raise BitgetOrderDenied(
            f"trigger_type {order.trigger_type.name} is not supported by Bitget "
            "(use DEFAULT, LAST_PRICE or MARK_PRICE)",
        )
    has_price = order_type in (OrderType.LIMIT, OrderType.STOP_LIMIT, OrderType.LIMIT_IF_TOUCHED)
    return is_plan, has_price


def tpsl_plan_type(order: Any) -> str | None:
    """
    Return the TP/SL plan a reduce-only stop / if-touched order is (``loss_plan`` /
    ``profit_plan``), ``None`` for any other order (bitget-protocol.md 5.11).

    Whether it goes to the TP/SL endpoint also depends on its position being open (the caller).
    """
    if not order.is_reduce_only:
        return None
    return TPSL_PLAN_TYPE.get(order.order_type)


def closed_hold_side(order_side: OrderSide) -> str:
    """Return the position (``long`` / ``short``) a closing order of ``order_side`` reduces."""
    return "long" if order_side == OrderSide.SELL else "short"


def plan_type_name(plan_type: str | None) -> str:
    """Return the REST plan type of an ``orders-algo`` short code (6.2); full names pass."""
    value = plan_type or ""
    return _PLAN_TYPE_NAMES.get(value, value)


def time_in_force_wire(order: Any) -> str:
    """Return the wire time in force of a LIMIT order (``post_only`` for post-only)."""
    return "post_only" if order.is_post_only else _FORCE[order.time_in_force]


def order_request(
    order: Any,
    *,
    symbol: str,
    product_type: str,
    margin_coin: str,
    margin_mode: str,
    hedge: bool,
    close: bool,
    client_oid: str,
    take_profit: str | None = None,
    stop_loss: str | None = None,
) -> tuple[bool, dict[str, str]]:
    """
    Return ``(is_plan, body)`` for a Nautilus order.

    ``is_plan`` is ``True`` for ``place-plan-order`` (stop / if-touched types), ``False`` for
    ``place-order``.

    Parameters
    ----------
    order : Order
        The Nautilus order.
    symbol, product_type, margin_coin, margin_mode : str
        Venue routing fields.
    hedge : bool
        Whether the account is in hedge mode.
    close : bool
        Hedge mode: whether this order closes a position (see ``is_close``).
    client_oid : str
        The validated clientOid.
    take_profit, stop_loss : str, optional
        Attached TP/SL trigger prices (bracket orders, ``presetStopSurplusPrice`` /
        ``presetStopLossPrice``).

    Returns
    -------
    tuple[bool, dict[str, str]]

    Raises
    ------
    BitgetOrderDenied
        If the order type, time in force or trigger type has no Bitget equivalent.

    """
    is_plan, has_price = check_order(order)
    order_type = order.order_type
    side, trade_side = wire_side(order.side, hedge=hedge, close=close)
    body: dict[str, str] = {
        "symbol": symbol,
        "productType": product_type,
        "marginMode": margin_mode,
        "marginCoin": margin_coin,
        "size": str(order.quantity),
    }
    if is_plan:
        body["planType"] = "normal_plan"
        body["triggerPrice"] = str(order.trigger_price)
        body["triggerType"] = _TRIGGER_TYPE[order.trigger_type]
    if has_price:
        body["price"] = str(order.price)
    body["side"] = side
    if trade_side is not None:
        body["tradeSide"] = trade_side
    body["orderType"] = "limit" if has_price else "market"
    if not is_plan and order_type == OrderType.LIMIT:
        body["force"] = time_in_force_wire(order)
    body["clientOid"] = client_oid
    if not hedge:
        # bitget-protocol.md 9.7: YES/NO on place-order, yes/no on place-plan-order.
        flag = "YES" if order.is_reduce_only else "NO"
        body["reduceOnly"] = flag.lower() if is_plan else flag
    if is_plan:
        if take_profit:
            body["stopSurplusTriggerPrice"] = take_profit
        if stop_loss:
            body["stopLossTriggerPrice"] = stop_loss
    else:
        if take_profit:
            body["presetStopSurplusPrice"] = take_profit
        if stop_loss:
            body["presetStopLossPrice"] = stop_loss
    return is_plan, body


def tpsl_request(
    order: Any,
    *,
    symbol: str,
    product_type: str,
    margin_coin: str,
    hedge: bool,
    hold_side: str,
    client_oid: str,
) -> dict[str, str]:
    """
    Return a ``place-tpsl-order`` body (bitget-protocol.md 5.11) of a reduce-only stop /
    if-touched order that closes the open position ``hold_side``.

    STOP_MARKET / STOP_LIMIT -> ``loss_plan``, MARKET_IF_TOUCHED / LIMIT_IF_TOUCHED ->
    ``profit_plan``; ``executePrice`` the limit price (``0`` = market); ``holdSide`` names the
    position (hedge ``long``/``short``, one-way ``buy`` = long / ``sell`` = short); ``size`` the
    order's quantity.

    Raises
    ------
    BitgetOrderDenied
        If the order is not a stop / if-touched order Bitget can take.

    """
    _, has_price = check_order(order)
    plan_type = TPSL_PLAN_TYPE.get(order.order_type)
    if plan_type is None:
        raise BitgetOrderDenied(f"{order.type_string()} is not a Bitget TP/SL order")
    if not hedge:
        hold_side = "buy" if hold_side == "long" else "sell"
    return {
        "marginCoin": margin_coin,
        "productType": product_type,
        "symbol": symbol,
        "planType": plan_type,
        "triggerPrice": str(order.trigger_price),
        "triggerType": _TRIGGER_TYPE[order.trigger_type],
        "executePrice": str(order.price) if has_price else "0",
        "holdSide": hold_side,
        "size": str(order.quantity),
        "clientOid": client_oid,
    }


def modify_tpsl_request(
    *,
    symbol: str,
    product_type: str,
    margin_coin: str,
    order_id: str | None,
    client_oid: str,
    plan_type: str,
    size: str,
    trigger_price: str,
    execute_price: str | None,
    trigger_type: str | None,
) -> dict[str, str]:
    """
    Return a ``modify-tpsl-order`` body (bitget-protocol.md 5.11): ``triggerPrice`` and ``size``
    are required (``size`` ``""`` for ``pos_profit`` / ``pos_loss``), ``executePrice`` ``0`` =
    market; the plan keeps its orderId.
    """
    body = {}
    if order_id:
        body["orderId"] = order_id
    else:
        body["clientOid"] = client_oid
    body.update(
        {
            "marginCoin": margin_coin,
            "productType": product_type,
            "symbol": symbol,
            "triggerPrice": trigger_price,
        },
    )
    if trigger_type:
        body["triggerType"] = trigger_type
    body["executePrice"] = execute_price or "0"
    body["size"] = "" if plan_type_name(plan_type) in _WHOLE_POSITION_PLANS else size
    return body


def batch_item(body: dict[str, str]) -> dict[str, str]:
    """Return a ``batch-place-order`` ``orderList`` item for a single place-order body."""
    return {k: v for k, v in body.items() if k not in _BATCH_SHARED_KEYS}


def batch_request(
    items: list[dict[str, str]],
    *,
    symbol: str,
    product_type: str,
    margin_coin: str,
    margin_mode: str,
) -> dict[str, Any]:
    """Return a ``batch-place-order`` body (bitget-protocol.md 5.6; all items share the symbol)."""
    return {
        "symbol": symbol,
        "productType": product_type,
        "marginCoin": margin_coin,
        "marginMode": margin_mode,
        "orderList": items,
    }


def modify_request(
    *,
    symbol: str,
    product_type: str,
    order_id: str | None,
    client_oid: str,
    new_client_oid: str,
    new_size: str,
    new_price: str,
) -> dict[str, str]:
    """
    Return a ``modify-order`` body (bitget-protocol.md 5.7: size and price always together).

    The current value is passed for the unchanged one.
    """
    body = {"symbol": symbol, "productType": product_type}
    if order_id:
        body["orderId"] = order_id
    else:
        body["clientOid"] = client_oid
    body["newClientOid"] = new_client_oid
    body["newSize"] = new_size
    body["newPrice"] = new_price
    return body


def modify_plan_request(
    *,
    product_type: str,
    order_id: str | None,
    client_oid: str,
    new_size: str,
    new_trigger_price: str,
    new_price: str | None,
    trigger_type: str | None,
) -> dict[str, str]:
    """Return a ``modify-plan-order`` body (bitget-protocol.md 5.11)."""
    body = {"productType": product_type}
    if order_id:
        body["orderId"] = order_id
    else:
        body["clientOid"] = client_oid
    body["newSize"] = new_size
    body["newTriggerPrice"] = new_trigger_price
    if new_price is not None:
        body["newPrice"] = new_price
    if trigger_type:
        body["newTriggerType"] = trigger_type
    return body


def order_ref(order_id: str | None, client_oid: str | None) -> dict[str, str]:
    """Return ``{"orderId": ...}`` when the venue id is known, else ``{"clientOid": ...}``."""
    if order_id:
        return {"orderId": order_id}
    return {"clientOid": client_oid or ""}


def chunks(items: list[Any], size: int) -> list[list[Any]]:
    """Split ``items`` into lists of at most ``size``."""
    return [items[i : i + size] for i in range(0, len(items), size)]


def trigger_type_wire(trigger_type: TriggerType) -> str | None:
    """Return the Bitget ``triggerType`` for a Nautilus trigger type (``None``: unsupported)."""
    return _TRIGGER_TYPE.get(trigger_type)
