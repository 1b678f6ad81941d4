"""
COIN-M live against the simulator, by hand: a 1 BTC long opened at 60000 and closed at 66000
realizes 1 - 60000/66000 BTC before fees (bitget-protocol.md 9.1); the taker fees (1 x 0.0006 BTC
each way) and the funding (60000 USD face / mark 60000 x 0.0001 = 0.0001 BTC, 4.7) are in BTC.

The Nautilus side keeps Bitget's base-coin sizes (architecture.md, "COIN-M quantities"): the
account balance reported by the venue carries Bitget's PnL.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from nautilus_trader.model.currencies import BTC
from nautilus_trader.model.enums import OrderSide
from nautilus_trader.model.enums import OrderStatus
from nautilus_trader.model.events import OrderFilled
from nautilus_trader.model.identifiers import InstrumentId
from nautilus_trader.model.objects import Quantity

from nautilus_bitget.constants import SIM_API_KEY
from tests.integration.test_execution_client import Stack


pytestmark = pytest.mark.timeout(90)

INVERSE = InstrumentId.from_str("BTCUSD-PERP.BITGET")
ONE = Quantity.from_str("1.000")
TAKER_FEE = Decimal("0.0006")  # 1 BTC x the simulator's taker rate 0.0006
PNL = Decimal(1) - Decimal(60000) / Decimal(66000)
FUNDING = Decimal("-0.0001")
TOLERANCE = Decimal("0.00000003")  # 8-decimal rounding of each money amount


def _commissions(s: Stack, order) -> list[Decimal]:
    events = s.cache.order(order.client_order_id).events
    fills = [e for e in events if isinstance(e, OrderFilled)]
    assert {f.commission.currency.code for f in fills} == {"BTC"}
    return [f.commission.as_decimal() for f in fills]


async def test_coin_m_round_trip_realizes_bitget_pnl_in_btc(sim_factory) -> None:
    sim = await sim_factory(book_rate_hz=0.0)
    ex = sim.exchange
    ex.set_book("BTCUSD", [("59999.0", "10.000")], [("60000.0", "10.000")])
    s = Stack(sim, "one_way", product_types=("COIN-FUTURES",))
    await s.start()
    try:
        # The balances the client reports from the venue (AccountState events). Nautilus' Account
        # object is not read: once any BacktestEngine with a BITGET venue has run in the process
        # (other tests), NautilusTrader's global AccountFactory marks BITGET accounts "calculated"
        # and adds its own (quote-unit) fill PnL on top of the venue's reports.
        reports: list = []
        s.msgbus.subscribe(topic="events.account.*", handler=reports.append)

        def reported() -> Decimal:
            return next(
                b.total.as_decimal()
                for e in reversed(reports)
                if e.is_reported
                for b in e.balances
                if b.currency == BTC
            )

        start = ex.account(SIM_API_KEY).balances["BTC"]

        buy = s.submit(s.strategy.order_factory.market(INVERSE, OrderSide.BUY, ONE))
        await s.until_status(buy, OrderStatus.FILLED)
        assert s.cache.order(buy.client_order_id).avg_px == 60000.0
        assert sum(_commissions(s, buy)) == TAKER_FEE

        # funding while open: received by the client from the venue's bill, in BTC
        received: list = []
        s.msgbus.subscribe(topic=f"bitget.funding.{INVERSE}", handler=received.append)
        ex.set_mark_price("BTCUSD", "60000")
        ex.settle_funding("BTCUSD", Decimal("0.0001"))
        await s.client.poll_funding()
        assert [p.amount.as_decimal() for p in received] == [FUNDING]
        assert received[0].amount.currency == BTC

        ex.set_book("BTCUSD", [("66000.0", "10.000")], [("66000.5", "10.000")])
        sell = s.submit(
            s.strategy.order_factory.market(INVERSE, OrderSide.SELL, ONE, reduce_only=True)
        )
        await s.until_status(sell, OrderStatus.FILLED)
        assert s.cache.order(sell.client_order_id).avg_px == 66000.0
        assert sum(_commissions(s, sell)) == TAKER_FEE

        # the simulator's own account, then the account Nautilus holds (reported by the venue)
        expected = PNL - 2 * TAKER_FEE + FUNDING
        sim_change = ex.account(SIM_API_KEY).balances["BTC"] - start
        assert abs(sim_change - expected) < TOLERANCE

        def change() -> Decimal:
            return reported() - start if reports else Decimal(0)

        await s.until(
            lambda: abs(change() - expected) < TOLERANCE,
            wait=15.0,
            what=f"reported balance change {expected}",
        )
        assert not ex.positions(SIM_API_KEY, "COIN-FUTURES")
    finally:
        await s.stop()
