"""
``BitgetDataClient``: the ``LiveMarketDataClient`` facade: connect and disconnect, the API
family, and the Nautilus commands, each handed to the collaborator doing the work.
"""

from __future__ import annotations

import asyncio
from functools import partial

from nautilus_trader.cache.cache import Cache
from nautilus_trader.common.component import LiveClock
from nautilus_trader.common.component import MessageBus
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
from nautilus_trader.model.data import DataType
from nautilus_trader.model.data import OrderBookDeltas
from nautilus_trader.model.identifiers import ClientId
from nautilus_trader.model.identifiers import InstrumentId

from nautilus_bitget.api import family
from nautilus_bitget.api.detect import AccountType
from nautilus_bitget.api.streams import StreamDialect
from nautilus_bitget.common.credentials import resolve_credentials
from nautilus_bitget.common.errors import BitgetError
from nautilus_bitget.common.symbol import symbol_from_instrument_id
from nautilus_bitget.config import BitgetDataClientConfig
from nautilus_bitget.constants import BITGET_VENUE
from nautilus_bitget.data.books import BookSync
from nautilus_bitget.data.channels import ChannelHandlers
from nautilus_bitget.data.instruments import Instruments
from nautilus_bitget.data.publisher import Publisher
from nautilus_bitget.data.refresh import InstrumentRefresher
from nautilus_bitget.data.requests import Requests
from nautilus_bitget.data.router import FrameRouter
from nautilus_bitget.data.stats import BitgetDataStats
from nautilus_bitget.data.status import STATUS_POLL_SECS
from nautilus_bitget.data.status import StatusPoller
from nautilus_bitget.data.subscriptions import BARS
from nautilus_bitget.data.subscriptions import DELTAS
from nautilus_bitget.data.subscriptions import DEPTH
from nautilus_bitget.data.subscriptions import FUNDING
from nautilus_bitget.data.subscriptions import INDEX
from nautilus_bitget.data.subscriptions import MARK
from nautilus_bitget.data.subscriptions import QUOTES
from nautilus_bitget.data.subscriptions import STATUS
from nautilus_bitget.data.subscriptions import TRADES
from nautilus_bitget.data.subscriptions import SubscriptionBook
from nautilus_bitget.http.client import BitgetHttpClient
from nautilus_bitget.providers import BitgetInstrumentProvider
from nautilus_bitget.websocket.pool import BitgetWebSocketPool


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
        self._provider = instrument_provider
        self._http = http_client or instrument_provider.market_api.http
        self.account_type: AccountType | None = None  # decided on connect
        self._publisher = Publisher(
            self._handle_data,
            self._msgbus.publish,
            BitgetDataStats(),
            self._log,
        )
        self._instruments = Instruments(instrument_provider, cache, self._publisher)
        # The family until connect selects the account's (``select_api``)
        api = family.default_api(self._http)
        self._requests = self._make_requests(api)
        self._wire(api.streams)

    def _wire(self, streams: StreamDialect) -> None:
        # Build the public socket of one family and everything around it. Runs before anything
        # is subscribed (``select_api`` comes first in ``_connect``): the reference count starts
        # empty. The socket takes the router's bound ``handle_frame`` and the channel handlers
        # take the socket, so routes are added once they exist; the socket's reconnect and
        # disconnect callbacks go through the facade for the same reason.
        config = self._config
        provider = self._provider
        publisher = self._publisher
        stats = publisher.stats
        log = self._log
        router = FrameRouter(streams, publisher, stats, log)
        ws = BitgetWebSocketPool(
            streams.ws_url(config.ws_public_url),
            router.handle_frame,
            ping_interval_secs=config.ws_ping_interval_secs,
            stale_timeout_secs=config.ws_stale_timeout_secs,
            on_reconnect=self._on_ws_reconnect,
            on_disconnect=self._on_ws_disconnect,
            name=f"bitget-public-{streams.api}",
            logger=log,
        )
        subscriptions = SubscriptionBook(
            streams,
            ws,
            provider.product_type_for,
            self._instruments.require,
            config.quote_channel == "ticker",
            stats,
            log,
        )
        books = BookSync(
            streams,
            subscriptions,
            self._instruments.context,
            publisher,
            stats,
            self._clock,
            log,
            self.create_task,
            config.verify_checksum,
        )
        channels = ChannelHandlers(
            streams,
            subscriptions.wanted,
            self._instruments.context,
            publisher,
            self._clock,
            provider.funding_interval_hours,
        )
        router.add_routes(books.routes())
        router.add_routes(channels.routes())
        minutes = config.update_instruments_interval_mins
        status = StatusPoller(
            provider,
            partial(subscriptions.symbols, STATUS),
            publisher,
            self._clock,
            self._loop,
            log,
            min(STATUS_POLL_SECS, minutes * 60.0) if minutes else STATUS_POLL_SECS,
        )
        self._streams = streams
        self._router = router
        self._ws = ws
        self._subscriptions = subscriptions
        self._books = books
        self._channels = channels
        self._status = status
        self._refresher = InstrumentRefresher(
            provider,
            self._instruments,
            status,
            self._loop,
            log,
            minutes * 60.0 if minutes else None,
        )

    def _make_requests(self, api: family.BitgetApi) -> Requests:
        return Requests(
            api.market,
            self._provider,
            self._instruments.require,
            self._publisher,
            self._clock,
            self._log,
        )

    # -- public surface ---------------------------------------------------------------------------

    @property
    def stats(self) -> BitgetDataStats:
        """The client's counters."""
        return self._publisher.stats

    @property
    def ws(self) -> BitgetWebSocketPool:
        """The public WebSocket pool."""
        return self._ws

    @property
    def market_data_api(self) -> str:
        """The API family of the public streams: ``"v2"`` (classic) or ``"v3"`` (UTA)."""
        return self._streams.api

    @property
    def instrument_provider(self) -> BitgetInstrumentProvider:
        """The instrument provider."""
        return self._provider

    @property
    def instruments(self) -> Instruments:
        """The instrument lookups (parse contexts by symbol, instruments by id)."""
        return self._instruments

    @property
    def subscriptions(self) -> SubscriptionBook:
        """The reference count of wanted streams and the socket subscriptions it derives."""
        return self._subscriptions

    @property
    def books(self) -> BookSync:
        """The integrity of the ``books`` streams."""
        return self._books

    @property
    def router(self) -> FrameRouter:
        """The public socket's frame handler (``router.handle_frame(raw)`` takes one frame)."""
        return self._router

    @property
    def status(self) -> StatusPoller:
        """The instrument status poll."""
        return self._status

    def book_synced(self, instrument_id: InstrumentId) -> bool:
        """Return whether the ``books`` stream of an instrument is in sync (snapshot accepted)."""
        return self._books.synced(symbol_from_instrument_id(instrument_id))

    # -- connection and API family ----------------------------------------------------------------

    async def _connect(self) -> None:
        await self.select_api()
        await self._provider.initialize()
        self._instruments.publish(self._provider.list_all())
        for currency in self._provider.currencies().values():
            self._cache.add_currency(currency)
        await self._ws.connect()
        self._refresher.start()

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
        self._provider.use_api(api)
        self._requests = self._make_requests(api)
        if api.streams.api != self._streams.api:
            self._wire(api.streams)  # nothing subscribed yet: connect comes after
        url = self._streams.ws_url(self._config.ws_public_url)
        self._log.info(f"Market data from the API {api.name} public streams and REST ({url})")

    async def _disconnect(self) -> None:
        await self._refresher.stop()
        await self._status.stop()
        await self._ws.disconnect()
        await self._http.close()

    def _on_ws_disconnect(self) -> None:
        dropped = self._ws.last_dropped
        symbols = None
        if dropped is not None:
            # Only the books of the connection that dropped lose frames
            symbols = self._subscriptions.symbols_on(self._ws.subscriptions_of(dropped))
            reason = dropped.last_disconnect_reason or "disconnect"
        else:
            reason = _disconnect_reason(self._ws)
        self._books.on_disconnect(reason, symbols)

    async def _on_ws_reconnect(self) -> None:
        await self._subscriptions.on_reconnect()

    # -- subscriptions ----------------------------------------------------------------------------

    async def _subscribe_instruments(self, command: SubscribeInstruments) -> None:
        pass  # instruments are published on connect and on every refresh

    async def _subscribe_instrument(self, command: SubscribeInstrument) -> None:
        pass

    async def _unsubscribe_instruments(self, command: UnsubscribeInstruments) -> None:
        pass

    async def _unsubscribe_instrument(self, command: UnsubscribeInstrument) -> None:
        pass

    async def _subscribe_order_book_deltas(self, command: SubscribeOrderBook) -> None:
        await self._subscriptions.acquire(DELTAS, command.instrument_id, self._books.track)

    async def _unsubscribe_order_book_deltas(self, command: UnsubscribeOrderBook) -> None:
        await self._subscriptions.release(DELTAS, command.instrument_id, self._books.untrack)

    async def _subscribe_order_book_depth(self, command: SubscribeOrderBook) -> None:
        await self._subscriptions.acquire(DEPTH, command.instrument_id)

    async def _unsubscribe_order_book_depth(self, command: UnsubscribeOrderBook) -> None:
        await self._subscriptions.release(DEPTH, command.instrument_id)

    async def _subscribe_quote_ticks(self, command: SubscribeQuoteTicks) -> None:
        await self._subscriptions.acquire(QUOTES, command.instrument_id)

    async def _unsubscribe_quote_ticks(self, command: UnsubscribeQuoteTicks) -> None:
        await self._subscriptions.release(QUOTES, command.instrument_id)

    async def _subscribe_trade_ticks(self, command: SubscribeTradeTicks) -> None:
        await self._subscriptions.acquire(
            TRADES,
            command.instrument_id,
            self._channels.track_trades,
        )

    async def _unsubscribe_trade_ticks(self, command: UnsubscribeTradeTicks) -> None:
        await self._subscriptions.release(
            TRADES,
            command.instrument_id,
            self._channels.untrack_trades,
        )

    async def _subscribe_mark_prices(self, command: SubscribeMarkPrices) -> None:
        await self._subscriptions.acquire(MARK, command.instrument_id)

    async def _unsubscribe_mark_prices(self, command: UnsubscribeMarkPrices) -> None:
        await self._subscriptions.release(MARK, command.instrument_id)

    async def _subscribe_index_prices(self, command: SubscribeIndexPrices) -> None:
        await self._subscriptions.acquire(INDEX, command.instrument_id)

    async def _unsubscribe_index_prices(self, command: UnsubscribeIndexPrices) -> None:
        await self._subscriptions.release(INDEX, command.instrument_id)

    async def _subscribe_funding_rates(self, command: SubscribeFundingRates) -> None:
        await self._subscriptions.acquire(FUNDING, command.instrument_id)

    async def _unsubscribe_funding_rates(self, command: UnsubscribeFundingRates) -> None:
        await self._subscriptions.release(FUNDING, command.instrument_id)

    async def _subscribe_bars(self, command: SubscribeBars) -> None:
        bar_type = command.bar_type
        subscriptions = self._subscriptions
        await subscriptions.acquire(
            BARS,
            bar_type.instrument_id,
            partial(self._channels.track_bars, bar_type),
            subscriptions.candle_channel(bar_type),
        )

    async def _unsubscribe_bars(self, command: UnsubscribeBars) -> None:
        bar_type = command.bar_type
        subscriptions = self._subscriptions
        await subscriptions.release(
            BARS,
            bar_type.instrument_id,
            self._channels.untrack_bars,
            subscriptions.candle_channel(bar_type),
        )

    async def _subscribe_instrument_status(self, command: SubscribeInstrumentStatus) -> None:
        await self._subscriptions.acquire(STATUS, command.instrument_id)
        await self._status.poll()
        self._status.start()

    async def _unsubscribe_instrument_status(self, command: UnsubscribeInstrumentStatus) -> None:
        await self._subscriptions.release(STATUS, command.instrument_id, self._status.forget)

    # -- requests ---------------------------------------------------------------------------------

    async def _request_instrument(self, request: RequestInstrument) -> None:
        instrument = await self._requests.instrument(request.instrument_id)
        if instrument is None:
            return
        self._handle_instrument(instrument, request.id, request.start, request.end, request.params)

    async def _request_instruments(self, request: RequestInstruments) -> None:
        self._handle_instruments(
            request.venue or BITGET_VENUE,
            await self._requests.instruments(),
            request.id,
            request.start,
            request.end,
            request.params,
        )

    async def _request_bars(self, request: RequestBars) -> None:
        bar_type = request.bar_type
        bars = await self._requests.bars(
            bar_type,
            request.start,
            request.end,
            request.limit,
            request.params,
        )
        if bars is None:
            return
        self._handle_bars(bar_type, bars, request.id, request.start, request.end, request.params)

    async def _request_trade_ticks(self, request: RequestTradeTicks) -> None:
        ticks = await self._requests.trade_ticks(
            request.instrument_id,
            request.start,
            request.end,
            request.limit,
        )
        self._handle_trade_ticks(
            request.instrument_id,
            ticks,
            request.id,
            request.start,
            request.end,
            request.params,
        )

    async def _request_funding_rates(self, request: RequestFundingRates) -> None:
        updates = await self._requests.funding_rates(
            request.instrument_id,
            request.start,
            request.end,
            request.limit,
        )
        self._handle_funding_rates(
            request.instrument_id,
            updates,
            request.id,
            request.start,
            request.end,
            request.params,
        )

    async def _request_order_book_snapshot(self, request: RequestOrderBookSnapshot) -> None:
        snapshot = await self._requests.book_snapshot(request.instrument_id, request.limit)
        self._handle_data_response(
            DataType(OrderBookDeltas, metadata={"instrument_id": request.instrument_id}),
            [snapshot],
            request.id,
            None,
            None,
            request.params,
        )


def _disconnect_reason(ws: BitgetWebSocketPool) -> str:
    # The pool shares one disconnect callback: the connection that dropped last tells why
    clients = [c for c in ws.clients if c.last_disconnect_reason is not None]
    if not clients:
        return "disconnect"
    latest = max(clients, key=lambda c: c.last_disconnect_ns)
    return latest.last_disconnect_reason or "disconnect"
