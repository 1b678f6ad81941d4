"""
The simulated Bitget exchange: the truth behind the simulator's REST and WebSocket layer.

API (all synchronous, single-threaded; call from the event loop thread)
------------------------------------------------------------------------
``ex = SimExchange(contracts=None, symbols=None, seed=7, clock=None, book_rate_hz=10.0,
funding_interval_ms=None, book_levels=200, default_account=True)``

- ``ex.contracts`` (symbol -> ContractSpec, all listed), ``ex.markets`` (symbol -> MarketState,
  tradable symbols only), ``ex.contract(symbol, product_type=None)`` raises ``SimError(40034)``.
- Accounts: ``create_account(api_key, secret, passphrase, uta=False, balances=None)``,
  ``account(api_key)`` -> SimAccount (``None``-safe: ``find_account``). A default account
  ``sim-key/sim-secret/sim-pass`` (100000 USDT, 100000 USDC, 10 BTC) exists unless disabled.
- Commands take the documented request body (a JSON-decoded dict with Bitget's camelCase keys)
  and raise :class:`SimError` (``code``, ``msg``) on rejection (bitget-api.md 8.2):
  ``place_order``, ``batch_place_orders``, ``modify_order``, ``cancel_order``,
  ``batch_cancel_orders``, ``cancel_all_orders``, ``close_positions``, ``place_plan_order``,
  ``cancel_plan_order``, ``set_leverage``, ``set_margin_mode``, ``set_position_mode``.
- Queries (typed keyword args, newest first where the venue pages by ``idLessThan``):
  ``get_order``, ``pending_orders``, ``order_history``, ``fills``, ``positions``,
  ``history_positions``, ``account_views``, ``account_settings``, ``plan_orders``,
  ``plan_history``, ``bills``; market: ``book``, ``book_snapshot``, ``ticker``, ``recent_trades``,
  ``candles``, ``funding``, ``open_interest``.
- Time: ``step(now_ms=None)`` advances the generated market (book messages at ``book_rate_hz``
  per symbol), triggers plans and settles funding when due; returns the number of book messages.
  Test helpers: ``set_mark_price``, ``set_last_price``, ``set_book``, ``settle_funding``.

Events / listeners
------------------
``ex.add_listener(callback)`` registers ``callback(event)``; every state change calls all
listeners synchronously, in order, before the command returns (so a WebSocket push may be
queued before the REST response is written, as on Bitget). Events are the small dataclasses of
:mod:`nautilus_bitget.sim.events`: ``BookChanged`` (seq/pseq chain, changed levels as wire
strings), ``Trades``, ``TickerChanged``, ``CandleUpdated``, ``FundingSettled``, ``OrderEvent``
(order snapshot, plus ``fill`` on fill messages), ``FillEvent``, ``PositionsChanged``,
``PositionClosed``, ``AccountChanged``, ``PlanEvent``. ``remove_listener`` unregisters. A
listener that raises is logged and skipped; it never breaks the exchange.

Model notes
-----------
- Prices are integer ticks and sizes integer lots inside the matching engine; money is Decimal.
- Linear (USDT/USDC): notional = size * price (quote); PnL long = size * (exit - entry);
  fee = notional * rate; margin = notional / leverage.
- Inverse (COIN-M, size in base coin, bitget-api.md 9.1): the USD face value is size * price, so
  PnL long = size * (exit - entry) / exit in BTC (== face * (1/entry - 1/exit)); fee = size *
  rate (BTC); margin = size / leverage; with base-coin sizes the size-weighted arithmetic
  average entry is exact. Inverse money is rounded half-even to 8 decimals.
- User resting orders are NOT shown in the public book. They fill (maker, at their own price)
  (a) when a generated taker trade prints strictly through their price (up to that trade's
  size, price-time priority among user orders), or (b) fully, when the generated book's
  opposite best price moves across them. User taker orders consume generated levels only.
"""

from __future__ import annotations

from nautilus_bitget.sim.events import *  # noqa: F403  (re-export the event/record types)

import logging
from collections.abc import Callable
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from decimal import Decimal
from typing import Any

from nautilus_bitget.sim.contracts import ContractSpec
from nautilus_bitget.sim.events import AccountView
from nautilus_bitget.sim.events import Bill
from nautilus_bitget.sim.events import BookChanged
from nautilus_bitget.sim.events import Level
from nautilus_bitget.sim.events import ClosedPosition
from nautilus_bitget.sim.events import Fill
from nautilus_bitget.sim.events import Order
from nautilus_bitget.sim.events import PlanOrder
from nautilus_bitget.sim.events import Position
from nautilus_bitget.sim.events import PublicTrade
from nautilus_bitget.sim.events import Ticker


_log = logging.getLogger(__name__)

Listener = Callable[[Any], None]

# -- error codes (bitget-api.md 8.2) ------------------------------------------------------------
ERR_APIKEY_NOT_EXIST = "40037"
ERR_PARAM_EMPTY = "40019"  # Parameter {0} cannot be empty
ERR_PARAM_ERROR = "40020"  # Parameter {0} error
ERR_NOT_EXIST = "40034"  # Parameter {0} does not exist (unknown symbol)
ERR_CLIENT_OID_TOO_LONG = "40304"
ERR_CLIENT_OID_INVALID = "40305"
ERR_BATCH_TOO_MANY = "40306"  # batch up to 20
ERR_INSUFFICIENT = "40762"  # order amount exceeds the balance
ERR_ORDER_NOT_EXIST = "40768"
ERR_MODE_MISMATCH = "40774"  # one-way/hedge order shape does not match posMode (9.3)
ERR_PRECISION = "40808"  # size checkBDScale error
ERR_BATCH_CANCEL_TOO_MANY = "40912"
ERR_POS_MODE_SWITCH = "40920"
ERR_ID_REQUIRED = "40924"  # orderId and clientOid must have one
ERR_MODIFY_PAIR = "40925"  # price and size must be passed together
ERR_MAINTAIN = "41114"
ERR_PLAN_NOT_EXIST = "43025"
ERR_TPSL_NOT_EXIST = "43020"
ERR_DUPLICATE_CLIENT_OID = "43118"
ERR_MIN_NOTIONAL = "45110"  # less than the minimum amount 5 USDT
ERR_MIN_QTY = "45111"
ERR_MAX_QTY = "45112"
ERR_PRICE_TICK = "45115"
ERR_MARGIN_MODE_SWITCH = "45117"
ERR_NO_POSITION = "22002"  # No position to close
ERR_POSITION_NOT_ENOUGH = "40757"  # Not enough position is available (close > position)
ERR_TP_PRICE = "40829"  # TP price on the wrong side
ERR_SL_PRICE = "40830"  # SL price on the wrong side


class SimError(Exception):
    """A rejection with Bitget's error ``code`` (string) and ``msg`` (bitget-api.md 8.1)."""

    def __init__(self, code: str, msg: str) -> None:
        super().__init__(f"{code}: {msg}")
        self.code = code
        self.msg = msg


@dataclass
class SimAccount:
    """
    An API-key account. ``secret``/``passphrase`` are kept for the server's signature check and
    never shown in the repr. ``balances`` is the wallet balance per margin coin.
    """

    api_key: str
    secret: str = field(repr=False)
    passphrase: str = field(repr=False)
    uta: bool = False
    balances: dict[str, Decimal] = field(default_factory=dict)
    pos_mode: dict[str, str] = field(default_factory=dict)  # productType -> one_way_mode | hedge_mode
    margin_mode: dict[str, str] = field(default_factory=dict)  # symbol -> crossed | isolated
    cross_leverage: dict[str, int] = field(default_factory=dict)  # symbol -> leverage
    long_leverage: dict[str, int] = field(default_factory=dict)  # symbol -> isolated long
    short_leverage: dict[str, int] = field(default_factory=dict)  # symbol -> isolated short

    def get_pos_mode(self, product_type: str) -> str:
        """Return the position mode of ``product_type`` (default ``one_way_mode``)."""
        return self.pos_mode.get(product_type, "one_way_mode")

    def get_margin_mode(self, symbol: str) -> str:
        """Return the margin mode of ``symbol`` (default ``crossed``)."""
        return self.margin_mode.get(symbol, "crossed")


@dataclass(frozen=True, slots=True)
class BatchResult:
    """``successList`` / ``failureList`` of batch commands (bitget-api.md 5.6, 5.8)."""

    success: list[tuple[str, str]]  # (orderId, clientOid)
    failure: list[tuple[str, str, str, str]]  # (orderId, clientOid, errorCode, errorMsg)


@dataclass(frozen=True, slots=True)
class AccountSettings:
    """Per-symbol settings of ``GET account/account`` (bitget-api.md 5.1)."""

    symbol: str
    margin_coin: str
    margin_mode: str
    pos_mode: str
    crossed_margin_leverage: int
    isolated_long_lever: int
    isolated_short_lever: int


@dataclass(frozen=True, slots=True)
class FundingInfo:
    """Funding of one symbol (bitget-api.md 4.7): current rate and next settlement time."""

    symbol: str
    funding_rate: str
    next_funding_time: int  # ms
    interval_hours: int
    min_funding_rate: str
    max_funding_rate: str


class SimExchange:
    """The simulated exchange; see the module docstring for the API and event mechanism."""

    def __init__(
        self,
        contracts: Mapping[str, ContractSpec] | None = None,
        symbols: list[str] | tuple[str, ...] | None = None,
        seed: int = 7,
        *,
        clock: Callable[[], int] | None = None,
        book_rate_hz: float = 10.0,
        funding_interval_ms: int | None = None,
        book_levels: int = 200,
        default_account: bool = True,
        account_mode: str = "classic",
    ) -> None:
        raise NotImplementedError

    # listeners
    def add_listener(self, callback: Listener) -> None:
        """Register ``callback(event)``, called synchronously for every event."""
        raise NotImplementedError

    def remove_listener(self, callback: Listener) -> None:
        """Unregister a listener (no error when absent)."""
        raise NotImplementedError

    def now_ms(self) -> int:
        """Return the exchange clock (ms)."""
        raise NotImplementedError

    def contract(self, symbol: str, product_type: str | None = None) -> ContractSpec:
        """Return the contract of ``symbol``; ``SimError(40034)`` if unknown or wrong type."""
        raise NotImplementedError

    def contracts_of(self, product_type: str) -> list[ContractSpec]:
        """Return all listed contracts of a product type (incl. delivery / maintain)."""
        raise NotImplementedError

    # accounts
    def create_account(
        self,
        api_key: str,
        secret: str,
        passphrase: str,
        *,
        uta: bool = False,
        balances: Mapping[str, Decimal | str | int] | None = None,
    ) -> SimAccount:
        """Create (or replace) an account with default balances unless given."""
        raise NotImplementedError

    def account(self, api_key: str) -> SimAccount:
        """Return the account of ``api_key``; ``SimError(40037)`` if unknown."""
        raise NotImplementedError

    def find_account(self, api_key: str) -> SimAccount | None:
        """Return the account of ``api_key`` or None."""
        raise NotImplementedError

    # settings
    def set_leverage(self, api_key: str, body: Mapping[str, Any]) -> dict[str, Any]:
        """``POST account/set-leverage``; returns the documented response dict (strings)."""
        raise NotImplementedError

    def set_margin_mode(self, api_key: str, body: Mapping[str, Any]) -> dict[str, Any]:
        """``POST account/set-margin-mode``; 45117 with positions/orders on the symbol."""
        raise NotImplementedError

    def set_position_mode(self, api_key: str, body: Mapping[str, Any]) -> dict[str, Any]:
        """``POST account/set-position-mode``; 40920 with positions/orders in the productType."""
        raise NotImplementedError

    # orders
    def place_order(self, api_key: str, body: Mapping[str, Any]) -> Order:
        """``POST order/place-order`` (bitget-api.md 5.4/5.5); returns the order after matching."""
        raise NotImplementedError

    def batch_place_orders(self, api_key: str, body: Mapping[str, Any]) -> BatchResult:
        """``POST order/batch-place-order`` (5.6): per-item success / failure."""
        raise NotImplementedError

    def modify_order(self, api_key: str, body: Mapping[str, Any]) -> dict[str, Any]:
        """``POST order/modify-order`` (5.7): cancel + new order with a new orderId."""
        raise NotImplementedError

    def cancel_order(self, api_key: str, body: Mapping[str, Any]) -> Order:
        """``POST order/cancel-order`` (5.8); 40768 when not found / not open."""
        raise NotImplementedError

    def batch_cancel_orders(self, api_key: str, body: Mapping[str, Any]) -> BatchResult:
        """``POST order/batch-cancel-orders`` (5.8); without ``orderIdList`` cancels the symbol."""
        raise NotImplementedError

    def cancel_all_orders(self, api_key: str, body: Mapping[str, Any]) -> BatchResult:
        """``POST order/cancel-all-orders`` (5.8) by productType (optional marginCoin/symbol)."""
        raise NotImplementedError

    def close_positions(self, api_key: str, body: Mapping[str, Any]) -> BatchResult:
        """``POST order/close-positions`` (5.9): market close; 22002 when no position."""
        raise NotImplementedError

    def place_plan_order(self, api_key: str, body: Mapping[str, Any]) -> PlanOrder:
        """``POST order/place-plan-order`` (5.11), ``normal_plan`` only."""
        raise NotImplementedError

    def cancel_plan_order(self, api_key: str, body: Mapping[str, Any]) -> BatchResult:
        """``POST order/cancel-plan-order`` (5.11)."""
        raise NotImplementedError

    # queries
    def get_order(
        self,
        api_key: str,
        symbol: str,
        order_id: str | None = None,
        client_oid: str | None = None,
    ) -> Order:
        """``GET order/detail``: by orderId (wins) or clientOid; 40768 when not found."""
        raise NotImplementedError

    def pending_orders(
        self,
        api_key: str,
        product_type: str,
        *,
        symbol: str | None = None,
        order_id: str | None = None,
        client_oid: str | None = None,
        status: str | None = None,
        id_less_than: str | None = None,
        start_ms: int | None = None,
        end_ms: int | None = None,
        limit: int = 100,
    ) -> list[Order]:
        """``GET order/orders-pending``: open orders, newest first (``endId`` = last orderId)."""
        raise NotImplementedError

    def order_history(
        self,
        api_key: str,
        product_type: str,
        *,
        symbol: str | None = None,
        order_id: str | None = None,
        client_oid: str | None = None,
        id_less_than: str | None = None,
        start_ms: int | None = None,
        end_ms: int | None = None,
        limit: int = 100,
    ) -> list[Order]:
        """``GET order/orders-history``: filled / canceled orders, newest first."""
        raise NotImplementedError

    def fills(
        self,
        api_key: str,
        product_type: str,
        *,
        symbol: str | None = None,
        order_id: str | None = None,
        id_less_than: str | None = None,
        start_ms: int | None = None,
        end_ms: int | None = None,
        limit: int = 100,
    ) -> list[Fill]:
        """``GET order/fills``: executions, newest first."""
        raise NotImplementedError

    def positions(
        self,
        api_key: str,
        product_type: str,
        symbol: str | None = None,
        margin_coin: str | None = None,
    ) -> list[Position]:
        """Open positions (snapshots with mark-dependent fields filled in)."""
        raise NotImplementedError

    def history_positions(
        self,
        api_key: str,
        product_type: str,
        symbol: str | None = None,
        limit: int = 100,
    ) -> list[ClosedPosition]:
        """Fully closed positions, newest first."""
        raise NotImplementedError

    def account_views(self, api_key: str, product_type: str) -> list[AccountView]:
        """``GET account/accounts``: one view per margin coin of the product type."""
        raise NotImplementedError

    def account_view(self, api_key: str, coin: str) -> AccountView:
        """One margin-coin account view."""
        raise NotImplementedError

    def account_settings(self, api_key: str, symbol: str, product_type: str) -> AccountSettings:
        """``GET account/account`` settings part for ``symbol``."""
        raise NotImplementedError

    def plan_orders(
        self,
        api_key: str,
        product_type: str,
        plan_type: str = "normal_plan",
        *,
        symbol: str | None = None,
        order_id: str | None = None,
        client_oid: str | None = None,
        id_less_than: str | None = None,
        limit: int = 100,
    ) -> list[PlanOrder]:
        """``GET orders-plan-pending``; ``plan_type`` ``profit_loss`` = all TP/SL types."""
        raise NotImplementedError

    def plan_history(
        self,
        api_key: str,
        product_type: str,
        plan_type: str = "normal_plan",
        *,
        symbol: str | None = None,
        plan_status: str | None = None,
        id_less_than: str | None = None,
        limit: int = 100,
    ) -> list[PlanOrder]:
        """``GET orders-plan-history``: executed / fail_execute / cancelled plans."""
        raise NotImplementedError

    def bills(
        self,
        api_key: str,
        product_type: str,
        *,
        business_type: str | None = None,
        symbol: str | None = None,
        id_less_than: str | None = None,
        start_ms: int | None = None,
        end_ms: int | None = None,
        limit: int = 20,
    ) -> list[Bill]:
        """``GET account/bill``: bills newest first."""
        raise NotImplementedError

    # market
    def book(self, symbol: str, depth: int | None = None) -> tuple[list[Level], list[Level]]:
        """Return the generated book ``(bids desc, asks asc)`` as wire strings."""
        raise NotImplementedError

    def book_snapshot(self, symbol: str, depth: int | None = None) -> BookChanged:
        """Return a snapshot message: the full book (or ``depth``) with ``seq`` = current seq
        and ``pseq`` = 0 (bitget-api.md 6.1), so the next update's pseq equals this seq."""
        raise NotImplementedError

    def ticker(self, symbol: str) -> Ticker:
        """Return the current ticker (wire strings)."""
        raise NotImplementedError

    def recent_trades(self, symbol: str, limit: int = 100) -> list[PublicTrade]:
        """Return recent public trades, newest first."""
        raise NotImplementedError

    def candles(
        self,
        symbol: str,
        granularity: str,
        *,
        start_ms: int | None = None,
        end_ms: int | None = None,
        limit: int = 100,
        kline_type: str = "market",
    ) -> list[list[str]]:
        """Return candle rows ``[ts, o, h, l, c, baseVol, quoteVol, usdtVol]`` ascending, incl.
        the forming one (REST 4.5 uses the first 7 columns, WS 6.1 all 8)."""
        raise NotImplementedError

    def funding(self, symbol: str) -> FundingInfo:
        """Return the current funding rate and next funding time."""
        raise NotImplementedError

    def funding_history(self, symbol: str) -> list[tuple[str, int]]:
        """Return past ``(fundingRate, fundingTime)`` settlements, newest first."""
        raise NotImplementedError

    def open_interest(self, symbol: str) -> str:
        """Return the open interest (base coin, wire string)."""
        raise NotImplementedError

    # time
    def step(self, now_ms: int | None = None) -> int:
        """Advance to ``now_ms``: emit due book messages, trigger plans, settle funding."""
        raise NotImplementedError

    def set_mark_price(self, symbol: str, price: Decimal | str) -> None:
        """Test helper: set the mark price and re-evaluate plans / PnL."""
        raise NotImplementedError

    def set_last_price(self, symbol: str, price: Decimal | str) -> None:
        """Test helper: set the last price and re-evaluate ``fill_price`` plans."""
        raise NotImplementedError

    def set_book(
        self,
        symbol: str,
        bids: list[tuple[str, str]],
        asks: list[tuple[str, str]],
    ) -> None:
        """Test helper: replace the generated book (emits a BookChanged with the difference)."""
        raise NotImplementedError

    def settle_funding(self, symbol: str, rate: Decimal | str | None = None) -> None:
        """Settle funding for ``symbol`` now (optionally with ``rate``); advance next time."""
        raise NotImplementedError
