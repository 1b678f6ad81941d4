"""
Order and fill row meaning by hand (bitget-protocol.md 5.5, 9.4): reduce-only and hedge closes,
the position a row acts on, fees from ``fillFee`` or ``feeDetail`` (deductions included).
"""

from __future__ import annotations

from decimal import Decimal

from nautilus_bitget.parsing import execution as px


def test_is_close() -> None:
    assert px.is_close({"reduceOnly": "YES", "posMode": "one_way_mode"})
    assert px.is_close({"reduceOnly": "yes"})
    assert not px.is_close({"reduceOnly": "NO", "posMode": "one_way_mode"})
    assert px.is_close({"posMode": "hedge_mode", "tradeSide": "close"})
    assert not px.is_close({"posMode": "hedge_mode", "tradeSide": "open"})
    assert not px.is_close({"posMode": "one_way_mode", "tradeSide": "close"})


def test_hold_side_of() -> None:
    assert px.hold_side_of({"posSide": "long", "side": "sell"}) == "long"
    assert px.hold_side_of({"posSide": "short", "side": "buy"}) == "short"
    assert px.hold_side_of({"posSide": "net", "side": "buy"}) == "long"
    assert px.hold_side_of({"side": "sell"}) == "short"
    assert px.hold_side_of({"side": "sell"}, side_is_direction=True) is None
    assert px.hold_side_of({}) is None


def test_fee_of_every_source() -> None:
    assert px.fee_of({"fillFee": "-0.36", "fillFeeCoin": "USDT"}) == (Decimal("-0.36"), "USDT")
    assert px.fee_of({"fillFee": "-0.36", "fillFeeCoin": ""}) == (Decimal("-0.36"), None)
    detail = {
        "feeDetail": [
            {"feeCoin": "USDT", "deduction": "no", "totalFee": "-0.5", "fee": "-9"},
            {"feeCoin": "BGB", "deduction": "yes", "totalDeductionFee": "-0.25", "totalFee": "-7"},
            {"feeCoin": "USDT", "fee": "-0.125"},
        ],
    }
    # totalFee when present (not fee), totalDeductionFee for a deduction, fee as the fallback;
    # the coin is the first item's
    assert px.fee_of(detail) == (Decimal("-0.875"), "USDT")
    assert px.fee_of({"feeDetail": []}) == (Decimal(0), None)
    assert px.fee_of({}) == (Decimal(0), None)
