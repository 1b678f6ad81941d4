"""
Private account and position payloads of the Bitget UTA API v3 (bitget-protocol-uta.md 3.1-3.3).
"""

from __future__ import annotations

import msgspec

from nautilus_bitget.schemas.common import StrNum
from nautilus_bitget.schemas.v3.common import NullList
from nautilus_bitget.schemas.v3.common import NullListStruct


class BitgetV3SymbolConfig(msgspec.Struct, frozen=True):
    """One ``symbolConfigList`` row of ``account/settings``: per-symbol margin mode, leverage."""

    symbol: str
    category: str | None = None
    marginMode: str | None = None  # crossed | isolated
    leverage: StrNum | None = None


class BitgetV3CoinConfig(msgspec.Struct, frozen=True):
    """One ``coinConfigList`` row of ``account/settings``."""

    coin: str
    leverage: StrNum | None = None


class BitgetV3AccountSettings(NullListStruct, frozen=True):
    """
    ``GET /api/v3/account/settings`` (3.1): the account-type probe (1.2) and settings.

    ``holdMode`` (``one_way_mode``|``hedge_mode``) is account-wide.
    """

    uid: StrNum | None = None
    accountMode: str | None = None  # unified | hybrid | upgrading | switching
    assetMode: str | None = None
    accountLevel: str | None = None
    holdMode: str | None = None
    posMode: str | None = None  # not documented; some libraries read it "just in case"
    stpMode: str | None = None
    symbolConfigList: NullList[BitgetV3SymbolConfig] = []
    coinConfigList: NullList[BitgetV3CoinConfig] = []

    @property
    def hold_mode(self) -> str:
        """Return ``one_way_mode`` or ``hedge_mode`` (aliases ``single_hold``/``double_hold``)."""
        mode = (self.holdMode or self.posMode or "").lower()
        return {"single_hold": "one_way_mode", "double_hold": "hedge_mode"}.get(mode, mode)


class BitgetV3Asset(msgspec.Struct, frozen=True):
    """One coin of ``account/assets`` ``assets`` (3.1)."""

    coin: str
    equity: StrNum | None = None
    usdValue: StrNum | None = None
    balance: StrNum | None = None
    available: StrNum | None = None
    debt: StrNum | None = None
    locked: StrNum | None = None


class BitgetV3Assets(NullListStruct, frozen=True):
    """``GET /api/v3/account/assets`` (3.1); ``imr``/``mmr`` are USD amounts."""

    accountEquity: StrNum | None = None
    usdtEquity: StrNum | None = None
    btcEquity: StrNum | None = None
    unrealisedPnl: StrNum | None = None
    usdtUnrealisedPnl: StrNum | None = None
    btcUnrealizedPnl: StrNum | None = None
    effEquity: StrNum | None = None
    mmr: StrNum | None = None
    imr: StrNum | None = None
    mgnRatio: StrNum | None = None
    positionMgnRatio: StrNum | None = None
    positionValue: StrNum | None = None
    leverage: StrNum | None = None
    bonus: StrNum | None = None
    assets: NullList[BitgetV3Asset] = []


class BitgetV3FeeRate(msgspec.Struct, frozen=True):
    """``GET /api/v3/account/fee-rate`` (3.1)."""

    makerFeeRate: StrNum | None = None
    takerFeeRate: StrNum | None = None
    symbol: str | None = None


class BitgetV3AccountInfo(NullListStruct, frozen=True):
    """``GET /api/v3/account/info`` (1.4)."""

    userId: StrNum | None = None
    inviterId: StrNum | None = None
    parentId: StrNum | None = None
    channelCode: StrNum | None = None
    channel: str | None = None
    ips: str | None = None
    permType: str | None = None
    permissions: NullList[str] = []
    regisTime: StrNum | None = None


class BitgetV3MaxOpenAvailable(msgspec.Struct, frozen=True):
    """``/api/v3/account/max-open-available`` (3.2); unset values are ``""``."""

    available: StrNum | None = None
    maxOpen: StrNum | None = None
    buyOpenCost: StrNum | None = None
    sellOpenCost: StrNum | None = None
    maxBuyOpen: StrNum | None = None
    maxSellOpen: StrNum | None = None
    maxBuyAvailable: StrNum | None = None
    maxSellAvailable: StrNum | None = None


class BitgetV3Position(msgspec.Struct, frozen=True):
    """
    One row of ``GET /api/v3/position/current-position`` ``list`` (3.2).

    ``total`` is the (positive) size in base coin; ``posSide`` gives the direction in both hold
    modes. ``mmr`` is a maintenance margin **rate**; fees are negative when paid.
    """

    symbol: str
    category: str | None = None
    marginCoin: str | None = None
    holdMode: str | None = None
    posSide: str | None = None
    marginMode: str | None = None
    positionBalance: StrNum | None = None
    available: StrNum | None = None
    frozen: StrNum | None = None
    total: StrNum | None = None
    leverage: StrNum | None = None
    curRealisedPnl: StrNum | None = None
    avgPrice: StrNum | None = None
    positionStatus: str | None = None
    unrealisedPnl: StrNum | None = None
    liquidationPrice: StrNum | None = None
    mmr: StrNum | None = None
    profitRate: StrNum | None = None
    markPrice: StrNum | None = None
    breakEvenPrice: StrNum | None = None
    totalFunding: StrNum | None = None
    openFeeTotal: StrNum | None = None
    closeFeeTotal: StrNum | None = None
    cashDividend: StrNum | None = None
    createdTime: StrNum | None = None
    updatedTime: StrNum | None = None


class BitgetV3Positions(NullListStruct, frozen=True):
    """``GET /api/v3/position/current-position``: ``data = {"list": [...]}`` (3.2)."""

    list: NullList[BitgetV3Position] = []


class BitgetV3HistoryPosition(msgspec.Struct, frozen=True):
    """One row of ``GET /api/v3/position/history-position`` (3.2)."""

    symbol: str
    positionId: StrNum | None = None
    category: str | None = None
    marginCoin: str | None = None
    holdMode: str | None = None
    posSide: str | None = None
    marginMode: str | None = None
    openPriceAvg: StrNum | None = None
    closePriceAvg: StrNum | None = None
    openTotalPos: StrNum | None = None
    closeTotalPos: StrNum | None = None
    cumRealisedPnl: StrNum | None = None
    netProfit: StrNum | None = None
    totalFunding: StrNum | None = None
    openFeeTotal: StrNum | None = None
    closeFeeTotal: StrNum | None = None
    createdTime: StrNum | None = None
    updatedTime: StrNum | None = None


class BitgetV3HistoryPositions(NullListStruct, frozen=True):
    """``GET /api/v3/position/history-position`` (3.2)."""

    list: NullList[BitgetV3HistoryPosition] = []
    cursor: StrNum | None = None


class BitgetV3FinancialRecord(msgspec.Struct, frozen=True):
    """One ``GET /api/v3/account/financial-records`` row (3.1)."""

    id: StrNum
    type: str
    category: str | None = None
    symbol: str | None = None
    coin: str | None = None
    amount: StrNum | None = None
    fee: StrNum | None = None
    balance: StrNum | None = None
    ts: StrNum | None = None


class BitgetV3FinancialRecords(NullListStruct, frozen=True):
    """``GET /api/v3/account/financial-records``: ``{list, cursor}`` (3.1)."""

    list: NullList[BitgetV3FinancialRecord] = []
    cursor: StrNum | None = None
