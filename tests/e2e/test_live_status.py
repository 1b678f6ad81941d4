"""``bitget-nt live`` on a terminal: WARNING logs, a status line, and a quiet normal stop."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


REPO = Path(__file__).resolve().parents[2]


@pytest.mark.slow
@pytest.mark.timeout(180)
def test_live_status_line_and_quiet_stop() -> None:
    env = {**os.environ, "BITGET_NT_STATUS": "1"}
    env.pop("BITGET_NT_LOG_LEVEL", None)
    done = subprocess.run(  # noqa: S603 - our own CLI
        [
            str(Path(sys.executable).with_name("bitget-nt")),
            "live",
            "--env",
            "sim",
            "--strategy",
            "strategies.ema_cross:EMACross",
            "--config",
            str(REPO / "strategies" / "configs" / "ema_cross_demo.json"),
            "--duration",
            "12",
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=150,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    status = [ln for ln in done.stderr.splitlines() if ln.startswith("live ") and "|" in ln]
    assert len(status) >= 5, done.stderr[-2000:]
    assert "positions " in status[-1] and "open orders " in status[-1]
    assert "PnL realized" in status[-1] and "last data " in status[-1]
    assert "UTC" in status[-1], status[-1]  # market data arrived
    # WARNING by default: no banner, no INFO, and a normal stop warns about nothing
    assert "[INFO]" not in done.stdout and "NAUTILUS TRADER" not in done.stdout
    assert "[WARN]" not in done.stdout and "[ERROR]" not in done.stdout, done.stdout[-2000:]
    assert "live run finished" in done.stderr
