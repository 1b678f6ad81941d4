"""
Malformed frames: a WebSocket proxy in front of the simulator's public socket forwards every
real frame and injects bad ones between them (truncated JSON, wrong types, nulls, unknown
channel, not JSON, a 5 MB frame). The data client must skip and count them, never crash, and keep
the book equal to the venue's.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any

import aiohttp
from aiohttp import web

from nautilus_bitget.faults.harness import book_diff
from nautilus_bitget.faults.harness import data_node
from nautilus_bitget.faults.harness import sim_running
from nautilus_bitget.faults.harness import wait_for
from nautilus_bitget.faults.result import Drill
from nautilus_bitget.faults.result import failed


_ARG = b'"arg":{"instType":"USDT-FUTURES","channel":"books","instId":"BTCUSDT"}'
BAD_FRAMES: dict[str, bytes] = {
    "truncated JSON": b'{"action":"update","arg":{"instType":"USDT-FUTURES","channel":"books","in',
    "wrong types": b'{"action":"update",'
    + _ARG
    + b',"data":[{"asks":[["1","2"]],"bids":[],"seq":"abc","pseq":{},"ts":"1"}],"ts":1}',
    "null fields": b'{"action":"update",'
    + _ARG
    + b',"data":[{"asks":null,"bids":null,"seq":null,"pseq":null,"ts":null}],"ts":1}',
    "null data": b'{"action":"update",' + _ARG + b',"data":null,"ts":1}',
    "not JSON": b"\x00garbage\xff",
    "JSON array": b"[1,2,3]",
    "huge frame (5 MB)": b'{"action":"update",' + _ARG + b',"data":"' + b"x" * 5_000_000 + b'"}',
}
UNKNOWN_CHANNEL = (
    b'{"action":"snapshot","arg":{"instType":"USDT-FUTURES","channel":"books50",'
    b'"instId":"BTCUSDT"},"data":[{}],"ts":1}'
)


class InjectingProxy:
    """Forward a client's public socket to ``upstream`` and inject ``frames`` on demand."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream
        self.conns: list[tuple[web.WebSocketResponse, asyncio.Lock]] = []
        self.injected = 0
        self._runner: web.AppRunner | None = None
        self.url = ""

    async def start(self) -> None:
        """Listen on a free port."""
        app = web.Application()
        app.router.add_get("/v2/ws/public", self._handle)
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"ws://127.0.0.1:{port}/v2/ws/public"

    async def stop(self) -> None:
        """Close everything."""
        for ws, _ in list(self.conns):
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def inject(self, frame: bytes) -> None:
        """Send ``frame`` to every client connection, between the forwarded frames."""
        for ws, lock in list(self.conns):
            async with lock:
                await ws.send_bytes(frame) if frame[:1] == b"\x00" else await ws.send_str(
                    frame.decode(errors="replace"),
                )
            self.injected += 1

    async def _handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True, max_msg_size=0)
        await ws.prepare(request)
        lock = asyncio.Lock()
        entry = (ws, lock)
        self.conns.append(entry)
        async with aiohttp.ClientSession() as session:
            async with session.ws_connect(self.upstream, max_msg_size=0) as up:

                async def downstream() -> None:
                    async for msg in up:
                        if msg.type is aiohttp.WSMsgType.TEXT:
                            async with lock:
                                await ws.send_str(msg.data)
                        else:
                            break

                task = asyncio.create_task(downstream())
                try:
                    async for msg in ws:
                        if msg.type is aiohttp.WSMsgType.TEXT:
                            await up.send_str(msg.data)
                        else:
                            break
                finally:
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError, Exception):
                        await task
        self.conns.remove(entry)
        return ws


async def drill_malformed_frames() -> Drill:
    """Bad frames between good ones on the public socket."""
    name = "malformed frames"
    expected = "each skipped + counted, no crash, no reconnect, book == venue, publishing continues"
    start = time.monotonic()
    try:
        async with sim_running() as sim:
            proxy = InjectingProxy(sim.ws_public_url)
            await proxy.start()
            try:
                async with data_node(sim, ws_public_url=proxy.url) as (_n, watch, client, _r):
                    await wait_for(lambda: book_diff(watch.book, sim) == 0, 5.0, "book")
                    before = client.stats.as_dict()
                    published = client.stats.published
                    for frame in BAD_FRAMES.values():
                        await proxy.inject(frame)
                        await asyncio.sleep(0.05)
                    await proxy.inject(UNKNOWN_CHANNEL)
                    await asyncio.sleep(0.3)
                    await wait_for(lambda: book_diff(watch.book, sim) == 0, 3.0, "book")
                    lost = book_diff(watch.book, sim)
                    after = client.stats.as_dict()
                    still_publishing = client.stats.published > published
                    connected = client.ws.is_connected
            finally:
                await proxy.stop()
    except Exception as e:
        return failed(name, expected, e)
    malformed = after["malformed"] - before["malformed"]
    unknown = after["unknown_channel"] - before["unknown_channel"]
    reconnects = after["reconnects"] - before["reconnects"]
    ok = (
        malformed == len(BAD_FRAMES)
        and unknown == 1
        and reconnects == 0
        and still_publishing
        and connected
        and lost == 0
    )
    observed = (
        f"{proxy.injected} injected: malformed +{malformed} (of {len(BAD_FRAMES)}), unknown "
        f"channel +{unknown}, reconnects +{reconnects}, still publishing {still_publishing}, "
        f"book == venue {lost == 0}"
    )
    return Drill(name, expected, observed, lost, ok, time.monotonic() - start)


DRILLS: list[Any] = [drill_malformed_frames]
