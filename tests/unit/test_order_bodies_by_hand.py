"""
Order bodies compared whole with hand-written wire bodies (bitget-protocol.md 5.4, 5.6, 5.7, 9.2):
a field renamed, dropped or emptied fails here.
"""

from __future__ import annotations

import hashlib

from nautilus_trader.model.enums import OrderSide
from nautilus_trader.model.enums import PositionSide

from nautilus_bitget.common.orders import CLIENT_OID_MAX_LEN
from nautilus_bitget.common.orders import alias_base
from nautilus_bitget.common.orders import batch_request
from nautilus_bitget.common.orders import client_oid_error
from nautilus_bitget.common.orders import hashed_base
from nautilus_bitget.common.orders import is_close
from nautilus_bitget.common.orders import modify_alias
from nautilus_bitget.common.orders import modify_request
from tests.unit.test_order_mapping import INSTRUMENT_ID
from tests.unit.test_order_mapping import P
from tests.unit.test_order_mapping import Q
from tests.unit.test_order_mapping import T
from tests.unit.test_order_mapping import factory  # noqa: F401 - pytest fixture
from tests.unit.test_order_mapping import req


def test_preset_take_profit_and_stop_loss_on_a_limit(factory) -> None:  # noqa: F811
    order = factory.limit(INSTRUMENT_ID, OrderSide.BUY, Q, P)
    is_plan, body = req(order, take_profit="70000.0", stop_loss="60000.0")
    assert not is_plan
    assert body == {
        "symbol": "BTCUSDT",
        "productType": "USDT-FUTURES",
        "marginMode": "crossed",
        "marginCoin": "USDT",
        "size": "0.010",
        "price": "65000.1",
        "side": "buy",
        "orderType": "limit",
        "force": "gtc",
        "clientOid": "C1",
        "reduceOnly": "NO",
        "presetStopSurplusPrice": "70000.0",
        "presetStopLossPrice": "60000.0",
    }
    # a plan order carries its TP/SL as stopSurplusTriggerPrice / stopLossTriggerPrice (5.9)
    stop = factory.stop_market(INSTRUMENT_ID, OrderSide.BUY, Q, T)
    is_plan, body = req(stop, take_profit="70000.0", stop_loss="50000.0")
    assert is_plan
    assert body == {
        "symbol": "BTCUSDT",
        "productType": "USDT-FUTURES",
        "marginMode": "crossed",
        "marginCoin": "USDT",
        "size": "0.010",
        "planType": "normal_plan",
        "triggerPrice": "60000.0",
        "triggerType": "fill_price",
        "side": "buy",
        "orderType": "market",
        "clientOid": "C1",
        "reduceOnly": "no",
        "stopSurplusTriggerPrice": "70000.0",
        "stopLossTriggerPrice": "50000.0",
    }


def test_batch_body() -> None:
    items = [{"size": "1", "side": "buy"}]
    assert batch_request(
        items,
        symbol="BTCUSDT",
        product_type="USDT-FUTURES",
        margin_coin="USDT",
        margin_mode="crossed",
    ) == {
        "symbol": "BTCUSDT",
        "productType": "USDT-FUTURES",
        "marginCoin": "USDT",
        "marginMode": "crossed",
        "orderList": items,
    }


def test_modify_body_by_client_oid_and_by_order_id() -> None:
    common = {
        "symbol": "BTCUSDT",
        "product_type": "USDT-FUTURES",
        "client_oid": "C1",
        "new_client_oid": "C1_m1",
        "new_size": "0.020",
        "new_price": "65000.0",
    }
    assert modify_request(order_id=None, **common) == {
        "symbol": "BTCUSDT",
        "productType": "USDT-FUTURES",
        "clientOid": "C1",
        "newClientOid": "C1_m1",
        "newSize": "0.020",
        "newPrice": "65000.0",
    }
    assert modify_request(order_id="42", **common) == {
        "symbol": "BTCUSDT",
        "productType": "USDT-FUTURES",
        "orderId": "42",
        "newClientOid": "C1_m1",
        "newSize": "0.020",
        "newPrice": "65000.0",
    }


def test_client_oid_length_boundary_and_aliases() -> None:
    assert CLIENT_OID_MAX_LEN == 32
    assert client_oid_error("a" * 32) is None
    too_long = client_oid_error("a" * 33)
    assert too_long is not None and "33 chars" in too_long
    assert "characters outside" in (client_oid_error("a b") or "")
    # <coid>_m<n> while it fits in 32 chars, else h + blake2b(coid)[:n] + suffix (32 chars)
    assert modify_alias("a" * 29, 1) == "a" * 29 + "_m1"
    long_oid = "b" * 30
    digest = hashlib.blake2b(long_oid.encode(), digest_size=16).hexdigest()
    assert modify_alias(long_oid, 1) == "h" + digest[:28] + "_m1"
    assert len(modify_alias(long_oid, 1)) == 32
    assert hashed_base(long_oid) == "h" + digest[:23]
    assert alias_base(modify_alias("abc", 3)) == "abc"


def test_is_close_by_position_id_and_side() -> None:
    assert is_close(OrderSide.SELL, False, "X-LONG")
    assert not is_close(OrderSide.BUY, False, "X-LONG")
    assert is_close(OrderSide.BUY, False, "X-SHORT")
    assert not is_close(OrderSide.SELL, False, "X-SHORT")
    assert is_close(OrderSide.SELL, False, None, PositionSide.LONG)
    assert not is_close(OrderSide.BUY, False, None, PositionSide.LONG)
    assert is_close(OrderSide.BUY, False, None, PositionSide.SHORT)
    assert not is_close(OrderSide.SELL, False, None, PositionSide.SHORT)
    assert is_close(OrderSide.BUY, True, None)
    assert not is_close(OrderSide.BUY, False, None)
