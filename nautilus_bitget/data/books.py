"""
``BookSync``: order book integrity of the ``books`` stream: seq/pseq chain and checksum checks,
resync by resubscribing, gap announcements on ``GAP_TOPIC``, the socket dropping.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any

from nautilus_trader.common.component import LiveClock
from nautilus_trader.common.component import Logger

from nautilus_bitget.api.streams import StreamDialect
from nautilus_bitget.common.book import BookCheck
from nautilus_bitget.common.book import BookIntegrity
from nautilus_bitget.common.symbol import instrument_id_for_symbol
from nautilus_bitget.data.publisher import Publisher
from nautilus_bitget.data.router import ChannelHandler
from nautilus_bitget.data.stats import BitgetDataStats
from nautilus_bitget.data.subscriptions import DELTAS
from nautilus_bitget.data.subscriptions import Sub
from nautilus_bitget.data.subscriptions import SubscriptionBook
from nautilus_bitget.parsing.book import BookContext
from nautilus_bitget.parsing.book import parse_books_to_deltas


# Message bus topic of book gap announcements (a plain dict, see ``_publish_gap``); the recorder
# listens on the same string (recorder.markers.GAP_TOPIC)
GAP_TOPIC = "bitget.data.gap"
# A resubscribe whose snapshot has not arrived after this long is sent again
RESYNC_RETRY_SECS = 3.0
# Consecutive unverified checksum failures after which an undocumented algorithm is given up
CHECKSUM_GIVE_UP = 3

# ``create_task`` of the client: runs a coroutine, logs its failure, cancelled on disconnect
Spawn = Callable[..., asyncio.Task[Any] | None]


class BookSync:
    """
    Keep every subscribed ``books`` stream in sync and publish its deltas.

    A gap or a checksum mismatch is announced on ``GAP_TOPIC`` and the book is resubscribed;
    nothing is published for it until the fresh snapshot arrives.

    Parameters
    ----------
    streams : StreamDialect
        The public stream dialect (book decoder, ``books`` channel, checksum documentation).
    subscriptions : SubscriptionBook
        The reference count (whether a book is still wanted) and its socket (resubscribe).
    context : Callable[[str], BookContext | None]
        The parse context of a symbol (``Instruments.context``).
    publisher : Publisher
        Where deltas and gaps go.
    stats : BitgetDataStats
        The client's counters.
    clock : LiveClock
        The clock (``ts_init``, gap start).
    log : Logger
        The client's logger.
    spawn : Callable[..., asyncio.Task | None]
        The client's ``create_task`` (resubscribe loops).
    verify_checksum : bool
        Verify the checksums of ``books`` updates (``config.verify_checksum``).

    """

    __slots__ = (
        "_checksum_streaks",
        "_context",
        "_decode_books",
        "_integrity",
        "_log",
        "_publish",
        "_publisher",
        "_resync_pending",
        "_resync_tasks",
        "_resync_wake",
        "_spawn",
        "_stats",
        "_streams",
        "_subscriptions",
        "_timestamp_ns",
        "_verify_checksum",
    )

    def __init__(
        self,
        streams: StreamDialect,
        subscriptions: SubscriptionBook,
        context: Callable[[str], BookContext | None],
        publisher: Publisher,
        stats: BitgetDataStats,
        clock: LiveClock,
        log: Logger,
        spawn: Spawn,
        verify_checksum: bool,
    ) -> None:
        self._streams = streams
        self._subscriptions = subscriptions
        self._context = context
        self._publisher = publisher
        self._stats = stats
        self._log = log
        self._spawn = spawn
        self._verify_checksum = verify_checksum
        # Bound once: called for every frame
        self._decode_books = streams.decode_books
        self._timestamp_ns = clock.timestamp_ns
        self._publish = publisher.publish
        self._integrity: dict[str, BookIntegrity] = {}
        self._checksum_streaks: dict[str, int] = {}
        self._resync_pending: set[str] = set()
        self._resync_tasks: dict[str, asyncio.Task[Any]] = {}
        self._resync_wake: dict[str, asyncio.Event] = {}

    @property
    def verify_checksum(self) -> bool:
        """Whether checksums are verified (``False`` once an unverified algorithm is given up)."""
        return self._verify_checksum

    def integrity(self, symbol: str) -> BookIntegrity | None:
        """Return the integrity state of the ``books`` stream of ``symbol`` (``None``: none)."""
        return self._integrity.get(symbol)

    def synced(self, symbol: str) -> bool:
        """Return whether the ``books`` stream of ``symbol`` is in sync (snapshot accepted)."""
        integrity = self._integrity.get(symbol)
        return integrity is not None and integrity.synced

    def routes(self) -> dict[str, ChannelHandler]:
        """Return the handler of the ``books`` channel, for ``FrameRouter.add_routes``."""
        return {self._streams.books: self.handle_books}

    def track(self, sub: Sub) -> None:
        """Start tracking the book of ``sub.symbol`` (its first subscription)."""
        self._integrity[sub.symbol] = BookIntegrity(self._verify_checksum)

    def untrack(self, sub: Sub) -> None:
        """Stop tracking the book of ``sub.symbol`` (its last subscription went)."""
        self._integrity.pop(sub.symbol, None)
        self._resync_pending.discard(sub.symbol)

    def handle_books(self, channel: str, symbol: str, frame: Any) -> None:
        """Check and publish one ``books`` frame (the route of the ``books`` channel)."""
        integrity = self._integrity.get(symbol)
        if integrity is None:
            return  # late frame after an unsubscribe
        ctx = self._context(symbol)
        if ctx is None:
            self._publisher.unknown_symbol(symbol)
            return
        book = self._decode_books(frame.data)[0]
        ts_init = self._timestamp_ns()
        if frame.action == "snapshot":
            try:
                deltas = parse_books_to_deltas(book, ctx, True, ts_init)
            except ValueError as e:
                self._publisher.malformed("books", repr(e))
                self._resync(symbol, "invalid snapshot")
                return
            integrity.on_snapshot(book.seq, book.bids, book.asks)
            if symbol in self._resync_pending:
                self._resync_pending.discard(symbol)
                self._wake_resync(symbol)
                self._stats.resynced += 1
                self._log.info(f"Book {symbol} resynced from a fresh snapshot (seq {book.seq})")
            if deltas is not None:
                self._publish(deltas)
            return
        check = integrity.on_update(book.seq, book.pseq, book.bids, book.asks, book.checksum)
        if check is BookCheck.OK:
            streaks = self._checksum_streaks
            if streaks and symbol in streaks and integrity.tracking_book and book.checksum:
                del streaks[symbol]  # a checksum verified: the algorithm matches
            try:
                deltas = parse_books_to_deltas(book, ctx, False, ts_init)
            except ValueError as e:
                # The local book would miss this update: never publish a known-wrong book
                integrity.reset()
                self._publisher.malformed("books", repr(e))
                self._resync(symbol, "invalid update")
                return
            if deltas is not None:
                self._publish(deltas)
        elif check is BookCheck.EMPTY:
            return  # chain advanced, nothing changed
        elif check is BookCheck.WAITING:
            self._stats.dropped_unsynced += 1
            if symbol not in self._resync_tasks and self._subscriptions.connected:
                # Updates flow but their snapshot never came (lost): ask for one
                self._resync(symbol, "updates without a snapshot")
        elif check is BookCheck.GAP:
            self._stats.gaps += 1
            self._publish_gap(symbol, "seq_gap")
            self._resync(symbol, f"seq gap (pseq {book.pseq})")
        else:
            self._stats.checksum_failures += 1
            self._on_checksum_failure(symbol)
            self._publish_gap(symbol, "checksum")
            self._resync(symbol, f"checksum mismatch (seq {book.seq})")

    def on_disconnect(self, reason: str, symbols: set[str] | None = None) -> None:
        """
        Reset the books after a socket dropped (``reason``: ``disconnect`` or ``stale``).

        Frames after the reconnect must start from a fresh snapshot; each book's gap is announced.
        ``symbols`` limits the reset to the books carried by the dropped connection (a pool
        shards channels over connections; the others keep streaming); ``None`` resets all.
        """
        for symbol, integrity in self._integrity.items():
            if symbols is not None and symbol not in symbols:
                continue
            integrity.reset()
            self._resync_pending.add(symbol)
            self._publish_gap(symbol, reason)

    def _on_checksum_failure(self, symbol: str) -> None:
        # bitget-protocol-uta.md 4.5: the v3 checksum algorithm is unverified (v2's crc32 assumed).
        # Failures in a row with no checksum ever verified in between mean another algorithm:
        # stop verifying rather than resubscribe forever (the seq/pseq chain still holds).
        if self._streams.checksum_documented:
            return
        streak = self._checksum_streaks.get(symbol, 0) + 1
        self._checksum_streaks[symbol] = streak
        if streak < CHECKSUM_GIVE_UP or not self._verify_checksum:
            return
        self._verify_checksum = False
        for integrity in self._integrity.values():
            integrity.verify_checksum = False
        self._log.error(
            f"Book {symbol}: {streak} API {self._streams.api} checksums in a row never matched "
            "the v2 crc32 algorithm; checksum verification disabled for this process "
            "(seq/pseq gaps are still detected)",
        )

    def _resync(self, symbol: str, reason: str) -> None:
        self._resync_pending.add(symbol)
        if symbol in self._resync_tasks:
            self._wake_resync(symbol)  # a resubscribe loop exists: let it act now
            return
        self._stats.resyncs += 1
        self._publisher.log_once(
            f"resync:{reason.split(' ')[0]}",
            f"Book {symbol}: {reason}, resubscribing",
        )
        task = self._spawn(self._resubscribe_books(symbol), log_msg=f"resync {symbol}")
        if task is not None:
            self._resync_tasks[symbol] = task
            task.add_done_callback(lambda _: self._resync_tasks.pop(symbol, None))

    async def _resubscribe_books(self, symbol: str) -> None:
        # bitget-protocol.md 9.6 step 3: resubscribe for a fresh snapshot; again if none arrives
        sub = Sub(DELTAS, self._streams.books, symbol)
        wanted = self._subscriptions.wanted
        while symbol in self._resync_pending and sub in wanted:
            wake = asyncio.Event()
            self._resync_wake[symbol] = wake
            await self._subscriptions.resubscribe(sub)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), RESYNC_RETRY_SECS)
        self._resync_wake.pop(symbol, None)

    def _wake_resync(self, symbol: str) -> None:
        wake = self._resync_wake.get(symbol)
        if wake is not None:
            wake.set()

    def _publish_gap(self, symbol: str, reason: str) -> None:
        # A plain dict, closed by the next fresh snapshot; ``reason`` is ``seq_gap``,
        # ``checksum``, ``disconnect`` or ``stale``; the recorder turns it into a BitgetGapMarker
        ctx = self._context(symbol)
        iid = ctx.instrument.id if ctx is not None else instrument_id_for_symbol(symbol)
        self._publisher.announce(
            GAP_TOPIC,
            {
                "instrument_id": str(iid),
                "reason": reason,
                "start": self._timestamp_ns(),
                "end": 0,
                "channel": "books",
            },
        )
