"""
Every UTA (API v3) sample in ``tests/fixtures/bitget/uta`` decodes with the project's v3 schemas.

The mapping names, per file, how to decode it (REST envelope, socket push, request/response pair)
and checks key values, so a schema that drops or misreads a field fails. A new sample file
without a mapping fails ``test_every_uta_sample_is_mapped``.
"""

from __future__ import annotations

import typing
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import msgspec
import pytest

from nautilus_bitget.schemas.common import num_decimal
from nautilus_bitget.schemas.common import num_int
from nautilus_bitget.schemas.common import num_str
from nautilus_bitget.schemas.envelope import BitgetResponse
from nautilus_bitget.schemas.v3 import account as acc
from nautilus_bitget.schemas.v3 import market as mkt
from nautilus_bitget.schemas.v3 import trade as trd
from nautilus_bitget.schemas.v3 import ws
from nautilus_bitget.schemas.v3.common import flag
from nautilus_bitget.schemas.v3.common import norm_category
from nautilus_bitget.schemas.v3.common import norm_order_status
from nautilus_bitget.schemas.v3.common import seq_int
from tests.samples import UTA_SAMPLES as SAMPLES


@dataclass(frozen=True)
class Case:
    kind: str  # "rest" (envelope + data type) | "push" (BitgetV3WsPush[T]) | "frame" | "pair"
    payload: Any
    check: Callable[[Any], None]


# -- REST checks --------------------------------------------------------------------------------


def _instruments(r: BitgetResponse) -> None:
    i = r.data[0]
    assert (i.symbol, norm_category(i.category), i.baseCoin, i.quoteCoin) == (
        "BTCUSDT",
        "USDT-FUTURES",
        "BTC",
        "USDT",
    )
    assert i.contract_type == "perpetual" and i.symbolType == "crypto"
    assert i.priceMultiplier == "0.1" and i.quantityMultiplier == "0.0001"
    assert num_int(i.pricePrecision) == 1 and num_int(i.quantityPrecision) == 4
    assert i.minOrderQty == "0.0001" and i.minOrderAmount == "5" and i.status == "online"
    assert i.maxMarketOrderQty == "220" and i.quotePrecision == ""


def _tickers(r: BitgetResponse) -> None:
    t = r.data[0]
    assert t.symbol == "BTCUSDT" and t.lastPrice == "90216.3" and t.markPrice == "90216.4"
    assert t.bid1Size == "11.0845" and t.openInterest == "27606.0718" and t.deliveryTime == ""


def _orderbook(r: BitgetResponse) -> None:
    d = r.data
    # levels are JSON numbers: shortest round-trip text keeps the venue decimals
    assert num_str(d.a[0][0]) == "73000.0" and num_decimal(d.a[3][1]) == Decimal("5.615")
    assert num_decimal(d.b[0][0]) == Decimal("71213.8") and len(d.b) == 3
    assert num_int(d.ts) == 1730969017964


def _market_fills(r: BitgetResponse) -> None:
    f0, f1 = r.data
    assert (f0.execId, f0.price, f0.size, f0.side) == ("1", "29990.5", "0.0166", "sell")
    assert f1.isRPI == "yes" and f1.execLinkId == "12345877112" and num_int(f1.ts) > 0


def _current_fund_rate(r: BitgetResponse) -> None:
    f = r.data[0]
    assert (f.symbol, f.fundingRate, f.fundingRateInterval) == ("BTCUSDT", "0.000071", "8")
    assert num_int(f.nextUpdate) == 1743062400000 and f.minFundingRate == "-0.003"


def _history_fund_rate(r: BitgetResponse) -> None:
    rows = r.data.resultList
    assert len(rows) == 2 and rows[0].fundingRate == "0.0001"
    assert num_int(rows[0].fundingRateTimestamp) == 1754899200000


def _open_interest(r: BitgetResponse) -> None:
    assert r.data.list[0].symbol == "BTCUSDT" and r.data.list[0].openInterest == "2243.019"
    assert num_int(r.data.ts) == 1730969652411


def _oi_limit(r: BitgetResponse) -> None:
    assert [x.symbol for x in r.data] == ["BTCUSDT", "ETHUSDT"]
    assert r.data[0].totalNotionalValue == "5000000"


def _position_tier(r: BitgetResponse) -> None:
    t = r.data[0]
    assert (num_int(t.tier), t.leverage, t.mmr) == (1, "125", "0.004")


def _candles(r: BitgetResponse) -> None:
    assert len(r.data) == 2 and len(r.data[0]) == 7
    assert num_int(r.data[0][0]) == 1687708800000 and r.data[1][3] == "24000"
    assert r.data[0][6] == "81246917.3294"


def _assets(r: BitgetResponse) -> None:
    d = r.data
    assert d.accountEquity == "11.13919278" and d.btcUnrealizedPnl == "0"
    usdt = d.assets[0]
    assert (usdt.coin, usdt.equity, usdt.available, usdt.locked) == (
        "USDT",
        "6.19300826",
        "6.19300826",
        "0",
    )
    assert d.assets[1].coin == "BGB"


def _fee_rate(r: BitgetResponse) -> None:
    assert r.data.makerFeeRate == "0.0008" and r.data.takerFeeRate == "0.0008"


def _account_info(r: BitgetResponse) -> None:
    assert r.data.permType == "read-and-write" and "uta_trade" in r.data.permissions
    assert num_int(r.data.regisTime) == 1704067200000


def _settings(r: BitgetResponse) -> None:
    s = r.data
    assert s.accountMode == "hybrid" and s.hold_mode == "one_way_mode"
    assert s.accountLevel == "advanced" and s.stpMode == "none"
    btc = next(c for c in s.symbolConfigList if c.symbol == "BTCUSDT")
    assert (btc.marginMode, btc.leverage, norm_category(btc.category)) == (
        "crossed",
        "1",
        "USDT-FUTURES",
    )
    assert s.coinConfigList[0].coin == "USDT"


def _max_open(r: BitgetResponse) -> None:
    assert r.data.available == "52.008255" and r.data.maxOpen == ""


def _current_position(r: BitgetResponse) -> None:
    p = r.data.list[0]
    assert (p.symbol, p.posSide, p.holdMode, p.marginMode) == (
        "BTCUSDT",
        "long",
        "hedge_mode",
        "crossed",
    )
    assert p.total == "119.2068" and p.avgPrice == "108674" and p.mmr == "0.015"
    assert p.totalFunding == "-53076.32433032" and p.liquidationPrice == "43099.9"


def _history_position(r: BitgetResponse) -> None:
    p = r.data.list[0]
    assert p.holdMode == "one_way_mode" and p.posSide == "long" and p.netProfit == "-45.588"
    assert r.data.cursor == "1111111111111111111"


def _ack(r: BitgetResponse) -> None:
    assert r.data.orderId and r.data.clientOid


def _list_result(r: BitgetResponse) -> None:
    item = r.data.list[0]
    assert item.code == "24056" and item.msg == "notExisted" and not item.ok


def _order_info(r: BitgetResponse) -> None:
    o = r.data
    assert norm_category(o.category) == "SPOT" and o.qty == "0" and o.amount == "100"
    assert norm_order_status(o.orderStatus) == "filled" and not flag(o.reduceOnly)
    assert o.feeDetail[0].feeCoin == "ETH" and o.tradeSide == "open"


def _unfilled_orders(r: BitgetResponse) -> None:
    o = r.data.list[0]
    assert (o.side, o.posSide, o.price, o.qty, o.orderStatus) == (
        "buy",
        "long",
        "45000",
        "0.01",
        "live",
    )
    assert o.feeDetail[0].fee is None and o.reduceOnly == "NO" and not flag(o.reduceOnly)
    assert r.data.cursor == "1235058132196622336"


def _history_orders(r: BitgetResponse) -> None:
    o = r.data.list[0]
    assert o.orderStatus == "filled" and o.cumExecQty == "0.429" and o.avgPrice == "49534.4"
    assert o.cancelReason == "normal_cancel" and o.execType == "liquidation"
    assert o.takeProfit == ""


def _trade_fills(r: BitgetResponse) -> None:
    f = r.data.list[0]
    assert (f.execPrice, f.execQty, f.tradeScope, f.tradeSide) == (
        "106950.1",
        "0.01",
        "taker",
        "open",
    )
    assert f.feeDetail[0].fee == "0.6417006" and f.execPnl == "-0.002"
    assert num_int(f.createdTime) == 1750141421721


def _unfilled_strategy(r: BitgetResponse) -> None:
    s = r.data[0]
    assert (s.status, s.takeProfit, s.stopLoss, s.triggerPrice) == (
        "pending",
        "110000",
        "90000",
        "100000",
    )
    assert s.triggerOrderType == "limit"


# -- socket checks ------------------------------------------------------------------------------


def _ws_books1(m: ws.BitgetV3WsPush) -> None:
    assert (m.arg.instType, m.arg.topic, m.arg.key) == ("usdt-futures", "books1", "BTCUSDT")
    b = m.data[0]
    assert tuple(b.a[0]) == ("99756.7", "23.9774") and tuple(b.b[0]) == ("99756.6", "0.0128")
    assert seq_int(b.seq) == 1304314508780744705  # above 2**53: kept exact
    assert seq_int(b.pseq) == 0 and b.maxDepth == "50" and m.action == "snapshot"


def _ws_public_trade(m: ws.BitgetV3WsPush) -> None:
    t = m.data[0]
    assert (t.p, t.v, t.S, t.T, t.i) == ("100000", "0.00118", "buy", "1736348770627",
                                         "1260903622036942849")  # fmt: skip
    assert m.arg.key == "BTCUSDT"  # the fixture echoes instId


def _ws_ticker(m: ws.BitgetV3WsPush) -> None:
    t = m.data[0]
    assert t.lastPrice == "100000" and t.bid1Size == "186.183209" and t.ts is None
    assert num_int(m.ts) == 1695715383039


def _ws_kline(m: ws.BitgetV3WsPush) -> None:
    k = m.data[0]
    assert m.arg.interval == "1D" and num_int(k.start) == 1710518400000
    assert (k.open, k.high, k.low, k.close, k.volume) == ("276670", "400005", "276670",
                                                          "400005", "0.423")  # fmt: skip


def _ws_order(m: ws.BitgetV3WsPush) -> None:
    assert (m.arg.instType, m.arg.topic) == ("UTA", "order")
    o = m.data[0]
    assert norm_category(o.category) == "USDT-FUTURES" and o.holdSide == "long"
    assert o.tradeSide == "open" and o.orderStatus == "filled" and o.price == ""
    assert o.cumExecQty == "0.001" and o.feeDetail[0].fee == "0.0332526"
    assert not flag(o.reduceOnly) and o.requestId is None


def _ws_fill(m: ws.BitgetV3WsPush) -> None:
    f = m.data[0]
    assert norm_category(f.category) == "USDT-FUTURES" and f.execPrice == "94993"
    assert (f.execQty, f.holdSide, f.tradeSide, f.tradeScope) == ("0.01", "long", "open", "taker")
    assert num_int(f.execTime) == 1736378720623 and f.feeDetail[0].feeCoin == "USDT"


def _ws_fast_fill(frame: ws.BitgetV3WsFrame) -> None:
    assert frame.arg.topic == "fast-fill"
    data = msgspec.json.decode(frame.data, type=ws.BitgetV3WsFastFillData)
    items = data if isinstance(data, list) else [data]
    assert items[0].execPrice == "94993" and items[0].holdSide == "long"


def _ws_position(m: ws.BitgetV3WsPush) -> None:
    p = m.data[0]
    assert (p.symbol, p.posSide, p.size, p.positionStatus) == ("BTCUSDT", "long", "0", "ended")
    assert p.liqPrice == "" and p.marginSize == "0" and p.totalFundingFee == "0"


def _ws_account(m: ws.BitgetV3WsPush) -> None:
    a = m.data[0]
    assert a.unrealisedPnL == "-10116.55" and a.totalEquity == "4976919.05"
    usdt = next(c for c in a.coin if c.coin == "USDT")
    assert usdt.available == "344282.65536458" and usdt.equity == "344282.65536458"


def _ws_strategy(m: ws.BitgetV3WsPush) -> None:
    s = m.data[0]
    assert m.arg.key == "default" and s.type == "tpsl" and s.triggerType == "takeProfit"
    assert s.status == "pending" and s.clientOid == "myorder001"


def _ws_adl(m: ws.BitgetV3WsPush) -> None:
    assert m.data[0].status == "triggered" and m.data[0].amount == "2.35"


def _pair_login(d: dict) -> None:
    frame = msgspec.convert(d["response"], ws.BitgetV3WsFrame)
    assert frame.event == "login" and not frame.is_error


def _pair_subscribe(d: dict) -> None:
    req = msgspec.convert(d["request"]["args"][0], ws.BitgetV3WsArg)
    frame = msgspec.convert(d["ack"], ws.BitgetV3WsFrame)
    assert frame.event == "subscribe" and frame.arg == req and req.key == "BTCUSDT"


def _pair_trade(d: dict) -> None:
    frame = msgspec.convert(d["response"], ws.BitgetV3WsFrame)
    assert frame.event == "trade" and not frame.is_error and frame.id
    assert frame.topic in ("cancel-order", "modify-order") and frame.args[0].orderId


CASES: dict[str, Case] = {
    "rest_instruments_usdt_futures_doc.json": Case(
        "rest", list[mkt.BitgetV3Instrument], _instruments
    ),
    "rest_tickers_usdt_futures_doc.json": Case("rest", list[mkt.BitgetV3Ticker], _tickers),
    "rest_orderbook_doc.json": Case("rest", mkt.BitgetV3OrderBook, _orderbook),
    "rest_market_fills_doc.json": Case("rest", list[mkt.BitgetV3PublicFill], _market_fills),
    "rest_current_fund_rate_doc.json": Case(
        "rest", list[mkt.BitgetV3CurrentFundRate], _current_fund_rate
    ),
    "rest_history_fund_rate_doc.json": Case(
        "rest", mkt.BitgetV3HistoryFundRate, _history_fund_rate
    ),
    "rest_open_interest_doc.json": Case("rest", mkt.BitgetV3OpenInterest, _open_interest),
    "rest_oi_limit_doc.json": Case("rest", list[mkt.BitgetV3OiLimit], _oi_limit),
    "rest_position_tier_doc.json": Case("rest", list[mkt.BitgetV3PositionTier], _position_tier),
    "rest_candles_doc.json": Case("rest", list[mkt.BitgetV3CandleRow], _candles),
    "rest_account_assets_doc.json": Case("rest", acc.BitgetV3Assets, _assets),
    "rest_account_fee_rate_doc.json": Case("rest", acc.BitgetV3FeeRate, _fee_rate),
    "rest_account_info_doc.json": Case("rest", acc.BitgetV3AccountInfo, _account_info),
    "rest_account_settings_doc.json": Case("rest", acc.BitgetV3AccountSettings, _settings),
    "rest_max_open_available_doc.json": Case("rest", acc.BitgetV3MaxOpenAvailable, _max_open),
    "rest_current_position_doc.json": Case("rest", acc.BitgetV3Positions, _current_position),
    "rest_history_position_doc.json": Case("rest", acc.BitgetV3HistoryPositions, _history_position),
    "rest_place_order_doc.json": Case("rest", trd.BitgetV3OrderAck, _ack),
    "rest_modify_order_doc.json": Case("rest", trd.BitgetV3OrderAck, _ack),
    "rest_cancel_symbol_order_doc.json": Case("rest", trd.BitgetV3ListResult, _list_result),
    "rest_close_positions_doc.json": Case("rest", trd.BitgetV3ListResult, _list_result),
    "rest_order_info_spot_doc.json": Case("rest", trd.BitgetV3Order, _order_info),
    "rest_unfilled_orders_doc.json": Case("rest", trd.BitgetV3OrderList, _unfilled_orders),
    "rest_history_orders_doc.json": Case("rest", trd.BitgetV3OrderList, _history_orders),
    "rest_trade_fills_doc.json": Case("rest", trd.BitgetV3FillList, _trade_fills),
    "rest_unfilled_strategy_orders_doc.json": Case(
        "rest", list[trd.BitgetV3StrategyOrder], _unfilled_strategy
    ),
    "ws_books1_snapshot_doc.json": Case("push", ws.BitgetV3WsBook, _ws_books1),
    "ws_publicTrade_doc.json": Case("push", ws.BitgetV3WsPublicTrade, _ws_public_trade),
    "ws_ticker_doc.json": Case("push", ws.BitgetV3WsTicker, _ws_ticker),
    "ws_kline_doc.json": Case("push", ws.BitgetV3WsKline, _ws_kline),
    "ws_order_doc.json": Case("push", ws.BitgetV3WsOrder, _ws_order),
    "ws_fill_doc.json": Case("push", ws.BitgetV3WsFill, _ws_fill),
    "ws_fast_fill_doc.json": Case("frame", None, _ws_fast_fill),
    "ws_position_doc.json": Case("push", ws.BitgetV3WsPosition, _ws_position),
    "ws_account_doc.json": Case("push", ws.BitgetV3WsAccount, _ws_account),
    "ws_strategy_order_doc.json": Case("push", ws.BitgetV3WsStrategyOrder, _ws_strategy),
    "ws_adl_notification_doc.json": Case("push", ws.BitgetV3WsAdl, _ws_adl),
    "ws_login_request_response_doc.json": Case("pair", None, _pair_login),
    "ws_subscribe_books_request_ack_doc.json": Case("pair", None, _pair_subscribe),
    "ws_trade_cancel_order_request_response_doc.json": Case("pair", None, _pair_trade),
    "ws_trade_modify_order_request_response_doc.json": Case("pair", None, _pair_trade),
}


def _sample_files() -> list[str]:
    return sorted(p.name for p in SAMPLES.glob("*.json"))


def test_samples_present() -> None:
    assert len(_sample_files()) >= 40


def test_every_uta_sample_is_mapped() -> None:
    unmapped = sorted(set(_sample_files()) - set(CASES))
    assert not unmapped, f"add a schema mapping for new UTA samples: {unmapped}"


@pytest.mark.parametrize("name", sorted(CASES))
def test_uta_sample_decodes(name: str) -> None:
    raw = (SAMPLES / name).read_bytes()
    case = CASES[name]
    if case.kind == "rest":
        decoded = msgspec.json.decode(raw, type=BitgetResponse[case.payload])
        assert decoded.ok and decoded.data is not None
    elif case.kind == "push":
        decoded = msgspec.json.decode(raw, type=ws.BitgetV3WsPush[case.payload])
        # the generic frame decodes the same bytes too (one decode, then route by topic)
        frame = msgspec.json.decode(raw, type=ws.BitgetV3WsFrame)
        assert frame.arg == decoded.arg and not frame.is_event
    elif case.kind == "frame":
        decoded = msgspec.json.decode(raw, type=ws.BitgetV3WsFrame)
    else:
        decoded = msgspec.json.decode(raw)
    case.check(decoded)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            b'{"seq": 1304314508780744705, "pseq": "1304314508780744700"}',
            (1304314508780744705, 1304314508780744700),
        ),
        (b'{"seq": "1343064377779269632", "pseq": 0}', (1343064377779269632, 0)),
        (b'{"seq": 483415085712, "pseq": 483415077719}', (483415085712, 483415077719)),
    ],
)  # fmt: skip
def test_book_seq_exact_from_number_or_string(raw: bytes, expected: tuple[int, int]) -> None:
    book = msgspec.json.decode(raw, type=ws.BitgetV3WsBook)
    assert (seq_int(book.seq), seq_int(book.pseq)) == expected


def test_tolerance_helpers() -> None:
    assert norm_category("usdt-futures") == norm_category("USDT-FUTURES") == "USDT-FUTURES"
    assert [flag(v) for v in ("yes", "YES", "no", "NO", True, False, 1, 0, None)] == [
        True, True, False, False, True, False, True, False, False,
    ]  # fmt: skip
    assert norm_order_status("canceled") == norm_order_status("cancelled") == "cancelled"
    assert seq_int(1.5e18) is None  # a float already lost precision
    order = msgspec.json.decode(
        b'{"orderId": 123, "reduceOnly": true, "category": "usdt-futures"}',
        type=ws.BitgetV3WsOrder,
    )
    assert flag(order.reduceOnly) and num_str(order.orderId) == "123"


# -- empty lists arrive as null (bitget-protocol-uta.md 1.3) -------------------------------------


def _v3_structs() -> list[type]:
    return [
        obj
        for module in (acc, mkt, trd, ws)
        for obj in vars(module).values()
        if isinstance(obj, type)
        and issubclass(obj, msgspec.Struct)
        and obj.__module__ == module.__name__
        and not getattr(obj, "__parameters__", ())
    ]


def _mentions_list(tp: Any) -> bool:
    return typing.get_origin(tp) is list or any(_mentions_list(a) for a in typing.get_args(tp))


LIST_FIELDS = [
    (cls, f.name)
    for cls in [*_v3_structs(), ws.BitgetV3WsPush[ws.BitgetV3WsOrder]]
    for f in msgspec.structs.fields(cls)
    if _mentions_list(f.type)
]


def test_list_fields_found() -> None:
    names = {(cls.__name__, name) for cls, name in LIST_FIELDS}
    assert ("BitgetV3Positions", "list") in names and ("BitgetV3WsOrder", "feeDetail") in names
    assert len(LIST_FIELDS) >= 20


def _required(cls: Any) -> dict[str, Any]:
    """Minimal values for the required fields of ``cls`` (nested structs: their own minimum)."""
    out: dict[str, Any] = {}
    for f in msgspec.structs.fields(cls):
        if f.required:
            nested = isinstance(f.type, type) and issubclass(f.type, msgspec.Struct)
            out[f.encode_name] = _required(f.type) if nested else "1"
    return out


@pytest.mark.parametrize(("cls", "name"), LIST_FIELDS, ids=lambda v: getattr(v, "__name__", v))
def test_every_v3_list_field_accepts_null_as_empty(cls: Any, name: str) -> None:
    payload = {**_required(cls), name: None}
    decoded = msgspec.json.decode(msgspec.json.encode(payload), type=cls)
    assert getattr(decoded, name) == []


def test_flat_uta_account_positions_decode_empty() -> None:
    raw = b'{"code":"00000","msg":"success","requestTime":1753103840140,"data":{"list":null}}'
    decoded = msgspec.json.decode(raw, type=BitgetResponse[acc.BitgetV3Positions])
    assert decoded.data is not None and decoded.data.list == []
