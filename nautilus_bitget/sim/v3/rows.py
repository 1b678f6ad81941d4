"""
v3 wire rows of the simulator (bitget-protocol-uta.md 2-4), built from the engine's records.

Written from the v3 document, never from the client's schemas. ``ids`` maps engine order ids to
the public ids the v3 layer shows (an in-place modify keeps the public id, 3.6).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any
from typing import Final

from nautilus_bitget.sim import wire


IdMap = Callable[[str], str]

FUTURES: Final[tuple[str, ...]] = ("USDT-FUTURES", "USDC-FUTURES", "COIN-FUTURES")

# engine (v2) status -> v3 orderStatus (3.7: "cancelled" with two l's)
_ORDER_STATUS = {"canceled": "cancelled"}
# engine plan status -> v3 strategy status (3.8)
_PLAN_STATUS = {
    "live": "pending",
    "executing": "submitting",
    "executed": "success",
    "fail_execute": "failed",
    "cancelled": "cancelled",
}
# engine plan types of position TP/SL (v3 strategy type "tpsl", 3.8): partial and full-position
TPSL_PLAN_TYPES = ("profit_plan", "loss_plan", "pos_profit", "pos_loss")
_TP_PLAN_TYPES = ("profit_plan", "pos_profit")
SPOT_STATUS = {"normal": "online", "maintain": "restrictedAPI", "limit_open": "limit_open"}


def _usd_price(ex: Any, coin: str) -> Decimal:
    if coin in ("USDT", "USDC", "USD"):
        return Decimal(1)
    for market in ex.markets.values():
        spec = market.contract
        if spec.base_coin == coin and spec.product_type == "USDT-FUTURES":
            return market.mark_price
    for market in ex.markets.values():
        if market.contract.base_coin == coin:
            return market.mark_price
    return Decimal(0)


def account_summary(ex: Any, api_key: str) -> tuple[dict, list[tuple[Any, Decimal]]]:
    """Return the account-level totals (USD) and ``(view, usd_price)`` per non-zero coin."""
    acct = ex.account(api_key)
    views = []
    coins = sorted(set(acct.balances) | {c.margin_coin for c in ex.contracts.values()})
    for coin in coins:
        v = ex.account_view(api_key, coin)
        if v.balance == 0 and v.equity == 0:
            continue  # 3.1: only non-zero balances are returned
        views.append((v, _usd_price(ex, coin)))
    equity = sum((v.equity * px for v, px in views), Decimal(0))
    upl = sum((v.unrealized_pl * px for v, px in views), Decimal(0))
    imr = sum(((v.position_margin + v.locked) * px for v, px in views), Decimal(0))
    btc = _usd_price(ex, "BTC")
    totals = {
        "equity": equity,
        "upl": upl,
        "imr": imr,
        "mmr": imr * Decimal("0.5"),
        "btc": btc,
    }
    return totals, views


def _fee_paid(fee: Decimal) -> str:
    # engine: negative = paid; v3 feeDetail shows the paid fee as a positive amount (3.7)
    return wire.money(-fee)


def instrument_row(spec: Any) -> dict:
    """``market/instruments`` row (2.2): tick = priceMultiplier, step = quantityMultiplier."""
    return {
        "symbol": spec.symbol,
        "category": spec.product_type,
        "baseCoin": spec.base_coin,
        "quoteCoin": spec.quote_coin,
        "isRwa": "NO",
        "buyLimitPriceRatio": "0.05",
        "sellLimitPriceRatio": "0.05",
        "feeRateUpRatio": "0.005",
        "makerFeeRate": str(spec.maker_fee_rate),
        "takerFeeRate": str(spec.taker_fee_rate),
        "openCostUpRatio": "0.01",
        "minOrderQty": str(spec.min_trade_num),
        "maxOrderQty": str(spec.max_order_qty),
        "pricePrecision": str(spec.price_place),
        "quantityPrecision": str(spec.volume_place),
        "quotePrecision": "",
        "priceMultiplier": f"{spec.tick:f}",
        "quantityMultiplier": str(spec.size_multiplier),
        "type": spec.symbol_type,
        "minOrderAmount": str(spec.min_trade_usdt),
        "maxSymbolOrderNum": "",
        "maxProductOrderNum": "400",
        "maxPositionNum": "200",
        "status": SPOT_STATUS.get(spec.symbol_status, "offline"),
        "offTime": "-1",
        "limitOpenTime": "-1",
        "deliveryTime": spec.delivery_time,
        "deliveryStartTime": spec.delivery_start_time,
        "deliveryPeriod": spec.delivery_period,
        "launchTime": "0",
        "fundInterval": str(spec.fund_interval_hours),
        "minLeverage": str(spec.min_lever),
        "maxLeverage": str(spec.max_lever),
        "maintainTime": "",
        "symbolType": "crypto",
        "maxMarketOrderQty": str(spec.max_market_order_qty),
    }


def ticker_fields(ex: Any, symbol: str) -> dict:
    """The ticker fields shared by REST ``tickers`` (2.4) and the WS ``ticker`` topic (4.4)."""
    t = ex.ticker(symbol)
    return {
        "lastPrice": t.last_pr,
        "openPrice24h": t.open24h,
        "highPrice24h": t.high24h,
        "lowPrice24h": t.low24h,
        "ask1Price": t.ask_pr,
        "bid1Price": t.bid_pr,
        "bid1Size": t.bid_sz,
        "ask1Size": t.ask_sz,
        "price24hPcnt": t.change24h,
        "volume24h": t.base_volume,
        "turnover24h": t.quote_volume,
        "indexPrice": t.index_price,
        "markPrice": t.mark_price,
        "fundingRate": t.funding_rate,
        "openInterest": ex.open_interest(symbol),
        "deliveryStartTime": "",
        "deliveryTime": "",
        "deliveryStatus": "",
    }


def rest_ticker_row(ex: Any, symbol: str) -> dict:
    """REST ``tickers`` row (2.4): no ``nextFundingTime``."""
    spec = ex.contracts[symbol]
    t = ex.ticker(symbol)
    return {
        "category": spec.product_type,
        "symbol": symbol,
        "ts": str(t.ts),
        **ticker_fields(ex, symbol),
    }


def ws_ticker_row(ex: Any, symbol: str) -> dict:
    """WS ``ticker`` row (4.4): with ``nextFundingTime``, no ``ts`` inside ``data``."""
    t = ex.ticker(symbol)
    return {**ticker_fields(ex, symbol), "nextFundingTime": t.next_funding_time}


def order_row(
    ex: Any, o: Any, ids: IdMap, *, ws: bool = False, request_id: str | None = None
) -> dict:
    """
    v3 order (REST 3.7, or WS ``order`` 4.6 when ``ws``): ``posSide`` on REST, ``holdSide`` on WS.

    ``side`` is the trade direction; ``posSide``/``holdSide`` the position (3.5).
    """
    spec = ex.contracts[o.symbol]
    hedge = o.pos_mode == "hedge_mode"
    if hedge:
        pos_side = o.pos_side
        trade_side = o.trade_side or "open"
    else:
        closes_long = o.direction == "sell"
        pos_side = (
            ("long" if closes_long else "short")
            if o.reduce_only
            else ("long" if o.direction == "buy" else "short")
        )
        trade_side = "close" if o.reduce_only else "open"
    avg = o.price_avg
    row: dict[str, Any] = {
        "orderId": ids(o.order_id),
        "clientOid": o.client_oid,
        "category": spec.product_type.lower() if ws else spec.product_type,
        "symbol": o.symbol,
        "orderType": o.order_type,
        "side": o.direction,
        "price": spec.fmt_price(o.price) if o.price is not None else ("" if ws else "0"),
        "qty": spec.fmt_size(o.size),
        "amount": "0",
        "cumExecQty": spec.fmt_size(o.filled_qty),
        "cumExecValue": wire.money(o.filled_quote),
        "avgPrice": wire.money(avg) if avg is not None else "0",
        "timeInForce": o.force,
        "orderStatus": _ORDER_STATUS.get(o.status, o.status),
        "holdMode": o.pos_mode,
        "tradeSide": trade_side,
        "delegateType": "normal",
        "reduceOnly": ("yes" if o.reduce_only else "no")
        if ws
        else ("YES" if o.reduce_only else "NO"),
        "marginMode": o.margin_mode,
        "stpMode": o.stp_mode,
        "takeProfit": spec.fmt_price(o.preset_stop_surplus_price),
        "stopLoss": spec.fmt_price(o.preset_stop_loss_price),
        "feeDetail": [{"feeCoin": o.margin_coin, "fee": _fee_paid(o.fee)}],
        "cancelReason": (o.cancel_reason or "normal_cancel") if o.status == "canceled" else "",
        "createdTime": str(o.c_time),
        "updatedTime": str(o.u_time),
    }
    if ws:
        row["holdSide"] = pos_side
        row["marginCoin"] = o.margin_coin
        row["leverage"] = str(o.leverage)
        row["totalProfit"] = wire.money(o.total_profits)
        if request_id:
            row["requestId"] = request_id
    else:
        row["posSide"] = pos_side
        row["execType"] = "normal"
        for key in ("tpTriggerBy", "slTriggerBy", "tpOrderType", "slOrderType", "tpLimitPrice",
                    "slLimitPrice"):  # fmt: skip
            row[key] = ""
    return row


def _hold_side(f: Any) -> str:
    # the position a fill belongs to: opens follow the direction, closes the opposite
    closing = f.wire_trade_side in ("close", "reduce_close_long", "reduce_close_short")
    if f.pos_mode == "hedge_mode":
        closing = f.trade_side == "close"
    buy = f.direction == "buy"
    return ("short" if buy else "long") if closing else ("long" if buy else "short")


def _trade_side(f: Any) -> str:
    if f.pos_mode == "hedge_mode":
        return f.trade_side or "open"
    return "close" if f.wire_trade_side.startswith("reduce_close") else "open"


def fill_row(f: Any, ids: IdMap, *, ws: bool = False, fast: bool = False) -> dict:
    """v3 fill: REST ``trade/fills`` (3.7), WS ``fill`` or ``fast-fill`` (4.6)."""
    row: dict[str, Any] = {
        "execId": f.trade_id,
        "orderId": ids(f.order_id),
        "clientOid": f.client_oid,
        "category": f.product_type.lower() if fast else f.product_type,
        "symbol": f.symbol,
        "side": f.direction,
        "execPrice": wire.s(f.price),
        "execQty": wire.s(f.size),
        "tradeScope": f.trade_scope,
    }
    if ws:
        row["holdSide"] = _hold_side(f)
        row["execTime"] = str(f.c_time)
        row["updatedTime"] = str(f.c_time)
    if fast:
        return row
    row.update(
        {
            "execLinkId": f.trade_id,
            "orderType": f.order_type,
            "execValue": wire.money(f.quote_volume),
            "tradeSide": _trade_side(f),
            "feeDetail": [{"feeCoin": f.fee_coin, "fee": _fee_paid(f.fee)}],
            "execPnl": wire.money(f.profit),
            "isRPI": "no",
        },
    )
    if not ws:
        row["createdTime"] = str(f.c_time)
        row["updatedTime"] = str(f.c_time)
    return row


def position_row(ex: Any, p: Any, *, ws: bool = False) -> dict:
    """v3 position: REST ``current-position`` (3.2) or WS ``position`` (4.6, no category)."""
    spec = ex.contracts[p.symbol]
    common = {
        "symbol": p.symbol,
        "marginCoin": p.margin_coin,
        "holdMode": p.pos_mode,
        "posSide": p.hold_side,
        "marginMode": p.margin_mode,
        "available": spec.fmt_size(p.available),
        "frozen": spec.fmt_size(p.frozen),
        "leverage": str(p.leverage),
        "curRealisedPnl": wire.money(p.achieved_profits),
        "avgPrice": wire.money(p.open_price_avg),
        "unrealisedPnl": wire.money(p.unrealized_pl),
        "mmr": wire.s(p.keep_margin_rate),
        "markPrice": spec.fmt_price(p.mark_price),
        "breakEvenPrice": wire.money(p.open_price_avg),
        "profitRate": "",
        "openFeeTotal": wire.money(p.open_fee),
        "closeFeeTotal": wire.money(p.close_fee),
        "createdTime": str(p.c_time),
        "updatedTime": str(p.u_time),
    }
    if ws:
        return {
            **common,
            "size": spec.fmt_size(p.total),
            "marginSize": wire.money(p.margin_size),
            "liqPrice": spec.fmt_price(p.liquidation_price),
            "totalFundingFee": wire.money(p.total_fee),
            "positionStatus": "normal",
        }
    return {
        "category": p.product_type,
        **common,
        "total": spec.fmt_size(p.total),
        "positionBalance": wire.money(p.margin_size),
        "liquidationPrice": spec.fmt_price(p.liquidation_price),
        "totalFunding": wire.money(p.total_fee),
        "positionStatus": "normal",
    }


def ended_position_row(rec: Any) -> dict:
    """WS ``position`` row of a fully closed position: ``size "0"``, ``positionStatus "ended"``."""
    return {
        "symbol": rec.symbol,
        "marginCoin": rec.margin_coin,
        "holdMode": rec.pos_mode,
        "posSide": rec.hold_side,
        "marginMode": rec.margin_mode,
        "size": "0",
        "available": "0",
        "frozen": "0",
        "leverage": "",
        "marginSize": "0",
        "avgPrice": "0",
        "markPrice": "",
        "breakEvenPrice": "",
        "liqPrice": "",
        "mmr": "",
        "unrealisedPnl": "0",
        "curRealisedPnl": wire.money(rec.achieved_profits),
        "profitRate": "",
        "totalFundingFee": wire.money(rec.settle_fee),
        "openFeeTotal": wire.money(rec.open_fee),
        "closeFeeTotal": wire.money(rec.close_fee),
        "positionStatus": "ended",
        "createdTime": str(rec.c_time),
        "updatedTime": str(rec.u_time),
    }


def history_position_row(rec: Any) -> dict:
    """REST ``history-position`` row (3.2)."""
    return {
        "positionId": rec.pos_id,
        "category": rec.product_type,
        "symbol": rec.symbol,
        "marginCoin": rec.margin_coin,
        "holdMode": rec.pos_mode,
        "posSide": rec.hold_side,
        "marginMode": rec.margin_mode,
        "openPriceAvg": wire.money(rec.open_price_avg),
        "closePriceAvg": wire.money(rec.close_price_avg),
        "openTotalPos": wire.s(rec.open_size),
        "closeTotalPos": wire.s(rec.close_size),
        "cumRealisedPnl": wire.money(rec.achieved_profits),
        "netProfit": wire.money(
            rec.achieved_profits + rec.open_fee + rec.close_fee + rec.settle_fee
        ),
        "totalFunding": wire.money(rec.settle_fee),
        "openFeeTotal": wire.money(rec.open_fee),
        "closeFeeTotal": wire.money(rec.close_fee),
        "createdTime": str(rec.c_time),
        "updatedTime": str(rec.u_time),
    }


def strategy_row(ex: Any, plan: Any, ids: IdMap, *, ws: bool = False) -> dict:
    """v3 strategy order (3.8; WS ``strategy-order`` 4.6): trigger plans of the engine."""
    spec = ex.contracts[plan.symbol]
    hedge = plan.pos_mode == "hedge_mode"
    if hedge:
        closing = plan.trade_side == "close"
        side = (
            ("sell" if plan.pos_side == "long" else "buy")
            if closing
            else ("buy" if plan.pos_side == "long" else "sell")
        )
        pos_side = plan.pos_side
    else:
        side = plan.side
        pos_side = (
            ("long" if side == "sell" else "short")
            if plan.reduce_only
            else ("long" if side == "buy" else "short")
        )
    row: dict[str, Any] = {
        "orderId": ids(plan.strategy_id or plan.order_id),
        "clientOid": plan.client_oid,
        "category": spec.product_type.lower() if ws else spec.product_type,
        "symbol": plan.symbol,
        "qty": spec.fmt_size(plan.size),
        "posSide": pos_side,
        "status": _PLAN_STATUS.get(plan.status, plan.status),
        "tpTriggerBy": "",
        "slTriggerBy": "",
        "takeProfit": spec.fmt_price(plan.stop_surplus_trigger_price),
        "stopLoss": spec.fmt_price(plan.stop_loss_trigger_price),
        "tpOrderType": "",
        "slOrderType": "",
        "tpLimitPrice": "",
        "slLimitPrice": "",
        "triggerBy": "mark" if plan.trigger_type == "mark_price" else "market",
        "triggerPrice": spec.fmt_price(plan.trigger_price),
        "triggerOrderType": plan.order_type,
        "triggerOrderPrice": spec.fmt_price(plan.price),
        "createdTime": str(plan.c_time),
        "updatedTime": str(plan.u_time),
    }
    if plan.plan_type in TPSL_PLAN_TYPES:
        # 3.8 / 4.6: a position TP/SL is a "tpsl" strategy; its trigger is takeProfit/stopLoss
        is_tp = plan.plan_type in _TP_PLAN_TYPES
        leg = _tpsl_leg(spec, plan)
        row.update(
            {
                "takeProfit": leg["trigger"] if is_tp else "",
                "stopLoss": "" if is_tp else leg["trigger"],
                "tpTriggerBy": leg["by"] if is_tp else "",
                "slTriggerBy": "" if is_tp else leg["by"],
                "tpOrderType": leg["type"] if is_tp else "",
                "slOrderType": "" if is_tp else leg["type"],
                "tpLimitPrice": leg["limit"] if is_tp else "",
                "slLimitPrice": "" if is_tp else leg["limit"],
                "triggerPrice": "",
                "triggerBy": "",
                "triggerOrderType": "",
                "triggerOrderPrice": "",
            },
        )
    if ws:
        row.update(
            {
                "side": side,
                "reduceOnly": "yes"
                if plan.reduce_only or (hedge and plan.trade_side == "close")
                else "no",
                "type": "tpsl" if plan.plan_type in TPSL_PLAN_TYPES else "trigger",
            },
        )
        if plan.plan_type in TPSL_PLAN_TYPES:
            row["triggerType"] = "takeProfit" if plan.plan_type in _TP_PLAN_TYPES else "stopLoss"
    return row


def _tpsl_leg(spec: Any, plan: Any) -> dict[str, str]:
    return {
        "trigger": spec.fmt_price(plan.trigger_price),
        "by": "mark" if plan.trigger_type == "mark_price" else "market",
        "type": plan.order_type,
        "limit": spec.fmt_price(plan.price) if plan.price is not None else "",
    }


def strategy_rows(ex: Any, plans: list, ids: IdMap) -> list[dict]:
    """
    REST strategy rows (3.8): the take-profit and stop-loss legs of one ``tpsl`` strategy (engine
    plans sharing a ``strategy_id``) are one row with both ``takeProfit`` and ``stopLoss`` (the
    page's example row carries both); its status is ``pending`` while a leg is.
    """
    out: dict[str, dict] = {}
    for plan in plans:
        row = strategy_row(ex, plan, ids)
        first = out.get(row["orderId"])
        if first is None:
            out[row["orderId"]] = row
            continue
        for key in ("takeProfit", "stopLoss", "tpTriggerBy", "slTriggerBy", "tpOrderType",
                    "slOrderType", "tpLimitPrice", "slLimitPrice"):  # fmt: skip
            if row[key] and not first[key]:
                first[key] = row[key]
        if row["status"] == "pending":
            first["status"] = "pending"
        first["updatedTime"] = max(first["updatedTime"], row["updatedTime"], key=int)
    return list(out.values())


# engine bill businessType -> v3 financial-records ``type``. The shared doc (bitget-protocol-uta.md
# 3.1) has only ``ORDER_DEALT_IN`` and marks the enum unsure; these names are the UTA enum page's
# (funding: CONTRACT_MAIN_SETTLE_FEE_USER_IN/OUT cross, FIXED_SETTLE_FEE_USER_IN/OUT isolated).
_RECORD_TYPE = {"buy": "BUY_DEAL", "sell": "SELL_DEAL"}


def record_type(bill: Any, margin_mode: str) -> str:
    """Return the v3 ledger ``type`` of an engine bill (funding split by sign and margin mode)."""
    if bill.business_type == "contract_settle_fee":
        head = "FIXED_SETTLE_FEE" if margin_mode == "isolated" else "CONTRACT_MAIN_SETTLE_FEE"
        return f"{head}_USER_{'IN' if bill.amount >= 0 else 'OUT'}"
    return _RECORD_TYPE.get(bill.business_type, bill.business_type.upper())


def financial_record_row(bill: Any, kind: str) -> dict:
    """``GET /api/v3/account/financial-records`` row (3.1): signed ``amount``, ``ts`` in ms."""
    return {
        "category": bill.product_type,
        "id": bill.bill_id,
        "symbol": bill.symbol,
        "coin": bill.coin,
        "type": kind,
        "amount": wire.money(bill.amount),
        "fee": wire.money(bill.fee),
        "balance": wire.money(bill.balance),
        "ts": str(bill.c_time),
    }
