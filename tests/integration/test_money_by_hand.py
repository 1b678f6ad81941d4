"""
Funding and PnL by hand, tying the parsed instrument, the simulator and the backtest together.

Bitget (bitget-protocol.md 4.7, 9.1): funding = position value x rate, a positive rate means longs
pay; position value is ``size * mark`` (USDT-M / USDC-M, in the quote) or the USD face ``size *
entry`` divided by the mark (COIN-M, sizes in the base coin, in the base coin). COIN-M realized
PnL (long) = face x (1/entry - 1/exit); fees = size x rate in the base coin. Numbers below:

- long 1 BTC at 60000, mark 60000, rate 0.0001: USDT-M / USDC-M pay 6 (quote), COIN-M pays
  0.0001 BTC; at mark 50000 COIN-M pays 60000 / 50000 x 0.0001 = 0.00012 BTC;
- COIN-M 1 BTC long opened at 60000 and closed at 66000: 1 - 60000/66000 = 0.09090909 BTC
  before fees; taker fees 2 x 1 x 0.0006 = 0.0012 BTC.
"""

from __future__ import annotations

from decimal import Decimal

import msgspec
import pytest
from nautilus_trader.backtest.engine import BacktestEngine
from nautilus_trader.config import BacktestEngineConfig
from nautilus_trader.config import LoggingConfig
from nautilus_trader.config import StrategyConfig
from nautilus_trader.model.data import FundingRateUpdate
from nautilus_trader.model.data import MarkPriceUpdate
from nautilus_trader.model.data import QuoteTick
from nautilus_trader.model.enums import AccountType
from nautilus_trader.model.enums import BookType
from nautilus_trader.model.enums import OmsType
from nautilus_trader.model.enums import OrderSide
from nautilus_trader.model.identifiers import Venue
from nautilus_trader.model.instruments import CryptoPerpetual
from nautilus_trader.model.objects import Money
from nautilus_trader.model.objects import Price
from nautilus_trader.model.objects import Quantity
from nautilus_trader.trading.strategy import Strategy

from nautilus_bitget.backtest.funding import FundingSettlementModule
from nautilus_bitget.backtest.funding import funding_payment
from nautilus_bitget.backtest.inverse import InverseSettlementModule
from nautilus_bitget.constants import BitgetProductType
from nautilus_bitget.parsing.instruments import parse_contract_to_instrument
from nautilus_bitget.schemas.market import BitgetContract
from nautilus_bitget.sim.exchange import SimExchange


VENUE = Venue("BITGET")
SEC = 1_000_000_000
T0 = 1_700_000_000 * SEC
FUNDING_TS = T0 + 60 * SEC
RATE = Decimal("0.0001")
COIN_M_PNL = Decimal(1) - Decimal(60000) / Decimal(66000)  # 0.0909090909...
TAKER = Decimal("0.0006")

# symbol, product type, margin coin, hand-computed funding of long 1 BTC at 60000 (mark 60000)
CASES = [
    ("BTCUSDT", "USDT-FUTURES", "USDT", Decimal(-6)),
    ("BTCPERP", "USDC-FUTURES", "USDC", Decimal(-6)),
    ("BTCUSD", "COIN-FUTURES", "BTC", Decimal("-0.0001")),
]


def _sim() -> SimExchange:
    ex = SimExchange(seed=3, symbols=["BTCUSDT", "BTCPERP", "BTCUSD"], book_rate_hz=0.0)
    for sym in ("BTCUSDT", "BTCPERP", "BTCUSD"):
        ex.set_book(sym, [("59999.0", "10.000")], [("60000.0", "10.000")])
    return ex


def _order(symbol: str, pt: str, coin: str, side: str, trade_side: str | None = None) -> dict:
    body = {
        "symbol": symbol,
        "productType": pt,
        "marginMode": "crossed",
        "marginCoin": coin,
        "orderType": "market",
        "side": side,
        "size": "1.000",
    }
    if trade_side is not None:
        body["tradeSide"] = trade_side
    return body


def _parsed(ex: SimExchange, symbol: str, pt: str) -> CryptoPerpetual:
    row = ex.contracts[symbol].contract_row()
    return parse_contract_to_instrument(
        msgspec.convert(row, BitgetContract), BitgetProductType(pt), 0
    )


def _sim_funding(symbol: str, pt: str, coin: str, mark: str) -> Decimal:
    ex = _sim()
    ex.place_order("sim-key", _order(symbol, pt, coin, "buy"))
    ex.set_mark_price(symbol, mark)
    before = ex.account("sim-key").balances[coin]
    ex.settle_funding(symbol, RATE)
    return ex.account("sim-key").balances[coin] - before


# -- funding: parsed instrument x simulator x backtest --------------------------------------------


@pytest.mark.parametrize(("symbol", "pt", "coin", "expected"), CASES)
def test_funding_of_a_long_by_hand(symbol: str, pt: str, coin: str, expected: Decimal) -> None:
    ex = _sim()
    instrument = _parsed(ex, symbol, pt)
    assert instrument.get_settlement_currency().code == coin
    assert instrument.is_inverse == (pt == "COIN-FUTURES")
    # the formula with the parsed instrument's own multiplier and inverse flag
    by_formula = funding_payment(
        Decimal(1),
        Decimal(60000),
        RATE,
        multiplier=instrument.multiplier.as_decimal(),
        inverse=instrument.is_inverse,
        avg_px_open=Decimal(60000),
    )
    assert by_formula == expected
    # the simulator's own account (its bill says the same)
    assert _sim_funding(symbol, pt, coin, "60000") == expected
    # the backtest, settled by FundingSettlementModule on the parsed instrument
    paid, _ = _backtest(instrument, [(1, "BUY")], funding=True)
    assert paid == expected


def test_coin_m_funding_follows_the_mark_by_hand() -> None:
    # 60000 USD face at mark 50000 is worth 1.2 BTC: pays 0.00012 BTC; a short receives it
    assert _sim_funding("BTCUSD", "COIN-FUTURES", "BTC", "50000") == Decimal("-0.00012")
    assert funding_payment(
        Decimal(-1), Decimal(50000), RATE, inverse=True, avg_px_open=Decimal(60000)
    ) == Decimal("0.00012")


# -- COIN-M PnL: simulator account x backtest ----------------------------------------------------


def test_coin_m_round_trip_pnl_in_the_simulator_account() -> None:
    ex = _sim()
    before = ex.account("sim-key").balances["BTC"]
    ex.place_order("sim-key", _order("BTCUSD", "COIN-FUTURES", "BTC", "buy"))
    ex.set_book("BTCUSD", [("66000.0", "10.000")], [("66000.5", "10.000")])
    ex.place_order("sim-key", _order("BTCUSD", "COIN-FUTURES", "BTC", "sell"))
    change = ex.account("sim-key").balances["BTC"] - before
    assert abs(change - (COIN_M_PNL - 2 * TAKER)) < Decimal("0.00000002")
    bills = ex.bills("sim-key", "COIN-FUTURES")
    assert {b.coin for b in bills} == {"BTC"}  # fees and PnL in BTC
    assert sum(b.fee for b in bills) == -2 * TAKER


@pytest.mark.parametrize("fees", [False, True])
def test_coin_m_round_trip_pnl_in_the_backtest(fees: bool) -> None:
    instrument = _parsed(_sim(), "BTCUSD", "COIN-FUTURES")
    if not fees:
        instrument = CryptoPerpetual.from_dict(
            {**CryptoPerpetual.to_dict(instrument), "maker_fee": "0", "taker_fee": "0"}
        )
    _, change = _backtest(instrument, [(1, "BUY"), (3, "SELL")], funding=False)
    expected = COIN_M_PNL - (2 * TAKER if fees else 0)
    assert abs(change - expected) < Decimal("0.00000003")


# -- backtest harness ----------------------------------------------------------------------------


class _Config(StrategyConfig, frozen=True):
    orders: tuple[tuple[int, str], ...] = ()  # (quote index, side)


class _Script(Strategy):
    def __init__(self, config: _Config, instrument_id) -> None:
        super().__init__(config)
        self.iid = instrument_id
        self.seen = 0

    def on_start(self) -> None:
        self.subscribe_quote_ticks(self.iid)

    def on_quote_tick(self, tick: QuoteTick) -> None:
        self.seen += 1
        for index, side in self.config.orders:
            if index == self.seen:
                qty = Quantity(1, self.cache.instrument(self.iid).size_precision)
                self.submit_order(self.order_factory.market(self.iid, OrderSide[side], qty))


def _quote(instrument: CryptoPerpetual, bid: str, ask: str, ts: int) -> QuoteTick:
    p = instrument.price_precision
    q = instrument.size_precision
    return QuoteTick(
        instrument.id,
        Price(Decimal(bid), p),
        Price(Decimal(ask), p),
        Quantity(10, q),
        Quantity(10, q),
        ts,
        ts,
    )


def _backtest(
    instrument: CryptoPerpetual, orders: list[tuple[int, str]], *, funding: bool
) -> tuple[Decimal, Decimal]:
    """Run quotes 60000 (x2) then 66000 (x3); return (funding paid, balance change)."""
    engine = BacktestEngine(
        BacktestEngineConfig(trader_id="TESTER-001", logging=LoggingConfig(bypass_logging=True)),
    )
    settlement = instrument.get_settlement_currency()
    start = Money(10 if instrument.is_inverse else 1_000_000, settlement)
    funding_module = FundingSettlementModule()
    engine.add_venue(
        venue=VENUE,
        oms_type=OmsType.NETTING,
        account_type=AccountType.MARGIN,
        starting_balances=[start],
        base_currency=settlement,
        default_leverage=Decimal(10),
        book_type=BookType.L1_MBP,
        modules=[funding_module, InverseSettlementModule()],
    )
    engine.add_instrument(instrument)
    data: list = [
        _quote(instrument, "59999.0", "60000.0", T0 + SEC),
        _quote(instrument, "59999.0", "60000.0", T0 + 2 * SEC),
    ]
    if funding:
        ts = T0 + 3 * SEC
        data.append(
            MarkPriceUpdate(instrument.id, Price(60000, instrument.price_precision), ts, ts)
        )
        data.append(FundingRateUpdate(instrument.id, RATE, ts, ts, next_funding_ns=FUNDING_TS))
    data += [_quote(instrument, "66000.0", "66000.5", FUNDING_TS + i * SEC) for i in (1, 2, 3)]
    engine.add_data(data)
    engine.add_strategy(_Script(_Config(orders=tuple(orders)), instrument.id))
    engine.run()
    balance = engine.cache.account_for_venue(VENUE).balance_total(settlement).as_decimal()
    paid = sum((m.as_decimal() for _, _, m in funding_module.payments), Decimal(0))
    engine.dispose()
    return paid, balance - start.as_decimal()
