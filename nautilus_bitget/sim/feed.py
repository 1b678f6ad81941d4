"""
The public market side of the simulated exchange: book / ticker / trade / candle views, time
(``step``/``generate``) and test or replay drivers that move a market from outside.
"""

from __future__ import annotations

from collections import deque
from decimal import Decimal

from nautilus_bitget.sim.candles import INTERVALS
from nautilus_bitget.sim.contracts import ContractSpec
from nautilus_bitget.sim.core import ExchangeCore
from nautilus_bitget.sim.errors import param_error
from nautilus_bitget.sim.events import BookChanged
from nautilus_bitget.sim.events import Level
from nautilus_bitget.sim.events import PublicTrade
from nautilus_bitget.sim.events import Ticker
from nautilus_bitget.sim.events import TickerChanged
from nautilus_bitget.sim.history import seed_history
from nautilus_bitget.sim.market import MarketState


MAX_CATCHUP_MESSAGES = 200  # per symbol per step() call


class FeedMixin(ExchangeCore):
    """Market views, the generator clock and external market drivers."""

    _gen_start: dict[str, int]
    _gen_count: dict[str, int]
    _gen_rate: dict[str, float]  # book messages/s of symbols not at ``book_rate_hz``

    # -- views ----------------------------------------------------------------------------------
    def book(self, symbol: str, depth: int | None = None) -> tuple[list[Level], list[Level]]:
        """Return the generated book ``(bids desc, asks asc)`` as wire strings."""
        return self._market(symbol).book(depth)

    def book_snapshot(self, symbol: str, depth: int | None = None) -> BookChanged:
        """Return a snapshot message: the full book (or ``depth``) with ``seq`` = current seq
        and ``pseq`` = 0 (bitget-protocol.md 6.1), so the next update's pseq equals this seq."""
        return self._market(symbol).snapshot(depth)

    def ticker(self, symbol: str) -> Ticker:
        """Return the current ticker (wire strings)."""
        market = self._market(symbol)
        return market.ticker(max(market.ts, 0), self._open_interest_lots(market))

    def recent_trades(self, symbol: str, limit: int = 100) -> list[PublicTrade]:
        """Return recent public trades, newest first (live, then the seeded history)."""
        return self._market(symbol).trades_newest_first(limit=limit)

    def trade_history(
        self,
        symbol: str,
        *,
        id_less_than: int | None = None,
        start_ms: int | None = None,
        end_ms: int | None = None,
        limit: int = 500,
    ) -> list[PublicTrade]:
        """Return public trades newest first below ``id_less_than`` within the window (4.6)."""
        return self._market(symbol).trades_newest_first(
            id_less_than=id_less_than, start_ms=start_ms, end_ms=end_ms, limit=limit
        )

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
            raise param_error("granularity")
        return market.candle_rows(granularity, start_ms, end_ms, limit, kline_type)

    def usdt_value(self, coin: str, amount: Decimal) -> Decimal:
        """Return ``amount`` of ``coin`` in USDT at the mark price (stablecoins and coins
        without a market count one to one), as v2 ``usdtEquity`` shows it."""
        if coin in ("USDT", "USDC", "USD"):
            return amount
        for symbol in (f"{coin}USDT", f"{coin}PERP", f"{coin}USD"):
            if symbol in self.markets:
                try:
                    return amount * Decimal(self.ticker(symbol).mark_price)
                except (ArithmeticError, ValueError):
                    break
        return amount

    def open_interest(self, symbol: str) -> str:
        """Return the open interest (base coin, wire string)."""
        market = self._market(symbol)
        return market.contract.size_str(self._open_interest_lots(market))

    # -- time -----------------------------------------------------------------------------------
    def step(self, now_ms: int | None = None) -> int:
        """Advance to ``now_ms``: emit due book messages, trigger plans, settle funding."""
        now = self.now_ms() if now_ms is None else now_ms
        produced = 0
        rates = self._gen_rate
        default_rate = self.book_rate_hz
        for symbol, market in self.markets.items():
            rate = rates.get(symbol, default_rate)
            due = int((now - self._gen_start[symbol]) * rate / 1000)
            n = due - self._gen_count[symbol]
            if n > MAX_CATCHUP_MESSAGES:
                self._gen_count[symbol] = due - MAX_CATCHUP_MESSAGES
                n = MAX_CATCHUP_MESSAGES
            for _ in range(max(n, 0)):
                self._gen_count[symbol] += 1
                self.generate(symbol, now)
                produced += 1
            while now >= market.next_funding_time:
                self._settle(market, market.next_funding_time, market.funding_rate)
        return produced

    def add_market(
        self,
        spec: ContractSpec,
        *,
        book_rate_hz: float,
        history_days: float = 0.0,
        levels: int = 200,
        funding_interval_ms: int | None = None,
        live_trades: int | None = None,
    ) -> MarketState:
        """
        List ``spec`` and open its market, generating ``book_rate_hz`` book messages per second.

        Parameters
        ----------
        spec : ContractSpec
            A tradable contract (generated ones for ``sim --contracts``).
        book_rate_hz : float
            Book messages per second of this market.
        history_days : float
            Days of seeded history before now (history.py).
        levels : int
            Generated depth per side.
        funding_interval_ms : int, optional
            Funding interval (default ``fundInterval`` hours).
        live_trades : int, optional
            Live public trades kept (default ``market.LIVE_TRADES``): bounds memory with many
            markets.

        """
        now = self.now_ms()
        symbol = spec.symbol
        market = MarketState(
            spec, self.seed, now, levels=levels, funding_interval_ms=funding_interval_ms
        )
        if live_trades is not None:
            market.trades = deque(maxlen=live_trades)
        seed_history(market, self.seed, now, history_days)
        self.contracts[symbol] = spec
        self.markets[symbol] = market
        self._resting[symbol] = []
        self._gen_start[symbol] = now
        self._gen_count[symbol] = 0
        self._gen_rate[symbol] = book_rate_hz
        return market

    def generate(self, symbol: str, now_ms: int) -> BookChanged | None:
        """Generate one book message for ``symbol`` now (with its trades and user fills)."""
        market = self.markets[symbol]
        msg, trades = market.step(now_ms)
        self._publish(market, msg, trades, now_ms)
        self._fill_resting(market, now_ms)
        self._touch(market, now_ms)
        return msg

    def _touch(self, market: MarketState, now: int) -> None:
        """Announce a ticker change and re-evaluate the symbol's plans."""
        self._emit(TickerChanged(market.symbol, market.product_type, now))
        self._check_plans(market, now)

    # -- drivers (tests, replay) ----------------------------------------------------------------
    def set_mark_price(self, symbol: str, price: Decimal | str) -> None:
        """Test helper: set the mark price and re-evaluate plans / PnL."""
        market = self._market(symbol)
        market.set_mark(Decimal(str(price)))
        self._touch(market, self.now_ms())

    def set_last_price(self, symbol: str, price: Decimal | str) -> None:
        """Test helper: set the last price and re-evaluate ``fill_price`` plans."""
        market = self._market(symbol)
        ticks = market.contract.to_ticks(Decimal(str(price)))
        if ticks is None:
            raise ValueError(f"price {price} is not a multiple of the tick")
        market.last_ticks = ticks
        self._touch(market, self.now_ms())

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
        self._publish(market, market.flush(now), [], now)
        self._fill_resting_cross_only(market, now)

    def external_trade(self, symbol: str, side: str, size: Decimal | str) -> list[PublicTrade]:
        """
        Test helper: an "other trader" taker order of ``size`` (``side`` buy | sell) sweeps the
        generated book now; resting user orders it trades through are filled (maker).
        """
        market = self._market(symbol)
        lots = market.contract.to_lots(Decimal(str(size)))
        if lots is None or side not in ("buy", "sell"):
            raise ValueError("bad external trade")
        now = self.now_ms()
        taken = market.take(side, None, lots)
        return self._drive(market, [(ticks, n, side) for ticks, n in taken], now)

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
        self._drive(market, trades, ts)

    def _drive(
        self, market: MarketState, trades: list[tuple[int, int, str]], ts: int
    ) -> list[PublicTrade]:
        """Flush the book, print ``trades`` ``(ticks, lots, side)``, fill resting user orders."""
        msg = market.flush(ts)
        printed = [market.print_trade(t, n, side, ts) for t, n, side in trades]
        self._publish(market, msg, printed, ts)
        market.last_gen_trades = list(trades)
        self._fill_resting(market, ts)
        market.last_gen_trades = []
        self._touch(market, ts)
        return printed
