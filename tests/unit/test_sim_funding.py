"""Simulator funding: payments by hand, contract_settle_fee bills, schedule on the grid."""

from __future__ import annotations

from decimal import Decimal

from nautilus_bitget.sim.events import FundingSettled
from nautilus_bitget.sim.exchange import SimExchange


T0 = 1_700_000_000_000
USDT = "USDT-FUTURES"


def market_order(side: str, size: str, symbol="BTCUSDT", pt=USDT, coin="USDT") -> dict:
    return {
        "symbol": symbol,
        "productType": pt,
        "marginMode": "crossed",
        "marginCoin": coin,
        "orderType": "market",
        "side": side,
        "size": size,
    }


def make(clock) -> SimExchange:
    ex = SimExchange(
        clock=clock, seed=11, symbols=["BTCUSDT", "BTCUSD"], funding_interval_ms=60_000
    )
    ex.create_account("other", "s", "p")
    ex.set_book("BTCUSDT", [("60000.0", "10.000")], [("60000.5", "10.000")])
    ex.set_book("BTCUSD", [("60000.0", "10.000")], [("60000.5", "10.000")])
    return ex


def test_long_pays_and_short_receives():
    ex = make(lambda: T0)
    ex.place_order("sim-key", market_order("buy", "0.500"))
    ex.place_order("other", market_order("sell", "0.500"))
    long_before = ex.account("sim-key").balances["USDT"]
    short_before = ex.account("other").balances["USDT"]
    events: list = []
    ex.add_listener(events.append)
    ex.set_mark_price("BTCUSDT", "60000.0")
    ex.settle_funding("BTCUSDT", "0.0001")
    # 0.5 * 60000 * 0.0001 = 3 USDT
    assert ex.account("sim-key").balances["USDT"] - long_before == Decimal(-3)
    assert ex.account("other").balances["USDT"] - short_before == Decimal(3)
    bill = ex.bills("sim-key", USDT, business_type="contract_settle_fee")[0]
    assert (bill.amount, bill.fee, bill.symbol, bill.coin) == (
        Decimal(-3),
        Decimal(0),
        "BTCUSDT",
        "USDT",
    )
    assert ex.bills("other", USDT, business_type="contract_settle_fee")[0].amount == Decimal(3)
    assert ex.positions("sim-key", USDT)[0].total_fee == Decimal(-3)
    settled = [e for e in events if isinstance(e, FundingSettled)]
    assert len(settled) == 1
    assert sorted(settled[0].payments) == [
        ("other", "short", Decimal(3)),
        ("sim-key", "long", Decimal(-3)),
    ]


def test_inverse_funding_in_base_coin():
    ex = make(lambda: T0)
    ex.place_order("sim-key", market_order("buy", "1.000", "BTCUSD", "COIN-FUTURES", "BTC"))
    before = ex.account("sim-key").balances["BTC"]
    ex.set_mark_price("BTCUSD", "60000.5")  # the entry (the ask)
    ex.settle_funding("BTCUSD", "0.0001")
    # size in BTC: face 1.0 * 60000.5 USD, worth 1 BTC at the mark: 1 * 0.0001 = 0.0001 BTC
    assert ex.account("sim-key").balances["BTC"] - before == Decimal("-0.0001")
    # at mark 50000.5 the same face is worth 60000.5 / 50000.5 BTC (bitget-protocol.md 4.7)
    ex.set_mark_price("BTCUSD", "50000.5")
    before = ex.account("sim-key").balances["BTC"]
    ex.settle_funding("BTCUSD", "0.0001")
    expected = (-Decimal("60000.5") / Decimal("50000.5") * Decimal("0.0001")).quantize(
        Decimal("0.00000001")
    )
    assert ex.account("sim-key").balances["BTC"] - before == expected


def test_scheduled_settlement_advances_next_funding_time():
    now = [T0]
    ex = make(lambda: now[0])
    ex.book_rate_hz = 0.0  # no generated messages: keep the book fixed
    ex.place_order("sim-key", market_order("buy", "0.500"))
    ex.set_mark_price("BTCUSDT", "60000.0")
    ex.markets["BTCUSDT"].funding_rate = Decimal("0.0001")
    first = ex.funding("BTCUSDT").next_funding_time
    assert first == 1_700_000_040_000  # next whole minute on the grid
    now[0] = first - 1
    ex.step()
    assert ex.bills("sim-key", USDT, business_type="contract_settle_fee") == []
    now[0] = first
    ex.step()
    bills = ex.bills("sim-key", USDT, business_type="contract_settle_fee")
    assert [(b.amount, b.c_time) for b in bills] == [(Decimal(-3), first)]
    assert ex.funding("BTCUSDT").next_funding_time == first + 60_000
    assert ex.funding_history("BTCUSDT") == [("0.0001", first)]


def test_default_funding_grid_is_8h():
    ex = SimExchange(clock=lambda: T0, seed=1, symbols=["BTCUSDT"])
    info = ex.funding("BTCUSDT")
    assert info.next_funding_time % (8 * 3_600_000) == 0
    assert 0 < info.next_funding_time - T0 <= 8 * 3_600_000
    assert info.interval_hours == 8
