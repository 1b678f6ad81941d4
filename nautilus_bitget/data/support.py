"""
State and helpers shared by the data client mixins: the subscription key, log-once, skip
counting, instrument lookups, publishing.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from collections.abc import Coroutine
from typing import TYPE_CHECKING
from typing import Any
from typing import NamedTuple

from nautilus_trader.core.data import Data
from nautilus_trader.model.data import BarType
from nautilus_trader.model.identifiers import InstrumentId
from nautilus_trader.model.instruments import Instrument

from nautilus_bitget.common.symbol import instrument_id_for_symbol
from nautilus_bitget.parsing.book import BookContext
from nautilus_bitget.websocket.client import subscription_key


if TYPE_CHECKING:
    from nautilus_trader.live.data_client import LiveMarketDataClient as _ClientBase

    from nautilus_bitget.api.family import BitgetApi
    from nautilus_bitget.api.streams import StreamDialect
    from nautilus_bitget.common.book import BookIntegrity
    from nautilus_bitget.config import BitgetDataClientConfig
    from nautilus_bitget.data.stats import BitgetDataStats
    from nautilus_bitget.http.client import BitgetHttpClient
    from nautilus_bitget.parsing.market import CandleCloser
    from nautilus_bitget.parsing.market import TradeDeduper
    from nautilus_bitget.providers import BitgetInstrumentProvider
    from nautilus_bitget.websocket.pool import BitgetWebSocketPool
else:
    _ClientBase = object


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


class DataClientState(_ClientBase):
    """The state ``BitgetDataClient.__init__`` sets and the mixins share (declared for typing)."""

    _config: BitgetDataClientConfig
    _provider: BitgetInstrumentProvider
    _http: BitgetHttpClient
    _api: BitgetApi
    _streams: StreamDialect
    _ws: BitgetWebSocketPool
    stats: BitgetDataStats
    _logged_once: set[str]
    _handlers: dict[str, Callable[[str, str, Any], None]]
    _verify_checksum: bool
    _checksum_streaks: dict[str, int]
    _contexts: dict[str, BookContext]
    # Every wanted stream with its reference count: the socket subscriptions, the kinds a shared
    # channel is parsed into and the polled statuses all derive from it
    _subs: Counter[Sub]
    _integrity: dict[str, BookIntegrity]
    _resync_pending: set[str]
    _resync_tasks: dict[str, asyncio.Task[None]]
    _resync_wake: dict[str, asyncio.Event]
    _trade_dedupe: dict[str, TradeDeduper]
    _bars: dict[tuple[str, str], tuple[BarType, CandleCloser]]
    _last_status: dict[str, str]
    _refresh_task: asyncio.Task[None] | None
    _status_task: asyncio.Task[None] | None


class DataClientSupport(DataClientState):
    """Shared helpers of ``BitgetDataClient`` (a mixin; state lives on the client)."""

    def _start_loop_task(
        self,
        coro: Coroutine[Any, Any, None],
        name: str,
    ) -> asyncio.Task[None] | None:
        # Periodic loops are stopped by ``_disconnect``: not through ``create_task``, whose done
        # callback logs a WARN for every cancelled task (so at every normal stop)
        if not self._loop or not self._loop.is_running():
            coro.close()
            self._log.error(f"Async task '{name}' created but event loop is not running")
            return None
        task: asyncio.Task[None] = self._loop.create_task(coro, name=name)
        task.add_done_callback(self._on_loop_task_done)
        return task

    def _on_loop_task_done(self, task: asyncio.Task[None]) -> None:
        if task.cancelled():
            return
        exception = task.exception()
        if exception is not None:
            self._log.exception(f"Error running '{task.get_name()}'", exception)

    async def _stop_loop_tasks(self, tasks: list[asyncio.Task[None] | None]) -> None:
        pending = [task for task in tasks if task is not None]
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.gather(*pending, return_exceptions=True)

    def _log_once(self, key: str, message: str) -> None:
        if key in self._logged_once:
            return
        self._logged_once.add(key)
        self._log.warning(f"{message} (further occurrences counted in stats, not logged)")

    def _malformed(self, kind: str, error: BaseException | str) -> None:
        self.stats.malformed += 1
        self._log_once(f"malformed:{kind}", f"Skipped malformed {kind} frame: {error}")

    def _unknown_symbol(self, symbol: str) -> None:
        self.stats.unknown_symbol += 1
        self._log_once(f"symbol:{symbol}", f"Frame for unknown symbol {symbol!r} skipped")

    def _publish(self, data: Data) -> None:
        self.stats.published += 1
        self._handle_data(data)

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
        return self._streams.arg(channel, symbol, self._provider.product_type_for(symbol))

    def _wanted_args(self) -> list[dict[str, str]]:
        """Return the socket subscriptions the reference count asks for."""
        pairs = {(sub.channel, sub.symbol) for sub in self._subs if sub.channel}
        return [self._arg(channel, symbol) for channel, symbol in sorted(pairs)]

    async def _sync_channels(self) -> None:
        """Subscribe and unsubscribe so the socket carries exactly ``_wanted_args``."""
        wanted = {subscription_key(arg): arg for arg in self._wanted_args()}
        have = self._ws.subscriptions
        extra = [dict(key) for key in sorted(have - wanted.keys())]
        missing = [wanted[key] for key in sorted(wanted.keys() - have)]
        if extra:
            await self._ws.unsubscribe(extra)
        if missing:
            await self._ws.subscribe(missing)
