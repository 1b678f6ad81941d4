"""
WebSocket connections of the simulator and the public socket ``/v2/ws/public``.

Protocol (bitget-protocol.md 3): text ``ping`` -> text ``pong``; ``subscribe``/``unsubscribe`` with
one
ack per arg; data pushes ``{"action","arg","data","ts"}``; error events with numeric codes (8.3).
Limits (3.1): 10 inbound messages/s per connection (exceeding closes it), 1000 channels per
connection, 240 subscribe requests per hour per connection, idle kill after 120 s without
``ping``; per IP (ws_limits.py): 100 concurrent connections and 300 connection attempts per 5 min.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Iterable
from typing import Any

import msgspec
from aiohttp import WSMsgType
from aiohttp import web

from nautilus_bitget.sim import wire
from nautilus_bitget.sim.context import WsContext
from nautilus_bitget.sim.events import BookChanged
from nautilus_bitget.sim.events import CandleUpdated
from nautilus_bitget.sim.events import TickerChanged
from nautilus_bitget.sim.events import Trades


_log = logging.getLogger(__name__)

PRODUCT_TYPES = ("USDT-FUTURES", "USDC-FUTURES", "COIN-FUTURES")
BOOK_DEPTH_CHANNELS = {"books1": 1, "books5": 5, "books15": 15}
# bitget-protocol.md 6.1: candle channels (no 3m / 2H / intraday-UTC variants documented)
CANDLE_CHANNELS = {
    f"candle{g}": g
    for g in (
        "1m",
        "5m",
        "15m",
        "30m",
        "1H",
        "4H",
        "6H",
        "12H",
        "1D",
        "3D",
        "1W",
        "1M",
        "6Hutc",
        "12Hutc",
        "1Dutc",
        "3Dutc",
        "1Wutc",
        "1Mutc",
    )
}
PUBLIC_CHANNELS = {"books", "trade", "ticker", *BOOK_DEPTH_CHANNELS, *CANDLE_CHANNELS}
PRIVATE_CHANNELS = {"orders", "fill", "positions", "account", "orders-algo", "positions-history"}
MAX_OUT_QUEUE = 20_000

SubKey = tuple[str, str, str]  # (instType, channel, instId or coin)


class WsConn:
    """One accepted WebSocket connection with its own outbound queue and writer task."""

    def __init__(
        self,
        ws: web.WebSocketResponse,
        kind: str,
        remote: str,
        transport: asyncio.Transport | None = None,
    ) -> None:
        self.ws = ws
        self.kind = kind  # "public" | "private"
        self.remote = remote
        self._transport = transport
        self.subs: dict[SubKey, dict] = {}
        self.api_key: str | None = None
        self.opened = time.monotonic()
        self.last_ping = self.opened
        self.inbound: deque[float] = deque()
        self.subscribe_times: deque[float] = deque()
        self.closed = False
        self._out: deque[bytes] = deque()
        self._wake = asyncio.Event()
        self.writer_task: asyncio.Task | None = None
        self.sent = 0

    @property
    def pending(self) -> int:
        """Return how many frames wait in the outbound queue."""
        return len(self._out)

    def send(self, data: bytes) -> None:
        """Queue one text frame; a consumer too slow to drain the queue is disconnected."""
        if self.closed:
            return
        self._out.append(data)
        if len(self._out) > MAX_OUT_QUEUE:
            _log.warning("closing slow ws consumer %s", self.remote)
            self.abort()
            return
        self._wake.set()

    async def send_now(self, data: bytes) -> None:
        """
        Write one text frame from the calling task (a reply written as soon as it exists, as a
        REST response is); queued behind earlier frames when any are waiting.
        """
        if self._out or self.closed:
            self.send(data)
            return
        try:
            await self.ws.send_frame(data, WSMsgType.TEXT)
            self.sent += 1
        except (ConnectionError, RuntimeError):
            self.abort()

    async def run_writer(self) -> None:
        """Drain the outbound queue into the socket."""
        ws = self.ws
        out = self._out
        try:
            while not self.closed:
                await self._wake.wait()
                self._wake.clear()
                while out and not self.closed:
                    await ws.send_frame(out.popleft(), WSMsgType.TEXT)
                    self.sent += 1
        except (ConnectionError, RuntimeError, asyncio.CancelledError):
            pass

    def abort(self) -> None:
        """Drop the TCP connection without a close frame."""
        self.stop_writer()
        if self._transport is not None:
            self._transport.abort()

    def stop_writer(self) -> None:
        """Mark the connection closed and let its writer task finish."""
        self.closed = True
        self._wake.set()

    async def close(self, code: int = 1000, message: bytes = b"") -> None:
        """Close cleanly with a close frame."""
        if self.closed:
            return
        self.stop_writer()
        try:
            await self.ws.close(code=code, message=message)
        except (ConnectionError, RuntimeError):
            pass


class WsServerBase:
    """Connection handling shared by the public and private sockets."""

    kind = "public"

    def __init__(self, ctx: WsContext) -> None:
        self.ctx = ctx
        self.conns: set[WsConn] = set()
        self.subscribers: dict[SubKey, set[WsConn]] = {}
        self._bg: set[asyncio.Task] = set()

    def _spawn(self, coro: Any) -> None:
        task = asyncio.ensure_future(coro)
        self._bg.add(task)
        task.add_done_callback(self._bg.discard)

    # -- connection lifecycle -------------------------------------------------------------------
    async def handle(self, request: web.Request) -> web.StreamResponse:
        """Serve one WebSocket connection (aiohttp handler)."""
        remote = str(request.remote)
        gate = self.ctx.gate
        if gate is not None:
            # bitget-protocol.md 3.1: connections and connection attempts per IP
            refused = gate.admit(remote, time.monotonic())
            if refused is not None:
                _log.warning("refusing ws connection: %s", refused)
                return web.Response(status=429, text=f"Too many connections: {refused}")
        try:
            ws = web.WebSocketResponse(autoping=True, compress=False, max_msg_size=1 << 20)
            await ws.prepare(request)
            return await self._serve(ws, request, remote)
        finally:
            if gate is not None:
                gate.release(remote)

    async def _serve(
        self, ws: web.WebSocketResponse, request: web.Request, remote: str
    ) -> web.WebSocketResponse:
        conn = WsConn(ws, self.kind, remote, request.transport)
        conn.writer_task = asyncio.create_task(conn.run_writer())
        self.conns.add(conn)
        try:
            async for msg in ws:
                if conn.closed:
                    break
                if msg.type == WSMsgType.TEXT:
                    await self._on_text(conn, msg.data)
                elif msg.type == WSMsgType.BINARY:
                    conn.send(wire.event("error", code=30002, msg="illegal request"))
                else:
                    break
        finally:
            self._forget(conn)
            conn.stop_writer()
            if conn.writer_task is not None:
                conn.writer_task.cancel()
        return ws

    def _forget(self, conn: WsConn) -> None:
        self.conns.discard(conn)
        for key in conn.subs:
            subs = self.subscribers.get(key)
            if subs is not None:
                subs.discard(conn)
                if not subs:
                    del self.subscribers[key]
        conn.subs.clear()

    def drop_all(self, clean: bool) -> int:
        """Close every connection (abort, or clean close frame); return how many."""
        conns = list(self.conns)
        for conn in conns:
            if clean:
                self._spawn(conn.close(1000, b"server forced reconnect"))
            else:
                conn.abort()
        return len(conns)

    def sweep(self, now: float) -> None:
        """Close idle connections (no ``ping``) and connections older than the max age."""
        cfg = self.ctx.config
        for conn in list(self.conns):
            if cfg.ws_idle_timeout_secs and now - conn.last_ping > cfg.ws_idle_timeout_secs:
                self._spawn(conn.close(1000, b"idle"))
            elif cfg.ws_max_age_secs and now - conn.opened > cfg.ws_max_age_secs:
                self._spawn(conn.close(1000, b"server forced reconnect"))

    # -- inbound --------------------------------------------------------------------------------
    async def _on_text(self, conn: WsConn, text: str) -> None:
        now = time.monotonic()
        limit = self.ctx.config.ws_max_msgs_per_sec
        if limit:
            inbound = conn.inbound
            inbound.append(now)
            while inbound and now - inbound[0] > 1.0:
                inbound.popleft()
            if len(inbound) > limit:
                # bitget-protocol.md 3.1: over 10 messages/s -> disconnect
                conn.send(
                    wire.event("error", code=30007, msg="Request over limit,connection close")
                )
                await asyncio.sleep(0.05)
                await conn.close(1008, b"request over limit")
                return
        if text == "ping":
            conn.last_ping = now
            if not self.ctx.faults.pongs_withheld():
                conn.send(b"pong")
            return
        try:
            msg = msgspec.json.decode(text)
        except msgspec.DecodeError:
            conn.send(wire.event("error", code=30002, msg="illegal request"))
            return
        if not isinstance(msg, dict):
            conn.send(wire.event("error", code=30002, msg="illegal request"))
            return
        op = msg.get("op")
        args = msg.get("args")
        if op in ("subscribe", "unsubscribe") and isinstance(args, list):
            if op == "subscribe" and not self._subscribe_allowed(conn, now):
                conn.send(wire.event("error", code=30006, msg="Request too many", op=op))
                return
            for arg in args:
                if op == "subscribe":
                    self._subscribe(conn, arg)
                else:
                    self._unsubscribe(conn, arg)
        elif op == "login" and isinstance(args, list):
            await self._login(conn, args)
        else:
            await self._on_other_op(conn, msg, text)

    async def _on_other_op(self, conn: WsConn, msg: dict, text: str) -> None:
        """Answer an op this socket does not serve (private sockets add ``trade``)."""
        # bitget-protocol.md 8.3: e.g. {"op":"ping"} -> 30002
        conn.send(wire.event("error", code=30002, msg=f"illegal request: {text[:100]}"))

    def _subscribe_allowed(self, conn: WsConn, now: float) -> bool:
        # bitget-protocol.md 3.1: 240 subscribe requests per hour per connection
        limit = self.ctx.config.ws_max_subscribes_per_hour
        if not limit:
            return True
        times = conn.subscribe_times
        while times and now - times[0] > 3600.0:
            times.popleft()
        if len(times) >= limit:
            return False
        times.append(now)
        return True

    async def _login(self, conn: WsConn, args: list) -> None:
        conn.send(wire.event("error", code=30002, msg="login is not supported on public socket"))

    def _arg_error(self, conn: WsConn, arg: Any, code: int, msg: str, op: str) -> None:
        conn.send(wire.event("error", arg, code=code, msg=msg, op=op))

    def _subscribe(self, conn: WsConn, arg: Any) -> None:
        key = self._validate(conn, arg, "subscribe")
        if key is None:
            return
        if key not in conn.subs and len(conn.subs) >= self.ctx.config.ws_max_channels:
            self._arg_error(conn, arg, 30016, "channel limit exceeded", "subscribe")
            return
        conn.subs[key] = arg
        self.subscribers.setdefault(key, set()).add(conn)
        conn.send(wire.event("subscribe", self._echo(key)))
        try:
            self._initial_push(conn, key, arg)
        except Exception:
            _log.exception("initial push failed for %s", key)

    def _unsubscribe(self, conn: WsConn, arg: Any) -> None:
        key = self._validate(conn, arg, "unsubscribe")
        if key is None:
            return
        conn.subs.pop(key, None)
        subs = self.subscribers.get(key)
        if subs is not None:
            subs.discard(conn)
            if not subs:
                del self.subscribers[key]
        conn.send(wire.event("unsubscribe", self._echo(key)))

    def _validate(self, conn: WsConn, arg: Any, op: str) -> SubKey | None:
        raise NotImplementedError

    def _echo(self, key: SubKey) -> dict:
        raise NotImplementedError

    def _initial_push(self, conn: WsConn, key: SubKey, arg: dict) -> None:
        raise NotImplementedError

    def broadcast(self, key: SubKey, data: bytes) -> None:
        """Send ``data`` to every subscriber of ``key``."""
        subs = self.subscribers.get(key)
        if subs:
            for conn in subs:
                conn.send(data)


class PublicWsServer(WsServerBase):
    """The public socket: books, books1/5/15, trade, ticker, candle channels (6.1)."""

    kind = "public"

    def __init__(self, ctx: WsContext) -> None:
        super().__init__(ctx)
        self._dirty_tickers: set[str] = set()
        self._dirty_candles: set[str] = set()
        self._candle_last_ts: dict[tuple[str, str], str] = {}
        # Checksum mode: our own copy of each book, built from the update stream (6.1)
        self._mirrors: dict[str, list] = {}

    def _validate(self, conn: WsConn, arg: Any, op: str) -> SubKey | None:
        if not isinstance(arg, dict):
            self._arg_error(conn, arg, 30016, "Param error", op)
            return None
        inst_type = str(arg.get("instType", "")).upper()
        channel = arg.get("channel")
        inst_id = str(arg.get("instId", "")).upper()
        if channel in PRIVATE_CHANNELS:
            self._arg_error(conn, arg, 30004, "User needs to log in", op)
            return None
        if channel not in PUBLIC_CHANNELS or inst_type not in PRODUCT_TYPES:
            self._arg_error(conn, arg, 30016, "Param error", op)
            return None
        if inst_id not in self.ctx.exchange.markets:
            msg = (
                f"instType:{inst_type},channel:{channel},instId:{inst_id},precision:null "
                "doesn't exist"
            )
            self._arg_error(conn, arg, 30001, msg, op)
            return None
        # bitget-protocol.md 3.3: a real symbol under the wrong instType is acked but delivers
        # nothing
        return (inst_type, channel, inst_id)

    def _echo(self, key: SubKey) -> dict:
        return {"instType": key[0], "channel": key[1], "instId": key[2]}

    def _matches(self, key: SubKey) -> bool:
        spec = self.ctx.exchange.contracts.get(key[2])
        return spec is not None and spec.product_type == key[0]

    def _initial_push(self, conn: WsConn, key: SubKey, arg: dict) -> None:
        if not self._matches(key):
            return
        _, channel, symbol = key
        ex = self.ctx.exchange
        echo = self._echo(key)
        if channel == "books":
            snap = ex.book_snapshot(symbol)
            conn.send(wire.push("snapshot", echo, [self._book_row(snap, snapshot=True)]))
        elif channel in BOOK_DEPTH_CHANNELS:
            snap = ex.book_snapshot(symbol, BOOK_DEPTH_CHANNELS[channel])
            conn.send(wire.push("snapshot", echo, [self._depth_row(snap)]))
        elif channel == "trade":
            trades = ex.recent_trades(symbol, 50)
            conn.send(wire.push("snapshot", echo, [_trade_row(t) for t in trades]))
        elif channel == "ticker":
            conn.send(wire.push("snapshot", echo, [_ticker_row(ex, symbol)]))
        else:
            gran = CANDLE_CHANNELS[channel]
            rows = ex.candles(symbol, gran, limit=100)
            conn.send(wire.push("snapshot", echo, [list(r) for r in rows]))

    # -- book rows ------------------------------------------------------------------------------
    def _book_row(self, msg: BookChanged, snapshot: bool) -> dict:
        row: dict[str, Any] = {
            "asks": [list(lv) for lv in msg.asks],
            "bids": [list(lv) for lv in msg.bids],
            "ts": str(msg.ts),
            "seq": msg.seq,
            "pseq": 0 if snapshot else msg.pseq,
        }
        if self.ctx.config.checksum:
            # bitget-protocol.md 6.1: checksum 0 on snapshots, signed crc32 of the top 25 on updates
            if snapshot:
                row["checksum"] = 0
            else:
                row["checksum"] = self._mirror_checksum(msg.symbol)
        return row

    def _mirror_apply(self, event: BookChanged) -> None:
        mirror = self._mirrors.get(event.symbol)
        if mirror is None or mirror[2] != event.pseq:
            snap = self.ctx.exchange.book_snapshot(event.symbol)
            mirror = [dict(snap.bids), dict(snap.asks), snap.seq]
            self._mirrors[event.symbol] = mirror
            if snap.seq == event.seq:
                return
        bids, asks = mirror[0], mirror[1]
        for price, size in event.bids:
            if _is_zero(size):
                bids.pop(price, None)
            else:
                bids[price] = size
        for price, size in event.asks:
            if _is_zero(size):
                asks.pop(price, None)
            else:
                asks[price] = size
        mirror[2] = event.seq

    def _mirror_checksum(self, symbol: str) -> int:
        mirror = self._mirrors.get(symbol)
        if mirror is None:
            return 0
        bids = sorted(mirror[0].items(), key=lambda lv: -float(lv[0]))[:25]
        asks = sorted(mirror[1].items(), key=lambda lv: float(lv[0]))[:25]
        return wire.book_checksum(bids, asks)

    def _depth_row(self, msg: BookChanged) -> dict:
        row: dict[str, Any] = {
            "asks": [list(lv) for lv in msg.asks],
            "bids": [list(lv) for lv in msg.bids],
            "checksum": 0,
            "ts": str(msg.ts),
            "seq": msg.seq,
            "pseq": 0,
        }
        return row

    # -- exchange events ------------------------------------------------------------------------
    def on_event(self, event: Any) -> None:
        """Route one exchange market event to subscribers."""
        if type(event) is BookChanged:
            self._on_book(event)
        elif type(event) is Trades:
            key = (event.product_type, "trade", event.symbol)
            if key in self.subscribers and event.trades:
                rows = [_trade_row(t) for t in reversed(event.trades)]
                self.broadcast(key, wire.push("update", self._echo(key), rows))
        elif type(event) is TickerChanged:
            self._dirty_tickers.add(event.symbol)
        elif type(event) is CandleUpdated:
            self._dirty_candles.add(event.symbol)

    def _on_book(self, event: BookChanged) -> None:
        symbol = event.symbol
        pt = event.product_type
        faults = self.ctx.faults
        key = (pt, "books", symbol)
        if self.ctx.config.checksum:
            self._mirror_apply(event)
        if key in self.subscribers:
            if faults.skip_seq and faults.take_skip_seq(symbol):
                # The update is lost: the next one's pseq will not match the last seq seen
                pass
            else:
                row = self._book_row(event, snapshot=False)
                if faults.bad_checksum_next and faults.take_bad_checksum(symbol):
                    row["checksum"] = (row.get("checksum") or 0) ^ 0x5A5A5A5
                    if row["checksum"] == 0:
                        row["checksum"] = 1
                self.broadcast(key, wire.push("update", self._echo(key), [row]))
        for channel, depth in BOOK_DEPTH_CHANNELS.items():
            dkey = (pt, channel, symbol)
            if dkey in self.subscribers:
                bids, asks = self.ctx.exchange.book(symbol, depth)
                row = {
                    "asks": [list(lv) for lv in asks],
                    "bids": [list(lv) for lv in bids],
                    "checksum": 0,
                    "ts": str(event.ts),
                    "seq": event.seq,
                    "pseq": 0,
                }
                self.broadcast(dkey, wire.push("snapshot", self._echo(dkey), [row]))

    def flush(self) -> None:
        """Push throttled channels (ticker, candles) that changed since the last flush."""
        ex = self.ctx.exchange
        if self._dirty_tickers:
            for symbol in self._dirty_tickers:
                spec = ex.contracts.get(symbol)
                if spec is None:
                    continue
                key = (spec.product_type, "ticker", symbol)
                if key in self.subscribers:
                    data = [_ticker_row(ex, symbol)]
                    self.broadcast(key, wire.push("snapshot", self._echo(key), data))
            self._dirty_tickers.clear()
        if self._dirty_candles:
            for symbol in self._dirty_candles:
                spec = ex.contracts.get(symbol)
                if spec is None:
                    continue
                for channel, gran in CANDLE_CHANNELS.items():
                    key = (spec.product_type, channel, symbol)
                    if key not in self.subscribers:
                        continue
                    rows = ex.candles(symbol, gran, limit=2)
                    if not rows:
                        continue
                    last_ts = self._candle_last_ts.get((symbol, channel))
                    self._candle_last_ts[(symbol, channel)] = rows[-1][0]
                    # A new candle started: also send the final state of the closed one
                    send = rows if last_ts is not None and last_ts != rows[-1][0] else rows[-1:]
                    candles = [list(r) for r in send]
                    self.broadcast(key, wire.push("update", self._echo(key), candles))
            self._dirty_candles.clear()


def drop_sockets(servers: Iterable[WsServerBase], which: str, clean: bool) -> int:
    """Close the connections of the ``servers`` of kind ``which`` (``public``/``private``/``both``),
    aborting or with a clean close frame; return how many."""
    return sum(srv.drop_all(clean) for srv in servers if which in (srv.kind, "both"))


def _is_zero(size: str) -> bool:
    return not size.strip("0.")


def _trade_row(t: Any) -> dict:
    return {
        "ts": str(t.ts),
        "price": t.price,
        "size": t.size,
        "side": t.side,
        "tradeId": t.trade_id,
    }


def _ticker_row(ex: Any, symbol: str) -> dict:
    t = ex.ticker(symbol)
    spec = ex.contracts[symbol]
    return {
        "instId": symbol,
        "lastPr": t.last_pr,
        "bidPr": t.bid_pr,
        "askPr": t.ask_pr,
        "bidSz": t.bid_sz,
        "askSz": t.ask_sz,
        "open24h": t.open24h,
        "high24h": t.high24h,
        "low24h": t.low24h,
        "change24h": t.change24h,
        "fundingRate": t.funding_rate,
        "nextFundingTime": t.next_funding_time,
        "markPrice": t.mark_price,
        "indexPrice": t.index_price,
        "holdingAmount": t.holding_amount,
        "baseVolume": t.base_volume,
        "quoteVolume": t.quote_volume,
        "openUtc": t.open_utc,
        # bitget-protocol.md 6.1: 1 perpetual, 2 delivery (number in the docs example)
        "symbolType": 1 if spec.symbol_type == "perpetual" else 2,
        "symbol": symbol,
        "deliveryPrice": "0",
        "ts": str(t.ts),
    }
