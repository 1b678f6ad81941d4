"""
The simulator's one REST request pipeline, shared by every API family (v2 classic, v3 UTA).

A family is mounted as a :class:`RestApi`: a path prefix, a :class:`Dialect` (how the family
words the shared answers), the context its handlers receive and its route table. A route is only
``(method, path, handler, rate, signed)``; every request then passes, in order:

1. ``_injected_error``: an ``http_errors`` fault answers without executing (5xx or 429);
2. ``_slow_down``: a ``slow_responses`` fault delays;
3. route lookup: unknown ``(method, path)`` -> ``40404`` (HTTP 404);
4. ``_authenticate``: signature check (bitget-protocol.md 2.2) on signed routes, then the
   account-mode gate (a UTA key on v2 -> ``40085``, a classic key on v3 -> ``40084``,
   bitget-protocol-uta.md 1.2);
5. ``_take_token``: per-endpoint limit per UID (signed) or IP (public), HTTP 429
   (bitget-protocol.md 7.2);
6. ``_body``: signed POST bodies as JSON (v2: ``Content-Type`` must be JSON, ``40007``);
7. the handler, ``handler(context, RestCall) -> data``, answered with the success envelope;
8. ``_error_response``: ``AuthError`` / ``SimError`` -> error envelope (family code, HTTP status),
   anything else -> the family's unknown error (HTTP 500);
9. ``_hang``: a ``hang_requests`` fault holds the (executed) answer.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from typing import Any

import msgspec
from aiohttp import web

from nautilus_bitget.sim import wire
from nautilus_bitget.sim.auth import AuthError
from nautilus_bitget.sim.auth import SimApiKey
from nautilus_bitget.sim.auth import SimAuthenticator
from nautilus_bitget.sim.errors import SimError
from nautilus_bitget.sim.faults import SimFaults


_log = logging.getLogger(__name__)

REMAIN_HEADER = "x-mbx-used-remain-limit"  # bitget-protocol.md 7.1: remaining quota


@dataclass(frozen=True)
class RestCall:
    """
    One routed REST request as a handler sees it.

    Parameters
    ----------
    key : SimApiKey, optional
        The verified key (signed routes only).
    query : Mapping[str, str]
        The query parameters.
    body : Any
        The decoded JSON body of a signed POST (``{}`` otherwise).

    """

    key: SimApiKey | None
    query: Mapping[str, str]
    body: Any

    @property
    def api_key(self) -> str:
        """Return the verified API key (a signed route's handler only)."""
        if self.key is None:
            raise RuntimeError("a public route has no API key")
        return self.key.api_key


@dataclass(frozen=True)
class Route[C]:
    """
    One REST endpoint.

    Parameters
    ----------
    method : str
        ``GET`` or ``POST``.
    path : str
        The full path, e.g. ``/api/v2/mix/order/place-order``.
    handler : callable
        ``handler(context, call) -> data`` (the envelope's ``data``); raises ``SimError``.
    rate : float
        Requests per second, per UID on signed routes and per IP on public ones.
    signed : bool
        Whether the route needs a signature (and an account of the family's mode).

    """

    method: str
    path: str
    handler: Callable[[C, RestCall], Any]
    rate: float
    signed: bool


@dataclass(frozen=True)
class Dialect:
    """
    How one API family words the pipeline's answers; the steps themselves are shared.

    Parameters
    ----------
    account_mode : str
        The account mode (``"classic"`` or ``"uta"``) whose keys may call the signed routes.
    wrong_account : tuple[str, str]
        ``(code, msg)`` for a key of the other mode.
    system_error : tuple[str, str]
        ``(code, msg)`` of an injected 5xx.
    unknown_error : tuple[str, str]
        ``(code, msg)`` of a handler failure (HTTP 500).
    bad_body : str
        The code for a POST body that is not JSON (or not an object when ``object_body``).
    object_body : bool
        Whether POST bodies must be JSON objects (v3 batch endpoints take arrays).
    content_type_code : str, optional
        The code for a signed POST without ``Content-Type: application/json`` (``None``: not
        checked).
    remain_header : bool
        Whether success responses carry ``x-mbx-used-remain-limit``.
    codes : Mapping[str, str]
        Engine error code -> the family's code (missing codes pass unchanged).

    """

    account_mode: str
    wrong_account: tuple[str, str]
    system_error: tuple[str, str]
    unknown_error: tuple[str, str]
    bad_body: str
    object_body: bool
    content_type_code: str | None
    remain_header: bool
    codes: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class RestApi[C]:
    """
    One API family as mounted on the pipeline.

    Parameters
    ----------
    prefix : str
        The paths it answers (the longest matching prefix wins; ``/api/`` catches the rest).
    dialect : Dialect
        Its codes and body rules.
    context : C
        What its handlers receive.
    routes : Sequence[Route[C]]
        Its route table.

    """

    prefix: str
    dialect: Dialect
    context: C
    routes: Sequence[Route[C]]


class _TokenBuckets:
    """Token bucket per (uid or ip, path): ``rate`` tokens/s, capacity ``rate``."""

    def __init__(self) -> None:
        self._buckets: dict[tuple[str, str], list[float]] = {}

    def take(self, who: str, path: str, rate: float) -> int | None:
        """Take one token; return the remaining whole tokens, or ``None`` when limited."""
        now = time.monotonic()
        bucket = self._buckets.setdefault((who, path), [rate, now])
        tokens = min(rate, bucket[0] + (now - bucket[1]) * rate)
        bucket[1] = now
        if tokens < 1.0:
            bucket[0] = tokens
            return None
        bucket[0] = tokens - 1.0
        return int(bucket[0])


class RestPipeline:
    """
    The one request path of every mounted REST route (see the module docstring for the steps).

    Parameters
    ----------
    auth : SimAuthenticator
        Verifies signatures.
    faults : SimFaults
        The fault state (``http_errors``, ``slow_responses``, ``hang_requests``).
    now_ms : callable
        The server clock in ms (``requestTime``).
    rate_limits : bool
        Enforce the routes' rates.

    """

    def __init__(
        self,
        auth: SimAuthenticator,
        faults: SimFaults,
        now_ms: Callable[[], int],
        rate_limits: bool,
    ) -> None:
        self._auth = auth
        self._faults = faults
        self._now_ms = now_ms
        self._rate_limits = rate_limits
        self._buckets = _TokenBuckets()
        self._apis: list[tuple[RestApi[Any], dict[tuple[str, str], Route[Any]]]] = []
        # requests served per path (tests tell which transport an order took)
        self.request_counts: dict[str, int] = {}

    def mount(self, api: RestApi[Any]) -> None:
        """Serve ``api``'s routes through this pipeline."""
        table = {(r.method, r.path): r for r in api.routes}
        self._apis.append((api, table))
        self._apis.sort(key=lambda entry: len(entry[0].prefix), reverse=True)

    async def handle(self, request: web.Request) -> web.Response:
        """Serve one REST request (the aiohttp handler of ``/api/{tail}``)."""
        path = request.path
        self.request_counts[path] = self.request_counts.get(path, 0) + 1
        api, table = self._api_for(path)
        dialect = api.dialect
        injected = self._injected_error(path, dialect)
        if injected is not None:
            return injected
        await self._slow_down(path)
        route = table.get((request.method, path))
        if route is None:
            return wire.error("40404", "Request URL NOT FOUND", status=404)
        raw = await request.read()
        try:
            key = self._authenticate(request, raw, route, dialect)
            remaining = self._take_token(request, key, route)
            body = self._body(request, raw, route, dialect)
            data = route.handler(api.context, RestCall(key, request.query, body))
            headers = None
            if dialect.remain_header and remaining is not None:
                headers = {REMAIN_HEADER: str(remaining)}
            response = wire.ok(data, self._now_ms(), headers)
        except Exception as e:
            response = self._error_response(e, request, dialect)
        await self._hang(path)
        return response

    # -- steps ----------------------------------------------------------------------------------
    def _api_for(self, path: str) -> tuple[RestApi[Any], dict[tuple[str, str], Route[Any]]]:
        for api, table in self._apis:
            if path.startswith(api.prefix):
                return api, table
        raise LookupError(f"no API mounted for {path}")

    def _injected_error(self, path: str, dialect: Dialect) -> web.Response | None:
        status = self._faults.take_http_error(path)
        if status is None:
            return None
        if status == 429:
            return wire.error("429", "Too many requests", status=429)
        code, msg = dialect.system_error
        return wire.error(code, msg, status)

    async def _slow_down(self, path: str) -> None:
        delay = self._faults.take_slow(path)
        if delay:
            await asyncio.sleep(delay)

    def _authenticate(
        self,
        request: web.Request,
        raw: bytes,
        route: Route[Any],
        dialect: Dialect,
    ) -> SimApiKey | None:
        if not route.signed:
            return None
        # Sign over the request target exactly as received (bitget-protocol.md 2.2)
        raw_path, _, raw_query = request.raw_path.partition("?")
        key = self._auth.verify_rest(request.headers, request.method, raw_path, raw_query, raw)
        if key.account_mode != dialect.account_mode:
            raise SimError(*dialect.wrong_account)
        return key

    def _take_token(
        self,
        request: web.Request,
        key: SimApiKey | None,
        route: Route[Any],
    ) -> int | None:
        if not self._rate_limits:
            return None
        who = key.uid if key is not None else str(request.remote)
        remaining = self._buckets.take(who, route.path, route.rate)
        if remaining is None:
            raise SimError("429", "Too many requests", status=429)
        return remaining

    def _body(self, request: web.Request, raw: bytes, route: Route[Any], dialect: Dialect) -> Any:
        if not route.signed or request.method != "POST":
            return {}
        # bitget-protocol.md 2.1: POST requires Content-Type application/json (40007)
        if dialect.content_type_code and request.content_type != "application/json":
            raise SimError(
                dialect.content_type_code,
                "Invalid Content_Type, please use application/json format",
            )
        if not raw.strip():
            return {}
        try:
            body = msgspec.json.decode(raw)
        except msgspec.DecodeError:
            raise SimError(
                dialect.bad_body, "Parameter verification failed: body is not JSON"
            ) from None
        if dialect.object_body and not isinstance(body, dict):
            raise SimError(dialect.bad_body, "Parameter verification failed: body is not an object")
        return body

    def _error_response(
        self,
        error: Exception,
        request: web.Request,
        dialect: Dialect,
    ) -> web.Response:
        if isinstance(error, AuthError):
            return wire.error(error.code, error.msg, request_time=self._now_ms())
        if isinstance(error, SimError):
            code = dialect.codes.get(error.code, error.code)
            return wire.error(code, error.msg, status=error.status, request_time=self._now_ms())
        _log.error("sim handler failed: %s %s", request.method, request.path, exc_info=error)
        code, msg = dialect.unknown_error
        return wire.error(code, msg, status=500)

    async def _hang(self, path: str) -> None:
        hang = self._faults.take_hang(path)
        if hang:
            # The request was executed; the client sees a timeout (unknown outcome)
            await asyncio.sleep(hang)
