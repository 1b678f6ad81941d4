"""
Position reports and margins by hand (bitget-protocol.md 4.7, 5.3, 9.1): sides, flat rows,
timestamps, and maintenance margin = position value x keepMarginRate (COIN-M value in the base
coin: USD face ``total * openPriceAvg`` / mark).
"""

from __future__ import annotations

from decimal import Decimal

import msgspec
from nautilus_trader.model.currencies import BTC
from nautilus_trader.model.currencies import USDT
from nautilus_trader.model.enums import PositionSide
from nautilus_trader.model.identifiers import AccountId
from nautilus_trader.model.identifiers import PositionId
from nautilus_trader.model.objects import Money
from nautilus_trader.model.objects import Quantity

from nautilus_bitget.constants import BitgetProductType
from nautilus_bitget.parsing import execution as px
from nautilus_bitget.parsing.instruments import parse_contract_to_instrument
from nautilus_bitget.schemas.market import BitgetContract
from nautilus_bitget.sim.contracts import default_contracts
from tests.unit.test_order_mapping import make_instrument


ACCOUNT = AccountId("BITGET-master")
TS = 7


def _btcusd():
    row = default_contracts()["BTCUSD"].contract_row()
    return parse_contract_to_instrument(
        msgspec.convert(row, BitgetContract), BitgetProductType.COIN_FUTURES, 0
    )


def _row(**kw) -> dict:
    base = {
        "symbol": "BTCUSDT",
        "holdSide": "long",
        "total": "0.500",
        "openPriceAvg": "60000",
        "markPrice": "62000",
        "keepMarginRate": "0.004",
        "marginSize": "3000",
        "uTime": "1700000000000",
    }
    return {**base, **kw}


def test_linear_margins_summed_over_hedge_sides() -> None:
    inst = make_instrument()
    rows = [(_row(), inst), (_row(holdSide="short", total="0.250", marginSize="1500"), inst)]
    (margin,) = px.parse_margins(rows, lambda i, r: USDT)
    assert margin.instrument_id == inst.id
    assert margin.initial == Money(Decimal(4500), USDT)
    # (0.5 + 0.25) x 62000 x 0.004 = 186
    assert margin.maintenance == Money(Decimal(186), USDT)


def test_linear_margin_uses_the_entry_without_a_mark() -> None:
    (margin,) = px.parse_margins([(_row(markPrice=""), make_instrument())], lambda i, r: USDT)
    assert margin.maintenance == Money(Decimal(120), USDT)  # 0.5 x 60000 x 0.004


def test_coin_m_maintenance_in_btc_from_the_face() -> None:
    inst = _btcusd()
    row = _row(symbol="BTCUSD", total="1.000", marginSize="0.1")
    (margin,) = px.parse_margins([(row, inst)], lambda i, r: BTC)
    # face 1 x 60000 USD at mark 62000 = 0.96774194 BTC x 0.004
    expected = Decimal(1) * Decimal(60000) / Decimal(62000) * Decimal("0.004")
    assert margin.maintenance == Money(expected, BTC)
    assert margin.initial == Money(Decimal("0.1"), BTC)


def test_position_report_sides_quantity_and_times() -> None:
    inst = make_instrument()
    long = px.parse_position_report(_row(), inst, ACCOUNT, TS, hedge=True)
    assert (long.position_side, long.quantity, long.avg_px_open) == (
        PositionSide.LONG,
        Quantity.from_str("0.500"),
        Decimal(60000),
    )
    assert long.ts_last == 1_700_000_000_000 * 1_000_000 and long.ts_init == TS
    assert long.venue_position_id == PositionId(f"{inst.id}-LONG")
    short = px.parse_position_report(_row(holdSide="short"), inst, ACCOUNT, TS, hedge=True)
    assert short.position_side == PositionSide.SHORT
    assert short.venue_position_id == PositionId(f"{inst.id}-SHORT")
    flat = px.parse_position_report(
        _row(total="0", openPriceAvg="0", uTime=""), inst, ACCOUNT, TS, hedge=False
    )
    assert (flat.position_side, flat.quantity, flat.avg_px_open) == (
        PositionSide.FLAT,
        Quantity.from_str("0.000"),
        None,
    )
    assert flat.ts_last == TS and flat.venue_position_id is None
