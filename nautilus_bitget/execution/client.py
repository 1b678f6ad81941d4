"""
``BitgetExecutionClient``: the ``LiveExecutionClient`` facade over named collaborators.

The client owns connection and API-family selection; everything else is delegated:

=======================  ======================================================================
``OrderRegistry``        per-order state (ids, aliases, emitted events, links), bounded
``OrderLookup``          venue identifiers -> our cached orders
``Deduplicator``         fills by trade id, funding bills by bill id (bounded)
``Routes``               instrument -> symbol / product type / margin coin
``PlanRows``             trigger and TP/SL plan listings
``ReportBuilder``        venue rows -> order status / fill / position reports (engine requests)
``OrderEventEmitter``    our orders' rows and outcomes -> Nautilus order events, once each
``OrderLinker``          venue orders spawned by trigger plans / bracket TP/SL -> our orders
``OutcomeResolver``      unknown outcomes and lost pushes -> the venue's true state
``OrderEntry``           submit, batch lists, brackets
``OrderAmender``         modify (v2 replace under an alias, v3 amend in place)
``OrderCanceller``       cancel, batch cancel, cancel all, confirmation
``PushRouter``           private WebSocket rows -> the collaborator that applies them
``Reconciler``           backfill after every private reconnect, open-order watchdog
``AccountSync``          position mode / leverage set-up, balances, positions
``FundingPoller``        funding ledger -> ``BitgetFundingPayment``
=======================  ======================================================================

Collaborators receive exactly what they use (the ``TradingApi`` seam, the registry, the cache,
the clock, the logger, the client's event generators as ``EventGenerators``, callbacks); none
holds the client.
"""

from __future__ import annotations

import asyncio

from nautilus_trader.cache.cache import Cache
from nautilus_trader.common.component import LiveClock
from nautilus_trader.common.component import MessageBus
from nautilus_trader.common.enums import LogColor
from nautilus_trader.common.providers import InstrumentProvider
from nautilus_trader.execution.messages import BatchCancelOrders
from nautilus_trader.execution.messages import CancelAllOrders
from nautilus_trader.execution.messages import CancelOrder
from nautilus_trader.execution.messages import GenerateFillReports
from nautilus_trader.execution.messages import GenerateOrderStatusReport
from nautilus_trader.execution.messages import GenerateOrderStatusReports
from nautilus_trader.execution.messages import GeneratePositionStatusReports
from nautilus_trader.execution.messages import ModifyOrder
from nautilus_trader.execution.messages import QueryAccount
from nautilus_trader.execution.messages import SubmitOrder
from nautilus_trader.execution.messages import SubmitOrderList
from nautilus_trader.execution.reports import FillReport
from nautilus_trader.execution.reports import OrderStatusReport
from nautilus_trader.execution.reports import PositionStatusReport
from nautilus_trader.live.execution_client import LiveExecutionClient
from nautilus_trader.model.currencies import USDC
from nautilus_trader.model.currencies import USDT
from nautilus_trader.model.enums import AccountType
from nautilus_trader.model.enums import OmsType
from nautilus_trader.model.identifiers import AccountId
from nautilus_trader.model.identifiers import ClientId
from nautilus_trader.model.objects import Currency

from nautilus_bitget.api.detect import BitgetAccountModeError
from nautilus_bitget.api.family import BitgetApi
from nautilus_bitget.api.family import build_api
from nautilus_bitget.api.family import select_api
from nautilus_bitget.common.backoff import backoff_secs
from nautilus_bitget.common.credentials import resolve_credentials
from nautilus_bitget.common.errors import BitgetError
from nautilus_bitget.common.tasks import until_cancelled
from nautilus_bitget.compat import track_task
from nautilus_bitget.config import BitgetExecClientConfig
from nautilus_bitget.constants import BITGET_VENUE
from nautilus_bitget.constants import BitgetProductType
from nautilus_bitget.execution.account import AccountSync
from nautilus_bitget.execution.amend import OrderAmender
from nautilus_bitget.execution.bad_input import BadInputCounter
from nautilus_bitget.execution.cancel import OrderCanceller
from nautilus_bitget.execution.common import BILL_ID_MEMORY
from nautilus_bitget.execution.common import TRADE_ID_MEMORY
from nautilus_bitget.execution.context import ExecTimings
from nautilus_bitget.execution.context import Session
from nautilus_bitget.execution.context import Tunable
from nautilus_bitget.execution.dedupe import Deduplicator
from nautilus_bitget.execution.entry import OrderEntry
from nautilus_bitget.execution.events import OrderEventEmitter
from nautilus_bitget.execution.funding import FundingPoller
from nautilus_bitget.execution.generators import EventGenerators
from nautilus_bitget.execution.linking import OrderLinker
from nautilus_bitget.execution.lookup import OrderLookup
from nautilus_bitget.execution.outcome import OutcomeResolver
from nautilus_bitget.execution.plan_rows import PlanRows
from nautilus_bitget.execution.pushes import PushRouter
from nautilus_bitget.execution.reconcile import Reconciler
from nautilus_bitget.execution.registry import OrderRegistry
from nautilus_bitget.execution.reports import ReportBuilder
from nautilus_bitget.execution.routes import Routes
from nautilus_bitget.execution.transport import order_transport
from nautilus_bitget.http.client import BitgetHttpClient
from nautilus_bitget.providers import BitgetInstrumentProvider
from nautilus_bitget.websocket.client import BitgetWebSocketClient
from nautilus_bitget.websocket.trade import BitgetTradeSocket


def base_currency_for(product_types: tuple[BitgetProductType, ...]) -> Currency | None:
    """Return the single margin currency of the configured product types (``None`` = multi)."""
    if len(product_types) != 1:
        return None
    return {BitgetProductType.USDT_FUTURES: USDT, BitgetProductType.USDC_FUTURES: USDC}.get(
        product_types[0],
    )


class BitgetExecutionClient(LiveExecutionClient):
    """
    Execution client for Bitget USDT-M / USDC-M / COIN-M perpetuals (API v2 classic or v3 UTA).

    Parameters
    ----------
    loop : asyncio.AbstractEventLoop
        The event loop.
    msgbus : MessageBus
        The message bus.
    cache : Cache
        The cache.
    clock : LiveClock
        The clock.
    instrument_provider : InstrumentProvider
        Provider of ``-PERP.BITGET`` instruments.
    config : BitgetExecClientConfig
        The configuration.
    name : str, optional
        Client id (default ``BITGET``); the account id is ``<name>-master``.

    """

    # Tunables: set on the class (before construction) or on an instance; collaborators read
    # them from the shared ``timings`` (``ExecTimings``) when they use them.
    funding_poll_secs = Tunable(60.0)
    unknown_outcome_retries = Tunable(4)
    unknown_outcome_delay_secs = Tunable(0.5)
    cancel_confirm_secs = Tunable(2.0)
    watchdog_interval_secs = Tunable(3.0)
    bracket_link_wait_secs = Tunable(1.0)

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        msgbus: MessageBus,
        cache: Cache,
        clock: LiveClock,
        instrument_provider: InstrumentProvider,
        config: BitgetExecClientConfig,
        name: str | None = None,
    ) -> None:
        self.timings = ExecTimings.of(type(self))
        client_id = ClientId(name or BITGET_VENUE.value)
        self._hedge = config.position_mode == "hedge"
        super().__init__(
            loop=loop,
            client_id=client_id,
            venue=BITGET_VENUE,
            oms_type=OmsType.HEDGING if self._hedge else OmsType.NETTING,
            account_type=AccountType.MARGIN,
            base_currency=base_currency_for(config.product_types),
            instrument_provider=instrument_provider,
            msgbus=msgbus,
            cache=cache,
            clock=clock,
            config=config,
        )
        self._set_account_id(AccountId(f"{client_id.value}-master"))
        self._config = config
        self._credentials = resolve_credentials(
            config.api_key,
            config.api_secret,
            config.api_passphrase,
            required=True,
        )
        self._http = BitgetHttpClient(
            config.http_url,
            self._credentials,
            environment=config.environment,
            timeout_secs=config.http_timeout_secs,
            max_retries=config.max_retries,
            logger=self._log,
        )
        # State that outlives an API-family switch
        self._routes = Routes(
            cache, instrument_provider, tuple(p.value for p in config.product_types)
        )
        self._orders = OrderRegistry()  # bounded: closed orders pruned past a retention window
        self._lookup = OrderLookup(self._orders, cache)
        self._fill_ids = Deduplicator(TRADE_ID_MEMORY)
        self._bill_ids = Deduplicator(BILL_ID_MEMORY)
        self._bad_inputs = BadInputCounter(self._log)
        self._session = Session()
        self._events = EventGenerators.of(self)
        self._funding_task: asyncio.Task | None = None
        self._watchdog_task: asyncio.Task | None = None
        self._trade_connect_task: asyncio.Task | None = None
        # API family: the configured guess until connect detects it (``_select_api``)
        self._assemble(
            build_api(
                config.account_mode,
                self._http,
                hedge=self._hedge,
                margin_mode=config.margin_mode,
            ),
        )

    def _assemble(self, family: BitgetApi) -> None:
        """
        Build the collaborators that speak to the venue, for the API family ``api``.

        Runs in ``__init__`` with the configured family and again on connect if detection picks
        the other one (before anything is sent); the state built in ``__init__`` is kept.
        """
        cache, clock, log, timings = self._cache, self._clock, self._log, self.timings
        use_position_ids = self._config.use_position_ids
        api = family.trading
        self._api = api
        self._trade_socket, transport = order_transport(
            family,
            self._config,
            self._credentials,
            on_bad_input=self._bad_inputs.count,
            log=log,
        )
        plan_rows = PlanRows(api, self._session, self._bad_inputs)
        self._reports = ReportBuilder(
            api,
            self._routes,
            self._lookup,
            self._orders,
            plan_rows,
            self._fill_ids,
            cache,
            clock,
            account_id=self.account_id,
            hedge=self._hedge,
            use_position_ids=use_position_ids,
            bad_inputs=self._bad_inputs,
            log=log,
        )
        emitter = OrderEventEmitter(
            self._orders,
            self._fill_ids,
            self._reports,
            cache,
            clock,
            self._events,
            hedge=self._hedge,
            use_position_ids=use_position_ids,
            log=log,
        )
        resolver = OutcomeResolver(
            api,
            self._routes,
            self._orders,
            cache,
            clock,
            emitter,
            self._reports,
            plan_rows,
            self._fill_ids,
            timings=timings,
            log=log,
        )
        self._canceller = OrderCanceller(
            api,
            transport,
            self._routes,
            self._orders,
            cache,
            clock,
            emitter,
            resolver,
            self._reports,
            timings=timings,
            spawn=self.create_task,
            log=log,
        )
        linker = OrderLinker(
            self._orders,
            cache,
            clock,
            emitter,
            plan_rows,
            self._routes.product_types,
            timings=timings,
            loop=self._loop,
            spawn=self.create_task,
            cancel_venue_tpsl=self._canceller.cancel_venue_tpsl,
            log=log,
        )
        self._entry = OrderEntry(
            api,
            transport,
            self._routes,
            self._orders,
            cache,
            clock,
            emitter,
            resolver,
            hedge=self._hedge,
            max_batch_size=self._config.max_batch_size,
            log=log,
        )
        amender = OrderAmender(
            api,
            transport,
            self._routes,
            self._orders,
            cache,
            emitter,
            timings=timings,
            spawn=self.create_task,
            log=log,
        )
        self._amender = amender
        self._account = AccountSync(
            api,
            self._routes,
            cache,
            clock,
            self._events.account_state,
            base_currency=self.base_currency,
            position_mode=self._config.position_mode,
            leverages=self._config.leverages,
            log=log,
        )
        self._funding = FundingPoller(
            api,
            self._routes.product_types,
            self._session,
            self._bill_ids,
            currency=self._account.currency,
            refresh_account=self._account.refresh,
            publish=self._msgbus.publish,
            clock=clock,
            timings=timings,
            log=log,
        )
        self._reconciler = Reconciler(
            api,
            self._routes,
            self._orders,
            self._lookup,
            cache,
            clock,
            emitter,
            resolver,
            linker,
            self._reports,
            plan_rows,
            self._fill_ids,
            self._events,
            self._account,
            poll_funding=self._funding.poll,
            session=self._session,
            venue_time_ms=self._http.timestamp_ms,
            timings=timings,
            log=log,
        )
        self._pushes = PushRouter(
            api,
            self._lookup,
            linker,
            emitter,
            self._reports,
            self._fill_ids,
            self._events,
            self._account,
            amender,
            self._bad_inputs,
            cache,
            loop=self._loop,
            log=log,
        )
        self._ws = BitgetWebSocketClient(
            api.private_ws_url(self._config.ws_private_url),
            self._pushes.handle_frame,
            credentials=self._credentials,
            ping_interval_secs=self._config.ws_ping_interval_secs,
            stale_timeout_secs=self._config.ws_stale_timeout_secs,
            on_reconnect=self._reconciler.on_reconnect,
            on_disconnect=self._reconciler.on_disconnect,
            name="bitget-private",
            logger=log,
        )

    # -- public attributes -------------------------------------------------------------------------

    @property
    def http(self) -> BitgetHttpClient:
        """The REST client."""
        return self._http

    @property
    def ws(self) -> BitgetWebSocketClient:
        """The private WebSocket client."""
        return self._ws

    @property
    def trade_socket(self) -> BitgetTradeSocket | None:
        """The trade socket of ``order_entry="websocket"`` (``None`` with REST)."""
        return self._trade_socket

    @property
    def is_hedge(self) -> bool:
        """Whether orders are sent in hedge-mode shape."""
        return self._hedge

    @property
    def api(self) -> str:
        """The API family in use: ``"v2"`` (classic account) or ``"v3"`` (UTA)."""
        return self._api.name

    @property
    def bad_input_counts(self) -> dict[tuple[str, str], int]:
        """Malformed private pushes and report rows skipped, by ``(channel, error type)``."""
        return self._bad_inputs.counts

    @property
    def registry(self) -> OrderRegistry:
        """The per-order state (venue ids, aliases, bracket links; bounded)."""
        return self._orders

    @property
    def fill_ids(self) -> Deduplicator:
        """Trade ids already applied (bounded: the oldest are forgotten past ``capacity``)."""
        return self._fill_ids

    def state_sizes(self) -> dict[str, int]:
        """
        Return the entry count of everything kept per order, trade or bill (soak measurements).

        Registry maps by name, plus ``fill_ids``, ``bill_ids`` and ``positions``.
        """
        sizes = self._orders.sizes()
        sizes["fill_ids"] = len(self._fill_ids)
        sizes["bill_ids"] = len(self._bill_ids)
        sizes["positions"] = len(self._account.positions)
        return sizes

    @property
    def pushes(self) -> PushRouter:
        """The private-stream router (``pushes.handle_frame(raw)`` applies one frame)."""
        return self._pushes

    # -- connection --------------------------------------------------------------------------------

    async def _connect(self) -> None:
        try:
            await self._http.sync_clock()
        except BitgetError as e:
            self._log.warning(f"Clock sync failed, using local time: {e}")
        self._session.connected_ms = self._http.timestamp_ms()
        await self._select_api()
        await self._instrument_provider.initialize()
        for instrument in self._instrument_provider.list_all():
            self._cache.add_instrument(instrument)
        for currency in self._instrument_provider.currencies().values():
            self._cache.add_currency(currency)
        await self._account.ensure_position_modes()
        await self._account.apply_leverages()
        await self._account.refresh()
        await self._ws.connect()
        await self._ws.subscribe(self._api.private_subscriptions(self._routes.product_types))
        if self._trade_socket is not None:
            self._trade_connect_task = self.create_task(
                self._connect_trade_socket(self._trade_socket), log_msg="trade socket"
            )
        await self._await_account_registered(timeout_secs=30.0)
        self._funding_task = self.create_task(
            until_cancelled(self._funding.run()), log_msg="funding poll"
        )
        self._watchdog_task = self.create_task(
            until_cancelled(self._reconciler.run_watchdog()),
            log_msg="order watchdog",
        )

    async def _select_api(self) -> None:
        """
        Detect the account type (bitget-protocol-uta.md 1.2) and use its API for the process.

        Raises on a hand-set ``account_mode`` that contradicts the key (the message says what to
        change) and on auth/network errors (nothing is guessed).
        """
        try:
            api = await select_api(
                self._http,
                self._config.account_mode,
                hedge=self._hedge,
                margin_mode=self._config.margin_mode,
                logger=self._log,
            )
        except BitgetAccountModeError as e:
            self._log.error(f"Bitget execution client cannot start: {e.message}")
            raise
        if isinstance(self._instrument_provider, BitgetInstrumentProvider):
            self._instrument_provider.use_api(api)
        if api.trading.name != self._api.name:
            self._assemble(api)
        self._log.info(f"Execution on Bitget API {self.api} ({self._ws.url})")

    async def _connect_trade_socket(self, socket: BitgetTradeSocket) -> None:
        """
        Connect the trade socket (WebSocket order entry); until it is logged in, orders go over
        REST. A refused first login is retried with backoff (the socket reconnects by itself
        once it has been up).
        """
        attempt = 0
        while True:
            attempt += 1
            try:
                await socket.connect()
            except BitgetError as e:
                delay = backoff_secs(attempt, 1.0, 60.0)
                self._log.warning(f"Trade socket: {e}; orders go over REST (retry in {delay:.0f}s)")
                await asyncio.sleep(delay)
                continue
            self._log.info(f"Order entry over WebSocket ({socket.ws.url})")
            return

    async def _disconnect(self) -> None:
        for task in (self._funding_task, self._watchdog_task, self._trade_connect_task):
            if task is not None:
                task.cancel()
        self._funding_task = None
        self._watchdog_task = None
        self._trade_connect_task = None
        if self._trade_socket is not None:
            await self._trade_socket.disconnect()
        await self._ws.disconnect()
        await self._http.close()

    # -- commands ----------------------------------------------------------------------------------

    def submit_order(self, command: SubmitOrder) -> None:
        """
        Start the submission now: the task starts eagerly, so the signed request is written
        before control returns to the engine (tick-to-trade), instead of on a later loop pass.
        """
        task = asyncio.Task(self._submit_order(command), loop=self._loop, eager_start=True)
        track_task(self, task)
        self._log.info(f"Submit {command.order.client_order_id!r}", LogColor.BLUE)

    async def _submit_order(self, command: SubmitOrder) -> None:
        await self._entry.submit(command)

    async def _submit_order_list(self, command: SubmitOrderList) -> None:
        await self._entry.submit_list(command)

    async def _modify_order(self, command: ModifyOrder) -> None:
        await self._amender.modify(command)

    async def _cancel_order(self, command: CancelOrder) -> None:
        await self._canceller.cancel(command)

    async def _batch_cancel_orders(self, command: BatchCancelOrders) -> None:
        await self._canceller.batch_cancel(command)

    async def _cancel_all_orders(self, command: CancelAllOrders) -> None:
        await self._canceller.cancel_all(command)

    async def _query_account(self, command: QueryAccount) -> None:
        await self._account.refresh()

    # -- reports -----------------------------------------------------------------------------------

    async def generate_order_status_report(
        self,
        command: GenerateOrderStatusReport,
    ) -> OrderStatusReport | None:
        """Return the venue state of one order (by venue order id or clientOid)."""
        return await self._reports.order_status_report(command)

    async def generate_order_status_reports(
        self,
        command: GenerateOrderStatusReports,
    ) -> list[OrderStatusReport]:
        """Return open orders (and, unless ``open_only``, recent history) incl. plan orders."""
        return await self._reports.order_status_reports(command)

    async def generate_fill_reports(self, command: GenerateFillReports) -> list[FillReport]:
        """Return fills since ``command.start`` (they count as applied for de-duplication)."""
        return await self._reports.fill_reports(command)

    async def generate_position_status_reports(
        self,
        command: GeneratePositionStatusReports,
    ) -> list[PositionStatusReport]:
        """Return open positions; a requested flat instrument reports FLAT."""
        return await self._reports.position_status_reports(command)

    # -- catch-up on demand ------------------------------------------------------------------------

    async def backfill(self, since_ms: int) -> None:
        """
        Reconcile our orders, fills and the account with the venue since ``since_ms`` (venue ms).

        Runs by itself after every private reconnect.
        """
        await self._reconciler.backfill(since_ms)

    async def poll_funding(self) -> None:
        """Poll the funding ledger now (it is also polled every ``funding_poll_secs``)."""
        await self._funding.poll()
