"""
Payload types of the public WebSocket: classic v2 (bitget-protocol.md 3.3, 3.4, 6.1) and the
hot-path
views of the UTA v3 pushes (bitget-protocol-uta.md 4.4).

A frame is decoded once into the envelope's ``BitgetWsFrame`` (v2, ``schemas.envelope``) or
``BitgetV3WsFrame`` (v3, ``schemas.v3.ws``) with ``data`` kept as ``msgspec.Raw``; the data client
then decodes ``data`` with the decoder of the frame's channel. Measured: the envelope types decode
as fast as the former copies here (bench/decode_books_v3.py), so they are re-exported, not
duplicated.

The ``...V3`` payload types subclass the v2 ones and only rename fields (``a``/``b``,
``p``/``v``/``S``/``T``/``i``, ``bid1Price``...): v3 data decodes straight into the objects the
parse functions take, with no per-message conversion. No Nautilus imports here.
"""

from __future__ import annotations

import msgspec

from nautilus_bitget.schemas.envelope import BitgetWsArg
from nautilus_bitget.schemas.envelope import BitgetWsFrame


__all__ = [
    "BOOKS_DATA",
    "CANDLES_DATA",
    "TICKERS_DATA",
    "TRADES_DATA",
    "BitgetWsArg",
    "BitgetWsBook",
    "BitgetWsBookV3",
    "BitgetWsCandleRow",
    "BitgetWsFrame",
    "BitgetWsTicker",
    "BitgetWsTickerV3",
    "BitgetWsTrade",
    "BitgetWsTradeV3",
]


class BitgetWsBook(msgspec.Struct, frozen=True):
    """
    One element of ``books`` / ``books1`` / ``books5`` / ``books15`` data (bitget-protocol.md 6.1).

    Levels are ``[price, size]`` wire strings, kept verbatim (the checksum needs the text).
    ``seq``/``pseq`` are exact ints (they can exceed 2**53 on COIN-M, section 9.5).
    ``checksum`` is ``None`` when the key is absent (v2 today), else a signed int32.
    """

    asks: list[tuple[str, str]]
    bids: list[tuple[str, str]]
    ts: str
    seq: int | None = None
    pseq: int | None = None
    checksum: int | None = None


class BitgetWsTrade(msgspec.Struct, frozen=True):
    """One ``trade`` row: ``side`` is the taker side (bitget-protocol.md 6.1)."""

    ts: str
    price: str
    size: str
    side: str
    tradeId: str


class BitgetWsTicker(msgspec.Struct, frozen=True):
    """
    One ``ticker`` row (bitget-protocol.md 6.1): the only WS source of mark, index and funding.

    ``symbolType`` is a number in the docs and a string in real captures, hence ``int | str``.
    """

    ts: str
    instId: str = ""
    symbol: str = ""
    lastPr: str | None = None
    bidPr: str | None = None
    askPr: str | None = None
    bidSz: str | None = None
    askSz: str | None = None
    open24h: str | None = None
    high24h: str | None = None
    low24h: str | None = None
    change24h: str | None = None
    fundingRate: str | None = None
    nextFundingTime: str | None = None
    markPrice: str | None = None
    indexPrice: str | None = None
    holdingAmount: str | None = None
    baseVolume: str | None = None
    quoteVolume: str | None = None
    openUtc: str | None = None
    symbolType: int | str | None = None
    deliveryPrice: str | None = None


class BitgetWsBookV3(BitgetWsBook, frozen=True):
    """
    One v3 ``books``/``books1``/``books5``/``books50`` element (bitget-protocol-uta.md 4.4, 4.5).

    ``seq``/``pseq`` arrive as JSON integers (possibly > 2**53) or as strings, and ``checksum``
    may be a string: the data client's v3 dialect turns strings into exact ints (never floats).
    """

    asks: list[tuple[str, str]] = msgspec.field(name="a", default_factory=list)
    bids: list[tuple[str, str]] = msgspec.field(name="b", default_factory=list)
    ts: str = ""
    seq: int | str | None = None  # type: ignore[assignment]
    pseq: int | str | None = None  # type: ignore[assignment]
    checksum: int | str | None = None  # type: ignore[assignment]
    maxDepth: str | None = None


class BitgetWsTradeV3(BitgetWsTrade, frozen=True):
    """One v3 ``publicTrade`` row (4.4): ``T`` ms, ``p``, ``v``, ``S`` taker side, ``i`` execId."""

    ts: str = msgspec.field(name="T")
    price: str = msgspec.field(name="p")
    size: str = msgspec.field(name="v")
    side: str = msgspec.field(name="S")
    tradeId: str = msgspec.field(name="i")
    L: str | None = None  # execLinkId
    isRPI: str | None = None


class BitgetWsTickerV3(BitgetWsTicker, frozen=True):
    """
    One v3 ``ticker`` row (4.4), renamed onto the v2 fields the parse functions read.

    The recorded data has no ``ts`` in ``data``: the dialect fills it from the envelope ``ts``.
    """

    ts: str = ""
    lastPr: str | None = msgspec.field(name="lastPrice", default=None)
    bidPr: str | None = msgspec.field(name="bid1Price", default=None)
    askPr: str | None = msgspec.field(name="ask1Price", default=None)
    bidSz: str | None = msgspec.field(name="bid1Size", default=None)
    askSz: str | None = msgspec.field(name="ask1Size", default=None)
    open24h: str | None = msgspec.field(name="openPrice24h", default=None)
    high24h: str | None = msgspec.field(name="highPrice24h", default=None)
    low24h: str | None = msgspec.field(name="lowPrice24h", default=None)
    change24h: str | None = msgspec.field(name="price24hPcnt", default=None)
    baseVolume: str | None = msgspec.field(name="volume24h", default=None)
    quoteVolume: str | None = msgspec.field(name="turnover24h", default=None)
    holdingAmount: str | None = msgspec.field(name="openInterest", default=None)
    deliveryStartTime: str | None = None
    deliveryStatus: str | None = None


# A candle row: [startTs, open, high, low, close, baseVolume, quoteVolume(, usdtVolume)] strings.
BitgetWsCandleRow = list[str]

BOOKS_DATA = list[BitgetWsBook]
TRADES_DATA = list[BitgetWsTrade]
TICKERS_DATA = list[BitgetWsTicker]
CANDLES_DATA = list[BitgetWsCandleRow]
