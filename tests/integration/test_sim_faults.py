"""Every simulator fault has an observable effect (in-process controls and the HTTP control API)."""

from __future__ import annotations

import asyncio
import json
import time

import aiohttp
import pytest

from nautilus_bitget.constants import SIM_API_KEY
from tests.integration.test_sim_rest import order_body
from tests.integration.test_sim_rest import public
from tests.integration.test_sim_rest import signed
from tests.integration.test_sim_ws import apply
from tests.integration.test_sim_ws import arg
from tests.integration.test_sim_ws import crc
from tests.integration.test_sim_ws import login_args
from tests.integration.test_sim_ws import recv_json
from tests.integration.test_sim_ws import recv_until


pytestmark = pytest.mark.faults
USDT = "USDT-FUTURES"
CLOSED = (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR)


async def _until_closed(ws, timeout: float = 3.0) -> aiohttp.WSMessage:  # noqa: ASYNC109
    while True:
        msg = await asyncio.wait_for(ws.receive(), timeout)
        if msg.type in CLOSED:
            return msg


async def test_drop_ws_aborts_connections(sim):
    async with aiohttp.ClientSession() as s, s.ws_connect(sim.ws_public_url) as ws:
        await asyncio.sleep(0.05)
        assert sim.faults.drop_ws("public") == 1
        msg = await _until_closed(ws)
        assert msg.type in (aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR)


async def test_force_reconnect_sends_close_frame(sim):
    async with aiohttp.ClientSession() as s, s.ws_connect(sim.ws_private_url) as ws:
        await asyncio.sleep(0.05)
        assert sim.faults.force_reconnect("both") == 1
        msg = await _until_closed(ws)
        assert msg.type == aiohttp.WSMsgType.CLOSE and msg.data == 1000


async def test_withhold_pongs(sim):
    async with aiohttp.ClientSession() as s, s.ws_connect(sim.ws_public_url) as ws:
        sim.faults.withhold_pongs(0.6)
        await ws.send_str("ping")
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(ws.receive(), 0.4)
        await asyncio.sleep(0.3)
        await ws.send_str("ping")
        assert (await asyncio.wait_for(ws.receive(), 2)).data == "pong"


async def test_skip_book_seq(sim):
    async with aiohttp.ClientSession() as s, s.ws_connect(sim.ws_public_url) as ws:
        await ws.send_str(json.dumps({"op": "subscribe", "args": [arg("books")]}))
        await recv_json(ws)
        last = (await recv_json(ws))["data"][0]["seq"]
        d = (await recv_json(ws))["data"][0]
        assert d["pseq"] == last
        last = d["seq"]
        sim.faults.skip_book_seq("BTCUSDT")
        d = (await recv_json(ws))["data"][0]
        assert d["pseq"] != last  # gap: one update was never sent


async def test_bad_checksum(sim_factory):
    sim = await sim_factory(checksum=True)
    async with aiohttp.ClientSession() as s, s.ws_connect(sim.ws_public_url) as ws:
        await ws.send_str(json.dumps({"op": "subscribe", "args": [arg("books")]}))
        await recv_json(ws)
        snap = (await recv_json(ws))["data"][0]
        bids, asks = dict(map(tuple, snap["bids"])), dict(map(tuple, snap["asks"]))
        d = (await recv_json(ws))["data"][0]
        apply(bids, d["bids"])
        apply(asks, d["asks"])
        assert d["checksum"] == crc(bids, asks)
        sim.faults.bad_checksum()
        d = (await recv_json(ws))["data"][0]
        apply(bids, d["bids"])
        apply(asks, d["asks"])
        assert d["checksum"] != crc(bids, asks)
        d = (await recv_json(ws))["data"][0]
        apply(bids, d["bids"])
        apply(asks, d["asks"])
        assert d["checksum"] == crc(bids, asks)


async def _private_ws(s, sim):
    ws = await s.ws_connect(sim.ws_private_url)
    await ws.send_str(json.dumps(login_args()))
    await recv_json(ws)
    await ws.send_str(json.dumps({"op": "subscribe", "args": [arg("orders", "default")]}))
    await recv_json(ws)
    return ws


async def test_delay_private_pushes(sim):
    async with aiohttp.ClientSession() as s:
        ws = await _private_ws(s, sim)
        sim.faults.delay_private(400)
        t0 = time.monotonic()
        await signed(sim, "POST", "/api/v2/mix/order/place-order", body=order_body(clientOid="d1"))
        frame = await recv_until(ws, lambda f: "data" in f)
        assert time.monotonic() - t0 >= 0.35
        assert frame["data"][0]["clientOid"] == "d1"
        await ws.close()


async def test_lose_private_pushes(sim):
    async with aiohttp.ClientSession() as s:
        ws = await _private_ws(s, sim)
        sim.faults.lose_private(1)
        await signed(sim, "POST", "/api/v2/mix/order/place-order", body=order_body(clientOid="x1"))
        frame = await recv_until(ws, lambda f: "data" in f)
        assert frame["data"][0]["status"] == "filled"  # the "live" push was lost
        await ws.close()


async def test_http_error_burst(sim):
    sim.faults.http_errors(2, status=503, path="/market/ticker")
    params = {"symbol": "BTCUSDT", "productType": USDT}
    assert (await public(sim, "/api/v2/public/time"))[0] == 200  # path filter
    assert (await public(sim, "/api/v2/mix/market/ticker", params))[0] == 503
    assert (await public(sim, "/api/v2/mix/market/ticker", params))[0] == 503
    assert (await public(sim, "/api/v2/mix/market/ticker", params))[0] == 200
    sim.faults.http_errors(1, status=429)
    status, js = await public(sim, "/api/v2/public/time")
    assert status == 429 and js["code"] == "429"


async def test_slow_responses(sim):
    sim.faults.slow_responses(300, n=1)
    t0 = time.monotonic()
    await public(sim, "/api/v2/public/time")
    assert time.monotonic() - t0 >= 0.3
    t0 = time.monotonic()
    await public(sim, "/api/v2/public/time")
    assert time.monotonic() - t0 < 0.3


async def test_hang_request_still_executes(sim):
    sim.faults.hang_requests(1, path="place-order", secs=1.0)
    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(
            signed(
                sim,
                "POST",
                "/api/v2/mix/order/place-order",
                body=order_body(orderType="limit", price="30000.0", clientOid="h1"),
            ),
            0.4,
        )
    orders = sim.exchange.pending_orders(SIM_API_KEY, USDT)
    assert [o.client_oid for o in orders] == ["h1"]  # unknown outcome for the client, but it exists


async def test_clock_skew_40008(sim):
    sim.faults.clock_skew(-60_000)
    _, js = await public(sim, "/api/v2/public/time")
    assert int(js["data"]["serverTime"]) < time.time() * 1000 - 55_000
    _, js = await signed(sim, "GET", "/api/v2/mix/account/accounts", {"productType": USDT})
    assert js["code"] == "40008"
    _, js = await signed(
        sim, "GET", "/api/v2/mix/account/accounts", {"productType": USDT}, ts=int(js["requestTime"])
    )
    assert js["code"] == "00000"


async def test_http_control_api(sim):
    async with aiohttp.ClientSession() as s:
        async with s.post(
            sim.http_url + "/_sim/fault",
            json={"fault": "http_errors", "args": {"n": 1, "status": 500}},
        ) as r:
            assert r.status == 200 and (await r.json())["ok"] is True
        assert (await public(sim, "/api/v2/public/time"))[0] == 500
        async with s.post(sim.http_url + "/_sim/fault", json={"fault": "nope"}) as r:
            assert r.status == 400
        async with s.post(
            sim.http_url + "/_sim/fault", json={"fault": "clock_skew", "args": {"ms": 5000}}
        ) as r:
            assert r.status == 200
        async with s.get(sim.http_url + "/_sim/faults") as r:
            assert (await r.json())["clock_skew_ms"] == 5000
        async with s.post(sim.http_url + "/_sim/reset") as r:
            assert r.status == 200
        assert sim.faults.clock_skew_ms == 0
        async with s.ws_connect(sim.ws_public_url) as ws:
            await asyncio.sleep(0.05)
            async with s.post(
                sim.http_url + "/_sim/fault", json={"fault": "drop_ws", "args": {"which": "public"}}
            ) as r:
                assert (await r.json())["result"] == 1
            await _until_closed(ws)


async def test_cli_fault_flag_injects_after_ready():
    import sys
    from pathlib import Path

    exe = Path(sys.executable).with_name("bitget-nt")
    proc = await asyncio.create_subprocess_exec(
        str(exe),
        "sim",
        "--port",
        "0",
        "--symbols",
        "BTCUSDT",
        "--fault",
        'http_errors:{"n":1,"status":503}',
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        line = (await asyncio.wait_for(proc.stdout.readline(), 30)).decode().strip()
        http = dict(part.split("=", 1) for part in line.split()[1:])["http"]
        async with aiohttp.ClientSession() as s:
            statuses = []
            for _ in range(2):
                async with s.get(http + "/api/v2/public/time") as r:
                    statuses.append(r.status)
        assert statuses == [503, 200]
    finally:
        proc.terminate()
        assert await asyncio.wait_for(proc.wait(), 10) == 0


def test_cli_fault_spec_errors_name_the_problem():
    from nautilus_bitget.sim.faults import parse_fault_spec

    assert parse_fault_spec('drop_ws:{"which":"public"}@2.5') == (
        "drop_ws",
        {"which": "public"},
        2.5,
    )
    with pytest.raises(ValueError, match="unknown fault 'nope'"):
        parse_fault_spec("nope")
    with pytest.raises(ValueError, match="not JSON"):
        parse_fault_spec("http_errors:{n:1}")
