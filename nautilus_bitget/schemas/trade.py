"""
Private REST order, plan-order and fill payloads (bitget-protocol.md 5.4-5.11).

Order status is ``state`` in ``order/detail`` and ``status`` in list rows (5.10); plan orders
use ``planStatus`` and spell ``cancelled`` with two l (5.11).
"""

from __future__ import annotations

import msgspec

from nautilus_bitget.schemas.common import StrNum


class BitgetOrderId(msgspec.Struct, frozen=True):
    """
    ``{orderId, clientOid}`` returned by place/cancel/modify (plan) order (5.4, 5.7, 5.8, 5.11).

    ``orderId`` is ``null`` after a modify (a new order is created asynchronously) and may be
    missing for a one-way reduce-only order that cancelled older ones (5.4).
    """

    orderId: str | None = None
    clientOid: str | None = None


class BitgetBatchItem(msgspec.Struct, frozen=True):
    """One entry of ``successList``/``failureList``; failures add ``errorMsg`` (+ ``errorCode``)."""

    orderId: str | None = None
    clientOid: str | None = None
    symbol: str | None = None
    errorMsg: str | None = None
    errorCode: StrNum | None = None


class BitgetBatchResult(msgspec.Struct, frozen=True):
    """
    Result of batch place/cancel, cancel-all, close-positions and cancel-plan (5.6, 5.8, 5.9).

    Partial success is normal: check every entry.
    """

    successList: list[BitgetBatchItem] | None = None
    failureList: list[BitgetBatchItem] | None = None
    result: bool | None = None


class BitgetFeeDetail(msgspec.Struct, frozen=True):
    """
    One fee entry; negative amounts are fees paid (bitget-protocol.md 9.4).

    REST fills and the WS ``fill`` channel send ``deduction``/``totalDeductionFee``/``totalFee``;
    the WS ``orders`` channel sends ``fee``.
    """

    feeCoin: str | None = None
    fee: StrNum | None = None
    deduction: str | None = None  # yes | no (coupon deduction)
    totalDeductionFee: StrNum | None = None
    totalFee: StrNum | None = None


class BitgetOrderDetail(msgspec.Struct, frozen=True):
    """
    An order from ``order/detail`` (key ``state``) or a row of ``orders-pending`` /
    ``orders-history`` (key ``status``) (bitget-protocol.md 5.10).

    ``baseVolume`` is the filled quantity; ``priceAvg`` is ``""`` before any fill.
    """

    symbol: str
    orderId: str
    clientOid: str | None = None
    size: StrNum | None = None
    baseVolume: StrNum | None = None
    fee: StrNum | None = None
    price: StrNum | None = None
    priceAvg: StrNum | None = None
    state: str | None = None  # detail
    status: str | None = None  # list rows
    side: str | None = None
    force: str | None = None
    totalProfits: StrNum | None = None
    posSide: str | None = None
    marginCoin: str | None = None
    presetStopSurplusPrice: StrNum | None = None
    presetStopSurplusType: str | None = None
    presetStopSurplusExecutePrice: StrNum | None = None
    presetStopLossPrice: StrNum | None = None
    presetStopLossType: str | None = None
    presetStopLossExecutePrice: StrNum | None = None
    quoteVolume: StrNum | None = None
    orderType: str | None = None
    leverage: StrNum | None = None
    marginMode: str | None = None
    reduceOnly: str | None = None  # YES | NO
    enterPointSource: str | None = None
    tradeSide: str | None = None
    newTradeSide: str | None = None
    posMode: str | None = None
    orderSource: str | None = None
    cancelReason: str | None = None
    liqPrice: StrNum | None = None  # history only
    posAvg: StrNum | None = None  # history only
    cTime: StrNum | None = None
    uTime: StrNum | None = None

    @property
    def order_status(self) -> str:
        """Return the order status whichever key carried it (``state`` or ``status``)."""
        return self.state or self.status or ""


class BitgetPendingOrders(msgspec.Struct, frozen=True):
    """
    ``orders-pending`` / ``orders-history``: ``{entrustedList, endId}``.

    ``entrustedList`` may be ``null`` or absent when empty (bitget-protocol.md 9.2).
    """

    entrustedList: list[BitgetOrderDetail] | None = None
    endId: str | None = None

    @property
    def orders(self) -> list[BitgetOrderDetail]:
        """Return the orders (empty when the venue sent ``null`` or nothing)."""
        return self.entrustedList or []


class BitgetFill(msgspec.Struct, frozen=True):
    """
    One private fill of ``GET /api/v2/mix/order/fills`` / ``fill-history`` (bitget-protocol.md
    5.10).

    ``side`` echoes the order side in hedge mode (5.5): derive the trade direction from
    ``side``/``tradeSide``/``posMode``.
    """

    tradeId: str
    orderId: str
    symbol: str
    price: StrNum
    baseVolume: StrNum
    clientOid: str | None = None
    feeDetail: list[BitgetFeeDetail] | None = None
    side: str | None = None
    quoteVolume: StrNum | None = None
    profit: StrNum | None = None
    enterPointSource: str | None = None
    tradeSide: str | None = None
    posMode: str | None = None
    tradeScope: str | None = None  # taker | maker
    cTime: StrNum | None = None


class BitgetFills(msgspec.Struct, frozen=True):
    """``GET /api/v2/mix/order/fills``: ``{fillList, endId}``."""

    fillList: list[BitgetFill] | None = None
    endId: str | None = None

    @property
    def fills(self) -> list[BitgetFill]:
        """Return the fills (empty when the venue sent ``null`` or nothing)."""
        return self.fillList or []


class BitgetPlanOrder(msgspec.Struct, frozen=True):
    """
    A row of ``orders-plan-pending`` / ``orders-plan-history`` (bitget-protocol.md 5.11).

    ``planStatus``: ``live`` (pending), ``executed``, ``fail_execute``, ``cancelled``.
    ``executeOrderId`` (history) is the order created when the trigger fired.
    """

    orderId: str
    symbol: str
    planType: str | None = None
    clientOid: str | None = None
    size: StrNum | None = None
    price: StrNum | None = None
    executePrice: StrNum | None = None
    callbackRatio: StrNum | None = None
    triggerPrice: StrNum | None = None
    triggerType: str | None = None
    planStatus: str | None = None
    side: str | None = None
    posSide: str | None = None
    marginCoin: str | None = None
    marginMode: str | None = None
    enterPointSource: str | None = None
    tradeSide: str | None = None
    posMode: str | None = None
    orderType: str | None = None
    orderSource: str | None = None
    feeDetail: list[BitgetFeeDetail] | None = None
    baseVolume: StrNum | None = None
    priceAvg: StrNum | None = None
    executeOrderId: str | None = None
    stopSurplusTriggerPrice: StrNum | None = None
    stopSurplusExecutePrice: StrNum | None = None
    stopSurplusTriggerType: str | None = None
    stopLossTriggerPrice: StrNum | None = None
    stopLossExecutePrice: StrNum | None = None
    stopLossTriggerType: str | None = None
    cTime: StrNum | None = None
    uTime: StrNum | None = None


class BitgetPlanOrders(msgspec.Struct, frozen=True):
    """``orders-plan-pending`` / ``orders-plan-history``: ``{entrustedList, endId}``."""

    entrustedList: list[BitgetPlanOrder] | None = None
    endId: str | None = None

    @property
    def orders(self) -> list[BitgetPlanOrder]:
        """Return the plan orders (empty when the venue sent ``null`` or nothing)."""
        return self.entrustedList or []
