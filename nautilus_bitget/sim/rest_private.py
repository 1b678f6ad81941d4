"""
Signed REST endpoints of the simulator (bitget-protocol.md 5). Handlers take
``(sim, api_key, query, body)`` and return the envelope's ``data``; rejections come from the
exchange as ``SimError`` or from here as ``VenueError``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING
from typing import Any

from nautilus_bitget.sim import wire
from nautilus_bitget.sim.rest_public import int_param
from nautilus_bitget.sim.rest_public import product_type
from nautilus_bitget.sim.rest_public import require
from nautilus_bitget.sim.wire import VenueError
from nautilus_bitget.sim.ws_private import _usdt_equity


if TYPE_CHECKING:
    from nautilus_bitget.sim.server import BitgetSimulator


def _symbol(sim: BitgetSimulator, q: Any, pt: str, required: bool = True) -> str | None:
    value = q.get("symbol")
    if not value:
        if required:
            raise VenueError("40019", "Parameter symbol cannot be empty")
        return None
    symbol = str(value).upper()
    spec = sim.exchange.contracts.get(symbol)
    if spec is None or spec.product_type != pt:
        raise VenueError("40034", f"Parameter {symbol} does not exist")
    return symbol


def _end_id(rows: list, attr: str) -> str:
    return getattr(rows[-1], attr) if rows else ""


def _window(q: Any) -> dict:
    return {"start_ms": int_param(q, "startTime"), "end_ms": int_param(q, "endTime")}


# -- rows (bitget-protocol.md 5.1-5.12 field lists) ------------------------------------------------
def order_row(sim: BitgetSimulator, o: Any, state_key: str = "status") -> dict:
    """Return a REST order row; ``detail`` uses the key ``state`` (5.10)."""
    spec = sim.exchange.contracts[o.symbol]
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


def position_row(sim: BitgetSimulator, p: Any) -> dict:
    """Return a REST position row (5.3)."""
    spec = sim.exchange.contracts[p.symbol]
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


def _account_fields(sim: BitgetSimulator, v: Any) -> dict:
    usdt = _usdt_equity(sim.exchange, v.margin_coin, v.equity)
    btc = Decimal(0)
    if "BTCUSDT" in sim.exchange.markets:
        mark = Decimal(sim.exchange.ticker("BTCUSDT").mark_price or "0")
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


def account_row(sim: BitgetSimulator, v: Any) -> dict:
    """Return a ``account/accounts`` row (5.1)."""
    row = _account_fields(sim, v)
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


def plan_row(sim: BitgetSimulator, p: Any, history: bool = False) -> dict:
    """Return an ``orders-plan-pending``/``-history`` row (5.11)."""
    spec = sim.exchange.contracts[p.symbol]
    row = {
        "planType": p.plan_type,
        "symbol": p.symbol,
        "size": spec.fmt_size(p.size),
        "orderId": p.order_id,
        "clientOid": p.client_oid,
        "price": spec.fmt_price(p.price) if p.price is not None else "",
        "executePrice": spec.fmt_price(p.price) if p.price is not None else "",
        "callbackRatio": "",
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
def accounts(sim: BitgetSimulator, key: str, q: Any, body: Any) -> Any:
    """``GET account/accounts`` (5.1)."""
    pt = product_type(q)
    return [account_row(sim, v) for v in sim.exchange.account_views(key, pt)]


def account(sim: BitgetSimulator, key: str, q: Any, body: Any) -> Any:
    """``GET account/account`` (5.1): one margin coin plus the symbol's settings."""
    pt = product_type(q)
    symbol = _symbol(sim, q, pt)
    coin = require(q, "marginCoin").upper()
    views = {v.margin_coin: v for v in sim.exchange.account_views(key, pt)}
    if coin not in views:
        raise VenueError("40034", f"Parameter {coin} does not exist")
    st = sim.exchange.account_settings(key, symbol, pt)
    row = _account_fields(sim, views[coin])
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


def place_order(sim: BitgetSimulator, key: str, q: Any, body: Any) -> Any:
    """``POST order/place-order`` (5.4): acceptance only."""
    _symbol(sim, body, _pt_body(body))
    order = sim.exchange.place_order(key, body)
    return {"orderId": order.order_id, "clientOid": order.client_oid}


def batch_place_order(sim: BitgetSimulator, key: str, q: Any, body: Any) -> Any:
    """``POST order/batch-place-order`` (5.6): per-item failures carry ``errorCode``."""
    _symbol(sim, body, _pt_body(body))
    return _batch(sim.exchange.batch_place_orders(key, body), with_code=True)


def modify_order(sim: BitgetSimulator, key: str, q: Any, body: Any) -> Any:
    """``POST order/modify-order`` (5.7): ``orderId`` null and the new clientOid."""
    _symbol(sim, body, _pt_body(body))
    return sim.exchange.modify_order(key, body)


def cancel_order(sim: BitgetSimulator, key: str, q: Any, body: Any) -> Any:
    """``POST order/cancel-order`` (5.8)."""
    _symbol(sim, body, _pt_body(body))
    order = sim.exchange.cancel_order(key, body)
    return {"orderId": order.order_id, "clientOid": order.client_oid}


def batch_cancel_orders(sim: BitgetSimulator, key: str, q: Any, body: Any) -> Any:
    """``POST order/batch-cancel-orders`` (5.8)."""
    _symbol(sim, body, _pt_body(body), required=bool(body.get("orderIdList")))
    return _batch(sim.exchange.batch_cancel_orders(key, body), with_code=False)


def cancel_all_orders(sim: BitgetSimulator, key: str, q: Any, body: Any) -> Any:
    """``POST order/cancel-all-orders`` (5.8)."""
    _symbol(sim, body, _pt_body(body), required=False)
    return _batch(sim.exchange.cancel_all_orders(key, body), with_code=False)


def close_positions(sim: BitgetSimulator, key: str, q: Any, body: Any) -> Any:
    """``POST order/close-positions`` (5.9)."""
    _symbol(sim, body, _pt_body(body), required=False)
    out = _batch(sim.exchange.close_positions(key, body), with_code=True)
    out["result"] = not out["failureList"]
    return out


def place_plan_order(sim: BitgetSimulator, key: str, q: Any, body: Any) -> Any:
    """``POST order/place-plan-order`` (5.11)."""
    _symbol(sim, body, _pt_body(body))
    plan = sim.exchange.place_plan_order(key, body)
    return {"orderId": plan.order_id, "clientOid": plan.client_oid}


def modify_plan_order(sim: BitgetSimulator, key: str, q: Any, body: Any) -> Any:
    """``POST order/modify-plan-order`` (5.11): the plan is changed in place (same orderId)."""
    _symbol(sim, body, _pt_body(body), required=False)
    plan = sim.exchange.modify_plan_order(key, body)
    return {"orderId": plan.order_id, "clientOid": plan.client_oid}


def cancel_plan_order(sim: BitgetSimulator, key: str, q: Any, body: Any) -> Any:
    """``POST order/cancel-plan-order`` (5.11): failures have ``errorMsg`` but no code."""
    _symbol(sim, body, _pt_body(body), required=False)
    return _batch(sim.exchange.cancel_plan_order(key, body), with_code=False)


def set_leverage(sim: BitgetSimulator, key: str, q: Any, body: Any) -> Any:
    """``POST account/set-leverage`` (5.2)."""
    _symbol(sim, body, _pt_body(body))
    return sim.exchange.set_leverage(key, body)


def set_margin_mode(sim: BitgetSimulator, key: str, q: Any, body: Any) -> Any:
    """``POST account/set-margin-mode`` (5.2)."""
    _symbol(sim, body, _pt_body(body))
    return sim.exchange.set_margin_mode(key, body)


def set_position_mode(sim: BitgetSimulator, key: str, q: Any, body: Any) -> Any:
    """``POST account/set-position-mode`` (5.2)."""
    _pt_body(body)
    return sim.exchange.set_position_mode(key, body)


def all_position(sim: BitgetSimulator, key: str, q: Any, body: Any) -> Any:
    """``GET position/all-position`` (5.3): only non-zero positions."""
    pt = product_type(q)
    coin = (q.get("marginCoin") or "").upper() or None
    return [position_row(sim, p) for p in sim.exchange.positions(key, pt, margin_coin=coin)]


def single_position(sim: BitgetSimulator, key: str, q: Any, body: Any) -> Any:
    """``GET position/single-position`` (5.3)."""
    pt = product_type(q)
    symbol = _symbol(sim, q, pt)
    coin = (q.get("marginCoin") or "").upper() or None
    rows = sim.exchange.positions(key, pt, symbol=symbol, margin_coin=coin)
    return [position_row(sim, p) for p in rows]


def _limit(q: Any, default: int = 100) -> int:
    return int_param(q, "limit", default, 1, 100)


def orders_pending(sim: BitgetSimulator, key: str, q: Any, body: Any) -> Any:
    """``GET order/orders-pending`` (5.10): ``entrustedList`` is null when empty."""
    pt = product_type(q)
    status = q.get("status") or None
    if status is not None and status not in ("live", "partially_filled"):
        raise VenueError("40020", "Parameter status error")
    rows = sim.exchange.pending_orders(
        key,
        pt,
        symbol=_symbol(sim, q, pt, required=False),
        order_id=q.get("orderId") or None,
        client_oid=q.get("clientOid") or None,
        status=status,
        id_less_than=q.get("idLessThan") or None,
        limit=_limit(q),
        **_window(q),
    )
    # bitget-protocol.md 5.10/9.2: entrustedList may be null when there are no orders
    entrusted = [order_row(sim, o) for o in rows] or None
    return {"entrustedList": entrusted, "endId": _end_id(rows, "order_id")}


def orders_history(sim: BitgetSimulator, key: str, q: Any, body: Any) -> Any:
    """``GET order/orders-history`` (5.10)."""
    pt = product_type(q)
    rows = sim.exchange.order_history(
        key,
        pt,
        symbol=_symbol(sim, q, pt, required=False),
        order_id=q.get("orderId") or None,
        client_oid=q.get("clientOid") or None,
        id_less_than=q.get("idLessThan") or None,
        limit=_limit(q),
        **_window(q),
    )
    out = []
    for o in rows:
        row = order_row(sim, o)
        row["liqPrice"] = ""
        row["posAvg"] = ""
        out.append(row)
    return {"entrustedList": out, "endId": _end_id(rows, "order_id")}


def detail(sim: BitgetSimulator, key: str, q: Any, body: Any) -> Any:
    """``GET order/detail`` (5.10): the status key is ``state``."""
    pt = product_type(q)
    symbol = _symbol(sim, q, pt)
    order_id = q.get("orderId") or None
    client_oid = q.get("clientOid") or None
    if order_id is None and client_oid is None:
        raise VenueError("40924", "orderId and clientOid must have one")
    order = sim.exchange.get_order(key, symbol, order_id=order_id, client_oid=client_oid)
    return order_row(sim, order, state_key="state")


def order_fills(sim: BitgetSimulator, key: str, q: Any, body: Any) -> Any:
    """``GET order/fills`` (5.10)."""
    pt = product_type(q)
    rows = sim.exchange.fills(
        key,
        pt,
        symbol=_symbol(sim, q, pt, required=False),
        order_id=q.get("orderId") or None,
        id_less_than=q.get("idLessThan") or None,
        limit=_limit(q),
        **_window(q),
    )
    return {"fillList": [fill_row(f) for f in rows], "endId": _end_id(rows, "trade_id")}


def _plan_type(q: Any) -> str:
    plan_type = require(q, "planType")
    if plan_type not in ("normal_plan", "track_plan", "profit_loss"):
        raise VenueError("40020", "Parameter planType error")
    return plan_type


def orders_plan_pending(sim: BitgetSimulator, key: str, q: Any, body: Any) -> Any:
    """``GET order/orders-plan-pending`` (5.11): ``planType`` required."""
    pt = product_type(q)
    rows = sim.exchange.plan_orders(
        key,
        pt,
        _plan_type(q),
        symbol=_symbol(sim, q, pt, required=False),
        order_id=q.get("orderId") or None,
        client_oid=q.get("clientOid") or None,
        id_less_than=q.get("idLessThan") or None,
        limit=_limit(q),
    )
    entrusted = [plan_row(sim, p) for p in rows] or None
    return {"entrustedList": entrusted, "endId": _end_id(rows, "order_id")}


def orders_plan_history(sim: BitgetSimulator, key: str, q: Any, body: Any) -> Any:
    """``GET order/orders-plan-history`` (5.11)."""
    pt = product_type(q)
    rows = sim.exchange.plan_history(
        key,
        pt,
        _plan_type(q),
        symbol=_symbol(sim, q, pt, required=False),
        plan_status=q.get("planStatus") or None,
        id_less_than=q.get("idLessThan") or None,
        limit=_limit(q),
    )
    return {
        "entrustedList": [plan_row(sim, p, history=True) for p in rows],
        "endId": _end_id(rows, "order_id"),
    }


def bill(sim: BitgetSimulator, key: str, q: Any, body: Any) -> Any:
    """``GET account/bill`` (5.12): newest first, ``endId`` cursor."""
    pt = product_type(q)
    window = _window(q)
    if (
        window["start_ms"] is not None
        and window["end_ms"] is not None
        and window["end_ms"] - window["start_ms"] > 30 * 86_400_000
    ):
        raise VenueError("00001", "startTime and endTime interval cannot be greater than 30 days")
    rows = sim.exchange.bills(
        key,
        pt,
        business_type=q.get("businessType") or None,
        symbol=_symbol(sim, q, pt, required=False),
        id_less_than=q.get("idLessThan") or None,
        limit=int_param(q, "limit", 20, 1, 100),
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


# (method, path, handler, requests per second per UID) (bitget-protocol.md 7.2)
ROUTES: list[tuple[str, str, Any, float]] = [
    ("GET", "/api/v2/mix/account/accounts", accounts, 10),
    ("GET", "/api/v2/mix/account/account", account, 10),
    ("GET", "/api/v2/mix/account/bill", bill, 10),
    ("POST", "/api/v2/mix/account/set-leverage", set_leverage, 5),
    ("POST", "/api/v2/mix/account/set-margin-mode", set_margin_mode, 5),
    ("POST", "/api/v2/mix/account/set-position-mode", set_position_mode, 5),
    ("GET", "/api/v2/mix/position/all-position", all_position, 5),
    ("GET", "/api/v2/mix/position/single-position", single_position, 10),
    ("POST", "/api/v2/mix/order/place-order", place_order, 10),
    ("POST", "/api/v2/mix/order/batch-place-order", batch_place_order, 5),
    ("POST", "/api/v2/mix/order/modify-order", modify_order, 10),
    ("POST", "/api/v2/mix/order/cancel-order", cancel_order, 10),
    ("POST", "/api/v2/mix/order/batch-cancel-orders", batch_cancel_orders, 10),
    ("POST", "/api/v2/mix/order/cancel-all-orders", cancel_all_orders, 10),
    ("POST", "/api/v2/mix/order/close-positions", close_positions, 1),
    ("GET", "/api/v2/mix/order/orders-pending", orders_pending, 10),
    ("GET", "/api/v2/mix/order/orders-history", orders_history, 10),
    ("GET", "/api/v2/mix/order/detail", detail, 10),
    ("GET", "/api/v2/mix/order/fills", order_fills, 10),
    ("POST", "/api/v2/mix/order/place-plan-order", place_plan_order, 10),
    ("POST", "/api/v2/mix/order/modify-plan-order", modify_plan_order, 10),
    ("POST", "/api/v2/mix/order/cancel-plan-order", cancel_plan_order, 10),
    ("GET", "/api/v2/mix/order/orders-plan-pending", orders_plan_pending, 10),
    ("GET", "/api/v2/mix/order/orders-plan-history", orders_plan_history, 10),
]
