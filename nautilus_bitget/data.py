"""
``BitgetDataClient``: every Bitget public market data type for NautilusTrader (design.md 4).

Frames from the public socket are decoded once (``data`` kept raw) and routed by exact channel
name to ``_handle_<kind>``; the channel's decoder then decodes ``data`` and ``parsing`` builds the
Nautilus objects. Books go through ``common.book.BookIntegrity`` (seq/pseq chain, crc32 when
sent); on a gap or a mismatch the book is resubscribed and nothing is published until the fresh
snapshot arrives.

Which API (decided on connect, held for the process; ``parsing.market_v3`` holds the two stream
dialects, the handlers are shared): the public streams of the account's own API family.
Credentials present -> the account type is detected (``common.account_mode``; a hand-set
``account_mode`` that contradicts the key fails the connect) and a UTA account reads the v3
streams and ``/api/v3/market/instruments``, a classic one v2. Without credentials:
``account_mode="uta"`` -> v3, otherwise v2. Both give identical Nautilus objects and ids; measured
(bench/decode_books_v3.py): equal decode cost per book update, v3 frames ~4% larger.

Channel choices (bitget-api.md 6.1; v3 names from bitget-uta-api.md 4.4 in brackets):

- deltas: ``books`` (full depth; one snapshot then updates),
- ``OrderBookDepth10``: ``books15`` [``books50``] (a full snapshot every push, best 10 used),
- quotes: ``books1`` by default, pushed every ~10 ms, against ~100-300 ms for ``ticker``
  (``config.quote_channel = "ticker"`` switches),
- trades: ``trade`` [``publicTrade``]; bars: ``candle<interval>`` [``kline`` + ``interval``];
  mark, index and funding: one shared ``ticker``.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from typing import Any

import msgspec
from nautilus_trader.cache.cache import Cache
from nautilus_trader.common.component import LiveClock
from nautilus_trader.common.component import MessageBus
from nautilus_trader.core.data import Data
from nautilus_trader.data.messages import RequestBars
from nautilus_trader.data.messages import RequestFundingRates
from nautilus_trader.data.messages import RequestInstrument
from nautilus_trader.data.messages import RequestInstruments
from nautilus_trader.data.messages import RequestOrderBookSnapshot
from nautilus_trader.data.messages import RequestTradeTicks
from nautilus_trader.data.messages import SubscribeBars
from nautilus_trader.data.messages import SubscribeFundingRates
from nautilus_trader.data.messages import SubscribeIndexPrices
from nautilus_trader.data.messages import SubscribeInstrument
from nautilus_trader.data.messages import SubscribeInstruments
from nautilus_trader.data.messages import SubscribeInstrumentStatus
from nautilus_trader.data.messages import SubscribeMarkPrices
from nautilus_trader.data.messages import SubscribeOrderBook
from nautilus_trader.data.messages import SubscribeQuoteTicks
from nautilus_trader.data.messages import SubscribeTradeTicks
from nautilus_trader.data.messages import UnsubscribeBars
from nautilus_trader.data.messages import UnsubscribeFundingRates
from nautilus_trader.data.messages import UnsubscribeIndexPrices
from nautilus_trader.data.messages import UnsubscribeInstrument
from nautilus_trader.data.messages import UnsubscribeInstruments
from nautilus_trader.data.messages import UnsubscribeInstrumentStatus
from nautilus_trader.data.messages import UnsubscribeMarkPrices
from nautilus_trader.data.messages import UnsubscribeOrderBook
from nautilus_trader.data.messages import UnsubscribeQuoteTicks
from nautilus_trader.data.messages import UnsubscribeTradeTicks
from nautilus_trader.live.data_client import LiveMarketDataClient
from nautilus_trader.model.data import BarType
from nautilus_trader.model.data import DataType
from nautilus_trader.model.data import OrderBookDeltas
from nautilus_trader.model.enums import PriceType
from nautilus_trader.model.identifiers import ClientId
from nautilus_trader.model.identifiers import InstrumentId
from nautilus_trader.model.instruments import Instrument

from nautilus_bitget.common.account_mode import AccountType
from nautilus_bitget.common.account_mode import detect_account_mode
from nautilus_bitget.common.book import BookCheck
from nautilus_bitget.common.book import BookIntegrity
from nautilus_bitget.common.credentials import resolve_credentials
from nautilus_bitget.common.errors import BitgetError
from nautilus_bitget.common.symbol import instrument_id_for_symbol
from nautilus_bitget.common.symbol import symbol_from_instrument_id
from nautilus_bitget.config import BitgetDataClientConfig
from nautilus_bitget.constants import BITGET_VENUE
from nautilus_bitget.http.client import BitgetHttpClient
from nautilus_bitget.parsing.bars import BitgetBarSpecError
from nautilus_bitget.parsing.bars import bar_close_ns
from nautilus_bitget.parsing.bars import bar_spec_to_interval
from nautilus_bitget.parsing.bars import kline_type_for
from nautilus_bitget.parsing.bars import validate_external
from nautilus_bitget.parsing.book import BookContext
from nautilus_bitget.parsing.book import parse_books1_to_quote
from nautilus_bitget.parsing.book import parse_books15_to_depth10
from nautilus_bitget.parsing.book import parse_books_to_deltas
from nautilus_bitget.parsing.book import parse_levels_to_snapshot
from nautilus_bitget.parsing.book import parse_top_to_quote
from nautilus_bitget.parsing.market import CandleCloser
from nautilus_bitget.parsing.market import TradeDeduper
from nautilus_bitget.parsing.market import parse_candle_to_bar
from nautilus_bitget.parsing.market import parse_funding_history_to_update
from nautilus_bitget.parsing.market import parse_symbol_status_to_instrument_status
from nautilus_bitget.parsing.market import parse_ticker_to_funding_rate
from nautilus_bitget.parsing.market import parse_ticker_to_index_price
from nautilus_bitget.parsing.market import parse_ticker_to_mark_price
from nautilus_bitget.parsing.market import parse_trade_to_trade_tick
from nautilus_bitget.parsing.market_v3 import ClassicStreamDialect
from nautilus_bitget.parsing.market_v3 import UnsupportedIntervalError
from nautilus_bitget.parsing.market_v3 import stream_dialect
from nautilus_bitget.providers import BitgetInstrumentProvider
from nautilus_bitget.schemas.common import num_str
from nautilus_bitget.schemas.ws_public import BitgetWsTrade
from nautilus_bitget.websocket.pool import BitgetWebSocketPool


# Message bus topic of book gap announcements (a plain dict, see ``_publish_gap``); the recorder
# listens on the same string (recorder.markers.GAP_TOPIC)
GAP_TOPIC = "bitget.data.gap"
# A resubscribe whose snapshot has not arrived after this long is sent again
RESYNC_RETRY_SECS = 3.0
# Consecutive unverified checksum failures after which an undocumented algorithm is given up
CHECKSUM_GIVE_UP = 3
STATUS_POLL_SECS = 30.0
HISTORY_CANDLES_MAX = 200  # bitget-api.md 4.5
FILLS_HISTORY_MAX = 1000  # bitget-api.md 4.6
FUND_HISTORY_PAGE = 100  # bitget-api.md 4.7
DEFAULT_BARS_LIMIT = 1000


@dataclass
class BitgetDataStats:
    """
    Counters of the data client (``client.stats``); all monotonic.

    Attributes
    ----------
    frames : int
        Frames received (events included).
    published : int
        Objects handed to the DataEngine.
    malformed : int
        Frames skipped as undecodable or invalid (bad JSON, null fields, wrong types, bad values).
    unknown_channel : int
        Data frames of a channel this client does not handle.
    unknown_symbol : int
        Data frames for a symbol with no loaded instrument.
    venue_errors : int
        ``event: error`` frames.
    gaps : int
        ``books`` updates whose ``pseq`` did not match the previous ``seq``.
    checksum_failures : int
        ``books`` updates whose crc32 did not match.
    resyncs : int
        Book resubscriptions started (gap, checksum, invalid update).
    resynced : int
        Fresh book snapshots published after a resync or a socket reconnect.
    dropped_unsynced : int
        ``books`` updates dropped while waiting for a snapshot.
    reconnects : int
        Public socket reconnects.

    """

    frames: int = 0
    published: int = 0
    malformed: int = 0
    unknown_channel: int = 0
    unknown_symbol: int = 0
    venue_errors: int = 0
    gaps: int = 0
    checksum_failures: int = 0
    resyncs: int = 0
    resynced: int = 0
    dropped_unsynced: int = 0
    reconnects: int = 0

    def as_dict(self) -> dict[str, int]:
        """Return the counters as a plain dict."""
        return asdict(self)


_RAW_NULL = msgspec.Raw(b"null")
_BAD_FRAME_ERRORS = (
    msgspec.DecodeError,
    msgspec.ValidationError,
    ValueError,
    TypeError,
    KeyError,
    IndexError,
    AttributeError,
    OverflowError,
)


def _dt_to_ms(value: datetime | None) -> int | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return int(value.timestamp() * 1000)


class BitgetDataClient(LiveMarketDataClient):
    """
    Bitget perpetual futures market data client.

    Parameters
    ----------
    loop : asyncio.AbstractEventLoop
        The event loop.
    client_id : ClientId
        The client id (``BITGET``).
    msgbus : MessageBus
        The message bus.
    cache : Cache
        The cache.
    clock : LiveClock
        The clock.
    instrument_provider : BitgetInstrumentProvider
        The instrument provider.
    config : BitgetDataClientConfig
        The configuration.
    http_client : BitgetHttpClient, optional
        The REST client (the provider's by default).

    """

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        client_id: ClientId,
        msgbus: MessageBus,
        cache: Cache,
        clock: LiveClock,
        instrument_provider: BitgetInstrumentProvider,
        config: BitgetDataClientConfig,
        http_client: BitgetHttpClient | None = None,
    ) -> None:
        super().__init__(
            loop=loop,
            client_id=client_id,
            venue=BITGET_VENUE,
            msgbus=msgbus,
            cache=cache,
            clock=clock,
            instrument_provider=instrument_provider,
            config=config,
        )
        self._config = config
        self._provider: BitgetInstrumentProvider = instrument_provider
        self._market = instrument_provider.market_api
        self._http = http_client or self._market.client
        self.stats = BitgetDataStats()
        self._logged_once: set[str] = set()
        self.account_type: AccountType | None = None  # decided on connect
        self._dialect: ClassicStreamDialect = ClassicStreamDialect()
        self._handlers: dict[str, Callable[[str, str, Any], None]] = {}
        self._verify_checksum = config.verify_checksum
        self._checksum_streaks: dict[str, int] = {}
        self._ws = self._make_pool()

        self._contexts: dict[str, BookContext] = {}
        self._channel_refs: Counter[tuple[str, str]] = Counter()
        self._integrity: dict[str, BookIntegrity] = {}
        self._resync_pending: set[str] = set()
        self._resync_tasks: dict[str, asyncio.Task] = {}
        self._resync_wake: dict[str, asyncio.Event] = {}
        self._depth_symbols: set[str] = set()
        self._quote_symbols: set[str] = set()
        self._trade_dedupe: dict[str, TradeDeduper] = {}
        self._mark_symbols: set[str] = set()
        self._index_symbols: set[str] = set()
        self._funding_symbols: set[str] = set()
        self._bars: dict[tuple[str, str], tuple[BarType, CandleCloser]] = {}
        self._status_ids: set[InstrumentId] = set()
        self._last_status: dict[str, str] = {}
        self._refresh_task: asyncio.Task | None = None
        self._status_task: asyncio.Task | None = None

    def _make_pool(self) -> BitgetWebSocketPool:
        dialect = self._dialect
        self._handlers = {
            dialect.books: self._handle_books,
            dialect.quotes: self._handle_books1,
            dialect.depth: self._handle_books15,
            dialect.trades: self._handle_trade,
            dialect.ticker: self._handle_ticker,
        }
        for channel in dialect.candle_channels():
            self._handlers[channel] = self._handle_candle
        return BitgetWebSocketPool(
            dialect.ws_url(self._config.ws_public_url),
            self._handle_frame,
            ping_interval_secs=self._config.ws_ping_interval_secs,
            stale_timeout_secs=self._config.ws_stale_timeout_secs,
            on_reconnect=self._on_ws_reconnect,
            on_disconnect=self._on_ws_disconnect,
            name=f"bitget-public-{dialect.api}",
            logger=self._log,
        )

    # -- properties ---------------------------------------------------------------------------

    @property
    def ws(self) -> BitgetWebSocketPool:
        """The public WebSocket pool."""
        return self._ws

    @property
    def market_data_api(self) -> str:
        """The API family of the public streams: ``"v2"`` (classic) or ``"v3"`` (UTA)."""
        return self._dialect.api

    def book_synced(self, instrument_id: InstrumentId) -> bool:
        """Return whether the ``books`` stream of an instrument is in sync (snapshot accepted)."""
        integrity = self._integrity.get(symbol_from_instrument_id(instrument_id))
        return integrity is not None and integrity.synced

    # -- connection ---------------------------------------------------------------------------

    async def _connect(self) -> None:
        await self.select_api()
        await self._provider.initialize()
        self._publish_instruments(self._provider.list_all())
        for currency in self._provider.currencies().values():
            self._cache.add_currency(currency)
        await self._ws.connect()
        interval = self._config.update_instruments_interval_mins
        if interval:
            self._refresh_task = self.create_task(
                self._refresh_instruments_loop(interval * 60.0),
                log_msg="instrument refresh",
            )

    async def select_api(self) -> AccountType:
        """
        Decide the account type once (later calls return it): v2 or v3 streams and instruments.

        With credentials (config or ``BITGET_API_*``) the key's account type is detected on
        ``/api/v3/account/settings`` (bitget-uta-api.md 1.2) and checked against
        ``account_mode``; without, ``account_mode="uta"`` selects v3 and anything else v2.

        Raises
        ------
        BitgetAccountModeError
            If ``account_mode`` contradicts the key (the message says what to change).
        BitgetError
            If detection is inconclusive (auth or network failure): nothing is guessed.

        """
        if self.account_type is not None:
            return self.account_type
        config = self._config
        credentials = resolve_credentials(
            config.api_key,
            config.api_secret,
            config.api_passphrase,
            required=False,
        )
        probe = None
        if credentials is not None:
            probe = BitgetHttpClient(
                config.http_url,
                credentials,
                environment=config.environment,
                timeout_secs=config.http_timeout_secs,
                max_retries=config.max_retries,
            )
        try:
            account_type = await detect_account_mode(
                probe if probe is not None else self._http,
                config.account_mode,
                logger=self._log,
            )
        except BitgetError as e:
            # nautilus-notes 2: a failing _connect only shows as a node that never starts
            self._log.error(f"Bitget data client cannot start: {e}")
            raise
        finally:
            if probe is not None:
                await probe.close()
        self.account_type = account_type
        self._provider.use_account_type(account_type)
        dialect = stream_dialect(account_type)
        if dialect.api != self._dialect.api:
            self._dialect = dialect
            self._ws = self._make_pool()
        url = dialect.ws_url(config.ws_public_url)
        self._log.info(f"Market data from the API {dialect.api} public streams ({url})")
        return account_type

    async def _disconnect(self) -> None:
        for task in (self._refresh_task, self._status_task):
            if task is not None:
                task.cancel()
        self._refresh_task = None
        self._status_task = None
        await self._ws.disconnect()
        await self._http.close()

    def _publish_instruments(self, instruments: list[Instrument]) -> None:
        for instrument in instruments:
            self._contexts.pop(instrument.raw_symbol.value, None)  # precisions may change
            self._handle_data(instrument)

    async def _refresh_instruments_loop(self, interval_secs: float) -> None:
        while True:
            await asyncio.sleep(interval_secs)
            try:
                changed = await self._provider.refresh()
                self._publish_instruments(changed)
                await self._provider.refresh_funding_intervals()
                if self._status_ids:
                    await self._poll_status()
            except BitgetError as e:
                self._log.warning(f"Instrument refresh failed: {e}")

    def _on_ws_disconnect(self) -> None:
        # Frames after the reconnect must start from a fresh snapshot
        reason = self._disconnect_reason()
        for symbol, integrity in self._integrity.items():
            integrity.reset()
            self._resync_pending.add(symbol)
            self._publish_gap(symbol, reason)

    def _disconnect_reason(self) -> str:
        # The pool shares one callback: the client that dropped last tells why
        clients = [c for c in self._ws.clients if c.last_disconnect_reason is not None]
        if not clients:
            return "disconnect"
        latest = max(clients, key=lambda c: c.last_disconnect_ns)
        return latest.last_disconnect_reason or "disconnect"

    def _publish_gap(self, symbol: str, reason: str) -> None:
        """
        Announce an open book gap on ``GAP_TOPIC`` (closed by the next fresh snapshot).

        ``reason`` is ``seq_gap``, ``checksum``, ``disconnect`` or ``stale``; listeners such as
        the recorder turn it into a ``BitgetGapMarker``.
        """
        ctx = self._context(symbol)
        iid = ctx.instrument.id if ctx is not None else instrument_id_for_symbol(symbol)
        self._msgbus.publish(
            topic=GAP_TOPIC,
            msg={
                "instrument_id": str(iid),
                "reason": reason,
                "start": self._clock.timestamp_ns(),
                "end": 0,
                "channel": "books",
            },
        )

    async def _on_ws_reconnect(self) -> None:
        self.stats.reconnects += 1
        self._log.info("Public socket reconnected: books restart from fresh snapshots")

    # -- helpers ------------------------------------------------------------------------------

    def _log_once(self, key: str, message: str) -> None:
        if key in self._logged_once:
            return
        self._logged_once.add(key)
        self._log.warning(f"{message} (further occurrences counted in stats, not logged)")

    def _malformed(self, kind: str, error: BaseException | str) -> None:
        self.stats.malformed += 1
        self._log_once(f"malformed:{kind}", f"Skipped malformed {kind} frame: {error}")

    def _context(self, symbol: str) -> BookContext | None:
        ctx = self._contexts.get(symbol)
        if ctx is not None:
            return ctx
        instrument = self._provider.instrument_for_symbol(symbol)
        if instrument is None:
            instrument = self._cache.instrument(instrument_id_for_symbol(symbol))
        if instrument is None:
            return None
        ctx = BookContext(instrument)
        self._contexts[symbol] = ctx
        return ctx

    def _instrument(self, instrument_id: InstrumentId) -> Instrument:
        instrument = self._provider.find(instrument_id) or self._cache.instrument(instrument_id)
        if instrument is None:
            raise ValueError(
                f"instrument {instrument_id} is not loaded: add it to "
                "instrument_provider.load_ids or use load_all=True",
            )
        return instrument

    def _arg(self, channel: str, symbol: str) -> dict[str, str]:
        return self._dialect.arg(channel, symbol, self._provider.product_type_for(symbol))

    async def _acquire(self, channel: str, instrument_id: InstrumentId) -> str:
        self._instrument(instrument_id)  # fail fast on unknown instruments
        symbol = symbol_from_instrument_id(instrument_id)
        key = (channel, symbol)
        self._channel_refs[key] += 1
        if self._channel_refs[key] == 1:
            await self._ws.subscribe([self._arg(channel, symbol)])
        return symbol

    async def _release(self, channel: str, instrument_id: InstrumentId) -> bool:
        symbol = symbol_from_instrument_id(instrument_id)
        key = (channel, symbol)
        if self._channel_refs[key] <= 0:
            return False
        self._channel_refs[key] -= 1
        if self._channel_refs[key] > 0:
            return False
        del self._channel_refs[key]
        await self._ws.unsubscribe([self._arg(channel, symbol)])
        return True

    # -- frame routing ------------------------------------------------------------------------

    def _handle_frame(self, raw: bytes) -> None:
        self.stats.frames += 1
        dialect = self._dialect
        try:
            frame = dialect.frame_decoder.decode(raw)
        except (msgspec.DecodeError, msgspec.ValidationError) as e:
            self._malformed("envelope", e)
            return
        if frame.event is not None:
            self._handle_event(frame)
            return
        try:
            channel, symbol = dialect.route(frame)
        except AttributeError:
            channel = symbol = ""
        if not symbol or frame.data is None or frame.data == _RAW_NULL:
            self._malformed("envelope", "no arg, symbol or data")
            return
        handler = self._handlers.get(channel)
        if handler is None:
            self.stats.unknown_channel += 1
            self._log_once(f"channel:{channel}", f"Unknown channel {channel!r} skipped")
            return
        try:
            handler(channel, symbol, frame)
        except _BAD_FRAME_ERRORS as e:
            self._malformed(channel, repr(e))

    def _handle_event(self, frame: Any) -> None:
        if frame.event == "error":
            self.stats.venue_errors += 1
            where = self._dialect.describe(frame)
            self._log.error(f"Bitget WS error {frame.code} on {where}: {frame.msg}")
        # subscribe / unsubscribe acks need no action: the snapshot follows

    def _unknown_symbol(self, symbol: str) -> None:
        self.stats.unknown_symbol += 1
        self._log_once(f"symbol:{symbol}", f"Frame for unknown symbol {symbol!r} skipped")

    def _publish(self, data: Data) -> None:
        self.stats.published += 1
        self._handle_data(data)

    # -- books --------------------------------------------------------------------------------

    def _handle_books(self, channel: str, symbol: str, frame: Any) -> None:
        integrity = self._integrity.get(symbol)
        if integrity is None:
            return  # late frame after an unsubscribe
        ctx = self._context(symbol)
        if ctx is None:
            self._unknown_symbol(symbol)
            return
        book = self._dialect.decode_books(frame.data)[0]
        ts_init = self._clock.timestamp_ns()
        if frame.action == "snapshot":
            try:
                deltas = parse_books_to_deltas(book, ctx, True, ts_init)
            except ValueError as e:
                self._malformed("books", repr(e))
                self._resync(symbol, "invalid snapshot")
                return
            integrity.on_snapshot(book.seq, book.bids, book.asks)
            if symbol in self._resync_pending:
                self._resync_pending.discard(symbol)
                self._wake_resync(symbol)
                self.stats.resynced += 1
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
                self._malformed("books", repr(e))
                self._resync(symbol, "invalid update")
                return
            if deltas is not None:
                self._publish(deltas)
        elif check is BookCheck.EMPTY:
            return  # chain advanced, nothing changed
        elif check is BookCheck.WAITING:
            self.stats.dropped_unsynced += 1
            if symbol not in self._resync_tasks and self._ws.is_connected:
                # Updates flow but their snapshot never came (lost): ask for one
                self._resync(symbol, "updates without a snapshot")
        elif check is BookCheck.GAP:
            self.stats.gaps += 1
            self._publish_gap(symbol, "seq_gap")
            self._resync(symbol, f"seq gap (pseq {book.pseq})")
        else:
            self.stats.checksum_failures += 1
            self._on_checksum_failure(symbol)
            self._publish_gap(symbol, "checksum")
            self._resync(symbol, f"checksum mismatch (seq {book.seq})")

    def _on_checksum_failure(self, symbol: str) -> None:
        # bitget-uta-api.md 4.5: the v3 checksum algorithm is unverified (v2's crc32 assumed).
        # Failures in a row with no checksum ever verified in between mean another algorithm:
        # stop verifying rather than resubscribe forever (the seq/pseq chain still holds).
        if self._dialect.checksum_documented:
            return
        streak = self._checksum_streaks.get(symbol, 0) + 1
        self._checksum_streaks[symbol] = streak
        if streak < CHECKSUM_GIVE_UP or not self._verify_checksum:
            return
        self._verify_checksum = False
        for integrity in self._integrity.values():
            integrity.verify_checksum = False
        self._log.error(
            f"Book {symbol}: {streak} API {self._dialect.api} checksums in a row never matched "
            "the v2 crc32 algorithm; checksum verification disabled for this process "
            "(seq/pseq gaps are still detected)",
        )

    def _resync(self, symbol: str, reason: str) -> None:
        self._resync_pending.add(symbol)
        if symbol in self._resync_tasks:
            self._wake_resync(symbol)  # a resubscribe loop exists: let it act now
            return
        self.stats.resyncs += 1
        self._log_once(f"resync:{reason.split(' ')[0]}", f"Book {symbol}: {reason}, resubscribing")
        task = self.create_task(self._resubscribe_books(symbol), log_msg=f"resync {symbol}")
        if task is not None:
            self._resync_tasks[symbol] = task
            task.add_done_callback(lambda _: self._resync_tasks.pop(symbol, None))

    async def _resubscribe_books(self, symbol: str) -> None:
        # bitget-api.md 9.6 step 3: resubscribe for a fresh snapshot; again if none arrives
        channel = self._dialect.books
        arg = self._arg(channel, symbol)
        while symbol in self._resync_pending and (channel, symbol) in self._channel_refs:
            wake = asyncio.Event()
            self._resync_wake[symbol] = wake
            await self._ws.resubscribe([arg])
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), RESYNC_RETRY_SECS)
        self._resync_wake.pop(symbol, None)

    def _wake_resync(self, symbol: str) -> None:
        wake = self._resync_wake.get(symbol)
        if wake is not None:
            wake.set()

    def _handle_books15(self, channel: str, symbol: str, frame: Any) -> None:
        if symbol not in self._depth_symbols:
            return
        ctx = self._context(symbol)
        if ctx is None:
            self._unknown_symbol(symbol)
            return
        book = self._dialect.decode_books(frame.data)[0]
        self._publish(parse_books15_to_depth10(book, ctx, self._clock.timestamp_ns()))

    def _handle_books1(self, channel: str, symbol: str, frame: Any) -> None:
        if symbol not in self._quote_symbols:
            return
        ctx = self._context(symbol)
        if ctx is None:
            self._unknown_symbol(symbol)
            return
        book = self._dialect.decode_books(frame.data)[0]
        quote = parse_books1_to_quote(book, ctx, self._clock.timestamp_ns())
        if quote is not None:
            self._publish(quote)

    # -- trades, ticker, candles --------------------------------------------------------------

    def _handle_trade(self, channel: str, symbol: str, frame: Any) -> None:
        dedupe = self._trade_dedupe.get(symbol)
        if dedupe is None:
            return
        ctx = self._context(symbol)
        if ctx is None:
            self._unknown_symbol(symbol)
            return
        trades = self._dialect.decode_trades(frame.data)
        if frame.action == "snapshot":
            # bitget-api.md 6.1: recent history, not new trades
            dedupe.remember(t.tradeId for t in trades)
            return
        ts_init = self._clock.timestamp_ns()
        ticks = [
            parse_trade_to_trade_tick(t, ctx, ts_init)
            for t in sorted(trades, key=lambda t: int(t.ts))
            if dedupe.is_new(t.tradeId)
        ]
        for tick in ticks:
            self._publish(tick)

    def _handle_ticker(self, channel: str, symbol: str, frame: Any) -> None:
        ctx = self._context(symbol)
        if ctx is None:
            self._unknown_symbol(symbol)
            return
        ts_init = self._clock.timestamp_ns()
        for ticker in self._dialect.decode_tickers(frame.data, frame.ts):
            if symbol in self._mark_symbols:
                mark = parse_ticker_to_mark_price(ticker, ctx, ts_init)
                if mark is not None:
                    self._publish(mark)
            if symbol in self._index_symbols:
                index = parse_ticker_to_index_price(ticker, ctx, ts_init)
                if index is not None:
                    self._publish(index)
            if symbol in self._funding_symbols:
                hours = self._provider.funding_interval_hours(ctx.instrument_id)
                funding = parse_ticker_to_funding_rate(
                    ticker,
                    ctx.instrument_id,
                    hours * 60 if hours else None,
                    ts_init,
                )
                if funding is not None:
                    self._publish(funding)
            if symbol in self._quote_symbols and self._config.quote_channel == "ticker":
                if ticker.bidPr and ticker.askPr and ticker.bidSz and ticker.askSz:
                    self._publish(
                        parse_top_to_quote(
                            ctx,
                            ticker.bidPr,
                            ticker.bidSz,
                            ticker.askPr,
                            ticker.askSz,
                            int(ticker.ts) * 1_000_000,
                            ts_init,
                        ),
                    )

    def _handle_candle(self, channel: str, symbol: str, frame: Any) -> None:
        entry = self._bars.get((channel, symbol))
        if entry is None:
            return
        bar_type, closer = entry
        ctx = self._context(symbol)
        if ctx is None:
            self._unknown_symbol(symbol)
            return
        rows = self._dialect.decode_candles(frame.data)
        closed = closer.on_snapshot(rows) if frame.action == "snapshot" else closer.on_update(rows)
        ts_init = self._clock.timestamp_ns()
        for row in closed:
            self._publish(parse_candle_to_bar(row, bar_type, ctx, ts_init))

    # -- subscriptions ------------------------------------------------------------------------

    async def _subscribe_instruments(self, command: SubscribeInstruments) -> None:
        pass  # instruments are published on connect and on every refresh

    async def _subscribe_instrument(self, command: SubscribeInstrument) -> None:
        pass

    async def _unsubscribe_instruments(self, command: UnsubscribeInstruments) -> None:
        pass

    async def _unsubscribe_instrument(self, command: UnsubscribeInstrument) -> None:
        pass

    async def _subscribe_order_book_deltas(self, command: SubscribeOrderBook) -> None:
        symbol = symbol_from_instrument_id(command.instrument_id)
        self._instrument(command.instrument_id)
        if (self._dialect.books, symbol) not in self._channel_refs:
            self._integrity[symbol] = BookIntegrity(self._verify_checksum)
        await self._acquire(self._dialect.books, command.instrument_id)

    async def _unsubscribe_order_book_deltas(self, command: UnsubscribeOrderBook) -> None:
        if await self._release(self._dialect.books, command.instrument_id):
            symbol = symbol_from_instrument_id(command.instrument_id)
            self._integrity.pop(symbol, None)
            self._resync_pending.discard(symbol)

    async def _subscribe_order_book_depth(self, command: SubscribeOrderBook) -> None:
        symbol = await self._acquire(self._dialect.depth, command.instrument_id)
        self._depth_symbols.add(symbol)

    async def _unsubscribe_order_book_depth(self, command: UnsubscribeOrderBook) -> None:
        if await self._release(self._dialect.depth, command.instrument_id):
            self._depth_symbols.discard(symbol_from_instrument_id(command.instrument_id))

    def _quote_channel(self) -> str:
        dialect = self._dialect
        return dialect.ticker if self._config.quote_channel == "ticker" else dialect.quotes

    async def _subscribe_quote_ticks(self, command: SubscribeQuoteTicks) -> None:
        symbol = await self._acquire(self._quote_channel(), command.instrument_id)
        self._quote_symbols.add(symbol)

    async def _unsubscribe_quote_ticks(self, command: UnsubscribeQuoteTicks) -> None:
        self._quote_symbols.discard(symbol_from_instrument_id(command.instrument_id))
        await self._release(self._quote_channel(), command.instrument_id)

    async def _subscribe_trade_ticks(self, command: SubscribeTradeTicks) -> None:
        symbol = symbol_from_instrument_id(command.instrument_id)
        self._instrument(command.instrument_id)
        self._trade_dedupe.setdefault(symbol, TradeDeduper())
        await self._acquire(self._dialect.trades, command.instrument_id)

    async def _unsubscribe_trade_ticks(self, command: UnsubscribeTradeTicks) -> None:
        if await self._release(self._dialect.trades, command.instrument_id):
            self._trade_dedupe.pop(symbol_from_instrument_id(command.instrument_id), None)

    async def _subscribe_mark_prices(self, command: SubscribeMarkPrices) -> None:
        self._mark_symbols.add(await self._acquire(self._dialect.ticker, command.instrument_id))

    async def _unsubscribe_mark_prices(self, command: UnsubscribeMarkPrices) -> None:
        self._mark_symbols.discard(symbol_from_instrument_id(command.instrument_id))
        await self._release(self._dialect.ticker, command.instrument_id)

    async def _subscribe_index_prices(self, command: SubscribeIndexPrices) -> None:
        self._index_symbols.add(await self._acquire(self._dialect.ticker, command.instrument_id))

    async def _unsubscribe_index_prices(self, command: UnsubscribeIndexPrices) -> None:
        self._index_symbols.discard(symbol_from_instrument_id(command.instrument_id))
        await self._release(self._dialect.ticker, command.instrument_id)

    async def _subscribe_funding_rates(self, command: SubscribeFundingRates) -> None:
        self._funding_symbols.add(await self._acquire(self._dialect.ticker, command.instrument_id))

    async def _unsubscribe_funding_rates(self, command: UnsubscribeFundingRates) -> None:
        self._funding_symbols.discard(symbol_from_instrument_id(command.instrument_id))
        await self._release(self._dialect.ticker, command.instrument_id)

    def _candle_channel(self, bar_type: BarType) -> str:
        validate_external(bar_type)
        if bar_type.spec.price_type != PriceType.LAST:
            raise BitgetBarSpecError(
                f"bar type {bar_type}: Bitget candle channels are LAST (market) only; "
                "MARK/index candles are available through request_bars",
            )
        interval = bar_spec_to_interval(bar_type.spec, websocket=True)
        try:
            return self._dialect.candle_channel(interval)
        except UnsupportedIntervalError as e:
            raise BitgetBarSpecError(f"bar type {bar_type}: {e}") from None

    async def _subscribe_bars(self, command: SubscribeBars) -> None:
        bar_type = command.bar_type
        channel = self._candle_channel(bar_type)
        symbol = symbol_from_instrument_id(bar_type.instrument_id)
        self._bars.setdefault((channel, symbol), (bar_type, CandleCloser()))
        await self._acquire(channel, bar_type.instrument_id)

    async def _unsubscribe_bars(self, command: UnsubscribeBars) -> None:
        channel = self._candle_channel(command.bar_type)
        if await self._release(channel, command.bar_type.instrument_id):
            symbol = symbol_from_instrument_id(command.bar_type.instrument_id)
            self._bars.pop((channel, symbol), None)

    async def _subscribe_instrument_status(self, command: SubscribeInstrumentStatus) -> None:
        self._instrument(command.instrument_id)
        self._status_ids.add(command.instrument_id)
        await self._poll_status()
        if self._status_task is None:
            self._status_task = self.create_task(self._status_loop(), log_msg="status poll")

    async def _unsubscribe_instrument_status(self, command: UnsubscribeInstrumentStatus) -> None:
        self._status_ids.discard(command.instrument_id)
        self._last_status.pop(symbol_from_instrument_id(command.instrument_id), None)

    async def _status_loop(self) -> None:
        interval = STATUS_POLL_SECS
        minutes = self._config.update_instruments_interval_mins
        if minutes:
            interval = min(interval, minutes * 60.0)
        while True:
            await asyncio.sleep(interval)
            if not self._status_ids:
                continue
            try:
                await self._poll_status()
            except BitgetError as e:
                self._log.warning(f"Instrument status poll failed: {e}")

    async def _poll_status(self) -> None:
        """Publish ``InstrumentStatus`` for subscribed instruments whose status changed."""
        wanted = {symbol_from_instrument_id(i): i for i in self._status_ids}
        product_types = {self._provider.product_type_for(s) for s in wanted}
        ts = self._clock.timestamp_ns()
        for product_type in sorted(product_types, key=lambda p: p.value):
            for contract in await self._provider.fetch_contracts(product_type):
                instrument_id = wanted.get(contract.symbol)
                status = contract.symbolStatus or ""
                if instrument_id is None or self._last_status.get(contract.symbol) == status:
                    continue
                self._last_status[contract.symbol] = status
                self._publish(
                    parse_symbol_status_to_instrument_status(status, instrument_id, ts, ts),
                )

    # -- requests -----------------------------------------------------------------------------

    async def _request_instrument(self, request: RequestInstrument) -> None:
        instrument = self._provider.find(request.instrument_id)
        if instrument is None:
            await self._provider.load_async(request.instrument_id)
            instrument = self._provider.find(request.instrument_id)
        if instrument is None:
            self._log.error(f"Instrument {request.instrument_id} not found on Bitget")
            return
        self._handle_instrument(instrument, request.id, request.start, request.end, request.params)

    async def _request_instruments(self, request: RequestInstruments) -> None:
        if not self._provider.list_all():
            await self._provider.load_all_async()
        self._handle_instruments(
            request.venue or BITGET_VENUE,
            self._provider.list_all(),
            request.id,
            request.start,
            request.end,
            request.params,
        )

    async def _request_bars(self, request: RequestBars) -> None:
        bar_type = request.bar_type
        try:
            validate_external(bar_type)
            kline_type = kline_type_for(bar_type, request.params)
            granularity = bar_spec_to_interval(bar_type.spec)
        except BitgetBarSpecError as e:
            self._log.error(f"Cannot request bars: {e}")
            return
        instrument = self._instrument(bar_type.instrument_id)
        ctx = BookContext(instrument)
        bars = await self.fetch_bars(
            bar_type,
            ctx,
            granularity,
            kline_type,
            _dt_to_ms(request.start),
            _dt_to_ms(request.end),
            request.limit,
        )
        self._handle_bars(bar_type, bars, request.id, request.start, request.end, request.params)

    async def fetch_bars(
        self,
        bar_type: BarType,
        ctx: BookContext,
        granularity: str,
        kline_type: str,
        start_ms: int | None,
        end_ms: int | None,
        limit: int,
    ) -> list:
        """
        Page ``history-candles`` (or mark/index) backwards from ``end_ms`` to ``start_ms``.

        Returns closed bars only, ascending, at most ``limit`` (the most recent) when > 0.
        """
        if start_ms is None and not limit:
            limit = DEFAULT_BARS_LIMIT  # bound the paging when neither start nor limit is given
        symbol = ctx.instrument.raw_symbol.value
        product_type = self._provider.product_type_for(symbol)
        now_ms = self._clock.timestamp_ms()
        cursor = end_ms if end_ms is not None else now_ms
        rows: dict[int, list[str]] = {}
        while True:
            page = await self._market.history_candles(
                symbol,
                product_type,
                granularity,
                start_time=start_ms,
                end_time=cursor,
                limit=HISTORY_CANDLES_MAX,
                kline_type=kline_type,
            )
            if not page:
                break
            fresh = 0
            for row in page:
                values = [num_str(v) for v in msgspec.structs.astuple(row)]
                start = int(values[0])
                if start not in rows:
                    rows[start] = values
                    fresh += 1
            oldest = min(int(num_str(r.ts)) for r in page)
            if fresh == 0 or (start_ms is not None and oldest <= start_ms):
                break
            if limit and len(rows) >= limit:
                break
            cursor = oldest - 1
        ts_init = self._clock.timestamp_ns()
        bars = []
        for start in sorted(rows):
            if start_ms is not None and start < start_ms:
                continue
            close_ns = bar_close_ns(bar_type.spec, start * 1_000_000)
            if close_ns > now_ms * 1_000_000 or (end_ms is not None and start > end_ms):
                continue
            try:
                bars.append(parse_candle_to_bar(rows[start], bar_type, ctx, ts_init))
            except ValueError as e:
                self._malformed("history-candles", repr(e))
        if limit and len(bars) > limit:
            bars = bars[-limit:]
        return bars

    async def _request_trade_ticks(self, request: RequestTradeTicks) -> None:
        instrument = self._instrument(request.instrument_id)
        ctx = BookContext(instrument)
        symbol = instrument.raw_symbol.value
        product_type = self._provider.product_type_for(symbol)
        start_ms = _dt_to_ms(request.start)
        end_ms = _dt_to_ms(request.end)
        limit = request.limit or FILLS_HISTORY_MAX
        trades: dict[str, Any] = {}
        cursor: str | None = None
        while len(trades) < limit:
            page = await self._market.fills_history(
                symbol,
                product_type,
                limit=FILLS_HISTORY_MAX,
                id_less_than=cursor,
                start_time=start_ms,
                end_time=end_ms,
            )
            fresh = [t for t in page if t.tradeId not in trades]
            for trade in fresh:
                trades[trade.tradeId] = trade
            if not fresh or len(page) < FILLS_HISTORY_MAX:
                break
            cursor = min(fresh, key=lambda t: int(num_str(t.ts))).tradeId
        ts_init = self._clock.timestamp_ns()
        ticks = []
        for trade in trades.values():
            wire = BitgetWsTrade(
                ts=num_str(trade.ts),
                price=num_str(trade.price),
                size=num_str(trade.size),
                side=trade.side,
                tradeId=trade.tradeId,
            )
            ts_ms = int(wire.ts)
            if (start_ms is not None and ts_ms < start_ms) or (
                end_ms is not None and ts_ms > end_ms
            ):
                continue
            try:
                ticks.append(parse_trade_to_trade_tick(wire, ctx, ts_init))
            except ValueError as e:
                self._malformed("fills-history", repr(e))
        ticks.sort(key=lambda t: (t.ts_event, t.trade_id.value))
        if request.limit and len(ticks) > request.limit:
            ticks = ticks[-request.limit :]
        self._handle_trade_ticks(
            request.instrument_id,
            ticks,
            request.id,
            request.start,
            request.end,
            request.params,
        )

    async def _request_funding_rates(self, request: RequestFundingRates) -> None:
        instrument = self._instrument(request.instrument_id)
        symbol = instrument.raw_symbol.value
        product_type = self._provider.product_type_for(symbol)
        start_ms = _dt_to_ms(request.start)
        end_ms = _dt_to_ms(request.end)
        hours = self._provider.funding_interval_hours(request.instrument_id)
        interval = hours * 60 if hours else None
        rows: dict[int, str] = {}
        page_no = 1
        while True:
            page = await self._market.history_fund_rate(
                symbol,
                product_type,
                page_size=FUND_HISTORY_PAGE,
                page_no=page_no,
            )
            for row in page:
                rows[int(num_str(row.fundingTime))] = num_str(row.fundingRate)
            oldest = min((int(num_str(r.fundingTime)) for r in page), default=None)
            # newest first: stop once older than the window or the pages run out
            if len(page) < FUND_HISTORY_PAGE or oldest is None:
                break
            if start_ms is not None and oldest < start_ms:
                break
            if request.limit and len(rows) >= request.limit:
                break
            page_no += 1
        ts_init = self._clock.timestamp_ns()
        updates = [
            parse_funding_history_to_update(
                rate,
                str(ts),
                request.instrument_id,
                interval,
                ts_init,
            )
            for ts, rate in sorted(rows.items())
            if (start_ms is None or ts >= start_ms) and (end_ms is None or ts <= end_ms)
        ]
        if request.limit and len(updates) > request.limit:
            updates = updates[-request.limit :]
        self._handle_funding_rates(
            request.instrument_id,
            updates,
            request.id,
            request.start,
            request.end,
            request.params,
        )

    async def _request_order_book_snapshot(self, request: RequestOrderBookSnapshot) -> None:
        instrument = self._instrument(request.instrument_id)
        ctx = BookContext(instrument)
        symbol = instrument.raw_symbol.value
        depth = await self._market.merge_depth(
            symbol,
            self._provider.product_type_for(symbol),
            precision="scale0",
            limit="max",
        )
        limit = request.limit or None
        bids = [(num_str(p), num_str(s)) for p, s in depth.bids[:limit]]
        asks = [(num_str(p), num_str(s)) for p, s in depth.asks[:limit]]
        ts_init = self._clock.timestamp_ns()
        snapshot: OrderBookDeltas = parse_levels_to_snapshot(
            bids,
            asks,
            ctx,
            num_str(depth.ts) or str(ts_init // 1_000_000),
            ts_init,
        )
        self._handle_data_response(
            DataType(OrderBookDeltas, metadata={"instrument_id": request.instrument_id}),
            [snapshot],
            request.id,
            None,
            None,
            request.params,
        )
