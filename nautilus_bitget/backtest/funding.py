"""
Perpetual funding settlement for backtests.

NautilusTrader 1.231's ``SimulatedExchange`` replays ``FundingRateUpdate`` to strategies but never
settles funding (the exchange never sees it). ``FundingSettlementModule`` does, the way Bitget does
(bitget-protocol.md 4.7, 9.4): at each funding time, every open position pays or receives

    payment = -signed_qty * notional_per_unit(mark) * rate

- linear (USDT-M / USDC-M): ``-signed_qty * multiplier * mark * rate`` in the quote (settlement)
  currency, e.g. long 0.5 BTC, mark 60000, rate 0.0001 -> -3 USDT;
- inverse (COIN-M): quantities are in the base coin as on the wire (bitget-protocol.md 9.1), so the
  position's USD face is ``signed_qty * multiplier * avg_px_open`` and its value is that face /
  mark, in the base (settlement) currency: ``-signed_qty * multiplier * avg_px_open / mark * rate``,
  e.g. long 1 BTC opened at 60000, mark 60000, rate 0.0001 -> -0.0001 BTC.

A positive rate means longs pay shorts. Funding times come from the recorded
``FundingRateUpdate.next_funding_ns``; when absent, from ``interval`` (minutes, default 480) aligned
to the UTC epoch (Bitget settles at 00:00/08:00/16:00 UTC for 8-hour symbols). The rate in force is
the last one received before the funding time; the mark price is the last ``MarkPriceUpdate``
(when recorded), else the book mid, else the last trade, else the position's average open price.
A payment is applied once, when the backtest clock reaches the funding time, never before.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from decimal import Decimal

import msgspec
from nautilus_trader.backtest.config import SimulationModuleConfig
from nautilus_trader.backtest.modules import SimulationModule
from nautilus_trader.model.data import FundingRateUpdate
from nautilus_trader.model.data import MarkPriceUpdate
from nautilus_trader.model.data import TradeTick
from nautilus_trader.model.identifiers import InstrumentId
from nautilus_trader.model.objects import Money


DEFAULT_INTERVAL_MINS = 480
FUNDING_CACHE_KEY = "bitget-nt.funding.{venue}"

_NS_PER_MIN = 60_000_000_000


def funding_payment(
    signed_qty: Decimal,
    mark: Decimal,
    rate: Decimal,
    *,
    multiplier: Decimal = Decimal(1),
    inverse: bool = False,
    avg_px_open: Decimal | None = None,
) -> Decimal:
    """
    Return the funding amount credited to a position (negative = paid).

    Parameters
    ----------
    signed_qty : Decimal
        Position quantity, positive long, negative short.
    mark : Decimal
        Mark price at the funding time.
    rate : Decimal
        Funding rate in force (positive: longs pay shorts).
    multiplier : Decimal, default 1
        Contract multiplier.
    inverse : bool, default False
        Inverse contract: the result is in the base currency.
    avg_px_open : Decimal, optional
        Average open price of an inverse position (its USD face is ``qty * avg_px_open``);
        defaults to ``mark``.

    Returns
    -------
    Decimal

    """
    if inverse:
        entry = mark if avg_px_open is None else avg_px_open
        notional = signed_qty * multiplier * entry / mark
    else:
        notional = signed_qty * multiplier * mark
    return -notional * rate


def funding_cache_key(venue: str) -> str:
    """Return the cache key under which the module stores its payments for ``venue``."""
    return FUNDING_CACHE_KEY.format(venue=venue)


def read_funding_payments(cache, venue: str) -> list[tuple[int, str, Decimal, str]]:
    """
    Return the payments stored in ``cache`` as ``(ts_ns, instrument_id, amount, currency)``.

    Parameters
    ----------
    cache : Cache
        The engine's cache after a run.
    venue : str
        The venue name, e.g. ``"BITGET"``.

    Returns
    -------
    list[tuple[int, str, Decimal, str]]

    """
    raw = cache.get(funding_cache_key(venue))
    if not raw:
        return []
    return [
        (int(ts), iid, Decimal(amount), ccy) for ts, iid, amount, ccy in msgspec.json.decode(raw)
    ]


def next_funding_time(ts_ns: int, interval_mins: int) -> int:
    """Return the first funding time strictly after ``ts_ns`` on an epoch-aligned grid."""
    step = interval_mins * _NS_PER_MIN
    return (ts_ns // step + 1) * step


@dataclass
class _FundingState:
    rate: Decimal
    next_ns: int
    interval_mins: int
    last_settled_ns: int = 0
    payments: list[tuple[int, Decimal]] = field(default_factory=list)


class FundingSettlementModuleConfig(SimulationModuleConfig, frozen=True):
    """
    Configuration for ``FundingSettlementModule``.

    Parameters
    ----------
    default_interval_mins : int, default 480
        Funding interval used when an update carries neither ``next_funding_ns`` nor ``interval``.
    roll_forward : bool, default True
        When no newer update arrives, keep settling every interval with the last known rate.

    """

    default_interval_mins: int = DEFAULT_INTERVAL_MINS
    roll_forward: bool = True


class FundingSettlementModule(SimulationModule):
    """
    Apply perpetual funding payments to the simulated account at the venue's funding times.

    Parameters
    ----------
    config : FundingSettlementModuleConfig, optional
        The configuration.

    """

    def __init__(self, config: FundingSettlementModuleConfig | None = None) -> None:
        super().__init__(config or FundingSettlementModuleConfig())
        self._default_interval = self.config.default_interval_mins
        self._roll_forward = self.config.roll_forward
        self._state: dict[InstrumentId, _FundingState] = {}
        self._marks: dict[InstrumentId, Decimal] = {}
        self._lasts: dict[InstrumentId, Decimal] = {}
        self._alerts: set[int] = set()
        self.payments: list[tuple[int, InstrumentId, Money]] = []

    def register_venue(self, exchange) -> None:
        """Register the exchange and listen to funding, mark price and trade data on the bus."""
        super().register_venue(exchange)
        # SimulationModule.pre_process never sees these types: listen on the bus instead.
        self.msgbus.subscribe(topic="data.funding_rates.*", handler=self._on_funding_rate)
        self.msgbus.subscribe(topic="data.mark_prices.*", handler=self._on_mark_price)
        self.msgbus.subscribe(topic="data.trades.*", handler=self._on_trade)

    # -- inputs ---------------------------------------------------------------------------------

    def _on_funding_rate(self, update: FundingRateUpdate) -> None:
        if update.instrument_id.venue != self.exchange.id:
            return
        # settle what was due before this update replaces the rate in force
        self._settle_due(update.ts_init)
        rate = Decimal(str(update.rate))  # a str after a ParquetDataCatalog round trip
        interval = int(update.interval) if update.interval else self._default_interval
        next_ns = update.next_funding_ns or next_funding_time(update.ts_event, interval)
        state = self._state.get(update.instrument_id)
        if state is None:
            state = _FundingState(rate, int(next_ns), interval)
            if state.next_ns <= update.ts_init:  # a stale time: already settled at the venue
                state.last_settled_ns = state.next_ns
                state.next_ns += interval * _NS_PER_MIN
            self._state[update.instrument_id] = state
        else:
            state.rate = rate
            state.interval_mins = interval
            if next_ns > state.last_settled_ns:
                state.next_ns = int(next_ns)
        self._schedule(state.next_ns)

    def _schedule(self, ts_ns: int) -> None:
        # A time alert makes the backtest clock stop at the funding time itself, so the payment
        # lands exactly then (``process`` alone would only run at the next data point).
        if ts_ns in self._alerts or ts_ns <= self.clock.timestamp_ns():
            return
        self._alerts.add(ts_ns)
        self.clock.set_time_alert_ns(f"bitget-funding-{ts_ns}", ts_ns, self._on_alert)

    def _on_alert(self, event) -> None:
        self._alerts.discard(event.ts_event)
        self._settle_due(event.ts_event)
        for state in self._state.values():
            if self._roll_forward and state.next_ns:
                self._schedule(state.next_ns)

    def _on_mark_price(self, update: MarkPriceUpdate) -> None:
        self._marks[update.instrument_id] = update.value.as_decimal()

    def _on_trade(self, tick: TradeTick) -> None:
        self._lasts[tick.instrument_id] = tick.price.as_decimal()

    # -- settlement -----------------------------------------------------------------------------

    def process(self, ts_now: int) -> None:
        """Settle every funding time the clock has reached."""
        self._settle_due(ts_now)

    def _settle_due(self, ts_now: int) -> None:
        for instrument_id, state in self._state.items():
            while (
                state.next_ns and state.next_ns <= ts_now and state.next_ns > state.last_settled_ns
            ):
                self._settle(instrument_id, state, state.next_ns)
                state.last_settled_ns = state.next_ns
                if not self._roll_forward:
                    break
                state.next_ns += state.interval_mins * _NS_PER_MIN

    def _settle(self, instrument_id: InstrumentId, state: _FundingState, ts: int) -> None:
        instrument = self.exchange.cache.instrument(instrument_id)
        if instrument is None:
            return
        for position in self.exchange.cache.positions_open(instrument_id=instrument_id):
            mark = self._mark_price(instrument_id, position)
            amount = funding_payment(
                Decimal(str(position.signed_qty)),
                mark,
                state.rate,
                multiplier=instrument.multiplier.as_decimal(),
                inverse=instrument.is_inverse,
                avg_px_open=Decimal(str(position.avg_px_open)),
            )
            currency = instrument.get_settlement_currency()
            money = Money(amount, currency)
            if money.as_decimal() == 0:
                continue
            self.exchange.adjust_account(money)
            state.payments.append((ts, money.as_decimal()))
            self.payments.append((ts, instrument_id, money))
            self._publish()
            self.log.info(
                f"Funding {money} for {position.id} at {ts} "
                f"(qty={position.signed_qty}, mark={mark}, rate={state.rate})",
            )

    def _mark_price(self, instrument_id: InstrumentId, position) -> Decimal:
        mark = self._marks.get(instrument_id)
        if mark is not None:
            return mark
        book = self.exchange.get_book(instrument_id)
        mid = book.midpoint() if book is not None else None
        if mid:
            return Decimal(str(mid))
        last = self._lasts.get(instrument_id)
        if last is not None:
            return last
        return Decimal(str(position.avg_px_open))

    def _publish(self) -> None:
        # The exchange (and so this module) is not reachable from a BacktestNode's engine: keep
        # the payments in the cache's general store for the runner (FUNDING_CACHE_KEY).
        rows = [
            [ts, iid.value, str(m.as_decimal()), m.currency.code] for ts, iid, m in self.payments
        ]
        self.exchange.cache.add(
            funding_cache_key(self.exchange.id.value), msgspec.json.encode(rows)
        )

    # -- results --------------------------------------------------------------------------------

    def total(self) -> dict[str, Decimal]:
        """Return the funding settled so far per currency code (negative = paid)."""
        totals: dict[str, Decimal] = {}
        for _, _, money in self.payments:
            code = money.currency.code
            totals[code] = totals.get(code, Decimal(0)) + money.as_decimal()
        return totals

    def log_diagnostics(self, logger) -> None:
        """Log the funding totals."""
        logger.info(f"Funding settled: {self.total()} over {len(self.payments)} payments")

    def reset(self) -> None:
        """Forget rates, prices and payments."""
        self._state.clear()
        self._marks.clear()
        self._lasts.clear()
        self._alerts.clear()
        self.payments.clear()
