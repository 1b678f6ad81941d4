"""A hand-written v3 place-order body builder used by the simulator tests (an independent
client of the documented shape, bitget-protocol-uta.md 3.4-3.5: not the adapter's builder)."""

from __future__ import annotations

from typing import Any

from nautilus_bitget.constants import BitgetProductType
from nautilus_bitget.http.v3 import HOLD_MODES
from nautilus_bitget.http.v3 import MARGIN_MODES
from nautilus_bitget.http.v3 import TIME_IN_FORCE
from nautilus_bitget.http.v3 import category_param


def order_body(
    *,
    category: BitgetProductType | str,
    symbol: str,
    side: str,
    order_type: str,
    qty: str,
    price: str | None = None,
    time_in_force: str | None = None,
    client_oid: str | None = None,
    hold_mode: str = "one_way_mode",
    pos_side: str | None = None,
    reduce_only: bool = False,
    margin_mode: str | None = None,
    take_profit: str | None = None,
    stop_loss: str | None = None,
    tp_trigger_by: str | None = None,
    sl_trigger_by: str | None = None,
    stp_mode: str | None = None,
) -> dict[str, Any]:
    """
    Build a v3 ``place-order`` body (3.4) with the documented side/posSide semantics (3.5).

    ``side`` is always the trade direction. Hedge mode: ``pos_side`` names the position opened
    or closed (closing a long is ``side="sell", pos_side="long"``: the opposite of v2) and
    ``reduceOnly`` is never sent. One-way mode: no ``posSide``; closes use ``reduceOnly=yes``.

    Parameters
    ----------
    category, symbol, side, order_type, qty, price, time_in_force, client_oid
        Order fields (``price`` required for limit orders).
    hold_mode : str, default "one_way_mode"
        The account's hold mode (``account/settings`` ``holdMode``).
    pos_side : str, optional
        ``long``/``short``; required in hedge mode.
    reduce_only : bool, default False
        One-way mode only.
    margin_mode : str, optional
        ``crossed`` (venue default) or ``isolated``.
    take_profit, stop_loss, tp_trigger_by, sl_trigger_by, stp_mode
        Optional preset TP/SL and self-trade prevention.

    Returns
    -------
    dict[str, Any]

    Raises
    ------
    ValueError
        If a field is invalid (the message names it).

    """
    side = side.lower()
    order_type = order_type.lower()
    if side not in ("buy", "sell"):
        raise ValueError(f"side must be 'buy' or 'sell', was {side!r}")
    if order_type not in ("limit", "market"):
        raise ValueError(f"order_type must be 'limit' or 'market', was {order_type!r}")
    if hold_mode not in HOLD_MODES:
        raise ValueError(f"hold_mode must be one of {HOLD_MODES}, was {hold_mode!r}")
    body: dict[str, Any] = {
        "category": category_param(category),
        "symbol": symbol,
        "side": side,
        "orderType": order_type,
        "qty": qty,
    }
    if order_type == "limit":
        if not price:
            raise ValueError("price is required for a limit order")
        body["price"] = price
    if time_in_force is not None:
        tif = time_in_force.lower()
        if tif not in TIME_IN_FORCE:
            raise ValueError(f"time_in_force must be one of {TIME_IN_FORCE}, was {tif!r}")
        body["timeInForce"] = tif
    if hold_mode == "hedge_mode":
        if pos_side not in ("long", "short"):
            raise ValueError(f"pos_side must be 'long' or 'short' in hedge mode, was {pos_side!r}")
        body["posSide"] = pos_side
    elif reduce_only:
        body["reduceOnly"] = "yes"
    if margin_mode is not None:
        if margin_mode not in MARGIN_MODES:
            raise ValueError(f"margin_mode must be one of {MARGIN_MODES}, was {margin_mode!r}")
        body["marginMode"] = margin_mode
    if client_oid is not None:
        body["clientOid"] = client_oid
    extras = {
        "takeProfit": take_profit,
        "stopLoss": stop_loss,
        "tpTriggerBy": tp_trigger_by,
        "slTriggerBy": sl_trigger_by,
        "stpMode": stp_mode,
    }
    body.update({k: v for k, v in extras.items() if v is not None})
    return body
