"""BitgetWebSocketClient and BitgetWebSocketPool against a real local Bitget-like socket server."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import time
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from typing import Any

import msgspec
import pytest
from aiohttp import WSMsgType
from aiohttp import web
from aiohttp.test_utils import TestServer

from nautilus_bitget.common.credentials import BitgetCredentials
from nautilus_bitget.common.errors import BitgetAuthenticationError
from nautilus_bitget.websocket.client import MAX_ARGS_BYTES
from nautilus_bitget.websocket.client import BitgetWebSocketClient
from nautilus_bitget.websocket.client import batch_args
from nautilus_bitget.websocket.client import subscription_key
from nautilus_bitget.websocket.pool import BitgetWebSocketPool


SECRET = "ws-secret-do-not-log"
PASSPHRASE = "ws-pass-do-not-log"
CREDENTIALS = BitgetCredentials("ws-key", SECRET, PASSPHRASE)


def arg(channel: str, inst_id: str = "BTCUSDT") -> dict[str, str]:
    return {"instType": "USDT-FUTURES", "channel": channel, "instId": inst_id}


@dataclass
class Conn:
    """One server-side connection and everything it received."""

    ws: web.WebSocketResponse
    received: list[tuple[float, str]] = field(default_factory=list)

    def texts(self) -> list[str]:
        return [text for _, text in self.received]

    def ops(self, op: str) -> list[dict[str, Any]]:
        frames = [msgspec.json.decode(t) for t in self.texts() if t.startswith("{")]
        return [f for f in frames if f.get("op") == op]

    def subscribed_args(self) -> list[dict[str, Any]]:
        return [a for frame in self.ops("subscribe") for a in frame["args"]]


class FakeWs:
    """A Bitget-like socket server: text ping/pong, login check, per-arg acks, fault switches."""

    def __init__(self) -> None:
        self.conns: list[Conn] = []
        self.answer_pings = True
        self.login_error_code: int | None = None
        self._server: TestServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        return str(self._server.make_url("/v2/ws/private")).replace("http", "ws", 1)

    async def start(self) -> FakeWs:
        app = web.Application()
        app.router.add_get("/v2/ws/private", self._handle)
        self._server = TestServer(app, host="127.0.0.1", port=0)
        await self._server.start_server()
        return self

    async def stop(self) -> None:
        for conn in self.conns:
            await conn.ws.close()
        if self._server is not None:
            await self._server.close()

    async def drop_all(self) -> None:
        """Close every socket from the server side (like the 24 h forced disconnect)."""
        for conn in list(self.conns):
            if not conn.ws.closed:
                await conn.ws.close()

    async def push(self, payload: dict[str, Any]) -> None:
        for conn in self.conns:
            if not conn.ws.closed:
                await conn.ws.send_str(msgspec.json.encode(payload).decode())

    async def wait_conns(self, n: int) -> None:
        await eventually(lambda: len(self.conns) >= n)

    def _login_ok(self, login: dict[str, str]) -> bool:
        prehash = f"{login['timestamp']}GET/user/verify"
        digest = hmac.new(SECRET.encode(), prehash.encode(), hashlib.sha256).digest()
        return (
            login["apiKey"] == CREDENTIALS.api_key
            and login["passphrase"] == PASSPHRASE
            and login["sign"] == base64.b64encode(digest).decode()
            and abs(int(login["timestamp"]) - time.time()) < 30
        )

    async def _handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        conn = Conn(ws)
        self.conns.append(conn)
        async for msg in ws:
            if msg.type is not WSMsgType.TEXT:
                continue
            conn.received.append((time.monotonic(), msg.data))
            if msg.data == "ping":
                if self.answer_pings:
                    await ws.send_str("pong")
                continue
            frame = msgspec.json.decode(msg.data)
            op = frame.get("op")
            if op == "login":
                ok = self.login_error_code is None and self._login_ok(frame["args"][0])
                if ok:
                    await ws.send_str('{"event":"login","code":0,"connId":"c1"}')
                else:
                    code = self.login_error_code or 30005
                    await ws.send_str(f'{{"event":"error","code":"{code}","msg":"login failed"}}')
                    await ws.close()
            elif op in ("subscribe", "unsubscribe"):
                for a in frame["args"]:
                    await ws.send_str(msgspec.json.encode({"event": op, "arg": a}).decode())
        return ws


async def eventually(check: Callable[[], bool], within: float = 5.0) -> None:
    deadline = time.monotonic() + within
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.02)


def max_in_window(times: list[float], window: float) -> int:
    times = sorted(times)
    return max(sum(1 for t in times[i:] if t - start < window) for i, start in enumerate(times))


class Recorder:
    def __init__(self) -> None:
        self.frames: list[bytes] = []
        self.tapped: list[tuple[bytes, int]] = []
        self.reconnected = asyncio.Event()
        self.disconnects = 0

    def handler(self, frame: bytes) -> None:
        self.frames.append(frame)

    def tap(self, frame: bytes, ts: int) -> None:
        self.tapped.append((frame, ts))

    async def on_reconnect(self) -> None:
        self.reconnected.set()

    def on_disconnect(self) -> None:
        self.disconnects += 1

    def events(self, name: str) -> list[dict[str, Any]]:
        decoded = [msgspec.json.decode(f) for f in self.frames]
        return [d for d in decoded if d.get("event") == name]


@pytest.fixture
async def server():
    fake = await FakeWs().start()
    yield fake
    await fake.stop()


@pytest.fixture
def rec() -> Recorder:
    return Recorder()


def make_client(server: FakeWs, rec: Recorder, **kwargs: Any) -> BitgetWebSocketClient:
    options: dict[str, Any] = {
        "credentials": CREDENTIALS,
        "ping_interval_secs": 0.2,
        "stale_timeout_secs": 5.0,
        "raw_tap": rec.tap,
        "on_reconnect": rec.on_reconnect,
        "on_disconnect": rec.on_disconnect,
        "name": "test",
    }
    options.update(kwargs)
    client = BitgetWebSocketClient(server.url, rec.handler, **options)
    client.reconnect_delay_initial_secs = 0.05
    return client


async def test_text_ping_pong_and_raw_tap(server: FakeWs, rec: Recorder) -> None:
    client = make_client(server, rec, credentials=None)
    await client.connect()
    try:
        await eventually(lambda: server.conns[0].texts().count("ping") >= 3, 3.0)
        await eventually(lambda: any(f == b"pong" for f, _ in rec.tapped))
        assert client.is_connected
        assert b"pong" not in rec.frames
        now = time.time_ns()
        assert all(now - 5_000_000_000 < ts <= now for _, ts in rec.tapped)
    finally:
        await client.disconnect()


async def test_login_then_subscribe_ack(server: FakeWs, rec: Recorder) -> None:
    client = make_client(server, rec)
    await client.subscribe([arg("orders", "default")])
    await client.connect()
    try:
        await eventually(lambda: len(rec.events("subscribe")) == 1)
        conn = server.conns[0]
        first = msgspec.json.decode(conn.texts()[0])
        assert first["op"] == "login"
        assert conn.subscribed_args() == [arg("orders", "default")]
        assert rec.events("login")[0]["code"] == 0
        # The raw tap saw each frame before the handler did, with the same bytes
        tapped = [f for f, _ in rec.tapped if f != b"pong"]
        assert tapped[: len(rec.frames)] == rec.frames
        await client.subscribe([arg("positions", "default")])
        await eventually(lambda: len(rec.events("subscribe")) == 2)
        assert client.subscriptions == {
            subscription_key(arg("orders", "default")),
            subscription_key(arg("positions", "default")),
        }
    finally:
        await client.disconnect()


async def test_login_failure_raises_authentication_error(server: FakeWs, rec: Recorder) -> None:
    server.login_error_code = 30005
    client = make_client(server, rec)
    with pytest.raises(BitgetAuthenticationError) as info:
        await client.connect()
    assert info.value.code == "30005"
    assert SECRET not in str(info.value)
    assert PASSPHRASE not in repr(info.value)
    assert not client.is_connected
    await client.disconnect()


async def test_bad_secret_is_rejected(server: FakeWs, rec: Recorder) -> None:
    client = make_client(server, rec, credentials=BitgetCredentials("ws-key", "wrong", PASSPHRASE))
    with pytest.raises(BitgetAuthenticationError):
        await client.connect()
    await client.disconnect()


async def test_server_close_reconnects_relogs_in_and_resubscribes(
    server: FakeWs,
    rec: Recorder,
) -> None:
    client = make_client(server, rec)
    wanted = [arg("books"), arg("trade"), arg("orders", "default")]
    await client.connect()
    await client.subscribe(wanted)
    try:
        await server.wait_conns(1)
        await eventually(lambda: len(server.conns[0].subscribed_args()) == 3)
        await server.drop_all()  # the venue's 24 h forced disconnect
        await asyncio.wait_for(rec.reconnected.wait(), 5.0)
        second = server.conns[1]
        await eventually(lambda: len(second.subscribed_args()) == 3)
        assert msgspec.json.decode(second.texts()[0])["op"] == "login"
        assert sorted(map(subscription_key, second.subscribed_args())) == sorted(
            map(subscription_key, wanted),
        )
        assert client.reconnect_count == 1
        assert rec.disconnects == 1
        assert client.is_connected
    finally:
        await client.disconnect()


async def test_login_rejected_on_reconnect_is_retried_with_backoff(
    server: FakeWs,
    rec: Recorder,
) -> None:
    client = make_client(server, rec)
    await client.connect()
    await client.subscribe([arg("orders", "default")])
    try:
        server.login_error_code = 30014
        await server.drop_all()
        await server.wait_conns(3)  # at least two rejected logins after the drop
        assert not rec.reconnected.is_set()
        server.login_error_code = None
        await asyncio.wait_for(rec.reconnected.wait(), 5.0)
        await eventually(lambda: len(server.conns[-1].subscribed_args()) == 1)
        assert client.is_connected
        assert client.reconnect_count == 1
    finally:
        await client.disconnect()


async def test_unsubscribed_args_are_not_restored_after_reconnect(
    server: FakeWs,
    rec: Recorder,
) -> None:
    client = make_client(server, rec)
    await client.connect()
    await client.subscribe([arg("books"), arg("trade")])
    await client.unsubscribe([arg("trade")])
    try:
        await eventually(lambda: len(server.conns[0].ops("unsubscribe")) == 1)
        await server.drop_all()
        await asyncio.wait_for(rec.reconnected.wait(), 5.0)
        await eventually(lambda: len(server.conns[1].subscribed_args()) >= 1)
        assert server.conns[1].subscribed_args() == [arg("books")]
        assert client.subscriptions == {subscription_key(arg("books"))}
    finally:
        await client.disconnect()


async def test_resubscribe_sends_unsubscribe_then_subscribe(server: FakeWs, rec: Recorder) -> None:
    client = make_client(server, rec, credentials=None)
    await client.connect()
    await client.subscribe([arg("books")])
    await client.resubscribe([arg("books")])
    try:
        await eventually(lambda: len(rec.events("subscribe")) == 2)
        ops = [msgspec.json.decode(t)["op"] for t in server.conns[0].texts() if t != "ping"]
        assert ops == ["subscribe", "unsubscribe", "subscribe"]
    finally:
        await client.disconnect()


async def test_silent_server_triggers_stale_watchdog_reconnect(
    server: FakeWs,
    rec: Recorder,
) -> None:
    client = make_client(server, rec, stale_timeout_secs=0.6)
    await client.connect()
    await client.subscribe([arg("books")])
    server.answer_pings = False
    try:
        await asyncio.wait_for(rec.reconnected.wait(), 5.0)
        assert client.reconnect_count >= 1
        assert server.conns[0].ws.closed
        await eventually(lambda: len(server.conns[1].subscribed_args()) == 1)
        assert server.conns[1].subscribed_args() == [arg("books")]
    finally:
        await client.disconnect()


async def test_withheld_pongs_force_a_reconnect_even_while_data_flows(
    server: FakeWs,
    rec: Recorder,
) -> None:
    client = make_client(server, rec, ping_interval_secs=0.1, stale_timeout_secs=0.6)
    await client.connect()
    await client.subscribe([arg("books")])
    server.answer_pings = False
    pushing = True

    async def keep_pushing() -> None:
        while pushing:
            await server.push({"action": "update", "arg": arg("books"), "data": [], "ts": 1})
            await asyncio.sleep(0.05)

    pusher = asyncio.create_task(keep_pushing())
    try:
        await asyncio.wait_for(rec.reconnected.wait(), 5.0)
        assert client.reconnect_count >= 1
        assert server.conns[0].ws.closed
    finally:
        pushing = False
        await pusher
        await client.disconnect()


async def test_handler_exceptions_do_not_kill_the_reader(server: FakeWs, rec: Recorder) -> None:
    seen: list[bytes] = []

    def bad_handler(frame: bytes) -> None:
        seen.append(frame)
        raise ValueError("boom")

    client = BitgetWebSocketClient(server.url, bad_handler, ping_interval_secs=0.2)
    await client.connect()
    try:
        await server.wait_conns(1)
        for i in range(3):
            await server.push({"action": "snapshot", "arg": arg("ticker"), "data": [{"i": i}]})
        await eventually(lambda: len(seen) == 3)
        assert client.is_connected
    finally:
        await client.disconnect()


async def test_outgoing_rate_is_at_most_10_per_second(server: FakeWs, rec: Recorder) -> None:
    client = make_client(server, rec, credentials=None, ping_interval_secs=0.1)
    await client.connect()
    try:
        await asyncio.gather(*(client.subscribe([arg("books", f"S{i}USDT")]) for i in range(15)))
        await eventually(lambda: len(server.conns[0].subscribed_args()) == 15, 5.0)
        # subscribes waiting for a send slot go out together; pings keep the limiter busy
        await eventually(lambda: len(server.conns[0].received) >= 16, 5.0)
        times = [t for t, _ in server.conns[0].received]
        assert max_in_window(times, 0.8) <= 10
    finally:
        await client.disconnect()


async def test_disconnect_cancels_tasks_and_closes_session(server: FakeWs, rec: Recorder) -> None:
    client = make_client(server, rec)
    await client.connect()
    await client.disconnect()
    assert client._tasks == set()
    assert client._session is None
    assert not client.is_connected
    await asyncio.sleep(0.3)
    assert client.reconnect_count == 0
    assert rec.disconnects == 0


async def test_pool_shards_120_channels_over_3_connections(server: FakeWs, rec: Recorder) -> None:
    pool = BitgetWebSocketPool(
        server.url,
        rec.handler,
        ping_interval_secs=5.0,
        name="pool",
    )
    args = [
        arg(channel, f"C{i}USDT") for i in range(40) for channel in ("books", "trade", "ticker")
    ]
    await pool.connect()
    await pool.subscribe(args)
    try:
        await server.wait_conns(3)
        await eventually(lambda: sum(len(c.subscribed_args()) for c in server.conns) == 120)
        counts = sorted(len(c.subscribed_args()) for c in server.conns)
        assert counts == [20, 50, 50]
        assert len(pool.clients) == 3
        assert len(pool.subscriptions) == 120
        # Unsubscribe goes to the connection that owns the arg
        owner = next(c for c in server.conns if arg("books", "C0USDT") in c.subscribed_args())
        await pool.unsubscribe([arg("books", "C0USDT")])
        await eventually(lambda: len(owner.ops("unsubscribe")) == 1)
        assert sum(len(c.ops("unsubscribe")) for c in server.conns) == 1
        # Freed room is reused before a new connection is opened
        await pool.subscribe([arg("books", "NEWUSDT")])
        await eventually(lambda: sum(len(c.subscribed_args()) for c in server.conns) == 121)
        assert len(server.conns) == 3
    finally:
        await pool.disconnect()


def test_batch_args_respects_the_4096_byte_limit() -> None:
    args = [arg("books", f"SYMBOL{i:04d}USDT") for i in range(200)]
    batches = batch_args(args)
    assert [a for b in batches for a in b] == args
    assert len(batches) > 1
    assert all(len(msgspec.json.encode(b)) <= MAX_ARGS_BYTES for b in batches)
