"""
Envelopes of Bitget REST responses and WebSocket frames (bitget-protocol.md 2.4, 3.3, 3.4).

REST: ``{"code":"00000","msg":"success","requestTime":<ms>,"data":...}``.
WebSocket data push: ``{"action":"snapshot"|"update","arg":{...},"data":[...],"ts":<ms>}``.
WebSocket event: ``{"event":"subscribe"|"login"|"error"|...,"arg":...,"code":...}``.

Decode a socket frame once as ``BitgetWsFrame`` (``data`` stays ``msgspec.Raw``), route by
``arg.channel``, then decode ``data`` with the channel's payload decoder, e.g.
``msgspec.json.Decoder(list[BitgetWsOrder])``. ``BitgetWsPush[T]`` decodes a whole push in one go
(tests, tools).
"""

from __future__ import annotations

import msgspec

from nautilus_bitget.schemas.common import StrNum


BITGET_SUCCESS_CODE = "00000"

_RAW_NULL = msgspec.Raw(b"null")


class BitgetResponse[T](msgspec.Struct, frozen=True):
    """
    REST envelope with a typed payload, e.g. ``BitgetResponse[list[BitgetContract]]``.

    ``code`` is a string (``"00000"`` = success); ``requestTime`` is usually a JSON number but
    sometimes a string (bitget-protocol.md 2.4). ``data`` is ``null`` on errors.
    """

    code: str | int
    msg: str | None = None
    requestTime: StrNum | None = None
    data: T | None = None

    @property
    def ok(self) -> bool:
        """Return whether the envelope reports success."""
        return str(self.code) == BITGET_SUCCESS_CODE


class BitgetRawResponse(msgspec.Struct, frozen=True):
    """REST envelope whose ``data`` is kept raw for a second, typed decode."""

    code: str | int
    msg: str | None = None
    requestTime: StrNum | None = None
    data: msgspec.Raw = _RAW_NULL

    @property
    def ok(self) -> bool:
        """Return whether the envelope reports success."""
        return str(self.code) == BITGET_SUCCESS_CODE


class BitgetWsArg(msgspec.Struct, frozen=True):
    """
    Channel selector of a push or ack.

    ``instId`` selects a symbol (or ``"default"``); the ``account`` channel uses ``coin`` instead
    (bitget-protocol.md 6.2).
    """

    instType: str
    channel: str
    instId: str | None = None
    coin: str | None = None

    @property
    def key(self) -> str:
        """Return ``instId`` or ``coin``, whichever selects this channel (``""`` if none)."""
        return self.instId or self.coin or ""


class BitgetWsTradeParams(msgspec.Struct, frozen=True):
    """Result ids of a WebSocket ``op:"trade"`` request (bitget-protocol.md 6.2)."""

    orderId: str | None = None
    clientOid: str | None = None


class BitgetWsTradeArg(msgspec.Struct, frozen=True):
    """One entry of the ``arg`` list of a WebSocket ``event:"trade"`` response."""

    id: str | None = None
    instType: str | None = None
    channel: str | None = None
    instId: str | None = None
    params: BitgetWsTradeParams | None = None


class BitgetWsFrame(msgspec.Struct, frozen=True):
    """
    Any text frame from a Bitget socket, decoded once.

    A data push has ``action``/``arg``/``data``/``ts``; an event frame has ``event`` (and for
    ``error``/``login`` a ``code``/``msg``). ``arg`` is an object, except for ``event:"trade"``
    responses where it is a list.
    """

    event: str | None = None
    action: str | None = None
    arg: BitgetWsArg | list[BitgetWsTradeArg] | None = None
    data: msgspec.Raw = _RAW_NULL
    ts: StrNum | None = None
    code: StrNum | None = None
    msg: str | None = None
    connId: str | None = None

    @property
    def is_event(self) -> bool:
        """Return whether this frame is an event (ack, login, error) rather than a data push."""
        return self.event is not None

    @property
    def channel_arg(self) -> BitgetWsArg | None:
        """Return ``arg`` when it is a single channel selector."""
        return self.arg if isinstance(self.arg, BitgetWsArg) else None


class BitgetWsEvent(msgspec.Struct, frozen=True):
    """
    An event frame: ``subscribe``/``unsubscribe`` ack, ``login`` result, ``error`` or ``trade``.

    ``code`` is ``0`` (or ``"0"``) on a successful login; error frames carry codes such as
    ``30016`` (bitget-protocol.md 8.3).
    """

    event: str
    arg: BitgetWsArg | list[BitgetWsTradeArg] | None = None
    code: StrNum | None = None
    msg: str | None = None
    connId: str | None = None

    @property
    def is_error(self) -> bool:
        """Return whether the event reports a failure."""
        if self.event == "error":
            return True
        return self.code not in (None, 0, "0", "", "00000")


class BitgetWsPush[T](msgspec.Struct, frozen=True):
    """A data push with a typed payload list, e.g. ``BitgetWsPush[BitgetWsOrder]``."""

    arg: BitgetWsArg
    data: list[T]
    action: str | None = None
    ts: StrNum | None = None
