"""
Signed REST endpoints of the simulator (bitget-protocol.md 5) and the v2 family's
:class:`~nautilus_bitget.sim.pipeline.Dialect`. Handlers take ``(context, call)`` and return the
envelope's ``data``; rejections are :class:`~nautilus_bitget.sim.errors.SimError`, from the
exchange or from here.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from typing import Final

from nautilus_bitget.sim import wire
from nautilus_bitget.sim.context import RestContext
from nautilus_bitget.sim.errors import SimError
from nautilus_bitget.sim.exchange import SimExchange
from nautilus_bitget.sim.pipeline import Dialect
from nautilus_bitget.sim.pipeline import RestCall
from nautilus_bitget.sim.pipeline import Route
from nautilus_bitget.sim.rest_public import int_param
from nautilus_bitget.sim.rest_public import product_type
from nautilus_bitget.sim.rest_public import require


# The v2 (classic) wording of the shared pipeline steps (bitget-protocol.md 2.1, 8.2)
DIALECT: Final = Dialect(
    account_mode="classic",
    wrong_account=(
        "40085",
        "You are in Unified Account mode, and the Classic Account API is not supported",
    ),
    system_error=("40015", "System is abnormal, please try again later"),
    unknown_error=("45001", "Unknown error"),
    bad_body="40017",
    object_body=True,
    content_type_code="40007",
    remain_header=True,
)


def _symbol(ex: SimExchange, q: Any, pt: str) -> str:
    """Return the required ``symbol`` of product type ``pt`` (40019 missing, 40034 unknown)."""
    symbol = _optional_symbol(ex, q, pt)
    if symbol is None:
        raise SimError("40019", "Parameter symbol cannot be empty")
    return symbol


def _optional_symbol(ex: SimExchange, q: Any, pt: str) -> str | None:
    value = q.get("symbol")
    if not value:
        return None
    symbol = str(value).upper()
    spec = ex.contracts.get(symbol)
    if spec is None or spec.product_type != pt:
        raise SimError("40034", f"Parameter {symbol} does not exist")
    return symbol


def _end_id(rows: list, attr: str) -> str:
    return getattr(rows[-1], attr) if rows else ""


def _window(q: Any) -> dict:
    return {"start_ms": int_param(q, "startTime"), "end_ms": int_param(q, "endTime")}


# -- rows (bitget-protocol.md 5.1-5.12 field lists) ------------------------------------------------
def order_row(ex: SimExchange, o: Any, state_key: str = "status") -> dict:
    """Return a REST order row; ``detail`` uses the key ``state`` (5.10)."""
    spec = ex.contracts[o.symbol]
    avg = o.price_avg
    row = {
        "symbol": o.symbol,
        "size": spec.fmt_size(o.size),
        "orderId": o.order_id,
        "clientOid": o.client_oid,
        "baseVolume": spec.fmt_size(o.filled_qty),
        "fee": wire.money(o.fee),
        "price": spec.fmt_price(o.price) if o.price is not None else "0",
        "priceAvg": wire.money(avg) if avg is not None else "",
        state_key: o.status,
        "side": o.side,
        "force": o.force,
        "totalProfits": wire.money(o.total_profits),
        "posSide": o.pos_side,
        "marginCoin": o.margin_coin,
        "presetStopSurplusPrice": spec.fmt_price(o.preset_stop_surplus_price),
        "presetStopLossPrice": spec.fmt_price(o.preset_stop_loss_price),
        "quoteVolume": wire.money(o.filled_quote),
        "orderType": o.order_type,
        "leverage": str(o.leverage),
        "marginMode": o.margin_mode,
        "reduceOnly": "YES" if o.reduce_only else "NO",
        "enterPointSource": o.enter_point_source,
        "tradeSide": o.wire_trade_side,
        "posMode": o.pos_mode,
        "orderSource": o.order_source,
        "cTime": str(o.c_time),
        "uTime": str(o.u_time),
    }
    if o.status == "canceled":
        row["cancelReason"] = o.cancel_reason or "normal_cancel"
    return row


def fill_row(f: Any) -> dict:
    """Return a REST ``order/fills`` row (5.10); ``side`` echoes the order side (5.5)."""
    return {
        "tradeId": f.trade_id,
        "symbol": f.symbol,
        "orderId": f.order_id,
        "price": wire.s(f.price),
        "baseVolume": wire.s(f.size),
        "feeDetail": [
            {
                "deduction": "no",
                "feeCoin": f.fee_coin,
                "totalDeductionFee": "0",
                "totalFee": wire.money(f.fee),
            }
        ],
        "side": f.side,
        "quoteVolume": wire.money(f.quote_volume),
        "profit": wire.money(f.profit),
        "enterPointSource": "API",
        "tradeSide": f.wire_trade_side,
        "posMode": f.pos_mode,
        "tradeScope": f.trade_scope,
        "cTime": str(f.c_time),
    }


def position_row(ex: SimExchange, p: Any) -> dict:
    """Return a REST position row (5.3)."""
    spec = ex.contracts[p.symbol]
    return {
        "marginCoin": p.margin_coin,
        "symbol": p.symbol,
        "holdSide": p.hold_side,
        "openDelegateSize": "0",
        "marginSize": wire.money(p.margin_size),
        "available": spec.fmt_size(p.available),
        "locked": spec.fmt_size(p.frozen),
        "total": spec.fmt_size(p.total),
        "leverage": str(p.leverage),
        "achievedProfits": wire.money(p.achieved_profits),
        "openPriceAvg": wire.money(p.open_price_avg),
        "marginMode": p.margin_mode,
        "posMode": p.pos_mode,
        "unrealizedPL": wire.money(p.unrealized_pl),
        "liquidationPrice": wire.money(p.liquidation_price),
        "keepMarginRate": wire.money(p.keep_margin_rate),
        "markPrice": wire.money(p.mark_price),
        "marginRatio": wire.money(p.keep_margin_rate),
        "breakEvenPrice": wire.money(p.open_price_avg),
        # bitget-protocol.md 5.3: accumulated funding, "" if none yet
        "totalFee": wire.money(p.total_fee) if p.total_fee else "",
        "deductedFee": wire.money(-(p.open_fee + p.close_fee)),
        "cashDividend": "0",
        "assetMode": "single",
        "autoMargin": "off",
        "grant": "",
        "takeProfit": "",
        "stopLoss": "",
        "takeProfitId": "",
        "stopLossId": "",
        "cTime": str(p.c_time),
        "uTime": str(p.u_time),
    }


def _account_fields(ex: SimExchange, v: Any) -> dict:
    usdt = ex.usdt_value(v.margin_coin, v.equity)
    btc = Decimal(0)
    if "BTCUSDT" in ex.markets:
        mark = Decimal(ex.ticker("BTCUSDT").mark_price or "0")
        btc = usdt / mark if mark else Decimal(0)
    return {
        "marginCoin": v.margin_coin,
        "locked": wire.money(v.locked),
        "available": wire.money(v.available),
        "crossedMaxAvailable": wire.money(v.available),
        "isolatedMaxAvailable": wire.money(v.available),
        "maxTransferOut": wire.money(v.max_transfer_out),
        "accountEquity": wire.money(v.equity),
        "usdtEquity": wire.money(usdt),
        "btcEquity": wire.money(btc),
        "crossedRiskRate": "0",
        "unrealizedPL": wire.money(v.unrealized_pl),
        "coupon": "0",
    }


def account_row(ex: SimExchange, v: Any) -> dict:
    """Return a ``account/accounts`` row (5.1)."""
    row = _account_fields(ex, v)
    row.update(
        {
            "unionTotalMargin": wire.money(v.equity),
            "unionAvailable": wire.money(v.available),
            "unionMm": "0",
            "assetList": [],
            "isolatedMargin": wire.money(v.isolated_margin),
            "crossedMargin": wire.money(v.crossed_margin),
            "crossedUnrealizedPL": wire.money(v.unrealized_pl),
            "isolatedUnrealizedPL": "0",
            "assetMode": "single",
        }
    )
    return row


def plan_row(ex: SimExchange, p: Any, history: bool = False) -> dict:
    """Return an ``orders-plan-pending``/``-history`` row (5.11)."""
    spec = ex.contracts[p.symbol]
    row = {
        "planType": p.plan_type,
        "symbol": p.symbol,
        "size": spec.fmt_size(p.size),
        "orderId": p.order_id,
        "clientOid": p.client_oid,
        "price": spec.fmt_price(p.price) if p.price is not None else "",
        "executePrice": spec.fmt_price(p.price) if p.price is not None else "",
        # moving_plan: its rangeRate (percent, 5.11)
        "callbackRatio": f"{p.callback_ratio:f}" if p.callback_ratio is not None else "",
        "triggerPrice": spec.fmt_price(p.trigger_price),
        "triggerType": p.trigger_type,
        "planStatus": p.status,
        "side": p.side,
        "posSide": p.pos_side,
        "marginCoin": p.margin_coin,
        "marginMode": p.margin_mode,
        "enterPointSource": "API",
        "tradeSide": p.trade_side or ("close" if p.reduce_only else "open"),
        "posMode": p.pos_mode,
        "orderType": p.order_type,
        "orderSource": "plan",
        "stopSurplusTriggerPrice": spec.fmt_price(p.stop_surplus_trigger_price),
        "stopSurplusExecutePrice": "",
        "stopSurplusTriggerType": "fill_price",
        "stopLossTriggerPrice": spec.fmt_price(p.stop_loss_trigger_price),
        "stopLossExecutePrice": "",
        "stopLossTriggerType": "fill_price",
        "cTime": str(p.c_time),
        "uTime": str(p.u_time),
    }
    if history:
        row.update(
            {
                "feeDetail": None,
                "baseVolume": spec.fmt_size(p.size if p.status == "executed" else Decimal(0)),
                "executeOrderId": p.execute_order_id,
                "priceAvg": "",
            }
        )
    return row


def _batch(result: Any, with_code: bool) -> dict:
    failures = []
    for order_id, client_oid, code, msg in result.failure:
        item = {"orderId": order_id, "clientOid": client_oid, "errorMsg": msg}
        if with_code:
            item["errorCode"] = code
        failures.append(item)
    return {
        "successList": [{"orderId": o, "clientOid": c} for o, c in result.success],
        "failureList": failures,
    }


# -- handlers ---------------------------------------------------------------------------------
def accounts(ctx: RestContext, call: RestCall) -> Any:
    """``GET account/accounts`` (5.1)."""
    pt = product_type(call.query)
    return [account_row(ctx.exchange, v) for v in ctx.exchange.account_views(call.api_key, pt)]


def account(ctx: RestContext, call: RestCall) -> Any:
    """``GET account/account`` (5.1): one margin coin plus the symbol's settings."""
    pt = product_type(call.query)
    symbol = _symbol(ctx.exchange, call.query, pt)
    coin = require(call.query, "marginCoin").upper()
    views = {v.margin_coin: v for v in ctx.exchange.account_views(call.api_key, pt)}
    if coin not in views:
        raise SimError("40034", f"Parameter {coin} does not exist")
    st = ctx.exchange.account_settings(call.api_key, symbol, pt)
    row = _account_fields(ctx.exchange, views[coin])
    row.update(
        {
            "crossedMarginLeverage": st.crossed_margin_leverage,
            "isolatedLongLever": st.isolated_long_lever,
            "isolatedShortLever": st.isolated_short_lever,
            "marginMode": st.margin_mode,
            "posMode": st.pos_mode,
            "crossedUnrealizedPL": wire.money(views[coin].unrealized_pl),
            "isolatedUnrealizedPL": "",
        }
    )
    return row


def _pt_body(body: Any) -> str:
    return product_type(body)


def place_order(ctx: RestContext, call: RestCall) -> Any:
    """``POST order/place-order`` (5.4): acceptance only."""
    _symbol(ctx.exchange, call.body, _pt_body(call.body))
    order = ctx.exchange.place_order(call.api_key, call.body)
    return {"orderId": order.order_id, "clientOid": order.client_oid}


def batch_place_order(ctx: RestContext, call: RestCall) -> Any:
    """``POST order/batch-place-order`` (5.6): per-item failures carry ``errorCode``."""
    _symbol(ctx.exchange, call.body, _pt_body(call.body))
    return _batch(ctx.exchange.batch_place_orders(call.api_key, call.body), with_code=True)


def modify_order(ctx: RestContext, call: RestCall) -> Any:
    """``POST order/modify-order`` (5.7): ``orderId`` null and the new clientOid."""
    _symbol(ctx.exchange, call.body, _pt_body(call.body))
    return ctx.exchange.modify_order(call.api_key, call.body)


def cancel_order(ctx: RestContext, call: RestCall) -> Any:
    """``POST order/cancel-order`` (5.8)."""
    _symbol(ctx.exchange, call.body, _pt_body(call.body))
    order = ctx.exchange.cancel_order(call.api_key, call.body)
    return {"orderId": order.order_id, "clientOid": order.client_oid}


def batch_cancel_orders(ctx: RestContext, call: RestCall) -> Any:
    """``POST order/batch-cancel-orders`` (5.8)."""
    check = _symbol if call.body.get("orderIdList") else _optional_symbol
    check(ctx.exchange, call.body, _pt_body(call.body))
    return _batch(ctx.exchange.batch_cancel_orders(call.api_key, call.body), with_code=False)


def cancel_all_orders(ctx: RestContext, call: RestCall) -> Any:
    """``POST order/cancel-all-orders`` (5.8)."""
    _optional_symbol(ctx.exchange, call.body, _pt_body(call.body))
    return _batch(ctx.exchange.cancel_all_orders(call.api_key, call.body), with_code=False)


def close_positions(ctx: RestContext, call: RestCall) -> Any:
    """``POST order/close-positions`` (5.9)."""
    _optional_symbol(ctx.exchange, call.body, _pt_body(call.body))
    out = _batch(ctx.exchange.close_positions(call.api_key, call.body), with_code=True)
    out["result"] = not out["failureList"]
    return out


def place_plan_order(ctx: RestContext, call: RestCall) -> Any:
    """``POST order/place-plan-order`` (5.11)."""
    _symbol(ctx.exchange, call.body, _pt_body(call.body))
    plan = ctx.exchange.place_plan_order(call.api_key, call.body)
    return {"orderId": plan.order_id, "clientOid": plan.client_oid}


def place_tpsl_order(ctx: RestContext, call: RestCall) -> Any:
    """``POST order/place-tpsl-order`` (5.11): ``{orderId, clientOid}``."""
    _symbol(ctx.exchange, call.body, _pt_body(call.body))
    plan = ctx.exchange.place_tpsl_order(call.api_key, call.body)
    return {"orderId": plan.order_id, "clientOid": plan.client_oid}


def place_pos_tpsl(ctx: RestContext, call: RestCall) -> Any:
    """``POST order/place-pos-tpsl`` (5.11): one ``{orderId}`` per leg placed."""
    _symbol(ctx.exchange, call.body, _pt_body(call.body))
    return [{"orderId": p.order_id} for p in ctx.exchange.place_pos_tpsl(call.api_key, call.body)]


def modify_tpsl_order(ctx: RestContext, call: RestCall) -> Any:
    """``POST order/modify-tpsl-order`` (5.11): changed in place, ``{orderId, clientOid}``."""
    _symbol(ctx.exchange, call.body, _pt_body(call.body))
    plan = ctx.exchange.modify_tpsl_order(call.api_key, call.body)
    return {"orderId": plan.order_id, "clientOid": plan.client_oid}


def modify_plan_order(ctx: RestContext, call: RestCall) -> Any:
    """``POST order/modify-plan-order`` (5.11): the plan is changed in place (same orderId)."""
    _optional_symbol(ctx.exchange, call.body, _pt_body(call.body))
    plan = ctx.exchange.modify_plan_order(call.api_key, call.body)
    return {"orderId": plan.order_id, "clientOid": plan.client_oid}


def cancel_plan_order(ctx: RestContext, call: RestCall) -> Any:
    """``POST order/cancel-plan-order`` (5.11): failures have ``errorMsg`` but no code."""
    _optional_symbol(ctx.exchange, call.body, _pt_body(call.body))
    return _batch(ctx.exchange.cancel_plan_order(call.api_key, call.body), with_code=False)


def set_leverage(ctx: RestContext, call: RestCall) -> Any:
    """``POST account/set-leverage`` (5.2)."""
    _symbol(ctx.exchange, call.body, _pt_body(call.body))
    return ctx.exchange.set_leverage(call.api_key, call.body)


def set_margin_mode(ctx: RestContext, call: RestCall) -> Any:
    """``POST account/set-margin-mode`` (5.2)."""
    _symbol(ctx.exchange, call.body, _pt_body(call.body))
    return ctx.exchange.set_margin_mode(call.api_key, call.body)


def set_position_mode(ctx: RestContext, call: RestCall) -> Any:
    """``POST account/set-position-mode`` (5.2)."""
    _pt_body(call.body)
    return ctx.exchange.set_position_mode(call.api_key, call.body)


def all_position(ctx: RestContext, call: RestCall) -> Any:
    """``GET position/all-position`` (5.3): only non-zero positions."""
    pt = product_type(call.query)
    coin = (call.query.get("marginCoin") or "").upper() or None
    return [
        position_row(ctx.exchange, p)
        for p in ctx.exchange.positions(call.api_key, pt, margin_coin=coin)
    ]


def single_position(ctx: RestContext, call: RestCall) -> Any:
    """``GET position/single-position`` (5.3)."""
    pt = product_type(call.query)
    symbol = _symbol(ctx.exchange, call.query, pt)
    coin = (call.query.get("marginCoin") or "").upper() or None
    rows = ctx.exchange.positions(call.api_key, pt, symbol=symbol, margin_coin=coin)
    return [position_row(ctx.exchange, p) for p in rows]


def _limit(q: Any, default: int = 100) -> int:
    return int_param(q, "limit", default, 1, 100)


def orders_pending(ctx: RestContext, call: RestCall) -> Any:
    """``GET order/orders-pending`` (5.10): ``entrustedList`` is null when empty."""
    pt = product_type(call.query)
    status = call.query.get("status") or None
    if status is not None and status not in ("live", "partially_filled"):
        raise SimError("40020", "Parameter status error")
    rows = ctx.exchange.pending_orders(
        call.api_key,
        pt,
        symbol=_optional_symbol(ctx.exchange, call.query, pt),
        order_id=call.query.get("orderId") or None,
        client_oid=call.query.get("clientOid") or None,
        status=status,
        id_less_than=call.query.get("idLessThan") or None,
        limit=_limit(call.query),
        **_window(call.query),
    )
    # bitget-protocol.md 5.10/9.2: entrustedList may be null when there are no orders
    entrusted = [order_row(ctx.exchange, o) for o in rows] or None
    return {"entrustedList": entrusted, "endId": _end_id(rows, "order_id")}


def orders_history(ctx: RestContext, call: RestCall) -> Any:
    """``GET order/orders-history`` (5.10)."""
    pt = product_type(call.query)
    rows = ctx.exchange.order_history(
        call.api_key,
        pt,
        symbol=_optional_symbol(ctx.exchange, call.query, pt),
        order_id=call.query.get("orderId") or None,
        client_oid=call.query.get("clientOid") or None,
        id_less_than=call.query.get("idLessThan") or None,
        limit=_limit(call.query),
        **_window(call.query),
    )
    out = []
    for o in rows:
        row = order_row(ctx.exchange, o)
        row["liqPrice"] = ""
        row["posAvg"] = ""
        out.append(row)
    return {"entrustedList": out, "endId": _end_id(rows, "order_id")}


def detail(ctx: RestContext, call: RestCall) -> Any:
    """``GET order/detail`` (5.10): the status key is ``state``."""
    pt = product_type(call.query)
    symbol = _symbol(ctx.exchange, call.query, pt)
    order_id = call.query.get("orderId") or None
    client_oid = call.query.get("clientOid") or None
    if order_id is None and client_oid is None:
        raise SimError("40924", "orderId and clientOid must have one")
    order = ctx.exchange.get_order(call.api_key, symbol, order_id=order_id, client_oid=client_oid)
    return order_row(ctx.exchange, order, state_key="state")


def order_fills(ctx: RestContext, call: RestCall) -> Any:
    """``GET order/fills`` (5.10)."""
    pt = product_type(call.query)
    rows = ctx.exchange.fills(
        call.api_key,
        pt,
        symbol=_optional_symbol(ctx.exchange, call.query, pt),
        order_id=call.query.get("orderId") or None,
        id_less_than=call.query.get("idLessThan") or None,
        limit=_limit(call.query),
        **_window(call.query),
    )
    return {"fillList": [fill_row(f) for f in rows], "endId": _end_id(rows, "trade_id")}


def _plan_type(q: Any) -> str:
    plan_type = require(q, "planType")
    if plan_type not in ("normal_plan", "track_plan", "profit_loss"):
        raise SimError("40020", "Parameter planType error")
    return plan_type


def orders_plan_pending(ctx: RestContext, call: RestCall) -> Any:
    """``GET order/orders-plan-pending`` (5.11): ``planType`` required."""
    pt = product_type(call.query)
    rows = ctx.exchange.plan_orders(
        call.api_key,
        pt,
        _plan_type(call.query),
        symbol=_optional_symbol(ctx.exchange, call.query, pt),
        order_id=call.query.get("orderId") or None,
        client_oid=call.query.get("clientOid") or None,
        id_less_than=call.query.get("idLessThan") or None,
        limit=_limit(call.query),
    )
    entrusted = [plan_row(ctx.exchange, p) for p in rows] or None
    return {"entrustedList": entrusted, "endId": _end_id(rows, "order_id")}


def orders_plan_history(ctx: RestContext, call: RestCall) -> Any:
    """``GET order/orders-plan-history`` (5.11)."""
    pt = product_type(call.query)
    rows = ctx.exchange.plan_history(
        call.api_key,
        pt,
        _plan_type(call.query),
        symbol=_optional_symbol(ctx.exchange, call.query, pt),
        plan_status=call.query.get("planStatus") or None,
        id_less_than=call.query.get("idLessThan") or None,
        limit=_limit(call.query),
    )
    return {
        "entrustedList": [plan_row(ctx.exchange, p, history=True) for p in rows],
        "endId": _end_id(rows, "order_id"),
    }


def bill(ctx: RestContext, call: RestCall) -> Any:
    """``GET account/bill`` (5.12): newest first, ``endId`` cursor."""
    pt = product_type(call.query)
    window = _window(call.query)
    if (
        window["start_ms"] is not None
        and window["end_ms"] is not None
        and window["end_ms"] - window["start_ms"] > 30 * 86_400_000
    ):
        raise SimError("00001", "startTime and endTime interval cannot be greater than 30 days")
    rows = ctx.exchange.bills(
        call.api_key,
        pt,
        business_type=call.query.get("businessType") or None,
        symbol=_optional_symbol(ctx.exchange, call.query, pt),
        id_less_than=call.query.get("idLessThan") or None,
        limit=int_param(call.query, "limit", 20, 1, 100),
        **window,
    )
    out = [
        {
            "billId": b.bill_id,
            "symbol": b.symbol,
            "amount": wire.money(b.amount),
            "fee": wire.money(b.fee),
            "feeByCoupon": "",
            "businessType": b.business_type,
            "coin": b.coin,
            "balance": wire.money(b.balance),
            "cTime": str(b.c_time),
        }
        for b in rows
    ]
    return {"bills": out, "endId": _end_id(rows, "bill_id")}


# (method, path, handler, requests per second per UID, signed) (bitget-protocol.md 7.2)
ROUTES: Final[tuple[Route[RestContext], ...]] = (
    Route("GET", "/api/v2/mix/account/accounts", accounts, 10, True),
    Route("GET", "/api/v2/mix/account/account", account, 10, True),
    Route("GET", "/api/v2/mix/account/bill", bill, 10, True),
    Route("POST", "/api/v2/mix/account/set-leverage", set_leverage, 5, True),
    Route("POST", "/api/v2/mix/account/set-margin-mode", set_margin_mode, 5, True),
    Route("POST", "/api/v2/mix/account/set-position-mode", set_position_mode, 5, True),
    Route("GET", "/api/v2/mix/position/all-position", all_position, 5, True),
    Route("GET", "/api/v2/mix/position/single-position", single_position, 10, True),
    Route("POST", "/api/v2/mix/order/place-order", place_order, 10, True),
    Route("POST", "/api/v2/mix/order/batch-place-order", batch_place_order, 5, True),
    Route("POST", "/api/v2/mix/order/modify-order", modify_order, 10, True),
    Route("POST", "/api/v2/mix/order/cancel-order", cancel_order, 10, True),
    Route("POST", "/api/v2/mix/order/batch-cancel-orders", batch_cancel_orders, 10, True),
    Route("POST", "/api/v2/mix/order/cancel-all-orders", cancel_all_orders, 10, True),
    Route("POST", "/api/v2/mix/order/close-positions", close_positions, 1, True),
    Route("GET", "/api/v2/mix/order/orders-pending", orders_pending, 10, True),
    Route("GET", "/api/v2/mix/order/orders-history", orders_history, 10, True),
    Route("GET", "/api/v2/mix/order/detail", detail, 10, True),
    Route("GET", "/api/v2/mix/order/fills", order_fills, 10, True),
    Route("POST", "/api/v2/mix/order/place-plan-order", place_plan_order, 10, True),
    Route("POST", "/api/v2/mix/order/modify-plan-order", modify_plan_order, 10, True),
    Route("POST", "/api/v2/mix/order/cancel-plan-order", cancel_plan_order, 10, True),
    Route("POST", "/api/v2/mix/order/place-tpsl-order", place_tpsl_order, 10, True),
    Route("POST", "/api/v2/mix/order/place-pos-tpsl", place_pos_tpsl, 10, True),
    Route("POST", "/api/v2/mix/order/modify-tpsl-order", modify_tpsl_order, 10, True),
    Route("GET", "/api/v2/mix/order/orders-plan-pending", orders_plan_pending, 10, True),
    Route("GET", "/api/v2/mix/order/orders-plan-history", orders_plan_history, 10, True),
)
