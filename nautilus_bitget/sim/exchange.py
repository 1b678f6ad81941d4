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
  ``generate(symbol, now_ms)`` emits exactly one generated book message. Test helpers:
  ``set_mark_price``, ``set_last_price``, ``set_book``, ``external_trade`` (another trader's
  taker order), ``settle_funding``; ``apply_external`` drives a market from a recording
  (:mod:`nautilus_bitget.sim.replay`).

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

import logging
import re
import time
from collections.abc import Callable
from collections.abc import Mapping
from copy import copy
from dataclasses import dataclass
from dataclasses import field
from decimal import ROUND_HALF_EVEN
from decimal import Decimal
from decimal import InvalidOperation
from typing import Any

from nautilus_bitget.constants import SIM_API_KEY
from nautilus_bitget.constants import SIM_API_PASSPHRASE
from nautilus_bitget.constants import SIM_API_SECRET
from nautilus_bitget.sim.candles import INTERVALS
from nautilus_bitget.sim.contracts import DEFAULT_SYMBOLS
from nautilus_bitget.sim.contracts import ContractSpec
from nautilus_bitget.sim.contracts import default_contracts
from nautilus_bitget.sim.events import AccountChanged
from nautilus_bitget.sim.events import AccountView
from nautilus_bitget.sim.events import Bill
from nautilus_bitget.sim.events import BookChanged
from nautilus_bitget.sim.events import CandleUpdated
from nautilus_bitget.sim.events import ClosedPosition
from nautilus_bitget.sim.events import Fill
from nautilus_bitget.sim.events import FillEvent
from nautilus_bitget.sim.events import FundingSettled
from nautilus_bitget.sim.events import Level
from nautilus_bitget.sim.events import Order
from nautilus_bitget.sim.events import OrderEvent
from nautilus_bitget.sim.events import PlanEvent
from nautilus_bitget.sim.events import PlanOrder
from nautilus_bitget.sim.events import Position
from nautilus_bitget.sim.events import PositionClosed
from nautilus_bitget.sim.events import PositionsChanged
from nautilus_bitget.sim.events import PublicTrade
from nautilus_bitget.sim.events import SimEvent
from nautilus_bitget.sim.events import Ticker
from nautilus_bitget.sim.events import TickerChanged
from nautilus_bitget.sim.events import Trades
from nautilus_bitget.sim.market import MarketState


__all__ = [
    "AccountChanged",
    "AccountSettings",
    "AccountView",
    "BatchResult",
    "Bill",
    "BookChanged",
    "CandleUpdated",
    "ClosedPosition",
    "Fill",
    "FillEvent",
    "FundingInfo",
    "FundingSettled",
    "Order",
    "OrderEvent",
    "PlanEvent",
    "PlanOrder",
    "Position",
    "PositionClosed",
    "PositionsChanged",
    "PublicTrade",
    "SimAccount",
    "SimError",
    "SimEvent",
    "SimExchange",
    "Ticker",
    "TickerChanged",
    "Trades",
]

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
    pos_mode: dict[str, str] = field(
        default_factory=dict
    )  # productType -> one_way_mode | hedge_mode
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


_DEFAULT_BALANCES: dict[str, Decimal] = {
    "USDT": Decimal(100000),
    "USDC": Decimal(100000),
    "BTC": Decimal(10),
}
_MONEY_Q = Decimal("0.00000001")  # inverse / divided money: 8 decimals, half-even
_CLIENT_OID_RE = re.compile(r"^[0-9A-Za-z_:#\-+ ]+$")  # bitget-api.md 9.2
_CLIENT_OID_MAX = 50
_BATCH_PLACE_MAX = 20  # bitget-api.md 5.6: 40306 "up to 20"
_BATCH_CANCEL_MAX = 50  # bitget-api.md 5.8: 40912
_ORDER_TYPES = ("limit", "market")
_FORCES = ("gtc", "ioc", "fok", "post_only")
_MARGIN_MODES = ("crossed", "isolated")
_POS_MODES = ("one_way_mode", "hedge_mode")
_TRIGGER_TYPES = ("mark_price", "fill_price")
_MAX_CATCHUP_MESSAGES = 200  # per symbol per step() call
_MODE_MISMATCH_MSG = (
    "The order type for unilateral position must also be the unilateral position type"
)


def _wall_ms() -> int:
    return time.time_ns() // 1_000_000


def _req(body: Mapping[str, Any], key: str) -> str:
    value = body.get(key)
    if value is None or value == "":
        raise SimError(ERR_PARAM_EMPTY, f"Parameter {key} cannot be empty")
    return str(value)


def _opt(body: Mapping[str, Any], key: str) -> str | None:
    value = body.get(key)
    if value is None or value == "":
        return None
    return str(value)


def _dec(value: Any, key: str) -> Decimal:
    try:
        d = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise SimError(ERR_PARAM_ERROR, f"Parameter {key} error") from None
    if not d.is_finite():
        raise SimError(ERR_PARAM_ERROR, f"Parameter {key} error")
    return d


def _choice(value: str, allowed: tuple[str, ...], key: str) -> str:
    if value not in allowed:
        raise SimError(ERR_PARAM_ERROR, f"Parameter {key} error")
    return value


def _yes(value: Any) -> bool:
    return str(value).lower() in ("yes", "true")


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
        self.contracts: dict[str, ContractSpec] = dict(contracts or default_contracts())
        self.seed = seed
        self._clock = clock or _wall_ms
        self.book_rate_hz = book_rate_hz
        now = self._clock()
        if symbols is None:
            symbols = [s for s in DEFAULT_SYMBOLS if s in self.contracts]
        self.markets: dict[str, MarketState] = {}
        for sym in symbols:
            spec = self.contracts.get(sym)
            if spec is None:
                raise ValueError(f"unknown simulator symbol {sym!r}")
            if not spec.is_tradable:
                continue
            self.markets[sym] = MarketState(
                spec,
                seed,
                now,
                levels=book_levels,
                funding_interval_ms=funding_interval_ms,
            )
        self._gen_start = dict.fromkeys(self.markets, now)
        self._gen_count = dict.fromkeys(self.markets, 0)
        self._listeners: list[Listener] = []
        self.accounts: dict[str, SimAccount] = {}
        self._orders: dict[str, Order] = {}  # all orders by id (insertion = time order)
        self._open: dict[str, Order] = {}  # open orders by id
        self._resting: dict[str, list[Order]] = {s: [] for s in self.markets}  # user book
        self._positions: dict[tuple[str, str, str], Position] = {}  # (key, symbol, holdSide)
        self._fills: dict[str, list[Fill]] = {}
        self._bills: dict[str, list[Bill]] = {}
        self._closed: dict[str, list[ClosedPosition]] = {}
        self._plans: dict[str, PlanOrder] = {}
        self._id = 1_200_000_000_000_000_000 + (seed % 1000) * 1_000_000_000
        self._order_seq = 0
        self._order_rank: dict[str, int] = {}  # order id -> time priority
        if default_account:
            self.create_account(
                SIM_API_KEY,
                SIM_API_SECRET,
                SIM_API_PASSPHRASE,
                uta=account_mode == "uta",
            )

    # -- plumbing -------------------------------------------------------------------------------
    def add_listener(self, callback: Listener) -> None:
        """Register ``callback(event)``, called synchronously for every event."""
        self._listeners.append(callback)

    def remove_listener(self, callback: Listener) -> None:
        """Unregister a listener (no error when absent)."""
        if callback in self._listeners:
            self._listeners.remove(callback)

    def _emit(self, event: Any) -> None:
        for cb in tuple(self._listeners):
            try:
                cb(event)
            except Exception:
                _log.exception("sim listener failed on %s", type(event).__name__)

    def now_ms(self) -> int:
        """Return the exchange clock (ms)."""
        return self._clock()

    def _new_id(self) -> str:
        self._id += 1 + self._id % 7
        return str(self._id)

    def contract(self, symbol: str, product_type: str | None = None) -> ContractSpec:
        """Return the contract of ``symbol``; ``SimError(40034)`` if unknown or wrong type."""
        spec = self.contracts.get(symbol)
        if spec is None or (product_type is not None and spec.product_type != product_type.upper()):
            raise SimError(ERR_NOT_EXIST, f"Parameter {symbol} does not exist")
        return spec

    def contracts_of(self, product_type: str) -> list[ContractSpec]:
        """Return all listed contracts of a product type (incl. delivery / maintain)."""
        pt = product_type.upper()
        return [c for c in self.contracts.values() if c.product_type == pt]

    def _market(self, symbol: str, product_type: str | None = None) -> MarketState:
        spec = self.contract(symbol, product_type)
        market = self.markets.get(symbol)
        if market is None:
            if spec.symbol_status == "maintain":
                raise SimError(ERR_MAINTAIN, "The trading pair is under maintenance")
            raise SimError(ERR_NOT_EXIST, f"Parameter {symbol} does not exist")
        return market

    # -- accounts -------------------------------------------------------------------------------
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
        bal = (
            {k.upper(): Decimal(str(v)) for k, v in balances.items()}
            if balances is not None
            else dict(_DEFAULT_BALANCES)
        )
        acct = SimAccount(api_key, secret, passphrase, uta=uta, balances=bal)
        self.accounts[api_key] = acct
        return acct

    def account(self, api_key: str) -> SimAccount:
        """Return the account of ``api_key``; ``SimError(40037)`` if unknown."""
        acct = self.accounts.get(api_key)
        if acct is None:
            raise SimError(ERR_APIKEY_NOT_EXIST, "Apikey does not exist")
        return acct

    def find_account(self, api_key: str) -> SimAccount | None:
        """Return the account of ``api_key`` or None."""
        return self.accounts.get(api_key)

    def _leverage(self, acct: SimAccount, symbol: str, pos_side: str, direction: str) -> int:
        if acct.get_margin_mode(symbol) == "crossed":
            return acct.cross_leverage.get(symbol, 20)
        long = pos_side == "long" or (pos_side == "net" and direction == "buy")
        book = acct.long_leverage if long else acct.short_leverage
        return book.get(symbol, 20)

    # -- settings -------------------------------------------------------------------------------
    def _has_activity(
        self, api_key: str, *, symbol: str | None = None, pt: str | None = None
    ) -> bool:
        def match(sym: str, ptype: str) -> bool:
            return (symbol is None or sym == symbol) and (pt is None or ptype == pt)

        if any(
            o.api_key == api_key and match(o.symbol, o.product_type) for o in self._open.values()
        ):
            return True
        if any(
            k[0] == api_key and match(p.symbol, p.product_type) for k, p in self._positions.items()
        ):
            return True
        return any(
            p.api_key == api_key and p.status == "live" and match(p.symbol, p.product_type)
            for p in self._plans.values()
        )

    def set_leverage(self, api_key: str, body: Mapping[str, Any]) -> dict[str, Any]:
        """``POST account/set-leverage``; returns the documented response dict (strings)."""
        acct = self.account(api_key)
        spec = self.contract(_req(body, "symbol"), _req(body, "productType"))
        _req(body, "marginCoin")
        hold = _opt(body, "holdSide")
        values: dict[str, int] = {}
        for key in ("leverage", "longLeverage", "shortLeverage"):
            raw = _opt(body, key)
            if raw is None:
                continue
            lev = _dec(raw, key)
            if lev != lev.to_integral_value() or not spec.min_lever <= lev <= spec.max_lever:
                raise SimError(ERR_PARAM_ERROR, f"Parameter {key} error")
            values[key] = int(lev)
        if not values:
            raise SimError(ERR_PARAM_EMPTY, "Parameter leverage cannot be empty")
        sym = spec.symbol
        lev = values.get("leverage")
        if acct.get_margin_mode(sym) == "crossed":
            acct.cross_leverage[sym] = lev or values.get("longLeverage") or values["shortLeverage"]
        else:
            long = values.get("longLeverage", lev if hold in (None, "long") else None)
            short = values.get("shortLeverage", lev if hold in (None, "short") else None)
            if long is not None:
                acct.long_leverage[sym] = long
            if short is not None:
                acct.short_leverage[sym] = short
        s = self.account_settings(api_key, sym, spec.product_type)
        self._emit(AccountChanged(api_key, spec.product_type, spec.margin_coin))
        return {
            "symbol": sym,
            "marginCoin": spec.margin_coin,
            "longLeverage": str(
                s.isolated_long_lever if s.margin_mode == "isolated" else s.crossed_margin_leverage
            ),
            "shortLeverage": str(
                s.isolated_short_lever if s.margin_mode == "isolated" else s.crossed_margin_leverage
            ),
            "crossMarginLeverage": str(s.crossed_margin_leverage),
            "marginMode": s.margin_mode,
        }

    def set_margin_mode(self, api_key: str, body: Mapping[str, Any]) -> dict[str, Any]:
        """``POST account/set-margin-mode``; 45117 with positions/orders on the symbol."""
        acct = self.account(api_key)
        spec = self.contract(_req(body, "symbol"), _req(body, "productType"))
        _req(body, "marginCoin")
        mode = _choice(_req(body, "marginMode"), _MARGIN_MODES, "marginMode")
        if acct.get_margin_mode(spec.symbol) != mode:
            if self._has_activity(api_key, symbol=spec.symbol):
                raise SimError(
                    ERR_MARGIN_MODE_SWITCH,
                    "Currently holding positions or orders, the margin mode cannot be adjusted",
                )
            acct.margin_mode[spec.symbol] = mode
        s = self.account_settings(api_key, spec.symbol, spec.product_type)
        return {
            "symbol": spec.symbol,
            "marginCoin": spec.margin_coin,
            "longLeverage": str(s.isolated_long_lever),
            "shortLeverage": str(s.isolated_short_lever),
            "marginMode": mode,
        }

    def set_position_mode(self, api_key: str, body: Mapping[str, Any]) -> dict[str, Any]:
        """``POST account/set-position-mode``; 40920 with positions/orders in the productType."""
        acct = self.account(api_key)
        pt = _req(body, "productType").upper()
        if not self.contracts_of(pt):
            raise SimError(ERR_PARAM_ERROR, "Parameter productType error")
        mode = _choice(_req(body, "posMode"), _POS_MODES, "posMode")
        if acct.get_pos_mode(pt) != mode:
            if self._has_activity(api_key, pt=pt):
                raise SimError(
                    ERR_POS_MODE_SWITCH,
                    "Position or order exists, the position mode cannot be switched",
                )
            acct.pos_mode[pt] = mode
        return {"posMode": mode}

    # -- order placement ------------------------------------------------------------------------
    def place_order(self, api_key: str, body: Mapping[str, Any]) -> Order:
        """``POST order/place-order`` (bitget-api.md 5.4/5.5); returns the order after matching."""
        return self._place(self.account(api_key), body)

    def _validate_client_oid(self, api_key: str, oid: str | None, *, plans: bool = False) -> str:
        if oid is None:
            return self._new_id()
        if len(oid) > _CLIENT_OID_MAX:
            raise SimError(ERR_CLIENT_OID_TOO_LONG, "clientOid is too long")
        if not _CLIENT_OID_RE.match(oid):
            raise SimError(ERR_CLIENT_OID_INVALID, "clientOid contains invalid characters")
        pool = (
            (p for p in self._plans.values() if p.status == "live")
            if plans
            else self._open.values()
        )
        if any(o.api_key == api_key and o.client_oid == oid for o in pool):
            raise SimError(ERR_DUPLICATE_CLIENT_OID, "Duplicate clientOid")
        return oid

    def _validate_size(
        self,
        spec: ContractSpec,
        raw: str,
        *,
        market: bool,
        closing: bool = False,
    ) -> tuple[Decimal, int]:
        size = _dec(raw, "size")
        if size <= 0:
            raise SimError(ERR_PARAM_ERROR, "Parameter size error")
        lots = spec.to_lots(size)
        if lots is None:
            raise SimError(
                ERR_PRECISION,
                f"Parameter verification exception size checkBDScale error value={raw} "
                f"checkScale={spec.volume_place}",
            )
        if size < spec.min_trade_num and not closing:
            raise SimError(ERR_MIN_QTY, f"The order quantity is less than {spec.min_trade_num}")
        if size > (spec.max_market_order_qty if market else spec.max_order_qty):
            raise SimError(ERR_MAX_QTY, "The order quantity exceeds the maximum")
        return size, lots

    def _validate_price(
        self, spec: ContractSpec, raw: str, key: str = "price"
    ) -> tuple[Decimal, int]:
        price = _dec(raw, key)
        if price <= 0:
            raise SimError(ERR_PARAM_ERROR, f"Parameter {key} error")
        ticks = spec.to_ticks(price)
        if ticks is None:
            raise SimError(
                ERR_PRICE_TICK, f"The price you enter should be a multiple of {spec.tick}"
            )
        return price, ticks

    def _shape(
        self,
        acct: SimAccount,
        spec: ContractSpec,
        side: str,
        trade_side: str | None,
        reduce_only_raw: Any,
    ) -> tuple[str, str | None, str, str, bool]:
        """Return (posMode, tradeSide, direction, posSide, reduceOnly) per bitget-api.md 5.5/9.3."""
        pos_mode = acct.get_pos_mode(spec.product_type)
        if pos_mode == "hedge_mode":
            if trade_side is None:
                raise SimError(
                    ERR_MODE_MISMATCH,
                    _MODE_MISMATCH_MSG,
                )
            trade_side = _choice(trade_side.lower(), ("open", "close"), "tradeSide")
            pos_side = "long" if side == "buy" else "short"
            if trade_side == "close":
                direction = "sell" if side == "buy" else "buy"
            else:
                direction = side
            return pos_mode, trade_side, direction, pos_side, trade_side == "close"
        if trade_side is not None:
            raise SimError(
                ERR_MODE_MISMATCH,
                "The order type for unilateral position must also be the unilateral position type",
            )
        return pos_mode, None, side, "net", _yes(reduce_only_raw) if reduce_only_raw else False

    def _closable(
        self, api_key: str, symbol: str, hold_side: str
    ) -> tuple[Position | None, Decimal]:
        pos = self._positions.get((api_key, symbol, hold_side))
        if pos is None:
            return None, Decimal(0)
        return pos, pos.total - self._close_frozen(api_key, symbol, hold_side)

    def _close_frozen(self, api_key: str, symbol: str, hold_side: str) -> Decimal:
        total = Decimal(0)
        for o in self._open.values():
            if o.api_key == api_key and o.symbol == symbol and o.reduce_only:
                if self._closes_side(o) == hold_side:
                    total += o.remaining
        return total

    @staticmethod
    def _closes_side(order: Order) -> str:
        """Return the holdSide a reducing order closes."""
        if order.pos_side in ("long", "short"):
            return order.pos_side
        return "long" if order.direction == "sell" else "short"

    def _margin_for(
        self, spec: ContractSpec, size: Decimal, price: Decimal, leverage: int
    ) -> Decimal:
        if spec.inverse:
            return (size / leverage).quantize(_MONEY_Q, ROUND_HALF_EVEN)
        return size * price / leverage

    def _fee_for(self, spec: ContractSpec, size: Decimal, price: Decimal, rate: Decimal) -> Decimal:
        if spec.inverse:
            return (size * rate).quantize(_MONEY_Q, ROUND_HALF_EVEN)
        return size * price * rate

    def _place(
        self,
        acct: SimAccount,
        body: Mapping[str, Any],
        *,
        source: str = "normal",
        closing: bool = False,
    ) -> Order:
        # closing=True: system orders (close-positions, TP/SL, triggers) skip minimum checks
        api_key = acct.api_key
        symbol = _req(body, "symbol")
        pt = _req(body, "productType").upper()
        spec = self.contract(symbol, pt)
        market = self._market(symbol, pt)
        margin_mode = _choice(_req(body, "marginMode"), _MARGIN_MODES, "marginMode")
        margin_coin = _req(body, "marginCoin")
        if margin_coin.upper() != spec.margin_coin:
            raise SimError(ERR_PARAM_ERROR, "Parameter marginCoin error")
        side = _choice(_req(body, "side").lower(), ("buy", "sell"), "side")
        order_type = _choice(_req(body, "orderType").lower(), _ORDER_TYPES, "orderType")
        force = _choice((_opt(body, "force") or "gtc").lower(), _FORCES, "force")
        pos_mode, trade_side, direction, pos_side, reduce_only = self._shape(
            acct, spec, side, _opt(body, "tradeSide"), body.get("reduceOnly")
        )
        is_market = order_type == "market"
        size, lots = self._validate_size(
            spec, _req(body, "size"), market=is_market, closing=closing
        )
        price: Decimal | None = None
        limit_ticks: int | None = None
        if not is_market:
            price, limit_ticks = self._validate_price(spec, _req(body, "price"))
        else:
            force = "ioc" if force in ("gtc", "post_only") else force
        client_oid = self._validate_client_oid(api_key, _opt(body, "clientOid"))
        if is_market:
            ref = market.best_ask if direction == "buy" else market.best_bid
            ref_price = spec.ticks_to_price(ref if ref is not None else market.last_ticks)
        else:
            ref_price = price  # type: ignore[assignment]
        # bitget-api.md 9.1: minTradeUSDT applies to USDT-quoted contracts
        usdt = spec.product_type == "USDT-FUTURES"
        if usdt and not closing and size * ref_price < spec.min_trade_usdt:
            raise SimError(
                ERR_MIN_NOTIONAL, f"less than the minimum amount {spec.min_trade_usdt} USDT"
            )
        tp = _opt(body, "presetStopSurplusPrice")
        sl = _opt(body, "presetStopLossPrice")
        tp_price = self._validate_price(spec, tp, "presetStopSurplusPrice")[0] if tp else None
        sl_price = self._validate_price(spec, sl, "presetStopLossPrice")[0] if sl else None
        long_entry = direction == "buy"
        if tp_price is not None and (
            tp_price <= ref_price if long_entry else tp_price >= ref_price
        ):
            raise SimError(ERR_TP_PRICE, "The take profit price is on the wrong side")
        if sl_price is not None and (
            sl_price >= ref_price if long_entry else sl_price <= ref_price
        ):
            raise SimError(ERR_SL_PRICE, "The stop loss price is on the wrong side")
        leverage = self._leverage(acct, symbol, pos_side, direction)
        frozen_margin = Decimal(0)
        if reduce_only:
            hold = (
                pos_side
                if pos_mode == "hedge_mode"
                else ("long" if direction == "sell" else "short")
            )
            pos, avail = self._closable(api_key, symbol, hold)
            if pos is None:
                raise SimError(ERR_NO_POSITION, "No position to close")
            if size > avail:
                raise SimError(ERR_POSITION_NOT_ENOUGH, "Not enough position is available")
        else:
            open_size = size
            if pos_mode == "one_way_mode":
                opposite = self._positions.get(
                    (api_key, symbol, "short" if direction == "buy" else "long")
                )
                if opposite is not None:
                    open_size = max(Decimal(0), size - opposite.total)
            if open_size > 0:
                frozen_margin = self._margin_for(spec, open_size, ref_price, leverage)
                fee = self._fee_for(spec, open_size, ref_price, spec.taker_fee_rate)
                if frozen_margin + fee > self.account_view(api_key, spec.margin_coin).available:
                    raise SimError(ERR_INSUFFICIENT, "The order amount exceeds the balance")
        now = self.now_ms()
        order = Order(
            order_id=self._new_id(),
            client_oid=client_oid,
            api_key=api_key,
            symbol=symbol,
            product_type=pt,
            margin_coin=spec.margin_coin,
            margin_mode=margin_mode,
            pos_mode=pos_mode,
            side=side,
            trade_side=trade_side,
            direction=direction,
            pos_side=pos_side,
            order_type=order_type,
            force=force,
            size=size,
            price=price,
            reduce_only=reduce_only,
            leverage=leverage,
            preset_stop_surplus_price=tp_price,
            preset_stop_loss_price=sl_price,
            order_source=source if source != "normal" or not is_market else "market",
            c_time=now,
            u_time=now,
            frozen_margin=frozen_margin,
        )
        self._orders[order.order_id] = order
        self._open[order.order_id] = order
        self._order_seq += 1
        self._order_rank[order.order_id] = self._order_seq
        self._emit(OrderEvent(api_key, copy(order)))
        self._emit(AccountChanged(api_key, pt, spec.margin_coin))
        self._match_new(order, market, lots, limit_ticks, now)
        return order

    def _match_new(
        self,
        order: Order,
        market: MarketState,
        lots: int,
        limit_ticks: int | None,
        now: int,
    ) -> None:
        direction = order.direction
        if (
            order.force == "post_only"
            and limit_ticks is not None
            and market.crosses(direction, limit_ticks)
        ):
            self._cancel(order, now)
            return
        if order.force == "fok" and market.available(direction, limit_ticks) < lots:
            self._cancel(order, now)
            return
        if order.reduce_only:
            lots = min(lots, self._reducible_lots(order))
        taken = market.take(direction, limit_ticks, lots) if lots > 0 else []
        if taken:
            spec = market.contract
            trades = []
            for ticks, n in taken:
                trade = market.print_trade(ticks, n, direction, now)
                trades.append(trade)
                self._apply_fill(order, spec, ticks, n, "taker", trade.trade_id, now)
            book_msg = market.flush(now)
            if book_msg is not None:
                self._emit(book_msg)
            self._emit(Trades(market.symbol, market.product_type, trades))
            self._emit(CandleUpdated(market.symbol, market.product_type, now))
            self._emit(TickerChanged(market.symbol, market.product_type, now))
        if order.is_open:
            if order.order_type == "market" or order.force in ("ioc", "fok"):
                self._cancel(order, now)
            else:
                self._rest(order)
        if taken:
            self._check_plans(market, now)

    def _reducible_lots(self, order: Order) -> int:
        spec = self.contracts[order.symbol]
        pos = self._positions.get((order.api_key, order.symbol, self._closes_side(order)))
        if pos is None:
            return 0
        return int(min(pos.total, order.remaining) / spec.size_multiplier)

    def _rest(self, order: Order) -> None:
        book = self._resting[order.symbol]
        book.append(order)
        book.sort(key=self._rest_key)

    def _rest_key(self, o: Order) -> tuple[int, Decimal, int]:
        # buys: highest price first; sells: lowest first; then time priority
        p = o.price or Decimal(0)
        return (
            0 if o.direction == "buy" else 1,
            -p if o.direction == "buy" else p,
            self._order_rank[o.order_id],
        )

    def _cancel(self, order: Order, now: int, reason: str = "normal_cancel") -> None:
        if not order.is_open:
            return
        order.status = "canceled"
        order.cancel_reason = reason
        order.u_time = now
        order.frozen_margin = Decimal(0)
        self._open.pop(order.order_id, None)
        book = self._resting.get(order.symbol)
        if book and order in book:
            book.remove(order)
        self._emit(OrderEvent(order.api_key, copy(order)))
        self._emit(AccountChanged(order.api_key, order.product_type, order.margin_coin))
        if order.filled_qty > 0:
            self._attach_presets(order, now)

    # -- fills and positions --------------------------------------------------------------------
    def _apply_fill(
        self,
        order: Order,
        spec: ContractSpec,
        ticks: int,
        lots: int,
        scope: str,
        trade_id: str,
        now: int,
    ) -> None:
        api_key = order.api_key
        acct = self.accounts[api_key]
        price = spec.ticks_to_price(ticks)
        qty = spec.lots_to_size(lots)
        rate = spec.taker_fee_rate if scope == "taker" else spec.maker_fee_rate
        fee = -self._fee_for(spec, qty, price, rate)
        coin = spec.margin_coin
        # split into the closing part and the opening part (bitget-api.md 5.5)
        close_side: str | None = None
        close_qty = Decimal(0)
        open_side: str | None = None
        open_qty = Decimal(0)
        if order.pos_mode == "hedge_mode":
            if order.trade_side == "close":
                close_side, close_qty = order.pos_side, qty
            else:
                open_side, open_qty = order.pos_side, qty
        else:
            opposite = "short" if order.direction == "buy" else "long"
            pos = self._positions.get((api_key, order.symbol, opposite))
            if pos is not None:
                close_side, close_qty = opposite, min(qty, pos.total)
            if qty > close_qty and not order.reduce_only:
                open_side = "long" if order.direction == "buy" else "short"
                open_qty = qty - close_qty
        pnl = Decimal(0)
        bills: list[tuple[str, Decimal, Decimal]] = []
        closed_record: ClosedPosition | None = None
        if close_side is not None and close_qty > 0:
            pos = self._positions[(api_key, order.symbol, close_side)]
            close_qty = min(close_qty, pos.total)
            cost_part = (
                pos.open_cost if close_qty == pos.total else pos.open_cost * close_qty / pos.total
            )
            pnl = self._pnl(spec, close_side, close_qty, price, cost_part)
            close_fee = fee if open_qty == 0 else fee * close_qty / qty
            pos.open_cost -= cost_part
            pos.total -= close_qty
            pos.achieved_profits += pnl
            pos.close_fee += close_fee
            pos.close_size += close_qty
            pos.close_quote += close_qty * price
            pos.u_time = now
            bills.append((f"close_{close_side}", pnl, close_fee))
            if pos.total == 0:
                closed_record = self._close_position(pos, now)
            else:
                pos.open_price_avg = pos.open_cost / pos.total
        if open_side is not None and open_qty > 0:
            open_fee = fee - sum((b[2] for b in bills), Decimal(0))
            key = (api_key, order.symbol, open_side)
            pos = self._positions.get(key)
            if pos is None:
                pos = Position(
                    pos_id=self._new_id(),
                    api_key=api_key,
                    symbol=order.symbol,
                    product_type=order.product_type,
                    margin_coin=coin,
                    margin_mode=acct.get_margin_mode(order.symbol),
                    pos_mode=order.pos_mode,
                    hold_side=open_side,
                    total=Decimal(0),
                    open_price_avg=price,
                    leverage=self._leverage(acct, order.symbol, open_side, order.direction),
                    keep_margin_rate=spec.keep_margin_rate,
                    c_time=now,
                )
                self._positions[key] = pos
            pos.total += open_qty
            pos.open_size += open_qty
            pos.open_cost += open_qty * price
            pos.open_price_avg = pos.open_cost / pos.total
            pos.open_fee += open_fee
            pos.u_time = now
            bills.append((f"open_{open_side}", Decimal(0), open_fee))
        balance = acct.balances.get(coin, Decimal(0)) + pnl + fee
        acct.balances[coin] = balance
        running = balance - pnl - fee
        bill_list = self._bills.setdefault(api_key, [])
        for business, amount, bill_fee in bills:
            running += amount + bill_fee
            bill_list.append(
                Bill(
                    self._new_id(),
                    api_key,
                    order.symbol,
                    order.product_type,
                    coin,
                    business,
                    amount,
                    bill_fee,
                    running,
                    now,
                )
            )
        # order bookkeeping
        before = order.remaining
        order.filled_qty += qty
        order.filled_quote += qty * price
        order.fee += fee
        order.total_profits += pnl
        order.u_time = now
        if order.frozen_margin:
            order.frozen_margin = (
                Decimal(0)
                if order.remaining == 0
                else order.frozen_margin * order.remaining / before
            )
        order.status = "filled" if order.remaining == 0 else "partially_filled"
        if order.remaining == 0:
            self._open.pop(order.order_id, None)
            book = self._resting.get(order.symbol)
            if book and order in book:
                book.remove(order)
        fill = Fill(
            trade_id=trade_id,
            order_id=order.order_id,
            client_oid=order.client_oid,
            api_key=api_key,
            symbol=order.symbol,
            product_type=order.product_type,
            side=order.side,
            trade_side=order.trade_side,
            direction=order.direction,
            order_type=order.order_type,
            pos_mode=order.pos_mode,
            price=price,
            size=qty,
            quote_volume=qty * price,
            fee=fee,
            fee_coin=coin,
            profit=pnl,
            trade_scope=scope,
            wire_trade_side=order.wire_trade_side,
            c_time=now,
        )
        self._fills.setdefault(api_key, []).append(fill)
        self._emit(OrderEvent(api_key, copy(order), fill))
        self._emit(FillEvent(api_key, fill))
        self._emit(PositionsChanged(api_key, order.product_type))
        if closed_record is not None:
            self._emit(PositionClosed(api_key, closed_record))
        self._emit(AccountChanged(api_key, order.product_type, coin))
        if order.status == "filled":
            self._attach_presets(order, now)
        if closed_record is not None:
            self._cancel_position_plans(api_key, order.symbol, closed_record.hold_side, now)

    @staticmethod
    def _pnl(
        spec: ContractSpec, hold_side: str, qty: Decimal, price: Decimal, cost: Decimal
    ) -> Decimal:
        if spec.inverse:
            # size in base coin: pnl(long) = qty * (exit - entry) / exit = qty - cost / exit (BTC)
            raw = qty - cost / price if hold_side == "long" else cost / price - qty
            return raw.quantize(_MONEY_Q, ROUND_HALF_EVEN)
        return qty * price - cost if hold_side == "long" else cost - qty * price

    def _close_position(self, pos: Position, now: int) -> ClosedPosition:
        del self._positions[(pos.api_key, pos.symbol, pos.hold_side)]
        record = ClosedPosition(
            pos_id=pos.pos_id,
            api_key=pos.api_key,
            symbol=pos.symbol,
            product_type=pos.product_type,
            margin_coin=pos.margin_coin,
            margin_mode=pos.margin_mode,
            pos_mode=pos.pos_mode,
            hold_side=pos.hold_side,
            open_price_avg=pos.open_price_avg,
            close_price_avg=pos.close_quote / pos.close_size,
            open_size=pos.open_size,
            close_size=pos.close_size,
            achieved_profits=pos.achieved_profits,
            settle_fee=pos.total_fee,
            open_fee=pos.open_fee,
            close_fee=pos.close_fee,
            c_time=pos.c_time,
            u_time=now,
        )
        self._closed.setdefault(pos.api_key, []).append(record)
        return record

    # -- resting user orders vs generated flow ---------------------------------------------------
    def _fill_resting(self, market: MarketState, now: int) -> None:
        book = self._resting[market.symbol]
        if not book:
            return
        spec = market.contract
        # (a) generated taker trades printing strictly through a user price
        for ticks, lots, side in market.last_gen_trades:
            budget = lots
            for order in list(book):
                if budget <= 0:
                    break
                if not order.is_open:
                    continue
                ot = spec.to_ticks(order.price)  # type: ignore[arg-type]
                if side == "buy" and order.direction == "sell" and ot < ticks:
                    budget -= self._maker_fill(order, spec, ot, budget, now)
                elif side == "sell" and order.direction == "buy" and ot > ticks:
                    budget -= self._maker_fill(order, spec, ot, budget, now)
        # (b) the generated opposite side moved across a user price: fill fully
        bb, ba = market.best_bid, market.best_ask
        for order in list(book):
            if not order.is_open:
                continue
            ot = spec.to_ticks(order.price)  # type: ignore[arg-type]
            if (order.direction == "sell" and bb is not None and bb >= ot) or (
                order.direction == "buy" and ba is not None and ba <= ot
            ):
                self._maker_fill(order, spec, ot, None, now)

    def _maker_fill(
        self, order: Order, spec: ContractSpec, ticks: int, budget: int | None, now: int
    ) -> int:
        lots = int(order.remaining / spec.size_multiplier)
        if order.reduce_only:
            lots = min(lots, self._reducible_lots(order))
            if lots == 0:
                self._cancel(order, now)
                return 0
        if budget is not None:
            lots = min(lots, budget)
        if lots <= 0:
            return 0
        trade_id = self.markets[order.symbol].next_trade_id()
        self._apply_fill(order, spec, ticks, lots, "maker", trade_id, now)
        return lots

    # -- batch / modify / cancel -----------------------------------------------------------------
    def batch_place_orders(self, api_key: str, body: Mapping[str, Any]) -> BatchResult:
        """``POST order/batch-place-order`` (5.6): per-item success / failure."""
        acct = self.account(api_key)
        items = body.get("orderList")
        if not items:
            raise SimError(ERR_PARAM_EMPTY, "Parameter orderList cannot be empty")
        if len(items) > _BATCH_PLACE_MAX:
            raise SimError(ERR_BATCH_TOO_MANY, "Batch processing orders can only process up to 20")
        top = {k: v for k, v in body.items() if k != "orderList"}
        success: list[tuple[str, str]] = []
        failure: list[tuple[str, str, str, str]] = []
        for item in items:
            try:
                order = self._place(acct, {**top, **item})
            except SimError as e:
                failure.append(("", str(item.get("clientOid") or ""), e.code, e.msg))
            else:
                success.append((order.order_id, order.client_oid))
        return BatchResult(success, failure)

    def _find(
        self, api_key: str, symbol: str | None, order_id: str | None, client_oid: str | None
    ) -> Order | None:
        if order_id is not None:
            o = self._orders.get(order_id)
            if o is not None and o.api_key == api_key and (symbol is None or o.symbol == symbol):
                return o
            return None
        if client_oid is not None:
            # open orders first (clientOid is unique among them), then newest history
            for o in self._open.values():
                if (
                    o.api_key == api_key
                    and o.client_oid == client_oid
                    and (symbol is None or o.symbol == symbol)
                ):
                    return o
            for o in reversed(self._orders.values()):
                if (
                    o.api_key == api_key
                    and o.client_oid == client_oid
                    and (symbol is None or o.symbol == symbol)
                ):
                    return o
        return None

    def modify_order(self, api_key: str, body: Mapping[str, Any]) -> dict[str, Any]:
        """
        ``POST order/modify-order`` (5.7): cancel + new order with a new orderId.

        Returns ``{"orderId": None, "clientOid": newClientOid}`` like Bitget (the new order is
        announced by events). TP/SL-only changes keep the order.
        """
        acct = self.account(api_key)
        symbol = _req(body, "symbol")
        self.contract(symbol, _req(body, "productType"))
        order_id, client_oid = _opt(body, "orderId"), _opt(body, "clientOid")
        if order_id is None and client_oid is None:
            raise SimError(ERR_ID_REQUIRED, "orderId and clientOid must have one")
        new_oid = _req(body, "newClientOid")
        new_size, new_price = _opt(body, "newSize"), _opt(body, "newPrice")
        if (new_size is None) != (new_price is None):
            raise SimError(ERR_MODIFY_PAIR, "price and size must be passed together")
        order = self._find(api_key, symbol, order_id, client_oid)
        if order is None or not order.is_open:
            raise SimError(ERR_ORDER_NOT_EXIST, "Order does not exist")
        if order.order_type != "limit" or order.status != "live":
            raise SimError(ERR_PARAM_ERROR, "Only live limit orders can be modified")
        spec = self.contracts[symbol]
        tp = body.get("newPresetStopSurplusPrice")
        sl = body.get("newPresetStopLossPrice")
        if new_size is None:
            if tp not in (None, ""):
                order.preset_stop_surplus_price = (
                    None
                    if _dec(tp, "newPresetStopSurplusPrice") == 0
                    else _dec(tp, "newPresetStopSurplusPrice")
                )
            if sl not in (None, ""):
                order.preset_stop_loss_price = (
                    None
                    if _dec(sl, "newPresetStopLossPrice") == 0
                    else _dec(sl, "newPresetStopLossPrice")
                )
            return {"orderId": order.order_id, "clientOid": order.client_oid}
        if new_oid != order.client_oid:
            self._validate_client_oid(api_key, new_oid)
        self._validate_size(spec, new_size, market=False)  # type: ignore[arg-type]
        self._validate_price(spec, new_price)  # type: ignore[arg-type]
        params: dict[str, Any] = {
            "symbol": symbol,
            "productType": order.product_type,
            "marginMode": order.margin_mode,
            "marginCoin": order.margin_coin,
            "size": new_size,
            "price": new_price,
            "side": order.side,
            "orderType": "limit",
            "force": order.force,
            "clientOid": new_oid,
        }
        if order.trade_side is not None:
            params["tradeSide"] = order.trade_side
        if order.reduce_only and order.pos_mode == "one_way_mode":
            params["reduceOnly"] = "YES"
        for key, cur, new in (
            ("presetStopSurplusPrice", order.preset_stop_surplus_price, tp),
            ("presetStopLossPrice", order.preset_stop_loss_price, sl),
        ):
            if new not in (None, ""):
                if Decimal(str(new)) != 0:
                    params[key] = str(new)
            elif cur is not None:
                params[key] = str(cur)
        self._cancel(order, self.now_ms())
        self._place(acct, params)
        return {"orderId": None, "clientOid": new_oid}

    def cancel_order(self, api_key: str, body: Mapping[str, Any]) -> Order:
        """``POST order/cancel-order`` (5.8); 40768 when not found / not open."""
        self.account(api_key)
        symbol = _req(body, "symbol")
        self.contract(symbol, _req(body, "productType"))
        order_id, client_oid = _opt(body, "orderId"), _opt(body, "clientOid")
        if order_id is None and client_oid is None:
            raise SimError(ERR_ID_REQUIRED, "orderId and clientOid must have one")
        order = self._find(api_key, symbol, order_id, client_oid)
        if order is None or not order.is_open:
            raise SimError(ERR_ORDER_NOT_EXIST, "Order does not exist")
        self._cancel(order, self.now_ms())
        return order

    def batch_cancel_orders(self, api_key: str, body: Mapping[str, Any]) -> BatchResult:
        """``POST order/batch-cancel-orders`` (5.8); without ``orderIdList`` cancels the symbol."""
        self.account(api_key)
        pt = _req(body, "productType").upper()
        items = body.get("orderIdList")
        symbol = _opt(body, "symbol")
        if items:
            if len(items) > _BATCH_CANCEL_MAX:
                raise SimError(ERR_BATCH_CANCEL_TOO_MANY, "single cancel cannot exceed 50")
            if symbol is None:
                raise SimError(ERR_PARAM_EMPTY, "Parameter symbol cannot be empty")
            self.contract(symbol, pt)
            success: list[tuple[str, str]] = []
            failure: list[tuple[str, str, str, str]] = []
            now = self.now_ms()
            for item in items:
                oid, coid = _opt(item, "orderId"), _opt(item, "clientOid")
                order = self._find(api_key, symbol, oid, coid) if (oid or coid) else None
                if order is None or not order.is_open:
                    failure.append(
                        (oid or "", coid or "", ERR_ORDER_NOT_EXIST, "Order does not exist")
                    )
                    continue
                self._cancel(order, now)
                success.append((order.order_id, order.client_oid))
            return BatchResult(success, failure)
        if symbol is not None:
            self.contract(symbol, pt)
        return self._cancel_where(api_key, pt, symbol, _opt(body, "marginCoin"))

    def cancel_all_orders(self, api_key: str, body: Mapping[str, Any]) -> BatchResult:
        """``POST order/cancel-all-orders`` (5.8) by productType (optional marginCoin/symbol)."""
        self.account(api_key)
        pt = _req(body, "productType").upper()
        return self._cancel_where(api_key, pt, _opt(body, "symbol"), _opt(body, "marginCoin"))

    def _cancel_where(
        self, api_key: str, pt: str, symbol: str | None, coin: str | None
    ) -> BatchResult:
        now = self.now_ms()
        success = []
        for o in list(self._open.values()):
            if o.api_key != api_key or o.product_type != pt:
                continue
            if (symbol is not None and o.symbol != symbol) or (
                coin is not None and o.margin_coin != coin.upper()
            ):
                continue
            self._cancel(o, now)
            success.append((o.order_id, o.client_oid))
        return BatchResult(success, [])

    def close_positions(self, api_key: str, body: Mapping[str, Any]) -> BatchResult:
        """``POST order/close-positions`` (5.9): market close; 22002 when no position."""
        acct = self.account(api_key)
        pt = _req(body, "productType").upper()
        symbol = _opt(body, "symbol")
        if symbol is not None:
            self.contract(symbol, pt)
        hold = _opt(body, "holdSide")
        if hold is not None:
            hold = _choice(hold, ("long", "short"), "holdSide")
        targets = [
            p
            for k, p in self._positions.items()
            if k[0] == api_key
            and p.product_type == pt
            and (symbol is None or p.symbol == symbol)
            and (hold is None or p.pos_mode == "one_way_mode" or p.hold_side == hold)
        ]
        if not targets:
            raise SimError(ERR_NO_POSITION, "No position to close")
        success: list[tuple[str, str]] = []
        failure: list[tuple[str, str, str, str]] = []
        now = self.now_ms()
        for pos in targets:
            # a flash close takes the whole position: pending closing orders are cancelled first
            for o in list(self._open.values()):
                if (
                    o.api_key == api_key
                    and o.symbol == pos.symbol
                    and o.reduce_only
                    and self._closes_side(o) == pos.hold_side
                ):
                    self._cancel(o, now)
            spec = self.contracts[pos.symbol]
            params: dict[str, Any] = {
                "symbol": pos.symbol,
                "productType": pt,
                "marginMode": pos.margin_mode,
                "marginCoin": pos.margin_coin,
                "size": spec.fmt_size(pos.total),
                "orderType": "market",
            }
            if pos.pos_mode == "hedge_mode":
                params["side"] = "buy" if pos.hold_side == "long" else "sell"
                params["tradeSide"] = "close"
            else:
                params["side"] = "sell" if pos.hold_side == "long" else "buy"
                params["reduceOnly"] = "YES"
            try:
                order = self._place(acct, params, closing=True)
            except SimError as e:
                failure.append(("", "", e.code, e.msg))
            else:
                success.append((order.order_id, order.client_oid))
        return BatchResult(success, failure)

    # -- plans ----------------------------------------------------------------------------------
    def place_plan_order(self, api_key: str, body: Mapping[str, Any]) -> PlanOrder:
        """``POST order/place-plan-order`` (5.11), ``normal_plan`` only."""
        acct = self.account(api_key)
        plan_type = _choice(_opt(body, "planType") or "normal_plan", ("normal_plan",), "planType")
        symbol = _req(body, "symbol")
        pt = _req(body, "productType").upper()
        spec = self.contract(symbol, pt)
        market = self._market(symbol, pt)
        margin_mode = _choice(_req(body, "marginMode"), _MARGIN_MODES, "marginMode")
        if _req(body, "marginCoin").upper() != spec.margin_coin:
            raise SimError(ERR_PARAM_ERROR, "Parameter marginCoin error")
        side = _choice(_req(body, "side").lower(), ("buy", "sell"), "side")
        order_type = _choice(_req(body, "orderType").lower(), _ORDER_TYPES, "orderType")
        trigger_type = _choice(_req(body, "triggerType"), _TRIGGER_TYPES, "triggerType")
        trigger_price, _ = self._validate_price(spec, _req(body, "triggerPrice"), "triggerPrice")
        pos_mode, trade_side, direction, pos_side, reduce_only = self._shape(
            acct, spec, side, _opt(body, "tradeSide"), body.get("reduceOnly")
        )
        size, _ = self._validate_size(spec, _req(body, "size"), market=order_type == "market")
        price = (
            self._validate_price(spec, _req(body, "price"))[0] if order_type == "limit" else None
        )
        client_oid = self._validate_client_oid(api_key, _opt(body, "clientOid"), plans=True)
        ref = market.mark_price if trigger_type == "mark_price" else market.last_price
        tp = _opt(body, "stopSurplusTriggerPrice")
        sl = _opt(body, "stopLossTriggerPrice")
        now = self.now_ms()
        plan = PlanOrder(
            order_id=self._new_id(),
            client_oid=client_oid,
            api_key=api_key,
            plan_type=plan_type,
            symbol=symbol,
            product_type=pt,
            margin_coin=spec.margin_coin,
            margin_mode=margin_mode,
            pos_mode=pos_mode,
            side=side,
            trade_side=trade_side,
            pos_side=pos_side,
            order_type=order_type,
            size=size,
            price=price,
            trigger_price=trigger_price,
            trigger_type=trigger_type,
            trigger_above=trigger_price > ref,
            reduce_only=reduce_only and pos_mode == "one_way_mode",
            stop_surplus_trigger_price=self._validate_price(spec, tp, "stopSurplusTriggerPrice")[0]
            if tp
            else None,
            stop_loss_trigger_price=self._validate_price(spec, sl, "stopLossTriggerPrice")[0]
            if sl
            else None,
            c_time=now,
            u_time=now,
        )
        del direction
        self._plans[plan.order_id] = plan
        self._emit(PlanEvent(api_key, copy(plan)))
        return plan

    def cancel_plan_order(self, api_key: str, body: Mapping[str, Any]) -> BatchResult:
        """``POST order/cancel-plan-order`` (5.11)."""
        self.account(api_key)
        pt = _req(body, "productType").upper()
        symbol = _opt(body, "symbol")
        plan_type = _opt(body, "planType") or "normal_plan"
        types = ("profit_plan", "loss_plan") if plan_type == "profit_loss" else (plan_type,)
        items = body.get("orderIdList")
        now = self.now_ms()
        success: list[tuple[str, str]] = []
        failure: list[tuple[str, str, str, str]] = []
        if items:
            for item in items:
                oid, coid = _opt(item, "orderId"), _opt(item, "clientOid")
                plan = next(
                    (
                        p
                        for p in self._plans.values()
                        if p.api_key == api_key
                        and p.status == "live"
                        and p.product_type == pt
                        and (
                            (oid is not None and p.order_id == oid)
                            or (oid is None and coid is not None and p.client_oid == coid)
                        )
                    ),
                    None,
                )
                if plan is None:
                    code = ERR_PLAN_NOT_EXIST if plan_type == "normal_plan" else ERR_TPSL_NOT_EXIST
                    failure.append((oid or "", coid or "", code, "The plan order does not exist"))
                    continue
                self._finish_plan(plan, "cancelled", now)
                success.append((plan.order_id, plan.client_oid))
            return BatchResult(success, failure)
        for plan in list(self._plans.values()):
            if (
                plan.api_key == api_key
                and plan.status == "live"
                and plan.product_type == pt
                and plan.plan_type in types
                and (symbol is None or plan.symbol == symbol)
            ):
                self._finish_plan(plan, "cancelled", now)
                success.append((plan.order_id, plan.client_oid))
        return BatchResult(success, failure)

    def _finish_plan(self, plan: PlanOrder, status: str, now: int, reason: str = "") -> None:
        plan.status = status
        plan.u_time = now
        plan.fail_reason = reason
        if status in ("executed", "fail_execute"):
            plan.trigger_time = now
        self._emit(PlanEvent(plan.api_key, copy(plan)))

    def _attach_presets(self, order: Order, now: int) -> None:
        """Create profit_plan / loss_plan for a filled order with preset TP/SL (5.4)."""
        if order.preset_stop_surplus_price is None and order.preset_stop_loss_price is None:
            return
        if order.reduce_only:
            return
        hold = (
            order.pos_side
            if order.pos_side != "net"
            else ("long" if order.direction == "buy" else "short")
        )
        for plan_type, trig in (
            ("profit_plan", order.preset_stop_surplus_price),
            ("loss_plan", order.preset_stop_loss_price),
        ):
            if trig is None:
                continue
            above = (plan_type == "profit_plan") == (hold == "long")
            if order.pos_mode == "hedge_mode":
                side, trade_side = ("buy" if hold == "long" else "sell"), "close"
            else:
                side, trade_side = ("sell" if hold == "long" else "buy"), None
            plan = PlanOrder(
                order_id=self._new_id(),
                client_oid=self._new_id(),
                api_key=order.api_key,
                plan_type=plan_type,
                symbol=order.symbol,
                product_type=order.product_type,
                margin_coin=order.margin_coin,
                margin_mode=order.margin_mode,
                pos_mode=order.pos_mode,
                side=side,
                trade_side=trade_side,
                pos_side=hold if order.pos_mode == "hedge_mode" else "net",
                order_type="market",
                size=order.filled_qty,
                price=None,
                trigger_price=trig,
                trigger_type="fill_price",
                trigger_above=above,
                reduce_only=True,
                parent_order_id=order.order_id,
                c_time=now,
                u_time=now,
            )
            self._plans[plan.order_id] = plan
            self._emit(PlanEvent(order.api_key, copy(plan)))

    def _plan_hold_side(self, plan: PlanOrder) -> str:
        if plan.pos_side in ("long", "short"):
            return plan.pos_side
        return "long" if plan.side == "sell" else "short"

    def _cancel_position_plans(self, api_key: str, symbol: str, hold_side: str, now: int) -> None:
        for plan in list(self._plans.values()):
            if (
                plan.api_key == api_key
                and plan.symbol == symbol
                and plan.status == "live"
                and plan.plan_type in ("profit_plan", "loss_plan")
                and self._plan_hold_side(plan) == hold_side
            ):
                self._finish_plan(plan, "cancelled", now)

    def _check_plans(self, market: MarketState, now: int) -> None:
        live = [p for p in self._plans.values() if p.status == "live" and p.symbol == market.symbol]
        if not live:
            return
        mark, last = market.mark_price, market.last_price
        for plan in live:
            if plan.status != "live":
                continue  # cancelled by a sibling meanwhile
            ref = mark if plan.trigger_type == "mark_price" else last
            hit = ref >= plan.trigger_price if plan.trigger_above else ref <= plan.trigger_price
            if hit:
                self._trigger(plan, now)

    def _trigger(self, plan: PlanOrder, now: int) -> None:
        acct = self.accounts[plan.api_key]
        spec = self.contracts[plan.symbol]
        size = plan.size
        if plan.plan_type in ("profit_plan", "loss_plan"):
            pos, avail = self._closable(plan.api_key, plan.symbol, self._plan_hold_side(plan))
            size = min(size, avail)
            if pos is None or size <= 0:
                self._finish_plan(plan, "fail_execute", now, "no position")
                return
        params: dict[str, Any] = {
            "symbol": plan.symbol,
            "productType": plan.product_type,
            "marginMode": plan.margin_mode,
            "marginCoin": plan.margin_coin,
            "size": spec.fmt_size(size),
            "side": plan.side,
            "orderType": plan.order_type,
        }
        if plan.price is not None:
            params["price"] = spec.fmt_price(plan.price)
        if plan.trade_side is not None:
            params["tradeSide"] = plan.trade_side
        if plan.reduce_only and plan.pos_mode == "one_way_mode":
            params["reduceOnly"] = "YES"
        if plan.stop_surplus_trigger_price is not None:
            params["presetStopSurplusPrice"] = spec.fmt_price(plan.stop_surplus_trigger_price)
        if plan.stop_loss_trigger_price is not None:
            params["presetStopLossPrice"] = spec.fmt_price(plan.stop_loss_trigger_price)
        plan.status = "executing"  # guard against re-entry while the order matches
        try:
            order = self._place(acct, params, source=plan.plan_type, closing=True)
        except SimError as e:
            self._finish_plan(plan, "fail_execute", now, f"{e.code}: {e.msg}")
            return
        plan.execute_order_id = order.order_id
        self._finish_plan(plan, "executed", now)
        if plan.parent_order_id:
            for sib in list(self._plans.values()):
                if (
                    sib is not plan
                    and sib.parent_order_id == plan.parent_order_id
                    and sib.status == "live"
                ):
                    self._finish_plan(sib, "cancelled", now)

    # -- queries --------------------------------------------------------------------------------
    def get_order(
        self,
        api_key: str,
        symbol: str,
        order_id: str | None = None,
        client_oid: str | None = None,
    ) -> Order:
        """``GET order/detail``: by orderId (wins) or clientOid; 40768 when not found."""
        self.account(api_key)
        if order_id is None and client_oid is None:
            raise SimError(ERR_ID_REQUIRED, "orderId and clientOid must have one")
        order = self._find(api_key, symbol, order_id, client_oid)
        if order is None:
            raise SimError(ERR_ORDER_NOT_EXIST, "Order does not exist")
        return copy(order)

    @staticmethod
    def _page(
        rows: list[Any],
        id_attr: str,
        id_less_than: str | None,
        start_ms: int | None,
        end_ms: int | None,
        limit: int,
    ) -> list[Any]:
        out = []
        cursor = int(id_less_than) if id_less_than else None
        for r in reversed(rows):
            if cursor is not None and int(getattr(r, id_attr)) >= cursor:
                continue
            t = r.c_time
            if (start_ms is not None and t < start_ms) or (end_ms is not None and t > end_ms):
                continue
            out.append(copy(r))
            if len(out) >= limit:
                break
        return out

    def _orders_of(
        self,
        api_key: str,
        pt: str,
        symbol: str | None,
        order_id: str | None,
        client_oid: str | None,
    ) -> list[Order]:
        return [
            o
            for o in self._orders.values()
            if o.api_key == api_key
            and o.product_type == pt.upper()
            and (symbol is None or o.symbol == symbol)
            and (order_id is None or o.order_id == order_id)
            and (client_oid is None or o.client_oid == client_oid)
        ]

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
        self.account(api_key)
        rows = [
            o
            for o in self._orders_of(api_key, product_type, symbol, order_id, client_oid)
            if o.is_open and (status is None or o.status == status)
        ]
        return self._page(rows, "order_id", id_less_than, start_ms, end_ms, limit)

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
        self.account(api_key)
        rows = [
            o
            for o in self._orders_of(api_key, product_type, symbol, order_id, client_oid)
            if not o.is_open
        ]
        return self._page(rows, "order_id", id_less_than, start_ms, end_ms, limit)

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
        self.account(api_key)
        pt = product_type.upper()
        rows = [
            f
            for f in self._fills.get(api_key, [])
            if f.product_type == pt
            and (symbol is None or f.symbol == symbol)
            and (order_id is None or f.order_id == order_id)
        ]
        return self._page(rows, "trade_id", id_less_than, start_ms, end_ms, limit)

    def positions(
        self,
        api_key: str,
        product_type: str,
        symbol: str | None = None,
        margin_coin: str | None = None,
    ) -> list[Position]:
        """Open positions (snapshots with mark-dependent fields filled in)."""
        self.account(api_key)
        pt = product_type.upper()
        out = []
        for (key, sym, _), pos in self._positions.items():
            if key != api_key or pos.product_type != pt or (symbol is not None and sym != symbol):
                continue
            if margin_coin is not None and pos.margin_coin != margin_coin.upper():
                continue
            out.append(self._position_view(pos))
        return out

    def _position_view(self, pos: Position) -> Position:
        spec = self.contracts[pos.symbol]
        market = self.markets.get(pos.symbol)
        view = copy(pos)
        mark = market.mark_price if market is not None else pos.open_price_avg
        view.mark_price = mark
        view.unrealized_pl = (
            self._pnl(spec, pos.hold_side, pos.total, mark, pos.open_cost)
            if mark > 0
            else Decimal(0)
        )
        view.margin_size = self._margin_for(spec, pos.total, pos.open_price_avg, pos.leverage)
        view.frozen = self._close_frozen(pos.api_key, pos.symbol, pos.hold_side)
        inv_lev = Decimal(1) / pos.leverage
        mmr = pos.keep_margin_rate
        avg = pos.open_price_avg
        if spec.inverse:
            liq = (
                avg / (1 + inv_lev - mmr) if pos.hold_side == "long" else avg / (1 - inv_lev + mmr)
            )
        else:
            liq = (
                avg * (1 - inv_lev + mmr) if pos.hold_side == "long" else avg * (1 + inv_lev - mmr)
            )
        view.liquidation_price = (
            liq.quantize(Decimal(1).scaleb(-spec.price_place), ROUND_HALF_EVEN)
            if liq > 0
            else Decimal(0)
        )
        return view

    def history_positions(
        self,
        api_key: str,
        product_type: str,
        symbol: str | None = None,
        limit: int = 100,
    ) -> list[ClosedPosition]:
        """Fully closed positions, newest first."""
        self.account(api_key)
        pt = product_type.upper()
        rows = [
            r
            for r in self._closed.get(api_key, [])
            if r.product_type == pt and (symbol is None or r.symbol == symbol)
        ]
        return rows[::-1][:limit]

    def _coins_of(self, product_type: str) -> list[str]:
        return sorted({c.margin_coin for c in self.contracts_of(product_type)})

    def account_views(self, api_key: str, product_type: str) -> list[AccountView]:
        """``GET account/accounts``: one view per margin coin of the product type."""
        self.account(api_key)
        return [self.account_view(api_key, coin) for coin in self._coins_of(product_type)]

    def account_view(self, api_key: str, coin: str) -> AccountView:
        """One margin-coin account view."""
        acct = self.account(api_key)
        coin = coin.upper()
        balance = acct.balances.get(coin, Decimal(0))
        upl = crossed = isolated = Decimal(0)
        for (key, _, _), pos in self._positions.items():
            if key != api_key or pos.margin_coin != coin:
                continue
            view = self._position_view(pos)
            upl += view.unrealized_pl
            if pos.margin_mode == "isolated":
                isolated += view.margin_size
            else:
                crossed += view.margin_size
        locked = sum(
            (
                o.frozen_margin
                for o in self._open.values()
                if o.api_key == api_key and o.margin_coin == coin
            ),
            Decimal(0),
        )
        equity = balance + upl
        available = max(Decimal(0), equity - crossed - isolated - locked)
        return AccountView(
            margin_coin=coin,
            balance=balance,
            equity=equity,
            unrealized_pl=upl,
            locked=locked,
            position_margin=crossed + isolated,
            crossed_margin=crossed,
            isolated_margin=isolated,
            available=available,
            max_transfer_out=min(available, balance) if balance > 0 else Decimal(0),
        )

    def account_settings(self, api_key: str, symbol: str, product_type: str) -> AccountSettings:
        """``GET account/account`` settings part for ``symbol``."""
        acct = self.account(api_key)
        spec = self.contract(symbol, product_type)
        return AccountSettings(
            symbol=symbol,
            margin_coin=spec.margin_coin,
            margin_mode=acct.get_margin_mode(symbol),
            pos_mode=acct.get_pos_mode(spec.product_type),
            crossed_margin_leverage=acct.cross_leverage.get(symbol, 20),
            isolated_long_lever=acct.long_leverage.get(symbol, 20),
            isolated_short_lever=acct.short_leverage.get(symbol, 20),
        )

    def _plans_of(
        self, api_key: str, pt: str, plan_type: str, symbol: str | None
    ) -> list[PlanOrder]:
        types = ("profit_plan", "loss_plan") if plan_type == "profit_loss" else (plan_type,)
        return [
            p
            for p in self._plans.values()
            if p.api_key == api_key
            and p.product_type == pt.upper()
            and p.plan_type in types
            and (symbol is None or p.symbol == symbol)
        ]

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
        self.account(api_key)
        rows = [
            p
            for p in self._plans_of(api_key, product_type, plan_type, symbol)
            if p.status == "live"
            and (order_id is None or p.order_id == order_id)
            and (client_oid is None or p.client_oid == client_oid)
        ]
        return self._page(rows, "order_id", id_less_than, None, None, limit)

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
        self.account(api_key)
        rows = [
            p
            for p in self._plans_of(api_key, product_type, plan_type, symbol)
            if p.status in ("executed", "fail_execute", "cancelled")
            and (plan_status is None or p.status == plan_status)
        ]
        return self._page(rows, "order_id", id_less_than, None, None, limit)

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
        self.account(api_key)
        pt = product_type.upper()
        rows = [
            b
            for b in self._bills.get(api_key, [])
            if b.product_type == pt
            and (business_type is None or b.business_type == business_type)
            and (symbol is None or b.symbol == symbol)
        ]
        return self._page(rows, "bill_id", id_less_than, start_ms, end_ms, limit)

    # -- market accessors -----------------------------------------------------------------------
    def book(self, symbol: str, depth: int | None = None) -> tuple[list[Level], list[Level]]:
        """Return the generated book ``(bids desc, asks asc)`` as wire strings."""
        return self._market(symbol).book(depth)

    def book_snapshot(self, symbol: str, depth: int | None = None) -> BookChanged:
        """Return a snapshot message: the full book (or ``depth``) with ``seq`` = current seq
        and ``pseq`` = 0 (bitget-api.md 6.1), so the next update's pseq equals this seq."""
        return self._market(symbol).snapshot(depth)

    def _open_interest_lots(self, market: MarketState) -> int:
        spec = market.contract
        user = sum(
            (
                p.total
                for p in self._positions.values()
                if p.symbol == market.symbol and p.hold_side == "long"
            ),
            Decimal(0),
        )
        return market.generated_oi_lots + int(user / spec.size_multiplier)

    def ticker(self, symbol: str) -> Ticker:
        """Return the current ticker (wire strings)."""
        market = self._market(symbol)
        return market.ticker(max(market.ts, 0), self._open_interest_lots(market))

    def recent_trades(self, symbol: str, limit: int = 100) -> list[PublicTrade]:
        """Return recent public trades, newest first."""
        trades = self._market(symbol).trades
        return list(reversed(trades))[:limit]

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
        market = self._market(symbol)
        if granularity not in INTERVALS:
            raise SimError(ERR_PARAM_ERROR, "Parameter granularity error")
        del kline_type  # mark / index candles are approximated by trade candles
        return market.candle_rows(granularity, start_ms, end_ms, limit)

    def funding(self, symbol: str) -> FundingInfo:
        """Return the current funding rate and next funding time."""
        market = self._market(symbol)
        return FundingInfo(
            symbol=symbol,
            funding_rate=market.rate_str(),
            next_funding_time=market.next_funding_time,
            interval_hours=market.contract.fund_interval_hours,
            min_funding_rate="-0.003",
            max_funding_rate="0.003",
        )

    def funding_history(self, symbol: str) -> list[tuple[str, int]]:
        """Return past ``(fundingRate, fundingTime)`` settlements, newest first."""
        market = self._market(symbol)
        return [(f"{r:f}", t) for r, t in reversed(market.funding_history)]

    def open_interest(self, symbol: str) -> str:
        """Return the open interest (base coin, wire string)."""
        market = self._market(symbol)
        return market.contract.size_str(self._open_interest_lots(market))

    # -- time -----------------------------------------------------------------------------------
    def step(self, now_ms: int | None = None) -> int:
        """Advance to ``now_ms``: emit due book messages, trigger plans, settle funding."""
        now = self.now_ms() if now_ms is None else now_ms
        produced = 0
        for symbol, market in self.markets.items():
            due = int((now - self._gen_start[symbol]) * self.book_rate_hz / 1000)
            n = due - self._gen_count[symbol]
            if n > _MAX_CATCHUP_MESSAGES:
                self._gen_count[symbol] = due - _MAX_CATCHUP_MESSAGES
                n = _MAX_CATCHUP_MESSAGES
            for _ in range(max(n, 0)):
                self._gen_count[symbol] += 1
                self.generate(symbol, now)
                produced += 1
            while now >= market.next_funding_time:
                self._settle(market, market.next_funding_time, market.funding_rate)
        return produced

    def generate(self, symbol: str, now_ms: int) -> BookChanged | None:
        """Generate one book message for ``symbol`` now (with its trades and user fills)."""
        market = self.markets[symbol]
        msg, trades = market.step(now_ms)
        if msg is not None:
            self._emit(msg)
        if trades:
            self._emit(Trades(symbol, market.product_type, trades))
            self._emit(CandleUpdated(symbol, market.product_type, now_ms))
        self._fill_resting(market, now_ms)
        self._emit(TickerChanged(symbol, market.product_type, now_ms))
        self._check_plans(market, now_ms)
        return msg

    def set_mark_price(self, symbol: str, price: Decimal | str) -> None:
        """Test helper: set the mark price and re-evaluate plans / PnL."""
        market = self._market(symbol)
        market.set_mark(Decimal(str(price)))
        now = self.now_ms()
        self._emit(TickerChanged(symbol, market.product_type, now))
        self._check_plans(market, now)

    def set_last_price(self, symbol: str, price: Decimal | str) -> None:
        """Test helper: set the last price and re-evaluate ``fill_price`` plans."""
        market = self._market(symbol)
        ticks = market.contract.to_ticks(Decimal(str(price)))
        if ticks is None:
            raise ValueError(f"price {price} is not a multiple of the tick")
        market.last_ticks = ticks
        now = self.now_ms()
        self._emit(TickerChanged(symbol, market.product_type, now))
        self._check_plans(market, now)

    def set_book(
        self,
        symbol: str,
        bids: list[tuple[str, str]],
        asks: list[tuple[str, str]],
    ) -> None:
        """Test helper: replace the generated book (emits a BookChanged with the difference)."""
        market = self._market(symbol)
        spec = market.contract

        def conv(levels: list[tuple[str, str]]) -> list[tuple[int, int]]:
            out = []
            for p, s in levels:
                t, q = spec.to_ticks(Decimal(p)), spec.to_lots(Decimal(s))
                if t is None or q is None:
                    raise ValueError(f"level {p}/{s} off the tick or size grid")
                out.append((t, q))
            return out

        market.set_levels(conv(bids), conv(asks))
        now = self.now_ms()
        msg = market.flush(now)
        if msg is not None:
            self._emit(msg)
        self._fill_resting_cross_only(market, now)

    def external_trade(self, symbol: str, side: str, size: Decimal | str) -> list[PublicTrade]:
        """
        Test helper: an "other trader" taker order of ``size`` (``side`` buy | sell) sweeps the
        generated book now; resting user orders it trades through are filled (maker).
        """
        market = self._market(symbol)
        spec = market.contract
        lots = spec.to_lots(Decimal(str(size)))
        if lots is None or side not in ("buy", "sell"):
            raise ValueError("bad external trade")
        now = self.now_ms()
        trades = []
        market.last_gen_trades = []
        for ticks, n in market.take(side, None, lots):
            market.last_gen_trades.append((ticks, n, side))
            trades.append(market.print_trade(ticks, n, side, now))
        msg = market.flush(now)
        if msg is not None:
            self._emit(msg)
        if trades:
            self._emit(Trades(symbol, market.product_type, trades))
            self._emit(CandleUpdated(symbol, market.product_type, now))
        self._fill_resting(market, now)
        market.last_gen_trades = []
        self._emit(TickerChanged(symbol, market.product_type, now))
        self._check_plans(market, now)
        return trades

    def apply_external(
        self,
        symbol: str,
        levels: list[tuple[bool, int, int]],
        trades: list[tuple[int, int, str]],
        ts: int,
        *,
        clear: bool = False,
    ) -> None:
        """
        Drive the market from outside (replay): apply ``levels`` ``(is_bid, ticks, lots)`` as
        one book message (after an optional ``clear``), print ``trades`` ``(ticks, lots, side)``,
        then fill resting user orders and check plans, as a generated step would.
        """
        market = self._market(symbol)
        if clear:
            market.clear()
        for is_bid, ticks, lots in levels:
            market.apply_level(is_bid, ticks, lots)
        msg = market.flush(ts)
        if msg is not None:
            self._emit(msg)
        printed = [market.print_trade(t, n, side, ts) for t, n, side in trades]
        if printed:
            self._emit(Trades(symbol, market.product_type, printed))
            self._emit(CandleUpdated(symbol, market.product_type, ts))
        market.last_gen_trades = list(trades)
        self._fill_resting(market, ts)
        market.last_gen_trades = []
        self._emit(TickerChanged(symbol, market.product_type, ts))
        self._check_plans(market, ts)

    def _fill_resting_cross_only(self, market: MarketState, now: int) -> None:
        saved = market.last_gen_trades
        market.last_gen_trades = []
        try:
            self._fill_resting(market, now)
        finally:
            market.last_gen_trades = saved

    def settle_funding(self, symbol: str, rate: Decimal | str | None = None) -> None:
        """Settle funding for ``symbol`` now (optionally with ``rate``); advance next time."""
        market = self._market(symbol)
        r = market.funding_rate if rate is None else Decimal(str(rate))
        self._settle(market, self.now_ms(), r)

    def _settle(self, market: MarketState, ts: int, rate: Decimal) -> None:
        spec = market.contract
        mark = market.mark_price
        payments: list[tuple[str, str, Decimal]] = []
        touched: set[str] = set()
        for pos in list(self._positions.values()):
            if pos.symbol != market.symbol:
                continue
            # linear: value = size * mark (quote); inverse (size in base coin): value = size (BTC)
            value = pos.total if spec.inverse else pos.total * mark
            amount = -value * rate if pos.hold_side == "long" else value * rate
            acct = self.accounts[pos.api_key]
            balance = acct.balances.get(pos.margin_coin, Decimal(0)) + amount
            acct.balances[pos.margin_coin] = balance
            pos.total_fee += amount
            self._bills.setdefault(pos.api_key, []).append(
                Bill(
                    self._new_id(),
                    pos.api_key,
                    pos.symbol,
                    pos.product_type,
                    pos.margin_coin,
                    "contract_settle_fee",
                    amount,
                    Decimal(0),
                    balance,
                    ts,
                )
            )
            payments.append((pos.api_key, pos.hold_side, amount))
            touched.add(pos.api_key)
        market.funding_history.append((rate, ts))
        market.next_funding_time = (ts // market.interval_ms + 1) * market.interval_ms
        for key in sorted(touched):
            self._emit(PositionsChanged(key, market.product_type))
            self._emit(AccountChanged(key, market.product_type, spec.margin_coin))
        self._emit(FundingSettled(market.symbol, market.product_type, rate, ts, payments))
