"""
REST ``/api/v3/...`` of the simulator (bitget-protocol-uta.md 2, 3), over the same engine as v2.

Handlers translate v3 requests into engine commands (which take the v2 body shape) and render v3
rows (``rows``). Hedge mode: v3 ``side`` is the trade direction and ``posSide`` the position
(3.5), the opposite of v2 for closes, so ``_engine_side`` converts. Handlers are
``fn(context, call) -> data``; :data:`ROUTES` and the v3 :data:`DIALECT` are served by the shared
:mod:`~nautilus_bitget.sim.pipeline`.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any
from typing import Final

from nautilus_bitget.sim import wire
from nautilus_bitget.sim.auth import uid_of
from nautilus_bitget.sim.errors import SimError
from nautilus_bitget.sim.pipeline import Dialect
from nautilus_bitget.sim.pipeline import RestCall
from nautilus_bitget.sim.pipeline import Route
from nautilus_bitget.sim.v3 import rows
from nautilus_bitget.sim.v3.orders import ModifyRequest
from nautilus_bitget.sim.v3.orders import V3Context
from nautilus_bitget.sim.v3.rows import FUTURES
from nautilus_bitget.sim.v3.rows import account_summary


PARAM_ERROR: Final[str] = "400172"  # bitget-protocol-uta.md 5.2: "Parameter verification failed"
V2_PARAM_ERROR: Final[str] = "25236"  # 5.2: v3 rejects v2-style holdSide / oneWayMode
# 3.4: parameters of v2 that v3 does not accept
_V2_ONLY: Final[tuple[str, ...]] = ("productType", "marginCoin", "size", "force", "tradeSide")
_V2_HEDGE_ONLY: Final[tuple[str, ...]] = ("holdSide", "oneWayMode")
_CLIENT_OID_RE: Final = re.compile(r"^[\.A-Z\:/a-z0-9_-]{1,32}$")  # 3.4
_TIF: Final[tuple[str, ...]] = ("gtc", "ioc", "fok", "post_only")
BATCH_MAX: Final[int] = 20
# engine (v2) error codes -> v3 codes (5.2)
V3_CODES: Final[dict[str, str]] = {
    "40768": "25204",  # order does not exist
    "43025": "25204",
    "43020": "25204",  # TP/SL plan does not exist
    "43118": "25212",  # duplicate clientOid
    "40762": "25202",  # insufficient balance
    "45115": "25244",  # price tick
    "40808": "25610",  # qty step
    "45111": "25611",  # below min qty
    "45112": "25207",  # qty out of range
    "40034": "25100",  # symbol does not exist
    "22002": "25227",  # no position to close
    "40019": PARAM_ERROR,
    "40020": PARAM_ERROR,
    "40306": PARAM_ERROR,
    "40304": PARAM_ERROR,
    "40305": PARAM_ERROR,
}


def v3_error(code: str, msg: str) -> SimError:
    """Return a ``SimError`` with the v3 code of an engine code."""
    return SimError(V3_CODES.get(code, code), msg)


def _q(query: Any, key: str) -> str | None:
    value = query.get(key)
    return value if value not in (None, "") else None


def _req(source: Any, key: str) -> str:
    value = source.get(key)
    if value in (None, ""):
        raise SimError(PARAM_ERROR, f"Parameter verification failed: {key} cannot be empty")
    return str(value)


def _optional_category(source: Any) -> str | None:
    raw = source.get("category")
    if raw in (None, ""):
        return None
    cat = str(raw).upper()  # 2.1: upper case on REST; accepted in any case
    if cat not in FUTURES:
        raise SimError(PARAM_ERROR, f"Parameter verification failed: category {raw}")
    return cat


def _category(source: Any) -> str:
    cat = _optional_category(source)
    if cat is None:
        raise SimError(PARAM_ERROR, "Parameter verification failed: category cannot be empty")
    return cat


def _categories(source: Any) -> tuple[str, ...]:
    cat = _optional_category(source)
    return (cat,) if cat else FUTURES


def _limit(query: Any, default: int = 100, cap: int = 100) -> int:
    raw = _q(query, "limit")
    try:
        return max(1, min(int(raw), cap)) if raw else default
    except ValueError:
        raise SimError(PARAM_ERROR, "Parameter verification failed: limit") from None


def _tradable(ex: Any, category: str, symbol: str | None) -> list[str]:
    out = [s for s, m in ex.markets.items() if m.contract.product_type == category]
    if symbol is not None:
        if symbol not in out:
            raise SimError("25100", f"symbol {symbol} does not exist")
        return [symbol]
    return out


# -- public market (2.2-2.8) ----------------------------------------------------------------------
# 2.1: documented categories the simulator lists nothing under (it simulates futures only)
_UNLISTED: Final[tuple[str, ...]] = ("SPOT", "MARGIN")


def _unlisted(query: Any) -> bool:
    return str(query.get("category") or "").upper() in _UNLISTED


def instruments(ctx: V3Context, call: RestCall) -> list:
    ex = ctx.exchange
    if _unlisted(call.query):
        return []  # a valid category (2.1) without any simulated instrument
    cat = _category(call.query)
    symbol = _q(call.query, "symbol")
    specs = [c for c in ex.contracts_of(cat) if symbol is None or c.symbol == symbol]
    return [rows.instrument_row(c) for c in specs]


def tickers(ctx: V3Context, call: RestCall) -> list:
    ex = ctx.exchange
    if _unlisted(call.query) and not call.query.get("symbol"):
        return []
    return [
        rows.rest_ticker_row(ex, s)
        for s in _tradable(ex, _category(call.query), _q(call.query, "symbol"))
    ]


def orderbook(ctx: V3Context, call: RestCall) -> dict:
    ex = ctx.exchange
    symbol = _tradable(ex, _category(call.query), _req(call.query, "symbol"))[0]
    depth = _limit(call.query, default=50, cap=1000)
    bids, asks = ex.book(symbol, depth)
    # 2.3: levels are JSON numbers (Decimals encode as exact numbers), ts a string
    return {
        "a": [[Decimal(p), Decimal(s)] for p, s in asks],
        "b": [[Decimal(p), Decimal(s)] for p, s in bids],
        "ts": str(ex.now_ms()),
    }


def _candles(ctx: V3Context, call: RestCall, *, history: bool) -> list:
    ex = ctx.exchange
    symbol = _tradable(ex, _category(call.query), _req(call.query, "symbol"))[0]
    interval = _req(call.query, "interval")
    start, end = _q(call.query, "startTime"), _q(call.query, "endTime")
    kline_type = (_q(call.query, "type") or "market").lower()
    if kline_type not in ("market", "mark", "index"):
        raise SimError(PARAM_ERROR, "Parameter verification failed: type")
    # 2.5: history-candles default and max 100; candles up to 1000
    limit = _limit(call.query, default=100, cap=100 if history else 1000)
    data = ex.candles(
        symbol,
        interval,
        start_ms=int(start) if start else None,
        end_ms=int(end) if end else None,
        limit=limit,
        kline_type=kline_type,
    )
    # 2.5 does not say that history-candles leaves out the forming candle (v2 4.5 does): kept
    return [list(r[:7]) for r in data]


def candles(ctx: V3Context, call: RestCall) -> list:
    """``GET market/candles`` (2.5): recent candles incl. the forming one."""
    return _candles(ctx, call, history=False)


def history_candles(ctx: V3Context, call: RestCall) -> list:
    """``GET market/history-candles`` (2.5): limit <= 100."""
    return _candles(ctx, call, history=True)


def public_fills(ctx: V3Context, call: RestCall) -> list:
    ex = ctx.exchange
    symbol = _tradable(ex, _category(call.query), _req(call.query, "symbol"))[0]
    trades = ex.recent_trades(symbol, _limit(call.query))
    return [
        {"execId": t.trade_id, "price": t.price, "size": t.size, "side": t.side,
         "ts": str(t.ts), "isRPI": "no"}
        for t in trades
    ]  # fmt: skip


def current_fund_rate(ctx: V3Context, call: RestCall) -> list:
    ex = ctx.exchange
    symbol = _req(call.query, "symbol")
    if symbol not in ex.markets:
        raise SimError("25100", f"symbol {symbol} does not exist")
    f = ex.funding(symbol)
    return [
        {
            "symbol": symbol,
            "fundingRate": f.funding_rate,
            "fundingRateInterval": str(f.interval_hours),
            "nextUpdate": str(f.next_funding_time),
            "minFundingRate": f.min_funding_rate,
            "maxFundingRate": f.max_funding_rate,
        },
    ]


def history_fund_rate(ctx: V3Context, call: RestCall) -> dict:
    ex = ctx.exchange
    symbol = _tradable(ex, _category(call.query), _req(call.query, "symbol"))[0]
    # 2.7: newest first, ``cursor`` is the page number (1-based), ``limit`` <= 100
    size = _limit(call.query, default=20)
    try:
        page = max(1, int(_q(call.query, "cursor") or 1))
    except ValueError:
        raise SimError(PARAM_ERROR, "Parameter verification failed: cursor") from None
    hist = ex.funding_history(symbol)[(page - 1) * size : page * size]
    return {
        "resultList": [
            {"symbol": symbol, "fundingRate": r, "fundingRateTimestamp": str(t)} for r, t in hist
        ],
    }


def open_interest(ctx: V3Context, call: RestCall) -> dict:
    ex = ctx.exchange
    symbols = _tradable(ex, _category(call.query), _q(call.query, "symbol"))
    return {
        "list": [{"symbol": s, "openInterest": ex.open_interest(s)} for s in symbols],
        "ts": str(ex.now_ms()),
    }


# -- account (3.1-3.3) ---------------------------------------------------------------------
def settings(ctx: V3Context, call: RestCall) -> dict:
    ex = ctx.exchange
    acct = ex.account(call.api_key)
    config = []
    for symbol, market in ex.markets.items():
        s = ex.account_settings(call.api_key, symbol, market.contract.product_type)
        lev = s.crossed_margin_leverage if s.margin_mode == "crossed" else s.isolated_long_lever
        config.append(
            {"category": market.contract.product_type, "symbol": symbol,
             "marginMode": s.margin_mode, "leverage": str(lev)},
        )  # fmt: skip
    return {
        "uid": uid_of(call.api_key),
        "accountMode": "unified",
        "assetMode": "single_asset",
        "accountLevel": "advanced",
        "holdMode": acct.get_pos_mode(FUTURES[0]),  # account-wide in v3 (3.3)
        "stpMode": "none",
        "symbolConfigList": config,
        "coinConfigList": [],
    }


def assets(ctx: V3Context, call: RestCall) -> dict:
    ex = ctx.exchange
    t, views = account_summary(ex, call.api_key)
    btc = t["btc"]
    return {
        "accountEquity": wire.money(t["equity"]),
        "usdtEquity": wire.money(t["equity"]),
        "btcEquity": wire.money(t["equity"] / btc) if btc else "0",
        "unrealisedPnl": wire.money(t["upl"]),
        "usdtUnrealisedPnl": wire.money(t["upl"]),
        "btcUnrealizedPnl": wire.money(t["upl"] / btc) if btc else "0",
        "effEquity": wire.money(t["equity"]),
        "mmr": wire.money(t["mmr"]),
        "imr": wire.money(t["imr"]),
        "mgnRatio": wire.money(t["mmr"] / t["equity"]) if t["equity"] else "0",
        "positionMgnRatio": "0",
        "assets": [
            {
                "coin": v.margin_coin,
                "equity": wire.money(v.equity),
                "usdValue": wire.money(v.equity * px),
                "balance": wire.money(v.balance),
                "available": wire.money(v.available),
                "debt": "0",
                "locked": wire.money(v.locked),
            }
            for v, px in views
        ],
    }


def set_leverage(ctx: V3Context, call: RestCall) -> str:
    ex = ctx.exchange
    cat = _category(call.body)
    symbol = _req(call.body, "symbol")
    spec = ex.contract(symbol, cat)
    margin_mode = call.body.get("marginMode")
    if margin_mode:
        ex.set_margin_mode(
            call.api_key,
            {"symbol": symbol, "productType": cat, "marginCoin": spec.margin_coin,
             "marginMode": margin_mode},
        )  # fmt: skip
    v2 = {"symbol": symbol, "productType": cat, "marginCoin": spec.margin_coin}
    for key in ("leverage", "longLeverage", "shortLeverage"):
        if call.body.get(key) not in (None, ""):
            v2[key] = str(call.body[key])
    if call.body.get("posSide"):
        v2["holdSide"] = call.body["posSide"]
    ex.set_leverage(call.api_key, v2)
    return "success"


def set_hold_mode(ctx: V3Context, call: RestCall) -> str:
    ex = ctx.exchange
    mode = _req(call.body, "holdMode")
    if mode not in ("one_way_mode", "hedge_mode"):
        raise SimError(PARAM_ERROR, "Parameter verification failed: holdMode")
    acct = ex.account(call.api_key)
    before = {pt: acct.get_pos_mode(pt) for pt in FUTURES}
    done: list[str] = []
    try:
        for pt in FUTURES:  # 3.3: account-wide, so every product type switches together
            ex.set_position_mode(call.api_key, {"productType": pt, "posMode": mode})
            done.append(pt)
    except SimError:
        for pt in done:
            ex.set_position_mode(call.api_key, {"productType": pt, "posMode": before[pt]})
        raise
    return "success"


def financial_records(ctx: V3Context, call: RestCall) -> dict:
    """
    ``GET /api/v3/account/financial-records`` (3.1): the engine's bills as the v3 ledger,
    newest first, ``cursor`` = the last ``id``; optional ``coin``, ``symbol`` and ``type``.
    """
    ex = ctx.exchange
    acct = ex.account(call.api_key)
    cat = _category(call.query)
    args = _page_args(call.query)
    coin, kind = _q(call.query, "coin"), _q(call.query, "type")
    found = []
    kinds: dict[str, str] = {}
    for bill in ex.bills(
        call.api_key,
        cat,
        symbol=_q(call.query, "symbol"),
        id_less_than=args["id_less_than"],
        start_ms=args["start_ms"],
        end_ms=args["end_ms"],
        limit=1_000_000,
    ):
        record = rows.record_type(bill, acct.get_margin_mode(bill.symbol))
        if (coin is None or bill.coin == coin.upper()) and (kind is None or record == kind):
            kinds[bill.bill_id] = record
            found.append(bill)
    return _listed(
        found,
        lambda b: rows.financial_record_row(b, kinds[b.bill_id]),
        "bill_id",
        args["limit"],
    )


def current_position(ctx: V3Context, call: RestCall) -> dict:
    ex = ctx.exchange
    cat = _category(call.query)
    symbol, pos_side = _q(call.query, "symbol"), _q(call.query, "posSide")
    out = [
        rows.position_row(ex, p)
        for p in ex.positions(call.api_key, cat, symbol)
        if pos_side is None or p.hold_side == pos_side
    ]
    # bitget-protocol-uta.md 3.2: a flat account (no position matches) answers ``{"list": null}``
    return {"list": out or None}


def history_position(ctx: V3Context, call: RestCall) -> dict:
    ex = ctx.exchange
    recs = ex.history_positions(
        call.api_key, _category(call.query), _q(call.query, "symbol"), _limit(call.query)
    )
    return {"list": [rows.history_position_row(r) for r in recs], "cursor": ""}


# -- trade (3.4-3.8) -----------------------------------------------------------------------
def _reject_v2_params(body: Any) -> None:
    for key in _V2_HEDGE_ONLY:
        if key in body:
            raise SimError(V2_PARAM_ERROR, f"Parameter {key} is not supported")
    for key in _V2_ONLY:
        if key in body:
            raise SimError(PARAM_ERROR, f"Parameter verification failed: {key} is not supported")


def _client_oid(body: Any) -> str | None:
    oid = body.get("clientOid")
    if oid in (None, ""):
        return None
    oid = str(oid)
    if not _CLIENT_OID_RE.match(oid):
        raise SimError(PARAM_ERROR, "Parameter verification failed: clientOid")
    return oid


def _engine_side(acct: Any, category: str, order: Any) -> dict:
    """Return the engine (v2) side fields of a v3 order (3.5)."""
    side = str(order.get("side") or "").lower()
    pos_side, reduce_only = order.get("posSide"), order.get("reduceOnly")
    if side not in ("buy", "sell"):
        raise SimError(PARAM_ERROR, "Parameter verification failed: side")
    if acct.get_pos_mode(category) == "hedge_mode":
        if pos_side not in ("long", "short"):
            raise SimError(PARAM_ERROR, "Parameter verification failed: posSide is required")
        opening = (side == "buy") == (pos_side == "long")
        return {"side": "buy" if pos_side == "long" else "sell",
                "tradeSide": "open" if opening else "close"}  # fmt: skip
    out = {"side": side}
    if str(reduce_only or "").lower() in ("yes", "true"):
        out["reduceOnly"] = "YES"
    return out


def _engine_order(ctx: V3Context, api_key: str, body: Any, category: str | None = None) -> dict:
    ex = ctx.exchange
    if not isinstance(body, dict):
        raise SimError(PARAM_ERROR, "Parameter verification failed: order must be an object")
    _reject_v2_params(body)
    cat = category or _category(body)
    symbol = _req(body, "symbol")
    spec = ex.contract(symbol, cat)
    acct = ex.account(api_key)
    order_type = _req(body, "orderType").lower()
    tif = str(body.get("timeInForce") or "gtc").lower()
    if tif not in _TIF:
        raise SimError(PARAM_ERROR, "Parameter verification failed: timeInForce")
    margin_mode = str(body.get("marginMode") or acct.get_margin_mode(symbol))
    if margin_mode not in ("crossed", "isolated"):
        raise SimError(PARAM_ERROR, "Parameter verification failed: marginMode")
    if margin_mode != acct.get_margin_mode(symbol):
        # 3.3: v3 has no set-margin-mode; the order's marginMode switches the symbol
        ex.set_margin_mode(
            api_key,
            {"symbol": symbol, "productType": cat, "marginCoin": spec.margin_coin,
             "marginMode": margin_mode},
        )  # fmt: skip
    v2: dict[str, Any] = {
        "symbol": symbol,
        "productType": cat,
        "marginMode": margin_mode,
        "marginCoin": spec.margin_coin,
        "size": _req(body, "qty"),
        "orderType": order_type,
        "force": tif,
        **_engine_side(acct, cat, body),
    }
    if order_type == "limit":
        v2["price"] = _req(body, "price")
    oid = _client_oid(body)
    if oid is not None:
        v2["clientOid"] = oid
    if body.get("takeProfit"):
        v2["presetStopSurplusPrice"] = str(body["takeProfit"])
    if body.get("stopLoss"):
        v2["presetStopLossPrice"] = str(body["stopLoss"])
    return v2


def place_order(ctx: V3Context, call: RestCall) -> dict:
    order = ctx.exchange.place_order(call.api_key, _engine_order(ctx, call.api_key, call.body))
    return {"orderId": ctx.orders.public_id(order.order_id), "clientOid": order.client_oid}


def _batch(items: Any) -> list:
    if not isinstance(items, list) or not items:
        raise SimError(PARAM_ERROR, "Parameter verification failed: body must be a non-empty array")
    if len(items) > BATCH_MAX:
        raise SimError(PARAM_ERROR, f"Parameter verification failed: at most {BATCH_MAX} orders")
    return items


def place_batch(ctx: V3Context, call: RestCall) -> list:
    items = _batch(call.body)
    cats = {str(i.get("category", "")).upper() for i in items if isinstance(i, dict)}
    if len(cats) != 1:
        raise SimError(PARAM_ERROR, "Parameter verification failed: one category per batch")
    out = []
    for item in items:
        oid = item.get("clientOid", "") if isinstance(item, dict) else ""
        try:
            order = ctx.exchange.place_order(call.api_key, _engine_order(ctx, call.api_key, item))
        except SimError as e:
            err = v3_error(e.code, e.msg)
            out.append({"orderId": "", "clientOid": oid, "code": err.code, "msg": err.msg})
        else:
            out.append(
                {"orderId": ctx.orders.public_id(order.order_id), "clientOid": order.client_oid}
            )
    return out


def _find_order(ctx: V3Context, api_key: str, source: Any) -> Any:
    order_id, client_oid = source.get("orderId"), source.get("clientOid")
    if not order_id and not client_oid:
        raise SimError(PARAM_ERROR, "Parameter verification failed: orderId or clientOid")
    try:
        return ctx.exchange.get_order(
            api_key,
            source.get("symbol") or None,
            ctx.orders.engine_id(str(order_id)) if order_id else None,
            str(client_oid) if client_oid and not order_id else None,
        )
    except SimError as e:
        raise v3_error(e.code, "Order does not exist") from None


def modify_order(ctx: V3Context, call: RestCall) -> dict:
    order = _find_order(ctx, call.api_key, call.body)
    if not order.is_open:
        raise SimError("25204", "Order does not exist")
    qty, price = call.body.get("qty"), call.body.get("price")
    if qty in (None, "") and price in (None, ""):
        raise SimError(PARAM_ERROR, "Parameter verification failed: qty or price")
    public = ctx.orders.public_id(order.order_id)
    # 3.6: asynchronous; the ack is not success and a failure sends no extra notification
    request = ModifyRequest(
        qty=str(qty) if qty not in (None, "") else None,
        price=str(price) if price not in (None, "") else None,
        auto_cancel=str(call.body.get("autoCancel") or "no").lower() == "yes",
        request_id=str(call.body["requestId"]) if call.body.get("requestId") else None,
    )
    ctx.orders.schedule_modify(call.api_key, order, request)
    return {"orderId": public, "clientOid": order.client_oid}


def _cancel_one(ctx: V3Context, api_key: str, source: Any) -> dict:
    order = _find_order(ctx, api_key, source)
    if not order.is_open:
        raise SimError("25204", "Order does not exist")
    ctx.exchange.cancel_order(
        api_key,
        {"symbol": order.symbol, "productType": order.product_type, "orderId": order.order_id},
    )
    return {"orderId": ctx.orders.public_id(order.order_id), "clientOid": order.client_oid}


def cancel_order(ctx: V3Context, call: RestCall) -> dict:
    return _cancel_one(ctx, call.api_key, call.body)


def cancel_batch(ctx: V3Context, call: RestCall) -> list:
    out = []
    for item in _batch(call.body):
        try:
            out.append(_cancel_one(ctx, call.api_key, item if isinstance(item, dict) else {}))
        except SimError as e:
            err = v3_error(e.code, e.msg)
            src = item if isinstance(item, dict) else {}
            oid, coid = str(src.get("orderId") or ""), str(src.get("clientOid") or "")
            out.append({"orderId": oid, "clientOid": coid, "code": err.code, "msg": err.msg})
    return out


def cancel_symbol_order(ctx: V3Context, call: RestCall) -> dict:
    cat = _category(call.body)
    v2 = {"productType": cat}
    if call.body.get("symbol"):
        v2["symbol"] = call.body["symbol"]
    res = ctx.exchange.cancel_all_orders(call.api_key, v2)
    return {"list": [{"orderId": ctx.orders.public_id(o), "clientOid": c} for o, c in res.success]}


def close_positions(ctx: V3Context, call: RestCall) -> dict:
    v2: dict[str, Any] = {"productType": _category(call.body)}
    if call.body.get("symbol"):
        v2["symbol"] = call.body["symbol"]
    if call.body.get("posSide"):
        v2["holdSide"] = call.body["posSide"]
    res = ctx.exchange.close_positions(call.api_key, v2)
    items = [{"orderId": ctx.orders.public_id(o), "clientOid": c} for o, c in res.success]
    items += [{"orderId": o, "clientOid": c, "code": v3_error(code, m).code, "msg": m}
              for o, c, code, m in res.failure]  # fmt: skip
    return {"list": items}


def order_info(ctx: V3Context, call: RestCall) -> dict:
    return rows.order_row(
        ctx.exchange, _find_order(ctx, call.api_key, call.query), ctx.orders.public_id
    )


def _page_args(query: Any) -> dict:
    start, end = _q(query, "startTime"), _q(query, "endTime")
    return {
        "id_less_than": _q(query, "cursor"),
        "start_ms": int(start) if start else None,
        "end_ms": int(end) if end else None,
        "limit": _limit(query),
    }


def _listed(items: list, render: Any, id_attr: str, limit: int) -> dict:
    items.sort(key=lambda x: int(getattr(x, id_attr)), reverse=True)
    items = items[:limit]
    cursor = getattr(items[-1], id_attr) if len(items) == limit else ""
    return {"list": [render(x) for x in items], "cursor": cursor}


def unfilled_orders(ctx: V3Context, call: RestCall) -> dict:
    ex = ctx.exchange
    args = _page_args(call.query)
    found = []
    for cat in _categories(call.query):
        found += ex.pending_orders(call.api_key, cat, symbol=_q(call.query, "symbol"), **args)
    return _listed(
        found, lambda o: rows.order_row(ex, o, ctx.orders.public_id), "order_id", args["limit"]
    )


def history_orders(ctx: V3Context, call: RestCall) -> dict:
    ex = ctx.exchange
    args = _page_args(call.query)
    found = ex.order_history(
        call.api_key, _category(call.query), symbol=_q(call.query, "symbol"), **args
    )
    return _listed(
        found, lambda o: rows.order_row(ex, o, ctx.orders.public_id), "order_id", args["limit"]
    )


def trade_fills(ctx: V3Context, call: RestCall) -> dict:
    ex = ctx.exchange
    args = _page_args(call.query)
    order_id = _q(call.query, "orderId")
    found = []
    for cat in _categories(call.query):
        found += ex.fills(
            call.api_key,
            cat,
            symbol=_q(call.query, "symbol"),
            order_id=ctx.orders.engine_id(order_id) if order_id else None,
            **args,
        )
    return _listed(
        found, lambda f: rows.fill_row(f, ctx.orders.public_id), "trade_id", args["limit"]
    )


def place_strategy_order(ctx: V3Context, call: RestCall) -> dict:
    ex = ctx.exchange
    kind = str(call.body.get("type") or "tpsl").lower()
    if kind == "tpsl":
        return _place_tpsl_strategy(ctx, call)
    if kind != "trigger":
        raise SimError(PARAM_ERROR, "Parameter verification failed: type")
    cat = _category(call.body)
    symbol = _req(call.body, "symbol")
    spec = ex.contract(symbol, cat)
    acct = ex.account(call.api_key)
    order_type = str(call.body.get("triggerOrderType") or "market").lower()
    v2: dict[str, Any] = {
        "planType": "normal_plan",
        "symbol": symbol,
        "productType": cat,
        "marginMode": str(call.body.get("marginMode") or acct.get_margin_mode(symbol)),
        "marginCoin": spec.margin_coin,
        "size": _req(call.body, "qty"),
        "orderType": order_type,
        "triggerPrice": _req(call.body, "triggerPrice"),
        "triggerType": "mark_price" if call.body.get("triggerBy") == "mark" else "fill_price",
        **_engine_side(acct, cat, call.body),
    }
    if order_type == "limit":
        v2["price"] = _req(call.body, "triggerOrderPrice")
    oid = _client_oid(call.body)
    if oid is not None:
        v2["clientOid"] = oid
    plan = ex.place_plan_order(call.api_key, v2)
    return {"orderId": plan.order_id, "clientOid": plan.client_oid}


_TRIGGER_BY: Final[dict[str, str]] = {"market": "fill_price", "mark": "mark_price"}


def _place_tpsl_strategy(ctx: V3Context, call: RestCall) -> dict:
    """
    ``type=tpsl`` (3.8): a take-profit and/or stop-loss on a position. ``tpslMode`` ``full``
    (default) closes the whole position when it fires (engine ``pos_profit``/``pos_loss``),
    ``partial`` closes ``qty`` (``profit_plan``/``loss_plan``). ``tpTriggerBy``/``slTriggerBy``
    ``market`` (last price, the default) or ``mark``; ``tpOrderType``/``slOrderType`` ``limit``
    with ``tpLimitPrice``/``slLimitPrice``, else market. The position is ``posSide`` (hedge:
    required); one-way mode takes it from ``side`` (the closing direction) or the open
    position. Both legs share the one ``orderId`` answered.
    """
    ex = ctx.exchange
    body = call.body
    _reject_v2_params(body)
    cat = _category(body)
    symbol = _req(body, "symbol")
    spec = ex.contract(symbol, cat)
    acct = ex.account(call.api_key)
    mode = str(body.get("tpslMode") or "full").lower()
    if mode not in ("full", "partial"):
        raise SimError(PARAM_ERROR, "Parameter verification failed: tpslMode")
    qty = _req(body, "qty") if mode == "partial" else None
    hold = _tpsl_hold(ex, acct, call.api_key, cat, symbol, body)
    legs = []
    for prefix, key, partial, whole in (("tp", "takeProfit", "profit_plan", "pos_profit"),
                                        ("sl", "stopLoss", "loss_plan", "pos_loss")):  # fmt: skip
        trigger = body.get(key)
        if trigger in (None, ""):
            continue
        by = str(body.get(f"{prefix}TriggerBy") or "market").lower()
        if by not in _TRIGGER_BY:
            raise SimError(PARAM_ERROR, f"Parameter verification failed: {prefix}TriggerBy")
        order_type = str(body.get(f"{prefix}OrderType") or "market").lower()
        if order_type not in ("limit", "market"):
            raise SimError(PARAM_ERROR, f"Parameter verification failed: {prefix}OrderType")
        v2 = {
            "symbol": symbol,
            "productType": cat,
            "marginCoin": spec.margin_coin,
            "planType": partial if mode == "partial" else whole,
            "triggerPrice": str(trigger),
            "triggerType": _TRIGGER_BY[by],
            "executePrice": _req(body, f"{prefix}LimitPrice") if order_type == "limit" else "0",
            "holdSide": hold,
        }
        if qty is not None:
            v2["size"] = qty
        legs.append(v2)
    if not legs:
        raise SimError(PARAM_ERROR, "Parameter verification failed: takeProfit or stopLoss")
    oid = _client_oid(body)
    if oid is not None:
        legs[0]["clientOid"] = oid
    plans: list = []
    try:
        for v2 in legs:
            plans.append(
                ex.place_tpsl_order(call.api_key, v2, strategy=plans[0] if plans else None)
            )
    except SimError:
        for plan in plans:  # all or nothing: withdraw a leg already placed
            ex.cancel_plan_order(
                call.api_key,
                {"productType": cat, "planType": plan.plan_type,
                 "orderIdList": [{"orderId": plan.order_id}]},
            )  # fmt: skip
        raise
    first = plans[0]
    first.strategy_id = first.order_id  # one strategy: the legs share its id (3.8)
    return {"orderId": first.order_id, "clientOid": first.client_oid}


def _tpsl_hold(ex: Any, acct: Any, api_key: str, cat: str, symbol: str, body: Any) -> str:
    """Return the position (``long``/``short``) a v3 TP/SL strategy protects (3.5, 3.8)."""
    pos_side = str(body.get("posSide") or "").lower()
    if pos_side:
        if pos_side not in ("long", "short"):
            raise SimError(PARAM_ERROR, "Parameter verification failed: posSide")
        return pos_side
    if acct.get_pos_mode(cat) == "hedge_mode":
        raise SimError(PARAM_ERROR, "Parameter verification failed: posSide is required")
    side = str(body.get("side") or "").lower()
    if side in ("buy", "sell"):  # one-way: the closing direction names the position
        return "long" if side == "sell" else "short"
    held = [p.hold_side for p in ex.positions(api_key, cat, symbol)]
    if not held:
        raise SimError("25227", "No position to close")
    return str(held[0])


def _strategy_legs(ctx: V3Context, api_key: str, plan: Any) -> list:
    """Return the live engine plans of the strategy ``plan`` belongs to (its TP and SL legs)."""
    if not plan.strategy_id:
        return [plan]
    out = []
    for cat in FUTURES:
        out += [p for p in _strategy_plans(ctx, api_key, cat, "tpsl")
                if p.strategy_id == plan.strategy_id]  # fmt: skip
    return out or [plan]


def _find_plan(ctx: V3Context, api_key: str, body: Any) -> Any:
    order_id, client_oid = body.get("orderId"), body.get("clientOid")
    if not order_id and not client_oid:
        raise SimError(PARAM_ERROR, "Parameter verification failed: orderId or clientOid")
    for cat in FUTURES:
        for plan in _strategy_plans(ctx, api_key, cat, None):
            if (order_id and str(order_id) in (plan.order_id, plan.strategy_id)) or (
                not order_id and plan.client_oid == str(client_oid)
            ):
                return plan
    raise SimError("25204", "Order does not exist")


def cancel_strategy_order(ctx: V3Context, call: RestCall) -> dict:
    plan = _find_plan(ctx, call.api_key, call.body)
    legs = _strategy_legs(ctx, call.api_key, plan)
    res = ctx.exchange.cancel_plan_order(
        call.api_key,
        {"productType": plan.product_type, "symbol": plan.symbol, "planType": plan.plan_type,
         "orderIdList": [{"orderId": p.order_id} for p in legs]},
    )  # fmt: skip
    if not res.success:
        raise SimError("25204", "Order does not exist")
    return {"orderId": plan.strategy_id or plan.order_id, "clientOid": plan.client_oid}


def modify_strategy_order(ctx: V3Context, call: RestCall) -> dict:
    """
    ``POST modify-strategy-order`` (3.8): ``qty`` plus the id are required; a trigger strategy
    takes ``triggerPrice``/``triggerBy``/``triggerOrderPrice``, a TP/SL strategy its
    ``takeProfit`` or ``stopLoss``. Synchronous here (the doc says nothing of an async ack).
    """
    _reject_v2_params(call.body)
    qty = _req(call.body, "qty")
    plan = _find_plan(ctx, call.api_key, call.body)
    if plan.strategy_id:
        for leg in _strategy_legs(ctx, call.api_key, plan):
            _modify_tpsl_leg(ctx, call.api_key, leg, call.body, qty)
        return {"orderId": plan.strategy_id, "clientOid": plan.client_oid}
    v2: dict[str, Any] = {
        "productType": plan.product_type,
        "symbol": plan.symbol,
        "orderId": plan.order_id,
        "newSize": qty,
    }
    if plan.plan_type == "normal_plan":
        trigger, price = call.body.get("triggerPrice"), call.body.get("triggerOrderPrice")
        by = call.body.get("triggerBy")
    else:
        key = "takeProfit" if plan.plan_type == "profit_plan" else "stopLoss"
        trigger, price = call.body.get(key), None
        by = call.body.get("tpTriggerBy" if key == "takeProfit" else "slTriggerBy")
    if trigger not in (None, ""):
        v2["newTriggerPrice"] = str(trigger)
    if price not in (None, ""):
        v2["newPrice"] = str(price)
    if by not in (None, ""):
        if by not in ("market", "mark"):
            raise SimError(PARAM_ERROR, "Parameter verification failed: triggerBy")
        v2["newTriggerType"] = "mark_price" if by == "mark" else "fill_price"
    plan = ctx.exchange.modify_plan_order(call.api_key, v2, (plan.plan_type,))
    return {"orderId": plan.order_id, "clientOid": plan.client_oid}


def _modify_tpsl_leg(ctx: V3Context, api_key: str, leg: Any, body: Any, qty: str) -> None:
    """Modify one leg of a ``tpsl`` strategy with the request's fields of its side (3.8)."""
    is_tp = leg.plan_type in ("profit_plan", "pos_profit")
    prefix, key = ("tp", "takeProfit") if is_tp else ("sl", "stopLoss")
    spec = ctx.exchange.contracts[leg.symbol]
    trigger = body.get(key)
    if trigger in (None, ""):
        trigger = spec.fmt_price(leg.trigger_price)
    by = body.get(f"{prefix}TriggerBy")
    if by not in (None, "") and by not in _TRIGGER_BY:
        raise SimError(PARAM_ERROR, f"Parameter verification failed: {prefix}TriggerBy")
    order_type = str(body.get(f"{prefix}OrderType") or leg.order_type).lower()
    limit = body.get(f"{prefix}LimitPrice")
    if limit in (None, ""):
        limit = spec.fmt_price(leg.price)
    v2 = {
        "productType": leg.product_type,
        "symbol": leg.symbol,
        "orderId": leg.order_id,
        "triggerPrice": str(trigger),
        "triggerType": _TRIGGER_BY[by] if by else leg.trigger_type,
        "executePrice": str(limit) if order_type == "limit" else "0",
        "size": qty,
    }
    ctx.exchange.modify_tpsl_order(api_key, v2)


def unfilled_strategy_orders(ctx: V3Context, call: RestCall) -> list:
    ex = ctx.exchange
    plans = _strategy_plans(ctx, call.api_key, _category(call.query), _q(call.query, "type"))
    return rows.strategy_rows(ex, plans, str)


def history_strategy_orders(ctx: V3Context, call: RestCall) -> dict:
    """
    ``GET history-strategy-orders`` (3.8): finished strategies (success / failed / cancelled),
    newest first, ``{list, cursor}``. The cursor is a JSON number, as in the CCXT capture (3).
    """
    ex = ctx.exchange
    cat = _category(call.query)
    kind = _q(call.query, "type")
    if kind not in (None, "trigger", "tpsl"):
        raise SimError(PARAM_ERROR, "Parameter verification failed: type")
    args = _page_args(call.query)
    start, end = args["start_ms"], args["end_ms"]
    found = []
    for plan_type in [t for k, t in (("trigger", "normal_plan"), ("tpsl", "profit_loss"))
                      if kind in (None, k)]:  # fmt: skip
        found += [
            p
            for p in ex.plan_history(
                call.api_key,
                cat,
                plan_type,
                symbol=_q(call.query, "symbol"),
                id_less_than=args["id_less_than"],
                limit=1_000_000,
            )
            if (start is None or p.c_time >= start) and (end is None or p.c_time <= end)
        ]
    out = _listed(found, lambda p: p, "order_id", args["limit"])
    out["list"] = rows.strategy_rows(ex, out["list"], str)
    out["cursor"] = int(out["cursor"]) if out["cursor"] else None
    return out


def _strategy_plans(ctx: V3Context, api_key: str, category: str, kind: str | None) -> list:
    """Live engine plans of a strategy type (3.8): ``trigger`` = normal plans, ``tpsl`` = TP/SL."""
    ex = ctx.exchange
    out = []
    if kind in (None, "trigger"):
        out += ex.plan_orders(api_key, category, "normal_plan")
    if kind in (None, "tpsl"):
        out += ex.plan_orders(api_key, category, "profit_loss")
    return out


# The v3 (UTA) wording of the shared pipeline steps (bitget-protocol-uta.md 1.2, 5.2)
DIALECT: Final = Dialect(
    account_mode="uta",
    wrong_account=(
        "40084",
        "You are in Classic Account mode, and the Unified Account API is not supported at this "
        "time",
    ),
    system_error=("25000", "System error, please try again later"),
    unknown_error=("25000", "System error"),
    bad_body=PARAM_ERROR,
    object_body=False,  # batch endpoints take a bare JSON array (1.3)
    content_type_code=None,
    remain_header=False,
    codes=V3_CODES,
)

# (method, path, handler, requests per second, signed): per IP when public, per UID when signed
# (bitget-protocol-uta.md 5.1)
ROUTES: Final[tuple[Route[V3Context], ...]] = (
    Route("GET", "/api/v3/market/instruments", instruments, 20, False),
    Route("GET", "/api/v3/market/tickers", tickers, 20, False),
    Route("GET", "/api/v3/market/orderbook", orderbook, 20, False),
    Route("GET", "/api/v3/market/candles", candles, 20, False),
    Route("GET", "/api/v3/market/history-candles", history_candles, 20, False),
    Route("GET", "/api/v3/market/fills", public_fills, 20, False),
    Route("GET", "/api/v3/market/current-fund-rate", current_fund_rate, 20, False),
    Route("GET", "/api/v3/market/history-fund-rate", history_fund_rate, 20, False),
    Route("GET", "/api/v3/market/open-interest", open_interest, 20, False),
    Route("GET", "/api/v3/account/settings", settings, 20, True),
    Route("GET", "/api/v3/account/assets", assets, 20, True),
    Route("GET", "/api/v3/account/financial-records", financial_records, 10, True),
    Route("POST", "/api/v3/account/set-leverage", set_leverage, 10, True),
    Route("POST", "/api/v3/account/set-hold-mode", set_hold_mode, 10, True),
    Route("GET", "/api/v3/position/current-position", current_position, 20, True),
    Route("GET", "/api/v3/position/history-position", history_position, 20, True),
    Route("POST", "/api/v3/trade/place-order", place_order, 10, True),
    Route("POST", "/api/v3/trade/place-batch", place_batch, 5, True),
    Route("POST", "/api/v3/trade/modify-order", modify_order, 10, True),
    Route("POST", "/api/v3/trade/cancel-order", cancel_order, 10, True),
    Route("POST", "/api/v3/trade/cancel-batch", cancel_batch, 5, True),
    Route("POST", "/api/v3/trade/cancel-symbol-order", cancel_symbol_order, 5, True),
    Route("POST", "/api/v3/trade/close-positions", close_positions, 5, True),
    Route("GET", "/api/v3/trade/order-info", order_info, 20, True),
    Route("GET", "/api/v3/trade/unfilled-orders", unfilled_orders, 20, True),
    Route("GET", "/api/v3/trade/history-orders", history_orders, 20, True),
    Route("GET", "/api/v3/trade/fills", trade_fills, 20, True),
    Route("POST", "/api/v3/trade/place-strategy-order", place_strategy_order, 10, True),
    Route("POST", "/api/v3/trade/modify-strategy-order", modify_strategy_order, 10, True),
    Route("POST", "/api/v3/trade/cancel-strategy-order", cancel_strategy_order, 10, True),
    Route("GET", "/api/v3/trade/unfilled-strategy-orders", unfilled_strategy_orders, 20, True),
    Route("GET", "/api/v3/trade/history-strategy-orders", history_strategy_orders, 20, True),
)
