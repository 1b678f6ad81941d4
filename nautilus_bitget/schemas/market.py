"""
Public REST market payloads of Bitget v2 ``mix`` (bitget-protocol.md section 4).

Each type is the ``data`` of one endpoint (or one element of it); the REST client strips the
envelope. Numeric fields are ``StrNum`` (see ``schemas.common``); fields that may be missing are
optional so one odd row never fails a whole list.
"""

from __future__ import annotations

import msgspec

from nautilus_bitget.schemas.common import StrNum


class BitgetServerTime(msgspec.Struct, frozen=True):
    """``GET /api/v2/public/time`` (bitget-protocol.md 4.1)."""

    serverTime: StrNum


class BitgetContract(msgspec.Struct, frozen=True):
    """
    One contract of ``GET /api/v2/mix/market/contracts`` (bitget-protocol.md 4.2).

    Unset values are ``""`` or ``"-1"`` (``offTime``, ``limitOpenTime``).
    """

    symbol: str
    baseCoin: str
    quoteCoin: str
    buyLimitPriceRatio: StrNum | None = None
    sellLimitPriceRatio: StrNum | None = None
    feeRateUpRatio: StrNum | None = None
    makerFeeRate: StrNum | None = None
    takerFeeRate: StrNum | None = None
    openCostUpRatio: StrNum | None = None
    supportMarginCoins: list[str] | None = None
    minTradeNum: StrNum | None = None  # min order qty (base coin)
    priceEndStep: StrNum | None = None  # tick = priceEndStep * 10^-pricePlace (9.1)
    volumePlace: StrNum | None = None  # qty decimals
    pricePlace: StrNum | None = None  # price decimals
    sizeMultiplier: StrNum | None = None  # qty step
    symbolType: str | None = None  # perpetual | delivery
    minTradeUSDT: StrNum | None = None  # min notional in USDT
    maxSymbolOrderNum: StrNum | None = None
    maxProductOrderNum: StrNum | None = None
    maxPositionNum: StrNum | None = None
    symbolStatus: str | None = None  # listed|normal|maintain|limit_open|restrictedAPI|off
    offTime: StrNum | None = None
    limitOpenTime: StrNum | None = None
    deliveryTime: StrNum | None = None
    deliveryStartTime: StrNum | None = None
    deliveryPeriod: str | None = None
    launchTime: StrNum | None = None
    fundInterval: StrNum | None = None  # funding interval, hours
    minLever: StrNum | None = None
    maxLever: StrNum | None = None
    posLimit: StrNum | None = None
    maintainTime: StrNum | None = None
    maxMarketOrderQty: StrNum | None = None
    maxOrderQty: StrNum | None = None
    isRwa: str | None = None
    openTime: StrNum | None = None


class BitgetMergeDepth(msgspec.Struct, frozen=True):
    """
    ``GET /api/v2/mix/market/merge-depth`` (bitget-protocol.md 4.3).

    Levels are ``[price, size]`` as JSON **numbers** here (strings on the sockets).
    """

    asks: list[tuple[StrNum, StrNum]] = []
    bids: list[tuple[StrNum, StrNum]] = []
    ts: StrNum | None = None
    scale: StrNum | None = None
    precision: str | None = None
    isMaxPrecision: str | None = None


class BitgetTicker(msgspec.Struct, frozen=True):
    """One element of ``GET /api/v2/mix/market/ticker`` and ``.../tickers`` (bitget-protocol.md
    4.4)."""

    symbol: str
    lastPr: StrNum | None = None
    askPr: StrNum | None = None
    bidPr: StrNum | None = None
    bidSz: StrNum | None = None
    askSz: StrNum | None = None
    high24h: StrNum | None = None
    low24h: StrNum | None = None
    ts: StrNum | None = None
    change24h: StrNum | None = None
    baseVolume: StrNum | None = None
    quoteVolume: StrNum | None = None
    usdtVolume: StrNum | None = None
    openUtc: StrNum | None = None
    changeUtc24h: StrNum | None = None
    indexPrice: StrNum | None = None
    fundingRate: StrNum | None = None
    holdingAmount: StrNum | None = None  # open interest, base coin
    deliveryStartTime: StrNum | None = None
    deliveryTime: StrNum | None = None
    deliveryStatus: str | None = None
    open24h: StrNum | None = None
    markPrice: StrNum | None = None


class BitgetCandleRow(msgspec.Struct, frozen=True, array_like=True):
    """
    One candle row: ``[ts, open, high, low, close, baseVolume, quoteVolume(, usdtVolume)]``.

    REST rows have 7 entries, WS rows 8 (bitget-protocol.md 4.5, 6.1); both decode into this type
    (extra trailing entries are ignored).
    """

    ts: StrNum  # candle start, ms
    open: StrNum
    high: StrNum
    low: StrNum
    close: StrNum
    baseVolume: StrNum
    quoteVolume: StrNum | None = None
    usdtVolume: StrNum | None = None


class BitgetRecentTrade(msgspec.Struct, frozen=True):
    """
    One public trade of ``GET /api/v2/mix/market/fills`` / ``fills-history`` (bitget-protocol.md
    4.6).

    ``side`` is the taker side; ``fills-history`` may capitalise it (``"Buy"``).
    """

    tradeId: str
    price: StrNum
    size: StrNum
    side: str
    ts: StrNum
    symbol: str | None = None


class BitgetCurrentFundRate(msgspec.Struct, frozen=True):
    """One element of ``GET /api/v2/mix/market/current-fund-rate`` (bitget-protocol.md 4.7)."""

    symbol: str
    fundingRate: StrNum | None = None
    fundingRateInterval: StrNum | None = None  # hours
    nextUpdate: StrNum | None = None  # ms
    minFundingRate: StrNum | None = None
    maxFundingRate: StrNum | None = None


class BitgetHistoryFundRate(msgspec.Struct, frozen=True):
    """One element of ``GET /api/v2/mix/market/history-fund-rate`` (newest first)."""

    symbol: str
    fundingRate: StrNum
    fundingTime: StrNum  # ms


class BitgetFundingTime(msgspec.Struct, frozen=True):
    """One element of ``GET /api/v2/mix/market/funding-time``."""

    symbol: str
    nextFundingTime: StrNum | None = None  # ms
    ratePeriod: StrNum | None = None  # hours


class BitgetOpenInterestItem(msgspec.Struct, frozen=True):
    """Open interest of one symbol, in base coin."""

    symbol: str
    size: StrNum


class BitgetOpenInterest(msgspec.Struct, frozen=True):
    """``GET /api/v2/mix/market/open-interest`` (bitget-protocol.md 4.8)."""

    openInterestList: list[BitgetOpenInterestItem] = []
    ts: StrNum | None = None


class BitgetSymbolPrice(msgspec.Struct, frozen=True):
    """One element of ``GET /api/v2/mix/market/symbol-price`` (bitget-protocol.md 4.9)."""

    symbol: str
    price: StrNum | None = None
    indexPrice: StrNum | None = None
    markPrice: StrNum | None = None
    ts: StrNum | None = None
