"""
FIFO queue fills for resting orders: price-time priority as the venue applies it.

NautilusTrader 1.231's queue tracking (``BacktestVenueConfig.queue_position``) takes the size ahead
of an order from its level when the order arrives and reduces it only by trades at the order's
price: a level that shrinks (cancellations) never moves the order up, and while size is counted
ahead a trade *through* the price does not fill it. Under price-time priority (bitget-protocol.md
9.8) the size ahead can never exceed the level's size, and a trade through the price has taken the
whole level. ``FifoQueueModule`` keeps the queue position that way and ``FifoQueueFillModel`` lets
the matching engine fill a resting order only from what a trade leaves after the queue ahead:

- an order arriving at (or moved to) a price has the level's size there ahead of it;
- after every data point, the size ahead is capped at the level's size (what left was ahead);
- a trade at the order's price consumes the size ahead first; the rest of the trade may fill it;
- a trade through the order's price fills it up to the trade's size;
- the book itself crossing the order fills it as Nautilus does.

The module sees each trade before the matching engine (``SimulationModule.pre_process``) and the
venue's book after each data point (``process``); the fill model asks it during matching.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from nautilus_trader.backtest.config import FillModelConfig
from nautilus_trader.backtest.config import SimulationModuleConfig
from nautilus_trader.backtest.models import FillModel
from nautilus_trader.backtest.modules import SimulationModule
from nautilus_trader.model.book import OrderBook
from nautilus_trader.model.data import BookOrder
from nautilus_trader.model.data import TradeTick
from nautilus_trader.model.enums import AggressorSide
from nautilus_trader.model.enums import BookType
from nautilus_trader.model.enums import OrderSide
from nautilus_trader.model.enums import OrderType


# key -> module: the fill model and the module are built apart by the backtest node
_MODULES: dict[str, FifoQueueModule] = {}


class FifoQueueModuleConfig(SimulationModuleConfig, frozen=True):
    """
    Configuration for ``FifoQueueModule``.

    Parameters
    ----------
    key : str
        Pairs the module with its ``FifoQueueFillModel``.

    """

    key: str


class FifoQueueFillModelConfig(FillModelConfig, frozen=True):
    """
    Configuration for ``FifoQueueFillModel``.

    Parameters
    ----------
    key : str
        Pairs the fill model with its ``FifoQueueModule``.

    """

    key: str = ""


class _Slot:
    """One resting order's place: its price, the size ahead, what the current trade leaves it."""

    __slots__ = ("ahead", "allowance", "price")

    def __init__(self, price: Decimal, ahead: Decimal) -> None:
        self.price = price
        self.ahead = ahead
        self.allowance = Decimal(0)


class FifoQueueModule(SimulationModule):
    """
    Track the FIFO queue position of every resting limit order of the venue.

    Parameters
    ----------
    config : FifoQueueModuleConfig
        The configuration.

    """

    def __init__(self, config: FifoQueueModuleConfig) -> None:
        super().__init__(config)
        self._slots: dict[Any, _Slot] = {}
        self.trading = False  # a trade is being matched now
        _MODULES[config.key] = self

    def pre_process(self, data) -> None:
        """Apply a trade to the queues before the matching engine sees it."""
        if not isinstance(data, TradeTick):
            self.trading = False
            return
        self.trading = True
        px = data.price.as_decimal()
        size = data.size.as_decimal()
        aggressor = data.aggressor_side
        for order in self.exchange.get_open_orders(data.instrument_id):
            slot = self._slots.get(order.client_order_id)
            if slot is None:
                continue
            slot.allowance = Decimal(0)
            if order.side == OrderSide.BUY and aggressor == AggressorSide.BUYER:
                continue
            if order.side == OrderSide.SELL and aggressor == AggressorSide.SELLER:
                continue
            through = px < slot.price if order.side == OrderSide.BUY else px > slot.price
            if through:
                slot.ahead = Decimal(0)
                slot.allowance = size
            elif px == slot.price:
                used = min(slot.ahead, size)
                slot.ahead -= used
                slot.allowance = size - used

    def process(self, ts_now: int) -> None:
        """After each data point: track new prices, cap the size ahead at the level's size."""
        self.trading = False
        live = set()
        for order in self.exchange.get_open_orders():
            if order.order_type != OrderType.LIMIT:
                continue
            live.add(order.client_order_id)
            price = order.price.as_decimal()
            level = self._level(order, price)
            slot = self._slots.get(order.client_order_id)
            if slot is None or slot.price != price:
                self._slots[order.client_order_id] = _Slot(price, level)  # back of the level
            elif slot.ahead > level:
                slot.ahead = level
        for coid in [c for c in self._slots if c not in live]:
            del self._slots[coid]

    def _level(self, order, price: Decimal) -> Decimal:
        book = self.exchange.get_book(order.instrument_id)
        if book is None:
            return Decimal(0)
        levels = book.bids() if order.side == OrderSide.BUY else book.asks()
        for lvl in levels:
            p = lvl.price.as_decimal()
            if p == price:
                return Decimal(str(lvl.size()))
        return Decimal(0)

    def allowance(self, order) -> Decimal | None:
        """
        Return how much ``order`` may fill on the trade being matched (``None``: not a trade).

        What is granted is taken from the trade, so it is not granted twice.
        """
        if not self.trading:
            return None
        slot = self._slots.get(order.client_order_id)
        if slot is None:
            return None
        granted = min(slot.allowance, order.leaves_qty.as_decimal())
        slot.allowance -= granted
        return granted

    def log_diagnostics(self, logger) -> None:
        """Nothing to report."""

    def reset(self) -> None:
        """Forget every queue position."""
        self._slots.clear()
        self.trading = False


class FifoQueueFillModel(FillModel):
    """
    Let a resting order fill on a trade only from what the queue ahead of it leaves.

    Parameters
    ----------
    config : FifoQueueFillModelConfig
        The configuration (``key`` of the paired module).

    """

    def __init__(self, config: FifoQueueFillModelConfig) -> None:
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
