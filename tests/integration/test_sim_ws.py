"""The simulator's WebSockets over real sockets: ping, subscribe, books chain, login, pushes."""

from __future__ import annotations

import asyncio
import json
import time
import zlib

import aiohttp

from nautilus_bitget.constants import SIM_API_KEY
from nautilus_bitget.constants import SIM_API_PASSPHRASE
from nautilus_bitget.constants import SIM_API_SECRET
from tests.integration.test_sim_rest import hmac_b64
from tests.integration.test_sim_rest import order_body
from tests.integration.test_sim_rest import signed


USDT = "USDT-FUTURES"


def arg(channel: str, inst_id: str = "BTCUSDT", inst_type: str = USDT) -> dict:
    return {"instType": inst_type, "channel": channel, "instId": inst_id}


async def recv_json(ws, timeout: float = 3.0) -> dict:  # noqa: ASYNC109
    """Return the next JSON frame (skipping ``pong``)."""
    while True:
        msg = await asyncio.wait_for(ws.receive(), timeout)
        assert msg.type == aiohttp.WSMsgType.TEXT, msg
        if msg.data != "pong":
            return json.loads(msg.data)


async def recv_until(ws, pred, timeout: float = 5.0) -> dict:  # noqa: ASYNC109
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        assert left > 0, "timed out waiting for frame"
        frame = await recv_json(ws, left)
        if pred(frame):
            return frame


def login_args(
    ts: int | None = None,
    secret: str = SIM_API_SECRET,
    passphrase: str = SIM_API_PASSPHRASE,
    key: str = SIM_API_KEY,
) -> dict:
    stamp = str(ts if ts is not None else int(time.time()))
    return {
        "op": "login",
        "args": [
            {
                "apiKey": key,
                "passphrase": passphrase,
                "timestamp": stamp,
                "sign": hmac_b64(secret, stamp + "GET" + "/user/verify"),
            }
        ],
    }


def crc(bids: dict, asks: dict) -> int:
    """Bitget's books checksum computed independently (bitget-protocol.md 6.1)."""
    b = sorted(bids.items(), key=lambda kv: -float(kv[0]))[:25]
    a = sorted(asks.items(), key=lambda kv: float(kv[0]))[:25]
    parts = []
    for i in range(25):
        if i < len(b):
            parts += list(b[i])
        if i < len(a):
            parts += list(a[i])
    value = zlib.crc32(":".join(parts).encode())
    return value - 2**32 if value >= 2**31 else value


def apply(book: dict, levels: list) -> None:
    for price, size in levels:
        if float(size) == 0:
            book.pop(price, None)
        else:
            book[price] = size


async def test_ping_pong_and_errors(sim):
    async with aiohttp.ClientSession() as s, s.ws_connect(sim.ws_public_url) as ws:
        await ws.send_str("ping")
        msg = await asyncio.wait_for(ws.receive(), 2)
        assert msg.data == "pong"
        await ws.send_str(json.dumps({"op": "subscribe", "args": [arg("books", "NOPEUSDT")]}))
        err = await recv_json(ws)
        assert err["event"] == "error" and err["code"] == 30001 and err["op"] == "subscribe"
        assert err["arg"]["instId"] == "NOPEUSDT"
        await ws.send_str(json.dumps({"op": "subscribe", "args": [arg("books50")]}))
        assert (await recv_json(ws))["code"] == 30016
        await ws.send_str(json.dumps({"op": "ping"}))
        assert (await recv_json(ws))["code"] == 30002
        await ws.send_str(json.dumps({"op": "subscribe", "args": [arg("orders", "default")]}))
        assert (await recv_json(ws))["code"] == 30004


async def test_books_snapshot_then_seq_chain(sim):
    async with aiohttp.ClientSession() as s, s.ws_connect(sim.ws_public_url) as ws:
        await ws.send_str(json.dumps({"op": "subscribe", "args": [arg("books")]}))
        ack = await recv_json(ws)
        assert ack == {"event": "subscribe", "arg": arg("books")}
        snap = await recv_json(ws)
        assert snap["action"] == "snapshot" and isinstance(snap["ts"], int)
        data = snap["data"][0]
        assert data["pseq"] == 0 and isinstance(data["seq"], int)
        assert "checksum" not in data
        bids = dict(map(tuple, data["bids"]))
        asks = dict(map(tuple, data["asks"]))
        assert len(bids) > 25 and len(asks) > 25
        last = data["seq"]
        for _ in range(10):
            upd = await recv_json(ws)
            assert upd["action"] == "update"
            d = upd["data"][0]
            assert isinstance(d["seq"], int) and d["pseq"] == last
            assert all(isinstance(x, str) for lv in d["bids"] + d["asks"] for x in lv)
            last = d["seq"]
        await ws.send_str(json.dumps({"op": "unsubscribe", "args": [arg("books")]}))
        unack = await recv_until(ws, lambda f: f.get("event") == "unsubscribe")
        assert unack["arg"] == arg("books")


async def test_books_checksum_mode(sim_factory):
    sim = await sim_factory(checksum=True, book_rate_hz=40)
    async with aiohttp.ClientSession() as s, s.ws_connect(sim.ws_public_url) as ws:
        await ws.send_str(json.dumps({"op": "subscribe", "args": [arg("books", "ETHUSDT")]}))
        await recv_json(ws)
        snap = (await recv_json(ws))["data"][0]
        assert snap["checksum"] == 0
        bids = {p: sz for p, sz in snap["bids"]}
        asks = {p: sz for p, sz in snap["asks"]}
        checked = 0
        for _ in range(20):
            d = (await recv_json(ws))["data"][0]
            apply(bids, d["bids"])
            apply(asks, d["asks"])
            assert d["checksum"] == crc(bids, asks)
            checked += 1
        assert checked == 20


async def test_depth_trade_ticker_candle_channels(sim):
    args = [arg("books5"), arg("books1"), arg("trade"), arg("ticker"), arg("candle1m")]
    async with aiohttp.ClientSession() as s, s.ws_connect(sim.ws_public_url) as ws:
        await ws.send_str(json.dumps({"op": "subscribe", "args": args}))
        seen: dict[str, list[dict]] = {}
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and not all(
            len(seen.get(a["channel"], [])) >= 2 for a in args
        ):
            f = await recv_json(ws)
            if "action" in f:
                seen.setdefault(f["arg"]["channel"], []).append(f)
        for a in args:
            assert len(seen.get(a["channel"], [])) >= 2, a
        b5 = seen["books5"][0]["data"][0]
        assert len(b5["bids"]) == 5 and len(b5["asks"]) == 5 and b5["pseq"] == 0
        assert all(f["action"] == "snapshot" for f in seen["books5"])
        assert len(seen["books1"][1]["data"][0]["bids"]) == 1
        assert seen["trade"][0]["action"] == "snapshot"
        assert seen["trade"][1]["action"] == "update"
        t = seen["trade"][1]["data"][0]
        assert set(t) == {"ts", "price", "size", "side", "tradeId"}
        tick = seen["ticker"][0]["data"][0]
        for field in (
            "markPrice",
            "indexPrice",
            "fundingRate",
            "nextFundingTime",
            "symbolType",
            "lastPr",
        ):
            assert field in tick
        candle = seen["candle1m"][0]
        assert candle["action"] == "snapshot"
        assert all(len(r) == 8 and all(isinstance(x, str) for x in r) for r in candle["data"])
        assert seen["candle1m"][1]["action"] == "update"


async def test_wrong_inst_type_acked_but_silent(sim):
    async with aiohttp.ClientSession() as s, s.ws_connect(sim.ws_public_url) as ws:
        await ws.send_str(json.dumps({"op": "subscribe", "args": [arg("books", "BTCPERP", USDT)]}))
        assert (await recv_json(ws))["event"] == "subscribe"
        msg = None
        try:
            msg = await recv_json(ws, timeout=0.5)
        except TimeoutError:
            pass
        assert msg is None


async def test_inbound_rate_limit_closes(sim):
    async with aiohttp.ClientSession() as s, s.ws_connect(sim.ws_public_url) as ws:
        for _ in range(15):
            await ws.send_str("ping")
        codes = []
        while True:
            msg = await asyncio.wait_for(ws.receive(), 3)
            if msg.type != aiohttp.WSMsgType.TEXT:
                break
            if msg.data != "pong":
                codes.append(json.loads(msg.data)["code"])
        assert 30007 in codes
        assert ws.closed


async def test_idle_kill(sim_factory):
    sim = await sim_factory(ws_idle_timeout_secs=0.6)
    async with aiohttp.ClientSession() as s, s.ws_connect(sim.ws_public_url) as ws:
        t0 = time.monotonic()
        msg = await asyncio.wait_for(ws.receive(), 5)
        assert msg.type in (
            aiohttp.WSMsgType.CLOSE,
            aiohttp.WSMsgType.CLOSED,
            aiohttp.WSMsgType.CLOSING,
        )
        assert time.monotonic() - t0 >= 0.5


async def test_login_success_and_private_subscribe(sim):
    async with aiohttp.ClientSession() as s, s.ws_connect(sim.ws_private_url) as ws:
        await ws.send_str(json.dumps({"op": "subscribe", "args": [arg("orders", "default")]}))
        assert (await recv_json(ws))["code"] == 30004
        await ws.send_str(json.dumps(login_args()))
        assert await recv_json(ws) == {"event": "login", "code": 0, "msg": ""}
        acc = {"instType": USDT, "channel": "account", "coin": "default"}
        await ws.send_str(json.dumps({"op": "subscribe", "args": [acc]}))
        assert (await recv_json(ws)) == {"event": "subscribe", "arg": acc}
        snap = await recv_json(ws)
        assert snap["arg"] == acc and snap["data"][0]["marginCoin"] == "USDT"


async def test_login_failures_disconnect(sim):
    cases = [
        (login_args(secret="wrong"), 30015),
        (login_args(ts=int(time.time()) - 60), 30014),
        (login_args(passphrase="wrong"), 30012),
        (login_args(key="nope"), 30011),
    ]
    async with aiohttp.ClientSession() as s:
        for request, code in cases:
            async with s.ws_connect(sim.ws_private_url) as ws:
                await ws.send_str(json.dumps(request))
                err = await recv_json(ws)
                assert err["event"] == "error" and err["code"] == code
                msg = await asyncio.wait_for(ws.receive(), 3)
                assert msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)


async def test_private_pushes_after_rest_order(sim):
    channels = ["orders", "fill", "positions", "orders-algo"]
    async with aiohttp.ClientSession() as s, s.ws_connect(sim.ws_private_url) as ws:
        await ws.send_str(json.dumps(login_args()))
        await recv_json(ws)
        subs = [arg(c, "default") for c in channels] + [
            {"instType": USDT, "channel": "account", "coin": "default"}
        ]
        await ws.send_str(json.dumps({"op": "subscribe", "args": subs}))
        pos_snap = await recv_until(
            ws, lambda f: f.get("arg", {}).get("channel") == "positions" and "data" in f
        )
        assert pos_snap["data"] == []
        await recv_until(ws, lambda f: f.get("arg", {}).get("channel") == "account" and "data" in f)
        status, _ = await signed(
            sim, "POST", "/api/v2/mix/order/place-order", body=order_body(clientOid="ws1")
        )
        assert status == 200
        got: dict[str, list] = {}
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and not (
            {"orders", "fill", "positions", "account"} <= set(got)
        ):
            f = await recv_json(ws)
            if "data" in f:
                got.setdefault(f["arg"]["channel"], []).extend(f["data"])
        statuses = [o["status"] for o in got["orders"] if o["clientOid"] == "ws1"]
        assert statuses[0] == "live" and statuses[-1] == "filled"
        filled = [o for o in got["orders"] if o["status"] == "filled"][-1]
        for field in ("tradeId", "fillPrice", "baseVolume", "fillFee", "fillFeeCoin", "tradeScope"):
            assert field in filled
        assert got["fill"][0]["symbol"] == "BTCUSDT" and got["fill"][0]["tradeScope"] == "taker"
        assert got["positions"][-1]["holdSide"] == "long" and got["positions"][-1]["leverage"] == 20
        # plan order -> orders-algo with the short planType code
        plan = {
            "planType": "normal_plan",
            "symbol": "BTCUSDT",
            "productType": USDT,
            "marginMode": "crossed",
            "marginCoin": "USDT",
            "size": "0.010",
            "triggerPrice": "40000.0",
            "triggerType": "mark_price",
            "side": "sell",
            "orderType": "market",
            "reduceOnly": "yes",
            "clientOid": "p1",
        }
        status, js = await signed(sim, "POST", "/api/v2/mix/order/place-plan-order", body=plan)
        assert status == 200, js
        algo = await recv_until(
            ws, lambda f: f.get("arg", {}).get("channel") == "orders-algo" and "data" in f
        )
        assert algo["data"][0]["planType"] == "pl" and algo["data"][0]["status"] == "live"
        assert algo["arg"] == arg("orders-algo", "default")


async def test_subscribe_requests_per_hour_limit(sim_factory):
    sim = await sim_factory(ws_max_subscribes_per_hour=2, ws_max_msgs_per_sec=0)
    async with aiohttp.ClientSession() as s, s.ws_connect(sim.ws_public_url) as ws:
        for _ in range(3):
            await ws.send_str(json.dumps({"op": "subscribe", "args": [arg("ticker")]}))
        err = await recv_until(ws, lambda f: f.get("event") == "error")
        assert err["code"] == 30006
