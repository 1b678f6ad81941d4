"""
Private WebSocket payloads (bitget-protocol.md 3.2, 6.2): ``orders``, ``fill``, ``positions``,
``account``, ``orders-algo``, ``positions-history`` and the login request.

Each type is one element of a push's ``data`` list; ``BitgetWs*Msg`` aliases decode a whole push.
"""

from __future__ import annotations

import msgspec

from nautilus_bitget.schemas.common import StrNum
from nautilus_bitget.schemas.envelope import BitgetWsPush
from nautilus_bitget.schemas.trade import BitgetFeeDetail


class BitgetWsLoginArg(msgspec.Struct, frozen=True):
    """Login argument: ``sign = base64(hmac_sha256(secret, ts + "GET" + "/user/verify"))`` (3.2)."""

    apiKey: str
    passphrase: str
    timestamp: str  # seconds
    sign: str

    def __repr__(self) -> str:
        return f"BitgetWsLoginArg(apiKey={self.apiKey!r}, timestamp={self.timestamp!r}, ...)"


class BitgetWsLoginRequest(msgspec.Struct, frozen=True, kw_only=True):
    """``{"op":"login","args":[...]}``; its repr never shows the passphrase or signature."""

    op: str = "login"
    args: list[BitgetWsLoginArg]


class _ClientOidMixin:
    """Both spellings ``clientOid`` and ``clientOId`` occur (docs orders-channel example, 6.2)."""

    __slots__ = ()

    @property
    def client_oid(self) -> str | None:
        """Return the client order id whichever spelling carried it (``None`` when empty)."""
        return self.clientOid or self.clientOId or None  # type: ignore[attr-defined]


class BitgetWsOrder(_ClientOidMixin, msgspec.Struct, frozen=True):
    """
    One element of an ``orders`` push (bitget-protocol.md 6.2).

    A row carrying ``tradeId`` is a fill: qty ``baseVolume``, price ``fillPrice``, fee ``fillFee``
    (negative = paid) in ``fillFeeCoin``, liquidity ``tradeScope`` (``T`` taker / ``M`` maker).
    ``accBaseVolume`` is the cumulative filled quantity; ``reduceOnly`` is lowercase ``yes``/``no``.
    """

    orderId: str
    instId: str
    clientOid: str | None = None
    clientOId: str | None = None
    price: StrNum | None = None
    size: StrNum | None = None
    notionalUsd: StrNum | None = None
    orderType: str | None = None
    force: str | None = None
    side: str | None = None
    posSide: str | None = None
    posMode: str | None = None
    tradeSide: str | None = None
    marginMode: str | None = None
    marginCoin: str | None = None
    leverage: StrNum | None = None
    reduceOnly: str | None = None
    enterPointSource: str | None = None
    status: str | None = None  # live | partially_filled | filled | canceled
    accBaseVolume: StrNum | None = None
    priceAvg: StrNum | None = None
    cancelReason: str | None = None
    stpMode: str | None = None
    totalProfits: StrNum | None = None
    pnl: StrNum | None = None
    feeDetail: list[BitgetFeeDetail] | None = None
    # Fill messages only
    tradeId: str | None = None
    fillPrice: StrNum | None = None
    baseVolume: StrNum | None = None
    fillTime: StrNum | None = None
    fillFee: StrNum | None = None
    fillFeeCoin: str | None = None
    fillNotionalUsd: StrNum | None = None
    tradeScope: str | None = None
    presetStopSurplusPrice: StrNum | None = None
    presetStopSurplusType: str | None = None
    presetStopSurplusExecutePrice: StrNum | None = None
    presetStopLossPrice: StrNum | None = None
    presetStopLossType: str | None = None
    presetStopLossExecutePrice: StrNum | None = None
    cTime: StrNum | None = None
    uTime: StrNum | None = None

    @property
    def is_fill(self) -> bool:
        """Return whether this push reports an execution (it carries a ``tradeId``)."""
        return bool(self.tradeId)


class BitgetWsFill(_ClientOidMixin, msgspec.Struct, frozen=True):
    """
    One element of a ``fill`` push: one execution (bitget-protocol.md 6.2).

    The key is ``symbol`` (not ``instId``); ``tradeScope`` is ``taker``/``maker``.
    """

    orderId: str
    tradeId: str
    symbol: str
    price: StrNum
    baseVolume: StrNum
    clientOid: str | None = None
    clientOId: str | None = None
    side: str | None = None
    orderType: str | None = None
    posMode: str | None = None
    quoteVolume: StrNum | None = None
    profit: StrNum | None = None
    tradeSide: str | None = None
    tradeScope: str | None = None
    feeDetail: list[BitgetFeeDetail] | None = None
    cTime: StrNum | None = None
    uTime: StrNum | None = None


class BitgetWsPosition(msgspec.Struct, frozen=True):
    """
    One element of a ``positions`` push; each push is the full set of open positions of the
    product type (a closed position is absent) (bitget-protocol.md 6.2). ``leverage`` is a number.
    """

    instId: str
    holdSide: str
    posId: str | None = None
    marginCoin: str | None = None
    marginSize: StrNum | None = None
    marginMode: str | None = None
    posMode: str | None = None
    total: StrNum | None = None
    available: StrNum | None = None
    frozen: StrNum | None = None
    openPriceAvg: StrNum | None = None
    leverage: StrNum | None = None
    achievedProfits: StrNum | None = None
    unrealizedPL: StrNum | None = None
    unrealizedPLR: StrNum | None = None
    liquidationPrice: StrNum | None = None
    keepMarginRate: StrNum | None = None
    isolatedMarginRate: StrNum | None = None
    marginRate: StrNum | None = None
    breakEvenPrice: StrNum | None = None
    totalFee: StrNum | None = None  # accumulated funding
    deductedFee: StrNum | None = None
    markPrice: StrNum | None = None
    cashDividend: StrNum | None = None
    assetMode: str | None = None
    autoMargin: str | None = None
    cTime: StrNum | None = None
    uTime: StrNum | None = None


class BitgetWsAccount(msgspec.Struct, frozen=True):
    """One margin-coin element of an ``account`` push (arg selects ``coin: "default"``)."""

    marginCoin: str
    frozen: StrNum | None = None
    available: StrNum | None = None
    maxOpenPosAvailable: StrNum | None = None
    maxTransferOut: StrNum | None = None
    equity: StrNum | None = None
    usdtEquity: StrNum | None = None
    crossedRiskRate: StrNum | None = None
    unrealizedPL: StrNum | None = None
    unionTotalMargin: StrNum | None = None
    unionAvailable: StrNum | None = None
    unionMm: StrNum | None = None
    assetsMode: str | None = None


class BitgetWsAlgoOrder(_ClientOidMixin, msgspec.Struct, frozen=True):
    """
    One element of an ``orders-algo`` push (bitget-protocol.md 6.2).

    ``planType`` uses short codes (``pl``, ``tp``, ``sl``, ``ptp``, ``psl``, ``track``,
    ``mtpsl``); ``status``: ``live``, ``executing``, ``executed``, ``fail_execute``, ``cancelled``.
    """

    orderId: str
    instId: str
    clientOid: str | None = None
    clientOId: str | None = None
    triggerPrice: StrNum | None = None
    triggerType: str | None = None
    triggerTime: StrNum | None = None
    planType: str | None = None
    price: StrNum | None = None
    executePrice: StrNum | None = None
    size: StrNum | None = None
    actualSize: StrNum | None = None
    orderType: str | None = None
    side: str | None = None
    tradeSide: str | None = None
    posSide: str | None = None
    marginCoin: str | None = None
    marginMode: str | None = None
    status: str | None = None
    posMode: str | None = None
    enterPointSource: str | None = None
    callbackRatio: StrNum | None = None
    stopSurplusTriggerPrice: StrNum | None = None
    stopSurplusExecutePrice: StrNum | None = None
    stopSurplusTriggerType: str | None = None
    stopLossTriggerPrice: StrNum | None = None
    stopLossExecutePrice: StrNum | None = None
    stopLossTriggerType: str | None = None
    stpMode: str | None = None
    cTime: StrNum | None = None
    uTime: StrNum | None = None


class BitgetWsPositionHistory(msgspec.Struct, frozen=True):
    """One element of a ``positions-history`` push (a fully closed position)."""

    instId: str
    posId: str | None = None
    marginCoin: str | None = None
    marginMode: str | None = None
    holdSide: str | None = None
    posMode: str | None = None
    openPriceAvg: StrNum | None = None
    closePriceAvg: StrNum | None = None
    openSize: StrNum | None = None
    closeSize: StrNum | None = None
    achievedProfits: StrNum | None = None
    settleFee: StrNum | None = None
    openFee: StrNum | None = None
    closeFee: StrNum | None = None
    cTime: StrNum | None = None
    uTime: StrNum | None = None


type BitgetWsOrdersMsg = BitgetWsPush[BitgetWsOrder]
type BitgetWsFillMsg = BitgetWsPush[BitgetWsFill]
type BitgetWsPositionsMsg = BitgetWsPush[BitgetWsPosition]
type BitgetWsAccountMsg = BitgetWsPush[BitgetWsAccount]
type BitgetWsAlgoOrdersMsg = BitgetWsPush[BitgetWsAlgoOrder]
type BitgetWsPositionsHistoryMsg = BitgetWsPush[BitgetWsPositionHistory]

# Payload type of each private channel, for routing by exact channel name
PRIVATE_CHANNEL_TYPES: dict[str, type] = {
    "orders": BitgetWsOrder,
    "fill": BitgetWsFill,
    "positions": BitgetWsPosition,
    "account": BitgetWsAccount,
    "orders-algo": BitgetWsAlgoOrder,
    "positions-history": BitgetWsPositionHistory,
}
