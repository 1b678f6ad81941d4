"""
Trade payloads of the Bitget UTA API v3 (bitget-protocol-uta.md 3.4-3.8).

Orders use ``orderStatus`` ``live|partially_filled|filled|cancelled`` (two l's; normalize with
``schemas.v3.common.norm_order_status``) and ``reduceOnly`` in any case (``flag``).
"""

from __future__ import annotations

import msgspec

from nautilus_bitget.schemas.common import StrNum
from nautilus_bitget.schemas.v3.common import Flag
from nautilus_bitget.schemas.v3.common import NullList
from nautilus_bitget.schemas.v3.common import NullListStruct


class BitgetV3OrderAck(msgspec.Struct, frozen=True):
    """
    ``place-order`` / ``modify-order`` / ``cancel-order`` / ``place-strategy-order`` ack.

    ``orderId`` may be null (3.4: a reduce-only order replacing older ones), so always send a
    ``clientOid``. An ack is acceptance only: confirm through the ``order`` push.
    """

    orderId: StrNum | None = None
    clientOid: str | None = None


class BitgetV3BatchItem(msgspec.Struct, frozen=True):
    """
    One item of a batch / list result (``place-batch``, ``cancel-batch``, ``cancel-symbol-order``,
    ``close-positions``); ``code`` present (and not ``"0"``/``"00000"``) means this item failed.
    """

    orderId: StrNum | None = None
    clientOid: str | None = None
    code: StrNum | None = None
    msg: str | None = None

    @property
    def ok(self) -> bool:
        """Return whether this item succeeded."""
        return self.code in (None, "", "0", "00000", 0)


class BitgetV3ListResult(NullListStruct, frozen=True):
    """``cancel-symbol-order`` / ``close-positions``: ``data = {"list": [...]}`` (3.6)."""

    list: NullList[BitgetV3BatchItem] = []


class BitgetV3FeeDetail(msgspec.Struct, frozen=True):
    """One ``feeDetail`` entry; both fields are null/"" before any fill (3.7)."""

    feeCoin: str | None = None
    fee: StrNum | None = None


class BitgetV3Order(NullListStruct, frozen=True):
    """
    One order of ``order-info`` / ``unfilled-orders`` / ``history-orders`` (3.7).

    ``price`` is ``"0"`` for market orders; ``avgPrice`` ``"0"`` until filled. REST orders carry
    ``posSide`` (WS pushes ``holdSide``).
    """

    orderId: StrNum
    clientOid: str | None = None
    category: str | None = None
    symbol: str = ""
    orderType: str | None = None
    side: str | None = None
    price: StrNum | None = None
    qty: StrNum | None = None
    amount: StrNum | None = None
    cumExecQty: StrNum | None = None
    cumExecValue: StrNum | None = None
    avgPrice: StrNum | None = None
    timeInForce: str | None = None
    orderStatus: str | None = None
    posSide: str | None = None
    holdMode: str | None = None
    tradeSide: str | None = None
    delegateType: str | None = None
    reduceOnly: Flag | None = None
    marginMode: str | None = None
    stpMode: str | None = None
    takeProfit: StrNum | None = None
    stopLoss: StrNum | None = None
    tpTriggerBy: str | None = None
    slTriggerBy: str | None = None
    tpOrderType: str | None = None
    slOrderType: str | None = None
    tpLimitPrice: StrNum | None = None
    slLimitPrice: StrNum | None = None
    feeDetail: NullList[BitgetV3FeeDetail] = []
    cancelReason: str | None = None
    execType: str | None = None
    createdTime: StrNum | None = None
    updatedTime: StrNum | None = None


class BitgetV3OrderList(NullListStruct, frozen=True):
    """``unfilled-orders`` / ``history-orders``: ``{list, cursor}`` (cursor may be a number)."""

    list: NullList[BitgetV3Order] = []
    cursor: StrNum | None = None


class BitgetV3Fill(NullListStruct, frozen=True):
    """One execution of ``GET /api/v3/trade/fills`` (3.7); timestamp key ``createdTime``."""

    execId: StrNum
    orderId: StrNum
    symbol: str = ""
    clientOid: str | None = None
    execLinkId: StrNum | None = None
    category: str | None = None
    orderType: str | None = None
    side: str | None = None
    execPrice: StrNum | None = None
    execQty: StrNum | None = None
    execValue: StrNum | None = None
    tradeScope: str | None = None  # taker | maker
    tradeSide: str | None = None  # open | close
    feeDetail: NullList[BitgetV3FeeDetail] = []
    execPnl: StrNum | None = None
    isRPI: str | None = None
    createdTime: StrNum | None = None
    updatedTime: StrNum | None = None


class BitgetV3FillList(NullListStruct, frozen=True):
    """``GET /api/v3/trade/fills``: ``{list, cursor}``."""

    list: NullList[BitgetV3Fill] = []
    cursor: StrNum | None = None


class BitgetV3StrategyOrder(msgspec.Struct, frozen=True):
    """
    One strategy (TP/SL or trigger) order: ``unfilled-strategy-orders`` (a bare list) and
    ``history-strategy-orders`` rows (3.8). ``status``: pending|success|failed|cancelled|submitting.
    """

    orderId: StrNum
    clientOid: str | None = None
    category: str | None = None
    symbol: str = ""
    type: str | None = None  # tpsl | trigger
    tpslMode: str | None = None
    qty: StrNum | None = None
    side: str | None = None
    posSide: str | None = None
    reduceOnly: Flag | None = None
    status: str | None = None
    tpTriggerBy: str | None = None
    slTriggerBy: str | None = None
    takeProfit: StrNum | None = None
    stopLoss: StrNum | None = None
    tpOrderType: str | None = None
    slOrderType: str | None = None
    tpLimitPrice: StrNum | None = None
    slLimitPrice: StrNum | None = None
    triggerBy: str | None = None
    triggerPrice: StrNum | None = None
    triggerOrderType: str | None = None
    triggerOrderPrice: StrNum | None = None
    createdTime: StrNum | None = None
    updatedTime: StrNum | None = None


class BitgetV3StrategyOrderList(NullListStruct, frozen=True):
    """``history-strategy-orders``: ``{list, cursor}``."""

    list: NullList[BitgetV3StrategyOrder] = []
    cursor: StrNum | None = None
