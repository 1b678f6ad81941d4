"""Signing: spec vectors computed independently, and signed bytes == sent bytes on a real server."""

from __future__ import annotations

import base64
import hashlib
import hmac

import msgspec
import pytest

from nautilus_bitget.constants import BitgetEnvironment
from nautilus_bitget.http.client import BitgetHttpClient
from nautilus_bitget.http.signing import build_query
from nautilus_bitget.http.signing import rest_prehash
from nautilus_bitget.http.signing import sign_rest
from nautilus_bitget.http.signing import sign_ws_login
from tests.unit.test_http_client import PASSPHRASE
from tests.unit.test_http_client import SECRET
from tests.unit.test_http_client import FakeRest
from tests.unit.test_http_client import make_credentials


def reference_sign(secret: str, message: str) -> str:
    # bitget-protocol.md 2.2, written out independently of the code under test
    mac = hmac.new(bytes(secret, "utf-8"), bytes(message, "utf-8"), digestmod="sha256")
    return base64.b64encode(mac.digest()).decode("ascii")


def test_get_vector_from_spec_example() -> None:
    # The docs' GET example prehash (bitget-protocol.md 2.2)
    prehash = "16273667805456GET/api/mix/v2/market/depth?limit=20&symbol=BTCUSDT"
    assert (
        rest_prehash("16273667805456", "get", "/api/mix/v2/market/depth", "limit=20&symbol=BTCUSDT")
        == prehash
    )
    signature = sign_rest(
        "sim-secret",
        "16273667805456",
        "GET",
        "/api/mix/v2/market/depth",
        "limit=20&symbol=BTCUSDT",
    )
    assert signature == reference_sign("sim-secret", prehash)
    assert len(base64.b64decode(signature)) == hashlib.sha256().digest_size


def test_post_vector_from_spec_example() -> None:
    body = '{"productType":"usdt-futures","symbol":"BTCUSDT","size":"8","marginMode":"crossed"}'
    prehash = "16273667805456POST/api/v2/mix/order/place-order" + body
    signature = sign_rest(
        "sim-secret",
        "16273667805456",
        "POST",
        "/api/v2/mix/order/place-order",
        body=body,
    )
    assert signature == reference_sign("sim-secret", prehash)


def test_get_without_query_has_no_question_mark() -> None:
    assert rest_prehash("1", "GET", "/api/v2/public/time") == "1GET/api/v2/public/time"


def test_ws_login_vector() -> None:
    # bitget-protocol.md 3.2: seconds timestamp + "GET" + "/user/verify"
    assert sign_ws_login("sim-secret", "1538054050") == reference_sign(
        "sim-secret",
        "1538054050GET/user/verify",
    )


def test_build_query_sorts_drops_none_and_formats_bools() -> None:
    query = build_query({"symbol": "BTCUSDT", "limit": 20, "after": None, "flag": True})
    assert query == "flag=true&limit=20&symbol=BTCUSDT"
    assert build_query(None) == ""
    assert build_query({}) == ""
    assert (
        build_query({"symbols": "BTCUSDT,ETHUSDT", "x": "a b"}) == "symbols=BTCUSDT,ETHUSDT&x=a%20b"
    )


@pytest.fixture
async def fake():
    server = await FakeRest().start()
    yield server
    await server.stop()


async def test_signed_get_sends_exactly_the_signed_bytes(fake: FakeRest) -> None:
    credentials = make_credentials()
    http = BitgetHttpClient(fake.url, credentials)
    try:
        params = {"symbol": "BTCUSDT", "productType": "USDT-FUTURES", "marginCoin": "USDT"}
        await http.get("/api/v2/mix/account/account", params, signed=True)
    finally:
        await http.close()
    (seen,) = fake.seen
    assert seen.raw_query == "marginCoin=USDT&productType=USDT-FUTURES&symbol=BTCUSDT"
    assert seen.body == b""
    prehash = (
        seen.headers["ACCESS-TIMESTAMP"]
        + "GET"
        + "/api/v2/mix/account/account"
        + "?"
        + seen.raw_query
    )
    assert seen.headers["ACCESS-SIGN"] == reference_sign(SECRET, prehash)
    assert seen.headers["ACCESS-KEY"] == credentials.api_key
    assert seen.headers["ACCESS-PASSPHRASE"] == PASSPHRASE
    assert seen.headers["Content-Type"] == "application/json"
    assert seen.headers["locale"] == "en-US"
    assert "paptrading" not in seen.headers
    assert SECRET not in str(seen.headers)


async def test_signed_post_sends_exactly_the_signed_body(fake: FakeRest) -> None:
    http = BitgetHttpClient(fake.url, make_credentials())
    body = {
        "symbol": "BTCUSDT",
        "productType": "USDT-FUTURES",
        "marginMode": "crossed",
        "marginCoin": "USDT",
        "size": "0.01",
        "price": "25000.5",
        "side": "buy",
        "orderType": "limit",
        "clientOid": "O-20240101-001",
    }
    try:
        await http.post("/api/v2/mix/order/place-order", body)
    finally:
        await http.close()
    (seen,) = fake.seen
    assert seen.raw_query == ""
    assert seen.body == msgspec.json.encode(body)
    prehash = seen.headers["ACCESS-TIMESTAMP"] + "POST" + "/api/v2/mix/order/place-order"
    assert seen.headers["ACCESS-SIGN"] == reference_sign(SECRET, prehash + seen.body.decode())


async def test_unsigned_get_has_no_credentials(fake: FakeRest) -> None:
    http = BitgetHttpClient(fake.url, make_credentials())
    try:
        await http.get("/api/v2/mix/market/contracts", {"productType": "USDT-FUTURES"})
    finally:
        await http.close()
    (seen,) = fake.seen
    assert not any(h.startswith("ACCESS-") for h in seen.headers)


async def test_demo_environment_adds_paptrading_header(fake: FakeRest) -> None:
    http = BitgetHttpClient(fake.url, make_credentials(), environment=BitgetEnvironment.DEMO)
    try:
        await http.get("/api/v2/mix/account/accounts", {"productType": "USDT-FUTURES"}, signed=True)
        await http.post("/api/v2/mix/order/place-order", {"symbol": "BTCUSDT"})
    finally:
        await http.close()
    assert [s.headers.get("paptrading") for s in fake.seen] == ["1", "1"]
    # The header is not part of the signature (bitget-protocol.md 1.2 A); the server accepted both
    for seen in fake.seen:
        assert seen.headers["ACCESS-SIGN"] == fake.expected_sign(seen)
