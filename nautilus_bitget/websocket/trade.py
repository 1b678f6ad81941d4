"""
The trade socket: a dedicated, logged-in private connection for WebSocket order entry.

Requests are written with a fresh ``id`` and the reply carrying that ``id`` completes them
(bitget-protocol.md 3.5, bitget-protocol-uta.md 4.7). A request whose reply does not come (the
socket dropped after the write, or no reply within ``timeout_secs``) fails with
``BitgetTransportError``: its outcome is unknown and it is never re-sent here (the caller resolves
it by clientOid). A request not written because the socket is not open fails with
``TradeSocketDown`` (a ``BitgetTransportError`` too), so the caller may send it over REST instead;
a failed write is an unknown outcome like a lost reply. The venue's trade rate limits are taken
before the write (``TRADE_RATE_LIMITS``).
"""

from __future__ import annotations

import asyncio
import itertools
import os
from collections.abc import Callable
from typing import Any
from typing import Final

import msgspec

from nautilus_bitget.api.trade_ws import WsTradeDialect
from nautilus_bitget.api.trade_ws import WsTradeReply
from nautilus_bitget.common.credentials import BitgetCredentials
from nautilus_bitget.common.errors import BitgetTransportError
from nautilus_bitget.common.errors import error_from_response
from nautilus_bitget.common.ratelimit import RollingWindowLimiter
from nautilus_bitget.websocket.client import BitgetWebSocketClient
from nautilus_bitget.websocket.client import WebSocketNotConnected


# Requests per second per UID of each kind of trade op, as on REST (bitget-protocol.md 7.2,
# bitget-protocol-uta.md 5.1): single place / cancel / modify 10/s, batches 5/s
TRADE_RATE_LIMITS: Final[dict[str, int]] = {"place": 10, "cancel": 10, "modify": 10, "batch": 5}
DEFAULT_TIMEOUT_SECS: Final[float] = 5.0


class TradeSocketDown(BitgetTransportError):
    """The trade socket is not logged in: the request was not sent (safe to send elsewhere)."""


class BitgetTradeSocket:
    """
    One logged-in trade connection; replies matched to requests by ``id``.

    Parameters
    ----------
    url : str
        The family's private socket URL.
    dialect : WsTradeDialect
        The family's trade frames and reply decoder.
    credentials : BitgetCredentials
        The key the socket logs in with.
    timeout_secs : float, default 5.0
        How long a request waits for its reply before its outcome is unknown.
    ping_interval_secs, stale_timeout_secs : float
        As for ``BitgetWebSocketClient``.
    on_bad_input : Callable[[str, Exception], None], optional
        Counts a malformed reply (skipped).
    logger : Logger, optional
        Where connection events go.

    """

    def __init__(
        self,
        url: str,
        dialect: WsTradeDialect,
        credentials: BitgetCredentials | None,
        *,
        timeout_secs: float = DEFAULT_TIMEOUT_SECS,
        ping_interval_secs: float = 25.0,
        stale_timeout_secs: float = 30.0,
        on_bad_input: Callable[[str, Exception], None] | None = None,
        logger: Any = None,
    ) -> None:
        self._dialect = dialect
        self._timeout = timeout_secs
        self._on_bad_input = on_bad_input
        self._pending: dict[str, asyncio.Future[WsTradeReply]] = {}
        # ids unique across reconnects and processes sharing a key (<= 40 chars, 3.5)
        self._prefix = f"n{os.getpid() % 100000}x{id(self) % 10000}t"
        self._seq = itertools.count(1)
        self._limits = {k: RollingWindowLimiter(v) for k, v in TRADE_RATE_LIMITS.items()}
        self._ws = BitgetWebSocketClient(
            url,
            self._on_frame,
            credentials=credentials,
            ping_interval_secs=ping_interval_secs,
            stale_timeout_secs=stale_timeout_secs,
            on_disconnect=self._fail_pending,
            name="bitget-trade",
            logger=logger,
            # orders are paced by the per-UID trade limits (10/s); the public sockets' longer
            # window (subscribe bursts read late) would hold orders back below them
            send_window_secs=1.0,
        )
        self.requests_sent = 0

    def __repr__(self) -> str:
        return f"{type(self).__name__}(url={self._ws.url!r})"

    @property
    def dialect(self) -> WsTradeDialect:
        """The family's trade ops."""
        return self._dialect

    @property
    def is_up(self) -> bool:
        """Whether the socket is open and logged in."""
        return self._ws.is_connected

    @property
    def ws(self) -> BitgetWebSocketClient:
        """The underlying connection (reconnects on its own)."""
        return self._ws

    async def connect(self) -> None:
        """Connect and log in (raises like ``BitgetWebSocketClient.connect``)."""
        await self._ws.connect()

    async def disconnect(self) -> None:
        """Close the socket; requests still waiting fail as unknown outcomes."""
        await self._ws.disconnect()
        self._fail_pending()

    async def request(self, kind: str, build: Callable[[str], str]) -> WsTradeReply:
        """
        Send the frame ``build(id)`` and return its reply.

        Parameters
        ----------
        kind : {"place", "cancel", "modify", "batch"}
            The rate-limit group.
        build : Callable[[str], str]
            Returns the request frame for the request id.

        Returns
        -------
        WsTradeReply
            An accepted request (batch items may still carry failures).

        Raises
        ------
        TradeSocketDown
            If the socket is down: nothing was sent.
        BitgetTransportError
            If the reply did not come: the outcome is unknown.
        BitgetRequestError
            If the venue refused the request (typed by code, as on REST).

        """
        limiter = self._limits[kind]
        if limiter.try_acquire() != 0.0:
            await limiter.acquire()
        if not self._ws.is_connected:
            raise TradeSocketDown("trade socket down", endpoint=self._ws.url)
        req_id = f"{self._prefix}{next(self._seq)}"
        future: asyncio.Future[WsTradeReply] = asyncio.get_running_loop().create_future()
        self._pending[req_id] = future
        try:
            try:
                await self._ws.send(build(req_id))
            except WebSocketNotConnected:
                raise TradeSocketDown("trade socket down", endpoint=self._ws.url) from None
            self.requests_sent += 1
            try:
                reply = await asyncio.wait_for(future, self._timeout)
            except TimeoutError:
                raise BitgetTransportError(
                    f"no trade reply within {self._timeout}s: outcome unknown",
                    endpoint=self._ws.url,
                ) from None
        finally:
            self._pending.pop(req_id, None)
        if not reply.ok:
            raise error_from_response(None, reply.code, reply.msg or "refused", endpoint="ws trade")
        return reply

    # -- replies ------------------------------------------------------------------------------

    def _on_frame(self, raw: bytes) -> None:
        try:
            reply = self._dialect.decode(raw)
        except (msgspec.DecodeError, msgspec.ValidationError) as e:
            if self._on_bad_input is not None:
                self._on_bad_input("trade", e)
            return
        if reply is None:
            return
        future = self._pending.get(reply.id)
        if future is not None and not future.done():
            future.set_result(reply)

    def _fail_pending(self) -> None:
        pending, self._pending = self._pending, {}
        for future in pending.values():
            if not future.done():
                future.set_exception(
                    BitgetTransportError("trade socket dropped mid-request: outcome unknown"),
                )
                # marked retrieved: at a node stop its requester may be cancelled already, and
                # asyncio would log "Future exception was never retrieved"
                future.exception()
