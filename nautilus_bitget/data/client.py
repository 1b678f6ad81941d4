"""
``BitgetDataClient``: the ``LiveMarketDataClient`` (connect/disconnect, API family, instrument
publishing and refresh); the rest comes from the mixins of this package.
"""

from __future__ import annotations

import asyncio
from collections import Counter

from nautilus_trader.cache.cache import Cache
from nautilus_trader.common.component import LiveClock
from nautilus_trader.common.component import MessageBus
from nautilus_trader.live.data_client import LiveMarketDataClient
from nautilus_trader.model.identifiers import ClientId
from nautilus_trader.model.identifiers import InstrumentId
from nautilus_trader.model.instruments import Instrument

from nautilus_bitget.api import family
from nautilus_bitget.api.detect import AccountType
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
        self._provider = instrument_provider
        self._http = http_client or instrument_provider.market_api.http
        self.stats = BitgetDataStats()
        self._logged_once = set()
        self.account_type: AccountType | None = None  # decided on connect
        # The family until connect selects the account's (``select_api``)
        self._api = family.default_api(self._http)
        self._streams = self._api.streams
        self._handlers = {}
        self._verify_checksum = config.verify_checksum
        self._checksum_streaks = {}
        self._ws = self._make_pool()

        self._contexts = {}
        self._subs = Counter()
        self._integrity = {}
        self._resync_pending = set()
        self._resync_tasks = {}
        self._resync_wake = {}
        self._trade_dedupe = {}
        self._bars = {}
        self._last_status = {}
        self._refresh_task = None
        self._status_task = None

    def _make_pool(self) -> BitgetWebSocketPool:
        streams = self._streams
        self._handlers = {
            streams.books: self._handle_books,
            streams.quotes: self._handle_books1,
            streams.depth: self._handle_books15,
            streams.trades: self._handle_trade,
            streams.ticker: self._handle_ticker,
        }
        for channel in streams.candle_channels():
            self._handlers[channel] = self._handle_candle
        return BitgetWebSocketPool(
            streams.ws_url(self._config.ws_public_url),
            self._handle_frame,
            ping_interval_secs=self._config.ws_ping_interval_secs,
            stale_timeout_secs=self._config.ws_stale_timeout_secs,
            on_reconnect=self._on_ws_reconnect,
            on_disconnect=self._on_ws_disconnect,
            name=f"bitget-public-{streams.api}",
            logger=self._log,
        )

    @property
    def ws(self) -> BitgetWebSocketPool:
        """The public WebSocket pool."""
        return self._ws

    @property
    def market_data_api(self) -> str:
        """The API family of the public streams: ``"v2"`` (classic) or ``"v3"`` (UTA)."""
        return self._streams.api

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
        Decide the API family once (later calls return it): streams, instruments and requests.

        ``api.family.select_api`` decides: with credentials (config or ``BITGET_API_*``) the key's
        account type is detected on ``account/settings`` (bitget-protocol-uta.md 1.2) and checked
        against ``account_mode``; without, ``account_mode="uta"`` selects v3 and anything else v2.

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
            # Detection needs a signed request; the family itself reads public endpoints only
            probe = BitgetHttpClient(
                config.http_url,
                credentials,
                environment=config.environment,
                timeout_secs=config.http_timeout_secs,
                max_retries=config.max_retries,
            )
        try:
            api = await family.select_api(
                self._http,
                config.account_mode,
                logger=self._log,
                probe=probe,
            )
        except BitgetError as e:
            # NautilusTrader only logs a failing _connect and never starts the trader: say why
            self._log.error(f"Bitget data client cannot start: {e}")
            raise
        finally:
            if probe is not None:
                await probe.close()
        self._use_api(api)
        return api.account_type

    def _use_api(self, api: family.BitgetApi) -> None:
        self.account_type = api.account_type
        self._api = api
        self._provider.use_api(api)
        rebuild = api.streams.api != self._streams.api
        self._streams = api.streams
        if rebuild:
            self._ws = self._make_pool()  # nothing subscribed yet: connect comes after
        url = self._streams.ws_url(self._config.ws_public_url)
        self._log.info(f"Market data from the API {api.name} public streams and REST ({url})")

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
                if self._status_symbols():
                    await self._poll_status()
            except BitgetError as e:
                self._log.warning(f"Instrument refresh failed: {e}")
