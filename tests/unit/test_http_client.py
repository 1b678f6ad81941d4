"""BitgetHttpClient against a real local aiohttp server that checks signatures like Bitget."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import time
import uuid
from dataclasses import dataclass
from dataclasses import field
from typing import Any

import msgspec
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from nautilus_bitget.common.credentials import BitgetCredentials
from nautilus_bitget.common.errors import BitgetError
from nautilus_bitget.common.errors import BitgetRateLimitError
from nautilus_bitget.common.errors import BitgetRequestError
from nautilus_bitget.common.errors import BitgetServerError
from nautilus_bitget.common.errors import BitgetSymbolError
from nautilus_bitget.common.errors import BitgetTimestampError
from nautilus_bitget.common.errors import BitgetTransportError
from nautilus_bitget.http.client import BitgetHttpClient


SECRET = "test-secret-do-not-log"
PASSPHRASE = "test-passphrase-do-not-log"


def make_credentials() -> BitgetCredentials:
    # A fresh key per test, so the process-wide rate-limit buckets never leak between tests
    return BitgetCredentials(f"key-{uuid.uuid4().hex[:12]}", SECRET, PASSPHRASE)


@dataclass
class Seen:
    """One request as the server received it (raw bytes, before any decoding)."""

    method: str
    path: str
    raw_query: str
    body: bytes
    headers: dict[str, str]
    at: float = field(default_factory=time.monotonic)


class FakeRest:
    """
    A Bitget-like REST server: envelope, signature and timestamp checks, scripted failures.

    ``script(path, *responses)`` queues responses for ``path``; each is ``(status, body)``
    (body: dict -> JSON, bytes -> raw), ``"hang"`` (never answers in time) or ``"reset"``.

    """

    def __init__(self, secret: str = SECRET, server_offset_ms: int = 0) -> None:
        self.secret = secret
        self.server_offset_ms = server_offset_ms
        self.seen: list[Seen] = []
        self.scripts: dict[str, list[Any]] = {}
        self.data: dict[str, Any] = {}
        self._server: TestServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        return str(self._server.make_url("")).rstrip("/")

    def now_ms(self) -> int:
        return int(time.time() * 1000) + self.server_offset_ms

    def script(self, path: str, *responses: Any) -> None:
        self.scripts.setdefault(path, []).extend(responses)

    def requests_to(self, path: str) -> list[Seen]:
        return [s for s in self.seen if s.path == path]

    async def start(self) -> FakeRest:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._server = TestServer(app, host="127.0.0.1", port=0)
        await self._server.start_server()
        return self

    async def stop(self) -> None:
        if self._server is not None:
            await self._server.close()

    def envelope(self, code: str, msg: str, data: Any = None, status: int = 200) -> web.Response:
        payload = {"code": code, "msg": msg, "requestTime": self.now_ms(), "data": data}
        return web.Response(
            status=status,
            body=msgspec.json.encode(payload),
            content_type="application/json",
        )

    def expected_sign(self, seen: Seen) -> str:
        ts = seen.headers.get("ACCESS-TIMESTAMP", "")
        query = f"?{seen.raw_query}" if seen.raw_query else ""
        prehash = f"{ts}{seen.method}{seen.path}{query}{seen.body.decode()}"
        digest = hmac.new(self.secret.encode(), prehash.encode(), hashlib.sha256).digest()
        return base64.b64encode(digest).decode()

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        seen = Seen(
            method=request.method,
            path=request.rel_url.raw_path,
            raw_query=request.rel_url.raw_query_string,
            body=await request.read(),
            headers=dict(request.headers),
        )
        self.seen.append(seen)
        queue = self.scripts.get(seen.path)
        if queue:
            action = queue.pop(0)
            if action == "hang":
                await asyncio.sleep(5)
                return self.envelope("00000", "success", {"late": True})
            if action == "reset":
                assert request.transport is not None
                request.transport.close()
                return web.Response()
            status, body = action
            if isinstance(body, bytes):
                return web.Response(status=status, body=body, content_type="text/html")
            return web.Response(
                status=status,
                body=msgspec.json.encode(body),
                content_type="application/json",
            )
        if seen.path == "/api/v2/public/time":
            return self.envelope("00000", "success", {"serverTime": str(self.now_ms())})
        if "ACCESS-KEY" in seen.headers:
            if seen.headers.get("ACCESS-SIGN") != self.expected_sign(seen):
                return self.envelope("40009", "sign signature error", status=400)
            ts = int(seen.headers["ACCESS-TIMESTAMP"])
            if abs(ts - self.now_ms()) > 30_000:
                return self.envelope("40008", "Request timestamp expired", status=400)
        data = self.data.get(seen.path, {"ok": True, "path": seen.path})
        return self.envelope("00000", "success", data)


@pytest.fixture
async def fake():
    server = await FakeRest().start()
    yield server
    await server.stop()


@pytest.fixture
async def client(fake: FakeRest):
    http = BitgetHttpClient(fake.url, make_credentials(), timeout_secs=2.0)
    http.retry_delay_initial_secs = 0.01
    http.rate_limit_delay_initial_secs = 0.01
    yield http
    await http.close()


class _Ok(msgspec.Struct, frozen=True):
    ok: bool
    path: str


def test_construct_outside_running_loop_creates_no_session() -> None:
    http = BitgetHttpClient("http://127.0.0.1:1", make_credentials())
    assert http._session is None
    assert SECRET not in repr(http)
    assert PASSPHRASE not in repr(http)


async def test_get_returns_raw_data_or_decoded_struct(client: BitgetHttpClient) -> None:
    raw = await client.get("/api/v2/mix/market/contracts", {"productType": "USDT-FUTURES"})
    assert isinstance(raw, msgspec.Raw)
    assert msgspec.json.decode(raw) == {"ok": True, "path": "/api/v2/mix/market/contracts"}
    decoded = await client.get("/api/v2/mix/market/contracts", decoder=_Ok)
    assert decoded == _Ok(ok=True, path="/api/v2/mix/market/contracts")


async def test_envelope_with_string_request_time_and_null_data(
    fake: FakeRest,
    client: BitgetHttpClient,
) -> None:
    path = "/api/v2/mix/order/cancel-all-orders"
    fake.script(
        path, (200, {"code": "00000", "msg": "success", "requestTime": "16800088", "data": None})
    )
    assert await client.post(path, {"productType": "USDT-FUTURES"}, decoder=_Ok) is None


async def test_success_needs_code_00000_even_on_http_200(
    fake: FakeRest,
    client: BitgetHttpClient,
) -> None:
    path = "/api/v2/mix/market/ticker"
    fake.script(path, (200, {"code": "40034", "msg": "Parameter X does not exist", "data": None}))
    with pytest.raises(BitgetSymbolError) as info:
        await client.get(path, {"symbol": "X"})
    assert info.value.status == 200
    assert info.value.code == "40034"


async def test_timestamp_expired_resyncs_clock_and_retries_once(fake: FakeRest) -> None:
    fake.server_offset_ms = 60_000  # our clock is a minute behind: Bitget answers 40008
    http = BitgetHttpClient(fake.url, make_credentials())
    try:
        data = await http.get(
            "/api/v2/mix/account/accounts", {"productType": "USDT-FUTURES"}, signed=True
        )
        assert msgspec.json.decode(data)["ok"] is True
        assert [s.path for s in fake.seen] == [
            "/api/v2/mix/account/accounts",
            "/api/v2/public/time",
            "/api/v2/mix/account/accounts",
        ]
        assert abs(http.clock_offset_ms - 60_000) < 1_000
    finally:
        await http.close()


async def test_timestamp_expired_twice_raises_after_exactly_one_retry(
    fake: FakeRest,
    client: BitgetHttpClient,
) -> None:
    path = "/api/v2/mix/order/place-order"
    expired = (400, {"code": "40008", "msg": "Request timestamp expired", "data": None})
    fake.script(path, expired, expired, expired)
    with pytest.raises(BitgetTimestampError):
        await client.post(path, {"symbol": "BTCUSDT", "clientOid": "c1"})
    assert len(fake.requests_to(path)) == 2
    assert len(fake.requests_to("/api/v2/public/time")) == 1


async def test_sync_clock_measures_offset(fake: FakeRest, client: BitgetHttpClient) -> None:
    fake.server_offset_ms = -5_000
    await client.sync_clock()
    assert abs(client.clock_offset_ms + 5_000) < 500
    # Signed requests now carry the server's time and pass the 30 s window check
    fake.server_offset_ms = -45_000
    await client.sync_clock()
    await client.get("/api/v2/mix/account/accounts", signed=True)
    assert len(fake.requests_to("/api/v2/mix/account/accounts")) == 1


async def test_post_placement_timeout_raises_and_is_sent_once(fake: FakeRest) -> None:
    path = "/api/v2/mix/order/place-order"
    fake.script(path, "hang")
    http = BitgetHttpClient(fake.url, make_credentials(), timeout_secs=0.3)
    try:
        with pytest.raises(BitgetTransportError):
            await http.post(path, {"symbol": "BTCUSDT", "clientOid": "c-timeout"})
        assert len(fake.requests_to(path)) == 1
    finally:
        await http.close()


async def test_post_placement_500_raises_and_is_sent_once(
    fake: FakeRest,
    client: BitgetHttpClient,
) -> None:
    path = "/api/v2/mix/order/place-order"
    fake.script(path, (500, {"code": "45001", "msg": "Unknown error", "data": None}))
    with pytest.raises(BitgetServerError) as info:
        await client.post(path, {"symbol": "BTCUSDT", "clientOid": "c-500"})
    assert info.value.status == 500
    assert len(fake.requests_to(path)) == 1


async def test_post_placement_connection_reset_raises_and_is_sent_once(
    fake: FakeRest,
    client: BitgetHttpClient,
) -> None:
    path = "/api/v2/mix/order/place-order"
    fake.script(path, "reset")
    with pytest.raises(BitgetTransportError):
        await client.post(path, {"symbol": "BTCUSDT", "clientOid": "c-reset"})
    assert len(fake.requests_to(path)) == 1


async def test_post_placement_429_is_not_resent(fake: FakeRest, client: BitgetHttpClient) -> None:
    path = "/api/v2/mix/order/place-order"
    fake.script(path, (429, {"code": "429", "msg": "Too many requests", "data": None}))
    with pytest.raises(BitgetRateLimitError):
        await client.post(path, {"symbol": "BTCUSDT", "clientOid": "c-429"})
    assert len(fake.requests_to(path)) == 1


async def test_post_with_retry_retries_5xx_and_429(
    fake: FakeRest, client: BitgetHttpClient
) -> None:
    path = "/api/v2/mix/account/set-leverage"
    fake.script(
        path,
        (503, {"code": "40015", "msg": "System is abnormal", "data": None}),
        (429, {"code": "429", "msg": "Too many requests", "data": None}),
    )
    data = await client.post(path, {"symbol": "BTCUSDT", "leverage": "5"}, retry=True)
    assert msgspec.json.decode(data)["ok"] is True
    assert len(fake.requests_to(path)) == 3


async def test_get_retried_on_5xx_and_429_then_succeeds(
    fake: FakeRest,
    client: BitgetHttpClient,
) -> None:
    path = "/api/v2/mix/market/merge-depth"
    fake.script(
        path,
        (502, b"<html>bad gateway</html>"),
        (500, {"code": "40725", "msg": "service return an error", "data": None}),
        (429, {"code": "429", "msg": "Too many requests", "data": None}),
    )
    data = await client.get(path, {"symbol": "BTCUSDT", "productType": "USDT-FUTURES"})
    assert msgspec.json.decode(data)["ok"] is True
    assert len(fake.requests_to(path)) == 4


async def test_get_gives_up_after_max_retries(fake: FakeRest) -> None:
    path = "/api/v2/mix/market/ticker"
    fake.script(path, *[(500, {"code": "45001", "msg": "Unknown error", "data": None})] * 5)
    http = BitgetHttpClient(fake.url, max_retries=2)
    http.retry_delay_initial_secs = 0.01
    try:
        with pytest.raises(BitgetServerError):
            await http.get(path, {"symbol": "BTCUSDT"})
        assert len(fake.requests_to(path)) == 3
    finally:
        await http.close()


async def test_get_business_error_is_not_retried(fake: FakeRest, client: BitgetHttpClient) -> None:
    path = "/api/v2/mix/market/ticker"
    fake.script(
        path, (400, {"code": "40034", "msg": "Parameter NOPE does not exist", "data": None})
    )
    with pytest.raises(BitgetRequestError):
        await client.get(path, {"symbol": "NOPE"})
    assert len(fake.requests_to(path)) == 1


async def test_get_connection_refused_raises_transport_error() -> None:
    http = BitgetHttpClient("http://127.0.0.1:9", max_retries=1, timeout_secs=1.0)
    http.retry_delay_initial_secs = 0.01
    try:
        with pytest.raises(BitgetTransportError) as info:
            await http.get("/api/v2/mix/market/ticker", {"symbol": "BTCUSDT"})
        assert info.value.endpoint == "/api/v2/mix/market/ticker"
    finally:
        await http.close()


async def test_signed_call_without_credentials_fails_fast(fake: FakeRest) -> None:
    http = BitgetHttpClient(fake.url)
    try:
        with pytest.raises(BitgetError, match="credentials"):
            await http.get("/api/v2/mix/account/accounts", signed=True)
        assert fake.seen == []
    finally:
        await http.close()


async def test_close_then_reuse_opens_a_new_session(client: BitgetHttpClient) -> None:
    first = await client.get("/api/v2/mix/market/contracts")
    await client.close()
    again = await client.get("/api/v2/mix/market/contracts")  # a new session, same answer
    assert again and again == first
