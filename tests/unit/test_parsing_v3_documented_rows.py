"""
UTA (v3) rows -> the v2 rows the execution client reads, every field, from Bitget's documented
samples (tests/fixtures/bitget/uta, bitget-protocol-uta.md 3.x) and hand-made one-way variants.
"""

from __future__ import annotations

import json
from typing import Any

import msgspec

from nautilus_bitget.parsing import execution_v3 as p3
from tests.samples import SAMPLES


def _data(name: str) -> Any:
    return json.loads((SAMPLES / "uta" / name).read_text())["data"]


def test_rest_current_position_every_field() -> None:
    (row,) = _data("rest_current_position_doc.json")["list"]
    pos = p3.position(row, hedge=False)  # holdMode hedge_mode in the row wins
    assert (pos.symbol, pos.holdSide, pos.marginCoin, pos.marginMode, pos.posMode) == (
        "BTCUSDT",
        "long",
        "USDT",
        "crossed",
        "hedge_mode",
    )
    assert (pos.marginSize, pos.available, pos.total, pos.leverage) == (
        "4701531.84941582",
        "119.2068",
        "119.2068",
        "3",
    )
    assert (pos.achievedProfits, pos.openPriceAvg, pos.unrealizedPL) == (
        "0",
        "108674",
        "1124573.04243999",
    )
    assert (pos.liquidationPrice, pos.keepMarginRate, pos.markPrice) == (
        "43099.9",
        "0.015",
        "118097",
    )
    assert (pos.totalFee, pos.uTime) == ("-53076.32433032", "1753102803148")
    assert [p.total for p in p3.open_positions([row], hedge=False)] == ["119.2068"]


def test_ws_position_every_field_and_ended_row_is_closed() -> None:
    (row,) = _data("ws_position_doc.json")
    pos = p3.position(row, hedge=True)
    assert (pos.total, pos.marginSize, pos.openPriceAvg, pos.totalFee) == ("0", "0", "0", "0")
    assert (pos.leverage, pos.markPrice, pos.uTime, pos.liquidationPrice) == (
        "20",
        "94987.1",
        "1736378720620",
        "",
    )
    assert p3.open_positions([row], hedge=True) == []
    open_row = {**row, "size": "0.25", "avgPrice": "95000", "liqPrice": "80000.5"}
    (opened,) = p3.open_positions([open_row], hedge=True)
    assert (opened.total, opened.openPriceAvg, opened.liquidationPrice) == (
        "0.25",
        "95000",
        "80000.5",
    )
    one_way = {k: v for k, v in open_row.items() if k != "holdMode"}
    assert p3.position(one_way, hedge=False).posMode == "one_way_mode"
    assert p3.position(one_way, hedge=True).posMode == "hedge_mode"


def test_ws_fill_every_field() -> None:
    (row,) = _data("ws_fill_doc.json")
    fill = p3.ws_fill(row)
    assert (fill.orderId, fill.tradeId, fill.symbol, fill.clientOid) == (
        "1288888888888888888",
        "1288888888888888888",
        "BTCUSDT",
        "1288888888888888889",
    )
    assert (fill.price, fill.baseVolume, fill.side, fill.orderType) == (
        "94993",
        "0.01",
        "buy",
        "market",
    )
    assert (fill.tradeSide, fill.tradeScope, fill.profit, fill.cTime) == (
        "open",
        "taker",
        "0",
        "1736378720623",
    )
    assert [(d.feeCoin, d.totalFee) for d in fill.feeDetail or []] == [("USDT", "-0.569958")]
    no_exec_time = {k: v for k, v in row.items() if k != "execTime"}
    assert p3.ws_fill(no_exec_time).cTime == "1736378720623"  # updatedTime


def test_strategy_order_rest_every_field_hedge_and_one_way() -> None:
    (row,) = _data("rest_unfilled_strategy_orders_doc.json")
    plan = p3.strategy_order(row, hedge=True)
    assert (plan.symbol, plan.planStatus, plan.orderId, plan.clientOid) == (
        "BTCUSDT",
        "live",
        "111111111111111111",
        "111111111111111111",
    )
    assert (plan.planType, plan.size, plan.price, plan.triggerPrice, plan.triggerType) == (
        "normal_plan",
        "0.01",
        "100500",  # triggerOrderType limit: the limit price is triggerOrderPrice
        "100000",
        "fill_price",  # triggerBy market
    )
    assert (plan.side, plan.tradeSide, plan.posSide, plan.posMode, plan.orderType) == (
        "buy",  # no side in the row: a long's open is a buy
        "open",
        "long",
        "hedge_mode",
        "limit",
    )
    assert (plan.cTime, plan.uTime) == ("1730186725663", "1730186725691")
    # one-way: the position side names the direction, no tradeSide; a market trigger has no price
    market = {**row, "posSide": "short", "triggerOrderType": "market", "triggerBy": "mark"}
    one_way = p3.strategy_order(market, hedge=False)
    assert (one_way.side, one_way.tradeSide, one_way.posMode) == ("sell", None, "one_way_mode")
    assert (one_way.price, one_way.orderType, one_way.triggerType) == (
        None,
        "market",
        "mark_price",
    )
    # a hedge close: side sell on a long position closes it
    close = p3.strategy_order({**row, "side": "sell"}, hedge=True)
    assert (close.side, close.tradeSide) == ("buy", "close")  # v2 hedge: side names the position


def test_strategy_push_every_field() -> None:
    (row,) = _data("ws_strategy_order_doc.json")
    push = p3.strategy_push(row, hedge=True)
    assert (push.instId, push.status, push.orderId, push.clientOid) == (
        "BTCUSDT",
        "live",
        "111111111111111111",
        "myorder001",
    )
    assert (push.size, push.price, push.triggerPrice, push.side, push.tradeSide) == (
        "0.01",
        "100500",
        "100000",
        "buy",
        "open",
    )
    assert (push.posSide, push.posMode, push.orderType, push.uTime) == (
        "long",
        "hedge_mode",
        "limit",
        "1730186725691",
    )
    no_oid = p3.strategy_push({**row, "clientOid": ""}, hedge=False)
    assert (no_oid.clientOid, no_oid.side, no_oid.tradeSide) == (None, "buy", None)


def test_ws_order_every_field() -> None:
    (row,) = _data("ws_order_doc.json")
    order = p3.ws_order(row, hedge=False)  # holdMode hedge_mode in the row wins
    got = {k: v for k, v in msgspec.structs.asdict(order).items() if v is not None}
    fee = got.pop("feeDetail")
    assert got == {
        "orderId": "xxx",
        "instId": "BTCUSDT",
        "clientOid": "xxx",
        "size": "0.001",
        "orderType": "market",
        "force": "gtc",
        "side": "buy",
        "posSide": "long",
        "posMode": "hedge_mode",
        "tradeSide": "open",
        "marginMode": "crossed",
        "marginCoin": "USDT",
        "reduceOnly": "no",
        "status": "filled",
        "accBaseVolume": "0.001",
        "priceAvg": "83131.5",
        "cTime": "1742367838101",
        "uTime": "1742367838115",
    }
    assert [(d.feeCoin, d.totalFee) for d in fee] == [("USDT", "-0.0332526")]
    limit = p3.ws_order({**row, "price": "80000", "orderType": "limit"}, hedge=False)
    assert (limit.price, limit.orderType) == ("80000", "limit")


def test_rest_fill_every_field() -> None:
    data = _data("rest_trade_fills_doc.json")
    row = (data["list"] if isinstance(data, dict) else data)[0]
    for hedge, mode in ((True, "hedge_mode"), (False, "one_way_mode")):
        fill = p3.fill(row, hedge=hedge)
        got = {k: v for k, v in msgspec.structs.asdict(fill).items() if v is not None}
        fee = got.pop("feeDetail")
        assert got == {
            "tradeId": "131111111111111111",
            "orderId": "131111111111111111",
            "symbol": "BTCUSDT",
            "price": "106950.1",
            "baseVolume": "0.01",
            "clientOid": "131111111111111111",
            "side": "sell",
            "quoteVolume": "1069.501",
            "profit": "-0.002",
            "tradeSide": "open",
            "posMode": mode,
            "tradeScope": "taker",
            "cTime": "1750141421721",
        }
        assert [(d.feeCoin, d.totalFee) for d in fee] == [("USDT", "-0.6417006")]
