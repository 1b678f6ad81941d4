"""
Order and fill row meaning by hand (bitget-protocol.md 5.5, 9.4): reduce-only and hedge closes,
the position a row acts on, fees from ``fillFee`` or ``feeDetail`` (deductions included).
"""

from __future__ import annotations

from decimal import Decimal

from nautilus_trader.model.enums import OrderSide
from nautilus_trader.model.enums import OrderStatus
from nautilus_trader.model.enums import OrderType
from nautilus_trader.model.enums import TimeInForce
from nautilus_trader.model.identifiers import AccountId
from nautilus_trader.model.identifiers import ClientOrderId
from nautilus_trader.model.objects import Price
from nautilus_trader.model.objects import Quantity

from nautilus_bitget.parsing import execution as px
from tests.unit.test_order_mapping import make_instrument


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


# -- reports, every field ---------------------------------------------------------------------


ACCOUNT = AccountId("BITGET-master")
MS = 1_000_000


def _order_row(**kw) -> dict:
    row = {
        "orderId": "11",
        "clientOid": "C1",
        "symbol": "BTCUSDT",
        "size": "0.020",
        "price": "65000.1",
        "orderType": "limit",
        "force": "ioc",
        "side": "buy",
        "posMode": "one_way_mode",
        "status": "live",
        "baseVolume": "0.005",
        "accBaseVolume": "0.015",
        "priceAvg": "64999.5",
        "cancelReason": "",
        "cTime": "1700000000000",
        "uTime": "1700000001000",
    }
    return {**row, **kw}


def test_order_report_every_field_rest_and_ws() -> None:
    inst = make_instrument()
    report = px.parse_order_status_report(_order_row(), inst, ACCOUNT, 7)
    assert (report.account_id, report.instrument_id) == (ACCOUNT, inst.id)
    assert report.client_order_id == ClientOrderId("C1")
    assert report.venue_order_id.value == "11"
    assert (report.order_side, report.order_type, report.time_in_force) == (
        OrderSide.BUY,
        OrderType.LIMIT,
        TimeInForce.IOC,
    )
    # live with a fill is partially filled; REST reads baseVolume, WS accBaseVolume
    assert report.order_status == OrderStatus.PARTIALLY_FILLED
    assert (report.quantity, report.filled_qty) == (
        Quantity.from_str("0.020"),
        Quantity.from_str("0.005"),
    )
    assert (report.price, report.avg_px) == (Price.from_str("65000.1"), Decimal("64999.5"))
    assert (report.ts_accepted, report.ts_last, report.cancel_reason) == (
        1_700_000_000_000 * MS,
        1_700_000_001_000 * MS,
        None,
    )
    ws = px.parse_order_status_report(_order_row(), inst, ACCOUNT, 7, ws=True)
    assert ws.filled_qty == Quantity.from_str("0.015")
    # ``state`` when ``status`` is absent; unknown statuses are accepted; times default
    canceled = px.parse_order_status_report(
        _order_row(status=None, state="canceled", cancelReason="user", cTime="", uTime=""),
        inst,
        ACCOUNT,
        7,
    )
    assert (canceled.order_status, canceled.cancel_reason) == (OrderStatus.CANCELED, "user")
    assert (canceled.ts_accepted, canceled.ts_last) == (7, 7)
    fresh = px.parse_order_status_report(
        _order_row(status="brand_new", baseVolume="0", force="weird", priceAvg=""),
        inst,
        ACCOUNT,
        7,
    )
    assert (fresh.order_status, fresh.time_in_force, fresh.avg_px) == (
        OrderStatus.ACCEPTED,
        TimeInForce.GTC,
        None,
    )
    market = px.parse_order_status_report(_order_row(orderType="market"), inst, ACCOUNT, 7)
    assert market.price is None


def test_plan_report_every_field() -> None:
    inst = make_instrument()
    row = {
        "orderId": "21",
        "clientOid": "P1",
        "symbol": "BTCUSDT",
        "planType": "normal_plan",
        "size": "0.010",
        "triggerPrice": "60000.0",
        "triggerType": "mark_price",
        "side": "sell",
        "orderType": "market",
        "posMode": "one_way_mode",
        "planStatus": "live",
        "cTime": "1700000000000",
        "uTime": "1700000002000",
    }
    report = px.parse_plan_status_report(row, inst, ACCOUNT, 7)
    assert (report.account_id, report.instrument_id, report.order_status) == (
        ACCOUNT,
        inst.id,
        OrderStatus.ACCEPTED,
    )
    assert report.client_order_id == ClientOrderId("P1")
    assert (report.quantity, report.filled_qty, report.time_in_force) == (
        Quantity.from_str("0.010"),
        Quantity.from_str("0.000"),
        TimeInForce.GTC,
    )
    assert (report.ts_accepted, report.ts_last) == (1_700_000_000_000 * MS, 1_700_000_002_000 * MS)
    ws = px.parse_plan_status_report(
        {**row, "planStatus": None, "status": "cancelled", "clientOid": "", "uTime": ""},
        inst,
        ACCOUNT,
        7,
        client_order_id=None,
    )
    assert (ws.order_status, ws.client_order_id, ws.ts_last) == (
        OrderStatus.CANCELED,
        None,
        1_700_000_000_000 * MS,
    )
    named = px.parse_plan_status_report(
        row, inst, ACCOUNT, 7, client_order_id=ClientOrderId("MINE")
    )
    assert named.client_order_id == ClientOrderId("MINE")
