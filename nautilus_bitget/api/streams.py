"""
Stream dialects of the public socket: classic API v2 and UTA API v3 (bitget-protocol-uta.md 4.4, 6).

The data client has one set of handlers; a dialect supplies what differs between the protocols:

- the channel names the client subscribes to and routes by (v2 names; v3 ``publicTrade``,
  ``books50``, ``kline:<interval>``),
- the subscription ``arg`` (v2 ``{instType, channel, instId}``, v3 ``{instType (lower case),
  topic, symbol[, interval]}``),
- the frame decoder and the routing key ``(channel, symbol)`` of a push,
- the decoding of ``data`` into the inputs the parse functions already take (``BitgetWsBook``,
  ``BitgetWsTrade``, ``BitgetWsTicker``, candle rows), so the Nautilus output is identical.

v3 specifics handled here: ``seq``/``pseq`` as exact ints from numbers or strings (4.5),
``checksum`` ``0`` (no checksum) or a string, the ticker's missing ``ts`` (taken from the envelope,
4.4), kline objects turned into rows ``[start, open, high, low, close, volume, turnover]``.
"""

from __future__ import annotations

from typing import Any
from typing import Final

import msgspec

from nautilus_bitget.constants import BitgetProductType
from nautilus_bitget.schemas.common import num_str
from nautilus_bitget.schemas.envelope import BitgetWsArg
from nautilus_bitget.schemas.envelope import BitgetWsFrame
from nautilus_bitget.schemas.v3.common import seq_int
from nautilus_bitget.schemas.v3.common import ws_inst_type
from nautilus_bitget.schemas.v3.ws import BitgetV3WsArg
from nautilus_bitget.schemas.v3.ws import BitgetV3WsFrame
from nautilus_bitget.schemas.v3.ws import BitgetV3WsKline
from nautilus_bitget.schemas.ws_public import BitgetWsBook
from nautilus_bitget.schemas.ws_public import BitgetWsBookV3
from nautilus_bitget.schemas.ws_public import BitgetWsTicker
from nautilus_bitget.schemas.ws_public import BitgetWsTickerV3
from nautilus_bitget.schemas.ws_public import BitgetWsTrade
from nautilus_bitget.schemas.ws_public import BitgetWsTradeV3


# bitget-protocol.md 6.1: documented v2 candle channels (suffix = interval)
CLASSIC_CANDLE_INTERVALS: Final[tuple[str, ...]] = (
    "1m", "5m", "15m", "30m", "1H", "4H", "6H", "12H", "1D", "3D", "1W", "1M",
    "6Hutc", "12Hutc", "1Dutc", "3Dutc", "1Wutc", "1Mutc",
)  # fmt: skip
# bitget-protocol-uta.md 4.4: kline intervals (1W per CCXT pro)
UTA_KLINE_INTERVALS: Final[tuple[str, ...]] = (
    "1m", "3m", "5m", "15m", "30m", "1H", "4H", "6H", "12H", "1D", "1W",
)  # fmt: skip

_V2_WS = "/v2/ws/"
_V3_WS = "/v3/ws/"


def v3_ws_url(url: str) -> str:
    """
    Return the v3 socket URL of a v2 one (``.../v2/ws/public`` -> ``.../v3/ws/public``, 1.1).

    A URL without ``/v2/ws/`` is returned unchanged (taken as a v3 URL given explicitly).
    """
    head, sep, tail = url.rpartition(_V2_WS)
    return f"{head}{_V3_WS}{tail}" if sep else url


class UnsupportedIntervalError(ValueError):
    """The protocol has no candle stream for this interval; the message lists the supported."""


class ClassicStreamDialect:
    """
    API v2 public streams (bitget-protocol.md 6.1): the reference the v3 dialect maps onto.

    Attributes
    ----------
    api : str
        ``"v2"``.
    books, quotes, depth, trades, ticker : str
        Channel names of deltas, ``QuoteTick`` (top of book), ``OrderBookDepth10``, trades and the
        shared ticker.
    checksum_documented : bool
        Whether the book checksum algorithm is documented (v2) or only assumed (v3).

    """

    api: str = "v2"
    books: str = "books"
    quotes: str = "books1"
    depth: str = "books15"
    trades: str = "trade"
    ticker: str = "ticker"
    candle_intervals: tuple[str, ...] = CLASSIC_CANDLE_INTERVALS
    checksum_documented: bool = True  # bitget-protocol.md 6.1: crc32 of the top 25 levels
    frame_type: type = BitgetWsFrame
    book_type: type = BitgetWsBook
    trade_type: type = BitgetWsTrade
    ticker_type: type = BitgetWsTicker

    def __init__(self) -> None:
        self.frame_decoder: msgspec.json.Decoder[Any] = msgspec.json.Decoder(self.frame_type)
        self._books = msgspec.json.Decoder(list[self.book_type])  # type: ignore[name-defined]
        self._trades = msgspec.json.Decoder(list[self.trade_type])  # type: ignore[name-defined]
        self._tickers = msgspec.json.Decoder(list[self.ticker_type])  # type: ignore[name-defined]
        self._candles = msgspec.json.Decoder(list[list[str]])

    def ws_url(self, url: str) -> str:
        """Return the public socket URL for this protocol from the configured (v2) one."""
        return url

    # -- channels -------------------------------------------------------------------------------

    def candle_channel(self, interval: str) -> str:
        """
        Return the channel of candles of ``interval`` (a Bitget interval such as ``1m``).

        Raises
        ------
        UnsupportedIntervalError
            If the protocol has no candle stream for it.

        """
        if interval not in self.candle_intervals:
            raise UnsupportedIntervalError(
                f"no {self.api} candle stream for interval {interval!r}; "
                f"supported: {', '.join(self.candle_intervals)}",
            )
        return self._candle_channel(interval)

    def _candle_channel(self, interval: str) -> str:
        return f"candle{interval}"

    def candle_channels(self) -> list[str]:
        """Return every candle channel name (for routing)."""
        return [self._candle_channel(i) for i in self.candle_intervals]

    def arg(self, channel: str, symbol: str, product_type: BitgetProductType) -> dict[str, str]:
        """Return the subscription ``arg`` of a channel and symbol (bitget-protocol.md 3.3)."""
        return {"instType": product_type.value, "channel": channel, "instId": symbol}

    def route(self, frame: Any) -> tuple[str, str]:
        """
        Return ``(channel, symbol)`` of a data push (``symbol`` is ``""`` when absent).

        Raises
        ------
        AttributeError
            If the frame has no single ``arg`` object.

        """
        arg: BitgetWsArg = frame.arg
        return arg.channel, arg.instId or ""

    def describe(self, frame: Any) -> str:
        """Return ``"<channel> <symbol>"`` of an event frame's ``arg`` (``"request"`` if none)."""
        arg = frame.arg
        if isinstance(arg, BitgetWsArg):
            return f"{arg.channel} {arg.key}"
        return "request"

    # -- payloads -------------------------------------------------------------------------------

    def decode_books(self, data: msgspec.Raw) -> list[BitgetWsBook]:
        """Decode ``books``/``books1``/depth ``data``."""
        return self._books.decode(data)

    def decode_trades(self, data: msgspec.Raw) -> list[BitgetWsTrade]:
        """Decode trade ``data``."""
        return self._trades.decode(data)

    def decode_tickers(self, data: msgspec.Raw, frame_ts: Any) -> list[BitgetWsTicker]:
        """Decode ``ticker`` ``data`` (``frame_ts``: the envelope ``ts``, used by v3)."""
        return self._tickers.decode(data)

    def decode_candles(self, data: msgspec.Raw) -> list[list[str]]:
        """Decode candle ``data`` into rows ``[start, o, h, l, c, baseVolume, quoteVolume...]``."""
        return self._candles.decode(data)


class UtaStreamDialect(ClassicStreamDialect):
    """
    API v3 public streams (bitget-protocol-uta.md 4.3-4.5).

    Depth: v3 has no ``books15``; ``books50`` (best 10 used) gives ``OrderBookDepth10`` its 10
    levels (``books5`` would leave 5 empty).
    """

    api = "v3"
    quotes = "books1"
    depth = "books50"
    trades = "publicTrade"
    candle_intervals = UTA_KLINE_INTERVALS
    checksum_documented = False  # 4.5: sent on updates, algorithm unverified (v2's assumed)
    frame_type = BitgetV3WsFrame
    book_type = BitgetWsBookV3
    trade_type = BitgetWsTradeV3
    ticker_type = BitgetWsTickerV3

    def __init__(self) -> None:
        super().__init__()
        self._klines = msgspec.json.Decoder(list[BitgetV3WsKline])

    def ws_url(self, url: str) -> str:
        """Return the v3 public socket URL (1.1)."""
        return v3_ws_url(url)

    def _candle_channel(self, interval: str) -> str:
        return f"kline:{interval}"

    def arg(self, channel: str, symbol: str, product_type: BitgetProductType) -> dict[str, str]:
        """Return the v3 subscription ``arg``: lower-case ``instType``, ``topic``, ``symbol``."""
        topic, _, interval = channel.partition(":")
        arg = {"instType": ws_inst_type(product_type.value), "topic": topic, "symbol": symbol}
        if interval:
            arg["interval"] = interval
        return arg

    def route(self, frame: Any) -> tuple[str, str]:
        """Return ``(channel, symbol)``: ``kline`` pushes route as ``kline:<interval>``."""
        arg: BitgetV3WsArg = frame.arg
        topic = arg.topic
        if topic == "kline":
            topic = f"kline:{arg.interval}"
        return topic, arg.key

    def describe(self, frame: Any) -> str:
        """Return ``"<topic> <symbol>"`` of an event frame's ``arg`` (``"request"`` if none)."""
        arg = frame.arg
        return f"{arg.topic} {arg.key}" if arg is not None else "request"

    def decode_books(self, data: msgspec.Raw) -> list[BitgetWsBook]:
        """Decode v3 book ``data``; ``seq``/``pseq``/``checksum`` become exact ints (4.5)."""
        books = self._books.decode(data)
        for i, book in enumerate(books):
            checksum = book.checksum
            if (
                book.seq.__class__ is not int
                or book.pseq.__class__ is not int
                or checksum.__class__ is not int
                or checksum == 0
            ):
                books[i] = _normalized(book)
        return books

    def decode_tickers(self, data: msgspec.Raw, frame_ts: Any) -> list[BitgetWsTicker]:
        """Decode v3 ``ticker`` ``data``; rows without ``ts`` take the envelope's (4.4)."""
        tickers = self._tickers.decode(data)
        ts = num_str(frame_ts)
        return [t if t.ts else msgspec.structs.replace(t, ts=ts) for t in tickers]

    def decode_candles(self, data: msgspec.Raw) -> list[list[str]]:
        """Decode v3 ``kline`` objects into candle rows (4.4)."""
        return [
            [
                num_str(k.start),
                num_str(k.open),
                num_str(k.high),
                num_str(k.low),
                num_str(k.close),
                num_str(k.volume) or "0",
                num_str(k.turnover) or "0",
            ]
            for k in self._klines.decode(data)
        ]


def _normalized(book: Any) -> Any:
    seq = seq_int(book.seq)
    pseq = seq_int(book.pseq)
    if book.seq not in (None, "") and seq is None:
        raise ValueError(f"books seq {book.seq!r} is not an integer")
    if book.pseq not in (None, "") and pseq is None:
        raise ValueError(f"books pseq {book.pseq!r} is not an integer")
    # 4.5: checksum 0 means "none sent" (snapshots; the v3 sim without checksums)
    checksum = seq_int(book.checksum) or None
    return msgspec.structs.replace(book, seq=seq, pseq=pseq, checksum=checksum)


def stream_dialect(account_type: str) -> ClassicStreamDialect:
    """Return the dialect of an account type (``"classic"`` -> v2, ``"uta"`` -> v3)."""
    return UtaStreamDialect() if account_type == "uta" else ClassicStreamDialect()
