"""
Stand-alone TP/SL of the simulator, classic (bitget-protocol.md 5.11: place-tpsl-order,
place-pos-tpsl, modify-tpsl-order) and UTA (bitget-protocol-uta.md 3.8: place-strategy-order
``type=tpsl``), and the demo product types of the contract listing (bitget-protocol.md 1.2).
Requests are the documented shapes (the pages' examples).
"""

from __future__ import annotations

import asyncio
import json

import aiohttp

from nautilus_bitget.constants import SIM_API_KEY
from tests.integration.test_sim_rest import USDT
from tests.integration.test_sim_rest import order_body
from tests.integration.test_sim_rest import public
from tests.integration.test_sim_rest import signed
from tests.integration.test_sim_ws import login_args


PENDING = "/api/v2/mix/order/orders-plan-pending"
HISTORY = "/api/v2/mix/order/orders-plan-history"


async def _open_long(sim, size: str = "0.010") -> float:
    status, js = await signed(
        sim, "POST", "/api/v2/mix/order/place-order", body=order_body(size=size)
    )
    assert status == 200, js
    return float(sim.exchange.ticker("BTCUSDT").mark_price)


def _tpsl(**kw) -> dict:
    body = {
        "marginCoin": "USDT",
        "productType": "usdt-futures",  # the page's example is lower case
        "symbol": "btcusdt",
        "holdSide": "buy",  # one-way: buy = the long position
        "triggerType": "mark_price",
        "executePrice": "0",
    }
    body.update(kw)
    return body


async def _pending(sim) -> list[dict]:
    status, js = await signed(sim, "GET", PENDING, {"productType": USDT, "planType": "profit_loss"})
    assert status == 200, js
    return js["data"]["entrustedList"] or []


async def test_demo_product_types_list_s_contracts(sim):
    """1.2 (B): SUSDT/SUSDC/SCOIN-FUTURES list the S-mirrors of the real contracts (any case)."""
    status, js = await public(sim, "/api/v2/mix/market/contracts", {"productType": "susdt-futures"})
    assert status == 200, js
    rows = {r["symbol"]: r for r in js["data"]}
    btc = rows["SBTCSUSDT"]
    assert (btc["baseCoin"], btc["quoteCoin"], btc["supportMarginCoins"]) == (
        "SBTC", "SUSDT", ["SUSDT"],
    )  # fmt: skip
    status, real = await public(sim, "/api/v2/mix/market/contracts", {"productType": USDT})
    real_btc = next(r for r in real["data"] if r["symbol"] == "BTCUSDT")
    assert {k: v for k, v in btc.items() if k not in ("symbol", "baseCoin", "quoteCoin",
            "supportMarginCoins")} == {k: v for k, v in real_btc.items() if k not in (
            "symbol", "baseCoin", "quoteCoin", "supportMarginCoins")}  # fmt: skip
    for pt, symbol in (("SUSDC-FUTURES", "SBTCSPERP"), ("SCOIN-FUTURES", "SBTCSUSD")):
        status, js = await public(sim, "/api/v2/mix/market/contracts", {"productType": pt})
        assert status == 200 and symbol in {r["symbol"] for r in js["data"]}, js
    status, js = await public(sim, "/api/v2/mix/market/tickers", {"productType": "SUSDT-FUTURES"})
    assert status == 200 and {r["symbol"] for r in js["data"]} == {"SBTCSUSDT", "SETHSUSDT"}
    status, js = await public(
        sim, "/api/v2/mix/market/ticker", {"productType": "SUSDT-FUTURES", "symbol": "SBTCSUSDT"}
    )
    assert status == 200 and js["data"][0]["symbol"] == "SBTCSUSDT"
    # still a parameter error for anything else
    status, js = await public(sim, "/api/v2/mix/market/contracts", {"productType": "X-FUTURES"})
    assert js["code"] == "40020"


async def test_place_tpsl_order_lists_pushes_and_triggers(sim):
    """A partial SL on mark and a position TP on last: listed as profit_loss, fired, history."""
    mark = await _open_long(sim, "0.020")
    status, js = await signed(
        sim, "POST", "/api/v2/mix/order/place-tpsl-order",
        body=_tpsl(planType="loss_plan", triggerPrice=f"{mark * 0.9:.1f}", size="0.010",
                   clientOid="sl-1"),
    )  # fmt: skip
    assert status == 200, js
    assert js["data"]["clientOid"] == "sl-1" and js["data"]["orderId"]
    sl_id = js["data"]["orderId"]
    last = float(sim.exchange.ticker("BTCUSDT").last_pr)
    status, js = await signed(
        sim, "POST", "/api/v2/mix/order/place-tpsl-order",
        body=_tpsl(planType="pos_profit", triggerPrice=f"{last * 1.1:.1f}",
                   triggerType="fill_price"),
    )  # fmt: skip
    assert status == 200, js
    tp_id = js["data"]["orderId"]
    rows = {r["orderId"]: r for r in await _pending(sim)}
    assert rows[sl_id]["planType"] == "loss_plan" and rows[sl_id]["size"] == "0.010"
    assert rows[sl_id]["triggerType"] == "mark_price" and rows[sl_id]["side"] == "sell"
    assert rows[tp_id]["planType"] == "pos_profit" and rows[tp_id]["planStatus"] == "live"
    # wrong side (TP below the price for a long) -> 40829; no position -> 22002
    status, js = await signed(
        sim, "POST", "/api/v2/mix/order/place-tpsl-order",
        body=_tpsl(planType="profit_plan", triggerPrice=f"{mark * 0.5:.1f}", size="0.010"),
    )  # fmt: skip
    assert js["code"] == "40829", js
    status, js = await signed(
        sim, "POST", "/api/v2/mix/order/place-tpsl-order",
        body=_tpsl(planType="pos_loss", holdSide="sell", triggerPrice=f"{mark * 1.5:.1f}"),
    )  # fmt: skip
    assert js["code"] == "22002", js
    # the SL fires on the mark price: half the position is closed
    sim.exchange.set_mark_price("BTCUSDT", f"{mark * 0.85:.1f}")
    (pos,) = sim.exchange.positions(SIM_API_KEY, USDT, symbol="BTCUSDT")
    assert str(pos.total) == "0.010"
    # the position TP fires on the last price and closes the rest; nothing stays live
    sim.exchange.set_last_price("BTCUSDT", f"{last * 1.2:.1f}")
    assert sim.exchange.positions(SIM_API_KEY, USDT, symbol="BTCUSDT") == []
    assert await _pending(sim) == []
    status, js = await signed(sim, "GET", HISTORY, {"productType": USDT, "planType": "profit_loss"})
    hist = {r["orderId"]: r for r in js["data"]["entrustedList"]}
    assert hist[sl_id]["planStatus"] == "executed" and hist[sl_id]["executeOrderId"]
    assert hist[tp_id]["planStatus"] == "executed"


async def test_position_close_cancels_tpsl_and_pos_plans_replace(sim):
    """A new pos_loss replaces the old one; closing the position cancels what is left."""
    mark = await _open_long(sim)
    ids = []
    for factor in (0.9, 0.8):
        status, js = await signed(
            sim, "POST", "/api/v2/mix/order/place-tpsl-order",
            body=_tpsl(planType="pos_loss", triggerPrice=f"{mark * factor:.1f}"),
        )  # fmt: skip
        assert status == 200, js
        ids.append(js["data"]["orderId"])
    assert [r["orderId"] for r in await _pending(sim)] == [ids[1]]
    status, js = await signed(
        sim, "POST", "/api/v2/mix/order/close-positions",
        body={"productType": USDT, "symbol": "BTCUSDT"},
    )  # fmt: skip
    assert status == 200, js
    assert await _pending(sim) == []
    status, js = await signed(
        sim, "GET", HISTORY, {"productType": USDT, "planType": "profit_loss",
                              "planStatus": "cancelled"},
    )  # fmt: skip
    assert {r["orderId"] for r in js["data"]["entrustedList"]} == set(ids)


async def test_place_pos_tpsl_and_modify_tpsl_order(sim):
    """place-pos-tpsl answers one {orderId} per leg; modify-tpsl-order changes one in place."""
    mark = await _open_long(sim)
    body = {
        "marginCoin": "USDT", "productType": "usdt-futures", "symbol": "BTCUSDT",
        "stopSurplusTriggerPrice": f"{mark * 1.1:.1f}", "stopSurplusTriggerType": "mark_price",
        "stopSurplusExecutePrice": f"{mark * 1.1:.1f}",
        "stopLossTriggerPrice": f"{mark * 0.9:.1f}", "stopLossTriggerType": "mark_price",
        "stopLossExecutePrice": "0", "holdSide": "buy",
    }  # fmt: skip
    status, js = await signed(sim, "POST", "/api/v2/mix/order/place-pos-tpsl", body=body)
    assert status == 200, js
    assert len(js["data"]) == 2 and all(set(r) == {"orderId"} for r in js["data"])
    rows = {r["planType"]: r for r in await _pending(sim)}
    assert set(rows) == {"pos_profit", "pos_loss"}
    assert rows["pos_profit"]["orderType"] == "limit" and rows["pos_loss"]["orderType"] == "market"
    sl = rows["pos_loss"]
    status, js = await signed(
        sim, "POST", "/api/v2/mix/order/modify-tpsl-order",
        body={"orderId": sl["orderId"], "marginCoin": "USDT", "productType": "usdt-futures",
              "symbol": "btcusdt", "triggerPrice": f"{mark * 0.95:.1f}",
              "triggerType": "fill_price", "executePrice": "0", "size": "", "rangeRate": ""},
    )  # fmt: skip
    assert status == 200 and js["data"]["orderId"] == sl["orderId"], js
    rows = {r["planType"]: r for r in await _pending(sim)}
    assert rows["pos_loss"]["triggerPrice"] == f"{mark * 0.95:.1f}"
    assert rows["pos_loss"]["triggerType"] == "fill_price"
    status, js = await signed(
        sim, "POST", "/api/v2/mix/order/modify-tpsl-order",
        body={"orderId": "1", "marginCoin": "USDT", "productType": USDT, "symbol": "BTCUSDT",
              "triggerPrice": f"{mark:.1f}", "size": ""},
    )  # fmt: skip
    assert js["code"] == "43020", js


async def test_moving_plan_trails_and_orders_algo_push(sim):
    """moving_plan arms at the trigger and fires on a rangeRate % retrace; orders-algo pushes
    it with the short code ``mtpsl``."""
    mark = await _open_long(sim)
    last = float(sim.exchange.ticker("BTCUSDT").last_pr)
    async with aiohttp.ClientSession() as session, session.ws_connect(sim.ws_private_url) as ws:
        await ws.send_str(json.dumps(login_args()))  # the documented login frame (3.2)
        assert (await ws.receive_json(timeout=5))["event"] == "login"
        arg = {"instType": "USDT-FUTURES", "channel": "orders-algo", "instId": "default"}
        await ws.send_str(json.dumps({"op": "subscribe", "args": [arg]}))
        await ws.receive_json(timeout=5)
        status, js = await signed(
            sim, "POST", "/api/v2/mix/order/place-tpsl-order",
            body=_tpsl(planType="moving_plan", triggerPrice=f"{last * 1.01:.1f}",
                       triggerType="fill_price", size="0.010", rangeRate="1"),
        )  # fmt: skip
        assert status == 200, js
        plan_id = js["data"]["orderId"]
        seen = []
        while not any(r.get("status") == "live" for r in seen):
            msg = await ws.receive_json(timeout=5)
            seen += [r for r in msg.get("data", []) if r.get("orderId") == plan_id]
        assert seen[-1]["planType"] == "mtpsl"
        ex = sim.exchange
        ex.set_last_price("BTCUSDT", f"{last * 1.02:.1f}")  # armed, best 1.02
        ex.set_last_price("BTCUSDT", f"{last * 1.015:.1f}")  # -0.5 %: holds
        assert ex.positions(SIM_API_KEY, USDT, symbol="BTCUSDT")
        ex.set_last_price("BTCUSDT", f"{last * 1.0:.1f}")  # -2 % from the best: fires
        assert ex.positions(SIM_API_KEY, USDT, symbol="BTCUSDT") == []
        while not any(r.get("status") == "executed" for r in seen):
            msg = await asyncio.wait_for(ws.receive_json(), 5)
            seen += [r for r in msg.get("data", []) if r.get("orderId") == plan_id]
    del mark


# -- UTA: place-strategy-order type=tpsl (bitget-protocol-uta.md 3.8) ---------------------------
V3_PLACE = "/api/v3/trade/place-strategy-order"


async def _v3_open_long(sim, qty: str = "0.020") -> None:
    body = {"category": "USDT-FUTURES", "symbol": "BTCUSDT", "qty": qty, "side": "buy",
            "orderType": "market"}  # fmt: skip
    status, js = await signed(sim, "POST", "/api/v3/trade/place-order", body=body)
    assert status == 200, js


async def _v3_unfilled(sim) -> list[dict]:
    status, js = await signed(
        sim, "GET", "/api/v3/trade/unfilled-strategy-orders", {"category": "USDT-FUTURES"}
    )
    assert status == 200, js
    return js["data"]


async def test_v3_tpsl_strategy_full_and_partial(sim_factory):
    """The default type ``tpsl``: full (both legs, one orderId, one row) and partial (qty)."""
    sim = await sim_factory(account_mode="uta")
    await _v3_open_long(sim)
    mark = float(sim.exchange.ticker("BTCUSDT").mark_price)
    last = float(sim.exchange.ticker("BTCUSDT").last_pr)
    async with (
        aiohttp.ClientSession() as session,
        session.ws_connect(sim.http_url.replace("http", "ws") + "/v3/ws/private") as ws,
    ):
        await ws.send_str(json.dumps(login_args()))
        assert (await ws.receive_json(timeout=5))["event"] == "login"
        await ws.send_str(json.dumps({"op": "subscribe", "args": [
            {"instType": "UTA", "topic": "strategy-order"}]}))  # fmt: skip
        await ws.receive_json(timeout=5)
        body = {
            "category": "usdt-futures", "symbol": "BTCUSDT", "clientOid": "tpsl-1",
            "takeProfit": f"{mark * 1.1:.1f}", "tpTriggerBy": "mark", "tpOrderType": "market",
            "stopLoss": f"{last * 0.9:.1f}", "slTriggerBy": "market", "slOrderType": "limit",
            "slLimitPrice": f"{last * 0.89:.1f}",
        }  # fmt: skip
        status, js = await signed(sim, "POST", V3_PLACE, body=body)
        assert status == 200, js
        strategy_id = js["data"]["orderId"]
        assert js["data"]["clientOid"] == "tpsl-1"
        pushes = []
        while len(pushes) < 2:
            msg = await ws.receive_json(timeout=5)
            pushes += msg.get("data", [])
        assert {p["orderId"] for p in pushes} == {strategy_id}
        assert {p["triggerType"] for p in pushes} == {"takeProfit", "stopLoss"}
        assert all(p["type"] == "tpsl" and p["status"] == "pending" for p in pushes)
    (row,) = await _v3_unfilled(sim)
    assert row["orderId"] == strategy_id and row["posSide"] == "long"
    assert (row["takeProfit"], row["tpTriggerBy"], row["tpOrderType"]) == (
        f"{mark * 1.1:.1f}", "mark", "market")  # fmt: skip
    assert (row["stopLoss"], row["slTriggerBy"], row["slOrderType"], row["slLimitPrice"]) == (
        f"{last * 0.9:.1f}", "market", "limit", f"{last * 0.89:.1f}")  # fmt: skip
    # partial: qty of the position; the take-profit fires on the mark and closes only qty
    status, js = await signed(
        sim, "POST", V3_PLACE,
        body={"category": "USDT-FUTURES", "symbol": "BTCUSDT", "type": "tpsl",
              "tpslMode": "partial", "qty": "0.005", "posSide": "long",
              "takeProfit": f"{mark * 1.05:.1f}", "tpTriggerBy": "mark"},
    )  # fmt: skip
    assert status == 200, js
    partial_id = js["data"]["orderId"]
    sim.exchange.set_mark_price("BTCUSDT", f"{mark * 1.06:.1f}")
    (pos,) = sim.exchange.positions(SIM_API_KEY, USDT, symbol="BTCUSDT")
    assert str(pos.total) == "0.015"
    status, js = await signed(
        sim, "GET", "/api/v3/trade/history-strategy-orders", {"category": "USDT-FUTURES"}
    )
    done = {r["orderId"]: r for r in js["data"]["list"]}
    assert done[partial_id]["status"] == "success"
    # the full strategy still protects the rest; cancelling it cancels both legs
    status, js = await signed(
        sim, "POST", "/api/v3/trade/cancel-strategy-order", body={"orderId": strategy_id}
    )
    assert status == 200, js
    assert await _v3_unfilled(sim) == []


async def test_v3_tpsl_strategy_fires_and_errors(sim_factory):
    """A full stop-loss closes the whole position; no position -> 25227; bad side -> 40830."""
    sim = await sim_factory(account_mode="uta")
    body = {"category": "USDT-FUTURES", "symbol": "BTCUSDT", "stopLoss": "1000.0"}
    status, js = await signed(sim, "POST", V3_PLACE, body=body)
    assert js["code"] == "25227", js
    await _v3_open_long(sim)
    last = float(sim.exchange.ticker("BTCUSDT").last_pr)
    status, js = await signed(sim, "POST", V3_PLACE, body={**body, "stopLoss": f"{last * 1.5:.1f}"})
    assert js["code"] == "40830", js
    # ccxt's shape: side names the closing direction in one-way mode
    status, js = await signed(
        sim, "POST", V3_PLACE,
        body={**body, "stopLoss": f"{last * 0.9:.1f}", "side": "sell", "qty": "0.020",
              "slTriggerBy": "market", "slOrderType": "market"},
    )  # fmt: skip
    assert status == 200, js
    sim.exchange.set_last_price("BTCUSDT", f"{last * 0.85:.1f}")
    assert sim.exchange.positions(SIM_API_KEY, USDT, symbol="BTCUSDT") == []
    assert await _v3_unfilled(sim) == []


async def test_v3_books_updates_carry_crc32_without_flag(sim_factory):
    """bitget-protocol-uta.md 4.5: v3 updates carry the signed crc32 of the top 25 levels (the v2
    algorithm) also without ``--checksum``; the snapshot carries 0."""
    from tests.integration.test_sim_ws import crc

    sim = await sim_factory(account_mode="uta", checksum=False, book_rate_hz=50.0)
    bids: dict = {}
    asks: dict = {}
    checked = 0
    async with (
        aiohttp.ClientSession() as session,
        session.ws_connect(sim.http_url.replace("http", "ws") + "/v3/ws/public") as ws,
    ):
        arg = {"instType": "usdt-futures", "topic": "books", "symbol": "BTCUSDT"}
        await ws.send_str(json.dumps({"op": "subscribe", "args": [arg]}))
        while checked < 10:
            msg = await ws.receive_json(timeout=5)
            if "data" not in msg:
                continue
            (row,) = msg["data"]
            if msg["action"] == "snapshot":
                assert row["checksum"] == 0
                bids, asks = dict(map(tuple, row["b"])), dict(map(tuple, row["a"]))
                continue
            for side, levels in ((bids, row["b"]), (asks, row["a"])):
                for price, size in levels:
                    if float(size) == 0:
                        side.pop(price, None)
                    else:
                        side[price] = size
            assert row["checksum"] == crc(bids, asks) != 0
            checked += 1
