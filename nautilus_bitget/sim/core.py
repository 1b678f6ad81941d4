"""
Shared state and plumbing of :class:`~nautilus_bitget.sim.exchange.SimExchange`.

``ExchangeCore`` declares the state every part of the exchange works on (created by
``SimExchange.__init__``) and owns listeners, the clock, ids, contract lookup and the bill
ledger. The behaviour lives in the mixins (:mod:`.accounts`, :mod:`.orders`, :mod:`.matching`,
:mod:`.positions`, :mod:`.plans`, :mod:`.queries`, :mod:`.feed`, :mod:`.funding`); each
reaches the others only through ``self``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING
from typing import Any

from nautilus_bitget.sim.contracts import ContractSpec
from nautilus_bitget.sim.errors import ERR_MAINTAIN
from nautilus_bitget.sim.errors import ERR_NOT_EXIST
from nautilus_bitget.sim.errors import SimError
from nautilus_bitget.sim.events import AccountView
from nautilus_bitget.sim.events import Bill
from nautilus_bitget.sim.events import BookChanged
from nautilus_bitget.sim.events import ClosedPosition
from nautilus_bitget.sim.events import Fill
from nautilus_bitget.sim.events import Order
from nautilus_bitget.sim.events import PlanOrder
from nautilus_bitget.sim.events import Position
from nautilus_bitget.sim.events import PublicTrade
from nautilus_bitget.sim.market import MarketState
from nautilus_bitget.sim.records import OrderHead
from nautilus_bitget.sim.records import SimAccount


_log = logging.getLogger("nautilus_bitget.sim.exchange")

Listener = Callable[[Any], None]


class ExchangeCore:
    """State, listeners, clock, ids and contract lookup shared by the exchange mixins."""

    contracts: dict[str, ContractSpec]
    markets: dict[str, MarketState]  # tradable symbols only
    accounts: dict[str, SimAccount]
    book_rate_hz: float
    seed: int
    _clock: Callable[[], int]
    _listeners: list[Listener]
    _orders: dict[str, Order]  # all orders by id (insertion = time order)
    _open: dict[str, Order]  # open orders by id
    _resting: dict[str, list[Order]]  # user book per symbol
    _positions: dict[tuple[str, str, str], Position]  # (key, symbol, holdSide)
    _fills: dict[str, list[Fill]]
    _bills: dict[str, list[Bill]]
    _closed: dict[str, list[ClosedPosition]]
    _plans: dict[str, PlanOrder]
    _id: int
    _order_seq: int
    _order_rank: dict[str, int]  # order id -> time priority
    _queue_ahead: dict[str, int]  # resting order id -> generated lots ahead of it

    if TYPE_CHECKING:
        # The mixins reach their siblings through ``self``; these are the methods they share,
        # each implemented by exactly one mixin (the group it is listed under)

        # accounts
        def account(self, api_key: str) -> SimAccount: ...
        def account_view(self, api_key: str, coin: str) -> AccountView: ...
        def _leverage(
            self, acct: SimAccount, symbol: str, pos_side: str, direction: str
        ) -> int: ...

        # orders
        def _head(self, body: Mapping[str, Any]) -> OrderHead: ...
        def _shape(
            self,
            acct: SimAccount,
            spec: ContractSpec,
            side: str,
            trade_side: str | None,
            reduce_only_raw: Any,
        ) -> tuple[str, str | None, str, str, bool]: ...
        def _place(
            self,
            acct: SimAccount,
            body: Mapping[str, Any],
            *,
            source: str = "normal",
            closing: bool = False,
        ) -> Order: ...
        def _find(
            self, api_key: str, symbol: str | None, order_id: str | None, client_oid: str | None
        ) -> Order | None: ...
        def _cancel(self, order: Order, now: int, reason: str = "normal_cancel") -> None: ...
        def _unlist(self, order: Order) -> None: ...
        def _validate_client_oid(
            self, api_key: str, oid: str | None, *, plans: bool = False
        ) -> str: ...
        def _validate_size(
            self, spec: ContractSpec, raw: str, *, market: bool, closing: bool = False
        ) -> tuple[Decimal, int]: ...
        def _validate_price(
            self, spec: ContractSpec, raw: str, key: str = "price"
        ) -> tuple[Decimal, int]: ...
        def _optional_price(self, spec: ContractSpec, body: Mapping[str, Any], key: str) -> Any: ...

        # matching
        def _publish(
            self, market: MarketState, msg: BookChanged | None, trades: list[PublicTrade], now: int
        ) -> None: ...
        def _match_new(
            self, order: Order, market: MarketState, lots: int, limit_ticks: int | None, now: int
        ) -> None: ...
        def _fill_resting(self, market: MarketState, now: int) -> None: ...
        def _fill_resting_cross_only(self, market: MarketState, now: int) -> None: ...

        # positions
        def _apply_fill(
            self,
            order: Order,
            spec: ContractSpec,
            ticks: int,
            lots: int,
            scope: str,
            trade_id: str,
            now: int,
        ) -> None: ...
        def _closable(
            self, api_key: str, symbol: str, hold_side: str
        ) -> tuple[Position | None, Decimal]: ...
        def _position_view(self, pos: Position) -> Position: ...
        def _open_interest_lots(self, market: MarketState) -> int: ...

        # plans
        def _attach_presets(self, order: Order, now: int) -> None: ...
        def _cancel_position_plans(
            self, api_key: str, symbol: str, hold_side: str, now: int
        ) -> None: ...
        def _check_plans(self, market: MarketState, now: int) -> None: ...
        def _finish_plan(
            self, plan: PlanOrder, status: str, now: int, reason: str = ""
        ) -> None: ...

        # tpsl
        def _trail_hit(self, plan: PlanOrder, ref: Decimal) -> bool: ...

        # funding
        def _settle(self, market: MarketState, ts: int, rate: Decimal) -> None: ...

    # -- plumbing -------------------------------------------------------------------------------
    def add_listener(self, callback: Listener) -> None:
        """Register ``callback(event)``, called synchronously for every event."""
        self._listeners.append(callback)

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

    # -- contracts ------------------------------------------------------------------------------
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

    # -- ledger ---------------------------------------------------------------------------------
    def _add_bill(
        self,
        api_key: str,
        symbol: str,
        product_type: str,
        coin: str,
        business: str,
        amount: Decimal,
        fee: Decimal,
        balance: Decimal,
        ts: int,
    ) -> None:
        bill = Bill(
            self._new_id(), api_key, symbol, product_type, coin, business, amount, fee, balance, ts
        )
        self._bills.setdefault(api_key, []).append(bill)
