"""
``EquitySampler``: an Actor that samples price, balance and unrealized PnL on a timer.

Added by the backtest runner (it does not trade) so the report can draw the equity curve, the
drawdown and the price under the fills without re-reading the catalog. The price is the order book
mid when a book is kept, else the last quote mid, trade or bar close.
"""

from __future__ import annotations

from decimal import Decimal

from nautilus_trader.common.actor import Actor
from nautilus_trader.config import ActorConfig
from nautilus_trader.model.enums import PriceType
from nautilus_trader.model.identifiers import InstrumentId
from nautilus_trader.model.identifiers import Venue
from nautilus_trader.model.objects import Currency
from nautilus_trader.model.objects import Price

from nautilus_bitget.backtest import progress


class EquitySamplerConfig(ActorConfig, frozen=True):
    """
    Configuration for ``EquitySampler``.

    Parameters
    ----------
    instrument_ids : list[str]
        Instruments whose positions count; the first one's price is sampled.
    venue : str, default "BITGET"
        The venue of the account.
    currency : str, default "USDT"
        The account currency sampled.
    interval_ms : int, default 1000
        Sampling interval (backtest time).
    subscribe_book : bool, default False
        Keep an L2 book of the first instrument (when the catalog has deltas) for its mid price.

    """

    instrument_ids: list[str]
    venue: str = "BITGET"
    currency: str = "USDT"
    interval_ms: int = 1000
    subscribe_book: bool = False


class EquitySampler(Actor):
    """
    Record ``(ts, price, balance, unrealized)`` every ``interval_ms``.

    Parameters
    ----------
    config : EquitySamplerConfig
        The configuration.

    """

    def __init__(self, config: EquitySamplerConfig) -> None:
        super().__init__(config)
        self.samples: list[tuple[int, float | None, float | None, float]] = []
        self._ids = [InstrumentId.from_str(i) for i in config.instrument_ids]
        self._venue = Venue(config.venue)
        self._currency = Currency.from_str(config.currency)

    def on_start(self) -> None:
        """Start the sampling timer."""
        if self.config.subscribe_book and self._ids:
            self.subscribe_order_book_deltas(self._ids[0])
        self.clock.set_timer_ns(
            "bitget-nt-equity",
            self.config.interval_ms * 1_000_000,
            self.clock.timestamp_ns(),
            0,
            self._on_timer,
        )

    def on_stop(self) -> None:
        """Take a last sample at the end of the run."""
        self.sample(self.clock.timestamp_ns())

    def _on_timer(self, event) -> None:
        self.sample(event.ts_event)
        progress.report(event.ts_event)  # the terminal's progress bar (bitget-nt backtest)

    def sample(self, ts: int) -> None:
        """Record one sample at ``ts``."""
        account = self.cache.account_for_venue(self._venue)
        balance = account.balance_total(self._currency) if account is not None else None
        unrealized = Decimal(0)
        price0 = None
        for i, iid in enumerate(self._ids):
            price = self._price(iid)
            if i == 0:
                price0 = price
            if price is None:
                continue
            for position in self.cache.positions_open(instrument_id=iid):
                pnl = position.unrealized_pnl(price)
                if pnl.currency == self._currency:
                    unrealized += pnl.as_decimal()
        self.samples.append(
            (
                ts,
                float(price0) if price0 is not None else None,
                float(balance) if balance is not None else None,
                float(unrealized),
            ),
        )

    def _price(self, iid: InstrumentId) -> Price | None:
        book = self.cache.order_book(iid)
        if book is not None:
            bid, ask = book.best_bid_price(), book.best_ask_price()
            if bid is not None and ask is not None:
                instrument = self.cache.instrument(iid)
                mid = (bid.as_decimal() + ask.as_decimal()) / 2
                return instrument.make_price(mid) if instrument is not None else bid
        for price_type in (PriceType.MID, PriceType.LAST):
            price = self.cache.price(iid, price_type)
            if price is not None:
                return price
        return None
