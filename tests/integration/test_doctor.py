"""``bitget-nt doctor`` against the simulator: one line per check, exit 1 on what stops ``live``."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from nautilus_bitget.constants import SIM_API_KEY


EXE = str(Path(sys.executable).with_name("bitget-nt"))
REPO = Path(__file__).resolve().parents[2]
CONFIG = str(REPO / "strategies" / "configs" / "ema_cross_demo.json")


async def _doctor(*args: str, env: dict[str, str] | None = None) -> tuple[int, list[str]]:
    proc = await asyncio.create_subprocess_exec(
        EXE,
        "doctor",
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        env={**os.environ, **(env or {})},
    )
    out, _ = await asyncio.wait_for(proc.communicate(), 90)
    return proc.returncode, out.decode(errors="replace").splitlines()


def _line(lines: list[str], name: str) -> str:
    found = [ln for ln in lines if ln.split()[1:2] == [name]]
    assert found, f"no {name!r} check in {lines}"
    return found[0]


async def test_classic_account_ready(sim) -> None:
    code, lines = await _doctor("--env", "sim", "--http-url", sim.http_url, "--config", CONFIG)
    assert code == 0, lines
    assert _line(lines, "credentials").startswith("ok")
    assert "classic account detected" in _line(lines, "account")
    assert _line(lines, "permissions").startswith("ok")
    assert "BTCUSDT-PERP.BITGET" in _line(lines, "instrument")
    assert "one_way" in _line(lines, "position")
    assert "leverage 20x" in _line(lines, "leverage")
    assert "USDT 100000 available" in _line(lines, "balance")
    assert not [ln for ln in lines if ln.startswith("FAIL")]


async def test_withdrawal_permission_is_a_warning(sim) -> None:
    sim.exchange.account(SIM_API_KEY).withdraw_permission = True
    code, lines = await _doctor("--env", "sim", "--http-url", sim.http_url)
    assert code == 0, lines
    line = _line(lines, "permissions")
    assert line.startswith("warn") and "wwow" in line and "WITHDRAW" in line


async def test_hedge_account_without_position_mode_fails(sim) -> None:
    sim.exchange.account(SIM_API_KEY).pos_mode["USDT-FUTURES"] = "hedge_mode"
    args = ("--env", "sim", "--http-url", sim.http_url, "--config", CONFIG)
    code, lines = await _doctor(*args)
    assert code == 1
    assert _line(lines, "position").startswith("FAIL") and "--position-mode hedge" in "\n".join(
        lines
    )
    code, lines = await _doctor(*args, "--position-mode", "hedge")
    assert code == 0, lines


async def test_uta_account_and_unknown_instrument(sim_factory, tmp_path) -> None:
    sim = await sim_factory(account_mode="uta")
    sim.exchange.account(SIM_API_KEY).withdraw_permission = True
    config = tmp_path / "c.json"
    config.write_text('{"instrument_id": "NOPEUSDT-PERP.BITGET"}')
    code, lines = await _doctor("--env", "sim", "--http-url", sim.http_url, "--config", str(config))
    assert code == 1, lines
    assert "unified trading account (UTA) detected" in _line(lines, "account")
    code, lines = await _doctor("--env", "sim", "--http-url", sim.http_url, "--config", CONFIG)
    assert code == 0, lines
    assert "crossed margin, leverage 20x" in _line(lines, "leverage")
    assert "account: one_way" in _line(lines, "position")
    code, lines = await _doctor("--env", "sim", "--http-url", sim.http_url, "--config", str(config))
    assert code == 1, lines
    assert "withdraw" in _line(lines, "permissions")
    assert _line(lines, "instrument").startswith("FAIL") and "NOPEUSDT" in _line(
        lines, "instrument"
    )


async def test_missing_credentials_fail_without_a_traceback(sim) -> None:
    env = {"BITGET_API_KEY": "", "BITGET_API_SECRET": "", "BITGET_API_PASSPHRASE": ""}
    code, lines = await _doctor("--env", "demo", "--http-url", sim.http_url, env=env)
    assert code == 1
    line = _line(lines, "credentials")
    assert line.startswith("FAIL") and "BITGET_API_KEY" in line
    assert not [ln for ln in lines if "Traceback" in ln]


async def test_wrong_secret_is_reported_as_rejected(sim) -> None:
    env = {
        "BITGET_API_KEY": SIM_API_KEY,
        "BITGET_API_SECRET": "wrong",
        "BITGET_API_PASSPHRASE": "x",
    }
    code, lines = await _doctor("--env", "live", "--http-url", sim.http_url, env=env)
    assert code == 1
    assert _line(lines, "key").startswith("FAIL") and "rejected" in _line(lines, "key")
    assert "wrong" not in "\n".join(lines)
