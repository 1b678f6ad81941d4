"""
``BitgetDataClient``: the ``LiveMarketDataClient`` (connect/disconnect, API selection,
instrument publishing and refresh); the rest comes from the mixins of this package.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from typing import Any

from nautilus_trader.cache.cache import Cache
from nautilus_trader.common.component import LiveClock
from nautilus_trader.common.component import MessageBus
from nautilus_trader.live.data_client import LiveMarketDataClient
from nautilus_trader.model.data import BarType
from nautilus_trader.model.identifiers import ClientId
from nautilus_trader.model.identifiers import InstrumentId
from nautilus_trader.model.instruments import Instrument

from nautilus_bitget.api.detect import AccountType
from nautilus_bitget.api.detect import detect_account_mode
from nautilus_bitget.api.streams import ClassicStreamDialect
from nautilus_bitget.api.streams import stream_dialect
from nautilus_bitget.common.book import BookIntegrity
from nautilus_bitget.common.credentials import resolve_credentials
from nautilus_bitget.common.errors import BitgetError
from nautilus_bitget.common.symbol import symbol_from_instrument_id
from nautilus_bitget.config import BitgetDataClientConfig
from nautilus_bitget.constants import BITGET_VENUE
from nautilus_bitget.data.books import BookSync
from nautilus_bitget.data.handlers import StreamHandlers
from nautilus_bitget.data.requests import Requests
from nautilus_bitget.data.stats import BitgetDataStats
from nautilus_bitget.data.subscriptions import Subscriptions
from nautilus_bitget.data.support import DataClientSupport
from nautilus_bitget.http.client import BitgetHttpClient
from nautilus_bitget.parsing.book import BookContext
from nautilus_bitget.parsing.market import CandleCloser
from nautilus_bitget.parsing.market import TradeDeduper
from nautilus_bitget.providers import BitgetInstrumentProvider
from nautilus_bitget.websocket.pool import BitgetWebSocketPool


class BitgetDataClient(
    Subscriptions,
    Requests,
    BookSync,
    StreamHandlers,
    DataClientSupport,
    LiveMarketDataClient,
):
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

    async def _connect(self) -> None:
        await self.select_api()
        await self._provider.initialize()
        self._publish_instruments(self._provider.list_all())
        for currency in self._provider.currencies().values():
            self._cache.add_currency(currency)
        await self._ws.connect()
        interval = self._config.update_instruments_interval_mins
        if interval:
            self._refresh_task = self._start_loop_task(
                self._refresh_instruments_loop(interval * 60.0),
                "instrument refresh",
            )

    async def select_api(self) -> AccountType:
        """
        Decide the account type once (later calls return it): v2 or v3 streams and instruments.

        With credentials (config or ``BITGET_API_*``) the key's account type is detected on
        ``/api/v3/account/settings`` (bitget-protocol-uta.md 1.2) and checked against
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
            # NautilusTrader only logs a failing _connect and never starts the trader: say why
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
        tasks = [self._refresh_task, self._status_task]
        self._refresh_task = None
        self._status_task = None
        await self._stop_loop_tasks(tasks)
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
