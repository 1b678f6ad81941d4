"""
A pool of Bitget WebSocket clients with at most ``max_channels`` subscriptions each.

bitget-protocol.md 3.1 recommends fewer than 50 channels per connection; the pool opens a new
connection when every open one is full and routes unsubscribes to the connection that owns them.

"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from collections.abc import Callable
from typing import Any

from nautilus_bitget.common.credentials import BitgetCredentials
from nautilus_bitget.common.errors import BitgetConfigError
from nautilus_bitget.common.ratelimit import RollingWindowLimiter
from nautilus_bitget.websocket.client import CONNECT_WINDOW_SECS
from nautilus_bitget.websocket.client import MAX_CONNECTS_PER_WINDOW
from nautilus_bitget.websocket.client import BitgetWebSocketClient
from nautilus_bitget.websocket.client import SubscriptionKey
from nautilus_bitget.websocket.client import subscription_key


DEFAULT_MAX_CHANNELS = 50
# bitget-protocol.md 3.1: at most 100 concurrent connections per IP
DEFAULT_MAX_CONNECTIONS = 100


class BitgetWebSocketPool:
    """
    Shard subscriptions over ``BitgetWebSocketClient`` connections, created lazily.

    Parameters
    ----------
    url : str
        The socket URL of every connection.
    handler : Callable[[bytes], None]
        Called with every text frame except ``pong``, from any connection.
    credentials : BitgetCredentials, optional
        When given, every connection logs in.
    ping_interval_secs : float, default 25.0
        See ``BitgetWebSocketClient``.
    stale_timeout_secs : float, default 30.0
        See ``BitgetWebSocketClient``.
    raw_tap : Callable[[bytes, int], None], optional
        See ``BitgetWebSocketClient``.
    on_reconnect : Callable[[], Awaitable[None]], optional
        Awaited after any connection of the pool reconnected and resubscribed.
    on_disconnect : Callable[[], None], optional
        Called when any connection of the pool drops; ``last_dropped`` is that connection.
    name : str, default "ws"
        Prefix of the connections' names (``name-0``, ``name-1`` ...).
    logger : Logger or logging.Logger, optional
        Nautilus or stdlib logger.
    max_channels : int, default 50
        Most subscriptions on one connection.
    max_connections : int, default 100
        Most connections; subscribing beyond ``max_connections * max_channels`` raises
        ``BitgetConfigError``. Connection attempts (connects and reconnects) are paced to the
        venue's 300 per 5 minutes over the whole pool.

    """

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
        max_channels: int = DEFAULT_MAX_CHANNELS,
        max_connections: int = DEFAULT_MAX_CONNECTIONS,
    ) -> None:
        if max_channels < 1:
            raise ValueError(f"max_channels must be >= 1, was {max_channels}")
        if max_connections < 1:
            raise ValueError(f"max_connections must be >= 1, was {max_connections}")
        self._url = url
        self._client_kwargs: dict[str, Any] = {
            "credentials": credentials,
            "ping_interval_secs": ping_interval_secs,
            "stale_timeout_secs": stale_timeout_secs,
            "raw_tap": raw_tap,
            "on_reconnect": on_reconnect,
            "on_disconnect": on_disconnect,
            "logger": logger or logging.getLogger(__name__),
            "connect_limiter": RollingWindowLimiter(MAX_CONNECTS_PER_WINDOW, CONNECT_WINDOW_SECS),
        }
        self._max_connections = max_connections
        self._handler = handler
        self._name = name
        self._max_channels = max_channels
        self._clients: list[BitgetWebSocketClient] = []
        self._owner: dict[SubscriptionKey, BitgetWebSocketClient] = {}
        self._connected = False
        self._started: set[int] = set()
        self._lock: asyncio.Lock | None = None
        # The connection whose drop ``on_disconnect`` is reporting (the others are unaffected)
        self.last_dropped: BitgetWebSocketClient | None = None

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self._name!r}, clients={len(self._clients)})"

    @property
    def clients(self) -> list[BitgetWebSocketClient]:
        """The pool's connections."""
        return list(self._clients)

    @property
    def is_connected(self) -> bool:
        """Whether the pool is connected and every connection is up."""
        return self._connected and all(c.is_connected for c in self._clients)

    @property
    def subscriptions(self) -> set[SubscriptionKey]:
        """The wanted subscriptions over all connections."""
        return set(self._owner)

    @property
    def reconnect_count(self) -> int:
        """Reconnects summed over all connections."""
        return sum(c.reconnect_count for c in self._clients)

    async def connect(self) -> None:
        """
        Open the first connection (logging in when credentials are set).

        Raises
        ------
        BitgetError
            If the connection or login fails.

        """
        if self._connected:
            return
        self._connected = True
        try:
            if not self._clients:
                self._new_client()
            for client in self._clients:
                self._started.add(id(client))
                await client.connect()
        except BaseException:
            self._connected = False
            raise

    async def subscribe(self, args: list[dict[str, Any]]) -> None:
        """
        Subscribe to ``args``, opening connections as needed.

        Parameters
        ----------
        args : list[dict[str, Any]]
            Subscription args.

        """
        async with self._get_lock():
            plan: dict[int, list[dict[str, Any]]] = {}
            counts = self._channel_counts()
            full: BitgetConfigError | None = None
            for arg in args:
                key = subscription_key(arg)
                if key in self._owner:
                    continue
                try:
                    client = self._client_with_room(counts)
                except BitgetConfigError as e:
                    full = e  # subscribe what fits, then say what did not
                    break
                self._owner[key] = client
                counts[id(client)] = counts.get(id(client), 0) + 1
                plan.setdefault(id(client), []).append(arg)
            new: list[BitgetWebSocketClient] = []
            running: list[tuple[BitgetWebSocketClient, list[dict[str, Any]]]] = []
            for client in list(self._clients):
                batch = plan.get(id(client))
                if not batch:
                    continue
                if self._connected and id(client) not in self._started:
                    await client.subscribe(batch)  # not connected yet: sent on open
                    self._started.add(id(client))
                    new.append(client)
                else:
                    running.append((client, batch))
        # Outside the lock, side by side: new connections open (paced by the connect limiter)
        # and subscribe on open; open ones send in their own message slots
        results = await asyncio.gather(
            *(client.connect() for client in new),
            *(client.subscribe(batch) for client, batch in running),
            return_exceptions=True,
        )
        errors = [r for r in results if isinstance(r, BaseException)]
        if errors:
            raise errors[0]
        if full is not None:
            raise full

    async def unsubscribe(self, args: list[dict[str, Any]]) -> None:
        """
        Unsubscribe from ``args`` on the connections that own them.

        Parameters
        ----------
        args : list[dict[str, Any]]
            Subscription args.

        """
        by_client: dict[int, tuple[BitgetWebSocketClient, list[dict[str, Any]]]] = {}
        for arg in args:
            client = self._owner.pop(subscription_key(arg), None)
            if client is not None:
                by_client.setdefault(id(client), (client, []))[1].append(arg)
        for client, batch in by_client.values():
            await client.unsubscribe(batch)

    async def resubscribe(self, args: list[dict[str, Any]]) -> None:
        """
        Unsubscribe and subscribe ``args`` again on their connections (fresh snapshots).

        Parameters
        ----------
        args : list[dict[str, Any]]
            Subscription args.

        """
        by_client: dict[int, tuple[BitgetWebSocketClient, list[dict[str, Any]]]] = {}
        unknown = []
        for arg in args:
            client = self._owner.get(subscription_key(arg))
            if client is None:
                unknown.append(arg)
            else:
                by_client.setdefault(id(client), (client, []))[1].append(arg)
        for client, batch in by_client.values():
            await client.resubscribe(batch)
        if unknown:
            await self.subscribe(unknown)

    async def disconnect(self) -> None:
        """Disconnect every connection."""
        self._connected = False
        self._started.clear()
        await asyncio.gather(*(c.disconnect() for c in self._clients), return_exceptions=True)

    def _get_lock(self) -> asyncio.Lock:
        if self._lock is None:
            self._lock = asyncio.Lock()
        return self._lock

    def _new_client(self) -> BitgetWebSocketClient:
        kwargs = dict(self._client_kwargs)
        on_disconnect = kwargs.pop("on_disconnect")
        if on_disconnect is not None:
            holder: list[BitgetWebSocketClient] = []

            def dropped() -> None:
                self.last_dropped = holder[0]
                on_disconnect()

            kwargs["on_disconnect"] = dropped
        client = BitgetWebSocketClient(
            self._url,
            self._handler,
            name=f"{self._name}-{len(self._clients)}",
            **kwargs,
        )
        if on_disconnect is not None:
            holder.append(client)
        self._clients.append(client)
        return client

    def subscriptions_of(self, client: BitgetWebSocketClient) -> set[SubscriptionKey]:
        """
        Return the subscriptions the pool routed to ``client``.

        Parameters
        ----------
        client : BitgetWebSocketClient
            One of the pool's connections (e.g. ``last_dropped``).

        Returns
        -------
        set[SubscriptionKey]

        """
        return {key for key, owner in self._owner.items() if owner is client}

    def _client_with_room(self, counts: dict[int, int]) -> BitgetWebSocketClient:
        for client in self._clients:
            if counts.get(id(client), 0) < self._max_channels:
                return client
        if len(self._clients) >= self._max_connections:
            raise BitgetConfigError(
                f"{self._name}: more than {self._max_connections * self._max_channels} channels "
                f"would need more than {self._max_connections} connections "
                f"({self._max_channels} channels each; Bitget allows {DEFAULT_MAX_CONNECTIONS} "
                "per IP): subscribe to fewer instruments or split them with `record --shard I/N` "
                "over machines",
            )
        return self._new_client()

    def _channel_counts(self) -> dict[int, int]:
        counts: dict[int, int] = {}
        for client in self._owner.values():
            counts[id(client)] = counts.get(id(client), 0) + 1
        return counts
