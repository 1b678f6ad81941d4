"""Private samples (tests/fixtures/bitget) -> Nautilus reports, with exact values."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import msgspec
import pytest
from nautilus_trader.model.currencies import USDT
from nautilus_trader.model.enums import LiquiditySide
from nautilus_trader.model.enums import OrderSide
from nautilus_trader.model.enums import OrderStatus
from nautilus_trader.model.enums import OrderType
from nautilus_trader.model.enums import PositionSide
from nautilus_trader.model.enums import TimeInForce
from nautilus_trader.model.enums import TriggerType
from nautilus_trader.model.identifiers import AccountId
from nautilus_trader.model.identifiers import InstrumentId
from nautilus_trader.model.identifiers import PositionId
from nautilus_trader.model.objects import Money
from nautilus_trader.model.objects import Price
from nautilus_trader.model.objects import Quantity

from nautilus_bitget.parsing import execution as px
from nautilus_bitget.schemas.account import BitgetAccount
from nautilus_bitget.schemas.account import BitgetBills
from nautilus_bitget.schemas.trade import BitgetOrderDetail
from nautilus_bitget.schemas.trade import BitgetPendingOrders
from nautilus_bitget.schemas.trade import BitgetPlanOrders
from nautilus_bitget.schemas.ws_private import BitgetWsAccount
from nautilus_bitget.schemas.ws_private import BitgetWsAlgoOrder
from nautilus_bitget.schemas.ws_private import BitgetWsFill
from nautilus_bitget.schemas.ws_private import BitgetWsOrder
from nautilus_bitget.schemas.ws_private import BitgetWsPosition
from tests.samples import SAMPLES
from tests.unit.test_order_mapping import make_instrument


ACCOUNT = AccountId("BITGET-master")
TS = 1_000


def load(name: str, typ: type) -> object:
    path = SAMPLES / name
    data = json.loads(path.read_text())["data"]
    return msgspec.convert(data, typ)


@pytest.fixture
def btc():
    return make_instrument()


@pytest.fixture
def eth():
    from nautilus_trader.model.currencies import ETH
    from nautilus_trader.model.identifiers import Symbol
    from nautilus_trader.model.identifiers import Venue
    from nautilus_trader.model.instruments import CryptoPerpetual

    return CryptoPerpetual(
        instrument_id=InstrumentId(Symbol("ETHUSDT-PERP"), Venue("BITGET")),
        raw_symbol=Symbol("ETHUSDT"),
        base_currency=ETH,
        quote_currency=USDT,
        settlement_currency=USDT,
        is_inverse=False,
        price_precision=2,
        size_precision=2,
        price_increment=Price.from_str("0.01"),
        size_increment=Quantity.from_str("0.01"),
        ts_event=0,
        ts_init=0,
        margin_init=Decimal("0.05"),
        margin_maint=Decimal("0.005"),
        maker_fee=Decimal("0.0002"),
        taker_fee=Decimal("0.0006"),
    )


def test_ws_orders_fill_message(btc):
    (row,) = load("doc_ws_orders.json", list[BitgetWsOrder])
    report = px.parse_order_status_report(row, btc, ACCOUNT, TS, ws=True)
    assert report.venue_order_id.value == "1"
    assert report.client_order_id.value == "1"
    assert report.order_side == OrderSide.BUY
    assert report.order_type == OrderType.MARKET
    assert report.order_status == OrderStatus.FILLED
    assert report.time_in_force == TimeInForce.GTC
    assert report.quantity == Quantity.from_str("0.010")
    assert report.filled_qty == Quantity.from_str("0.010")  # accBaseVolume, not baseVolume
    assert report.avg_px == Decimal("27000.5")
    assert report.price is None
    assert report.venue_position_id == PositionId("BTCUSDT-PERP.BITGET-LONG")
    assert report.ts_accepted == 1695718781129 * 1_000_000
    assert report.ts_last == 1695718781146 * 1_000_000

    fill = px.parse_fill_report(row, btc, ACCOUNT, TS)
    assert fill.trade_id.value == "1111111111"
    assert fill.last_px == Price.from_str("27000.5")
    assert fill.last_qty == Quantity.from_str("0.010")
    assert fill.commission == Money(Decimal("0.162003"), USDT)  # fee -0.162003 paid
    assert fill.liquidity_side == LiquiditySide.TAKER
    assert fill.order_side == OrderSide.BUY
    assert fill.ts_event == 1695718781146 * 1_000_000
    assert fill.venue_position_id == PositionId("BTCUSDT-PERP.BITGET-LONG")


def test_ws_fill_channel(btc):
    (row,) = load("doc_ws_fill.json", list[BitgetWsFill])
    fill = px.parse_fill_report(row, btc, ACCOUNT, TS, side_is_direction=True)
    assert fill.venue_order_id.value == "111"
    assert fill.trade_id.value == "222"
    assert fill.last_px == Price.from_str("51000.5")
    assert fill.last_qty == Quantity.from_str("0.010")
    assert fill.commission == Money(Decimal("0.183717"), USDT)
    assert fill.liquidity_side == LiquiditySide.TAKER
    assert fill.order_side == OrderSide.BUY
    assert fill.venue_position_id is None  # one-way mode
    assert fill.ts_event == 1703577336606 * 1_000_000


def test_ws_positions_hedge_short(eth):
    (row,) = load("doc_ws_positions.json", list[BitgetWsPosition])
    report = px.parse_position_report(row, eth, ACCOUNT, TS, hedge=True)
    assert report.position_side == PositionSide.SHORT
    assert report.quantity == Quantity.from_str("0.10")
    assert report.avg_px_open == Decimal("1900")
    assert report.venue_position_id == PositionId("ETHUSDT-PERP.BITGET-SHORT")
    one_way = px.parse_position_report(row, eth, ACCOUNT, TS, hedge=False)
    assert one_way.venue_position_id is None
    margins = px.parse_margins([(row, eth)], lambda inst, r: USDT)
    assert margins[0].initial == Money(Decimal("9.5"), USDT)
    assert margins[0].instrument_id == eth.id


def test_ws_account_balance_identity():
    (row,) = load("doc_ws_account.json", list[BitgetWsAccount])
    balance = px.parse_balance(row.equity, row.available, USDT)
    # available (11490.17) > equity (11489.97): free is clamped to total
    assert balance.total == Money(Decimal("11489.96841069"), USDT)
    assert balance.free == balance.total
    assert balance.locked == Money(0, USDT)
    assert balance.total - balance.locked == balance.free


def test_rest_accounts_and_single():
    (row,) = load("rest_accounts.json", list[BitgetAccount])
    balance = px.parse_balance(row.accountEquity, row.available, USDT)
    assert balance.total == Money(0, USDT)
    assert balance.total - balance.locked == balance.free
    single = load("rest_account_single.json", BitgetAccount)
    assert single.posMode == "hedge_mode"
    locked = px.parse_balance("100.123456789", "40.5", USDT)
    assert locked.total == Money(Decimal("100.12345679"), USDT)
    assert locked.free == Money(Decimal("40.5"), USDT)
    assert locked.locked == Money(Decimal("59.62345679"), USDT)


def test_rest_order_detail(btc):
    row = load("rest_order_detail.json", BitgetOrderDetail)
    report = px.parse_order_status_report(row, btc, ACCOUNT, TS)
    assert report.venue_order_id.value == "1111465253393825792"
    assert report.client_order_id.value == "1111465253431574529"
    assert report.order_status == OrderStatus.ACCEPTED  # state "live"
    assert report.order_type == OrderType.LIMIT
    assert report.price == Price.from_str("27000.0")
    assert report.quantity == Quantity.from_str("0.001")
    assert report.filled_qty == Quantity.from_str("0.000")
    assert report.avg_px is None
    assert report.reduce_only is False
    assert report.order_side == OrderSide.BUY
    assert report.venue_position_id == PositionId("BTCUSDT-PERP.BITGET-LONG")
    no_ids = px.parse_order_status_report(row, btc, ACCOUNT, TS, use_position_ids=False)
    assert no_ids.venue_position_id is None


def test_rest_orders_pending(btc):
    page = load("rest_orders_pending.json", BitgetPendingOrders)
    (row,) = page.entrustedList
    report = px.parse_order_status_report(row, btc, ACCOUNT, TS)
    assert report.order_status == OrderStatus.ACCEPTED
    assert report.price == Price.from_str("25000.0")
    assert report.quantity == Quantity.from_str("0.002")
    assert report.ts_accepted == 1700725524378 * 1_000_000


def test_plan_pending_and_history(btc):
    (live,) = load("rest_orders_plan_pending.json", BitgetPlanOrders).entrustedList
    report = px.parse_plan_status_report(live, btc, ACCOUNT, TS)
    assert report.order_type == OrderType.STOP_LIMIT
    assert report.order_status == OrderStatus.ACCEPTED
    assert report.trigger_price == Price.from_str("24000.0")
    assert report.price == Price.from_str("27000.0")
    assert report.trigger_type == TriggerType.MARK_PRICE
    (done,) = load("rest_orders_plan_history.json", BitgetPlanOrders).entrustedList
    assert px.parse_plan_status_report(done, btc, ACCOUNT, TS).order_status == OrderStatus.CANCELED
    (algo,) = load("doc_ws_orders_algo.json", list[BitgetWsAlgoOrder])
    algo_report = px.parse_plan_status_report(algo, btc, ACCOUNT, TS)
    assert algo_report.order_type == OrderType.STOP_MARKET
    assert algo_report.trigger_type == TriggerType.LAST_PRICE
    assert algo_report.order_status == OrderStatus.ACCEPTED


def test_hedge_close_direction(btc):
    row = {
        "orderId": "9",
        "clientOid": "C9",
        "side": "buy",
        "tradeSide": "close",
        "posMode": "hedge_mode",
        "posSide": "long",
        "orderType": "limit",
        "price": "65000.1",
        "size": "0.010",
        "status": "partially_filled",
        "baseVolume": "0.004",
        "force": "post_only",
        "cTime": "1",
        "uTime": "2",
    }
    report = px.parse_order_status_report(row, btc, ACCOUNT, TS)
    assert report.order_side == OrderSide.SELL  # close long sells
    assert report.order_status == OrderStatus.PARTIALLY_FILLED
    assert report.post_only is True
    assert report.reduce_only is True
    assert report.venue_position_id == PositionId("BTCUSDT-PERP.BITGET-LONG")
    fill = px.parse_fill_report(
        {
            **row,
            "tradeId": "T1",
            "price": "65000.1",
            "tradeScope": "maker",
            "feeDetail": [{"feeCoin": "USDT", "deduction": "no", "totalFee": "0.01"}],
        },
        btc,
        ACCOUNT,
        TS,
    )
    assert fill.order_side == OrderSide.SELL
    assert fill.liquidity_side == LiquiditySide.MAKER
    assert fill.commission == Money(Decimal("-0.01"), USDT)  # rebate


def test_funding_bill_shape():
    bills = load("rest_account_bill_funding_fee.json", BitgetBills)
    (bill,) = bills.bills
    assert bill.businessType == "contract_settle_fee"
    assert px.dec(bill.amount) == Decimal("-0.004992")


def test_helpers():
    assert px.ms_to_ns("1700000000000") == 1_700_000_000_000_000_000
    assert px.ms_to_ns("", 5) == 5
    assert px.ORDER_STATUS["canceled"] == OrderStatus.CANCELED
    assert px.PLAN_STATUS["cancelled"] == OrderStatus.CANCELED
    assert px.client_oid_of({"clientOId": "x"}) == "x"


# -- the v2 read-back tradeSide vocabulary (bitget-protocol.md 5.5) -------------------------------


def _documented_v2_trade_sides() -> set[str]:
    """The values listed in bitget-protocol.md 5.5 (``x_close_long/short`` = both)."""
    text = (SAMPLES.parents[2] / "docs" / "bitget-protocol.md").read_text()
    start = text.index("`tradeSide` in responses is one of")
    paragraph = text[start : text.index("`posSide` is", start)]
    out: set[str] = set()
    for token in re.findall(r"`([a-z_/]+)`", paragraph):
        if token.endswith("_long/short"):
            out |= {token.removesuffix("/short"), token.removesuffix("long/short") + "short"}
        else:
            out.add(token)
    return out


def test_v2_trade_side_table_is_the_documented_list():
    assert set(px.V2_TRADE_SIDE) == _documented_v2_trade_sides()


@pytest.mark.parametrize("trade_side", sorted(px.V2_TRADE_SIDE))
@pytest.mark.parametrize("side", ["buy", "sell"])
def test_every_v2_trade_side(btc, trade_side, side):
    meaning = px.V2_TRADE_SIDE[trade_side]
    hedge = meaning.position is not None or trade_side in ("open", "close")
    row = {"orderId": "1", "tradeId": "T", "side": side, "tradeSide": trade_side,
           "posMode": "hedge_mode" if hedge else "one_way_mode", "price": "60000",
           "baseVolume": "0.01", "size": "0.01", "status": "filled"}  # fmt: skip
    if meaning.direction is not None:
        expected = OrderSide.BUY if meaning.direction == "buy" else OrderSide.SELL
    elif hedge and meaning.close:  # hedge: side names the position, a close trades against it
        expected = OrderSide.SELL if side == "buy" else OrderSide.BUY
    else:
        expected = OrderSide.BUY if side == "buy" else OrderSide.SELL
    fill = px.parse_fill_report(row, btc, ACCOUNT, TS)
    assert fill.order_side == expected
    report = px.parse_order_status_report(row, btc, ACCOUNT, TS)
    assert report.order_side == expected and report.reduce_only == meaning.close
    position = meaning.position or ("long" if side == "buy" else "short")
    assert (fill.venue_position_id is None) == (not hedge)
    if hedge:
        assert fill.venue_position_id == PositionId(f"{btc.id}-{position.upper()}")
