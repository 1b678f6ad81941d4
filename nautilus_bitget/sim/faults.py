"""
Fault controls for the simulator: in-process (``sim.faults.<name>(...)``) and over HTTP.

HTTP control API (same port as REST; no signature)::

    POST /_sim/fault   {"fault": "<name>", "args": {...}}   -> {"ok": true, "fault": "<name>"}
    GET  /_sim/faults                                        -> current fault state
    POST /_sim/reset                                         -> clear every fault

Fault names and args (each is also a ``SimFaults`` method of the same name):

- ``drop_ws(which="both")``: abort every WS connection (``public``/``private``/``both``), no close
  frame, like a network drop.
- ``force_reconnect(which="both")``: close every WS connection cleanly (the "24 h" forced
  disconnect, bitget-protocol.md 3.1).
- ``withhold_pongs(seconds)``: stop answering text ``ping`` for ``seconds``.
- ``skip_book_seq(symbol=None)``: the next ``books`` update (of ``symbol`` or any) skips a seq.
- ``bad_checksum(symbol=None)``: the next ``books`` update carries a wrong checksum.
- ``delay_private(ms)``: delay every private push by ``ms`` (0 clears).
- ``lose_private(n)``: silently drop the next ``n`` private pushes.
- ``http_errors(n, status=500, path=None)``: answer the next ``n`` REST requests (optionally only
  paths containing ``path``) with ``status`` (5xx or 429) without executing them.
- ``slow_responses(ms, path=None, n=None)``: delay REST responses by ``ms`` (``n`` requests or
  until cleared with ``ms=0``).
- ``hang_requests(n=1, path=None, secs=60)``: execute the next ``n`` matching requests but hold
  the response for ``secs`` (the client times out; the order still exists: unknown outcome).
- ``drop_trade_ws(n=1)``: execute the next ``n`` WebSocket trade requests (``op: "trade"``) and
  abort their socket before the reply (a lost reply: the order exists, the outcome is unknown).
- ``delay_trade(ms)``: delay every WebSocket trade reply by ``ms`` (0 clears).
- ``clock_skew(ms)``: shift the server clock (``public/time``, signature window) by ``ms``.
- ``reset()``: clear everything.

The same faults from the command line: ``bitget-nt sim --fault SPEC`` (repeatable), where SPEC is
``name[:json-args][@delay-secs]``, e.g. ``--fault drop_ws@30`` or
``--fault 'http_errors:{"n":5,"status":429}@10'`` (applied ``delay-secs`` after READY).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from typing import Any

from aiohttp import web


class SimFaults:
    """
    Fault state consulted by the simulator's REST and WS layers.

    Parameters
    ----------
    on_drop : callable, optional
        ``on_drop(which, clean)`` closes WS connections; wired by the server.

    """

    NAMES = (
        "drop_ws",
        "force_reconnect",
        "withhold_pongs",
        "skip_book_seq",
        "bad_checksum",
        "delay_private",
        "lose_private",
        "http_errors",
        "slow_responses",
        "hang_requests",
        "drop_trade_ws",
        "delay_trade",
        "clock_skew",
        "reset",
    )

    def __init__(self, on_drop: Callable[[str, bool], Any] | None = None) -> None:
        self._on_drop = on_drop
        self.reset()

    # -- controls -------------------------------------------------------------------------------
    def reset(self) -> None:
        """Clear every fault."""
        self.pong_withheld_until: float = 0.0
        self.skip_seq: set[str | None] = set()
        self.bad_checksum_next: set[str | None] = set()
        self.private_delay_ms: int = 0
        self.private_lose_n: int = 0
        self.http_error_n: int = 0
        self.http_error_status: int = 500
        self.http_error_path: str | None = None
        self.slow_ms: int = 0
        self.slow_path: str | None = None
        self.slow_n: int | None = None
        self.hang_n: int = 0
        self.hang_path: str | None = None
        self.hang_secs: float = 60.0
        self.clock_skew_ms: int = 0
        self.trade_drop_n: int = 0
        self.trade_delay_ms: int = 0

    def drop_ws(self, which: str = "both") -> int:
        """Abort WS connections (``public``, ``private`` or ``both``); return how many."""
        return self._drop(which, clean=False)

    def force_reconnect(self, which: str = "both") -> int:
        """Close WS connections cleanly now (the 24 h forced disconnect); return how many."""
        return self._drop(which, clean=True)

    def withhold_pongs(self, seconds: float) -> None:
        """Stop answering ``ping`` for ``seconds``."""
        self.pong_withheld_until = time.monotonic() + float(seconds)

    def skip_book_seq(self, symbol: str | None = None) -> None:
        """Make the next ``books`` update (of ``symbol``, or of any symbol) skip a seq."""
        self.skip_seq.add(symbol)

    def bad_checksum(self, symbol: str | None = None) -> None:
        """Make the next ``books`` update (of ``symbol``, or of any) carry a wrong checksum."""
        self.bad_checksum_next.add(symbol)

    def delay_private(self, ms: int) -> None:
        """Delay every private push by ``ms`` (0 clears)."""
        self.private_delay_ms = int(ms)

    def lose_private(self, n: int) -> None:
        """Drop the next ``n`` private pushes."""
        self.private_lose_n = int(n)

    def http_errors(self, n: int, status: int = 500, path: str | None = None) -> None:
        """Answer the next ``n`` REST requests (matching ``path``) with HTTP ``status``."""
        self.http_error_n = int(n)
        self.http_error_status = int(status)
        self.http_error_path = path

    def slow_responses(self, ms: int, path: str | None = None, n: int | None = None) -> None:
        """Delay REST responses by ``ms`` (for ``n`` requests, or until ``ms=0``)."""
        self.slow_ms = int(ms)
        self.slow_path = path
        self.slow_n = n

    def hang_requests(self, n: int = 1, path: str | None = None, secs: float = 60.0) -> None:
        """Execute the next ``n`` matching requests but hold their responses for ``secs``."""
        self.hang_n = int(n)
        self.hang_path = path
        self.hang_secs = float(secs)

    def drop_trade_ws(self, n: int = 1) -> None:
        """Execute the next ``n`` WS trade requests, then abort their socket (reply lost)."""
        self.trade_drop_n = int(n)

    def delay_trade(self, ms: int) -> None:
        """Delay every WS trade reply by ``ms`` (0 clears)."""
        self.trade_delay_ms = int(ms)

    def clock_skew(self, ms: int) -> None:
        """Shift the server clock by ``ms``."""
        self.clock_skew_ms = int(ms)

    # -- queries used by the server -------------------------------------------------------------
    def pongs_withheld(self) -> bool:
        """Return whether ``ping`` must go unanswered now."""
        return time.monotonic() < self.pong_withheld_until

    def take_skip_seq(self, symbol: str) -> bool:
        """Consume a pending seq skip for ``symbol``."""
        return self._take(self.skip_seq, symbol)

    def take_bad_checksum(self, symbol: str) -> bool:
        """Consume a pending bad checksum for ``symbol``."""
        return self._take(self.bad_checksum_next, symbol)

    def take_lose_private(self) -> bool:
        """Consume one lost private push."""
        if self.private_lose_n > 0:
            self.private_lose_n -= 1
            return True
        return False

    def take_drop_trade(self) -> bool:
        """Consume one dropped WS trade reply."""
        if self.trade_drop_n > 0:
            self.trade_drop_n -= 1
            return True
        return False

    def take_http_error(self, path: str) -> int | None:
        """Return the HTTP status to fail this request with, or ``None``."""
        if self.http_error_n > 0 and _match(self.http_error_path, path):
            self.http_error_n -= 1
            return self.http_error_status
        return None

    def take_slow(self, path: str) -> float:
        """Return seconds to delay this response."""
        if self.slow_ms <= 0 or not _match(self.slow_path, path):
            return 0.0
        if self.slow_n is not None:
            if self.slow_n <= 0:
                return 0.0
            self.slow_n -= 1
        return self.slow_ms / 1000.0

    def take_hang(self, path: str) -> float:
        """Return seconds to hold this response after executing it (0 = none)."""
        if self.hang_n > 0 and _match(self.hang_path, path):
            self.hang_n -= 1
            return self.hang_secs
        return 0.0

    def state(self) -> dict:
        """Return the current fault state as JSON-able data."""
        return {
            "pongs_withheld": self.pongs_withheld(),
            "skip_seq": sorted(str(x) for x in self.skip_seq),
            "bad_checksum": sorted(str(x) for x in self.bad_checksum_next),
            "private_delay_ms": self.private_delay_ms,
            "private_lose_n": self.private_lose_n,
            "http_error_n": self.http_error_n,
            "http_error_status": self.http_error_status,
            "http_error_path": self.http_error_path,
            "slow_ms": self.slow_ms,
            "hang_n": self.hang_n,
            "clock_skew_ms": self.clock_skew_ms,
            "trade_drop_n": self.trade_drop_n,
            "trade_delay_ms": self.trade_delay_ms,
        }

    def apply(self, name: str, args: dict[str, Any] | None = None) -> Any:
        """
        Apply the fault ``name`` with keyword ``args`` (the HTTP API and the CLI go through here).

        Raises
        ------
        ValueError
            If ``name`` is not a fault or ``args`` do not fit it.

        """
        if name not in self.NAMES:
            raise ValueError(f"unknown fault {name!r}; one of {', '.join(self.NAMES)}")
        try:
            return getattr(self, name)(**(args or {}))
        except TypeError as e:
            raise ValueError(f"fault {name}: {e}") from None

    # -- HTTP control API -----------------------------------------------------------------------
    def routes(self) -> list[web.RouteDef]:
        """Return the aiohttp routes of the control API."""
        return [
            web.post("/_sim/fault", self._http_fault),
            web.get("/_sim/faults", self._http_state),
            web.post("/_sim/reset", self._http_reset),
        ]

    async def _http_fault(self, request: web.Request) -> web.Response:
        try:
            body = await request.json()
            name = body["fault"]
            args = body.get("args") or {}
        except (ValueError, KeyError, TypeError):
            return web.json_response({"ok": False, "error": "expected {fault, args}"}, status=400)
        if not isinstance(args, dict):
            return web.json_response({"ok": False, "error": "args must be an object"}, status=400)
        try:
            result = self.apply(name, args)
        except ValueError as e:
            return web.json_response(
                {"ok": False, "error": str(e), "faults": self.NAMES}, status=400
            )
        if asyncio.iscoroutine(result):
            result = await result
        return web.json_response({"ok": True, "fault": name, "result": result})

    async def _http_state(self, request: web.Request) -> web.Response:
        return web.json_response(self.state())

    async def _http_reset(self, request: web.Request) -> web.Response:
        self.reset()
        return web.json_response({"ok": True})

    # -- internals ------------------------------------------------------------------------------
    def _drop(self, which: str, clean: bool) -> int:
        if which not in ("public", "private", "both"):
            raise TypeError("which must be 'public', 'private' or 'both'")
        if self._on_drop is None:
            return 0
        return int(self._on_drop(which, clean) or 0)

    @staticmethod
    def _take(pending: set[str | None], symbol: str) -> bool:
        if symbol in pending:
            pending.discard(symbol)
            return True
        if None in pending:
            pending.discard(None)
            return True
        return False


def _match(pattern: str | None, path: str) -> bool:
    return pattern is None or pattern in path


def parse_fault_spec(spec: str) -> tuple[str, dict[str, Any], float]:
    """
    Parse a CLI fault spec ``name[:json-args][@delay-secs]``.

    Returns
    -------
    tuple[str, dict[str, Any], float]
        The fault name, its keyword arguments and the delay in seconds.

    Raises
    ------
    ValueError
        If the spec is malformed.

    """
    delay = 0.0
    head, at, tail = spec.rpartition("@")
    if at and tail.replace(".", "", 1).isdigit():
        spec, delay = head, float(tail)
    name, colon, raw_args = spec.partition(":")
    args: dict[str, Any] = {}
    if colon:
        try:
            args = json.loads(raw_args)
        except ValueError as e:
            raise ValueError(f"fault {name}: args are not JSON: {e}") from None
        if not isinstance(args, dict):
            raise ValueError(f"fault {name}: args must be a JSON object")
    if name not in SimFaults.NAMES:
        raise ValueError(f"unknown fault {name!r}; one of {', '.join(SimFaults.NAMES)}")
    return name, args, delay
