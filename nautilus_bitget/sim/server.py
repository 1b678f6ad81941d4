"""
The simulator's aiohttp server: REST (v2 and v3), the WebSockets and the fault control API on one
port. It builds the parts and wires them; the request path is :mod:`.pipeline`.

``BitgetSimulator(SimConfig(...))``, ``await sim.start()``, ``sim.http_url`` /
``sim.ws_public_url`` / ``sim.ws_private_url``, ``sim.exchange`` (the truth), ``sim.faults``,
``sim.v3`` (the UTA family), ``await sim.stop()``. ``start_background()`` /
``stop_background()`` run it in its own thread.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from typing import TYPE_CHECKING
from typing import Any

from aiohttp import web

from nautilus_bitget.constants import SIM_API_PASSPHRASE
from nautilus_bitget.constants import SIM_API_SECRET
from nautilus_bitget.constants import sim_urls
from nautilus_bitget.sim import key_info
from nautilus_bitget.sim import rest_private
from nautilus_bitget.sim import rest_public
from nautilus_bitget.sim.auth import SimApiKey
from nautilus_bitget.sim.auth import SimAuthenticator
from nautilus_bitget.sim.auth import uid_of
from nautilus_bitget.sim.config import SimConfig
from nautilus_bitget.sim.context import RestContext
from nautilus_bitget.sim.context import WsContext
from nautilus_bitget.sim.contracts import generated_book_rates
from nautilus_bitget.sim.contracts import generated_contracts
from nautilus_bitget.sim.events import MARKET_EVENTS
from nautilus_bitget.sim.exchange import SimExchange
from nautilus_bitget.sim.faults import SimFaults
from nautilus_bitget.sim.pipeline import RestApi
from nautilus_bitget.sim.pipeline import RestPipeline
from nautilus_bitget.sim.v3.layer import SimV3
from nautilus_bitget.sim.ws_limits import ConnectionGate
from nautilus_bitget.sim.ws_private import PrivateWsServer
from nautilus_bitget.sim.ws_public import PublicWsServer
from nautilus_bitget.sim.ws_public import WsServerBase
from nautilus_bitget.sim.ws_public import drop_sockets
from nautilus_bitget.sim.ws_trade import ClassicWsTradeOps


if TYPE_CHECKING:
    from nautilus_bitget.sim.replay import CatalogReplay


__all__ = ["DEMO_API_KEY", "BitgetSimulator", "SimConfig"]

_log = logging.getLogger(__name__)

DEMO_API_KEY = "sim-demo-key"
_WS_PATHS = ("/v2/ws/public", "/v2/ws/private", "/v3/ws/public", "/v3/ws/private")
GENERATED_LIVE_TRADES = 2_000  # live public trades kept per generated contract


class BitgetSimulator:
    """
    A local Bitget (API v2 classic ``mix`` and UTA API v3) built to the documented behaviour.

    Parameters
    ----------
    config : SimConfig, optional
        The configuration (defaults apply when omitted).

    """

    def __init__(self, config: SimConfig | None = None) -> None:
        self.config = config or SimConfig()
        cfg = self.config
        self.replay: CatalogReplay | None = None
        self.exchange = self._build_exchange()
        self.demo_keys: set[str] = {DEMO_API_KEY}
        if self.exchange.find_account(DEMO_API_KEY) is None:
            self.exchange.create_account(
                DEMO_API_KEY,
                SIM_API_SECRET,
                SIM_API_PASSPHRASE,
                uta=cfg.account_mode == "uta",
            )
        self.faults = SimFaults(on_drop=self._drop_ws)
        self.auth = SimAuthenticator(self._lookup_key, self.now_ms)
        self.gate = ConnectionGate(cfg)
        ws = WsContext(self.exchange, cfg, self.faults, self.auth, self.gate)
        self.public = PublicWsServer(ws)
        self.private = PrivateWsServer(ws)
        self.private.trade_ops = ClassicWsTradeOps(
            RestContext(self.exchange, self.now_ms), self.faults
        )
        self.v3 = SimV3(ws, self.now_ms)
        self._sockets: tuple[WsServerBase, ...] = (
            self.public,
            self.private,
            self.v3.public,
            self.v3.private,
        )
        # One request pipeline for both API families; /api/v3/ is v3, the rest of /api/ is v2
        self.rest = RestPipeline(self.auth, self.faults, self.now_ms, cfg.rate_limits)
        self.rest.mount(
            RestApi(
                "/api/",
                rest_private.DIALECT,
                RestContext(self.exchange, self.now_ms),
                rest_public.ROUTES + rest_private.ROUTES + key_info.V2_ROUTES,
            )
        )
        self.rest.mount(self.v3.rest)
        self._runner: web.AppRunner | None = None
        self._tasks: list[asyncio.Task] = []
        self._port: int | None = None
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop_event: asyncio.Event | None = None
        # One listener per family: the engine isolates a failing listener from the others
        self.exchange.add_listener(self._on_event)
        self.exchange.add_listener(self.v3.on_event)

    def _build_exchange(self) -> SimExchange:
        cfg = self.config
        funding_ms = int(cfg.funding_interval_secs * 1000) if cfg.funding_interval_secs else None
        exchange = SimExchange(
            symbols=cfg.symbols,
            seed=cfg.seed,
            # Replay drives the books from the catalog: the generator stays silent
            book_rate_hz=0.0 if cfg.replay else cfg.book_rate_hz,
            funding_interval_ms=funding_ms,
            book_levels=cfg.book_levels,
            account_mode=cfg.account_mode,
            # a replayed catalog is its own history
            history_days=0.0 if cfg.replay else cfg.history_days,
        )
        if cfg.contracts:
            if cfg.replay:
                raise ValueError("--contracts cannot be combined with --replay")
            self._add_generated(exchange, funding_ms)
        if cfg.replay:
            from nautilus_bitget.sim.replay import CatalogReplay

            self.replay = CatalogReplay(exchange, cfg.replay, cfg.symbols, cfg.replay_speed)
            if self.replay.load() == 0:
                raise ValueError(f"no Bitget book or trade data found in catalog {cfg.replay}")
        return exchange

    def _add_generated(self, exchange: SimExchange, funding_ms: int | None) -> None:
        cfg = self.config
        specs = generated_contracts(cfg.contracts, cfg.seed)
        taken = [s for s in specs if s in exchange.contracts]
        if taken:
            raise ValueError(f"generated symbol {taken[0]} is already listed; rename it")
        rates = generated_book_rates(list(specs), cfg.seed, cfg.contracts_active_fraction)
        for symbol, spec in specs.items():
            exchange.add_market(
                spec,
                book_rate_hz=rates[symbol],
                history_days=cfg.contracts_history_days,
                levels=cfg.book_levels,
                funding_interval_ms=funding_ms,
                live_trades=GENERATED_LIVE_TRADES,
            )

    # -- urls and clock -------------------------------------------------------------------------
    @property
    def port(self) -> int:
        """Return the bound port (after ``start``)."""
        if self._port is None:
            raise RuntimeError("simulator not started")
        return self._port

    @property
    def http_url(self) -> str:
        """Return ``http://host:port``."""
        return sim_urls(self.config.host, self.port)[0]

    @property
    def ws_public_url(self) -> str:
        """Return ``ws://host:port/v2/ws/public``."""
        return sim_urls(self.config.host, self.port)[1]

    @property
    def ws_private_url(self) -> str:
        """Return ``ws://host:port/v2/ws/private``."""
        return sim_urls(self.config.host, self.port)[2]

    def now_ms(self) -> int:
        """Return the server clock in ms (exchange clock plus any ``clock_skew`` fault)."""
        return self.exchange.now_ms() + self.faults.clock_skew_ms

    # -- lifecycle ------------------------------------------------------------------------------
    async def start(self) -> None:
        """Bind the port and start the market clock."""
        app = web.Application(client_max_size=1 << 20)
        app.router.add_routes(self.faults.routes())
        app.router.add_get("/_sim/ws", self._http_ws_stats)
        app.router.add_get("/v2/ws/public", self.public.handle)
        app.router.add_get("/v2/ws/private", self.private.handle)
        app.router.add_get("/v3/ws/public", self.v3.public.handle)
        app.router.add_get("/v3/ws/private", self.v3.private.handle)
        app.router.add_route("*", "/api/{tail:.*}", self.rest.handle)
        self._runner = web.AppRunner(
            app, access_log=None, handle_signals=False, shutdown_timeout=2.0
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.config.host, self.config.port, reuse_address=True)
        await site.start()
        self._port = self._runner.addresses[0][1]
        self._tasks = [
            asyncio.create_task(self._step_loop(), name="sim-step"),
            asyncio.create_task(self._flush_loop(), name="sim-flush"),
            asyncio.create_task(self._sweep_loop(), name="sim-sweep"),
        ]

    async def stop(self) -> None:
        """Close every socket and stop serving."""
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            try:
                await task
            except asyncio.CancelledError:
                pass
        self._tasks = []
        for srv in self._sockets:
            for conn in list(srv.conns):
                await conn.close(1001, b"server shutdown")
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> BitgetSimulator:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def start_background(self, timeout: float = 10.0) -> BitgetSimulator:
        """Run the simulator in a daemon thread with its own event loop; return self."""
        ready = threading.Event()
        errors: list[BaseException] = []

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            asyncio.set_event_loop(loop)

            async def main() -> None:
                self._stop_event = asyncio.Event()
                try:
                    await self.start()
                except BaseException as e:
                    errors.append(e)
                    ready.set()
                    return
                ready.set()
                await self._stop_event.wait()
                await self.stop()

            loop.run_until_complete(main())
            loop.close()

        self._thread = threading.Thread(target=run, name="bitget-sim", daemon=True)
        self._thread.start()
        if not ready.wait(timeout):
            raise TimeoutError("simulator did not start")
        if errors:
            raise errors[0]
        return self

    def stop_background(self, timeout: float = 10.0) -> None:
        """Stop a simulator started with ``start_background``."""
        if self._loop is not None and self._stop_event is not None:
            self._loop.call_soon_threadsafe(self._stop_event.set)
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def call(self, fn: Any, *args: Any) -> Any:
        """Run ``fn(*args)`` in the simulator's loop thread (background mode) and return it."""
        if self._loop is None or self._thread is None:
            return fn(*args)

        async def run() -> Any:
            return fn(*args)

        return asyncio.run_coroutine_threadsafe(run(), self._loop).result(10)

    async def wait_idle(self, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Wait until every queued WS frame has been written to its socket."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            busy = any(c.pending for srv in self._sockets for c in srv.conns if not c.closed)
            if not busy:
                return
            await asyncio.sleep(0.005)

    # -- loops ----------------------------------------------------------------------------------
    async def _step_loop(self) -> None:
        rate = max(self.config.book_rate_hz, 0.1)
        interval = max(0.001, min(0.02, 1.0 / rate))
        loop = asyncio.get_running_loop()
        next_at = loop.time()
        while True:
            try:
                if self.replay is not None:
                    self.replay.advance(self.exchange.now_ms())
                self.exchange.step()
            except Exception:
                _log.exception("exchange.step failed")
            next_at += interval
            delay = next_at - loop.time()
            if delay < -0.5:
                next_at = loop.time()
            await asyncio.sleep(max(0.0, delay))

    async def _flush_loop(self) -> None:
        while True:
            await asyncio.sleep(self.config.push_interval_secs)
            for srv in (self.public, self.v3.public):
                try:
                    srv.flush()
                except Exception:
                    _log.exception("public flush failed")

    async def _sweep_loop(self) -> None:
        while True:
            await asyncio.sleep(0.5)
            now = time.monotonic()
            for srv in self._sockets:
                srv.sweep(now)

    def ws_stats(self) -> dict[str, Any]:
        """Return the open WebSocket connections (kind, remote, channels, queued, sent frames)
        and how many connection attempts the per-IP limits refused."""
        conns = [
            {
                "kind": conn.kind,
                "path": path,
                "remote": conn.remote,
                "channels": len(conn.subs),
                "queued": conn.pending,
                "sent": conn.sent,
            }
            for path, srv in zip(_WS_PATHS, self._sockets, strict=True)
            for conn in srv.conns
        ]
        return {"connections": conns, "refused": self.gate.refused}

    async def _http_ws_stats(self, _request: web.Request) -> web.Response:
        return web.json_response(self.ws_stats())

    def _on_event(self, event: Any) -> None:
        if isinstance(event, MARKET_EVENTS):
            self.public.on_event(event)
        else:
            self.private.on_event(event)

    def _drop_ws(self, which: str, clean: bool) -> int:
        return drop_sockets(self._sockets, which, clean)

    # -- auth -----------------------------------------------------------------------------------
    def _lookup_key(self, api_key: str) -> SimApiKey | None:
        acct = self.exchange.find_account(api_key)
        if acct is None:
            return None
        return SimApiKey(
            api_key=api_key,
            secret=acct.secret,
            passphrase=acct.passphrase,
            uid=uid_of(api_key),
            demo=api_key in self.demo_keys,
            account_mode="uta" if acct.uta else "classic",
        )
