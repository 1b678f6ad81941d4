"""
The simulator's v3 protocol layer: REST dispatch, both v3 sockets, modify bookkeeping.

One ``SimV3`` per ``BitgetSimulator``, sharing its engine (``sim.exchange``), authenticator,
faults and config. A classic account calling v3 gets ``40084`` (bitget-protocol-uta.md 1.2).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from typing import Any

import msgspec
from aiohttp import web

from nautilus_bitget.sim import wire
from nautilus_bitget.sim.auth import AuthError
from nautilus_bitget.sim.events import BookChanged
from nautilus_bitget.sim.events import CandleUpdated
from nautilus_bitget.sim.events import FundingSettled
from nautilus_bitget.sim.events import OrderEvent
from nautilus_bitget.sim.events import TickerChanged
from nautilus_bitget.sim.events import Trades
from nautilus_bitget.sim.exchange import SimError
from nautilus_bitget.sim.v3 import rest
from nautilus_bitget.sim.v3.ws import V3PrivateWs
from nautilus_bitget.sim.v3.ws import V3PublicWs
from nautilus_bitget.sim.wire import VenueError


_log = logging.getLogger(__name__)

_MARKET_EVENTS = (BookChanged, Trades, TickerChanged, CandleUpdated, FundingSettled)
CLASSIC_ON_V3_CODE = "40084"
CLASSIC_ON_V3_MSG = (
    "You are in Classic Account mode, and the Unified Account API is not supported at this time"
)


class _Buckets:
    """Token bucket per (uid or ip, path): ``rate`` tokens/s."""

    def __init__(self) -> None:
        self._b: dict[tuple[str, str], list[float]] = {}

    def take(self, who: str, path: str, rate: float) -> bool:
        now = time.monotonic()
        b = self._b.setdefault((who, path), [rate, now])
        b[0] = min(rate, b[0] + (now - b[1]) * rate)
        b[1] = now
        if b[0] < 1.0:
            return False
        b[0] -= 1.0
        return True


class SimV3:
    """
    The v3 layer of one simulator.

    Parameters
    ----------
    sim : BitgetSimulator
        The simulator whose engine, auth, faults and config are shared.

    """

    def __init__(self, sim: Any) -> None:
        self.sim = sim
        self.exchange = sim.exchange
        self.seq_as_string = False  # send books seq/pseq as JSON strings (4.5: both occur)
        self.public = V3PublicWs(self)
        self.private = V3PrivateWs(self)
        self._public_routes = {path: (fn, rate) for path, fn, rate in rest.PUBLIC_ROUTES}
        self._private_routes = {(m, path): (fn, rate) for m, path, fn, rate in rest.PRIVATE_ROUTES}
        self._buckets = _Buckets()
        self._public_ids: dict[str, str] = {}  # engine order id -> public id (modify keeps it)
        self._engine_ids: dict[str, str] = {}  # public id -> current engine order id
        self._request_ids: dict[str, str] = {}  # engine order id -> modify requestId
        self._modifying: tuple[str, str, str, str] | None = None  # key, old id, clientOid, public
        self._pending_request_id: str | None = None
        self._tasks: list[asyncio.Task] = []
        self.exchange.add_listener(self._on_event)

    # -- ids ------------------------------------------------------------------------------------
    def public_id(self, engine_id: str) -> str:
        """Return the id v3 shows for an engine order id."""
        return self._public_ids.get(engine_id, engine_id)

    def engine_id(self, public_id: str) -> str:
        """Return the engine's current order id behind a public id."""
        return self._engine_ids.get(public_id, public_id)

    def request_id(self, engine_id: str) -> str | None:
        """Return the ``requestId`` of the modify that created this engine order, if any."""
        return self._request_ids.get(engine_id)

    def uid(self, api_key: str) -> str:
        """Return the account uid of a key (same derivation as the v2 server)."""
        return str(int(hashlib.sha256(api_key.encode()).hexdigest()[:10], 16))

    # -- modify (3.6: asynchronous, same public orderId) ----------------------------------------
    def schedule_modify(self, api_key: str, order: Any, **kwargs: Any) -> None:
        """Apply a modify after the ack is written (the venue confirms via the order push)."""
        asyncio.get_running_loop().call_soon(self._apply_modify, api_key, order, kwargs)

    def _apply_modify(self, api_key: str, order: Any, kw: dict) -> None:
        ex = self.exchange
        spec = ex.contracts[order.symbol]
        current = ex.get_order(api_key, order.symbol, order.order_id)
        body = {
            "symbol": order.symbol,
            "productType": order.product_type,
            "orderId": order.order_id,
            "newClientOid": order.client_oid,
            "newSize": kw["qty"] or spec.fmt_size(current.size - current.filled_qty),
            "newPrice": kw["price"] or spec.fmt_price(current.price),
        }
        public = self.public_id(order.order_id)
        self._modifying = (api_key, order.order_id, order.client_oid, public)
        self._pending_request_id = kw["request_id"]
        try:
            ex.modify_order(api_key, body)
        except SimError as e:
            _log.debug("v3 modify of %s failed: %s", public, e)
            if kw["auto_cancel"] and current.is_open:
                ex.cancel_order(
                    api_key,
                    {"symbol": order.symbol, "productType": order.product_type,
                     "orderId": order.order_id},
                )  # fmt: skip
        finally:
            self._modifying = None

    def suppressed(self, order: Any) -> bool:
        """Return whether an order event is the engine-internal cancel of a modify."""
        mod = self._modifying
        return mod is not None and order.order_id == mod[1] and order.status == "canceled"

    def _track_modify(self, event: OrderEvent) -> None:
        mod = self._modifying
        order = event.order
        if mod is None or order.api_key != mod[0] or order.order_id == mod[1]:
            return
        if order.client_oid == mod[2] and order.order_id not in self._public_ids:
            self._public_ids[order.order_id] = mod[3]
            self._engine_ids[mod[3]] = order.order_id
            if self._pending_request_id:
                self._request_ids[order.order_id] = self._pending_request_id

    # -- events ---------------------------------------------------------------------------------
    def _on_event(self, event: Any) -> None:
        if isinstance(event, _MARKET_EVENTS):
            self.public.on_event(event)
            return
        if type(event) is OrderEvent:
            self._track_modify(event)
        self.private.on_event(event)

    # -- aiohttp wiring -------------------------------------------------------------------------
    def register(self, app: web.Application) -> None:
        """Add the v3 routes and lifecycle hooks to ``app`` (before the v2 ``/api/{tail}``)."""
        app.router.add_get("/v3/ws/public", self.public.handle)
        app.router.add_get("/v3/ws/private", self.private.handle)
        app.router.add_route("*", "/api/v3/{tail:.*}", self.dispatch)
        app.on_startup.append(self._on_startup)
        app.on_shutdown.append(self._on_shutdown)

    async def _on_startup(self, app: web.Application) -> None:
        self._tasks = [
            asyncio.create_task(self._flush_loop(), name="sim-v3-flush"),
            asyncio.create_task(self._sweep_loop(), name="sim-v3-sweep"),
        ]

    async def _on_shutdown(self, app: web.Application) -> None:
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

    async def _flush_loop(self) -> None:
        while True:
            await asyncio.sleep(self.sim.config.push_interval_secs)
            try:
                self.public.flush()
            except Exception:
                _log.exception("v3 public flush failed")

    async def _sweep_loop(self) -> None:
        while True:
            await asyncio.sleep(0.5)
            now = time.monotonic()
            self.public.sweep(now)
            self.private.sweep(now)

    def drop_all(self, which: str, clean: bool) -> int:
        """Close v3 sockets (``public``/``private``/``both``), like the v2 ``drop_ws`` fault."""
        n = 0
        if which in ("public", "both"):
            n += self.public.drop_all(clean)
        if which in ("private", "both"):
            n += self.private.drop_all(clean)
        return n

    # -- REST -----------------------------------------------------------------------------------
    async def dispatch(self, request: web.Request) -> web.Response:
        """Serve one ``/api/v3/...`` request."""
        sim = self.sim
        path = request.path
        faults = sim.faults
        status = faults.take_http_error(path)
        if status is not None:
            if status == 429:
                return wire.error("429", "Too many requests", status=429)
            return wire.error("25000", "System error, please try again later", status)
        delay = faults.take_slow(path)
        if delay:
            await asyncio.sleep(delay)
        body_bytes = await request.read()
        try:
            if request.method == "GET" and path in self._public_routes:
                fn, rate = self._public_routes[path]
                self._limit(str(request.remote), path, rate)
                data = fn(self, request.query)
            else:
                route = self._private_routes.get((request.method, path))
                if route is None:
                    return wire.error("40404", "Request URL NOT FOUND", status=404)
                fn, rate = route
                raw_path, _, raw_query = request.raw_path.partition("?")
                key = sim.auth.verify_rest(
                    request.headers, request.method, raw_path, raw_query, body_bytes,
                )  # fmt: skip
                if key.account_mode != "uta":
                    raise VenueError(CLASSIC_ON_V3_CODE, CLASSIC_ON_V3_MSG)
                self._limit(key.uid, path, rate)
                body = _json(body_bytes) if request.method == "POST" else {}
                data = fn(self, key.api_key, request.query, body)
            response = wire.ok(data, sim.now_ms())
        except AuthError as e:
            response = wire.error(e.code, e.msg, request_time=sim.now_ms())
        except (VenueError, SimError) as e:
            err = rest.v3_error(e.code, e.msg)
            response = wire.error(err.code, err.msg, status=getattr(e, "status", 400),
                                  request_time=sim.now_ms())  # fmt: skip
        except Exception:
            _log.exception("sim v3 handler failed: %s %s", request.method, path)
            response = wire.error("25000", "System error", status=500)
        hang = faults.take_hang(path)
        if hang:
            await asyncio.sleep(hang)
        return response

    def _limit(self, who: str, path: str, rate: float) -> None:
        if self.sim.config.rate_limits and not self._buckets.take(who, path, rate):
            raise VenueError("429", "Too many requests", status=429)


def _json(raw: bytes) -> Any:
    if not raw.strip():
        return {}
    try:
        return msgspec.json.decode(raw)
    except msgspec.DecodeError:
        raise VenueError(
            rest.PARAM_ERROR, "Parameter verification failed: body is not JSON"
        ) from None
