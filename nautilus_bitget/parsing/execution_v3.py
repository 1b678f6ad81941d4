"""
Private UTA API v3 rows -> the v2 row shapes ``parsing.execution`` and the execution client read.

The execution client has one set of handlers (events, dedupe, reconciliation); like the data
client's stream dialects (``api.streams``) this module maps what differs onto the inputs
those handlers already take, so the Nautilus output is identical. Differences handled here
(bitget-protocol-uta.md 3.5, 3.7, 4.6, 6, 7.2):

* sides: v3 ``side`` is the trade direction and ``posSide``/``holdSide`` the position; v2 hedge rows
  repeat the *position* side with ``tradeSide=close`` for closes, so a v3 hedge close flips back;
  v3 ``tradeSide`` is ``open``/``close`` (WS, orders) or ``open_long``/``open_short``/
  ``close_long``/``close_short`` (REST fills), read through one table (``V3_TRADE_SIDE``);
* names: ``qty``/``cumExecQty``/``avgPrice``/``orderStatus``/``timeInForce``/``createdTime``/
  ``updatedTime`` (orders), ``execId``/``execPrice``/``execQty``/``execTime`` (fills), ``total``
  vs ``size``, ``avgPrice``, ``mmr`` (positions);
* ``orderStatus`` ``cancelled`` (two l's) and ``reduceOnly`` in any case;
* fees: the sign of v3 ``feeDetail[].fee`` differs between sources (3.7: the doc examples and WS
  fills positive = paid, a REST capture negative = paid). ``FeeSign`` reads the paid amount from
  the row's role (a taker always pays, so its sign also teaches the source's convention) and
  writes the v2 convention (negative = paid);
* strategy (trigger) status ``pending|submitting|success|failed|cancelled`` -> v2 plan states;
* TP/SL strategies (3.8, ``type=tpsl``) -> v2 TP/SL plan rows, one per leg (``tpsl_orders``,
  ``tpsl_push``): ``profit_plan`` from ``takeProfit``/``tpTriggerBy``/``tpOrderType``/
  ``tpLimitPrice``, ``loss_plan`` from the ``stopLoss``/``sl*`` fields, on the side that closes
  the position ``posSide``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from typing import Final

from nautilus_bitget.parsing.execution import V2_TRADE_SIDE
from nautilus_bitget.parsing.execution import dec
from nautilus_bitget.parsing.execution import get
from nautilus_bitget.parsing.execution import text
from nautilus_bitget.schemas.account import BitgetBill
from nautilus_bitget.schemas.account import BitgetPosition
from nautilus_bitget.schemas.trade import BitgetFeeDetail
from nautilus_bitget.schemas.trade import BitgetFill
from nautilus_bitget.schemas.trade import BitgetOrderDetail
from nautilus_bitget.schemas.trade import BitgetPlanOrder
from nautilus_bitget.schemas.v3.common import flag
from nautilus_bitget.schemas.v3.common import norm_order_status
from nautilus_bitget.schemas.ws_private import BitgetWsAlgoOrder
from nautilus_bitget.schemas.ws_private import BitgetWsFill
from nautilus_bitget.schemas.ws_private import BitgetWsOrder


HEDGE: Final[str] = "hedge_mode"
ONE_WAY: Final[str] = "one_way_mode"

# bitget-protocol-uta.md 3.8 strategy status -> v2 plan status (bitget-protocol.md 5.11)
STRATEGY_STATUS: Final[dict[str, str]] = {
    "pending": "live",
    "submitting": "executing",
    "success": "executed",
    "failed": "fail_execute",
    "cancelled": "cancelled",
    "canceled": "cancelled",
}


# bitget-protocol-uta.md 3.5, 3.7: v3 ``tradeSide`` -> (``open``/``close``, position side or
# ``None``: then the trade direction and the action name it). WS ``order``/``fill`` send ``open``/
# ``close``; REST fills name the position too. ``side`` is always the trade direction, so
# ``side=buy, tradeSide=close_short`` buys back a short.
V3_TRADE_SIDE: Final[dict[str, tuple[str, str | None]]] = {
    "open": ("open", None),
    "close": ("close", None),
    "open_long": ("open", "long"),
    "open_short": ("open", "short"),
    "close_long": ("close", "long"),
    "close_short": ("close", "short"),
}


def v2_side(direction: str | None, trade_side: str | None, hedge: bool) -> str:
    """
    Return the v2 ``side`` of a v3 row (3.5 vs bitget-protocol.md 5.5).

    One-way: the direction. Hedge: the position's side (a close flips the direction back).
    """
    side = text(direction).lower()
    if hedge and text(trade_side).lower() == "close":
        return "sell" if side == "buy" else "buy"
    return side


def intent(row: Any, hedge: bool) -> tuple[str | None, str | None]:
    """
    Return ``(open|close, long|short)`` of a v3 order or fill row (3.5, 3.7); ``None`` parts
    when the row cannot tell.

    The action and position come from ``tradeSide`` (``V3_TRADE_SIDE``; a v2-style value such
    as ``burst_close_long`` through the v2 table), the position else from ``posSide``/
    ``holdSide``; a missing action is derived in hedge mode (buying the long opens it) or from
    ``reduceOnly``; a missing position from the direction and the action (a closing buy acts on
    the short).
    """
    direction = text(get(row, "side")).lower()
    trade_side = text(get(row, "tradeSide")).lower()
    action, position = V3_TRADE_SIDE.get(trade_side, (None, None))
    if action is None and (v2 := V2_TRADE_SIDE.get(trade_side)) is not None:
        action, position = ("close" if v2.close else "open"), v2.position
    held = text(get(row, "posSide") or get(row, "holdSide")).lower()
    if position is None and held in ("long", "short"):
        position = held
    if action is None:
        if hedge and position is not None:
            action = "open" if (direction == "buy") == (position == "long") else "close"
        elif flag(get(row, "reduceOnly")):
            action = "close"
    if position is None and action is not None and direction in ("buy", "sell"):
        position = "long" if (direction == "buy") == (action == "open") else "short"
    return action, position


def _v2_side(row: Any, action: str | None, position: str | None, hedge: bool) -> str:
    """The v2 ``side``: the direction (one-way), the position's side (hedge, 5.5)."""
    if hedge and position in ("long", "short"):
        return "buy" if position == "long" else "sell"
    return v2_side(get(row, "side"), action, hedge)


def _hedge(row: Any, default: bool) -> bool:
    mode = text(get(row, "holdMode"))
    return mode == HEDGE if mode else default


def _yes_no(row: Any) -> str:
    return "YES" if flag(get(row, "reduceOnly")) else "NO"


class FeeSign:
    """
    Which sign means "paid" in the ``feeDetail[].fee`` of one v3 source (REST fills, WS fills).

    Real captures disagree (bitget-protocol-uta.md 3.7), so the row decides where it can: a taker
    fill always pays (Bitget has no negative taker rate), so its amount is paid whatever its sign,
    and its sign is remembered as the source's convention. A maker fill (or a row without a role)
    is read in that convention: the paid amount, or negative for a maker rebate. Until a taker
    row with a fee is seen, the documented convention holds (positive = paid).
    """

    def __init__(self) -> None:
        self.paid_sign = 1

    def learn(self, rows: Any) -> None:
        """Take the convention from the taker rows of a page (before converting any row)."""
        for row in rows or ():
            if _is_taker(row):
                for item in get(row, "feeDetail") or ():
                    self._learn(dec(get(item, "fee")))

    def paid(self, row: Any, fee: Decimal) -> Decimal:
        """Return the amount ``row`` paid for ``fee`` (negative: a rebate)."""
        if _is_taker(row):
            self._learn(fee)
            return abs(fee)
        return fee * self.paid_sign

    def _learn(self, fee: Decimal | None) -> None:
        if fee:
            self.paid_sign = 1 if fee > 0 else -1


def _is_taker(row: Any) -> bool:
    return text(get(row, "tradeScope")).lower() in ("taker", "t")


def fee_details(row: Any, fees: FeeSign | None = None) -> list[BitgetFeeDetail]:
    """
    Return v2 ``feeDetail`` (negative = paid) of a v3 row's ``feeDetail`` (``FeeSign``; without
    one, the documented convention: positive = paid).
    """
    sign = fees or FeeSign()
    out = []
    for item in get(row, "feeDetail") or []:
        fee = dec(get(item, "fee"))
        if fee is None:
            continue
        paid = sign.paid(row, fee)
        out.append(BitgetFeeDetail(feeCoin=get(item, "feeCoin"), totalFee=str(-paid)))
    return out


def _price(value: Any) -> str | None:
    """Return a price, ``None`` for market orders (``""`` on WS, ``"0"`` on REST, 3.7)."""
    price = dec(value)
    return text(value) if price else None


def _preset(row: Any, name: str) -> str | None:
    """A preset TP/SL price of an ``order`` push: ``takeProfit`` or ``takeprofit`` (4.6)."""
    value = get(row, name)
    if value in (None, ""):
        value = get(row, name.lower())
    return text(value) if dec(value) else None


def ws_order(row: Any, hedge: bool) -> BitgetWsOrder:
    """Return a v2 WS ``orders`` row from a v3 ``order`` push row (fills come on ``fill``)."""
    is_hedge = _hedge(row, hedge)
    trade_side, position = intent(row, is_hedge)
    return BitgetWsOrder(
        orderId=text(get(row, "orderId")),
        instId=text(get(row, "symbol")),
        clientOid=get(row, "clientOid") or None,
        price=_price(get(row, "price")),
        size=get(row, "qty"),
        orderType=get(row, "orderType"),
        force=get(row, "timeInForce"),
        side=_v2_side(row, trade_side, position, is_hedge),
        posSide=position if is_hedge else text(get(row, "holdSide") or get(row, "posSide")) or None,
        posMode=HEDGE if is_hedge else ONE_WAY,
        tradeSide=trade_side,
        marginMode=get(row, "marginMode"),
        marginCoin=get(row, "marginCoin"),
        reduceOnly=_yes_no(row).lower(),
        status=norm_order_status(get(row, "orderStatus")),
        accBaseVolume=get(row, "cumExecQty"),
        priceAvg=get(row, "avgPrice"),
        cancelReason=get(row, "cancelReason") or None,
        feeDetail=fee_details(row),
        presetStopSurplusPrice=_preset(row, "takeProfit"),
        presetStopLossPrice=_preset(row, "stopLoss"),
        cTime=get(row, "createdTime"),
        uTime=get(row, "updatedTime"),
    )


def order(row: Any, hedge: bool) -> BitgetOrderDetail:
    """Return a v2 order detail/list row from a v3 REST order (``order-info``, lists)."""
    is_hedge = _hedge(row, hedge)
    trade_side, position = intent(row, is_hedge)
    return BitgetOrderDetail(
        symbol=text(get(row, "symbol")),
        orderId=text(get(row, "orderId")),
        clientOid=get(row, "clientOid") or None,
        size=get(row, "qty"),
        baseVolume=get(row, "cumExecQty"),
        price=_price(get(row, "price")),
        priceAvg=get(row, "avgPrice"),
        state=norm_order_status(get(row, "orderStatus")),
        side=_v2_side(row, trade_side, position, is_hedge),
        force=get(row, "timeInForce"),
        posSide=position if is_hedge else text(get(row, "posSide") or get(row, "holdSide")) or None,
        orderType=get(row, "orderType"),
        marginMode=get(row, "marginMode"),
        reduceOnly=_yes_no(row),
        tradeSide=trade_side,
        posMode=HEDGE if is_hedge else ONE_WAY,
        cancelReason=get(row, "cancelReason") or None,
        cTime=get(row, "createdTime"),
        uTime=get(row, "updatedTime"),
    )


def ws_fill(row: Any, fees: FeeSign | None = None) -> BitgetWsFill:
    """
    Return a v2 WS ``fill`` row from a v3 ``fill``/``fast-fill`` row.

    Both carry the trade direction in ``side`` (read with ``side_is_direction=True``); ``fees``:
    the fee convention of the WS source.
    """
    return BitgetWsFill(
        orderId=text(get(row, "orderId")),
        tradeId=text(get(row, "execId")),
        symbol=text(get(row, "symbol")),
        price=text(get(row, "execPrice")),
        baseVolume=text(get(row, "execQty")),
        clientOid=get(row, "clientOid") or None,
        side=text(get(row, "side")).lower(),
        orderType=get(row, "orderType"),
        tradeSide=intent(row, hedge=False)[0],
        tradeScope=get(row, "tradeScope"),
        profit=get(row, "execPnl"),
        feeDetail=fee_details(row, fees),
        cTime=get(row, "execTime") or get(row, "updatedTime"),
    )


def fill(row: Any, hedge: bool, fees: FeeSign | None = None) -> BitgetFill:
    """
    Return a v2 REST fill from a v3 ``trade/fills`` row (v2 hedge side semantics): in hedge mode
    ``side`` names the position and ``tradeSide`` is ``open``/``close`` (bitget-protocol.md 5.5),
    so ``side=buy, tradeSide=close_short`` becomes ``side=sell, tradeSide=close``: a buy that
    closes the short.
    """
    trade_side, position = intent(row, hedge)
    side = _v2_side(row, trade_side, position, hedge)
    return BitgetFill(
        tradeId=text(get(row, "execId")),
        orderId=text(get(row, "orderId")),
        symbol=text(get(row, "symbol")),
        price=text(get(row, "execPrice")),
        baseVolume=text(get(row, "execQty")),
        clientOid=get(row, "clientOid") or None,
        feeDetail=fee_details(row, fees),
        side=side,
        quoteVolume=get(row, "execValue"),
        profit=get(row, "execPnl"),
        tradeSide=trade_side,
        posMode=HEDGE if hedge else ONE_WAY,
        tradeScope=get(row, "tradeScope"),
        cTime=get(row, "createdTime") or get(row, "updatedTime"),
    )


def position(row: Any, hedge: bool) -> BitgetPosition:
    """Return a v2 position from a v3 REST ``current-position`` or WS ``position`` row."""
    size = get(row, "total")
    if size is None:
        size = get(row, "size")
    return BitgetPosition(
        symbol=text(get(row, "symbol")),
        holdSide=text(get(row, "posSide")).lower(),
        marginCoin=get(row, "marginCoin"),
        marginSize=get(row, "positionBalance") or get(row, "marginSize"),
        available=get(row, "available"),
        total=size,
        leverage=get(row, "leverage"),
        achievedProfits=get(row, "curRealisedPnl"),
        openPriceAvg=get(row, "avgPrice") or get(row, "openPriceAvg"),
        marginMode=get(row, "marginMode"),
        posMode=HEDGE if _hedge(row, hedge) else ONE_WAY,
        unrealizedPL=get(row, "unrealisedPnl"),
        liquidationPrice=get(row, "liquidationPrice") or get(row, "liqPrice"),
        keepMarginRate=get(row, "mmr"),
        markPrice=get(row, "markPrice") or None,
        totalFee=get(row, "totalFunding") or get(row, "totalFundingFee"),
        uTime=get(row, "updatedTime"),
    )


def open_positions(rows: Any, hedge: bool) -> list[BitgetPosition]:
    """Return the open positions of v3 rows as v2 rows (a WS ``ended`` row has size 0)."""
    out = []
    for row in rows or []:
        converted = position(row, hedge)
        if (dec(converted.total) or Decimal(0)) > 0:
            out.append(converted)
    return out


def _strategy_fields(row: Any, hedge: bool) -> dict[str, Any]:
    position_side = text(get(row, "posSide")).lower()
    direction = text(get(row, "side")).lower()
    if hedge and position_side in ("long", "short"):
        if direction not in ("buy", "sell"):
            direction = "buy" if position_side == "long" else "sell"
        trade_side = intent({"side": direction, "posSide": position_side}, True)[0]
    else:
        trade_side = None
        if direction not in ("buy", "sell") and position_side in ("long", "short"):
            # one-way rows without ``side`` (REST, 3.8): the position side names the direction
            direction = "buy" if position_side == "long" else "sell"
    limit = text(get(row, "triggerOrderType")).lower() == "limit"
    return {
        "orderId": text(get(row, "orderId")),
        "clientOid": get(row, "clientOid") or None,
        "planType": "normal_plan",
        "size": get(row, "qty"),
        "price": get(row, "triggerOrderPrice") if limit else None,
        "triggerPrice": get(row, "triggerPrice"),
        "triggerType": "mark_price" if get(row, "triggerBy") == "mark" else "fill_price",
        "side": v2_side(direction, trade_side, hedge),
        "tradeSide": trade_side,
        "posSide": position_side or None,
        "posMode": HEDGE if hedge else ONE_WAY,
        "orderType": "limit" if limit else "market",
    }


# bitget-protocol-uta.md 3.8: the legs of a TP/SL strategy -> (field prefix, trigger field, v2 plan
# type, venue-id tag when a row carries both legs)
TPSL_LEGS: Final[tuple[tuple[str, str, str, str], ...]] = (
    ("tp", "takeProfit", "profit_plan", "TP"),
    ("sl", "stopLoss", "loss_plan", "SL"),
)


def _tpsl_fields(row: Any, hedge: bool, prefix: str, key: str, plan_type: str) -> dict[str, Any]:
    """
    Return the v2 plan-row fields of one TP/SL leg (3.8): it closes the position ``posSide``
    (a long's TP and SL sell); without ``posSide`` (one-way, ccxt's shape) ``side`` is the
    closing direction.
    """
    position_side = text(get(row, "posSide")).lower()
    if position_side in ("long", "short"):
        direction = "sell" if position_side == "long" else "buy"
    else:
        direction = text(get(row, "side")).lower()
        position_side = "long" if direction == "sell" else "short"
    trade_side = "close" if hedge else None
    limit = text(get(row, f"{prefix}OrderType")).lower() == "limit"
    by = text(get(row, f"{prefix}TriggerBy")).lower()
    return {
        "planType": plan_type,
        "size": get(row, "qty"),
        "executePrice": get(row, f"{prefix}LimitPrice") if limit else None,
        "triggerPrice": get(row, key),
        "triggerType": "mark_price" if by == "mark" else "fill_price",
        "side": v2_side(direction, trade_side, hedge),
        "tradeSide": trade_side,
        "posSide": position_side if hedge else "net",
        "posMode": HEDGE if hedge else ONE_WAY,
        "orderType": "limit" if limit else "market",
    }


def tpsl_orders(row: Any, hedge: bool) -> list[BitgetPlanOrder]:
    """
    Return the v2 TP/SL plan rows of a v3 ``tpsl`` strategy row (``unfilled-`` /
    ``history-strategy-orders``, 3.8): one row per leg present.

    A row carrying both legs is one strategy with one ``orderId`` (the legs cancel each other),
    but Nautilus needs one venue order id per order: its legs become ``<orderId>-TP`` and
    ``<orderId>-SL`` (``clientOid`` likewise suffixed), as the children of a bracket. A
    one-leg row keeps the venue's ``orderId`` and ``clientOid``, so a TP/SL placed by this
    client matches the id its ack returned. Both legs carry the strategy's status.
    """
    status = text(get(row, "status")).lower()
    legs = [leg for leg in TPSL_LEGS if dec(get(row, leg[1]))]
    order_id = text(get(row, "orderId"))
    client_oid = get(row, "clientOid") or None
    both = len(legs) > 1
    return [
        BitgetPlanOrder(
            orderId=f"{order_id}-{tag}" if both else order_id,
            clientOid=f"{client_oid}-{tag}" if both and client_oid else client_oid,
            symbol=text(get(row, "symbol")),
            planStatus=STRATEGY_STATUS.get(status, status),
            **_tpsl_fields(row, hedge, prefix, key, plan_type),
            cTime=get(row, "createdTime"),
            uTime=get(row, "updatedTime"),
        )
        for prefix, key, plan_type, tag in legs
    ]


def tpsl_push(row: Any, hedge: bool) -> BitgetWsAlgoOrder:
    """
    Return a v2 ``orders-algo`` row from a v3 ``strategy-order`` push of a TP/SL leg (4.6: one
    push per leg, ``triggerType`` ``takeProfit`` | ``stopLoss``; the ``orderId`` is the
    strategy's).
    """
    status = text(get(row, "status")).lower()
    take_profit = text(get(row, "triggerType")) == "takeProfit"
    prefix, key, plan_type, _ = TPSL_LEGS[0] if take_profit else TPSL_LEGS[1]
    return BitgetWsAlgoOrder(
        orderId=text(get(row, "orderId")),
        instId=text(get(row, "symbol")),
        clientOid=get(row, "clientOid") or None,
        status=STRATEGY_STATUS.get(status, status),
        **_tpsl_fields(row, hedge, prefix, key, plan_type),
        uTime=get(row, "updatedTime"),
    )


def strategy_push(row: Any, hedge: bool) -> BitgetWsAlgoOrder:
    """Return a v2 ``orders-algo`` row from a v3 ``strategy-order`` push (trigger type)."""
    status = text(get(row, "status")).lower()
    return BitgetWsAlgoOrder(
        instId=text(get(row, "symbol")),
        status=STRATEGY_STATUS.get(status, status),
        **_strategy_fields(row, hedge),
        uTime=get(row, "updatedTime"),
    )


def strategy_order(row: Any, hedge: bool) -> BitgetPlanOrder:
    """Return a v2 plan-list row from a v3 ``unfilled``/``history-strategy-orders`` row."""
    status = text(get(row, "status")).lower()
    return BitgetPlanOrder(
        symbol=text(get(row, "symbol")),
        planStatus=STRATEGY_STATUS.get(status, status),
        **_strategy_fields(row, hedge),
        cTime=get(row, "createdTime"),
        uTime=get(row, "updatedTime"),
    )


# bitget-protocol-uta.md 3.1: the ledger's ``type`` enum is marked unsure there. Funding rows per
# the
# UTA enum page: cross ``CONTRACT_MAIN_SETTLE_FEE_USER_IN/OUT``, isolated
# ``FIXED_SETTLE_FEE_USER_IN/OUT`` (IN = received, OUT = paid).
FUNDING_RECORD_TYPES: Final[frozenset[str]] = frozenset(
    {
        "CONTRACT_MAIN_SETTLE_FEE_USER_IN",
        "CONTRACT_MAIN_SETTLE_FEE_USER_OUT",
        "FIXED_SETTLE_FEE_USER_IN",
        "FIXED_SETTLE_FEE_USER_OUT",
    },
)


def funding_bill(row: Any) -> BitgetBill | None:
    """
    Return a v3 ledger row as a v2 ``contract_settle_fee`` bill (``None``: not funding).

    The sign comes from the type (``_IN`` +, ``_OUT`` -), whatever sign ``amount`` carries (the
    doc does not say whether ``_OUT`` amounts are negative).
    """
    kind = (row.type or "").upper()
    if kind not in FUNDING_RECORD_TYPES:
        return None
    amount = abs(dec(row.amount) or Decimal(0))
    signed = amount if kind.endswith("_IN") else -amount
    return BitgetBill(
        billId=text(row.id),
        businessType="contract_settle_fee",
        amount=str(signed),
        symbol=row.symbol,
        coin=row.coin,
        balance=text(row.balance) or None,
        cTime=text(row.ts) or None,
    )
