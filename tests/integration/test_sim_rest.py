"""The simulator's REST layer over real sockets: signatures, envelope, error codes, limits."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

import aiohttp
import pytest

from nautilus_bitget.constants import SIM_API_KEY
from nautilus_bitget.constants import SIM_API_PASSPHRASE
from nautilus_bitget.constants import SIM_API_SECRET


USDT = "USDT-FUTURES"


def hmac_b64(secret: str, prehash: str) -> str:
    """Return ``base64(HMAC_SHA256(secret, prehash))`` (bitget-protocol.md 2.2)."""
    return base64.b64encode(
        hmac.new(secret.encode(), prehash.encode(), hashlib.sha256).digest()
    ).decode()


async def signed(
    sim,
    method: str,
    path: str,
    params: dict | None = None,
    body: dict | None = None,
    *,
    key: str = SIM_API_KEY,
    secret: str = SIM_API_SECRET,
    passphrase: str = SIM_API_PASSPHRASE,
    ts: int | None = None,
    headers: dict | None = None,
    query: str | None = None,
) -> tuple[int, dict]:
    """Send one signed request the way Bitget documents it; return (HTTP status, JSON)."""
    if query is None:
        query = "&".join(f"{k}={v}" for k, v in sorted((params or {}).items()))
    text = json.dumps(body, separators=(",", ":")) if body is not None else ""
    stamp = str(ts if ts is not None else int(time.time() * 1000))
    prehash = stamp + method + path + (f"?{query}" if query else "") + text
    hdrs = {
        "ACCESS-KEY": key,
        "ACCESS-SIGN": hmac_b64(secret, prehash),
        "ACCESS-TIMESTAMP": stamp,
        "ACCESS-PASSPHRASE": passphrase,
        "Content-Type": "application/json",
        **(headers or {}),
    }
    url = sim.http_url + path + (f"?{query}" if query else "")
    async with (
        aiohttp.ClientSession() as session,
        session.request(
            method, aiohttp.client.URL(url, encoded=True), data=text or None, headers=hdrs
        ) as resp,
    ):
        return resp.status, await resp.json()


async def public(sim, path: str, params: dict | None = None) -> tuple[int, dict]:
    """GET a public endpoint; return (HTTP status, JSON)."""
    async with (
        aiohttp.ClientSession() as session,
        session.get(sim.http_url + path, params=params) as resp,
    ):
        return resp.status, await resp.json()


def order_body(**kw) -> dict:
    body = {
        "symbol": "BTCUSDT",
        "productType": USDT,
        "marginMode": "crossed",
        "marginCoin": "USDT",
        "size": "0.010",
        "side": "buy",
        "orderType": "market",
    }
    body.update(kw)
    return body


async def test_public_time_envelope(sim):
    status, js = await public(sim, "/api/v2/public/time")
    assert status == 200
    assert js["code"] == "00000" and js["msg"] == "success"
    assert isinstance(js["requestTime"], int)
    assert abs(int(js["data"]["serverTime"]) - time.time() * 1000) < 5000


async def test_unknown_symbol_40034(sim):
    status, js = await public(
        sim, "/api/v2/mix/market/ticker", {"symbol": "NOPEUSDT", "productType": USDT}
    )
    assert status == 400
    assert js["code"] == "40034" and js["data"] is None


async def test_unknown_path_404(sim):
    status, js = await public(sim, "/api/v2/mix/market/nope")
    assert status == 404 and js["code"] == "40404"


async def test_lowercase_product_type_accepted(sim):
    status, js = await public(
        sim, "/api/v2/mix/market/ticker", {"symbol": "BTCUSDT", "productType": "usdt-futures"}
    )
    assert status == 200 and js["data"][0]["symbol"] == "BTCUSDT"


async def test_merge_depth_numbers(sim):
    status, js = await public(
        sim,
        "/api/v2/mix/market/merge-depth",
        {"symbol": "BTCUSDT", "productType": USDT, "limit": "5"},
    )
    assert status == 200
    data = js["data"]
    assert len(data["bids"]) == 5 and len(data["asks"]) == 5
    assert all(isinstance(x, float | int) for lv in data["bids"] + data["asks"] for x in lv)
    assert data["bids"][0][0] < data["asks"][0][0]
    assert [lv[0] for lv in data["bids"]] == sorted((lv[0] for lv in data["bids"]), reverse=True)


async def test_candles_forming_vs_history(sim):
    for _ in range(30):
        _, js = await public(
            sim,
            "/api/v2/mix/market/candles",
            {"symbol": "BTCUSDT", "productType": USDT, "granularity": "1m"},
        )
        if js["data"]:
            break
        await __import__("asyncio").sleep(0.1)
    rows = js["data"]
    assert rows and all(len(r) == 7 and all(isinstance(x, str) for x in r) for r in rows)
    now = time.time() * 1000
    assert int(rows[-1][0]) + 60_000 > now  # the forming candle is included
    _, hist = await public(
        sim,
        "/api/v2/mix/market/history-candles",
        {"symbol": "BTCUSDT", "productType": USDT, "granularity": "1m"},
    )
    assert hist["data"] and all(int(r[0]) + 60_000 <= now + 1000 for r in hist["data"])
    status, js = await public(
        sim,
        "/api/v2/mix/market/history-candles",
        {"symbol": "BTCUSDT", "productType": USDT, "granularity": "1m", "limit": "500"},
    )
    assert status == 400


async def test_signed_request_accepted(sim):
    status, js = await signed(sim, "GET", "/api/v2/mix/account/accounts", {"productType": USDT})
    assert status == 200 and js["code"] == "00000"
    assert {row["marginCoin"] for row in js["data"]} == {"USDT"}


async def test_signature_over_raw_query_as_received(sim):
    # Unsorted keys and a percent-encoded value: the server signs exactly what it received
    query = "productType=USDT-FUTURES&symbol=BTC%55SDT&marginCoin=USDT"
    status, js = await signed(sim, "GET", "/api/v2/mix/account/account", query=query)
    assert status == 200, js
    assert js["data"]["marginCoin"] == "USDT"


async def test_bad_signature_40009(sim):
    status, js = await signed(
        sim, "GET", "/api/v2/mix/account/accounts", {"productType": USDT}, secret="wrong"
    )
    assert status == 400 and js["code"] == "40009"


async def test_body_is_part_of_signature(sim):
    body = order_body()
    text = json.dumps(body)
    stamp = str(int(time.time() * 1000))
    sig = hmac_b64(SIM_API_SECRET, stamp + "POST" + "/api/v2/mix/order/place-order" + text)
    tampered = text.replace("0.010", "0.020")
    hdrs = {
        "ACCESS-KEY": SIM_API_KEY,
        "ACCESS-SIGN": sig,
        "ACCESS-TIMESTAMP": stamp,
        "ACCESS-PASSPHRASE": SIM_API_PASSPHRASE,
        "Content-Type": "application/json",
    }
    async with (
        aiohttp.ClientSession() as s,
        s.post(sim.http_url + "/api/v2/mix/order/place-order", data=tampered, headers=hdrs) as r,
    ):
        assert r.status == 400 and (await r.json())["code"] == "40009"


async def test_stale_timestamp_40008(sim):
    stale = int(time.time() * 1000) - 31_000
    status, js = await signed(
        sim, "GET", "/api/v2/mix/account/accounts", {"productType": USDT}, ts=stale
    )
    assert status == 400 and js["code"] == "40008"


async def test_missing_headers_and_bad_credentials(sim):
    async with (
        aiohttp.ClientSession() as s,
        s.get(sim.http_url + "/api/v2/mix/account/accounts?productType=USDT-FUTURES") as r,
    ):
        assert (await r.json())["code"] == "40001"
    _, js = await signed(
        sim, "GET", "/api/v2/mix/account/accounts", {"productType": USDT}, key="nope"
    )
    assert js["code"] == "40006"
    _, js = await signed(
        sim, "GET", "/api/v2/mix/account/accounts", {"productType": USDT}, passphrase="nope"
    )
    assert js["code"] == "40012"


async def test_demo_header_mismatch_40099(sim):
    _, js = await signed(
        sim,
        "GET",
        "/api/v2/mix/account/accounts",
        {"productType": USDT},
        headers={"paptrading": "1"},
    )
    assert js["code"] == "40099"
    _, js = await signed(
        sim, "GET", "/api/v2/mix/account/accounts", {"productType": USDT}, key="sim-demo-key"
    )
    assert js["code"] == "40099"
    status, js = await signed(
        sim,
        "GET",
        "/api/v2/mix/account/accounts",
        {"productType": USDT},
        key="sim-demo-key",
        headers={"paptrading": "1"},
    )
    assert status == 200 and js["code"] == "00000"


async def test_uta_account_40085(sim_factory):
    sim = await sim_factory(account_mode="uta")
    status, js = await signed(sim, "GET", "/api/v2/mix/account/accounts", {"productType": USDT})
    assert status == 400 and js["code"] == "40085"


async def test_rate_limit_429(sim):
    codes = []
    for _ in range(8):  # all-position: 5/s per UID (bitget-protocol.md 7.2)
        status, js = await signed(
            sim, "GET", "/api/v2/mix/position/all-position", {"productType": USDT}
        )
        codes.append((status, js["code"]))
    assert (200, "00000") in codes
    assert (429, "429") in codes


async def test_order_lifecycle_and_errors(sim):
    path = "/api/v2/mix/order/place-order"
    status, js = await signed(sim, "POST", path, body=order_body(clientOid="m1"))
    assert status == 200 and js["data"]["clientOid"] == "m1" and js["data"]["orderId"]
    status, js = await signed(
        sim,
        "GET",
        "/api/v2/mix/order/detail",
        {"productType": USDT, "symbol": "BTCUSDT", "clientOid": "m1"},
    )
    assert js["data"]["state"] == "filled"
    # limit order resting far away, then duplicate clientOid among pending orders
    body = order_body(orderType="limit", price="30000.0", clientOid="l1")
    status, js = await signed(sim, "POST", path, body=body)
    assert status == 200
    status, js = await signed(sim, "POST", path, body=body)
    assert status == 400 and js["code"] == "43118"
    # one-way account: a hedge-shaped order is rejected (bitget-protocol.md 9.3)
    _, js = await signed(sim, "POST", path, body=order_body(tradeSide="open"))
    assert js["code"] == "40774"
    _, js = await signed(sim, "POST", path, body=order_body(size="0.0105"))
    assert js["code"] == "40808"
    _, js = await signed(sim, "POST", path, body=order_body(size="1000"))
    assert js["code"] == "40762"
    _, js = await signed(
        sim,
        "POST",
        "/api/v2/mix/order/cancel-order",
        body={"symbol": "BTCUSDT", "productType": USDT, "orderId": "1"},
    )
    assert js["code"] == "40768"
    _, js = await signed(sim, "GET", "/api/v2/mix/order/orders-pending", {"productType": USDT})
    assert [o["clientOid"] for o in js["data"]["entrustedList"]] == ["l1"]
    _, js = await signed(
        sim,
        "POST",
        "/api/v2/mix/order/cancel-order",
        body={"symbol": "BTCUSDT", "productType": USDT, "clientOid": "l1"},
    )
    assert js["code"] == "00000"
    _, js = await signed(sim, "GET", "/api/v2/mix/order/orders-pending", {"productType": USDT})
    assert js["data"]["entrustedList"] is None  # bitget-protocol.md 5.10: null when empty
    assert sim.exchange.pending_orders(SIM_API_KEY, USDT) == []


@pytest.mark.parametrize(
    "product_type,symbol", [("USDC-FUTURES", "BTCPERP"), ("COIN-FUTURES", "BTCUSD")]
)
async def test_other_product_types(sim, product_type, symbol):
    _, js = await public(sim, "/api/v2/mix/market/contracts", {"productType": product_type})
    assert symbol in [c["symbol"] for c in js["data"]]
    _, js = await public(
        sim, "/api/v2/mix/market/ticker", {"symbol": symbol, "productType": product_type}
    )
    assert js["data"][0]["symbol"] == symbol
    _, js = await public(
        sim, "/api/v2/mix/market/ticker", {"symbol": "BTCUSDT", "productType": product_type}
    )
    assert js["code"] == "40034"


async def test_cli_prints_ready_first_and_serves():
    import asyncio
    import sys
    from pathlib import Path

    exe = Path(sys.executable).with_name("bitget-nt")
    proc = await asyncio.create_subprocess_exec(
        str(exe), "sim", "--port", "0", "--symbols", "BTCUSDT", stdout=asyncio.subprocess.PIPE
    )
    try:
        line = (await asyncio.wait_for(proc.stdout.readline(), 30)).decode().strip()
        assert line.startswith("READY http=http://"), line
        fields = dict(part.split("=", 1) for part in line.split()[1:])
        assert set(fields) == {"http", "ws_public", "ws_private"}
        assert fields["ws_public"].endswith("/v2/ws/public")
        async with (
            aiohttp.ClientSession() as s,
            s.get(fields["http"] + "/api/v2/public/time") as r,
        ):
            assert (await r.json())["code"] == "00000"
    finally:
        proc.terminate()
        assert await asyncio.wait_for(proc.wait(), 10) == 0


def test_background_thread_mode():
    import urllib.request

    from nautilus_bitget.sim import BitgetSimulator
    from nautilus_bitget.sim import SimConfig

    simulator = BitgetSimulator(SimConfig(port=0)).start_background()
    try:
        with urllib.request.urlopen(simulator.http_url + "/api/v2/public/time", timeout=5) as r:  # noqa: S310
            assert json.loads(r.read())["code"] == "00000"
        assert simulator.call(lambda: len(simulator.exchange.markets)) == 4
    finally:
        simulator.stop_background()


async def test_post_requires_json_content_type_40007(sim):
    status, js = await signed(
        sim,
        "POST",
        "/api/v2/mix/order/place-order",
        body=order_body(),
        headers={"Content-Type": "text/plain"},
    )
    assert status == 400 and js["code"] == "40007"
    assert sim.exchange.pending_orders(SIM_API_KEY, USDT) == []


async def test_modify_plan_order(sim):
    """``modify-plan-order`` (bitget-protocol.md 5.11): in place, validated, documented codes."""
    path = "/api/v2/mix/order/modify-plan-order"
    mark = float(sim.exchange.ticker("BTCUSDT").mark_price)
    plan = order_body(
        planType="normal_plan", orderType="limit", price=f"{mark * 1.2:.1f}",
        triggerPrice=f"{mark * 1.1:.1f}", triggerType="fill_price", clientOid="pl-1",
    )  # fmt: skip
    status, js = await signed(sim, "POST", "/api/v2/mix/order/place-plan-order", body=plan)
    assert status == 200, js
    order_id = js["data"]["orderId"]
    new = {"productType": USDT, "symbol": "BTCUSDT", "clientOid": "pl-1"}
    status, js = await signed(
        sim, "POST", path,
        body={**new, "newSize": "0.020", "newPrice": f"{mark * 1.3:.1f}",
              "newTriggerPrice": f"{mark * 1.25:.1f}", "newTriggerType": "mark_price"},
    )  # fmt: skip
    assert status == 200 and js["data"] == {"orderId": order_id, "clientOid": "pl-1"}
    (row,) = sim.exchange.plan_orders(SIM_API_KEY, USDT)
    assert (str(row.size), row.trigger_type) == ("0.020", "mark_price")
    assert str(row.trigger_price) == f"{mark * 1.25:.1f}"
    # Errors: off-tick trigger 45115, unknown plan 43025, no id 40924; nothing changes
    for body, code in (
        ({**new, "newTriggerPrice": f"{mark:.2f}1"}, "45115"),
        ({**new, "clientOid": "nope", "newTriggerPrice": f"{mark:.1f}"}, "43025"),
        ({"productType": USDT, "newTriggerPrice": f"{mark:.1f}"}, "40924"),
    ):
        status, js = await signed(sim, "POST", path, body=body)
        assert status == 400 and js["code"] == code, (body, js)
    (after,) = sim.exchange.plan_orders(SIM_API_KEY, USDT)
    assert after.trigger_price == row.trigger_price and after.size == row.size
    await signed(
        sim, "POST", "/api/v2/mix/order/cancel-plan-order",
        body={"productType": USDT, "orderIdList": [{"orderId": order_id}]},
    )  # fmt: skip
    status, js = await signed(sim, "POST", path, body={**new, "newTriggerPrice": f"{mark:.1f}"})
    assert js["code"] == "43025"  # a finished plan cannot be modified
