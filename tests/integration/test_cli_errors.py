"""Bad user input on the command line: one clear line, a non-zero exit, no hang, no traceback."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from nautilus_bitget.constants import SIM_API_KEY
from nautilus_bitget.constants import SIM_API_PASSPHRASE
from nautilus_bitget.constants import SIM_API_SECRET


EXE = str(Path(sys.executable).with_name("bitget-nt"))


async def _run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    proc = await asyncio.create_subprocess_exec(
        EXE,
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        env={**os.environ, **(env or {})},
    )
    out, _ = await asyncio.wait_for(proc.communicate(), 90)
    return proc.returncode, out.decode(errors="replace")


async def test_record_unknown_symbol_on_the_embedded_simulator(tmp_path) -> None:
    code, out = await _run(
        "record", "--symbols", "NOPEUSDT", "--catalog", str(tmp_path / "c"), "--env", "sim"
    )
    assert code == 2
    assert "bitget-nt record: unknown simulator symbol 'NOPEUSDT'" in out
    assert "Traceback" not in out


async def test_record_unknown_symbol_on_a_venue_stops_by_itself(sim, tmp_path) -> None:
    # No --duration: the recorder must not idle forever with nothing to record
    code, out = await _run(
        "record",
        "--symbols",
        "NOPEUSDT",
        "--catalog",
        str(tmp_path / "c"),
        "--env",
        "live",
        "--http-url",
        sim.http_url,
        "--ws-public-url",
        sim.ws_public_url,
        "--ws-private-url",
        sim.ws_private_url,
        env={
            "BITGET_API_KEY": SIM_API_KEY,
            "BITGET_API_SECRET": SIM_API_SECRET,
            "BITGET_API_PASSPHRASE": SIM_API_PASSPHRASE,
        },
    )
    assert code == 2
    assert "bitget-nt record: BitgetRecorderConfig.symbols: 'NOPEUSDT'" in out
    assert "check the symbol" in out
    assert "Traceback" not in out


async def test_backtest_with_a_bad_strategy_path_says_so(tmp_path) -> None:
    config = tmp_path / "c.json"
    config.write_text("{}")
    code, out = await _run(
        "backtest",
        "--catalog",
        str(tmp_path),
        "--strategy",
        "strategies.nope:Nope",
        "--config",
        str(config),
    )
    assert code != 0
    assert "Traceback" not in out
    assert "strategies.nope" in out
