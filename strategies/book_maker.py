"""
Post-only market maker around a book-imbalance fair value, with inventory limits.

Driven by L2 order book deltas (``subscribe_order_book_deltas``): on every book update it computes

    fair = mid + imbalance * imbalance_weight * (ask - bid) / 2 - skew(inventory)

with ``imbalance = (bid_vol - ask_vol) / (bid_vol + ask_vol)`` over the top ``imbalance_levels``
levels, then keeps one post-only bid and one post-only ask ``half_spread_ticks`` away from it.
Working quotes are moved with ``modify_order`` when the wanted price drifts ``requote_ticks`` or
more (a partly filled quote is cancelled instead, and requoted once the cancel is confirmed); a side
is cancelled when inventory reaches ``max_inventory``, and inventory beyond the limit is reduced
with a reduce-only market order. All timing uses book timestamps (``ts_event``), never wall time,
so backtest and live decide alike.

Each book update is decided on the maker fills stamped (``ts_event``) *before* the update: a quote
filled at the same venue instant as the update is left to the next update. Public and private
pushes travel on separate sockets with no documented order between them (bitget-protocol.md 9.8):
live, such a fill reaches the node just before or just after the book update, from run to run; a
backtest applies the fills a data point causes before handing that data point to the strategy.
Deciding on the fills stamped before the update makes all three decide alike.
"""

from __future__ import annotations

from decimal import ROUND_CEILING
from decimal import ROUND_FLOOR
from decimal import Decimal
from typing import Any

from nautilus_trader.config import NonNegativeInt
from nautilus_trader.config import PositiveInt
from nautilus_trader.config import StrategyConfig
from nautilus_trader.model.book import OrderBook
from nautilus_trader.model.data import OrderBookDeltas
from nautilus_trader.model.enums import BookType
from nautilus_trader.model.enums import LiquiditySide
from nautilus_trader.model.enums import OrderSide
from nautilus_trader.model.enums import OrderStatus
from nautilus_trader.model.enums import TimeInForce
from nautilus_trader.model.enums import book_type_from_str
from nautilus_trader.model.events import OrderFilled
from nautilus_trader.model.identifiers import ClientOrderId
from nautilus_trader.model.identifiers import InstrumentId
from nautilus_trader.model.instruments import Instrument
from nautilus_trader.model.orders import Order
from nautilus_trader.trading.strategy import Strategy

from strategies.sizing import floor_qty


_WORKING = (OrderStatus.ACCEPTED, OrderStatus.PARTIALLY_FILLED)


class BookMakerConfig(StrategyConfig, frozen=True):
    """
    Configuration for ``BookMaker``.

    Parameters
    ----------
    instrument_id : InstrumentId
        The quoted instrument.
    book_type : str, default "L2_MBP"
        Book subscription type.
    imbalance_levels : int, default 5
        Levels per side in the imbalance.
    imbalance_weight : Decimal, default 0.5
        Fair value shift per unit imbalance, in half spreads.
    quote_size : Decimal, default 0.01
        Size of each quote (instrument units; floored to the size increment, at least the minimum).
    half_spread_ticks : int, default 2
        Distance of each quote from the fair value, in ticks.
    requote_ticks : int, default 2
        Modify a working quote when the wanted price differs by at least this many ticks.
    min_requote_interval_ms : int, default 200
        Minimum book time between two modifications of the same quote.
    max_inventory : Decimal, default 0.05
        Absolute position at which the side that would add to it stops quoting.
    inventory_skew_ticks : int, default 2
        Fair value shift (ticks) at full inventory, against the position.
    close_positions_on_stop : bool, default True
        Cancel quotes and flatten when the strategy stops.
    order_params : dict, optional
        Venue-specific params passed with every submitted order.

    """

    instrument_id: InstrumentId
    book_type: str = "L2_MBP"
    imbalance_levels: PositiveInt = 5
    imbalance_weight: Decimal = Decimal("0.5")
    quote_size: Decimal = Decimal("0.01")
    half_spread_ticks: PositiveInt = 2
    requote_ticks: PositiveInt = 2
    min_requote_interval_ms: NonNegativeInt = 200
    max_inventory: Decimal = Decimal("0.05")
    inventory_skew_ticks: NonNegativeInt = 2
    close_positions_on_stop: bool = True
    order_params: dict[str, Any] | None = None

    def __post_init__(self) -> None:
        book_type_from_str(self.book_type)  # raises on an unknown book type
        if Decimal(str(self.quote_size)) <= 0:
            raise ValueError("BookMakerConfig.quote_size must be > 0")
        if Decimal(str(self.max_inventory)) <= 0:
            raise ValueError("BookMakerConfig.max_inventory must be > 0")


class BookMaker(Strategy):
    """
    Quote both sides post-only around an imbalance fair value.

    Parameters
    ----------
    config : BookMakerConfig
        The configuration.

    """

    def __init__(self, config: BookMakerConfig) -> None:
        super().__init__(config)
        self.instrument: Instrument  # loaded on start
        self.book_updates = 0
        self.quotes_submitted = 0
        self.modifies = 0
        self.cancels = 0
        self.reductions = 0
        self._quote_ids: dict[OrderSide, ClientOrderId | None] = {
            OrderSide.BUY: None,
            OrderSide.SELL: None,
        }
        self._last_modify_ns: dict[OrderSide, int] = {OrderSide.BUY: 0, OrderSide.SELL: 0}
        self._reducer_id: ClientOrderId | None = None
        # (fill ts_event, signed qty) of fills not older than the book update being decided
        self._recent_fills: list[tuple[int, Decimal]] = []
        self._book_ns = 0  # ts_event of the book update being decided

    def on_start(self) -> None:
        """Subscribe to the L2 order book deltas."""
        instrument = self.cache.instrument(self.config.instrument_id)
        if instrument is None:
            self.log.error(f"Instrument {self.config.instrument_id} not found in the cache")
            self.stop()
            return
        self.instrument = instrument
        self.subscribe_order_book_deltas(
            self.config.instrument_id,
            book_type=book_type_from_str(self.config.book_type),
        )

    def on_order_book_deltas(self, deltas: OrderBookDeltas) -> None:
        """Re-evaluate quotes after every book update."""
        self.book_updates += 1
        book = self.cache.order_book(self.config.instrument_id)
        if book is None or (book.book_type == BookType.L1_MBP and book.update_count == 0):
            return
        bid, ask = book.best_bid_price(), book.best_ask_price()
        if bid is None or ask is None or bid >= ask:
            return
        self._book_ns = deltas.ts_event
        self._recent_fills = [f for f in self._recent_fills if f[0] >= deltas.ts_event]
        self._update_quotes(book, bid.as_decimal(), ask.as_decimal(), deltas.ts_event)

    def on_order_filled(self, event: OrderFilled) -> None:
        """Remember each maker fill's venue time (see the module docstring)."""
        if event.liquidity_side != LiquiditySide.MAKER:
            return  # a taker fill answers our own order: counted once it is known
        qty = event.last_qty.as_decimal()
        self._recent_fills.append(
            (event.ts_event, qty if event.order_side == OrderSide.BUY else -qty),
        )

    # -- quoting --------------------------------------------------------------------------------

    def fair_value(
        self, book: OrderBook, bid: Decimal, ask: Decimal, inventory: Decimal
    ) -> Decimal:
        """Return the imbalance- and inventory-adjusted fair value."""
        n = self.config.imbalance_levels
        bid_vol = sum((lvl.size() for lvl in book.bids()[:n]), 0.0)
        ask_vol = sum((lvl.size() for lvl in book.asks()[:n]), 0.0)
        total = bid_vol + ask_vol
        imbalance = Decimal(str(round((bid_vol - ask_vol) / total, 6))) if total > 0 else Decimal(0)
        weight = Decimal(str(self.config.imbalance_weight))
        tick = self.instrument.price_increment.as_decimal()
        max_inv = Decimal(str(self.config.max_inventory))
        skew = inventory / max_inv * self.config.inventory_skew_ticks * tick
        return (bid + ask) / 2 + imbalance * weight * (ask - bid) / 2 - skew

    def _update_quotes(self, book: OrderBook, bid: Decimal, ask: Decimal, ts: int) -> None:
        inventory = self._net_qty() - sum(
            (q for t, q in self._recent_fills if t >= self._book_ns), Decimal(0)
        )
        max_inv = Decimal(str(self.config.max_inventory))
        tick = self.instrument.price_increment.as_decimal()
        fair = self.fair_value(book, bid, ask, inventory)
        offset = self.config.half_spread_ticks * tick
        # post-only: never at or through the opposite touch
        want_bid = min(_to_tick(fair - offset, tick, ROUND_FLOOR), ask - tick)
        want_ask = max(_to_tick(fair + offset, tick, ROUND_CEILING), bid + tick)
        self._quote_side(OrderSide.BUY, want_bid, allowed=inventory < max_inv, ts=ts)
        self._quote_side(OrderSide.SELL, want_ask, allowed=inventory > -max_inv, ts=ts)
        if abs(inventory) > max_inv:
            self._reduce(inventory, max_inv, ts)

    def _quote_side(self, side: OrderSide, price: Decimal, allowed: bool, ts: int) -> None:
        if self._filled_at_or_after_book(self._quote_ids[side]):
            return  # filled at this update's instant: decide on the next update
        order = self._live_order(self._quote_ids[side])
        if order is None:
            self._quote_ids[side] = None
            if allowed:
                self._submit_quote(side, price, ts)
            return
        if order.status not in _WORKING or order.is_pending_update or order.is_pending_cancel:
            return  # in flight: decide again on a later book update
        if not allowed:
            self.cancels += 1
            self.cancel_order(order)
            return
        tick = self.instrument.price_increment.as_decimal()
        drift = abs(order.price.as_decimal() - price)
        min_gap_ns = self.config.min_requote_interval_ms * 1_000_000
        if (
            drift >= self.config.requote_ticks * tick
            and ts - self._last_modify_ns[side] >= min_gap_ns
        ):
            self._last_modify_ns[side] = ts
            if order.status == OrderStatus.PARTIALLY_FILLED:
                # Bitget modifies only unfilled orders (bitget-protocol.md 5.7): replace it
                self.cancels += 1
                self.cancel_order(order)
                return
            self.modifies += 1
            self.modify_order(order, price=self.instrument.make_price(price))

    def _submit_quote(self, side: OrderSide, price: Decimal, ts: int) -> None:
        order = self.order_factory.limit(
            instrument_id=self.config.instrument_id,
            order_side=side,
            quantity=floor_qty(self.instrument, Decimal(str(self.config.quote_size))),
            price=self.instrument.make_price(price),
            time_in_force=TimeInForce.GTC,
            post_only=True,
            tags=[f"decision={ts}", "quote"],
        )
        self._quote_ids[side] = order.client_order_id
        self._last_modify_ns[side] = ts
        self.quotes_submitted += 1
        self.submit_order(order, params=self._params())

    def _reduce(self, inventory: Decimal, max_inv: Decimal, ts: int) -> None:
        if self._live_order(self._reducer_id) is not None:
            return
        excess = abs(inventory) - max_inv / 2  # back to half the limit
        order = self.order_factory.market(
            instrument_id=self.config.instrument_id,
            order_side=OrderSide.SELL if inventory > 0 else OrderSide.BUY,
            quantity=floor_qty(self.instrument, min(excess, abs(inventory))),
            reduce_only=True,
            tags=[f"decision={ts}", "reduce"],
        )
        self._reducer_id = order.client_order_id
        self.reductions += 1
        self.submit_order(order, params=self._params())

    def _filled_at_or_after_book(self, client_order_id: ClientOrderId | None) -> bool:
        if client_order_id is None:
            return False
        order = self.cache.order(client_order_id)
        if order is None or order.status != OrderStatus.FILLED:
            return False
        return order.last_event.ts_event >= self._book_ns

    def _live_order(self, client_order_id: ClientOrderId | None) -> Order | None:
        if client_order_id is None:
            return None
        order = self.cache.order(client_order_id)
        if order is None or order.is_closed:
            return None
        return order

    def _net_qty(self) -> Decimal:
        return sum(
            (
                Decimal(str(p.signed_qty))
                for p in self.cache.positions_open(
                    instrument_id=self.config.instrument_id,
                    strategy_id=self.id,
                )
            ),
            Decimal(0),
        )

    def _params(self) -> dict[str, Any] | None:
        return dict(self.config.order_params) if self.config.order_params else None

    def on_stop(self) -> None:
        """Cancel quotes and flatten (``close_positions_on_stop``); log the activity counters."""
        self.log.info(
            f"BookMaker: {self.book_updates} book updates, {self.quotes_submitted} quotes, "
            f"{self.modifies} modifies, {self.cancels} cancels, {self.reductions} reductions",
        )
        self.cancel_all_orders(self.config.instrument_id)
        if self.config.close_positions_on_stop:
            self.close_all_positions(self.config.instrument_id, tags=["on_stop"], reduce_only=True)

    def on_reset(self) -> None:
        """Forget working orders between backtest runs."""
        self._quote_ids = {OrderSide.BUY: None, OrderSide.SELL: None}
        self._last_modify_ns = {OrderSide.BUY: 0, OrderSide.SELL: 0}
        self._reducer_id = None
        self._recent_fills = []
        self._book_ns = 0
        self.book_updates = self.quotes_submitted = self.modifies = 0
        self.cancels = self.reductions = 0


def _to_tick(price: Decimal, tick: Decimal, rounding: str) -> Decimal:
    return (price / tick).to_integral_value(rounding=rounding) * tick
