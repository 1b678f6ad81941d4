"""
The Bitget WebSocket client: connect, login, text ping/pong, subscribe, reconnect, raw tap.

The set of wanted subscriptions is the source of truth: every (re)connection logs in again and
subscribes to exactly what is still wanted. Knows nothing of Nautilus objects.

"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable
from collections.abc import Callable
from collections.abc import Coroutine
from typing import Any
from typing import Final
from typing import Literal

import aiohttp
import msgspec

from nautilus_bitget.common.backoff import backoff_secs
from nautilus_bitget.common.credentials import BitgetCredentials
from nautilus_bitget.common.errors import BitgetAuthenticationError
from nautilus_bitget.common.errors import BitgetTransportError
from nautilus_bitget.common.errors import error_from_response
from nautilus_bitget.common.ratelimit import RollingWindowLimiter
from nautilus_bitget.http.signing import sign_ws_login


# bitget-protocol.md 3.1: literal text frames, not JSON
PING: Final[str] = "ping"
PONG: Final[bytes] = b"pong"
# bitget-protocol.md 3.1: at most 10 outgoing messages per second per connection, pings included
MAX_MESSAGES_PER_SEC: Final[int] = 10
# The venue counts messages when it reads them: a burst it reads late (a busy gateway, network
# jitter) lands closer to the next one than we sent it, so our window is longer than its second
SEND_WINDOW_SECS: Final[float] = 1.25
# bitget-protocol.md 3.1: at most 300 connection attempts per IP in 5 minutes
MAX_CONNECTS_PER_WINDOW: Final[int] = 300
CONNECT_WINDOW_SECS: Final[float] = 300.0
# bitget-protocol.md 3.1: total length of the args of one subscribe request <= 4096 bytes
MAX_ARGS_BYTES: Final[int] = 4096
# bitget-protocol.md 3.2: login ack code is "0" in the docs, numeric 0 live
_LOGIN_OK_CODES: Final[frozenset[str]] = frozenset({"0", "00000"})

RECONNECT_DELAY_INITIAL_SECS: Final[float] = 0.25
RECONNECT_DELAY_MAX_SECS: Final[float] = 30.0
LOGIN_TIMEOUT_SECS: Final[float] = 10.0
CLOSE_TIMEOUT_SECS: Final[float] = 2.0
CONNECT_TIMEOUT_SECS: Final[float] = 10.0

SubscriptionKey = tuple[tuple[str, str], ...]


class WebSocketNotConnected(BitgetTransportError):
    """A send on a socket that is not open: nothing was written."""


class _Event(msgspec.Struct, frozen=True):
    event: str | None = None
    code: str | int | None = None
    msg: str | None = None


_EVENT_DECODER: Final = msgspec.json.Decoder(_Event)


def subscription_key(arg: dict[str, Any]) -> SubscriptionKey:
    """
    Return the hashable identity of a subscription arg (its items, sorted).

    Parameters
    ----------
    arg : dict[str, Any]
        e.g. ``{"instType": "USDT-FUTURES", "channel": "books", "instId": "BTCUSDT"}``.

    Returns
    -------
    tuple[tuple[str, str], ...]

    """
    return tuple(sorted((str(k), str(v)) for k, v in arg.items()))


def batch_args(args: list[dict[str, Any]], max_bytes: int = MAX_ARGS_BYTES) -> list[list[dict]]:
    """
    Split subscription args into batches whose JSON ``args`` array is at most ``max_bytes``.

    Parameters
    ----------
    args : list[dict[str, Any]]
        The args.
    max_bytes : int, default 4096
        The size limit of one request's encoded args (bitget-protocol.md 3.1).

    Returns
    -------
    list[list[dict]]

    """
    batches: list[list[dict]] = []
    current: list[dict] = []
    size = 2  # the brackets
    for arg in args:
        arg_size = len(msgspec.json.encode(arg))
        extra = arg_size + (1 if current else 0)
        if current and size + extra > max_bytes:
            batches.append(current)
            current, size = [], 2
            extra = arg_size
        current.append(arg)
        size += extra
    if current:
        batches.append(current)
    return batches


class BitgetWebSocketClient:
    """
    One Bitget WebSocket connection, kept alive and resubscribed across reconnects.

    Parameters
    ----------
    url : str
        ``wss://ws.bitget.com/v2/ws/public`` or ``.../private`` (or a simulator URL).
    handler : Callable[[bytes], None]
        Called synchronously with every text frame except ``pong``.
    credentials : BitgetCredentials, optional
        When given, every connection logs in before subscribing (private socket).
    ping_interval_secs : float, default 25.0
        Interval of the text ``ping`` (bitget-protocol.md 3.1).
    stale_timeout_secs : float, default 30.0
        Reconnect when nothing arrived, or a ``ping`` went unanswered, for this long.
    raw_tap : Callable[[bytes, int], None], optional
        Called with every received frame and its local receive time (ns), before ``handler``.
    on_reconnect : Callable[[], Awaitable[None]], optional
        Awaited after a reconnect, once logged in and resubscribed.
    on_disconnect : Callable[[], None], optional
        Called when an established connection drops (not on ``disconnect``).
    name : str, default "ws"
        Name used in log lines.
    logger : Logger or logging.Logger, optional
        Nautilus or stdlib logger; defaults to ``logging.getLogger(__name__)``.
    connect_limiter : RollingWindowLimiter, optional
        Paces connection attempts (connects and reconnects); a pool shares one over its
        connections (bitget-protocol.md 3.1: 300 per IP in 5 minutes).
    send_window_secs : float, default 1.25
        The window of the 10 outgoing messages (bitget-protocol.md 3.1); longer than the venue's
        second for subscribe bursts the venue may read late.

    """

    reconnect_delay_initial_secs: float = RECONNECT_DELAY_INITIAL_SECS
    reconnect_delay_max_secs: float = RECONNECT_DELAY_MAX_SECS

    def __init__(
        self,
        url: str,
        handler: Callable[[bytes], None],
        *,
        credentials: BitgetCredentials | None = None,
        ping_interval_secs: float = 25.0,
        stale_timeout_secs: float = 30.0,
        raw_tap: Callable[[bytes, int], None] | None = None,
        on_reconnect: Callable[[], Awaitable[None]] | None = None,
        on_disconnect: Callable[[], None] | None = None,
        name: str = "ws",
        logger: Any = None,
        connect_limiter: RollingWindowLimiter | None = None,
        send_window_secs: float = SEND_WINDOW_SECS,
    ) -> None:
        if ping_interval_secs <= 0:
            raise ValueError(f"ping_interval_secs must be > 0, was {ping_interval_secs}")
        if stale_timeout_secs <= 0:
            raise ValueError(f"stale_timeout_secs must be > 0, was {stale_timeout_secs}")
        self._url = url
        self._handler = handler
        self._credentials = credentials
        self._ping_interval = ping_interval_secs
        self._stale_timeout = stale_timeout_secs
        self._raw_tap = raw_tap
        self._on_reconnect = on_reconnect
        self._on_disconnect = on_disconnect
        self._name = name
        self._log = logger or logging.getLogger(__name__)
        self._connect_limiter = connect_limiter
        self._sync_lock: asyncio.Lock | None = None

        self._wanted: dict[SubscriptionKey, dict[str, Any]] = {}
        self._conn_subscribed: set[SubscriptionKey] = set()
        self._session: aiohttp.ClientSession | None = None
        self._ws: aiohttp.ClientWebSocketResponse[Literal[False]] | None = None
        self._reader: asyncio.Task | None = None
        self._tasks: set[asyncio.Task] = set()
        self._send_window_secs = send_window_secs
        self._send_limiter = RollingWindowLimiter(MAX_MESSAGES_PER_SEC, send_window_secs)
        self._login_waiter: asyncio.Future | None = None
        self._ready = False
        self._running = False
        self._last_recv = 0.0
        self._last_ping = 0.0
        # When the oldest unanswered ``ping`` was sent (None: every ping answered)
        self._ping_unanswered_since: float | None = None
        self._handler_errors_seen: set[type] = set()
        self._closing_reason: str | None = None
        self.reconnect_count: int = 0
        # Why the last connection was lost: "stale" (nothing received / no pong within
        # stale_timeout_secs, closed by us) or "disconnect" (closed or dropped by the peer)
        self.last_disconnect_reason: str | None = None
        self.last_disconnect_ns: int = 0

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self._name!r}, url={self._url!r})"

    @property
    def url(self) -> str:
        """The socket URL."""
        return self._url

    @property
    def is_connected(self) -> bool:
        """Whether the socket is open and (for private sockets) logged in."""
        return self._ready and self._ws is not None and not self._ws.closed

    @property
    def subscriptions(self) -> set[SubscriptionKey]:
        """The wanted subscriptions, as ``subscription_key(arg)`` tuples."""
        return set(self._wanted)

    @property
    def subscribed_args(self) -> list[dict[str, Any]]:
        """The wanted subscription args."""
        return list(self._wanted.values())

    # -- public API ---------------------------------------------------------------------------

    async def connect(self) -> None:
        """
        Connect, log in (when credentials are set) and subscribe to the wanted args.

        Raises
        ------
        BitgetAuthenticationError
            If the venue rejects the login.
        BitgetTransportError
            If the socket cannot be opened or the login is not acknowledged in time.

        """
        if self._running:
            return
        self._running = True
        try:
            await self._open()
        except BaseException:
            self._running = False
            await self._close_ws()
            await self._close_session()
            raise
        self._spawn(self._supervise(), "supervise")
        self._spawn(self._heartbeat(), "heartbeat")

    async def subscribe(self, args: list[dict[str, Any]]) -> None:
        """
        Subscribe to ``args`` now (when connected) and after every reconnect.

        Parameters
        ----------
        args : list[dict[str, Any]]
            e.g. ``[{"instType": "USDT-FUTURES", "channel": "books", "instId": "BTCUSDT"}]``.

        """
        for arg in args:
            self._wanted.setdefault(subscription_key(arg), dict(arg))
        if self._ready:
            try:
                await self._sync_subscriptions()
            except BitgetTransportError as e:
                # Still wanted: the reconnect subscribes it
                self._log.debug(f"{self._name}: subscribe deferred to reconnect: {e}")

    async def unsubscribe(self, args: list[dict[str, Any]]) -> None:
        """
        Unsubscribe from ``args`` and stop resubscribing them after reconnects.

        Parameters
        ----------
        args : list[dict[str, Any]]
            The args as given to ``subscribe``.

        """
        to_send = []
        for arg in args:
            key = subscription_key(arg)
            self._wanted.pop(key, None)
            if key in self._conn_subscribed:
                self._conn_subscribed.discard(key)
                to_send.append(dict(arg))
        if to_send and self._ready:
            try:
                await self._send_op("unsubscribe", to_send)
            except BitgetTransportError as e:
                # No longer wanted: the reconnect does not subscribe it again
                self._log.debug(f"{self._name}: unsubscribe not sent: {e}")

    async def resubscribe(self, args: list[dict[str, Any]]) -> None:
        """
        Unsubscribe and subscribe ``args`` again, so the venue sends a fresh snapshot.

        Parameters
        ----------
        args : list[dict[str, Any]]
            The args.

        """
        await self.unsubscribe(args)
        await self.subscribe(args)

    async def disconnect(self) -> None:
        """Stop reconnecting, cancel every task and close the socket and the session."""
        self._running = False
        self._ready = False
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await self._close_ws()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        self._tasks.clear()
        self._conn_subscribed.clear()
        await self._close_session()

    # -- connection ---------------------------------------------------------------------------

    def _spawn(self, coro: Coroutine[Any, Any, Any], name: str) -> asyncio.Task:
        task = asyncio.get_running_loop().create_task(coro, name=f"{self._name}-{name}")
        self._tasks.add(task)
        task.add_done_callback(self._on_task_done)
        return task

    def _on_task_done(self, task: asyncio.Task) -> None:
        self._tasks.discard(task)
        if task.cancelled():
            return
        exc = task.exception()
        if exc is not None:
            self._log.error(f"{self._name}: task {task.get_name()} failed: {exc!r}")

    async def _open(self) -> None:
        if self._session is None or self._session.closed:
            # No total timeout: it would bound the socket's life; only the handshake is bounded
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=None, connect=CONNECT_TIMEOUT_SECS),
            )
        self._ready = False
        self._closing_reason = None
        self._conn_subscribed.clear()
        self._send_limiter = RollingWindowLimiter(MAX_MESSAGES_PER_SEC, self._send_window_secs)
        if self._connect_limiter is not None:
            await self._connect_limiter.acquire()
        try:
            ws = await self._session.ws_connect(
                self._url,
                decode_text=False,
                autoping=True,
                timeout=aiohttp.ClientWSTimeout(ws_receive=None, ws_close=CLOSE_TIMEOUT_SECS),
                max_msg_size=0,
            )
        except (aiohttp.ClientError, TimeoutError, OSError) as e:
            raise BitgetTransportError(
                f"cannot connect websocket: {type(e).__name__}: {e}", endpoint=self._url
            ) from None
        self._ws = ws
        now = time.monotonic()
        self._last_recv = now
        self._last_ping = now
        self._ping_unanswered_since = None
        self._reader = self._spawn(self._read_loop(ws), "reader")
        if self._credentials is not None:
            await self._login()
        await self._sync_subscriptions()
        self._ready = True

    async def _login(self) -> None:
        credentials = self._credentials
        assert credentials is not None
        # bitget-protocol.md 3.2: seconds timestamp; the signature covers ts + "GET" +
        # "/user/verify"
        timestamp = str(int(time.time()))
        message = msgspec.json.encode(
            {
                "op": "login",
                "args": [
                    {
                        "apiKey": credentials.api_key,
                        "passphrase": credentials.api_passphrase,
                        "timestamp": timestamp,
                        "sign": sign_ws_login(credentials.api_secret, timestamp),
                    },
                ],
            },
        ).decode()
        waiter: asyncio.Future[_Event] = asyncio.get_running_loop().create_future()
        self._login_waiter = waiter
        try:
            await self._send(message)
            reader = self._reader
            assert reader is not None
            done, _ = await asyncio.wait(
                {waiter, reader},
                timeout=LOGIN_TIMEOUT_SECS,
                return_when=asyncio.FIRST_COMPLETED,
            )
            if waiter not in done:
                raise BitgetTransportError("websocket login not acknowledged", endpoint=self._url)
            event = waiter.result()
        finally:
            self._login_waiter = None
            if not waiter.done():
                waiter.cancel()
        code = "" if event.code is None else str(event.code)
        if event.event == "login" and code in _LOGIN_OK_CODES:
            return
        error = error_from_response(None, code or None, event.msg or "login failed", self._url)
        if not isinstance(error, BitgetAuthenticationError):
            error = BitgetAuthenticationError(error.message, code=error.code, endpoint=self._url)
        raise error

    async def _close_ws(self) -> None:
        ws, self._ws = self._ws, None
        if ws is not None and not ws.closed:
            try:
                await ws.close()
            except Exception as e:
                self._log.debug(f"{self._name}: error closing socket: {e!r}")

    async def _close_session(self) -> None:
        session, self._session = self._session, None
        if session is not None and not session.closed:
            await session.close()

    async def _supervise(self) -> None:
        while self._running:
            reader = self._reader
            if reader is not None:
                await asyncio.wait({reader})
            if not self._running:
                return
            self._ready = False
            self.last_disconnect_reason = self._closing_reason or "disconnect"
            self.last_disconnect_ns = time.time_ns()
            self._closing_reason = None
            await self._close_ws()
            self._log.warning(f"{self._name}: connection lost, reconnecting")
            if self._on_disconnect is not None:
                try:
                    self._on_disconnect()
                except Exception as e:
                    self._log.error(f"{self._name}: on_disconnect failed: {e!r}")
            await self._reconnect()

    async def _reconnect(self) -> None:
        attempt = 0
        while self._running:
            attempt += 1
            await asyncio.sleep(
                backoff_secs(
                    attempt,
                    self.reconnect_delay_initial_secs,
                    self.reconnect_delay_max_secs,
                ),
            )
            try:
                await self._open()
            except Exception as e:
                # Login rejections too: retry with backoff (only the first connect raises)
                self._log.warning(f"{self._name}: reconnect failed: {e}")
                await self._close_ws()
                continue
            self.reconnect_count += 1
            self._log.info(
                f"{self._name}: reconnected ({self.reconnect_count}), "
                f"{len(self._conn_subscribed)} subscriptions restored",
            )
            if self._on_reconnect is not None:
                try:
                    await self._on_reconnect()
                except Exception as e:
                    self._log.error(f"{self._name}: on_reconnect failed: {e!r}")
            return

    async def _heartbeat(self) -> None:
        tick = min(self._ping_interval, self._stale_timeout, 4.0) / 4
        while self._running:
            await asyncio.sleep(tick)
            ws = self._ws
            if ws is None or ws.closed or not self._ready:
                continue
            now = time.monotonic()
            if now - self._last_recv > self._stale_timeout:
                # A silent feed, or a server that stopped answering pings: force a reconnect
                self._log.warning(
                    f"{self._name}: nothing received for {now - self._last_recv:.1f}s, "
                    "reconnecting",
                )
                self._ready = False
                self._closing_reason = "stale"
                await self._close_ws()
                continue
            unanswered = self._ping_unanswered_since
            if unanswered is not None and now - unanswered > self._stale_timeout:
                # bitget-protocol.md 3.1: `pong` is the liveness signal; data may still flow on a
                # connection the venue is about to drop, so a withheld pong forces a reconnect
                self._log.warning(
                    f"{self._name}: no pong for {now - unanswered:.1f}s, reconnecting",
                )
                self._ready = False
                self._closing_reason = "stale"
                await self._close_ws()
                continue
            if now - self._last_ping >= self._ping_interval:
                self._last_ping = now
                if self._ping_unanswered_since is None:
                    self._ping_unanswered_since = now
                try:
                    await self._send(PING)
                except BitgetTransportError as e:
                    self._log.debug(f"{self._name}: ping not sent: {e}")

    async def _read_loop(self, ws: aiohttp.ClientWebSocketResponse[Literal[False]]) -> None:
        tap = self._raw_tap
        async for msg in ws:
            if msg.type is aiohttp.WSMsgType.TEXT or msg.type is aiohttp.WSMsgType.BINARY:
                data = msg.data if isinstance(msg.data, bytes) else msg.data.encode()
                ts = time.time_ns()
                self._last_recv = time.monotonic()
                if tap is not None:
                    try:
                        tap(data, ts)
                    except Exception as e:
                        self._report_handler_error(e, "raw_tap")
                if data == PONG:
                    self._ping_unanswered_since = None
                    continue
                waiter = self._login_waiter
                if waiter is not None and not waiter.done() and b'"event"' in data:
                    self._check_login_ack(data, waiter)
                try:
                    self._handler(data)
                except Exception as e:
                    self._report_handler_error(e, "handler")
            elif msg.type is aiohttp.WSMsgType.ERROR:
                self._log.warning(f"{self._name}: socket error: {ws.exception()!r}")
                break
        self._log.debug(f"{self._name}: reader stopped (close code {ws.close_code})")

    def _check_login_ack(self, data: bytes, waiter: asyncio.Future) -> None:
        try:
            event = _EVENT_DECODER.decode(data)
        except (msgspec.DecodeError, msgspec.ValidationError):
            return
        if event.event in ("login", "error"):
            waiter.set_result(event)

    def _report_handler_error(self, error: Exception, where: str) -> None:
        kind = type(error)
        if kind in self._handler_errors_seen:
            return
        self._handler_errors_seen.add(kind)
        self._log.error(f"{self._name}: {where} raised {error!r} (further {kind.__name__} muted)")

    # -- sending ------------------------------------------------------------------------------

    async def send(self, text: str) -> None:
        """
        Send one text frame (within the per-connection message limit, bitget-protocol.md 3.1).

        Raises
        ------
        WebSocketNotConnected
            If the socket is not open (nothing was written).
        BitgetTransportError
            If the write fails.

        """
        await self._send(text)

    async def _sync_subscriptions(self) -> None:
        # Wait for a send slot first, then take everything wanted by then: args requested while
        # the connection is at its message limit go out together (bitget-protocol.md 3.1).
        # Callers queue on the lock: the first sends what all of them want, the rest find
        # nothing missing and take no slot. Marked before the send awaits.
        if self._sync_lock is None:
            self._sync_lock = asyncio.Lock()
        async with self._sync_lock:
            while any(k not in self._conn_subscribed for k in self._wanted):
                await self._send_limiter.acquire()
                missing = [k for k in self._wanted if k not in self._conn_subscribed]
                self._conn_subscribed.update(missing)
                batches = batch_args([self._wanted[k] for k in missing])
                for i, batch in enumerate(batches):
                    text = msgspec.json.encode({"op": "subscribe", "args": batch}).decode()
                    await self._send(text, slot_taken=i == 0)

    async def _send_op(self, op: str, args: list[dict[str, Any]]) -> None:
        for batch in batch_args(args):
            await self._send(msgspec.json.encode({"op": op, "args": batch}).decode())

    async def _send(self, text: str, slot_taken: bool = False) -> None:
        if not slot_taken and self._send_limiter.try_acquire() != 0.0:
            await self._send_limiter.acquire()
        ws = self._ws
        if ws is None or ws.closed:
            raise WebSocketNotConnected("websocket not connected", endpoint=self._url)
        try:
            await ws.send_str(text)
        except (aiohttp.ClientError, ConnectionError, RuntimeError) as e:
            raise BitgetTransportError(
                f"websocket send failed: {e!r}", endpoint=self._url
            ) from None
