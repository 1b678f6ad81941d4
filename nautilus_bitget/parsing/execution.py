"""
Private wire rows -> Nautilus execution reports, balances and enum values.

Rows are the decoded msgspec structs of ``schemas/trade.py``, ``schemas/account.py`` and
``schemas/ws_private.py`` (venue field names); plain dicts work too. Field differences between
sources (bitget-protocol.md 5.10, 6.2):

* order status: REST detail ``state``, lists and WS ``status``;
* filled quantity: REST ``baseVolume``, WS ``orders`` ``accBaseVolume`` (there ``baseVolume`` is
  the size of *this* fill);
* fills: WS ``orders`` fill messages ``fillPrice``/``fillFee``/``tradeScope`` ``T``/``M``; WS
  ``fill`` and REST fills ``price``/``feeDetail``/``tradeScope`` ``taker``/``maker``.

Fee sign (9.4): negative = paid; a Nautilus commission is positive when paid, so it is negated.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from typing import Final
from typing import NamedTuple

from nautilus_trader.core.uuid import UUID4
from nautilus_trader.execution.reports import FillReport
from nautilus_trader.execution.reports import OrderStatusReport
from nautilus_trader.execution.reports import PositionStatusReport
from nautilus_trader.model.enums import LiquiditySide
from nautilus_trader.model.enums import OrderSide
from nautilus_trader.model.enums import OrderStatus
from nautilus_trader.model.enums import OrderType
from nautilus_trader.model.enums import PositionSide
from nautilus_trader.model.enums import TimeInForce
from nautilus_trader.model.enums import TriggerType
from nautilus_trader.model.identifiers import AccountId
from nautilus_trader.model.identifiers import ClientOrderId
from nautilus_trader.model.identifiers import InstrumentId
from nautilus_trader.model.identifiers import PositionId
from nautilus_trader.model.identifiers import TradeId
from nautilus_trader.model.identifiers import VenueOrderId
from nautilus_trader.model.objects import AccountBalance
from nautilus_trader.model.objects import Currency
from nautilus_trader.model.objects import MarginBalance
from nautilus_trader.model.objects import Money

from nautilus_bitget.common.orders import TP_PLAN_TYPES
from nautilus_bitget.common.orders import trade_direction


ORDER_STATUS: Final[dict[str, OrderStatus]] = {
    "init": OrderStatus.ACCEPTED,
    "new": OrderStatus.ACCEPTED,
    "live": OrderStatus.ACCEPTED,
    "partially_filled": OrderStatus.PARTIALLY_FILLED,
    "filled": OrderStatus.FILLED,
    "canceled": OrderStatus.CANCELED,
    "cancelled": OrderStatus.CANCELED,
}
# bitget-protocol.md 5.11 / 6.2: plan (trigger) order states; ``cancelled`` with double l.
PLAN_STATUS: Final[dict[str, OrderStatus]] = {
    "live": OrderStatus.ACCEPTED,
    "not_trigger": OrderStatus.ACCEPTED,
    "executing": OrderStatus.TRIGGERED,
    "executed": OrderStatus.TRIGGERED,
    "triggered": OrderStatus.TRIGGERED,
    "fail_execute": OrderStatus.REJECTED,
    "cancelled": OrderStatus.CANCELED,
    "canceled": OrderStatus.CANCELED,
}
TIME_IN_FORCE: Final[dict[str, TimeInForce]] = {
    "gtc": TimeInForce.GTC,
    "normal": TimeInForce.GTC,
    "ioc": TimeInForce.IOC,
    "fok": TimeInForce.FOK,
    "post_only": TimeInForce.GTC,
}
TRIGGER_TYPE: Final[dict[str, TriggerType]] = {
    "mark_price": TriggerType.MARK_PRICE,
    "fill_price": TriggerType.LAST_PRICE,
    "index_price": TriggerType.INDEX_PRICE,
}
LIQUIDITY_SIDE: Final[dict[str, LiquiditySide]] = {
    "T": LiquiditySide.TAKER,
    "taker": LiquiditySide.TAKER,
    "M": LiquiditySide.MAKER,
    "maker": LiquiditySide.MAKER,
}
# bitget-protocol.md 5.11, 6.2: TP/SL plan types (REST names and ``orders-algo`` short codes); a
# TP/SL closes a position, so it is reduce-only
TPSL_PLAN_TYPES: Final[frozenset[str]] = TP_PLAN_TYPES | {"loss_plan", "pos_loss", "sl", "psl"}
POSITION_SIDE: Final[dict[str, PositionSide]] = {
    "long": PositionSide.LONG,
    "short": PositionSide.SHORT,
}


class TradeSide(NamedTuple):
    """
    What a read-back ``tradeSide`` value says (bitget-protocol.md 5.5).

    ``close``: the trade reduces a position. ``direction`` (``buy``/``sell``) and ``position``
    (``long``/``short``) when the value names them, else ``None`` (then ``side`` and ``posMode``
    decide: a hedge ``close`` row repeats the position side).
    """

    close: bool
    direction: str | None = None
    position: str | None = None


# bitget-protocol.md 5.5: every documented read-back ``tradeSide`` (order rows, fills, pushes).
# ``*_close_long`` sells a long, ``*_close_short`` buys back a short (reduce = reduce-only,
# burst = liquidation, offset = netting, delivery, dte_sys_adl = auto-deleveraging); ``*_single``
# are one-way trades in the named direction, reducing except plain ``buy_single``/``sell_single``.
V2_TRADE_SIDE: Final[dict[str, TradeSide]] = {
    "open": TradeSide(close=False),
    "close": TradeSide(close=True),
    "buy_single": TradeSide(close=False, direction="buy"),
    "sell_single": TradeSide(close=False, direction="sell"),
    "reduce_close_long": TradeSide(close=True, direction="sell", position="long"),
    "reduce_close_short": TradeSide(close=True, direction="buy", position="short"),
    "burst_close_long": TradeSide(close=True, direction="sell", position="long"),
    "burst_close_short": TradeSide(close=True, direction="buy", position="short"),
    "offset_close_long": TradeSide(close=True, direction="sell", position="long"),
    "offset_close_short": TradeSide(close=True, direction="buy", position="short"),
    "delivery_close_long": TradeSide(close=True, direction="sell", position="long"),
    "delivery_close_short": TradeSide(close=True, direction="buy", position="short"),
    "dte_sys_adl_close_long": TradeSide(close=True, direction="sell", position="long"),
    "dte_sys_adl_close_short": TradeSide(close=True, direction="buy", position="short"),
    "reduce_buy_single": TradeSide(close=True, direction="buy"),
    "reduce_sell_single": TradeSide(close=True, direction="sell"),
    "burst_buy_single": TradeSide(close=True, direction="buy"),
    "burst_sell_single": TradeSide(close=True, direction="sell"),
    "delivery_buy_single": TradeSide(close=True, direction="buy"),
    "delivery_sell_single": TradeSide(close=True, direction="sell"),
    "dte_sys_adl_buy_in_single_side_mode": TradeSide(close=True, direction="buy"),
    "dte_sys_adl_sell_in_single_side_mode": TradeSide(close=True, direction="sell"),
}


def get(row: Any, name: str) -> Any:
    """Return field ``name`` of a struct or dict row (``None`` when absent)."""
    if isinstance(row, dict):
        return row.get(name)
    return getattr(row, name, None)


def text(value: Any) -> str:
    """Return a wire value as text (``""`` for ``None``; floats by ``repr``)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return repr(value) if isinstance(value, float) else str(value)


def dec(value: Any) -> Decimal | None:
    """Return a wire value as ``Decimal`` (``None`` when empty)."""
    t = text(value).strip()
    if not t:
        return None
    try:
        return Decimal(t)
    except ArithmeticError:
        return None


def ms_to_ns(value: Any, default: int = 0) -> int:
    """Return a ms wire timestamp (str or number) as ns (``default`` when empty)."""
    t = text(value).strip()
    if not t:
        return default
    try:
        return int(t) * 1_000_000
    except ValueError:
        return default


def is_hedge(row: Any) -> bool:
    """Return whether a row says ``posMode == hedge_mode``."""
    return get(row, "posMode") == "hedge_mode"


def client_oid_of(row: Any) -> str:
    """Return the clientOid of a row (the docs sometimes spell it ``clientOId``, 6.2)."""
    return text(get(row, "clientOid") or get(row, "clientOId"))


def venue_position_id(
    instrument_id: InstrumentId,
    hold_side: str | None,
    *,
    hedge: bool,
    use_position_ids: bool,
) -> PositionId | None:
    """Return ``<instrument_id>-LONG``/``-SHORT`` in hedge mode (when enabled), else ``None``."""
    if not (hedge and use_position_ids) or hold_side not in ("long", "short"):
        return None
    return PositionId(f"{instrument_id}-{hold_side.upper()}")


def trade_side_of(row: Any) -> TradeSide | None:
    """Return the meaning of a row's ``tradeSide`` (``None``: absent or not documented, 5.5)."""
    return V2_TRADE_SIDE.get(text(get(row, "tradeSide")).lower())


def is_close(row: Any) -> bool:
    """
    Return whether an order row reduces a position: ``reduceOnly``, a hedge ``close``, or a
    ``tradeSide`` that names a reducing trade (``reduce_``/``burst_``/... values, 5.5).
    """
    if text(get(row, "reduceOnly")).lower() == "yes":
        return True
    meaning = trade_side_of(row)
    if meaning is None:
        return is_hedge(row) and "close" in text(get(row, "tradeSide"))
    return meaning.close and (is_hedge(row) or meaning.direction is not None)


def hold_side_of(row: Any, *, side_is_direction: bool = False) -> str | None:
    """
    Return the hedge position side (``long``/``short``) an order or fill row acts on.

    ``posSide``, else the position a ``tradeSide`` names (``burst_close_short``...), else (order
    rows, REST fills) ``side``, which names the position in hedge mode (5.5). With
    ``side_is_direction`` (WS ``fill``) only an explicit position is returned.
    """
    pos_side = get(row, "posSide")
    if pos_side in ("long", "short"):
        return pos_side
    meaning = trade_side_of(row)
    if meaning is not None and meaning.position is not None:
        return meaning.position
    if side_is_direction:
        return None
    side = get(row, "side")
    if side in ("buy", "sell"):
        return "long" if side == "buy" else "short"
    return None


def fee_of(row: Any) -> tuple[Decimal, str | None]:
    """
    Return ``(venue fee, fee coin)`` of a fill row; negative = paid (bitget-protocol.md 9.4).

    WS ``orders`` fill messages carry ``fillFee``/``fillFeeCoin``; WS ``fill`` and REST fills a
    ``feeDetail`` list (``totalDeductionFee`` when ``deduction == "yes"``).
    """
    fill_fee = dec(get(row, "fillFee"))
    if fill_fee is not None:
        return fill_fee, get(row, "fillFeeCoin") or None
    total = Decimal(0)
    coin = None
    for item in get(row, "feeDetail") or []:
        coin = coin or get(item, "feeCoin")
        if get(item, "deduction") == "yes":
            value = dec(get(item, "totalDeductionFee"))
        else:
            value = dec(get(item, "totalFee"))
            if value is None:
                value = dec(get(item, "fee"))
        total += value or Decimal(0)
    return total, coin


def commission(fee: Decimal, currency: Currency) -> Money:
    """Return the Nautilus commission (positive = paid) for a venue fee (negative = paid)."""
    return Money(-fee, currency)


def order_side_of(row: Any, *, side_is_direction: bool = False) -> OrderSide:
    """
    Return the trade direction of an order/fill row.

    ``side_is_direction`` for the WS ``fill`` channel, documented to send the real direction in
    hedge mode (bitget-protocol.md 5.5); order rows and REST fills repeat the position side.
    """
    side = text(get(row, "side"))
    meaning = trade_side_of(row)
    if meaning is not None and meaning.direction is not None:
        # the tradeSide names the direction (burst_close_long sells, reduce_buy_single buys)
        return OrderSide.BUY if meaning.direction == "buy" else OrderSide.SELL
    if side_is_direction:
        return OrderSide.BUY if side == "buy" else OrderSide.SELL
    return trade_direction(side, get(row, "tradeSide"), get(row, "posMode"))


def order_type_of(row: Any, *, plan: bool = False) -> OrderType:
    """
    Return the Nautilus order type of an order row. Plan rows: STOP_MARKET / STOP_LIMIT; a
    take-profit plan (``profit_plan``, ``pos_profit``) MARKET_IF_TOUCHED / LIMIT_IF_TOUCHED.
    """
    limit = get(row, "orderType") == "limit"
    if plan and get(row, "planType") in TP_PLAN_TYPES:
        return OrderType.LIMIT_IF_TOUCHED if limit else OrderType.MARKET_IF_TOUCHED
    if plan:
        return OrderType.STOP_LIMIT if limit else OrderType.STOP_MARKET
    return OrderType.LIMIT if limit else OrderType.MARKET


def parse_order_status_report(
    row: Any,
    instrument: Any,
    account_id: AccountId,
    ts_init: int,
    *,
    client_order_id: ClientOrderId | None = None,
    order_type: OrderType | None = None,
    use_position_ids: bool = True,
    ws: bool = False,
) -> OrderStatusReport:
    """
    Return an ``OrderStatusReport`` from a REST order row (detail/pending/history) or WS ``orders``.

    Parameters
    ----------
    row : struct or dict
        The order row.
    instrument : Instrument
        The instrument (precisions).
    account_id : AccountId
        The account.
    ts_init : int
        Local receive time (ns).
    client_order_id : ClientOrderId, optional
        The Nautilus id (resolved from a modify alias); default the row's clientOid.
    order_type : OrderType, optional
        The cached order type (a venue row cannot tell LIMIT_IF_TOUCHED from STOP_LIMIT, or a
        triggered plan's child from a plain order).
    use_position_ids : bool, default True
        Report ``<instrument_id>-LONG``/``-SHORT`` in hedge mode.
    ws : bool, default False
        The row is a WS ``orders`` push (filled quantity in ``accBaseVolume``).

    Returns
    -------
    OrderStatusReport

    """
    status_text = text(get(row, "status") or get(row, "state"))
    status = ORDER_STATUS.get(status_text, OrderStatus.ACCEPTED)
    filled_raw = get(row, "accBaseVolume") if ws else get(row, "baseVolume")
    filled_qty = instrument.make_qty(dec(filled_raw) or 0)
    quantity = instrument.make_qty(dec(get(row, "size")) or 0)
    if status == OrderStatus.ACCEPTED and filled_qty > 0:
        status = OrderStatus.PARTIALLY_FILLED
    force = text(get(row, "force"))
    otype = order_type or order_type_of(row)
    price = dec(get(row, "price"))
    avg = dec(get(row, "priceAvg"))
    hedge = is_hedge(row)
    coid = client_order_id
    if coid is None:
        raw = client_oid_of(row)
        coid = ClientOrderId(raw) if raw else None
    c_time = ms_to_ns(get(row, "cTime"), ts_init)
    return OrderStatusReport(
        account_id=account_id,
        instrument_id=instrument.id,
        venue_order_id=VenueOrderId(text(get(row, "orderId"))),
        order_side=order_side_of(row),
        order_type=otype,
        time_in_force=TIME_IN_FORCE.get(force, TimeInForce.GTC),
        order_status=status,
        quantity=quantity,
        filled_qty=filled_qty,
        report_id=UUID4(),
        ts_accepted=c_time,
        ts_last=ms_to_ns(get(row, "uTime"), c_time),
        ts_init=ts_init,
        client_order_id=coid,
        venue_position_id=venue_position_id(
            instrument.id,
            hold_side_of(row),
            hedge=hedge,
            use_position_ids=use_position_ids,
        ),
        price=instrument.make_price(price) if price and otype != OrderType.MARKET else None,
        avg_px=avg if avg else None,
        post_only=force == "post_only",
        reduce_only=is_close(row),
        cancel_reason=text(get(row, "cancelReason")) or None,
    )


def parse_plan_status_report(
    row: Any,
    instrument: Any,
    account_id: AccountId,
    ts_init: int,
    *,
    client_order_id: ClientOrderId | None = None,
    order_type: OrderType | None = None,
    use_position_ids: bool = True,
) -> OrderStatusReport:
    """
    Return an ``OrderStatusReport`` for a trigger (plan) order row (REST plan lists, WS
    ``orders-algo``); ``status`` (WS) or ``planStatus`` (REST).
    """
    status_text = text(get(row, "planStatus") or get(row, "status"))
    status = PLAN_STATUS.get(status_text, OrderStatus.ACCEPTED)
    otype = order_type or order_type_of(row, plan=True)
    price = dec(get(row, "price"))
    if not price:
        price = dec(get(row, "executePrice"))
    trigger = dec(get(row, "triggerPrice"))
    coid = client_order_id
    if coid is None:
        raw = client_oid_of(row)
        coid = ClientOrderId(raw) if raw else None
    c_time = ms_to_ns(get(row, "cTime"), ts_init)
    has_price = otype in (OrderType.STOP_LIMIT, OrderType.LIMIT_IF_TOUCHED)
    hedge = is_hedge(row)
    return OrderStatusReport(
        account_id=account_id,
        instrument_id=instrument.id,
        venue_order_id=VenueOrderId(text(get(row, "orderId"))),
        order_side=order_side_of(row),
        order_type=otype,
        time_in_force=TimeInForce.GTC,
        order_status=status,
        quantity=instrument.make_qty(dec(get(row, "size")) or 0),
        filled_qty=instrument.make_qty(0),
        report_id=UUID4(),
        ts_accepted=c_time,
        ts_last=ms_to_ns(get(row, "uTime"), c_time),
        ts_init=ts_init,
        client_order_id=coid,
        venue_position_id=venue_position_id(
            instrument.id,
            hold_side_of(row),
            hedge=hedge,
            use_position_ids=use_position_ids,
        ),
        price=instrument.make_price(price) if price and has_price else None,
        trigger_price=instrument.make_price(trigger) if trigger else None,
        trigger_type=TRIGGER_TYPE.get(text(get(row, "triggerType")), TriggerType.DEFAULT),
        reduce_only=is_close(row) or get(row, "planType") in TPSL_PLAN_TYPES,
    )


def parse_fill_report(
    row: Any,
    instrument: Any,
    account_id: AccountId,
    ts_init: int,
    *,
    client_order_id: ClientOrderId | None = None,
    use_position_ids: bool = True,
    side_is_direction: bool = False,
    fee_currency: Currency | None = None,
) -> FillReport:
    """
    Return a ``FillReport`` from a WS ``orders`` fill message, a WS ``fill`` row or a REST fill.

    Parameters
    ----------
    row : struct or dict
        The fill row (must carry ``tradeId``).
    instrument : Instrument
        The instrument.
    account_id : AccountId
        The account.
    ts_init : int
        Local receive time (ns).
    client_order_id : ClientOrderId, optional
        The Nautilus id when known.
    use_position_ids : bool, default True
        Report hedge position ids.
    side_is_direction : bool, default False
        ``True`` for the WS ``fill`` channel (see ``order_side_of``).
    fee_currency : Currency, optional
        Currency of the commission; default the row's fee coin, else the settlement currency.

    Returns
    -------
    FillReport

    """
    fill_price = get(row, "fillPrice")
    price = dec(fill_price) if fill_price not in (None, "") else dec(get(row, "price"))
    qty = dec(get(row, "baseVolume")) or Decimal(0)
    fee, coin = fee_of(row)
    currency = fee_currency
    if currency is None:
        currency = Currency.from_str(coin) if coin else instrument.settlement_currency
    ts_event = ms_to_ns(get(row, "fillTime") or get(row, "cTime") or get(row, "uTime"), ts_init)
    scope = text(get(row, "tradeScope"))
    return FillReport(
        account_id=account_id,
        instrument_id=instrument.id,
        venue_order_id=VenueOrderId(text(get(row, "orderId"))),
        trade_id=TradeId(text(get(row, "tradeId"))),
        order_side=order_side_of(row, side_is_direction=side_is_direction),
        last_qty=instrument.make_qty(qty),
        last_px=instrument.make_price(price or 0),
        commission=commission(fee, currency),
        liquidity_side=LIQUIDITY_SIDE.get(scope, LiquiditySide.NO_LIQUIDITY_SIDE),
        report_id=UUID4(),
        ts_event=ts_event,
        ts_init=ts_init,
        client_order_id=client_order_id,
        venue_position_id=venue_position_id(
            instrument.id,
            hold_side_of(row, side_is_direction=side_is_direction),
            hedge=is_hedge(row),
            use_position_ids=use_position_ids,
        ),
    )


def parse_position_report(
    row: Any,
    instrument: Any,
    account_id: AccountId,
    ts_init: int,
    *,
    hedge: bool,
    use_position_ids: bool = True,
) -> PositionStatusReport:
    """
    Return a ``PositionStatusReport`` from a REST position or WS ``positions`` row.

    ``total`` is unsigned; the side is ``holdSide`` in both modes (bitget-protocol.md 5.3).
    """
    hold_side = text(get(row, "holdSide"))
    qty = dec(get(row, "total")) or Decimal(0)
    side = POSITION_SIDE.get(hold_side, PositionSide.FLAT) if qty > 0 else PositionSide.FLAT
    avg = dec(get(row, "openPriceAvg"))
    return PositionStatusReport(
        account_id=account_id,
        instrument_id=instrument.id,
        position_side=side,
        quantity=instrument.make_qty(qty),
        report_id=UUID4(),
        ts_last=ms_to_ns(get(row, "uTime"), ts_init),
        ts_init=ts_init,
        venue_position_id=venue_position_id(
            instrument.id,
            hold_side,
            hedge=hedge,
            use_position_ids=use_position_ids,
        ),
        avg_px_open=avg if avg else None,
    )


def flat_position_report(
    instrument_id: InstrumentId,
    account_id: AccountId,
    ts_init: int,
    venue_position_id: PositionId | None = None,
) -> PositionStatusReport:
    """Return a FLAT report (Bitget omits closed positions, bitget-protocol.md 5.3)."""
    from nautilus_trader.model.objects import Quantity

    return PositionStatusReport(
        account_id=account_id,
        instrument_id=instrument_id,
        position_side=PositionSide.FLAT,
        quantity=Quantity.zero(),
        report_id=UUID4(),
        ts_last=ts_init,
        ts_init=ts_init,
        venue_position_id=venue_position_id,
    )


def parse_balance(equity: Any, available: Any, currency: Currency) -> AccountBalance:
    """
    Return an ``AccountBalance`` with ``total - locked == free`` exactly.

    total = equity (REST ``accountEquity``, WS ``equity``); free = ``available`` clamped to
    ``[0, total]``; locked = total - free (margin in use plus order holds), all quantized to the
    currency precision first so the identity holds after rounding.
    """
    quantum = Decimal(1).scaleb(-currency.precision)
    total = max(dec(equity) or Decimal(0), Decimal(0)).quantize(quantum)
    free = min(max(dec(available) or Decimal(0), Decimal(0)), total).quantize(quantum)
    if free > total:
        free = total
    locked = total - free
    return AccountBalance(
        total=Money(total, currency),
        locked=Money(locked, currency),
        free=Money(free, currency),
    )


def parse_margins(
    rows: list[tuple[Any, Any]],
    currency_for: Any,
) -> list[MarginBalance]:
    """
    Return per-instrument ``MarginBalance`` from ``(position row, instrument)`` pairs.

    initial = ``marginSize``; maintenance = position value x ``keepMarginRate`` when the row has
    them: value ``total * markPrice`` (linear), ``total * openPriceAvg / markPrice`` in the base
    coin (COIN-M: sizes in coins, USD face ``total * openPriceAvg``, bitget-protocol.md 4.7, 9.1);
    hedge long and short of one instrument are summed.
    """
    sums: dict[InstrumentId, tuple[Decimal, Decimal, Currency]] = {}
    for row, instrument in rows:
        currency = currency_for(instrument, row)
        initial = dec(get(row, "marginSize")) or Decimal(0)
        total = dec(get(row, "total")) or Decimal(0)
        mark = dec(get(row, "markPrice")) or dec(get(row, "openPriceAvg")) or Decimal(0)
        rate = dec(get(row, "keepMarginRate")) or Decimal(0)
        maint = total * mark * rate
        if instrument.is_inverse and mark:
            entry = dec(get(row, "openPriceAvg")) or mark
            maint = total * entry / mark * rate
        prev = sums.get(instrument.id)
        if prev is not None:
            initial += prev[0]
            maint += prev[1]
        sums[instrument.id] = (initial, maint, currency)
    return [
        MarginBalance(
            initial=Money(initial, currency),
            maintenance=Money(maint, currency),
            instrument_id=instrument_id,
        )
        for instrument_id, (initial, maint, currency) in sums.items()
    ]
