"""
Every official/captured sample in ``tests/fixtures/bitget`` decodes with the project's schemas.

The mapping below names, per file, the envelope kind, the payload type and a few key values, so a
schema that silently drops or misreads a field fails here. A sample file without a mapping fails
``test_every_sample_file_is_mapped``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import msgspec
import pytest

from nautilus_bitget.schemas.account import BitgetAccount
from nautilus_bitget.schemas.account import BitgetBills
from nautilus_bitget.schemas.account import BitgetPositionModeResult
from nautilus_bitget.schemas.account import BitgetSetLeverageResult
from nautilus_bitget.schemas.account import BitgetSetMarginModeResult
from nautilus_bitget.schemas.common import num_decimal
from nautilus_bitget.schemas.common import num_int
from nautilus_bitget.schemas.common import num_str
from nautilus_bitget.schemas.envelope import BitgetRawResponse
from nautilus_bitget.schemas.envelope import BitgetResponse
from nautilus_bitget.schemas.envelope import BitgetWsArg
from nautilus_bitget.schemas.envelope import BitgetWsEvent
from nautilus_bitget.schemas.envelope import BitgetWsFrame
from nautilus_bitget.schemas.envelope import BitgetWsPush
from nautilus_bitget.schemas.market import BitgetCandleRow
from nautilus_bitget.schemas.market import BitgetContract
from nautilus_bitget.schemas.market import BitgetCurrentFundRate
from nautilus_bitget.schemas.market import BitgetFundingTime
from nautilus_bitget.schemas.market import BitgetHistoryFundRate
from nautilus_bitget.schemas.market import BitgetMergeDepth
from nautilus_bitget.schemas.market import BitgetOpenInterest
from nautilus_bitget.schemas.market import BitgetRecentTrade
from nautilus_bitget.schemas.market import BitgetServerTime
from nautilus_bitget.schemas.market import BitgetSymbolPrice
from nautilus_bitget.schemas.market import BitgetTicker
from nautilus_bitget.schemas.trade import BitgetBatchResult
from nautilus_bitget.schemas.trade import BitgetOrderDetail
from nautilus_bitget.schemas.trade import BitgetOrderId
from nautilus_bitget.schemas.trade import BitgetPendingOrders
from nautilus_bitget.schemas.trade import BitgetPlanOrders
from nautilus_bitget.schemas.ws_private import BitgetWsAccount
from nautilus_bitget.schemas.ws_private import BitgetWsAlgoOrder
from nautilus_bitget.schemas.ws_private import BitgetWsFill
from nautilus_bitget.schemas.ws_private import BitgetWsOrder
from nautilus_bitget.schemas.ws_private import BitgetWsPosition
from nautilus_bitget.schemas.ws_private import BitgetWsPositionHistory
from tests.samples import SAMPLES


@dataclass(frozen=True)
class Case:
    kind: str  # "rest" | "ws" | "event"
    payload: Any  # payload type (REST data / WS data element), or a ws_public attribute name
    check: Callable[[Any], None]


def _ws_public(name: str) -> Any:
    """Return a type from ``schemas.ws_public`` (a missing module or type fails the test)."""
    module = importlib.import_module("nautilus_bitget.schemas.ws_public")
    return getattr(module, name)


# -- per-file checks --------------------------------------------------------------------------


def _contracts(r: BitgetResponse) -> None:
    c = r.data[0]
    assert (c.symbol, c.baseCoin, c.quoteCoin) == ("BTCUSDT", "BTC", "USDT")
    assert num_int(c.pricePlace) == 1 and num_int(c.volumePlace) == 2
    assert c.priceEndStep == "1" and c.sizeMultiplier == "0.01" and c.minTradeNum == "0.01"
    assert c.symbolType == "perpetual" and c.symbolStatus == "normal"
    assert c.supportMarginCoins == ["USDT"] and c.fundInterval == "8"
    assert c.makerFeeRate == "0.0004" and c.takerFeeRate == "0.0006"
    assert c.maxOrderQty is None  # newer field absent in this doc example


def _candles(r: BitgetResponse) -> None:
    assert len(r.data) == 2
    row = r.data[0]
    assert num_int(row.ts) == 1695835800000
    assert (row.open, row.close, row.baseVolume, row.quoteVolume) == (
        "26210.5",
        "26194.5",
        "26.26",
        "687897.63",
    )
    assert row.usdtVolume is None  # REST rows have 7 entries


def _merge_depth(r: BitgetResponse) -> None:
    d = r.data
    assert num_str(d.asks[0][0]) == "26347.5" and num_str(d.asks[0][1]) == "0.25"
    assert num_decimal(d.bids[1][0]) == num_decimal("26346.0")
    assert d.scale == "0.1" and d.isMaxPrecision == "NO"


def _ticker(r: BitgetResponse) -> None:
    t = r.data[0]
    assert t.symbol == "BTCUSDT" and t.lastPr == "104823.8" and t.markPrice == "104824.2"
    assert t.deliveryStartTime is None and t.deliveryStatus == ""
    assert t.holdingAmount == "7452.6421"


def _ws_books(m: BitgetWsPush) -> None:
    assert m.arg == BitgetWsArg("USDT-FUTURES", "books5", "BTCUSDT")
    book = m.data[0]
    assert tuple(book.asks[0]) == ("27000.5", "8.760")  # wire text kept (checksum)
    assert tuple(book.bids[1]) == ("26999.5", "1.460")
    assert book.checksum == 0


def _ws_candle(m: BitgetWsPush) -> None:
    assert m.arg.channel == "candle12H"
    row = m.data[0]
    assert len(row) == 8 and row[0] == "1695685500000" and row[7] == "1539.0155"
    # the same row also decodes as the REST row type
    typed = msgspec.convert(row, BitgetCandleRow)
    assert typed.usdtVolume == "1539.0155" and typed.high == "27000.5"


def _ws_ticker(m: BitgetWsPush) -> None:
    t = m.data[0]
    assert t.instId == "BTCUSDT" and t.markPrice == "27000.0" and t.indexPrice == "25702.4"
    assert t.nextFundingTime == "1695722400000" and t.fundingRate == "0.000010"


def _ws_trade(m: BitgetWsPush) -> None:
    assert [t.side for t in m.data] == ["buy", "sell"]
    assert m.data[0].price == "27000.5" and m.data[0].tradeId == "1111111111"


def _ws_orders(m: BitgetWsPush) -> None:
    o = m.data[0]
    assert o.client_oid == "1" and o.is_fill and o.status == "filled"
    assert (o.fillPrice, o.baseVolume, o.fillFee, o.tradeScope) == (
        "27000.5",
        "0.01",
        "-0.162003",
        "T",
    )
    assert o.feeDetail[0].fee == "-0.162003" and o.accBaseVolume == "0.01"
    assert o.reduceOnly == "no" and o.posSide == "long"
    # the docs example spells the key clientOId (bitget-protocol.md 6.2): accept both
    raw = msgspec.json.decode((SAMPLES / "doc_ws_orders.json").read_bytes())
    row = raw["data"][0]
    row["clientOId"] = row.pop("clientOid")
    alt = msgspec.convert(raw, BitgetWsPush[BitgetWsOrder])
    assert alt.data[0].client_oid == "1"


def _ws_fill(m: BitgetWsPush) -> None:
    f = m.data[0]
    assert (f.orderId, f.tradeId, f.symbol, f.side) == ("111", "222", "BTCUSDT", "buy")
    assert f.tradeScope == "taker" and f.feeDetail[0].totalFee == "-0.183717"
    assert f.client_oid is None


def _ws_positions(m: BitgetWsPush) -> None:
    p = m.data[0]
    assert (p.instId, p.holdSide, p.total, p.openPriceAvg) == ("ETHUSDT", "short", "0.1", "1900")
    assert p.leverage == 20  # a JSON number here (bitget-protocol.md 2.4)
    assert p.totalFee == "1.45"


def _ws_account(m: BitgetWsPush) -> None:
    assert m.arg.coin == "default" and m.arg.instId is None and m.arg.key == "default"
    a = m.data[0]
    assert a.marginCoin == "USDT" and a.equity == "11489.96841069"
    assert a.maxOpenPosAvailable == "10940.45841069"


def _ws_algo(m: BitgetWsPush) -> None:
    a = m.data[0]
    assert (a.planType, a.status, a.triggerType) == ("pl", "live", "fill_price")
    assert num_decimal(a.triggerPrice) == num_decimal("27000") and a.client_oid == "1"


def _ws_positions_history(m: BitgetWsPush) -> None:
    p = m.data[0]
    assert p.posId == "1188739982370652163" and p.closePriceAvg == "3494.99"
    assert p.closeFee == "-0.02096994"


def _subscribe_ack(e: BitgetWsEvent) -> None:
    assert e.event == "subscribe" and not e.is_error
    assert e.arg == BitgetWsArg("USDT-FUTURES", "books", "BTCUSDT")


def _order_id(order_id: str | None, client_oid: str) -> Callable[[BitgetResponse], None]:
    def check(r: BitgetResponse) -> None:
        assert (r.data.orderId, r.data.clientOid) == (order_id, client_oid)

    return check


def _batch(n_ok: int, n_fail: int, first_fail_msg: str | None = None) -> Callable[[Any], None]:
    def check(r: BitgetResponse) -> None:
        assert len(r.data.successList or []) == n_ok
        assert len(r.data.failureList or []) == n_fail
        if first_fail_msg is not None:
            assert r.data.failureList[0].errorMsg == first_fail_msg

    return check


def _order_detail(r: BitgetResponse) -> None:
    o = r.data
    assert o.state == "live" and o.order_status == "live" and o.priceAvg == ""
    assert (o.orderId, o.size, o.price, o.reduceOnly) == (
        "1111465253393825792",
        "0.001",
        "27000",
        "NO",
    )


def _orders_pending(r: BitgetResponse) -> None:
    o = r.data.orders[0]
    assert o.status == "live" and o.order_status == "live" and o.clientOid == "1111488897805352960"
    assert r.data.endId == "1111488897767604224"


def _plan_orders(status: str) -> Callable[[BitgetResponse], None]:
    def check(r: BitgetResponse) -> None:
        p = r.data.orders[0]
        assert p.planType == "normal_plan" and p.planStatus == status
        assert (p.triggerPrice, p.triggerType, p.callbackRatio) == ("24000", "mark_price", "")

    return check


def _accounts(r: BitgetResponse) -> None:
    a = r.data[0]
    assert a.marginCoin == "USDT" and a.usdtEquity == "0.000000005166"
    assert a.crossedUnrealizedPL is None and a.isolatedUnrealizedPL is None


def _account_single(r: BitgetResponse) -> None:
    a = r.data
    assert a.posMode == "hedge_mode" and a.marginMode == "crossed"
    assert a.crossedMarginLeverage == 20 and a.isolatedUnrealizedPL == ""


def _bill(business_type: str, symbol: str) -> Callable[[BitgetResponse], None]:
    def check(r: BitgetResponse) -> None:
        b = r.data.bills[0]
        assert (b.businessType, b.symbol, b.coin) == (business_type, symbol, "USDT")
        assert r.data.endId == "1098396773329305606"

    return check


def _batch_cancel(r: BitgetResponse) -> None:
    assert r.requestTime == "1680008815965" and num_int(r.requestTime) == 1680008815965
    assert r.data.successList[0].orderId == "1024598257429823488"


def _close_positions(r: BitgetResponse) -> None:
    assert r.data.result is False and r.data.successList[0].orderId == "1120923953904893955"


SAMPLE_CASES: dict[str, Case] = {
    # REST, public
    "rest_server_time.json": Case(
        "rest",
        BitgetServerTime,
        lambda r: (num_int(r.data.serverTime) == 1700111073740) or pytest.fail("serverTime"),
    ),
    "doc_rest_contracts.json": Case("rest", list[BitgetContract], _contracts),
    "doc_rest_candles.json": Case("rest", list[BitgetCandleRow], _candles),
    "doc_rest_merge_depth.json": Case("rest", BitgetMergeDepth, _merge_depth),
    "rest_ticker_usdt_futures.json": Case("rest", list[BitgetTicker], _ticker),
    "doc_rest_recent_fills.json": Case(
        "rest",
        list[BitgetRecentTrade],
        lambda r: _assert(r.data[1].side == "buy" and r.data[1].price == "30007.0"),
    ),
    "doc_rest_symbol_price.json": Case(
        "rest",
        list[BitgetSymbolPrice],
        lambda r: _assert(r.data[0].markPrice == "25555" and r.data[0].indexPrice == "34867"),
    ),
    "doc_rest_history_fund_rate.json": Case(
        "rest",
        list[BitgetHistoryFundRate],
        lambda r: _assert(r.data[0].fundingRate == "0.0005" and len(r.data) == 2),
    ),
    "rest_current_fund_rate.json": Case(
        "rest",
        list[BitgetCurrentFundRate],
        lambda r: _assert(
            num_int(r.data[0].fundingRateInterval) == 8 and r.data[0].nextUpdate == "1745510400000",
        ),
    ),
    "rest_funding_time.json": Case(
        "rest",
        list[BitgetFundingTime],
        lambda r: _assert(r.data[0].ratePeriod == "8"),
    ),
    "rest_open_interest.json": Case(
        "rest",
        BitgetOpenInterest,
        lambda r: _assert(r.data.openInterestList[0].size == "52234.134"),
    ),
    # REST, private: orders
    "rest_place_order.json": Case(
        "rest",
        BitgetOrderId,
        _order_id("881669078313766912", "iauIBf#a45b595f96474d888d0ada"),
    ),
    "rest_modify_order.json": Case(
        "rest",
        BitgetOrderId,
        _order_id(None, "abe95dbe-6081-4a6f-a2d3-ae49601cd459"),
    ),
    "doc_rest_place_plan_order.json": Case(
        "rest",
        BitgetOrderId,
        _order_id("121212121212", "BITGET#1627293504612"),
    ),
    "doc_rest_batch_place_order.json": Case("rest", BitgetBatchResult, _batch(1, 0)),
    "doc_rest_cancel_all_orders.json": Case(
        "rest",
        BitgetBatchResult,
        _batch(1, 1, "notExistend"),
    ),
    "doc_rest_cancel_plan_order.json": Case(
        "rest",
        BitgetBatchResult,
        _batch(2, 2, "notExistend"),
    ),
    "rest_batch_cancel_orders.json": Case("rest", BitgetBatchResult, _batch_cancel),
    "rest_close_positions.json": Case("rest", BitgetBatchResult, _close_positions),
    "rest_order_detail.json": Case("rest", BitgetOrderDetail, _order_detail),
    "rest_orders_pending.json": Case("rest", BitgetPendingOrders, _orders_pending),
    "rest_orders_plan_pending.json": Case("rest", BitgetPlanOrders, _plan_orders("live")),
    "rest_orders_plan_history.json": Case("rest", BitgetPlanOrders, _plan_orders("cancelled")),
    # REST, private: account
    "rest_accounts.json": Case("rest", list[BitgetAccount], _accounts),
    "rest_account_single.json": Case("rest", BitgetAccount, _account_single),
    "rest_account_bill.json": Case("rest", BitgetBills, _bill("trans_to_exchange", "")),
    "rest_account_bill_funding_fee.json": Case(
        "rest",
        BitgetBills,
        _bill("contract_settle_fee", "BTCUSDT"),
    ),
    "rest_set_leverage.json": Case(
        "rest",
        BitgetSetLeverageResult,
        lambda r: _assert(r.data.crossMarginLeverage == "25" and r.data.marginMode == "crossed"),
    ),
    "rest_set_margin_mode.json": Case(
        "rest",
        BitgetSetMarginModeResult,
        lambda r: _assert(r.data.marginMode == "isolated" and r.data.shortLeverage == "3"),
    ),
    "rest_set_position_mode.json": Case(
        "rest",
        BitgetPositionModeResult,
        lambda r: _assert(r.data.posMode == "hedge_mode"),
    ),
    # WS, public (types from schemas.ws_public)
    "doc_ws_books5_snapshot.json": Case("ws", "BitgetWsBook", _ws_books),
    "doc_ws_candle.json": Case("ws", "BitgetWsCandleRow", _ws_candle),
    "doc_ws_ticker.json": Case("ws", "BitgetWsTicker", _ws_ticker),
    "doc_ws_trade.json": Case("ws", "BitgetWsTrade", _ws_trade),
    # WS, private
    "doc_ws_orders.json": Case("ws", BitgetWsOrder, _ws_orders),
    "doc_ws_fill.json": Case("ws", BitgetWsFill, _ws_fill),
    "doc_ws_positions.json": Case("ws", BitgetWsPosition, _ws_positions),
    "doc_ws_account.json": Case("ws", BitgetWsAccount, _ws_account),
    "doc_ws_orders_algo.json": Case("ws", BitgetWsAlgoOrder, _ws_algo),
    "doc_ws_positions_history.json": Case("ws", BitgetWsPositionHistory, _ws_positions_history),
    # WS events
    "probe_ws_subscribe_ack.json": Case("event", BitgetWsEvent, _subscribe_ack),
}

# Files deliberately not decoded, with the reason
EXCLUDED: dict[str, str] = {
    "README.md": "provenance notes, not a payload",
}
# v1 mix stream captures (README: "for comparison only, NOT v2 shapes"); the adapter speaks v2 only
EXCLUDED_PREFIXES: dict[str, str] = {
    "v1mix_": "v1 formats kept for comparison only; the adapter decodes v2 shapes",
}


def _assert(ok: bool) -> None:
    assert ok


def _sample_files() -> list[str]:
    # Files only: the ``uta/`` subfolder holds v3 (unified account) payloads this adapter's v2
    # schemas do not cover
    return sorted(p.name for p in SAMPLES.iterdir() if p.is_file())


def _is_excluded(name: str) -> bool:
    return name in EXCLUDED or any(name.startswith(p) for p in EXCLUDED_PREFIXES)


def test_samples_folder_exists() -> None:
    assert SAMPLES.is_dir(), f"samples folder not found at {SAMPLES}"


def test_every_sample_file_is_mapped() -> None:
    unmapped = [n for n in _sample_files() if n not in SAMPLE_CASES and not _is_excluded(n)]
    assert not unmapped, f"sample files without a schema mapping: {unmapped}"


def test_every_mapping_has_a_file() -> None:
    missing = [n for n in SAMPLE_CASES if not (SAMPLES / n).is_file()]
    assert not missing, f"mapped sample files that do not exist: {missing}"


@pytest.mark.parametrize("name", sorted(SAMPLE_CASES))
def test_sample_decodes(name: str) -> None:
    case = SAMPLE_CASES[name]
    raw = (SAMPLES / name).read_bytes()
    payload = _ws_public(case.payload) if isinstance(case.payload, str) else case.payload
    if case.kind == "rest":
        decoded = msgspec.json.decode(raw, type=BitgetResponse[payload])
        assert decoded.ok and decoded.data is not None
        # the transport path: envelope with raw data, then the payload type
        envelope = msgspec.json.decode(raw, type=BitgetRawResponse)
        assert envelope.ok
        assert msgspec.json.decode(envelope.data, type=payload) == decoded.data
    elif case.kind == "ws":
        decoded = msgspec.json.decode(raw, type=BitgetWsPush[payload])
        assert decoded.data
        # the client path: one frame decode, route by channel, then the data list
        frame = msgspec.json.decode(raw, type=BitgetWsFrame)
        assert not frame.is_event and frame.channel_arg == decoded.arg
        assert msgspec.json.decode(frame.data, type=list[payload]) == decoded.data
        assert num_int(frame.ts) is not None
    else:
        decoded = msgspec.json.decode(raw, type=payload)
        frame = msgspec.json.decode(raw, type=BitgetWsFrame)
        assert frame.is_event
    case.check(decoded)


# -- leniency beyond the samples (bitget-protocol.md 2.4, 9.2)
# ---------------------------------------


def test_numbers_where_strings_expected_decode() -> None:
    raw = (
        b'{"symbol":"BTCUSDT","baseCoin":"BTC","quoteCoin":"USDT","pricePlace":1,'
        b'"volumePlace":2,"priceEndStep":5,"sizeMultiplier":0.01,"minTradeNum":null}'
    )
    c = msgspec.json.decode(raw, type=BitgetContract)
    assert num_int(c.pricePlace) == 1 and num_str(c.sizeMultiplier) == "0.01"
    assert c.minTradeNum is None and num_decimal(c.minTradeNum) is None


def test_entrusted_list_null_or_absent() -> None:
    for data in (b'{"entrustedList":null,"endId":null}', b"{}"):
        assert msgspec.json.decode(data, type=BitgetPendingOrders).orders == []
        assert msgspec.json.decode(data, type=BitgetPlanOrders).orders == []


def test_empty_data_and_error_envelope() -> None:
    r = msgspec.json.decode(
        b'{"code":"40034","msg":"Parameter NOPEUSDT does not exist","requestTime":1,"data":null}',
        type=BitgetResponse[list[BitgetContract]],
    )
    assert not r.ok and r.data is None
    # brand-new listings answer candles with data "" (bitget-protocol.md 4.5)
    c = msgspec.json.decode(
        b'{"code":"00000","msg":"success","requestTime":1,"data":""}',
        type=BitgetResponse[list[BitgetCandleRow] | str],
    )
    assert c.data == ""


def test_ws_error_and_login_events() -> None:
    err = msgspec.json.decode(
        b'{"event":"error","code":30016,"msg":"param error"}',
        type=BitgetWsEvent,
    )
    assert err.is_error and err.code == 30016
    login = msgspec.json.decode(b'{"event":"login","code":0,"msg":""}', type=BitgetWsEvent)
    assert not login.is_error
    bad_login = msgspec.json.decode(
        b'{"event":"login","code":"30005","msg":"Login failed"}',
        type=BitgetWsEvent,
    )
    assert bad_login.is_error


def test_ws_trade_response_arg_list() -> None:
    raw = (
        b'{"event":"trade","arg":[{"id":"1","instType":"USDT-FUTURES","channel":"place-order",'
        b'"instId":"BTCUSDT","params":{"orderId":"9","clientOid":"c1"}}],"code":0,"msg":"Success"}'
    )
    frame = msgspec.json.decode(raw, type=BitgetWsFrame)
    assert frame.is_event and frame.channel_arg is None
    assert frame.arg[0].params.orderId == "9"


def test_seq_exact_and_big_ints() -> None:
    assert num_int(2**63 + 5) == 2**63 + 5
    assert num_int(str(2**63 + 5)) == 2**63 + 5
    assert num_int("") is None and num_int(None) is None and num_int("8.0") == 8
    assert num_str(26348.0) == "26348.0" and num_str(0.25) == "0.25" and num_str(None) == ""


def test_fills_history_capitalised_side() -> None:
    t = msgspec.json.decode(
        b'{"tradeId":"1","price":30007,"size":"0.1","side":"Buy","ts":1627116600875}',
        type=BitgetRecentTrade,
    )
    assert t.side.lower() == "buy" and num_str(t.price) == "30007" and t.symbol is None


def test_login_request_repr_hides_secrets() -> None:
    from nautilus_bitget.schemas.ws_private import BitgetWsLoginArg
    from nautilus_bitget.schemas.ws_private import BitgetWsLoginRequest

    req = BitgetWsLoginRequest(args=[BitgetWsLoginArg("key", "pass-phrase", "1", "signature")])
    assert "pass-phrase" not in repr(req) and "signature" not in repr(req)
    assert msgspec.json.decode(msgspec.json.encode(req))["op"] == "login"
