"""
Price-time queue fills for resting orders, as the venue and its simulator match them.

This is the ``queue`` fill model. NautilusTrader 1.231's own queue tracking
(``BacktestVenueConfig.queue_position``, the ``nautilus-queue`` model) takes the size ahead of an
order from its level when the order arrives and reduces it only by trades at the order's price: a
level that shrinks (cancellations) never moves the order up, and while size is counted ahead a
trade *through* the price does not fill it. Under price-time priority (bitget-protocol.md 9.8) the
size ahead can never exceed the level's size, and a trade through the price has taken the whole
level. ``QueuePositions`` keeps the queue position that way:

- an order arriving at (or moved to) a price has the level's size there ahead of it;
- a trade at the order's price consumes the size ahead first; the rest of the trade may fill it;
- a trade through the order's price fills it up to the trade's size;
- the size ahead is capped at the level's size once the trades of a book message are applied.

So the trades of one venue instant fill the same whatever order they are replayed in (a sweep's
prints share one receive time, and the backtest's data order among equal times is not the
venue's).

The last point is about order: the venue matches a taker, then publishes the book message showing
the level without what the taker took, then the trade (``books`` and ``trade`` are separate
pushes of the same match, bitget-protocol.md 9.8). Capping the size ahead as soon as the book
message arrives would count that taker twice (once as the level shrinking, once as the trade), so
the cap of a book message waits until the trades stamped with the same venue time (``ts_event``)
have been applied. The book itself crossing the order fills it as Nautilus does.

``PriceTimeQueueModule`` feeds ``QueuePositions`` from the venue (``SimulationModule.pre_process``
sees each data point before the matching engine, ``process`` runs after it) and
``PriceTimeFillModel`` lets the matching engine fill a resting order on a trade only from what the
queue ahead leaves.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from nautilus_trader.backtest.config import FillModelConfig
from nautilus_trader.backtest.config import SimulationModuleConfig
from nautilus_trader.backtest.models import FillModel
from nautilus_trader.backtest.modules import SimulationModule
from nautilus_trader.model.book import OrderBook
from nautilus_trader.model.data import BookOrder
from nautilus_trader.model.data import OrderBookDelta
from nautilus_trader.model.data import OrderBookDeltas
from nautilus_trader.model.data import TradeTick
from nautilus_trader.model.enums import AggressorSide
from nautilus_trader.model.enums import BookType
from nautilus_trader.model.enums import OrderSide
from nautilus_trader.model.enums import OrderType


# key -> module: the fill model and the module are built apart by the backtest node
_MODULES: dict[str, PriceTimeQueueModule] = {}


class PriceTimeQueueModuleConfig(SimulationModuleConfig, frozen=True):
    """
    Configuration for ``PriceTimeQueueModule``.

    Parameters
    ----------
    key : str
        Pairs the module with its ``PriceTimeFillModel``.

    """

    key: str


class PriceTimeFillModelConfig(FillModelConfig, frozen=True):
    """
    Configuration for ``PriceTimeFillModel``.

    Parameters
    ----------
    key : str
        Pairs the fill model with its ``PriceTimeQueueModule``.

    """

    key: str = ""


class _Slot:
    """One resting order's place: side, price, the size ahead, what the current trade leaves it."""

    __slots__ = ("ahead", "allowance", "is_buy", "price")

    def __init__(self, is_buy: bool, price: Decimal, ahead: Decimal) -> None:
        self.is_buy = is_buy
        self.price = price
        self.ahead = ahead
        self.allowance = Decimal(0)


class QueuePositions:
    """
    The price-time queue position of resting orders, from book messages and trades.

    Orders are keyed by any hashable id; ``level(is_buy, price)`` returns the size the book shows
    at a price on an order's side now.
    """

    def __init__(self) -> None:
        self._slots: dict[Any, _Slot] = {}
        self._pending_cap: int | None = None  # ts_event of a book message not capped yet

    def __len__(self) -> int:
        return len(self._slots)

    def ahead(self, key: Any) -> Decimal | None:
        """Return the size ahead of ``key`` (``None``: not tracked)."""
        slot = self._slots.get(key)
        return slot.ahead if slot is not None else None

    def rest(self, key: Any, is_buy: bool, price: Decimal, level: Decimal) -> None:
        """Track a resting order; a new order or a new price goes to the back of ``level``."""
        slot = self._slots.get(key)
        if slot is None or slot.price != price or slot.is_buy != is_buy:
            self._slots[key] = _Slot(is_buy, price, level)

    def keep_only(self, keys: set[Any]) -> None:
        """Forget every order not in ``keys`` (filled, canceled)."""
        for key in [k for k in self._slots if k not in keys]:
            del self._slots[key]

    def book_message(self, ts_event: int, level: Callable[[bool, Decimal], Decimal]) -> None:
        """
        A book message stamped ``ts_event`` is about to be applied.

        ``level`` reads the book *before* it (the previous message's state): the previous
        message's cap is applied now, this message's waits for its trades.
        """
        self.flush_cap(level)
        self._pending_cap = ts_event

    def trade(
        self,
        price: Decimal,
        size: Decimal,
        buyer_aggressor: bool | None,
        ts_event: int,
        level: Callable[[bool, Decimal], Decimal],
    ) -> None:
        """
        Apply a trade: consume the size ahead at its price, set what it leaves each order.

        A trade of another venue time than the pending book message applies that cap first.
        """
        if self._pending_cap is not None and ts_event != self._pending_cap:
            self.flush_cap(level)
        for slot in self._slots.values():
            slot.allowance = Decimal(0)
            if buyer_aggressor is not None and buyer_aggressor == slot.is_buy:
                continue  # a buyer takes asks, a seller takes bids
            through = price < slot.price if slot.is_buy else price > slot.price
            if through:
                slot.allowance = size  # the size ahead stays: the cap settles it
            elif price == slot.price:
                used = min(slot.ahead, size)
                slot.ahead -= used
                slot.allowance = size - used

    def flush_cap(self, level: Callable[[bool, Decimal], Decimal]) -> None:
        """Cap every size ahead at its level's size (what left the level was ahead)."""
        self._pending_cap = None
        for slot in self._slots.values():
            shown = level(slot.is_buy, slot.price)
            if slot.ahead > shown:
                slot.ahead = shown

    def take_allowance(self, key: Any, leaves: Decimal) -> Decimal | None:
        """
        Return how much ``key`` may fill on the current trade, at most ``leaves``.

        What is granted is taken from the trade, so it is not granted twice.
        """
        slot = self._slots.get(key)
        if slot is None:
            return None
        granted = min(slot.allowance, leaves)
        slot.allowance -= granted
        return granted

    def end_trade(self) -> None:
        """The trade is matched: nothing more can fill on it."""
        for slot in self._slots.values():
            slot.allowance = Decimal(0)

    def clear(self) -> None:
        """Forget every order."""
        self._slots.clear()
        self._pending_cap = None


class PriceTimeQueueModule(SimulationModule):
    """
    Track the price-time queue position of every resting limit order of the venue.

    Parameters
    ----------
    config : PriceTimeQueueModuleConfig
        The configuration.

    """

    def __init__(self, config: PriceTimeQueueModuleConfig) -> None:
        super().__init__(config)
        self.queue = QueuePositions()
        self.trading = False  # a trade is being matched now
        _MODULES[config.key] = self

    def pre_process(self, data) -> None:
        """Apply a book message or a trade to the queues before the matching engine sees it."""
        if isinstance(data, TradeTick):
            self.trading = True
            aggressor = data.aggressor_side
            buyer = (
                True
                if aggressor == AggressorSide.BUYER
                else False
                if aggressor == AggressorSide.SELLER
                else None
            )
            self.queue.trade(
                data.price.as_decimal(),
                data.size.as_decimal(),
                buyer,
                data.ts_event,
                self._level_reader(data.instrument_id),
            )
            return
        self.trading = False
        if isinstance(data, OrderBookDeltas | OrderBookDelta):
            self.queue.book_message(data.ts_event, self._level_reader(data.instrument_id))

    def process(self, ts_now: int) -> None:
        """After each data point and command arrival: track new orders and new prices."""
        if self.trading:
            self.queue.end_trade()
        self.trading = False
        live = set()
        for order in self.exchange.get_open_orders():
            if order.order_type != OrderType.LIMIT:
                continue
            live.add(order.client_order_id)
            is_buy = order.side == OrderSide.BUY
            price = order.price.as_decimal()
            self.queue.rest(
                order.client_order_id,
                is_buy,
                price,
                self._level_reader(order.instrument_id)(is_buy, price),
            )
        self.queue.keep_only(live)

    def _level_reader(self, instrument_id) -> Callable[[bool, Decimal], Decimal]:
        book = self.exchange.get_book(instrument_id)

        def level(is_buy: bool, price: Decimal) -> Decimal:
            if book is None:
                return Decimal(0)
            for lvl in book.bids() if is_buy else book.asks():
                if lvl.price.as_decimal() == price:
                    return Decimal(str(lvl.size()))
            return Decimal(0)

        return level

    def allowance(self, order) -> Decimal | None:
        """Return how much ``order`` may fill on the trade being matched (``None``: not a trade)."""
        if not self.trading:
            return None
        return self.queue.take_allowance(order.client_order_id, order.leaves_qty.as_decimal())

    def log_diagnostics(self, logger) -> None:
        """Nothing to report."""

    def reset(self) -> None:
        """Forget every queue position."""
        self.queue.clear()
        self.trading = False


class PriceTimeFillModel(FillModel):
    """
    Let a resting order fill on a trade only from what the queue ahead of it leaves.

    Parameters
    ----------
    config : PriceTimeFillModelConfig
        The configuration (``key`` of the paired module).

    """

    def __init__(self, config: PriceTimeFillModelConfig) -> None:
        super().__init__(config=config)
        self._key = config.key

    def get_orderbook_for_fill_simulation(self, instrument, order, best_bid, best_ask):
        """Return a book holding only what the queue allows ``order`` now (``None``: default)."""
        module = _MODULES.get(self._key)
        if module is None:
            return None
        granted = module.allowance(order)
        if granted is None:
            return None  # the book crossed the order: Nautilus fills it
        book = OrderBook(instrument.id, BookType.L2_MBP)
        if granted > 0:
            side = OrderSide.SELL if order.side == OrderSide.BUY else OrderSide.BUY
            book.add(
                BookOrder(side, order.price, instrument.make_qty(granted), 0),
                0,
                0,
            )
        return book
