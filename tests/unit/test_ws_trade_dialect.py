"""The WS order-entry dialects: request frames and replies (documented samples)."""

from __future__ import annotations

import json
from pathlib import Path

import msgspec
import pytest

from nautilus_bitget.api.trade_ws_v2 import ClassicWsTrade
from nautilus_bitget.api.trade_ws_v3 import UtaWsTrade
from nautilus_bitget.api.trading import Route
from nautilus_bitget.common.errors import BitgetConfigError
from nautilus_bitget.common.errors import BitgetDuplicateClientOidError
from nautilus_bitget.common.errors import BitgetOrderNotFoundError
from nautilus_bitget.common.errors import error_from_response
from nautilus_bitget.config import BitgetExecClientConfig


FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "bitget" / "uta"
ROUTE = Route("BTCUSDT", "USDT-FUTURES", "USDT")


def test_classic_place_frame_routes_symbol_outside_params():
    body = {"symbol": "BTCUSDT", "productType": "USDT-FUTURES", "size": "0.01", "clientOid": "c1"}
    frame = json.loads(ClassicWsTrade().place("r1", ROUTE, body))
    assert frame["op"] == "trade"
    (arg,) = frame["args"]
    assert arg["id"] == "r1"
    assert (arg["instType"], arg["instId"], arg["channel"]) == (
        "USDT-FUTURES",
        "BTCUSDT",
        "place-order",
    )
    assert arg["params"] == {"size": "0.01", "clientOid": "c1"}


def test_classic_reply_and_refusal():
    dialect = ClassicWsTrade()
    ok = dialect.decode(
        b'{"event":"trade","arg":[{"id":"r1","channel":"place-order",'
        b'"params":{"orderId":"123","clientOid":"c1"}}],"code":0,"msg":"Success"}'
    )
    assert ok is not None and ok.ok and ok.id == "r1"
    assert ok.items == [("123", "c1", None, None)]
    refused = dialect.decode(
        b'{"event":"error","arg":[{"id":"r2","channel":"place-order"}],'
        b'"code":25212,"msg":"Duplicate clientOid"}'
    )
    assert refused is not None and not refused.ok and refused.code == "25212"
    error = error_from_response(None, refused.code, refused.msg or "")
    assert isinstance(error, BitgetDuplicateClientOidError)
    # pushes and acks without an id are not replies
    assert dialect.decode(b'{"event":"login","code":0}') is None
    assert dialect.decode(b'{"action":"snapshot","arg":{"channel":"orders"},"data":[]}') is None


def test_uta_frames_use_lower_case_category_and_no_category_in_args():
    dialect = UtaWsTrade()
    body = {"category": "USDT-FUTURES", "symbol": "BTCUSDT", "qty": "0.01", "clientOid": "c1"}
    frame = json.loads(dialect.place("r1", ROUTE, body))
    assert (frame["id"], frame["category"], frame["topic"]) == ("r1", "usdt-futures", "place-order")
    assert frame["args"] == [{"symbol": "BTCUSDT", "qty": "0.01", "clientOid": "c1"}]
    batch = json.loads(dialect.cancel_batch("r2", ROUTE, [{"orderId": "1"}, {"clientOid": "c"}]))
    assert batch["topic"] == "batch-cancel" and len(batch["args"]) == 2
    modify = json.loads(
        dialect.modify(
            "r3", ROUTE, order_id="9", client_oid="c", qty="2", price="5", request_id="q1"
        )
    )
    assert modify["args"] == [
        {"symbol": "BTCUSDT", "qty": "2", "price": "5", "orderId": "9", "autoCancel": "no",
         "requestId": "q1"}
    ]  # fmt: skip


def test_uta_documented_replies_decode():
    dialect = UtaWsTrade()
    for name in (
        "ws_trade_cancel_order_request_response_doc.json",
        "ws_trade_modify_order_request_response_doc.json",
    ):
        sample = json.loads((FIXTURES / name).read_text())
        reply = dialect.decode(msgspec.json.encode(sample["response"]))
        assert reply is not None and reply.ok
        assert reply.id == sample["response"]["id"]
        assert [i[0] for i in reply.items] == [a["orderId"] for a in sample["response"]["args"]]


def test_uta_batch_items_and_whole_refusal():
    dialect = UtaWsTrade()
    reply = dialect.decode(
        b'{"event":"trade","id":"b1","topic":"batch-place","args":['
        b'{"orderId":"1","clientOid":"a","code":"0","msg":"success"},'
        b'{"orderId":"","clientOid":"b","code":"25202","msg":"Insufficient balance"}],'
        b'"code":"0","msg":"success"}'
    )
    assert reply is not None and reply.ok
    assert reply.items == [("1", "a", None, None), (None, "b", "25202", "Insufficient balance")]
    refused = dialect.decode(b'{"event":"error","id":"x","code":"25204","msg":"not exist"}')
    assert refused is not None and not refused.ok
    assert isinstance(error_from_response(None, refused.code, ""), BitgetOrderNotFoundError)


def test_order_entry_config_is_validated_at_start_in_one_line():
    assert BitgetExecClientConfig().order_entry == "rest"
    assert BitgetExecClientConfig(order_entry="websocket").order_entry == "websocket"
    with pytest.raises(BitgetConfigError) as e:
        BitgetExecClientConfig(order_entry="ws")
    message = str(e.value)
    assert "\n" not in message
    assert "order_entry" in message and "'rest', 'websocket'" in message
