"""
``SubscriptionBook``: what the data client is subscribed to, as one reference count.

One ``Counter`` keyed by ``Sub(kind, channel, symbol)`` holds every wanted stream. The rest is
derived from it: the socket subscriptions (the distinct ``(channel, symbol)`` pairs, synced by
``sync`` after every change and after a reconnect), which kinds a shared channel is parsed into
(``ticker`` -> mark, index, funding, quotes) and which statuses are polled. Per-kind state (book
integrity, trade de-duplication, candle closers, last statuses) belongs to the collaborator that
reads the stream: ``acquire`` calls its ``setup(sub)`` with the first reference and ``release``
its ``teardown(sub)`` with the last.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from collections.abc import Mapping
from typing import NamedTuple

from nautilus_trader.common.component import Logger
from nautilus_trader.model.data import BarType
from nautilus_trader.model.enums import PriceType
from nautilus_trader.model.identifiers import InstrumentId
from nautilus_trader.model.instruments import Instrument

from nautilus_bitget.api.streams import StreamDialect
from nautilus_bitget.api.streams import UnsupportedIntervalError
from nautilus_bitget.common.symbol import symbol_from_instrument_id
from nautilus_bitget.constants import BitgetProductType
from nautilus_bitget.data.stats import BitgetDataStats
from nautilus_bitget.parsing.bars import BitgetBarSpecError
from nautilus_bitget.parsing.bars import bar_spec_to_interval
from nautilus_bitget.parsing.bars import validate_external
from nautilus_bitget.websocket.client import SubscriptionKey
from nautilus_bitget.websocket.client import subscription_key
from nautilus_bitget.websocket.pool import BitgetWebSocketPool


# Data kinds of a subscription (``Sub.kind``)
DELTAS = "deltas"
DEPTH = "depth"
QUOTES = "quotes"
TRADES = "trades"
MARK = "mark"
INDEX = "index"
FUNDING = "funding"
BARS = "bars"
STATUS = "status"  # polled over REST: no socket channel


class Sub(NamedTuple):
    """
    One wanted data stream, the unit the data client reference-counts.

    Parameters
    ----------
    kind : str
        The data kind (``DELTAS``, ``QUOTES``, ``MARK`` ...).
    channel : str
        The socket channel carrying it (``""`` for REST-polled kinds).
    symbol : str
        The Bitget symbol.

    """

    kind: str
    channel: str
    symbol: str


# Called with the ``Sub`` gaining its first or losing its last reference
SubHook = Callable[[Sub], None]


class SubscriptionBook:
    """
    The reference count of wanted streams and the public socket subscriptions derived from it.

    Parameters
    ----------
    streams : StreamDialect
        The public stream dialect of the API family (channel names, subscription args).
    ws : BitgetWebSocketPool
        The public socket.
    product_type_for : Callable[[str], BitgetProductType]
        The product type of a symbol (the provider's).
    require : Callable[[InstrumentId], Instrument]
        Return a loaded instrument or raise ``ValueError`` (unknown instruments fail fast).
    quotes_from_ticker : bool
        Quotes from ``ticker`` rather than the book top (``config.quote_channel``).
    stats : BitgetDataStats
        The client's counters (``reconnects``).
    log : Logger
        The client's logger.

    """

    __slots__ = (
        "_channels",
        "_dirty",
        "_log",
        "_product_type_for",
        "_require",
        "_stats",
        "_streams",
        "_subs",
        "_sync_lock",
        "_ws",
    )

    def __init__(
        self,
        streams: StreamDialect,
        ws: BitgetWebSocketPool,
        product_type_for: Callable[[str], BitgetProductType],
        require: Callable[[InstrumentId], Instrument],
        quotes_from_ticker: bool,
        stats: BitgetDataStats,
        log: Logger,
    ) -> None:
        self._streams = streams
        self._ws = ws
        self._product_type_for = product_type_for
        self._require = require
        self._stats = stats
        self._log = log
        self._subs: Counter[Sub] = Counter()
        self._dirty = False
        self._sync_lock: asyncio.Lock | None = None
        # The channel of each kind but bars (one channel per interval, ``candle_channel``)
        self._channels = {
            DELTAS: streams.books,
            DEPTH: streams.depth,
            QUOTES: streams.ticker if quotes_from_ticker else streams.quotes,
            TRADES: streams.trades,
            MARK: streams.ticker,
            INDEX: streams.ticker,
            FUNDING: streams.ticker,
            STATUS: "",
        }

    @property
    def wanted(self) -> Mapping[Sub, int]:
        """Every wanted stream with its reference count (read only: change it by ``acquire``)."""
        return self._subs

    @property
    def connected(self) -> bool:
        """Whether the public socket is up."""
        return self._ws.is_connected

    def channel(self, kind: str) -> str:
        """Return the socket channel carrying ``kind`` (any kind but ``BARS``)."""
        return self._channels[kind]

    def candle_channel(self, bar_type: BarType) -> str:
        """
        Return the candle channel of ``bar_type``.

        Raises
        ------
        BitgetBarSpecError
            If the bar type has no candle channel (not EXTERNAL, not LAST, unsupported interval).

        """
        validate_external(bar_type)
        if bar_type.spec.price_type != PriceType.LAST:
            raise BitgetBarSpecError(
                f"bar type {bar_type}: Bitget candle channels are LAST (market) only; "
                "MARK/index candles are available through request_bars",
            )
        interval = bar_spec_to_interval(bar_type.spec, websocket=True)
        try:
            return self._streams.candle_channel(interval)
        except UnsupportedIntervalError as e:
            raise BitgetBarSpecError(f"bar type {bar_type}: {e}") from None

    async def acquire(
        self,
        kind: str,
        instrument_id: InstrumentId,
        setup: SubHook | None = None,
        channel: str | None = None,
    ) -> None:
        """
        Add a reference to ``kind`` of ``instrument_id`` and sync the socket.

        Parameters
        ----------
        kind : str
            The data kind.
        instrument_id : InstrumentId
            The instrument.
        setup : Callable[[Sub], None], optional
            Called with the first reference, before the socket is asked (frames may arrive
            while the request is sent).
        channel : str, optional
            The channel (``channel(kind)`` by default; ``candle_channel`` for bars).

        Raises
        ------
        ValueError
            If the instrument is not loaded.

        """
        self._require(instrument_id)  # fail fast on unknown instruments
        sub = self._sub(kind, instrument_id, channel)
        if sub not in self._subs and setup is not None:
            setup(sub)
        self._subs[sub] += 1
        await self.sync()

    async def release(
        self,
        kind: str,
        instrument_id: InstrumentId,
        teardown: SubHook | None = None,
        channel: str | None = None,
    ) -> None:
        """Drop a reference to ``kind`` of ``instrument_id``; ``teardown(sub)`` on the last."""
        sub = self._sub(kind, instrument_id, channel)
        if sub not in self._subs:
            return
        self._subs[sub] -= 1
        if self._subs[sub] > 0:
            return
        del self._subs[sub]
        if teardown is not None:
            teardown(sub)
        await self.sync()

    def _sub(self, kind: str, instrument_id: InstrumentId, channel: str | None) -> Sub:
        channel = self._channels[kind] if channel is None else channel
        return Sub(kind, channel, symbol_from_instrument_id(instrument_id))

    def symbols(self, kind: str) -> set[str]:
        """Return the symbols with a reference to ``kind``."""
        return {sub.symbol for sub in self._subs if sub.kind == kind}

    def arg(self, channel: str, symbol: str) -> dict[str, str]:
        """Return the socket subscription arg of ``channel`` for ``symbol``."""
        return self._streams.arg(channel, symbol, self._product_type_for(symbol))

    def wanted_args(self) -> list[dict[str, str]]:
        """Return the socket subscriptions the reference count asks for."""
        pairs = {(sub.channel, sub.symbol) for sub in self._subs if sub.channel}
        return [self.arg(channel, symbol) for channel, symbol in sorted(pairs)]

    def symbols_on(self, keys: set[SubscriptionKey]) -> set[str]:
        """Return the symbols of the wanted streams whose socket subscription is in ``keys``."""
        return {
            sub.symbol
            for sub in self._subs
            if sub.channel and subscription_key(self.arg(sub.channel, sub.symbol)) in keys
        }

    async def sync(self) -> None:
        """
        Subscribe and unsubscribe so the socket carries exactly ``wanted_args``.

        Concurrent calls coalesce: a call that finds a sync in flight waits for it and then
        syncs once more only if the reference count changed since that sync began (subscribing
        a whole venue is a few diffs, not one per stream).
        """
        self._dirty = True
        if self._sync_lock is None:
            self._sync_lock = asyncio.Lock()
        async with self._sync_lock:
            if not self._dirty:
                return  # a sync that began after our change covered it
            self._dirty = False
            wanted = {subscription_key(arg): arg for arg in self.wanted_args()}
            have = self._ws.subscriptions
            extra = [dict(key) for key in sorted(have - wanted.keys())]
            missing = [wanted[key] for key in sorted(wanted.keys() - have)]
            if extra:
                await self._ws.unsubscribe(extra)
            if missing:
                await self._ws.subscribe(missing)

    async def resubscribe(self, sub: Sub) -> None:
        """Unsubscribe and subscribe the channel of ``sub`` again (for a fresh snapshot)."""
        await self._ws.resubscribe([self.arg(sub.channel, sub.symbol)])

    async def on_reconnect(self) -> None:
        """Make the reconnected socket carry what the reference count asks for."""
        self._stats.reconnects += 1
        self._log.info("Public socket reconnected: books restart from fresh snapshots")
        # The connection restored what it carried; make it what the reference count asks for
        await self.sync()
