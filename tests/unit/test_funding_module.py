"""Funding settlement in the backtest, checked by hand: long 0.5 BTC x 60000 x 0.0001 = -3 USDT."""

from __future__ import annotations

from decimal import Decimal

import pytest
from nautilus_trader.backtest.engine import BacktestEngine
from nautilus_trader.config import BacktestEngineConfig
from nautilus_trader.config import LoggingConfig
from nautilus_trader.config import StrategyConfig
from nautilus_trader.model.currencies import USDT
from nautilus_trader.model.data import FundingRateUpdate
from nautilus_trader.model.data import MarkPriceUpdate
from nautilus_trader.model.data import QuoteTick
from nautilus_trader.model.enums import AccountType
from nautilus_trader.model.enums import BookType
from nautilus_trader.model.enums import OmsType
from nautilus_trader.model.enums import OrderSide
from nautilus_trader.model.identifiers import InstrumentId
from nautilus_trader.model.identifiers import Symbol
from nautilus_trader.model.identifiers import Venue
from nautilus_trader.model.instruments import CryptoPerpetual
from nautilus_trader.model.objects import Money
from nautilus_trader.model.objects import Price
from nautilus_trader.model.objects import Quantity
from nautilus_trader.trading.strategy import Strategy

from nautilus_bitget.backtest.funding import FundingSettlementModule
from nautilus_bitget.backtest.funding import funding_payment
from nautilus_bitget.backtest.funding import next_funding_time
from tests.instruments import btcusdt_perp


VENUE = Venue("BITGET")
IID = InstrumentId(Symbol("BTCUSDT-PERP"), VENUE)
SEC = 1_000_000_000
T0 = 1_700_000_000 * SEC
FUNDING_TS = T0 + 60 * SEC


def _instrument() -> CryptoPerpetual:
    return btcusdt_perp(
        margin_init=Decimal(1),
        margin_maint=Decimal("0.5"),
        maker_fee=Decimal(0),  # no fees: the balance moves by funding only
        taker_fee=Decimal(0),
    )


class _Config(StrategyConfig, frozen=True):
    side: str = "BUY"  # BUY, SELL or NONE


class _OneTrade(Strategy):
    """Opens 0.5 BTC on the first quote and records the balance seen at every quote."""

    def __init__(self, config: _Config) -> None:
        super().__init__(config)
        self.balances: list[tuple[int, Decimal]] = []
        self.traded = False

    def on_start(self) -> None:
        self.subscribe_quote_ticks(IID)

    def on_quote_tick(self, tick: QuoteTick) -> None:
        account = self.portfolio.account(VENUE)
        self.balances.append((tick.ts_event, account.balance_total(USDT).as_decimal()))
        if not self.traded and self.config.side != "NONE":
            self.traded = True
            order = self.order_factory.market(
                IID, OrderSide[self.config.side], Quantity.from_str("0.5000")
            )
            self.submit_order(order)


def _quote(ts: int) -> QuoteTick:
    return QuoteTick(
        IID,
        Price.from_str("59999.9"),
        Price.from_str("60000.1"),
        Quantity.from_str("5.0000"),
        Quantity.from_str("5.0000"),
        ts,
        ts,
    )


def _run(side: str) -> tuple[_OneTrade, FundingSettlementModule, Decimal]:
    engine = BacktestEngine(
        BacktestEngineConfig(trader_id="TESTER-001", logging=LoggingConfig(bypass_logging=True)),
    )
    module = FundingSettlementModule()
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
    data = [_quote(T0 + i * SEC) for i in (1, 2, 30, 59)]
    data.append(MarkPriceUpdate(IID, Price.from_str("60000.0"), T0 + 3 * SEC, T0 + 3 * SEC))
    data.append(
        FundingRateUpdate(
            IID,
            Decimal("0.0001"),
            T0 + 4 * SEC,
            T0 + 4 * SEC,
            interval=480,
            next_funding_ns=FUNDING_TS,
        ),
    )
    data += [_quote(FUNDING_TS - 1), _quote(FUNDING_TS + SEC), _quote(FUNDING_TS + 2 * SEC)]
    engine.add_data(data)
    strategy = _OneTrade(_Config(side=side))
    engine.add_strategy(strategy)
    engine.run()
    balance = engine.cache.account_for_venue(VENUE).balance_total(USDT).as_decimal()
    engine.dispose()
    return strategy, module, balance


def _balance_at(strategy: _OneTrade, ts: int) -> Decimal:
    return next(b for t, b in strategy.balances if t == ts)


@pytest.mark.parametrize(("side", "expected"), [("BUY", Decimal(-3)), ("SELL", Decimal(3))])
def test_funding_applied_exactly_at_funding_time(side: str, expected: Decimal) -> None:
    # -0.5 * 60000 * 0.0001 = -3 USDT for the long; the short receives +3.
    strategy, module, balance = _run(side)
    assert [(ts, iid, m.as_decimal()) for ts, iid, m in module.payments] == [
        (FUNDING_TS, IID, expected),
    ]
    assert _balance_at(strategy, FUNDING_TS - 1) == Decimal(100_000)  # not before
    assert _balance_at(strategy, FUNDING_TS + SEC) == Decimal(100_000) + expected
    assert balance == Decimal(100_000) + expected
    assert module.total() == {"USDT": expected}


def test_no_position_no_funding() -> None:
    _, module, balance = _run("NONE")
    assert module.payments == []
    assert balance == Decimal(100_000)


def test_payment_formula_by_hand() -> None:
    assert funding_payment(Decimal("0.5"), Decimal(60000), Decimal("0.0001")) == Decimal(-3)
    assert funding_payment(Decimal("-0.5"), Decimal(60000), Decimal("0.0001")) == Decimal(3)
    assert funding_payment(Decimal("2"), Decimal(60000), Decimal("-0.0002")) == Decimal(24)

    # inverse (COIN-M, qty in BTC as on the wire): long 1 BTC opened at 60000 is a 60000 USD face;
    # at mark 60000 its value is 1 BTC -> pays 0.0001 BTC; at mark 50000 it is 1.2 BTC -> 0.00012
    def inverse(qty: str, mark: int) -> Decimal:
        return funding_payment(
            Decimal(qty), Decimal(mark), Decimal("0.0001"), inverse=True, avg_px_open=Decimal(60000)
        )

    assert inverse("1", 60000) == Decimal("-0.0001")
    assert inverse("1", 50000) == Decimal("-0.00012")
    assert inverse("-1", 50000) == Decimal("0.00012")


def test_next_funding_time_on_utc_grid() -> None:
    eight_h = 8 * 3600 * SEC
    assert next_funding_time(0, 480) == eight_h
    assert next_funding_time(eight_h - 1, 480) == eight_h
    assert next_funding_time(eight_h, 480) == 2 * eight_h


def test_payments_readable_from_the_cache() -> None:
    from nautilus_trader.cache.cache import Cache

    from nautilus_bitget.backtest.funding import funding_cache_key
    from nautilus_bitget.backtest.funding import read_funding_payments

    cache = Cache()
    assert read_funding_payments(cache, "BITGET") == []
    cache.add(funding_cache_key("BITGET"), b'[[5, "BTCUSDT-PERP.BITGET", "-3.00000000", "USDT"]]')
    assert read_funding_payments(cache, "BITGET") == [
        (5, "BTCUSDT-PERP.BITGET", Decimal(-3), "USDT"),
    ]
