"""
Matching of the simulated exchange: user takers against the generated book, the user book of
resting orders, and maker fills of resting orders by the generated flow.

Queue semantics (price-time priority, bitget-protocol.md 9.8): a resting user order joins the back
of its price level; the generated size shown at that level when it rests is ahead of it
(``_queue_ahead``). A generated taker trade at the order's price consumes that queue first and
fills the order only with what is left of the trade; a trade printing strictly through its price
fills it (up to that trade's size, price-time priority among user orders); the generated opposite
side moving across its price fills it fully. Generated liquidity added to the level later queues
behind it; when the level shrinks below the size ahead, the size ahead shrinks with it (what left
was ahead of us), and a deleted level leaves nothing ahead. A modify is a cancel + new order
(bitget-protocol.md 5.7), so it goes to the back of the new level.

User resting orders are NOT shown in the public book (a recording of a live run is then the market
without the user, which is what a backtest of the same strategy needs). Every maker fill that the
generated trades did not already print (through and cross fills) is printed as a public trade at
the order's price, as Bitget's trade channel shows every match. User taker orders consume
generated levels only.
"""

from __future__ import annotations

from decimal import Decimal

from nautilus_bitget.sim.contracts import ContractSpec
from nautilus_bitget.sim.core import ExchangeCore
from nautilus_bitget.sim.events import BookChanged
from nautilus_bitget.sim.events import CandleUpdated
from nautilus_bitget.sim.events import Order
from nautilus_bitget.sim.events import PublicTrade
from nautilus_bitget.sim.events import TickerChanged
from nautilus_bitget.sim.events import Trades
from nautilus_bitget.sim.market import MarketState
from nautilus_bitget.sim.orders import closes_side


class MatchingMixin(ExchangeCore):
    """Taker matching of new orders, the resting user book and maker fills."""

    def _publish(
        self,
        market: MarketState,
        msg: BookChanged | None,
        trades: list[PublicTrade],
        now: int,
    ) -> None:
        """Emit a book message (if any) and printed trades with their candle update."""
        if msg is not None:
            self._emit(msg)
        if trades:
            self._emit(Trades(market.symbol, market.product_type, trades))
            self._emit(CandleUpdated(market.symbol, market.product_type, now))

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
            self._publish(market, market.flush(now), trades, now)
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
        pos = self._positions.get(
            (order.api_key, order.symbol, closes_side(order.pos_side, order.direction))
        )
        if pos is None:
            return 0
        return int(min(pos.total, order.remaining) / spec.size_multiplier)

    def _rest(self, order: Order) -> None:
        book = self._resting[order.symbol]
        book.append(order)
        book.sort(key=self._rest_key)
        market = self.markets[order.symbol]
        sizes = market.bid_sz if order.direction == "buy" else market.ask_sz
        # the back of the level: the generated size shown there now is ahead (9.8)
        self._queue_ahead[order.order_id] = sizes.get(_resting_ticks(market.contract, order), 0)

    def _rest_key(self, o: Order) -> tuple[int, Decimal, int]:
        # buys: highest price first; sells: lowest first; then time priority
        p = o.price or Decimal(0)
        return (
            0 if o.direction == "buy" else 1,
            -p if o.direction == "buy" else p,
            self._order_rank[o.order_id],
        )

    # -- resting user orders vs generated flow ---------------------------------------------------
    def _fill_resting(self, market: MarketState, now: int) -> None:
        book = self._resting[market.symbol]
        if not book:
            return
        spec = market.contract
        printed: list[PublicTrade] = []
        # (a) generated taker trades at a user price (after the queue ahead) or through it
        for ticks, lots, side in market.last_gen_trades:
            budget = lots
            for order in list(book):
                if budget <= 0:
                    break
                if not order.is_open:
                    continue
                ot = _resting_ticks(spec, order)
                hit = (side == "buy" and order.direction == "sell") or (
                    side == "sell" and order.direction == "buy"
                )
                if not hit:
                    continue
                through = ot < ticks if order.direction == "sell" else ot > ticks
                if through:
                    n = self._maker_fill(order, spec, ot, budget, now)
                    budget -= n
                    if n:
                        printed.append(market.print_trade(ot, n, side, now))
                elif ot == ticks:
                    ahead = self._queue_ahead.get(order.order_id, 0)
                    used = min(ahead, budget)
                    self._queue_ahead[order.order_id] = ahead - used
                    budget -= used
                    if budget > 0:
                        budget -= self._maker_fill(order, spec, ot, budget, now)
        # (b) the generated opposite side moved across a user price: fill fully
        bb, ba = market.best_bid, market.best_ask
        for order in list(book):
            if not order.is_open:
                continue
            ot = _resting_ticks(spec, order)
            if (order.direction == "sell" and bb is not None and bb >= ot) or (
                order.direction == "buy" and ba is not None and ba <= ot
            ):
                n = self._maker_fill(order, spec, ot, None, now)
                if n:
                    taker = "buy" if order.direction == "sell" else "sell"
                    printed.append(market.print_trade(ot, n, taker, now))
        self._shrink_queues(market, book)
        if printed:
            self._publish(market, None, printed, now)

    def _shrink_queues(self, market: MarketState, book: list[Order]) -> None:
        """Cap each order's size ahead at its level's generated size (a deleted level: 0)."""
        spec = market.contract
        for order in book:
            if not order.is_open:
                self._queue_ahead.pop(order.order_id, None)
                continue
            ahead = self._queue_ahead.get(order.order_id, 0)
            if ahead:
                sizes = market.bid_sz if order.direction == "buy" else market.ask_sz
                level = sizes.get(_resting_ticks(spec, order), 0)
                self._queue_ahead[order.order_id] = min(ahead, level)

    def _fill_resting_cross_only(self, market: MarketState, now: int) -> None:
        saved = market.last_gen_trades
        market.last_gen_trades = []
        try:
            self._fill_resting(market, now)
        finally:
            market.last_gen_trades = saved

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


def _resting_ticks(spec: ContractSpec, order: Order) -> int:
    """Return a resting (limit) order's price in ticks; placement validated it on the tick."""
    ticks = spec.to_ticks(order.price) if order.price is not None else None
    if ticks is None:
        raise ValueError(f"resting order {order.order_id} has no on-tick price")
    return ticks
