"""
JSON formatting helpers for the simulator's wire output (bitget-protocol.md 2.4, 3.4).

Numbers are JSON strings almost everywhere; the exceptions are documented per endpoint.
"""

from __future__ import annotations

import time
import zlib
from decimal import Decimal
from typing import Any

import msgspec
from aiohttp import web


_encoder = msgspec.json.Encoder(decimal_format="number")
encode = _encoder.encode


def now_ms() -> int:
    """Return the wall clock in ms."""
    return time.time_ns() // 1_000_000


def s(value: Any) -> str:
    """
    Return a wire string for a number (Decimal, int, float or str); ``None`` becomes ``""``.
    """
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, Decimal):
        exponent = value.as_tuple().exponent  # "n"/"N"/"F" for NaN and infinities
        if isinstance(exponent, int) and exponent > 0:
            return str(value.quantize(Decimal(1)))
        text = format(value, "f")
        return text
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return format(Decimal(repr(value)), "f")
    return str(value)


def envelope(data: Any, request_time: int | None = None) -> dict:
    """Return the success envelope (bitget-protocol.md 2.4)."""
    return {
        "code": "00000",
        "msg": "success",
        "requestTime": request_time if request_time is not None else now_ms(),
        "data": data,
    }


def ok(data: Any, request_time: int | None = None, headers: dict | None = None) -> web.Response:
    """Return an HTTP 200 response with the success envelope."""
    return web.Response(
        body=encode(envelope(data, request_time)),
        content_type="application/json",
        headers=headers,
    )


def error(
    code: str,
    msg: str,
    status: int = 400,
    request_time: int | None = None,
    headers: dict | None = None,
) -> web.Response:
    """Return an error envelope with ``data: null`` (bitget-protocol.md 8.1)."""
    body = {
        "code": code,
        "msg": msg,
        "requestTime": request_time if request_time is not None else now_ms(),
        "data": None,
    }
    return web.Response(
        body=encode(body),
        status=status,
        content_type="application/json",
        headers=headers,
    )


def book_checksum(bids: list[list[str]], asks: list[list[str]]) -> int:
    """
    Return Bitget's signed CRC32 over the top 25 levels (bitget-protocol.md 6.1).

    ``bids`` descending and ``asks`` ascending, each ``[price, size]`` wire strings.
    """
    parts: list[str] = []
    for i in range(25):
        if i < len(bids):
            parts.append(bids[i][0])
            parts.append(bids[i][1])
        if i < len(asks):
            parts.append(asks[i][0])
            parts.append(asks[i][1])
    crc = zlib.crc32(":".join(parts).encode())
    return crc - (1 << 32) if crc >= (1 << 31) else crc


def push(action: str, arg: dict, data: list, ts: int | None = None) -> bytes:
    """Return an encoded WS data push (bitget-protocol.md 3.4)."""
    return encode({"action": action, "arg": arg, "data": data, "ts": ts or now_ms()})


def event(name: str, arg: Any = None, **extra: Any) -> bytes:
    """Return an encoded WS event frame (subscribe ack, login, error)."""
    out: dict[str, Any] = {"event": name}
    if arg is not None:
        out["arg"] = arg
    out.update(extra)
    return encode(out)


_MONEY_Q = Decimal("1e-8")


def money(value: Decimal | None) -> str:
    """Return a money amount as plain text with at most 8 decimals (``""`` for None)."""
    if value is None:
        return ""
    if not isinstance(value, Decimal):
        value = Decimal(str(value))
    q = value.quantize(_MONEY_Q)
    if q == 0:
        return "0"
    return format(q.normalize(), "f")
