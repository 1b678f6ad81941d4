"""
``FrameRouter``: the public socket's frame handler: decode the envelope once, route by exact
channel name to the channel's handler, contain what a bad frame raises.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Mapping
from typing import Any

import msgspec
from nautilus_trader.common.component import Logger

from nautilus_bitget.api.streams import StreamDialect
from nautilus_bitget.data.publisher import Publisher
from nautilus_bitget.data.stats import BitgetDataStats


# A channel's handler: ``(channel, symbol, frame)``, ``frame.data`` still raw
ChannelHandler = Callable[[str, str, Any], None]

_RAW_NULL = msgspec.Raw(b"null")
_BAD_FRAME_ERRORS = (
    msgspec.DecodeError,
    msgspec.ValidationError,
    ValueError,
    TypeError,
    KeyError,
    IndexError,
    AttributeError,
    OverflowError,
)


class FrameRouter:
    """
    Route the frames of the public socket to the handler of their channel.

    The envelope is decoded once with ``data`` kept raw (the handler decodes it with the
    channel's decoder); ``event`` frames are venue acknowledgements or errors.

    Parameters
    ----------
    streams : StreamDialect
        The public stream dialect (envelope decoder, routing key, event description).
    publisher : Publisher
        Where skipped frames are counted.
    stats : BitgetDataStats
        The client's counters.
    log : Logger
        The client's logger.

    """

    __slots__ = ("_decode", "_handlers", "_log", "_publisher", "_route", "_stats", "_streams")

    def __init__(
        self,
        streams: StreamDialect,
        publisher: Publisher,
        stats: BitgetDataStats,
        log: Logger,
    ) -> None:
        self._streams = streams
        self._publisher = publisher
        self._stats = stats
        self._log = log
        # Bound once: called for every frame
        self._decode = streams.frame_decoder.decode
        self._route = streams.route
        self._handlers: dict[str, ChannelHandler] = {}

    def add_routes(self, routes: Mapping[str, ChannelHandler]) -> None:
        """Route the frames of each channel of ``routes`` to its handler."""
        self._handlers.update(routes)

    def handle_frame(self, raw: bytes) -> None:
        """Decode, route and handle one frame of the public socket (its ``handler``)."""
        self._stats.frames += 1
        try:
            frame = self._decode(raw)
        except (msgspec.DecodeError, msgspec.ValidationError) as e:
            self._publisher.malformed("envelope", e)
            return
        if frame.event is not None:
            self._handle_event(frame)
            return
        try:
            channel, symbol = self._route(frame)
        except AttributeError:
            channel = symbol = ""
        if not symbol or frame.data is None or frame.data == _RAW_NULL:
            self._publisher.malformed("envelope", "no arg, symbol or data")
            return
        handler = self._handlers.get(channel)
        if handler is None:
            self._stats.unknown_channel += 1
            self._publisher.log_once(f"channel:{channel}", f"Unknown channel {channel!r} skipped")
            return
        try:
            handler(channel, symbol, frame)
        except _BAD_FRAME_ERRORS as e:
            self._publisher.malformed(channel, repr(e))

    def _handle_event(self, frame: Any) -> None:
        if frame.event == "error":
            self._stats.venue_errors += 1
            where = self._streams.describe(frame)
            self._log.error(f"Bitget WS error {frame.code} on {where}: {frame.msg}")
