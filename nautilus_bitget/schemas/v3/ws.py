"""
WebSocket wire types of the Bitget UTA API v3 (bitget-protocol-uta.md section 4).

Selectors are ``{"instType", "topic", "symbol"}`` (public: lower-case ``instType``; private:
``"UTA"``). Decode a frame once as ``BitgetV3WsFrame`` (``data`` stays ``msgspec.Raw``), route by
``arg.topic`` (+ ``arg.symbol`` on public sockets), then decode ``data`` with the topic's payload
type. ``data`` is a list except on ``fast-fill`` where newer payloads send one object (4.4).
"""

from __future__ import annotations

import msgspec

from nautilus_bitget.schemas.common import StrNum
from nautilus_bitget.schemas.v3.common import Flag
from nautilus_bitget.schemas.v3.common import NullList
from nautilus_bitget.schemas.v3.common import NullListStruct
from nautilus_bitget.schemas.v3.common import SeqNum
from nautilus_bitget.schemas.v3.trade import BitgetV3FeeDetail


_RAW_NULL = msgspec.Raw(b"null")


class BitgetV3WsArg(msgspec.Struct, frozen=True):
    """
    The ``arg`` selector of a push or ack (4.3).

    Some doc fixtures echo ``instId`` instead of ``symbol``: ``key`` returns whichever is set.
    """

    instType: str = ""
    topic: str = ""
    symbol: str | None = None
    instId: str | None = None
    interval: str | None = None
    coin: str | None = None

    @property
    def key(self) -> str:
        """Return the symbol selector (``symbol`` or, failing that, ``instId``; ``""`` if none)."""
        return self.symbol or self.instId or ""


class BitgetV3WsTradeResult(msgspec.Struct, frozen=True):
    """One ``args`` item of an ``event:"trade"`` response (4.7)."""

    orderId: StrNum | None = None
    clientOid: str | None = None
    symbol: str | None = None
    cTime: StrNum | None = None
    code: StrNum | None = None
    msg: str | None = None


class BitgetV3WsFrame(NullListStruct, frozen=True):
    """
    Any v3 text frame (except ``pong``), decoded once.

    A push has ``action``/``arg``/``data``/``ts``; an event has ``event`` (``subscribe``,
    ``unsubscribe``, ``login``, ``error``, ``trade``) and ``code``/``msg``. ``code`` is a number on
    error events and ``"0"``/``0`` on login (4.2, 4.3).
    """

    event: str | None = None
    action: str | None = None
    arg: BitgetV3WsArg | None = None
    data: msgspec.Raw = _RAW_NULL
    ts: StrNum | None = None
    code: StrNum | None = None
    msg: str | None = None
    id: str | None = None
    topic: str | None = None
    category: str | None = None
    args: NullList[BitgetV3WsTradeResult] = []
    connId: str | None = None
    op: str | None = None

    @property
    def is_event(self) -> bool:
        """Return whether this frame is an event (ack, login, error, trade response)."""
        return self.event is not None

    @property
    def is_error(self) -> bool:
        """Return whether the frame reports a failure."""
        if self.event == "error":
            return True
        return self.event is not None and self.code not in (None, 0, "0", "", "00000")


class BitgetV3WsPush[T](NullListStruct, frozen=True):
    """A data push with a typed payload list, e.g. ``BitgetV3WsPush[BitgetV3WsOrder]``."""

    arg: BitgetV3WsArg
    data: NullList[T]
    action: str | None = None
    ts: StrNum | None = None


# -- public ---------------------------------------------------------------------------------------
class BitgetV3WsBook(NullListStruct, frozen=True):
    """
    One ``books``/``books1``/``books5``/``books50`` element (4.4, 4.5).

    Levels ``[price, size]`` as strings (size ``"0"`` deletes). ``seq``/``pseq`` are exact
    integers or strings (> 2**53 possible): read them with ``common.seq_int``. Snapshots have
    ``pseq`` 0 and ``checksum`` 0.
    """

    a: NullList[tuple[StrNum, StrNum]] = []
    b: NullList[tuple[StrNum, StrNum]] = []
    seq: SeqNum | None = None
    pseq: SeqNum | None = None
    checksum: int | str | None = None
    ts: StrNum | None = None
    maxDepth: StrNum | None = None


class BitgetV3WsPublicTrade(msgspec.Struct, frozen=True):
    """One ``publicTrade`` row (4.4): ``S`` is the taker side, ``T`` the ms time."""

    i: StrNum  # execId
    p: StrNum
    v: StrNum
    S: str
    T: StrNum
    L: StrNum | None = None  # execLinkId
    isRPI: str | None = None


class BitgetV3WsTicker(msgspec.Struct, frozen=True):
    """One ``ticker`` row (4.4); futures add mark/index/funding; no ``ts`` in recorded data."""

    lastPrice: StrNum | None = None
    openPrice24h: StrNum | None = None
    highPrice24h: StrNum | None = None
    lowPrice24h: StrNum | None = None
    bid1Price: StrNum | None = None
    ask1Price: StrNum | None = None
    bid1Size: StrNum | None = None
    ask1Size: StrNum | None = None
    price24hPcnt: StrNum | None = None
    volume24h: StrNum | None = None
    turnover24h: StrNum | None = None
    indexPrice: StrNum | None = None
    markPrice: StrNum | None = None
    fundingRate: StrNum | None = None
    openInterest: StrNum | None = None
    nextFundingTime: StrNum | None = None
    deliveryTime: StrNum | None = None
    deliveryStartTime: StrNum | None = None
    deliveryStatus: str | None = None
    symbol: str | None = None
    ts: StrNum | None = None


class BitgetV3WsKline(msgspec.Struct, frozen=True):
    """One ``kline`` row (4.4): an object, ``start`` is the candle open time (ms)."""

    start: StrNum
    open: StrNum
    high: StrNum
    low: StrNum
    close: StrNum
    volume: StrNum | None = None
    turnover: StrNum | None = None


# -- private (instType "UTA") ---------------------------------------------------------------------
class BitgetV3WsOrder(NullListStruct, frozen=True):
    """
    One private ``order`` push row (4.6): ``holdSide`` (not ``posSide``), lower-case
    ``category``, ``requestId`` echoed after a modify that carried one. Fills come only on
    ``fill``/``fast-fill``. The preset TP/SL arrive as ``takeProfit``/``stopLoss`` or, on the
    order push, in lower case (``takeprofit``/``stoploss``): both are accepted (read either).
    """

    orderId: StrNum
    symbol: str = ""
    clientOid: str | None = None
    category: str | None = None
    price: StrNum | None = None
    qty: StrNum | None = None
    amount: StrNum | None = None
    holdMode: str | None = None
    holdSide: str | None = None
    tradeSide: str | None = None
    delegateType: str | None = None
    orderType: str | None = None
    timeInForce: str | None = None
    side: str | None = None
    marginMode: str | None = None
    marginCoin: str | None = None
    reduceOnly: Flag | None = None
    cumExecQty: StrNum | None = None
    cumExecValue: StrNum | None = None
    avgPrice: StrNum | None = None
    totalProfit: StrNum | None = None
    orderStatus: str | None = None
    cancelReason: str | None = None
    leverage: StrNum | None = None
    feeDetail: NullList[BitgetV3FeeDetail] = []
    stpMode: str | None = None
    requestId: str | None = None
    takeProfit: StrNum | None = None
    stopLoss: StrNum | None = None
    takeprofit: StrNum | None = None  # the order push's spelling (4.6)
    stoploss: StrNum | None = None
    createdTime: StrNum | None = None
    updatedTime: StrNum | None = None


class BitgetV3WsFill(NullListStruct, frozen=True):
    """One private ``fill`` row (4.6); time key ``execTime``."""

    execId: StrNum
    orderId: StrNum
    symbol: str = ""
    clientOid: str | None = None
    category: str | None = None
    execLinkId: StrNum | None = None
    orderType: str | None = None
    side: str | None = None
    holdSide: str | None = None
    tradeSide: str | None = None
    tradeScope: str | None = None
    execPrice: StrNum | None = None
    execQty: StrNum | None = None
    execValue: StrNum | None = None
    execPnl: StrNum | None = None
    feeDetail: NullList[BitgetV3FeeDetail] = []
    isRPI: str | None = None
    execTime: StrNum | None = None
    updatedTime: StrNum | None = None


class BitgetV3WsFastFill(msgspec.Struct, frozen=True):
    """One private ``fast-fill`` item (no fee / pnl); ``data`` may be one object (4.4)."""

    execId: StrNum
    orderId: StrNum
    symbol: str = ""
    clientOid: str | None = None
    category: str | None = None
    side: str | None = None
    holdSide: str | None = None
    tradeScope: str | None = None
    execPrice: StrNum | None = None
    execQty: StrNum | None = None
    execTime: StrNum | None = None
    updatedTime: StrNum | None = None


# ``fast-fill`` ``data``: a list on most pushes, a single object on newer doc examples
BitgetV3WsFastFillData = list[BitgetV3WsFastFill] | BitgetV3WsFastFill


class BitgetV3WsPosition(msgspec.Struct, frozen=True):
    """
    One private ``position`` row (4.6): no ``category`` (resolve by ``symbol``/``marginCoin``);
    ``size`` (REST ``total``), ``liqPrice``, ``marginSize``, ``totalFundingFee``. A closed
    position arrives with ``size "0"`` and ``positionStatus "ended"``.
    """

    symbol: str
    marginCoin: str | None = None
    holdMode: str | None = None
    posSide: str | None = None
    marginMode: str | None = None
    size: StrNum | None = None
    available: StrNum | None = None
    frozen: StrNum | None = None
    leverage: StrNum | None = None
    marginSize: StrNum | None = None
    avgPrice: StrNum | None = None
    openPriceAvg: StrNum | None = None  # older doc name of avgPrice
    markPrice: StrNum | None = None
    breakEvenPrice: StrNum | None = None
    liqPrice: StrNum | None = None
    mmr: StrNum | None = None
    unrealisedPnl: StrNum | None = None
    curRealisedPnl: StrNum | None = None
    profitRate: StrNum | None = None
    totalFundingFee: StrNum | None = None
    openFeeTotal: StrNum | None = None
    closeFeeTotal: StrNum | None = None
    positionStatus: str | None = None
    cashDividend: StrNum | None = None
    createdTime: StrNum | None = None
    updatedTime: StrNum | None = None


class BitgetV3WsAccountCoin(msgspec.Struct, frozen=True):
    """One ``coin`` entry of the private ``account`` push (4.6)."""

    coin: str
    equity: StrNum | None = None
    balance: StrNum | None = None
    available: StrNum | None = None
    locked: StrNum | None = None
    borrow: StrNum | None = None
    debts: StrNum | None = None
    usdValue: StrNum | None = None


class BitgetV3WsAccount(NullListStruct, frozen=True):
    """One private ``account`` row (4.6): note ``unrealisedPnL`` (capital L) and ``coin``."""

    totalEquity: StrNum | None = None
    effEquity: StrNum | None = None
    unrealisedPnL: StrNum | None = None
    imr: StrNum | None = None
    mmr: StrNum | None = None
    mgnRatio: StrNum | None = None
    positionMgnRatio: StrNum | None = None
    bonus: StrNum | None = None
    coin: NullList[BitgetV3WsAccountCoin] = []


class BitgetV3WsStrategyOrder(msgspec.Struct, frozen=True):
    """One private ``strategy-order`` row (4.6)."""

    orderId: StrNum
    symbol: str = ""
    clientOid: str | None = None
    category: str | None = None
    qty: StrNum | None = None
    side: str | None = None
    posSide: str | None = None
    reduceOnly: Flag | None = None
    type: str | None = None  # tpsl | trigger
    status: str | None = None
    triggerType: str | None = None  # takeProfit | stopLoss
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


class BitgetV3WsAdl(msgspec.Struct, frozen=True):
    """One private ``adl-notification`` row (4.6)."""

    symbol: str
    side: str | None = None
    status: str | None = None
    price: StrNum | None = None
    amount: StrNum | None = None
    ts: StrNum | None = None
