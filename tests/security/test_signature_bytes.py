"""
Signatures cover the exact bytes sent; credentials come from config or environment only.

That the signed prehash equals the bytes on the wire (query string and JSON body) is proven byte
for byte by the transport tests ``tests/unit/test_signing.py::test_signed_get_sends_exactly_the_
signed_bytes`` and ``::test_signed_post_sends_exactly_the_signed_body`` (a server that records
the raw request). Here the same is checked end to end against the simulator, which verifies each
signature over the bytes it received, with a body whose serialisation is easy to get wrong.
"""

from __future__ import annotations

import pytest

from nautilus_bitget.common.credentials import BitgetCredentials
from nautilus_bitget.common.credentials import resolve_credentials
from nautilus_bitget.constants import SIM_API_KEY
from nautilus_bitget.constants import SIM_API_PASSPHRASE
from nautilus_bitget.constants import SIM_API_SECRET
from nautilus_bitget.http.client import BitgetHttpClient


async def test_signed_post_and_get_verified_by_the_venue(sim) -> None:
    http = BitgetHttpClient(
        sim.http_url,
        BitgetCredentials(SIM_API_KEY, SIM_API_SECRET, SIM_API_PASSPHRASE),
    )
    try:
        ticker = sim.exchange.ticker("BTCUSDT")
        price = str(round(float(ticker.bid_pr) * 0.9, 1))
        body = {
            "symbol": "BTCUSDT",
            "productType": "USDT-FUTURES",
            "marginMode": "crossed",
            "marginCoin": "USDT",
            "size": "0.010",
            "price": price,
            "side": "buy",
            "orderType": "limit",
            "force": "gtc",
            "clientOid": "sig-bytes-1_A-b",
        }
        await http.post("/api/v2/mix/order/place-order", body)
        pending = await http.get(
            "/api/v2/mix/order/orders-pending",
            {"productType": "USDT-FUTURES", "symbol": "BTCUSDT", "clientOid": "sig-bytes-1_A-b"},
            signed=True,
        )
        assert b"sig-bytes-1_A-b" in bytes(pending)
    finally:
        await http.close()


def test_credentials_from_config_first_then_environment(monkeypatch) -> None:
    monkeypatch.setenv("BITGET_API_KEY", "env-key")
    monkeypatch.setenv("BITGET_API_SECRET", "env-secret-value")
    monkeypatch.setenv("BITGET_API_PASSPHRASE", "env-pass-value")
    from_env = resolve_credentials(None, None, None, required=True)
    assert from_env == BitgetCredentials("env-key", "env-secret-value", "env-pass-value")
    from_cfg = resolve_credentials("cfg-key", "cfg-secret", "cfg-pass", required=True)
    assert from_cfg == BitgetCredentials("cfg-key", "cfg-secret", "cfg-pass")


def test_missing_credentials_name_fields_not_values(monkeypatch, tmp_path) -> None:
    for name in ("BITGET_API_KEY", "BITGET_API_SECRET", "BITGET_API_PASSPHRASE"):
        monkeypatch.delenv(name, raising=False)
    # no other source (home dir files, cwd files) is consulted
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".bitget").write_text("api_secret=from-a-file")
    assert resolve_credentials(None, None, None, required=False) is None
    with pytest.raises(ValueError, match="api_secret") as info:
        resolve_credentials("some-key", None, None, required=True)
    assert "BITGET_API_SECRET" in str(info.value)
    assert "some-key" not in str(info.value)
