"""
Public REST payloads of the Bitget UTA API v3 (bitget-protocol-uta.md section 2).

Each type is the ``data`` of one endpoint (or one element of it). Numbers are ``StrNum``; every
field that can be absent or ``null`` is optional, so one odd row never fails a whole list.
"""

from __future__ import annotations

import msgspec

from nautilus_bitget.schemas.common import StrNum
from nautilus_bitget.schemas.v3.common import NullList
from nautilus_bitget.schemas.v3.common import NullListStruct


class BitgetV3Instrument(msgspec.Struct, frozen=True):
    """
    One row of ``GET /api/v3/market/instruments`` (2.2).

    ``priceMultiplier`` is the price tick, ``quantityMultiplier`` the lot step. ``type`` is
    ``perpetual``/``delivery``; older payloads put that in ``symbolType`` (now ``crypto`` etc.).
    """

    symbol: str
    category: str = ""
    baseCoin: str = ""
    quoteCoin: str = ""
    type: str | None = None
    symbolType: str | None = None
    pricePrecision: StrNum | None = None
    priceMultiplier: StrNum | None = None
    quantityPrecision: StrNum | None = None
    quantityMultiplier: StrNum | None = None
    quotePrecision: StrNum | None = None
    minOrderQty: StrNum | None = None
    maxOrderQty: StrNum | None = None
    maxMarketOrderQty: StrNum | None = None
    minOrderAmount: StrNum | None = None
    makerFeeRate: StrNum | None = None
    takerFeeRate: StrNum | None = None
    feeRateUpRatio: StrNum | None = None
    openCostUpRatio: StrNum | None = None
    buyLimitPriceRatio: StrNum | None = None
    sellLimitPriceRatio: StrNum | None = None
    minLeverage: StrNum | None = None
    maxLeverage: StrNum | None = None
    fundInterval: StrNum | None = None  # hours
    maxSymbolOrderNum: StrNum | None = None
    maxProductOrderNum: StrNum | None = None
    maxPositionNum: StrNum | None = None
    status: str | None = None  # listed|online|limit_open|limit_close|offline|restrictedAPI
    offTime: StrNum | None = None
    limitOpenTime: StrNum | None = None
    deliveryTime: StrNum | None = None
    deliveryStartTime: StrNum | None = None
    deliveryPeriod: str | None = None
    launchTime: StrNum | None = None
    maintainTime: StrNum | None = None
    isRwa: str | None = None
    areaSymbol: str | None = None
    isReality: str | None = None

    @property
    def contract_type(self) -> str:
        """Return ``perpetual``/``delivery`` from ``type``, else from ``symbolType`` (2.2)."""
        kind = (self.type or "").lower()
        if kind in ("perpetual", "delivery"):
            return kind
        legacy = (self.symbolType or "").lower()
        return legacy if legacy in ("perpetual", "delivery") else kind


class BitgetV3Ticker(msgspec.Struct, frozen=True):
    """One row of ``GET /api/v3/market/tickers`` (2.4); no ``nextFundingTime`` on REST."""

    symbol: str
    category: str | None = None
    ts: StrNum | None = None
    lastPrice: StrNum | None = None
    openPrice24h: StrNum | None = None
    highPrice24h: StrNum | None = None
    lowPrice24h: StrNum | None = None
    ask1Price: StrNum | None = None
    bid1Price: StrNum | None = None
    bid1Size: StrNum | None = None
    ask1Size: StrNum | None = None
    price24hPcnt: StrNum | None = None
    volume24h: StrNum | None = None
    turnover24h: StrNum | None = None
    indexPrice: StrNum | None = None
    markPrice: StrNum | None = None
    fundingRate: StrNum | None = None
    openInterest: StrNum | None = None
    deliveryStartTime: StrNum | None = None
    deliveryTime: StrNum | None = None
    deliveryStatus: str | None = None


class BitgetV3OrderBook(NullListStruct, frozen=True):
    """
    ``GET /api/v3/market/orderbook`` (2.3): ``a``/``b`` levels ``[price, size]``.

    Levels are JSON **numbers** on the wire; msgspec keeps a number as ``int``/``float`` (use
    ``num_str`` for the shortest round-trip text, which is exact for the venue's decimals).
    """

    a: NullList[tuple[StrNum, StrNum]] = []
    b: NullList[tuple[StrNum, StrNum]] = []
    ts: StrNum | None = None


# ``GET /api/v3/market/candles`` / ``history-candles`` row (2.5):
# ``[ts, open, high, low, close, volume(base), turnover(quote)]``, all strings
BitgetV3CandleRow = list[StrNum]


class BitgetV3PublicFill(msgspec.Struct, frozen=True):
    """One row of ``GET /api/v3/market/fills`` (2.6); ``side`` is the taker side."""

    execId: str
    price: StrNum
    size: StrNum
    side: str
    ts: StrNum
    execLinkId: str | None = None
    isRPI: str | None = None


class BitgetV3CurrentFundRate(msgspec.Struct, frozen=True):
    """One row of ``GET /api/v3/market/current-fund-rate`` (2.7); ``nextUpdate`` in ms."""

    symbol: str
    fundingRate: StrNum | None = None
    fundingRateInterval: StrNum | None = None  # hours
    nextUpdate: StrNum | None = None
    minFundingRate: StrNum | None = None
    maxFundingRate: StrNum | None = None
    cashDividend: StrNum | None = None
    cashDividendNextUpdate: StrNum | None = None


class BitgetV3FundRateRecord(msgspec.Struct, frozen=True):
    """One settlement of ``history-fund-rate`` (2.7)."""

    symbol: str
    fundingRate: StrNum
    fundingRateTimestamp: StrNum


class BitgetV3HistoryFundRate(NullListStruct, frozen=True):
    """
    ``GET /api/v3/market/history-fund-rate`` (2.7): newest first; pages are asked for by the
    request's page-number ``cursor`` (the response carries no cursor).
    """

    resultList: NullList[BitgetV3FundRateRecord] = []
    cursor: StrNum | None = None


class BitgetV3OpenInterestItem(msgspec.Struct, frozen=True):
    """One row of ``open-interest`` ``list`` (2.8), base-coin size."""

    symbol: str
    openInterest: StrNum


class BitgetV3OpenInterest(NullListStruct, frozen=True):
    """``GET /api/v3/market/open-interest`` (2.8)."""

    list: NullList[BitgetV3OpenInterestItem] = []
    ts: StrNum | None = None


class BitgetV3OiLimit(msgspec.Struct, frozen=True):
    """One row of ``GET /api/v3/market/oi-limit`` (2.8)."""

    symbol: str
    notionalValue: StrNum | None = None
    totalNotionalValue: StrNum | None = None


class BitgetV3PositionTier(msgspec.Struct, frozen=True):
    """One row of ``GET /api/v3/market/position-tier`` (2.10)."""

    tier: StrNum
    minTierValue: StrNum | None = None
    maxTierValue: StrNum | None = None
    leverage: StrNum | None = None
    mmr: StrNum | None = None
