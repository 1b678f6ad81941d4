"""Error mapping of venue responses to typed errors, through the real HTTP client."""

from __future__ import annotations

from typing import Any

import pytest

from nautilus_bitget.common.errors import BitgetAuthenticationError
from nautilus_bitget.common.errors import BitgetEnvironmentError
from nautilus_bitget.common.errors import BitgetError
from nautilus_bitget.common.errors import BitgetRateLimitError
from nautilus_bitget.common.errors import BitgetRequestError
from nautilus_bitget.common.errors import BitgetServerError
from nautilus_bitget.common.errors import BitgetSymbolError
from nautilus_bitget.common.errors import BitgetUtaAccountError
from nautilus_bitget.http.client import BitgetHttpClient
from tests.unit.test_http_client import PASSPHRASE
from tests.unit.test_http_client import SECRET
from tests.unit.test_http_client import FakeRest
from tests.unit.test_http_client import make_credentials


PATH = "/api/v2/mix/account/accounts"


def envelope(code: str, msg: str) -> dict[str, Any]:
    return {"code": code, "msg": msg, "requestTime": 1789456354640, "data": None}


@pytest.fixture
async def fake():
    server = await FakeRest().start()
    yield server
    await server.stop()


@pytest.mark.parametrize(
    ("status", "body", "error_type", "code"),
    [
        (
            400,
            envelope("40085", "You are in Unified Account mode"),
            BitgetUtaAccountError,
            "40085",
        ),
        (
            400,
            envelope("40099", "exchange environment is incorrect"),
            BitgetEnvironmentError,
            "40099",
        ),
        (400, envelope("40034", "Parameter NOPEUSDT does not exist"), BitgetSymbolError, "40034"),
        (
            400,
            envelope("40012", "apikey/password is incorrect"),
            BitgetAuthenticationError,
            "40012",
        ),
        (429, envelope("429", "Too many requests"), BitgetRateLimitError, "429"),
        (429, b"Too Many Requests", BitgetRateLimitError, None),
        (503, envelope("40015", "System is abnormal"), BitgetServerError, "40015"),
        (500, envelope("99999", "internal"), BitgetServerError, "99999"),
        (502, b"<html><body>502 Bad Gateway</body></html>", BitgetServerError, None),
        (400, envelope("40017", "Parameter verification failed"), BitgetRequestError, "40017"),
    ],
)
async def test_response_maps_to_typed_error(
    fake: FakeRest,
    status: int,
    body: Any,
    error_type: type[BitgetError],
    code: str | None,
) -> None:
    fake.script(PATH, (status, body))
    http = BitgetHttpClient(fake.url, make_credentials(), max_retries=0)
    try:
        with pytest.raises(BitgetError) as info:
            await http.get(PATH, {"productType": "USDT-FUTURES"}, signed=True)
    finally:
        await http.close()
    error = info.value
    assert type(error) is error_type
    assert error.status == status
    assert error.code == code
    assert error.endpoint == PATH
    for text in (str(error), repr(error)):
        assert SECRET not in text
        assert PASSPHRASE not in text
        assert PATH in text


async def test_uta_and_environment_errors_carry_hints(fake: FakeRest) -> None:
    fake.script(PATH, (400, envelope("40085", "uta")), (400, envelope("40099", "env")))
    http = BitgetHttpClient(fake.url, make_credentials())
    try:
        with pytest.raises(BitgetUtaAccountError, match="Unified Trading Account"):
            await http.get(PATH, signed=True)
        with pytest.raises(BitgetEnvironmentError, match="environment=DEMO"):
            await http.get(PATH, signed=True)
    finally:
        await http.close()
    assert len(fake.requests_to(PATH)) == 2  # config errors are never retried


async def test_non_json_502_is_retried_on_get_then_raised(fake: FakeRest) -> None:
    fake.script(PATH, *[(502, b"<html>502</html>")] * 3)
    http = BitgetHttpClient(fake.url, make_credentials(), max_retries=2)
    http.retry_delay_initial_secs = 0.01
    try:
        with pytest.raises(BitgetServerError) as info:
            await http.get(PATH, signed=True)
    finally:
        await http.close()
    assert info.value.status == 502
    assert "non-JSON" in str(info.value)
    assert len(fake.requests_to(PATH)) == 3
