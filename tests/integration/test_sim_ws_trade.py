"""
The simulator's WebSocket order entry (``op: "trade"``) at the wire level, both families
(bitget-protocol.md 3.5, bitget-protocol-uta.md 4.7): reply shapes, ids, refusals, rate limits.
"""

from __future__ import annotations

import json
from typing import Any

import aiohttp
import pytest

from nautilus_bitget.constants import SIM_API_KEY
from tests.integration.test_sim_ws import login_args
from tests.integration.test_sim_ws import recv_json


pytestmark = pytest.mark.timeout(60)


def classic_trade(req_id: str, channel: str, params: dict[str, Any]) -> dict[str, Any]:
    return {"op": "trade", "args": [{"id": req_id, "instType": "USDT-FUTURES",
            "instId": "BTCUSDT", "channel": channel, "params": params}]}  # fmt: skip


def classic_place(req_id: str, coid: str, price: str) -> dict[str, Any]:
    params = {
        "marginMode": "crossed", "marginCoin": "USDT", "size": "0.01", "side": "buy",
        "orderType": "limit", "price": price, "force": "gtc", "clientOid": coid,
    }  # fmt: skip
    return classic_trade(req_id, "place-order", params)


def low_price(sim: Any) -> str:
    return str(round(float(sim.exchange.ticker("BTCUSDT").bid_pr) * 0.9, 1))


def uta_order(coid: str, price: str) -> dict[str, Any]:
    return {"symbol": "BTCUSDT", "orderType": "limit", "qty": "0.01", "price": price,
            "side": "buy", "timeInForce": "gtc", "clientOid": coid}  # fmt: skip


async def logged_in(session: aiohttp.ClientSession, url: str) -> Any:
    ws = await session.ws_connect(url)
    await ws.send_str(json.dumps(login_args()))
    assert (await recv_json(ws))["event"] == "login"
    return ws


async def test_classic_place_and_cancel_replies(sim):
    async with aiohttp.ClientSession() as s:
        ws = await s.ws_connect(sim.ws_private_url)
        low = low_price(sim)
        await ws.send_str(json.dumps(classic_place("r0", "c0", low)))
        assert (await recv_json(ws))["code"] == 30004  # login first
        await ws.close()
        ws = await logged_in(s, sim.ws_private_url)
        await ws.send_str(json.dumps(classic_place("r1", "wsc1", low)))
        reply = await recv_json(ws)
        assert reply["event"] == "trade" and reply["code"] == 0
        (arg,) = reply["arg"]
        assert (arg["id"], arg["channel"], arg["instId"]) == ("r1", "place-order", "BTCUSDT")
        assert arg["params"]["clientOid"] == "wsc1" and arg["params"]["orderId"]
        venue = sim.exchange.pending_orders(SIM_API_KEY, "USDT-FUTURES", client_oid="wsc1")
        assert [o.order_id for o in venue] == [arg["params"]["orderId"]]
        # the same clientOid again: refused with the trade ops' duplicate code
        await ws.send_str(json.dumps(classic_place("r2", "wsc1", low)))
        refused = await recv_json(ws)
        assert refused["event"] == "error" and refused["code"] == 25212
        assert refused["arg"][0]["id"] == "r2"
        # modify is not a classic trade channel
        bad = classic_place("r3", "wsc3", low)
        bad["args"][0]["channel"] = "modify-order"
        await ws.send_str(json.dumps(bad))
        assert (await recv_json(ws))["code"] == 30016
        cancel = classic_trade("r4", "cancel-order", {"clientOid": "wsc1", "marginCoin": "USDT"})
        await ws.send_str(json.dumps(cancel))
        done = await recv_json(ws)
        assert (done["event"], done["code"], done["arg"][0]["id"]) == ("trade", 0, "r4")
        assert not sim.exchange.pending_orders(SIM_API_KEY, "USDT-FUTURES", client_oid="wsc1")
        await ws.send_str(json.dumps({**cancel, "args": [{**cancel["args"][0], "id": "r5"}]}))
        gone = await recv_json(ws)
        assert (gone["event"], gone["code"]) == ("error", 25204)  # order does not exist
        await ws.close()


async def test_uta_topics_category_case_and_batch_items(sim_factory):
    sim = await sim_factory(account_mode="uta")
    url = sim.ws_private_url.replace("/v2/", "/v3/")
    async with aiohttp.ClientSession() as s:
        ws = await logged_in(s, url)
        low = low_price(sim)
        upper = {"op": "trade", "id": "u1", "category": "USDT-FUTURES", "topic": "place-order",
                 "args": [uta_order("wsu1", low)]}  # fmt: skip
        await ws.send_str(json.dumps(upper))
        err = await recv_json(ws)
        assert (err["event"], err["id"], err["code"]) == ("error", "u1", "400172")
        batch = {"op": "trade", "id": "b1", "category": "usdt-futures", "topic": "batch-place",
                 "args": [uta_order("wsb1", low), uta_order("wsb1", low)]}  # fmt: skip
        await ws.send_str(json.dumps(batch))
        reply = await recv_json(ws)
        assert (reply["event"], reply["id"], reply["code"]) == ("trade", "b1", "0")
        first, second = reply["args"]
        assert first["code"] == "0" and first["orderId"]
        assert second["code"] == "25212"  # duplicate clientOid, per item
        cancel = {"op": "trade", "id": "c1", "topic": "cancel-order",
                  "args": [{"symbol": "BTCUSDT", "orderId": first["orderId"]}]}  # fmt: skip
        await ws.send_str(json.dumps(cancel))  # category optional for cancel
        done = await recv_json(ws)
        assert (done["event"], done["id"], done["args"][0]["orderId"]) == (
            "trade",
            "c1",
            first["orderId"],
        )
        await ws.close()


async def test_uta_batch_rate_limit_per_uid(sim_factory):
    sim = await sim_factory(account_mode="uta")
    async with aiohttp.ClientSession() as s:
        ws = await logged_in(s, sim.ws_private_url.replace("/v2/", "/v3/"))
        codes = []
        for i in range(6):  # batches: 5 per second per UID, the 6th is refused
            cancel = {"symbol": "BTCUSDT", "orderId": "1"}
            frame = {"op": "trade", "id": f"x{i}", "category": "usdt-futures",
                     "topic": "batch-cancel", "args": [cancel]}  # fmt: skip
            await ws.send_str(json.dumps(frame))
            codes.append((await recv_json(ws))["code"])
        assert codes[:5] == ["0"] * 5 and codes[5] == "30006"
        await ws.close()
