"""
Events and record types published by :class:`nautilus_bitget.sim.exchange.SimExchange`.

Market events carry wire-ready strings (prices/sizes with the contract's decimals, exactly what
Bitget sends). Private records (orders, fills, positions, ...) carry exact ``Decimal`` values;
format them with ``exchange.contract(symbol).fmt_price(...)`` / ``fmt_size(...)`` and
:func:`nautilus_bitget.sim.contracts.format_decimal` for money. Records attached to events are
snapshots (copies) taken when the event was emitted.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from decimal import Decimal


Level = tuple[str, str]  # (price, size) wire strings


# -- market records -----------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class PublicTrade:
    """One public trade (bitget-protocol.md 6.1 ``trade``); ``side`` is the taker side."""

    symbol: str
    trade_id: str
    price: str
    size: str
    side: str  # "buy" | "sell"
    ts: int  # ms


@dataclass(frozen=True, slots=True)
class Ticker:
    """Ticker fields (bitget-protocol.md 4.4 / 6.1 ``ticker``), wire strings."""

    symbol: str
    last_pr: str
    bid_pr: str
    ask_pr: str
    bid_sz: str
    ask_sz: str
    open24h: str
    high24h: str
    low24h: str
    change24h: str
    base_volume: str
    quote_volume: str
    usdt_volume: str
    open_utc: str
    change_utc24h: str
    index_price: str
    mark_price: str
    funding_rate: str
    next_funding_time: str
    holding_amount: str
    ts: int


# -- market events ------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class BookChanged:
    """
    One ``books`` update message (bitget-protocol.md 6.1): changed levels with absolute sizes.

    Size ``"0"`` deletes a level. Bids descending, asks ascending. ``pseq`` equals the previous
    message's ``seq``.
    """

    symbol: str
    product_type: str
    seq: int
    pseq: int
    bids: list[Level]
    asks: list[Level]
    ts: int


@dataclass(frozen=True, slots=True)
class Trades:
    """Public trades printed in one step (generated flow or user takers)."""

    symbol: str
    product_type: str
    trades: list[PublicTrade]


@dataclass(frozen=True, slots=True)
class TickerChanged:
    """Top of book, last, mark or index changed; pull ``exchange.ticker(symbol)``."""

    symbol: str
    product_type: str
    ts: int


@dataclass(frozen=True, slots=True)
class CandleUpdated:
    """Trades updated the current candles of every interval; pull ``exchange.candles(...)``."""

    symbol: str
    product_type: str
    ts: int


@dataclass(frozen=True, slots=True)
class FundingSettled:
    """A funding settlement happened for ``symbol`` at ``ts`` with ``rate``."""

    symbol: str
    product_type: str
    rate: Decimal
    ts: int
    payments: list[tuple[str, str, Decimal]] = field(
        default_factory=list
    )  # (api_key, holdSide, amount)


# The public market events (pushed on the public sockets); every other event is an account's
MARKET_EVENTS = (BookChanged, Trades, TickerChanged, CandleUpdated, FundingSettled)


# -- private records ------------------------------------------------------------------------------
@dataclass(slots=True)
class Order:
    """
    A user order (bitget-protocol.md 5.4, 5.10, 6.2). ``side``/``trade_side`` are as sent;
    ``direction`` is the actual trade direction (bitget-protocol.md 5.5).
    """

    order_id: str
    client_oid: str
    api_key: str
    symbol: str
    product_type: str
    margin_coin: str
    margin_mode: str  # crossed | isolated
    pos_mode: str  # one_way_mode | hedge_mode
    side: str  # buy | sell (as sent)
    trade_side: str | None  # open | close (hedge) or None (one-way)
    direction: str  # buy | sell: actual trade direction
    pos_side: str  # long | short (hedge) or net (one-way)
    order_type: str  # limit | market
    force: str  # gtc | ioc | fok | post_only
    size: Decimal
    price: Decimal | None  # None for market orders
    reduce_only: bool
    leverage: int
    status: str = "live"  # live | partially_filled | filled | canceled
    filled_qty: Decimal = Decimal(0)  # accBaseVolume / baseVolume
    filled_quote: Decimal = Decimal(0)  # quoteVolume
    fee: Decimal = Decimal(0)  # cumulative, negative = paid
    total_profits: Decimal = Decimal(0)  # realized PnL of this order's fills
    cancel_reason: str = ""  # normal_cancel | "" (bitget-protocol.md 5.10)
    preset_stop_surplus_price: Decimal | None = None
    preset_stop_loss_price: Decimal | None = None
    order_source: str = "normal"  # normal | market | plan | profit_plan | loss_plan ...
    enter_point_source: str = "API"
    stp_mode: str = "none"
    c_time: int = 0
    u_time: int = 0
    frozen_margin: Decimal = Decimal(0)  # simulator bookkeeping: margin held for the remainder

    @property
    def price_avg(self) -> Decimal | None:
        """Return the average fill price (None when nothing filled)."""
        if self.filled_qty == 0:
            return None
        return self.filled_quote / self.filled_qty

    @property
    def remaining(self) -> Decimal:
        """Return the unfilled quantity."""
        return self.size - self.filled_qty

    @property
    def is_open(self) -> bool:
        """Return whether the order is live or partially filled."""
        return self.status in ("live", "partially_filled")

    @property
    def wire_trade_side(self) -> str:
        """Return the read-back ``tradeSide`` enum (bitget-protocol.md 5.5)."""
        if self.pos_mode == "hedge_mode":
            return self.trade_side or "open"
        if self.reduce_only:
            return "reduce_close_long" if self.direction == "sell" else "reduce_close_short"
        return "buy_single" if self.direction == "buy" else "sell_single"


@dataclass(slots=True)
class Fill:
    """One execution of a user order (bitget-protocol.md 5.10 fills, 6.2 ``fill``)."""

    trade_id: str
    order_id: str
    client_oid: str
    api_key: str
    symbol: str
    product_type: str
    side: str  # order side as sent
    trade_side: str | None  # order tradeSide as sent (None in one-way)
    direction: str  # actual trade direction buy | sell
    order_type: str
    pos_mode: str
    price: Decimal
    size: Decimal
    quote_volume: Decimal  # price * size
    fee: Decimal  # negative = paid
    fee_coin: str
    profit: Decimal  # realized PnL of this fill
    trade_scope: str  # taker | maker
    wire_trade_side: str
    c_time: int


@dataclass(slots=True)
class Position:
    """An open position (bitget-protocol.md 5.3, 6.2 ``positions``); ``total`` > 0 while open."""

    pos_id: str
    api_key: str
    symbol: str
    product_type: str
    margin_coin: str
    margin_mode: str
    pos_mode: str
    hold_side: str  # long | short
    total: Decimal
    open_price_avg: Decimal
    leverage: int
    open_cost: Decimal = Decimal(0)  # sum(size * price) of the open part (exact)
    achieved_profits: Decimal = Decimal(0)
    total_fee: Decimal = Decimal(0)  # accumulated funding, negative = paid
    open_fee: Decimal = Decimal(0)  # accumulated trading fees of opening fills
    close_fee: Decimal = Decimal(0)
    close_size: Decimal = Decimal(0)
    close_quote: Decimal = Decimal(0)
    open_size: Decimal = Decimal(0)
    c_time: int = 0
    u_time: int = 0
    # filled by SimExchange when snapshotting (mark-dependent values)
    mark_price: Decimal = Decimal(0)
    unrealized_pl: Decimal = Decimal(0)
    margin_size: Decimal = Decimal(0)
    liquidation_price: Decimal = Decimal(0)
    frozen: Decimal = Decimal(0)  # size held by pending close / reduce-only orders
    keep_margin_rate: Decimal = Decimal("0.004")

    @property
    def available(self) -> Decimal:
        """Return the size not held by pending close orders."""
        return self.total - self.frozen

    @property
    def close_price_avg(self) -> Decimal | None:
        """Return the average close price so far (None when nothing closed)."""
        if self.close_size == 0:
            return None
        return self.close_quote / self.close_size


@dataclass(slots=True)
class PlanOrder:
    """
    A plan order (bitget-protocol.md 5.11): ``normal_plan`` trigger orders and the ``profit_plan`` /
    ``loss_plan`` TP/SL attached by ``presetStopSurplusPrice`` / ``presetStopLossPrice``.
    """

    order_id: str
    client_oid: str
    api_key: str
    plan_type: str  # normal_plan | profit_plan | loss_plan | pos_profit | pos_loss | moving_plan
    symbol: str
    product_type: str
    margin_coin: str
    margin_mode: str
    pos_mode: str
    side: str
    trade_side: str | None
    pos_side: str
    order_type: str  # market | limit
    size: Decimal
    price: Decimal | None  # execute price for limit
    trigger_price: Decimal
    trigger_type: str  # mark_price | fill_price
    trigger_above: bool  # fire when reference >= trigger (else <=)
    reduce_only: bool
    status: str = "live"  # live | executed | fail_execute | cancelled
    execute_order_id: str = ""
    trigger_time: int = 0
    stop_surplus_trigger_price: Decimal | None = None
    stop_loss_trigger_price: Decimal | None = None
    parent_order_id: str = ""  # for preset TP/SL: the order that created it
    c_time: int = 0
    u_time: int = 0
    callback_ratio: Decimal | None = None  # moving_plan rangeRate (percent)
    track_extreme: Decimal | None = None  # moving_plan: best reference price since activation
    strategy_id: str = ""  # v3 tpsl strategy: the orderId its TP and SL legs share

    @property
    def ws_plan_type(self) -> str:
        """Return the ``orders-algo`` short code (bitget-protocol.md 6.2): pl / tp / sl / ptp /
        psl / mtpsl / track."""
        return _WS_PLAN_TYPES.get(self.plan_type, self.plan_type)


# bitget-protocol.md 6.2: orders-algo planType short codes
_WS_PLAN_TYPES = {
    "normal_plan": "pl",
    "profit_plan": "tp",
    "loss_plan": "sl",
    "pos_profit": "ptp",
    "pos_loss": "psl",
    "moving_plan": "mtpsl",
    "track_plan": "track",
}


@dataclass(slots=True)
class Bill:
    """An account bill (bitget-protocol.md 5.12); ``amount`` > 0 received, < 0 paid."""

    bill_id: str
    api_key: str
    symbol: str
    product_type: str
    coin: str
    business_type: str  # open_long | close_long | ... | contract_settle_fee
    amount: Decimal
    fee: Decimal
    balance: Decimal  # wallet balance after the bill
    c_time: int


@dataclass(slots=True)
class ClosedPosition:
    """A fully closed position (bitget-protocol.md 5.3 history-position, 6.2 positions-history)."""

    pos_id: str
    api_key: str
    symbol: str
    product_type: str
    margin_coin: str
    margin_mode: str
    pos_mode: str
    hold_side: str
    open_price_avg: Decimal
    close_price_avg: Decimal
    open_size: Decimal
    close_size: Decimal
    achieved_profits: Decimal
    settle_fee: Decimal  # funding
    open_fee: Decimal
    close_fee: Decimal
    c_time: int
    u_time: int


@dataclass(frozen=True, slots=True)
class AccountView:
    """One margin-coin account (bitget-protocol.md 5.1, 6.2 ``account``), computed at mark."""

    margin_coin: str
    balance: Decimal  # wallet balance: deposits + realized PnL + fees + funding
    equity: Decimal  # balance + unrealized PnL
    unrealized_pl: Decimal
    locked: Decimal  # margin frozen for open orders
    position_margin: Decimal  # margin used by open positions
    crossed_margin: Decimal
    isolated_margin: Decimal
    available: Decimal  # equity - position margin - order margin (floored at 0)
    max_transfer_out: Decimal


# -- private events -----------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class OrderEvent:
    """Order created / filled / canceled; ``fill`` is set on fill messages (6.2 ``orders``)."""

    api_key: str
    order: Order
    fill: Fill | None = None


@dataclass(frozen=True, slots=True)
class FillEvent:
    """One execution (6.2 ``fill``)."""

    api_key: str
    fill: Fill


@dataclass(frozen=True, slots=True)
class PositionsChanged:
    """Positions of ``product_type`` changed; pull ``exchange.positions(api_key, product_type)``."""

    api_key: str
    product_type: str


@dataclass(frozen=True, slots=True)
class PositionClosed:
    """A position was fully closed (6.2 ``positions-history``)."""

    api_key: str
    record: ClosedPosition


@dataclass(frozen=True, slots=True)
class AccountChanged:
    """Balance / margin of ``coin`` changed; pull ``exchange.account_views(...)``."""

    api_key: str
    product_type: str
    coin: str


@dataclass(frozen=True, slots=True)
class PlanEvent:
    """A plan order was created, triggered (executed / fail_execute) or cancelled."""

    api_key: str
    plan: PlanOrder


SimEvent = (
    BookChanged
    | Trades
    | TickerChanged
    | CandleUpdated
    | FundingSettled
    | OrderEvent
    | FillEvent
    | PositionsChanged
    | PositionClosed
    | AccountChanged
    | PlanEvent
)
