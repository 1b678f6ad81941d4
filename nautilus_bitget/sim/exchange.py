"""
The simulated Bitget exchange: the truth behind the simulator's REST and WebSocket layer.

API (all synchronous, single-threaded; call from the event loop thread)
------------------------------------------------------------------------
``ex = SimExchange(contracts=None, symbols=None, seed=7, clock=None, book_rate_hz=10.0,
funding_interval_ms=None, book_levels=200, default_account=True, account_mode="classic",
history_days=0.0)`` (``history_days``: seeded market history before now, history.py)

- ``ex.contracts`` (symbol -> ContractSpec, all listed), ``ex.markets`` (symbol -> MarketState,
  tradable symbols only), ``ex.contract(symbol, product_type=None)`` raises ``SimError(40034)``.
- Accounts: ``create_account(api_key, secret, passphrase, uta=False, balances=None)``,
  ``account(api_key)`` -> SimAccount (``None``-safe: ``find_account``). A default account
  ``sim-key/sim-secret/sim-pass`` (100000 USDT, 100000 USDC, 10 BTC) exists unless disabled.
- Commands take the documented request body (a JSON-decoded dict with Bitget's camelCase keys)
  and raise :class:`SimError` (``code``, ``msg``) on rejection (bitget-protocol.md 8.2):
  ``place_order``, ``batch_place_orders``, ``modify_order``, ``cancel_order``,
  ``batch_cancel_orders``, ``cancel_all_orders``, ``close_positions``, ``place_plan_order``,
  ``modify_plan_order``, ``cancel_plan_order``, ``place_tpsl_order``, ``place_pos_tpsl``,
  ``modify_tpsl_order``, ``set_leverage``, ``set_margin_mode``,
  ``set_position_mode``.
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

Layout
------
``SimExchange`` composes one mixin per concern over the shared state of :mod:`.core`:
:mod:`.accounts` (accounts, balances, settings), :mod:`.orders` (order commands and
validation), :mod:`.matching` (taker matching, the user book, maker fills), :mod:`.positions`
(fills, positions, PnL, close-positions), :mod:`.plans` (plan and TP/SL orders),
:mod:`.queries` (order / fill / bill ledgers), :mod:`.feed` (market views, time, drivers) and
:mod:`.funding`. Rejections live in :mod:`.errors`, money arithmetic in :mod:`.money`.

Model notes
-----------
- Prices are integer ticks and sizes integer lots inside the matching engine; money is Decimal.
- Linear (USDT/USDC): notional = size * price (quote); PnL long = size * (exit - entry);
  fee = notional * rate; margin = notional / leverage.
- Inverse (COIN-M, size in base coin, bitget-protocol.md 9.1): the USD face value is size * price,
so
  PnL long = size * (exit - entry) / exit in BTC (== face * (1/entry - 1/exit)); fee = size *
  rate (BTC); margin = size / leverage; with base-coin sizes the size-weighted arithmetic
  average entry is exact. Inverse money is rounded half-even to 8 decimals.
- User resting orders are NOT shown in the public book. They fill (maker, at their own price)
  (a) when a generated taker trade prints strictly through their price (up to that trade's
  size, price-time priority among user orders), or (b) fully, when the generated book's
  opposite best price moves across them. User taker orders consume generated levels only.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from collections.abc import Mapping

from nautilus_bitget.constants import SIM_API_KEY
from nautilus_bitget.constants import SIM_API_PASSPHRASE
from nautilus_bitget.constants import SIM_API_SECRET
from nautilus_bitget.sim.accounts import AccountsMixin
from nautilus_bitget.sim.contracts import DEFAULT_SYMBOLS
from nautilus_bitget.sim.contracts import ContractSpec
from nautilus_bitget.sim.contracts import default_contracts
from nautilus_bitget.sim.core import Listener
from nautilus_bitget.sim.errors import SimError
from nautilus_bitget.sim.events import AccountChanged
from nautilus_bitget.sim.events import AccountView
from nautilus_bitget.sim.events import Bill
from nautilus_bitget.sim.events import BookChanged
from nautilus_bitget.sim.events import CandleUpdated
from nautilus_bitget.sim.events import ClosedPosition
from nautilus_bitget.sim.events import Fill
from nautilus_bitget.sim.events import FillEvent
from nautilus_bitget.sim.events import FundingSettled
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
from nautilus_bitget.sim.feed import FeedMixin
from nautilus_bitget.sim.funding import FundingMixin
from nautilus_bitget.sim.history import seed_history
from nautilus_bitget.sim.market import MarketState
from nautilus_bitget.sim.matching import MatchingMixin
from nautilus_bitget.sim.orders import OrdersMixin
from nautilus_bitget.sim.plans import PlansMixin
from nautilus_bitget.sim.positions import PositionsMixin
from nautilus_bitget.sim.queries import QueriesMixin
from nautilus_bitget.sim.records import AccountSettings
from nautilus_bitget.sim.records import BatchResult
from nautilus_bitget.sim.records import FundingInfo
from nautilus_bitget.sim.records import SimAccount
from nautilus_bitget.sim.tpsl import TpslMixin


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


def _wall_ms() -> int:
    return time.time_ns() // 1_000_000


class SimExchange(
    AccountsMixin,
    OrdersMixin,
    MatchingMixin,
    PositionsMixin,
    PlansMixin,
    TpslMixin,
    QueriesMixin,
    FeedMixin,
    FundingMixin,
):
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
        history_days: float = 0.0,
    ) -> None:
        self.contracts = dict(contracts or default_contracts())
        self.seed = seed
        self._clock = clock or _wall_ms
        self.book_rate_hz = book_rate_hz
        now = self._clock()
        if symbols is None:
            symbols = [s for s in DEFAULT_SYMBOLS if s in self.contracts]
        self.markets = {}
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
            # --history-days: candles, trades and funding before now (history.py)
            seed_history(self.markets[sym], seed, now, history_days)
        self._gen_start = dict.fromkeys(self.markets, now)
        self._gen_count = dict.fromkeys(self.markets, 0)
        self._gen_rate = {}
        self._listeners: list[Listener] = []
        self.accounts = {}
        self._orders = {}
        self._open = {}
        self._resting = {s: [] for s in self.markets}
        self._queue_ahead = {}
        self._positions = {}
        self._fills = {}
        self._bills = {}
        self._closed = {}
        self._plans = {}
        self._id = 1_200_000_000_000_000_000 + (seed % 1000) * 1_000_000_000
        self._order_seq = 0
        self._order_rank = {}
        if default_account:
            self.create_account(
                SIM_API_KEY,
                SIM_API_SECRET,
                SIM_API_PASSPHRASE,
                uta=account_mode == "uta",
            )
