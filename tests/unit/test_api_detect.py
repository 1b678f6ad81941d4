"""
Account type detection rules (bitget-protocol-uta.md 1.2) against a tiny local aiohttp server.

The server answers ``GET /api/v3/account/settings`` and the v2 confirmation read with whatever
the test sets, over a real socket through ``BitgetHttpClient``.
"""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web

from nautilus_bitget.api.detect import PROBE_PATH
from nautilus_bitget.api.detect import V2_CONFIRM_PATH
from nautilus_bitget.api.detect import BitgetAccountModeError
from nautilus_bitget.api.detect import clear_account_mode_cache
from nautilus_bitget.api.detect import detect_account_mode
from nautilus_bitget.common.credentials import BitgetCredentials
from nautilus_bitget.common.errors import BitgetAuthenticationError
from nautilus_bitget.common.errors import BitgetError
from nautilus_bitget.common.errors import BitgetTransportError
from nautilus_bitget.http.client import BitgetHttpClient


CREDS = BitgetCredentials("probe-key", "probe-secret", "probe-pass")
OK: tuple[int, str, str] = (200, "00000", "success")


def _envelope(code: str, msg: str, data: Any) -> dict:
    return {"code": code, "msg": msg, "requestTime": 1, "data": data}


class _Venue:
    """Scripted answers per path; counts requests."""

    def __init__(self) -> None:
        self.answers: dict[str, tuple[int, str, str]] = {PROBE_PATH: OK, V2_CONFIRM_PATH: OK}
        self.hits: dict[str, int] = {}

    async def handle(self, request: web.Request) -> web.Response:
        path = request.path
        self.hits[path] = self.hits.get(path, 0) + 1
        assert request.headers.get("ACCESS-KEY") == CREDS.api_key  # always signed
        status, code, msg = self.answers.get(path, (404, "40404", "not found"))
        data = {"holdMode": "one_way_mode", "accountMode": "unified"} if code == "00000" else None
        return web.json_response(_envelope(code, msg, data), status=status)


@pytest.fixture
async def venue() -> AsyncIterator[tuple[_Venue, str]]:
    clear_account_mode_cache()
    v = _Venue()
    app = web.Application()
    app.router.add_route("GET", "/{tail:.*}", v.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    yield v, f"http://127.0.0.1:{port}"
    await runner.cleanup()
    clear_account_mode_cache()


def _client(url: str, creds: BitgetCredentials | None = CREDS) -> BitgetHttpClient:
    return BitgetHttpClient(url, creds, max_retries=0, timeout_secs=2.0)


CLASSIC_ON_V3 = (400, "40084", "You are in Classic Account mode")
UTA_ON_V2 = (400, "40085", "You are in Unified Account mode")


@pytest.mark.parametrize(
    ("probe", "v2", "expected"),
    [
        (OK, UTA_ON_V2, "uta"),
        (CLASSIC_ON_V3, OK, "classic"),
        ((400, "25245", "classic account mode"), OK, "classic"),
        (CLASSIC_ON_V3, (400, "40019", "Parameter productType cannot be empty"), "classic"),
    ],
)
async def test_auto_picks_the_api_of_the_key(venue, probe, v2, expected) -> None:
    v, url = venue
    v.answers = {PROBE_PATH: probe, V2_CONFIRM_PATH: v2}
    client = _client(url)
    try:
        assert await detect_account_mode(client, "auto") == expected
    finally:
        await client.close()


@pytest.mark.parametrize(
    "probe",
    [
        (400, "40009", "sign signature error"),
        (400, "40006", "Invalid ACCESS_KEY"),
        (400, "40012", "apikey/password is incorrect"),
        (500, "45001", "Unknown error"),
    ],
)
async def test_inconclusive_probe_raises_never_guesses(venue, probe) -> None:
    v, url = venue
    v.answers[PROBE_PATH] = probe
    client = _client(url)
    try:
        with pytest.raises(BitgetError) as info:
            await detect_account_mode(client, "auto")
        assert not isinstance(info.value, BitgetAccountModeError)
        if probe[1] != "45001":
            assert isinstance(info.value, BitgetAuthenticationError)
        assert v.hits.get(V2_CONFIRM_PATH, 0) == 0  # never fell through to "classic"
    finally:
        await client.close()


async def test_network_error_raises() -> None:
    clear_account_mode_cache()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    client = _client(f"http://127.0.0.1:{port}")
    try:
        with pytest.raises(BitgetTransportError):
            await detect_account_mode(client, "auto")
    finally:
        await client.close()


async def test_uta_account_forced_to_classic_fails_with_what_to_change(venue) -> None:
    _, url = venue
    client = _client(url)
    try:
        with pytest.raises(BitgetAccountModeError) as info:
            await detect_account_mode(client, "classic")
        assert "set account_mode='uta' or 'auto'" in str(info.value)
    finally:
        await client.close()


async def test_classic_account_forced_to_uta_fails_with_what_to_change(venue) -> None:
    v, url = venue
    v.answers[PROBE_PATH] = CLASSIC_ON_V3
    client = _client(url)
    try:
        with pytest.raises(BitgetAccountModeError) as info:
            await detect_account_mode(client, "uta")
        assert "set account_mode='classic' or 'auto'" in str(info.value)
    finally:
        await client.close()


async def test_matching_configuration_is_accepted(venue) -> None:
    v, url = venue
    client = _client(url)
    try:
        assert await detect_account_mode(client, "uta") == "uta"
    finally:
        await client.close()
    clear_account_mode_cache()
    v.answers[PROBE_PATH] = CLASSIC_ON_V3
    client = _client(url)
    try:
        assert await detect_account_mode(client, "CLASSIC") == "classic"
    finally:
        await client.close()


async def test_v3_classic_but_v2_uta_is_inconclusive(venue) -> None:
    v, url = venue
    v.answers = {PROBE_PATH: CLASSIC_ON_V3, V2_CONFIRM_PATH: UTA_ON_V2}
    client = _client(url)
    try:
        with pytest.raises(BitgetError, match="retry later"):
            await detect_account_mode(client, "auto")
    finally:
        await client.close()


async def test_choice_holds_for_the_process(venue) -> None:
    v, url = venue
    client = _client(url)
    try:
        assert await detect_account_mode(client, "auto") == "uta"
        v.answers[PROBE_PATH] = CLASSIC_ON_V3  # the venue changes its mind: we do not
        assert await detect_account_mode(client, "auto") == "uta"
        assert v.hits[PROBE_PATH] == 1
    finally:
        await client.close()


async def test_bad_setting_and_public_only() -> None:
    client = _client("http://127.0.0.1:9", None)
    with pytest.raises(ValueError, match="account_mode"):
        await detect_account_mode(client, "unified")
    assert await detect_account_mode(client, "auto") == "classic"
    assert await detect_account_mode(client, "uta") == "uta"
    await client.close()
