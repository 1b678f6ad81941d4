"""v3 private rows -> v2 row shapes (parsing.execution_v3), using the documented samples."""

from __future__ import annotations

import json
from decimal import Decimal

import msgspec
import pytest
from nautilus_trader.model.enums import OrderSide
from nautilus_trader.model.identifiers import AccountId

from nautilus_bitget.parsing import execution as px
from nautilus_bitget.parsing import execution_v3 as p3
from nautilus_bitget.schemas.v3.trade import BitgetV3Fill
from nautilus_bitget.schemas.v3.ws import BitgetV3WsFill
from nautilus_bitget.schemas.v3.ws import BitgetV3WsOrder
from tests.samples import UTA_SAMPLES as SAMPLES


def _ws_order(**kw):
    base = {"orderId": "1", "symbol": "BTCUSDT", "clientOid": "c", "qty": "0.01",
            "price": "60000", "orderStatus": "cancelled", "cumExecQty": "0"}  # fmt: skip
    base.update(kw)
    return msgspec.convert(base, BitgetV3WsOrder)


@pytest.mark.parametrize(
    ("side", "hold", "trade_side", "v2_side", "direction"),
    [
        ("buy", "long", "open", "buy", OrderSide.BUY),
        ("sell", "short", "open", "sell", OrderSide.SELL),
        ("sell", "long", "close", "buy", OrderSide.SELL),  # 3.5: close long = sell
        ("buy", "short", "close", "sell", OrderSide.BUY),
    ],
)
def test_hedge_order_sides(side, hold, trade_side, v2_side, direction):
    row = p3.ws_order(
        _ws_order(side=side, holdSide=hold, tradeSide=trade_side, holdMode="hedge_mode"),
        hedge=True,
    )
    assert row.side == v2_side
    assert row.status == "canceled" or row.status == "cancelled"
    assert px.order_side_of(row) == direction


def test_hedge_trade_side_derived_when_missing():
    row = p3.ws_order(_ws_order(side="sell", holdSide="long", holdMode="hedge_mode"), hedge=True)
    assert row.tradeSide == "close" and px.order_side_of(row) == OrderSide.SELL


def test_one_way_order_keeps_direction_and_reduce_only():
    row = p3.ws_order(_ws_order(side="sell", reduceOnly="YES", holdMode="one_way_mode"), False)
    assert row.side == "sell" and row.reduceOnly == "yes"
    assert px.order_side_of(row) == OrderSide.SELL


def test_fill_fee_sign_flipped_to_v2():
    fill = msgspec.convert(
        {"execId": "9", "orderId": "1", "symbol": "BTCUSDT", "side": "sell", "tradeSide": "close",
         "execPrice": "60000", "execQty": "0.01",
         "feeDetail": [{"feeCoin": "USDT", "fee": "0.36"}], "createdTime": "1700000000000"},
        BitgetV3Fill,
    )  # fmt: skip
    row = p3.fill(fill, hedge=True)
    fee, coin = px.fee_of(row)
    assert fee == Decimal("-0.36") and coin == "USDT"
    assert px.order_side_of(row) == OrderSide.SELL  # close of a long
    assert row.tradeId == "9" and row.price == "60000"


def test_ws_fill_and_positions():
    fill = p3.ws_fill(
        msgspec.convert(
            {"execId": "5", "orderId": "1", "symbol": "BTCUSDT", "side": "buy",
             "execPrice": "1", "execQty": "2", "execTime": "3"},
            BitgetV3WsFill,
        ),
    )  # fmt: skip
    assert (fill.tradeId, fill.baseVolume, fill.cTime) == ("5", "2", "3")
    rows = p3.open_positions(
        [
            {"symbol": "BTCUSDT", "posSide": "long", "size": "0.5", "avgPrice": "100"},
            {"symbol": "BTCUSDT", "posSide": "short", "size": "0", "positionStatus": "ended"},
        ],
        hedge=True,
    )
    assert len(rows) == 1 and rows[0].holdSide == "long" and rows[0].openPriceAvg == "100"


def test_strategy_status_mapping():
    row = p3.strategy_push(
        {"orderId": "7", "symbol": "BTCUSDT", "status": "success", "side": "buy",
         "posSide": "long", "qty": "0.01", "triggerPrice": "1", "triggerBy": "mark"},
        hedge=False,
    )  # fmt: skip
    assert row.status == "executed" and row.triggerType == "mark_price"
    assert row.planType == "normal_plan" and row.side == "buy"


def test_documented_ws_order_and_fill_samples_convert():
    for name, decoder, convert in (
        ("ws_order_doc.json", list[BitgetV3WsOrder], lambda r: p3.ws_order(r, False)),
        ("ws_fill_doc.json", list[BitgetV3WsFill], p3.ws_fill),
    ):
        payload = json.loads((SAMPLES / name).read_text())
        payload = payload.get("payload", payload)
        rows = msgspec.convert(payload["data"], decoder)
        assert rows and all(convert(r).orderId for r in rows)


@pytest.mark.parametrize(
    ("kind", "amount", "expected"),
    [
        ("CONTRACT_MAIN_SETTLE_FEE_USER_OUT", "-0.6", "-0.6"),
        ("CONTRACT_MAIN_SETTLE_FEE_USER_OUT", "0.6", "-0.6"),  # sign from the type (3.1)
        ("FIXED_SETTLE_FEE_USER_IN", "0.25", "0.25"),
        ("ORDER_DEALT_IN", "312.5", None),  # not funding
    ],
)
def test_funding_bill_from_financial_record(kind, amount, expected):
    from nautilus_bitget.schemas.v3.account import BitgetV3FinancialRecord

    row = BitgetV3FinancialRecord(
        id=123, type=kind, symbol="BTCUSDT", coin="USDT", amount=amount, ts="1730181468493"
    )
    bill = p3.funding_bill(row)
    if expected is None:
        assert bill is None
        return
    assert (bill.billId, bill.businessType, bill.symbol, bill.coin) == (
        "123",
        "contract_settle_fee",
        "BTCUSDT",
        "USDT",
    )
    assert Decimal(bill.amount) == Decimal(expected)
    assert px.ms_to_ns(bill.cTime) == 1730181468493 * 1_000_000


# -- tradeSide vocabulary (bitget-protocol-uta.md 3.7, bitget-protocol.md 5.5) --------------------


def _rest_fill(**kw):
    base = {"execId": "9", "orderId": "1", "symbol": "BTCUSDT", "execPrice": "60000",
            "execQty": "0.01", "tradeScope": "taker", "createdTime": "1700000000000",
            "feeDetail": [{"feeCoin": "USDT", "fee": "0.36"}]}  # fmt: skip
    base.update(kw)
    return msgspec.convert(base, BitgetV3Fill)


@pytest.mark.parametrize(
    ("side", "trade_side", "direction", "position"),
    [
        ("buy", "open_long", OrderSide.BUY, "LONG"),
        ("sell", "open_short", OrderSide.SELL, "SHORT"),
        ("sell", "close_long", OrderSide.SELL, "LONG"),
        ("buy", "close_short", OrderSide.BUY, "SHORT"),  # a buy that closes the short
        ("buy", "open", OrderSide.BUY, "LONG"),  # the WS / doc spelling
        ("sell", "close", OrderSide.SELL, "LONG"),
        ("buy", "close", OrderSide.BUY, "SHORT"),
        ("BUY", "CLOSE_SHORT", OrderSide.BUY, "SHORT"),  # any case
    ],
)
def test_rest_fill_trade_side_vocabulary_hedge(side, trade_side, direction, position):
    from tests.unit.test_order_mapping import make_instrument

    row = p3.fill(_rest_fill(side=side, tradeSide=trade_side), hedge=True)
    assert row.tradeSide in ("open", "close")  # the v2 vocabulary the report builders read
    report = px.parse_fill_report(row, make_instrument(), AccountId("BITGET-master"), 1)
    assert report.order_side == direction
    assert report.venue_position_id.value == f"BTCUSDT-PERP.BITGET-{position}"


@pytest.mark.parametrize(
    ("side", "trade_side", "direction"),
    [
        ("buy", "open_long", OrderSide.BUY),
        ("sell", "close_long", OrderSide.SELL),
        ("buy", "close_short", OrderSide.BUY),
        ("sell", "open_short", OrderSide.SELL),
    ],
)
def test_rest_fill_trade_side_vocabulary_one_way(side, trade_side, direction):
    from tests.unit.test_order_mapping import make_instrument

    row = p3.fill(_rest_fill(side=side, tradeSide=trade_side), hedge=False)
    report = px.parse_fill_report(row, make_instrument(), AccountId("BITGET-master"), 1)
    assert report.order_side == direction and report.venue_position_id is None


@pytest.mark.parametrize("trade_side", sorted(p3.V3_TRADE_SIDE))
def test_every_v3_trade_side_in_orders_and_pushes(trade_side):
    action, position = p3.V3_TRADE_SIDE[trade_side]
    side = "buy" if (position or "long") == "long" else "sell"
    if action == "close":
        side = "sell" if side == "buy" else "buy"
    row = p3.ws_order(_ws_order(side=side, tradeSide=trade_side, holdMode="hedge_mode"), True)
    assert row.tradeSide == action
    assert px.order_side_of(row) == (OrderSide.BUY if side == "buy" else OrderSide.SELL)
    assert px.hold_side_of(row) == (position or "long")
    assert px.is_close(row) == (action == "close")


def test_v2_style_trade_side_on_a_v3_row():
    # a liquidation fill spelled the v2 way still names its position and direction
    row = p3.fill(_rest_fill(side="sell", tradeSide="burst_close_long"), hedge=True)
    assert (row.side, row.tradeSide) == ("buy", "close")
    assert px.order_side_of(row) == OrderSide.SELL and px.hold_side_of(row) == "long"


# -- fee sign (bitget-protocol-uta.md 3.7) -------------------------------------------------------


def _commission(row) -> Decimal:
    from tests.unit.test_order_mapping import make_instrument

    report = px.parse_fill_report(row, make_instrument(), AccountId("BITGET-master"), 1)
    return report.commission.as_decimal()


@pytest.mark.parametrize("fee", ["0.6417006", "-0.6417006"])
def test_taker_fee_is_paid_whatever_the_sign(fee):
    # the doc example / a capture (positive) and another capture (negative): a taker always pays
    rest = p3.fill(_rest_fill(feeDetail=[{"feeCoin": "USDT", "fee": fee}]), False, p3.FeeSign())
    assert _commission(rest) == Decimal("0.6417006")
    ws_row = msgspec.convert(
        {"execId": "5", "orderId": "1", "symbol": "BTCUSDT", "side": "buy", "execPrice": "94993",
         "execQty": "0.01", "tradeScope": "taker", "feeDetail": [{"feeCoin": "USDT", "fee": fee}]},
        BitgetV3WsFill,
    )  # fmt: skip
    assert _commission(p3.ws_fill(ws_row, p3.FeeSign())) == Decimal("0.6417006")


@pytest.mark.parametrize(
    ("taker_fee", "maker_fee", "expected"),
    [
        (None, "0.12", "0.12"),  # documented convention: positive = paid
        (None, "-0.03", "-0.03"),  # ... negative = a maker rebate
        ("0.64", "0.12", "0.12"),  # a positive taker row confirms it
        ("-0.64", "-0.12", "0.12"),  # a negative taker row: negative = paid here
        ("-0.64", "0.03", "-0.03"),  # ... so a positive maker fee is a rebate
    ],
)
def test_maker_fee_read_in_the_sources_convention(taker_fee, maker_fee, expected):
    rows = [_rest_fill(execId="M", tradeScope="maker",
                       feeDetail=[{"feeCoin": "USDT", "fee": maker_fee}])]  # fmt: skip
    if taker_fee is not None:  # later in the page (newest first) than the maker row
        rows.append(_rest_fill(execId="T", feeDetail=[{"feeCoin": "USDT", "fee": taker_fee}]))
    fees = p3.FeeSign()
    fees.learn(rows)
    converted = [p3.fill(r, False, fees) for r in rows]
    assert _commission(converted[0]) == Decimal(expected)
    if taker_fee is not None:
        assert _commission(converted[1]) == abs(Decimal(taker_fee))


def test_documented_rest_fill_sample_commission():
    payload = json.loads((SAMPLES / "rest_trade_fills_doc.json").read_text())
    (row,) = msgspec.convert(payload["data"]["list"], list[BitgetV3Fill])
    assert _commission(p3.fill(row, False, p3.FeeSign())) == Decimal("0.6417006")


# -- preset TP/SL spelling on the order push (bitget-protocol-uta.md 4.6) ------------------------


class _Sink:
    def __init__(self) -> None:
        self.orders: list = []
        self.bad: list = []

    def on_order_row(self, row) -> None:
        self.orders.append(row)

    def on_bad_input(self, where, error) -> None:
        self.bad.append((where, error))


@pytest.mark.parametrize(
    ("tp_key", "sl_key"), [("takeprofit", "stoploss"), ("takeProfit", "stopLoss")]
)
def test_order_push_preset_tpsl_either_spelling(tp_key, sl_key):
    from nautilus_bitget.api.trading_v3 import BitgetV3Trading

    payload = json.loads((SAMPLES / "ws_order_doc.json").read_text())
    payload["data"][0].update({tp_key: "90000", sl_key: "80000", "orderStatus": "live"})
    sink = _Sink()
    api = BitgetV3Trading(None, hedge=True, margin_mode="crossed")  # type: ignore[arg-type]
    api.route_private(json.dumps(payload).encode(), sink)
    assert not sink.bad
    (row,) = sink.orders
    assert (row.presetStopSurplusPrice, row.presetStopLossPrice) == ("90000", "80000")
    decoded = msgspec.convert(payload["data"][0], BitgetV3WsOrder)
    assert {getattr(decoded, tp_key), getattr(decoded, sl_key)} == {"90000", "80000"}


def test_order_push_without_tpsl():
    row = p3.ws_order(_ws_order(takeprofit="", stopLoss=None), hedge=False)
    assert row.presetStopSurplusPrice is None and row.presetStopLossPrice is None
