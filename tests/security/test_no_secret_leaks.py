"""
Secrets never leak: a full live session (``bitget-nt live`` with data + execution clients, a
recorder and a market-making strategy that places and cancels orders) runs against the simulator
with known, distinctive credentials at DEBUG log level; then every byte it wrote (stdout, stderr,
files, the catalog, the manifest) plus reprs, strings and exception texts of our objects are
searched for the secret and the passphrase, raw and encoded.
"""

from __future__ import annotations

import base64
import os
import subprocess
import sys
import urllib.parse
from pathlib import Path

import pytest

from nautilus_bitget.common.credentials import BitgetCredentials
from nautilus_bitget.config import BitgetDataClientConfig
from nautilus_bitget.config import BitgetExecClientConfig
from nautilus_bitget.sim import BitgetSimulator
from nautilus_bitget.sim import SimConfig


REPO = Path(__file__).resolve().parents[2]
KEY = "leaktest-key-4d1f"
SECRET = "S3cr3t-Leak-Canary-9f2b7e"
PASSPHRASE = "Pa55-Leak-Canary-c41d"

pytestmark = pytest.mark.timeout(120)


def _forms(value: str) -> list[bytes]:
    raw = value.encode()
    return [
        raw,
        raw.lower(),
        base64.b64encode(raw),
        base64.urlsafe_b64encode(raw),
        urllib.parse.quote(value).encode(),
        urllib.parse.quote_plus(value).encode(),
        raw.hex().encode(),
        value[::-1].encode(),
    ]


def find_leaks(blobs: dict[str, bytes]) -> list[str]:
    """Return ``"<where>: <which form>"`` for every secret form found in ``blobs``."""
    leaks = []
    for where, data in blobs.items():
        lowered = data.lower()
        for name, value in (("api_secret", SECRET), ("api_passphrase", PASSPHRASE)):
            for form in _forms(value):
                if form.lower() in lowered:
                    leaks.append(f"{where}: {name} ({form[:12]!r}...)")
                    break
    return leaks


def files_under(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.fixture
def sim_with_account():
    sim = BitgetSimulator(SimConfig(port=0, book_rate_hz=20.0, checksum=True))
    sim.start_background()
    sim.call(sim.exchange.create_account, KEY, SECRET, PASSPHRASE)
    yield sim
    sim.stop_background()


def test_full_live_session_writes_no_secret(tmp_path: Path, sim_with_account) -> None:
    sim = sim_with_account
    work = tmp_path / "work"
    work.mkdir()
    env = dict(
        os.environ,
        BITGET_API_KEY=KEY,
        BITGET_API_SECRET=SECRET,
        BITGET_API_PASSPHRASE=PASSPHRASE,
        BITGET_NT_LOG_LEVEL="DEBUG",
        PYTHONPATH=str(REPO),
    )
    proc = subprocess.run(  # noqa: S603 - our own CLI
        [
            sys.executable,
            "-m",
            "nautilus_bitget.cli",
            "live",
            "--strategy",
            "strategies.book_maker:BookMaker",
            "--config",
            str(REPO / "strategies" / "configs" / "book_maker.json"),
            "--env",
            "sim",
            "--http-url",
            sim.http_url,
            "--ws-public-url",
            sim.ws_public_url,
            "--ws-private-url",
            sim.ws_private_url,
            "--record",
            str(work / "catalog"),
            "--duration",
            "12",
        ],
        capture_output=True,
        env=env,
        cwd=work,
        timeout=100,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")[-3000:]
    # The session really traded with these credentials (signatures verified by the simulator)
    orders = sim.call(lambda: [o for o in sim.exchange._orders.values() if o.api_key == KEY])
    assert orders, "no orders reached the venue"
    assert b"DEBUG" in proc.stdout + proc.stderr
    blobs = {"stdout": proc.stdout, "stderr": proc.stderr}
    blobs.update({f"file {k}": v for k, v in files_under(work).items()})
    assert any(k.startswith("file catalog/data/") for k in blobs), "nothing recorded"
    assert not find_leaks(blobs), find_leaks(blobs)


def test_reprs_and_exception_texts_hold_no_secret(sim_with_account) -> None:
    import asyncio

    from nautilus_bitget.faults.exec_stack import ExecStack
    from nautilus_bitget.http.client import BitgetHttpClient
    from nautilus_bitget.websocket.client import BitgetWebSocketClient

    sim = sim_with_account
    creds = BitgetCredentials(KEY, SECRET, PASSPHRASE)
    fields = {"api_key": KEY, "api_secret": SECRET, "api_passphrase": PASSPHRASE}
    data_cfg = BitgetDataClientConfig(**fields)
    exec_cfg = BitgetExecClientConfig(**fields)
    http = BitgetHttpClient(sim.http_url, creds)
    ws = BitgetWebSocketClient(sim.ws_private_url, lambda _b: None, credentials=creds)
    blobs = {
        "repr(credentials)": repr(creds).encode(),
        "str(credentials)": str(creds).encode(),
        "repr(data config)": repr(data_cfg).encode(),
        "str(exec config)": str(exec_cfg).encode(),
        "repr(exec config)": repr(exec_cfg).encode(),
        "repr(http client)": repr(http).encode(),
        "repr(ws client)": repr(ws).encode(),
    }

    async def forced_errors() -> dict[str, bytes]:
        out = {}
        # wrong passphrase and wrong secret: start-up errors
        for label, kwargs in (
            ("bad passphrase", {"api_secret": SECRET, "api_passphrase": "nope-" + PASSPHRASE}),
            ("bad secret", {"api_secret": SECRET + "x", "api_passphrase": PASSPHRASE}),
        ):
            stack = ExecStack(sim, api_key=KEY, **kwargs)
            try:
                await stack.start()
            except Exception as e:
                out[f"{label}: str"] = str(e).encode()
                out[f"{label}: repr"] = repr(e).encode()
                out[f"{label}: args"] = repr(e.args).encode()
            finally:
                await stack.stop()
        return out

    errors = asyncio.run(forced_errors())
    # both start-ups must fail (a start that does not raise would leave nothing to search)
    assert {k.split(":")[0] for k in errors} == {"bad passphrase", "bad secret"}
    assert all(errors.values())
    blobs.update(errors)
    assert not find_leaks(blobs), find_leaks(blobs)


def test_config_json_does_not_serialize_secrets() -> None:
    """
    ``NautilusConfig.json()`` / ``dict()`` are how Nautilus persists and ships configs
    (e.g. ``TradingNodeConfig.json()``); they must not carry the secret in clear.
    """
    cfg = BitgetExecClientConfig(api_key=KEY, api_secret=SECRET, api_passphrase=PASSPHRASE)
    blobs = {"exec config .json()": cfg.json()}
    assert not find_leaks(blobs), find_leaks(blobs)
