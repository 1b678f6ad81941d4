"""
FundingSettlementModule by hand, beyond one payment: which price it uses, when it pays again, a
rate that changes, a stale funding time, the default interval and what it leaves in the cache.

Long 0.5 BTC (opened at 60000.1, the ask); payment = -0.5 x price x rate (bitget-protocol.md 4.7).
"""

from __future__ import annotations

from decimal import Decimal

from nautilus_trader.backtest.engine import BacktestEngine
from nautilus_trader.config import BacktestEngineConfig
from nautilus_trader.config import LoggingConfig
from nautilus_trader.model.currencies import USDT
from nautilus_trader.model.data import FundingRateUpdate
from nautilus_trader.model.data import MarkPriceUpdate
from nautilus_trader.model.data import QuoteTick
from nautilus_trader.model.enums import AccountType
from nautilus_trader.model.enums import BookType
from nautilus_trader.model.enums import OmsType
from nautilus_trader.model.objects import Money
from nautilus_trader.model.objects import Price
from nautilus_trader.model.objects import Quantity

from nautilus_bitget.backtest.funding import FundingSettlementModule
from nautilus_bitget.backtest.funding import FundingSettlementModuleConfig
from nautilus_bitget.backtest.funding import funding_cache_key
from nautilus_bitget.backtest.funding import funding_payment
from nautilus_bitget.backtest.funding import read_funding_payments
from tests.unit.test_funding_module import IID
from tests.unit.test_funding_module import SEC
from tests.unit.test_funding_module import VENUE
from tests.unit.test_funding_module import _Config
from tests.unit.test_funding_module import _instrument
from tests.unit.test_funding_module import _OneTrade


MIN = 60 * SEC
T0 = 1_700_000_040 * SEC  # a whole minute (the 1-minute grid)
RATE = Decimal("0.0001")


def _quote(ts: int, bid: str = "59999.9", ask: str = "60000.1") -> QuoteTick:
    return QuoteTick(
        IID,
        Price.from_str(bid),
        Price.from_str(ask),
        Quantity.from_str("5.0000"),
        Quantity.from_str("5.0000"),
        ts,
        ts,
    )


def _rate(ts: int, rate: Decimal = RATE, **kw) -> FundingRateUpdate:
    return FundingRateUpdate(IID, rate, ts, ts, **kw)


def _run(data: list, config: FundingSettlementModuleConfig | None = None):
    engine = BacktestEngine(
        BacktestEngineConfig(trader_id="TESTER-001", logging=LoggingConfig(bypass_logging=True)),
    )
    module = FundingSettlementModule(config)
    engine.add_venue(
        venue=VENUE,
        oms_type=OmsType.NETTING,
        account_type=AccountType.MARGIN,
        starting_balances=[Money(100_000, USDT)],
        base_currency=USDT,
        default_leverage=Decimal(10),
        book_type=BookType.L1_MBP,
        modules=[module],
    )
    engine.add_instrument(_instrument())
    engine.add_data([_quote(T0 + SEC), *data])
    engine.add_strategy(_OneTrade(_Config(side="BUY")))
    engine.run()
    payments = [(ts, m.as_decimal()) for ts, _, m in module.payments]
    stored = read_funding_payments(engine.cache, "BITGET")
    totals = module.total()
    engine.dispose()
    return payments, stored, totals


def test_formula_with_multiplier_and_default_entry() -> None:
    # linear: 2 x 10 (multiplier) x 60000 x 0.0001 = 120 paid; inverse entry defaults to the mark
    assert funding_payment(Decimal(2), Decimal(60000), RATE, multiplier=Decimal(10)) == -120
    inverse = funding_payment(
        Decimal(2), Decimal(50000), RATE, multiplier=Decimal(10), inverse=True
    )
    assert inverse == Decimal("-0.002")  # 2 x 10 x 50000 / 50000 x 0.0001
    assert funding_payment(
        Decimal(2), Decimal(50000), RATE, multiplier=Decimal(10), inverse=True, avg_px_open=None
    ) == Decimal("-0.002")


def test_mark_price_is_used_rather_than_the_book() -> None:
    ts = T0 + 2 * MIN
    data = [
        MarkPriceUpdate(IID, Price.from_str("50000.0"), T0 + 2 * SEC, T0 + 2 * SEC),
        _rate(T0 + 3 * SEC, next_funding_ns=ts, interval=480),
        _quote(ts + SEC),
    ]
    payments, stored, totals = _run(data, FundingSettlementModuleConfig(roll_forward=False))
    assert payments == [(ts, Decimal("-2.5"))]  # 0.5 x 50000 x 0.0001, not the 60000 mid
    assert stored == [(ts, IID.value, Decimal("-2.5"), "USDT")]
    assert totals == {"USDT": Decimal("-2.5")}
    assert funding_cache_key("BITGET") == "bitget-nt.funding.BITGET"


def test_book_mid_without_mark_then_rolls_forward_on_the_default_interval() -> None:
    # no interval, no next time: the default interval (1 min) on the epoch grid, paid every
    # minute with the last rate; the second update changes the rate from its time on
    data = [
        _rate(T0 + 3 * SEC),
        _quote(T0 + MIN + SEC),
        _rate(T0 + MIN + 2 * SEC, Decimal("-0.0002")),
        _quote(T0 + 2 * MIN + SEC),
        _quote(T0 + 3 * MIN + SEC),
    ]
    payments, _, _ = _run(data, FundingSettlementModuleConfig(default_interval_mins=1))
    assert payments == [
        (T0 + MIN, Decimal(-3)),  # 0.5 x 60000 (mid) x 0.0001
        (T0 + 2 * MIN, Decimal(6)),  # negative rate: the long receives
        (T0 + 3 * MIN, Decimal(6)),
    ]


def test_without_roll_forward_one_payment_per_update() -> None:
    data = [_rate(T0 + 3 * SEC), _quote(T0 + MIN + SEC), _quote(T0 + 3 * MIN + SEC)]
    config = FundingSettlementModuleConfig(default_interval_mins=1, roll_forward=False)
    payments, _, _ = _run(data, config)
    assert payments == [(T0 + MIN, Decimal(-3))]


def test_interval_of_the_update_wins_over_the_default() -> None:
    data = [_rate(T0 + 3 * SEC, interval=2), *[_quote(T0 + i * MIN + SEC) for i in (1, 2, 3, 4)]]
    payments, _, _ = _run(data, FundingSettlementModuleConfig(default_interval_mins=1))
    assert [ts for ts, _ in payments] == [T0 + 2 * MIN, T0 + 4 * MIN]


def test_stale_funding_time_is_not_paid_again() -> None:
    # an update whose next time is already past was settled at the venue: next one is an
    # interval later
    data = [
        _rate(T0 + 3 * SEC, next_funding_ns=T0, interval=1),
        *[_quote(T0 + i * MIN + SEC) for i in (1, 2)],
    ]
    payments, _, _ = _run(data)
    assert [ts for ts, _ in payments] == [T0 + MIN, T0 + 2 * MIN]
