"""
Private REST account, settings, position and bill payloads (bitget-protocol.md 5.1-5.3, 5.12).

Leverages in ``account/account`` are JSON numbers, most other values strings (2.4), so numeric
fields are ``StrNum``.
"""

from __future__ import annotations

import msgspec

from nautilus_bitget.schemas.common import StrNum


class BitgetAccountAsset(msgspec.Struct, frozen=True):
    """One entry of ``assetList`` (union-margin mode)."""

    coin: str
    balance: StrNum | None = None
    available: StrNum | None = None


class BitgetAccount(msgspec.Struct, frozen=True):
    """
    One margin-coin account of ``GET /api/v2/mix/account/accounts`` and the single account of
    ``GET /api/v2/mix/account/account`` (bitget-protocol.md 5.1).

    The single-account form adds ``crossedMarginLeverage``/``isolated*Lever`` (numbers),
    ``marginMode`` and ``posMode``.
    """

    marginCoin: str
    locked: StrNum | None = None
    available: StrNum | None = None
    crossedMaxAvailable: StrNum | None = None
    isolatedMaxAvailable: StrNum | None = None
    maxTransferOut: StrNum | None = None
    accountEquity: StrNum | None = None
    usdtEquity: StrNum | None = None
    btcEquity: StrNum | None = None
    crossedRiskRate: StrNum | None = None
    unrealizedPL: StrNum | None = None
    coupon: StrNum | None = None
    unionTotalMargin: StrNum | None = None
    unionAvailable: StrNum | None = None
    unionMm: StrNum | None = None
    assetList: list[BitgetAccountAsset] | None = None
    isolatedMargin: StrNum | None = None
    crossedMargin: StrNum | None = None
    crossedUnrealizedPL: StrNum | None = None
    isolatedUnrealizedPL: StrNum | None = None
    assetMode: str | None = None  # single | union
    # Single-account endpoint only
    crossedMarginLeverage: StrNum | None = None
    isolatedLongLever: StrNum | None = None
    isolatedShortLever: StrNum | None = None
    marginMode: str | None = None  # crossed | isolated
    posMode: str | None = None  # one_way_mode | hedge_mode
    grant: StrNum | None = None


class BitgetSetLeverageResult(msgspec.Struct, frozen=True):
    """``POST /api/v2/mix/account/set-leverage`` (bitget-protocol.md 5.2)."""

    symbol: str | None = None
    marginCoin: str | None = None
    longLeverage: StrNum | None = None
    shortLeverage: StrNum | None = None
    crossMarginLeverage: StrNum | None = None
    marginMode: str | None = None


class BitgetSetMarginModeResult(msgspec.Struct, frozen=True):
    """``POST /api/v2/mix/account/set-margin-mode`` (bitget-protocol.md 5.2)."""

    symbol: str | None = None
    marginCoin: str | None = None
    longLeverage: StrNum | None = None
    shortLeverage: StrNum | None = None
    marginMode: str | None = None


class BitgetPositionModeResult(msgspec.Struct, frozen=True):
    """``POST /api/v2/mix/account/set-position-mode``: ``{"posMode": "hedge_mode"}``."""

    posMode: str


class BitgetPosition(msgspec.Struct, frozen=True):
    """
    One position of ``all-position`` / ``single-position`` (bitget-protocol.md 5.3).

    ``total`` is unsigned; the direction is ``holdSide`` (``long``/``short``), also in one-way mode.
    ``liquidationPrice <= 0`` means none; ``totalFee`` (accumulated funding) may be ``""``.
    """

    symbol: str
    holdSide: str
    marginCoin: str | None = None
    openDelegateSize: StrNum | None = None
    marginSize: StrNum | None = None
    available: StrNum | None = None
    locked: StrNum | None = None
    total: StrNum | None = None
    leverage: StrNum | None = None
    achievedProfits: StrNum | None = None
    openPriceAvg: StrNum | None = None
    marginMode: str | None = None
    posMode: str | None = None
    unrealizedPL: StrNum | None = None
    liquidationPrice: StrNum | None = None
    keepMarginRate: StrNum | None = None
    markPrice: StrNum | None = None
    marginRatio: StrNum | None = None
    breakEvenPrice: StrNum | None = None
    totalFee: StrNum | None = None
    deductedFee: StrNum | None = None
    cashDividend: StrNum | None = None
    assetMode: str | None = None
    autoMargin: str | None = None
    grant: StrNum | None = None
    takeProfit: StrNum | None = None
    stopLoss: StrNum | None = None
    takeProfitId: str | None = None
    stopLossId: str | None = None
    cTime: StrNum | None = None
    uTime: StrNum | None = None


class BitgetBill(msgspec.Struct, frozen=True):
    """
    One ledger entry of ``GET /api/v2/mix/account/bill`` (bitget-protocol.md 5.12).

    ``businessType == "contract_settle_fee"`` is a funding payment (``amount`` + received / - paid).
    """

    billId: str
    businessType: str
    amount: StrNum | None = None
    symbol: str | None = None
    fee: StrNum | None = None
    feeByCoupon: StrNum | None = None
    coin: str | None = None
    balance: StrNum | None = None
    cTime: StrNum | None = None


class BitgetBills(msgspec.Struct, frozen=True):
    """``GET /api/v2/mix/account/bill``: ``{bills, endId}`` (``endId`` is the next cursor)."""

    bills: list[BitgetBill] | None = None
    endId: str | None = None
