"""
The simulator's one REST request pipeline on its own: two made-up API families mounted on it,
served over a real socket. Every step (faults, signature, account gate, limit, body, handler,
error mapping, hang) is shared; only the families' dialects differ.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from nautilus_bitget.sim.auth import SimApiKey
from nautilus_bitget.sim.auth import SimAuthenticator
from nautilus_bitget.sim.errors import SimError
from nautilus_bitget.sim.faults import SimFaults
from nautilus_bitget.sim.pipeline import REMAIN_HEADER
from nautilus_bitget.sim.pipeline import Dialect
from nautilus_bitget.sim.pipeline import RestApi
from nautilus_bitget.sim.pipeline import RestCall
from nautilus_bitget.sim.pipeline import RestPipeline
from nautilus_bitget.sim.pipeline import Route


SECRET = "pipe-secret"
PASSPHRASE = "pipe-pass"
KEYS = {
    "k-classic": SimApiKey("k-classic", SECRET, PASSPHRASE, uid="1", account_mode="classic"),
    "k-uta": SimApiKey("k-uta", SECRET, PASSPHRASE, uid="2", account_mode="uta"),
}
CLASSIC = Dialect(
    account_mode="classic",
    wrong_account=("W2", "wrong account for two"),
    system_error=("S2", "system two"),
    unknown_error=("U2", "unknown two"),
    bad_body="B2",
    object_body=True,
    content_type_code="C2",
    remain_header=True,
    codes={"E0": "E2"},
)
UNIFIED = Dialect(
    account_mode="uta",
    wrong_account=("W3", "wrong account for three"),
    system_error=("S3", "system three"),
    unknown_error=("U3", "unknown three"),
    bad_body="B3",
    object_body=False,
    content_type_code=None,
    remain_header=False,
    codes={"E0": "E3"},
)


def echo(ctx: str, call: RestCall) -> dict:
    return {
        "ctx": ctx,
        "query": dict(call.query),
        "body": call.body,
        "key": call.key.api_key if call.key else None,
    }


def reject(ctx: str, call: RestCall) -> Any:
    raise SimError("E0", "engine says no", status=403)


def crash(ctx: str, call: RestCall) -> Any:
    raise RuntimeError("handler bug")


def routes(prefix: str) -> tuple[Route[str], ...]:
    return (
        Route("GET", f"{prefix}echo", echo, 20, False),
        Route("GET", f"{prefix}slow-limit", echo, 1, False),
        Route("POST", f"{prefix}signed", echo, 20, True),
        Route("GET", f"{prefix}reject", reject, 20, False),
        Route("GET", f"{prefix}crash", crash, 20, False),
    )


class Served:
    def __init__(self, url: str, faults: SimFaults, clock: list[int]) -> None:
        self.url = url
        self.faults = faults
        self.clock = clock

    async def request(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        key: str | None = None,
        content_type: str = "application/json",
        raw: bytes | None = None,
    ) -> tuple[int, dict, Any]:
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else b"")
        headers = {"Content-Type": content_type}
        if key is not None:
            stamp = str(self.clock[0])
            prehash = stamp + method + path + data.decode()
            sign = hmac.new(SECRET.encode(), prehash.encode(), hashlib.sha256).digest()
            headers.update(
                {
                    "ACCESS-KEY": key,
                    "ACCESS-SIGN": base64.b64encode(sign).decode(),
                    "ACCESS-TIMESTAMP": stamp,
                    "ACCESS-PASSPHRASE": PASSPHRASE,
                }
            )
        async with (
            aiohttp.ClientSession() as session,
            session.request(method, self.url + path, data=data or None, headers=headers) as r,
        ):
            return r.status, await r.json(), r.headers


@pytest.fixture
async def served() -> AsyncIterator[Served]:
    clock = [int(time.time() * 1000)]
    faults = SimFaults()
    auth = SimAuthenticator(KEYS.get, lambda: clock[0])
    pipeline = RestPipeline(auth, faults, lambda: clock[0], rate_limits=True)
    pipeline.mount(RestApi("/api/", CLASSIC, "ctx-two", routes("/api/two/")))
    pipeline.mount(RestApi("/api/three/", UNIFIED, "ctx-three", routes("/api/three/")))
    app = web.Application()
    app.router.add_route("*", "/api/{tail:.*}", pipeline.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield Served(f"http://127.0.0.1:{port}", faults, clock)
    finally:
        await runner.cleanup()


async def test_routes_reach_their_family_and_context(served: Served) -> None:
    status, js, headers = await served.request("GET", "/api/two/echo?a=1")
    assert status == 200 and js["code"] == "00000" and js["requestTime"] == served.clock[0]
    assert js["data"] == {"ctx": "ctx-two", "query": {"a": "1"}, "body": {}, "key": None}
    assert REMAIN_HEADER in headers
    status, js, headers = await served.request("GET", "/api/three/echo")
    assert status == 200 and js["data"]["ctx"] == "ctx-three"
    assert REMAIN_HEADER not in headers


@pytest.mark.parametrize("path", ["/api/two/nope", "/api/three/nope", "/api/other"])
async def test_unknown_route_is_404(served: Served, path: str) -> None:
    status, js, _ = await served.request("GET", path)
    assert (status, js["code"]) == (404, "40404")


async def test_signature_then_account_gate(served: Served) -> None:
    status, js, _ = await served.request("POST", "/api/two/signed", body={})
    assert (status, js["code"]) == (400, "40001")  # no ACCESS-KEY (bitget-protocol.md 8.2)
    status, js, _ = await served.request("POST", "/api/two/signed", body={}, key="k-uta")
    assert (status, js["code"]) == (400, "W2")
    status, js, _ = await served.request("POST", "/api/three/signed", body={}, key="k-classic")
    assert (status, js["code"]) == (400, "W3")
    status, js, _ = await served.request("POST", "/api/two/signed", body={"x": 1}, key="k-classic")
    assert status == 200 and js["data"]["key"] == "k-classic" and js["data"]["body"] == {"x": 1}


async def test_body_rules_are_the_dialects(served: Served) -> None:
    two, three = "/api/two/signed", "/api/three/signed"
    status, js, _ = await served.request(
        "POST", two, body={}, key="k-classic", content_type="text/plain"
    )
    assert (status, js["code"]) == (400, "C2")
    status, js, _ = await served.request(
        "POST", three, body={}, key="k-uta", content_type="text/plain"
    )
    assert status == 200
    status, js, _ = await served.request("POST", two, body=[1], key="k-classic")
    assert (status, js["code"]) == (400, "B2")
    status, js, _ = await served.request("POST", three, body=[1], key="k-uta")
    assert status == 200 and js["data"]["body"] == [1]
    status, js, _ = await served.request("POST", three, raw=b"{nope", key="k-uta")
    assert (status, js["code"]) == (400, "B3")


async def test_errors_are_mapped_per_family(served: Served) -> None:
    status, js, _ = await served.request("GET", "/api/two/reject")
    assert (status, js["code"], js["msg"], js["data"]) == (403, "E2", "engine says no", None)
    status, js, _ = await served.request("GET", "/api/three/reject")
    assert (status, js["code"]) == (403, "E3")
    status, js, _ = await served.request("GET", "/api/two/crash")
    assert (status, js["code"]) == (500, "U2")
    status, js, _ = await served.request("GET", "/api/three/crash")
    assert (status, js["code"]) == (500, "U3")


@pytest.mark.parametrize("family", ["two", "three"])
async def test_rate_limit_is_shared(served: Served, family: str) -> None:
    codes = [(await served.request("GET", f"/api/{family}/slow-limit"))[:2] for _ in range(3)]
    assert [(s, js["code"]) for s, js in codes] == [(200, "00000"), (429, "429"), (429, "429")]


@pytest.mark.parametrize(("family", "code"), [("two", "S2"), ("three", "S3")])
async def test_injected_faults(served: Served, family: str, code: str) -> None:
    path = f"/api/{family}/echo"
    served.faults.http_errors(1, status=503, path=path)
    status, js, _ = await served.request("GET", path)
    assert (status, js["code"]) == (503, code)
    served.faults.http_errors(1, status=429)
    status, js, _ = await served.request("GET", path)
    assert (status, js["code"]) == (429, "429")
    served.faults.hang_requests(1, path=path, secs=0.3)
    served.faults.slow_responses(200, path=path, n=1)
    started = time.monotonic()
    status, js, _ = await served.request("GET", path)
    assert status == 200 and time.monotonic() - started >= 0.5
