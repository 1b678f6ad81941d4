"""
Wire types of the public WebSocket (bitget-api.md sections 3.3, 3.4 and 6.1).

Field names are the venue's. A frame is decoded once into ``BitgetWsFrame`` with ``data`` kept as
``msgspec.Raw``; the data client then decodes ``data`` with the decoder of the frame's channel.
No Nautilus imports here.
"""

from __future__ import annotations

import msgspec


class BitgetWsArg(msgspec.Struct, frozen=True):
    """The ``arg`` selector of a push or event (bitget-api.md 3.3)."""

    instType: str = ""
    channel: str = ""
    instId: str = ""


class BitgetWsFrame(msgspec.Struct, frozen=True):
    """
    Any public frame: a data push (``action`` + ``data``) or an event (``event``).

    Pushes: ``{"action":"snapshot"|"update","arg":{...},"data":[...],"ts":1695716059516}``.
    Events: ``{"event":"subscribe"|"unsubscribe"|"error","arg":{...},"code":30001,"msg":"..."}``
    (``code`` is numeric in error frames and sometimes a string elsewhere).
    """

    arg: BitgetWsArg | None = None
    action: str | None = None
    data: msgspec.Raw = msgspec.Raw()  # empty (falsy) when absent
    ts: int | None = None
    event: str | None = None
    code: int | str | None = None
    msg: str | None = None
    op: str | None = None


class BitgetWsBook(msgspec.Struct, frozen=True):
    """
    One element of ``books`` / ``books1`` / ``books5`` / ``books15`` data (bitget-api.md 6.1).

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
    """One ``trade`` row: ``side`` is the taker side (bitget-api.md 6.1)."""

    ts: str
    price: str
    size: str
    side: str
    tradeId: str


class BitgetWsTicker(msgspec.Struct, frozen=True):
    """
    One ``ticker`` row (bitget-api.md 6.1): the only WS source of mark, index and funding.

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


# A candle row: [startTs, open, high, low, close, baseVolume, quoteVolume(, usdtVolume)] strings.
BitgetWsCandleRow = list[str]

BOOKS_DATA = list[BitgetWsBook]
TRADES_DATA = list[BitgetWsTrade]
TICKERS_DATA = list[BitgetWsTicker]
CANDLES_DATA = list[BitgetWsCandleRow]
