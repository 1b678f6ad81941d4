"""
The simulator's aiohttp server: REST, both WebSockets and the fault control API on one port.

``BitgetSimulator(SimConfig(...))``, ``await sim.start()``, ``sim.http_url`` /
``sim.ws_public_url`` / ``sim.ws_private_url``, ``sim.exchange`` (the truth), ``sim.faults``,
``await sim.stop()``. ``start_background()`` / ``stop_background()`` run it in its own thread.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import threading
import time
from dataclasses import dataclass
from typing import Any

import msgspec
from aiohttp import web

from nautilus_bitget.constants import SIM_API_PASSPHRASE
from nautilus_bitget.constants import SIM_API_SECRET
from nautilus_bitget.constants import sim_urls
from nautilus_bitget.sim import rest_private
from nautilus_bitget.sim import rest_public
from nautilus_bitget.sim import wire
from nautilus_bitget.sim.auth import AuthError
from nautilus_bitget.sim.auth import SimApiKey
from nautilus_bitget.sim.auth import SimAuthenticator
from nautilus_bitget.sim.events import BookChanged
from nautilus_bitget.sim.events import CandleUpdated
from nautilus_bitget.sim.events import FundingSettled
from nautilus_bitget.sim.events import TickerChanged
from nautilus_bitget.sim.events import Trades
from nautilus_bitget.sim.exchange import SimError
from nautilus_bitget.sim.exchange import SimExchange
from nautilus_bitget.sim.faults import SimFaults
from nautilus_bitget.sim.v3 import register_v3_routes
from nautilus_bitget.sim.v3.layer import SimV3
from nautilus_bitget.sim.wire import VenueError
from nautilus_bitget.sim.ws_private import PrivateWsServer
from nautilus_bitget.sim.ws_public import PublicWsServer


_log = logging.getLogger(__name__)

DEMO_API_KEY = "sim-demo-key"
_MARKET_EVENTS = (BookChanged, Trades, TickerChanged, CandleUpdated, FundingSettled)


@dataclass
class SimConfig:
    """
    Configuration of a :class:`BitgetSimulator`.

    Parameters
    ----------
    host, port : str, int
        Bind address; port 0 picks a free port.
    symbols : list[str], optional
        Markets to generate (default BTCUSDT, ETHUSDT, BTCPERP, BTCUSD).
    seed : int
        Market generator seed.
    checksum : bool
        Send a signed CRC32 ``checksum`` on ``books`` (bitget-protocol.md 6.1).
    account_mode : str
        ``"classic"`` or ``"uta"`` for the default account (UTA gets 40085 on v2 endpoints).
    book_rate_hz : float
        ``books`` messages per second per symbol.
    funding_interval_secs : float, optional
        Funding settlement interval (default: the contract's ``fundInterval`` hours).
    ws_idle_timeout_secs : float
        Close a socket after this long without a text ``ping`` (bitget-protocol.md 3.1: ~120 s).
    ws_max_msgs_per_sec : int
        Inbound messages per second per connection before it is closed (0 disables).
    ws_max_channels : int
        Channels per connection.
    ws_max_subscribes_per_hour : int
        Subscribe requests per hour per connection (bitget-protocol.md 3.1: 240; 0 disables).
    ws_max_age_secs : float, optional
        Force a clean disconnect after this connection age (Bitget: 24 h).
    rate_limits : bool
        Enforce the per-endpoint limits of bitget-protocol.md 7.2 (HTTP 429).
    push_interval_secs : float
        Flush period of throttled channels (ticker, candles).
    book_levels : int
        Depth of the generated books.
    replay : str, optional
        Serve a recorded Nautilus catalog instead of the generated market.
    replay_speed : float
        Replay speed (1.0 = real time).

    """

    host: str = "127.0.0.1"
    port: int = 0
    symbols: list[str] | None = None
    seed: int = 7
    checksum: bool = False
    account_mode: str = "classic"
    book_rate_hz: float = 10.0
    funding_interval_secs: float | None = None
    ws_idle_timeout_secs: float = 120.0
    ws_max_msgs_per_sec: int = 10
    ws_max_channels: int = 1000
    ws_max_subscribes_per_hour: int = 240
    ws_max_age_secs: float | None = 86_400.0
    rate_limits: bool = True
    push_interval_secs: float = 0.1
    book_levels: int = 200
    replay: str | None = None
    replay_speed: float = 1.0


class _TokenBuckets:
    """Token bucket per (uid or ip, path): ``rate`` tokens/s, capacity ``rate``."""

    def __init__(self) -> None:
        self._buckets: dict[tuple[str, str], list[float]] = {}

    def take(self, who: str, path: str, rate: float) -> int | None:
        """Take one token; return the remaining whole tokens, or ``None`` when limited."""
        now = time.monotonic()
        bucket = self._buckets.get((who, path))
        if bucket is None:
            bucket = [rate, now]
            self._buckets[(who, path)] = bucket
        tokens = min(rate, bucket[0] + (now - bucket[1]) * rate)
        bucket[1] = now
        if tokens < 1.0:
            bucket[0] = tokens
            return None
        bucket[0] = tokens - 1.0
        return int(bucket[0])


class BitgetSimulator:
    """
    A local Bitget (API v2 classic, mix) built to the documented behaviour.

    Parameters
    ----------
    config : SimConfig, optional
        The configuration (defaults apply when omitted).

    """

    def __init__(self, config: SimConfig | None = None) -> None:
        self.config = config or SimConfig()
        cfg = self.config
        self.replay: Any = None
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
        self.public = PublicWsServer(self)
        self.private = PrivateWsServer(self)
        self.v3: SimV3 | None = None
        self._buckets = _TokenBuckets()
        self._routes: dict[tuple[str, str], tuple[Any, float, bool]] = {}
        for path, fn, rate in rest_public.ROUTES:
            self._routes[("GET", path)] = (fn, rate, False)
        for method, path, fn, rate in rest_private.ROUTES:
            self._routes[(method, path)] = (fn, rate, True)
        self._runner: web.AppRunner | None = None
        self._tasks: list[asyncio.Task] = []
        self._port: int | None = None
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop_event: asyncio.Event | None = None
        self.exchange.add_listener(self._on_event)

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
        )
        if cfg.replay:
            from nautilus_bitget.sim.replay import CatalogReplay

            self.replay = CatalogReplay(exchange, cfg.replay, cfg.symbols, cfg.replay_speed)
            if self.replay.load() == 0:
                raise ValueError(f"no Bitget book or trade data found in catalog {cfg.replay}")
        return exchange

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
        app.router.add_get("/v2/ws/public", self.public.handle)
        app.router.add_get("/v2/ws/private", self.private.handle)
        # UTA API v3 (REST /api/v3 and /v3/ws/*) over the same engine, before the v2 catch-all
        self.v3 = register_v3_routes(app, self)
        app.router.add_route("*", "/api/{tail:.*}", self._dispatch)
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
        for srv in (self.public, self.private):
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
            servers = [self.public, self.private]
            if self.v3 is not None:
                servers += [self.v3.public, self.v3.private]
            busy = any(c._out for srv in servers for c in srv.conns if not c.closed)
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
            try:
                self.public.flush()
            except Exception:
                _log.exception("public flush failed")

    async def _sweep_loop(self) -> None:
        while True:
            await asyncio.sleep(0.5)
            now = time.monotonic()
            self.public.sweep(now)
            self.private.sweep(now)

    def _on_event(self, event: Any) -> None:
        if isinstance(event, _MARKET_EVENTS):
            self.public.on_event(event)
        else:
            self.private.on_event(event)

    def _drop_ws(self, which: str, clean: bool) -> int:
        n = 0
        if which in ("public", "both"):
            n += self.public.drop_all(clean)
        if which in ("private", "both"):
            n += self.private.drop_all(clean)
        if self.v3 is not None:
            n += self.v3.drop_all(which, clean)
        return n

    # -- auth -----------------------------------------------------------------------------------
    def _lookup_key(self, api_key: str) -> SimApiKey | None:
        acct = self.exchange.find_account(api_key)
        if acct is None:
            return None
        return SimApiKey(
            api_key=api_key,
            secret=acct.secret,
            passphrase=acct.passphrase,
            uid=str(int(hashlib.sha256(api_key.encode()).hexdigest()[:10], 16)),
            demo=api_key in self.demo_keys,
            account_mode="uta" if acct.uta else "classic",
        )

    # -- REST dispatch --------------------------------------------------------------------------
    async def _dispatch(self, request: web.Request) -> web.Response:
        path = request.path
        faults = self.faults
        status = faults.take_http_error(path)
        if status is not None:
            if status == 429:
                return wire.error("429", "Too many requests", status=429)
            return wire.error("40015", "System is abnormal, please try again later", status)
        delay = faults.take_slow(path)
        if delay:
            await asyncio.sleep(delay)
        route = self._routes.get((request.method, path))
        if route is None:
            return wire.error("40404", "Request URL NOT FOUND", status=404)
        fn, rate, signed = route
        body_bytes = await request.read()
        key: SimApiKey | None = None
        try:
            if signed:
                # Sign over the request target exactly as received (bitget-protocol.md 2.2)
                raw_path, _, raw_query = request.raw_path.partition("?")
                key = self.auth.verify_rest(
                    request.headers,
                    request.method,
                    raw_path,
                    raw_query,
                    body_bytes,
                )
                if key.account_mode == "uta":
                    raise VenueError(
                        "40085",
                        "You are in Unified Account mode, and the Classic Account API is "
                        "not supported",
                    )
            headers = None
            if self.config.rate_limits:
                who = key.uid if key is not None else str(request.remote)
                remaining = self._buckets.take(who, path, rate)
                if remaining is None:
                    return wire.error("429", "Too many requests", status=429)
                headers = {"x-mbx-used-remain-limit": str(remaining)}
            if signed:
                body = {}
                if request.method == "POST":
                    # bitget-protocol.md 2.1: POST requires Content-Type application/json (40007)
                    if request.content_type != "application/json":
                        raise VenueError(
                            "40007", "Invalid Content_Type, please use application/json format"
                        )
                    body = _json_body(body_bytes)
                data = fn(self, key.api_key, request.query, body)
            else:
                data = fn(self, request.query)
            response = wire.ok(data, self.now_ms(), headers)
        except AuthError as e:
            response = wire.error(e.code, e.msg, request_time=self.now_ms())
        except (VenueError, SimError) as e:
            status = getattr(e, "status", 400)
            response = wire.error(e.code, e.msg, status=status, request_time=self.now_ms())
        except Exception:
            _log.exception("sim handler failed: %s %s", request.method, path)
            response = wire.error("45001", "Unknown error", status=500)
        hang = faults.take_hang(path)
        if hang:
            # The request was executed; the client sees a timeout (unknown outcome)
            await asyncio.sleep(hang)
        return response


def _json_body(raw: bytes) -> dict:
    if not raw.strip():
        return {}
    try:
        body = msgspec.json.decode(raw)
    except msgspec.DecodeError:
        raise VenueError("40017", "Parameter verification failed: body is not JSON") from None
    if not isinstance(body, dict):
        raise VenueError("40017", "Parameter verification failed: body is not an object")
    return body
