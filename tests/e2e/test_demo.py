"""``bitget-nt demo`` end to end in a shortened run: parity.json fields and the parity target."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest


REPO = Path(__file__).resolve().parents[2]


@pytest.mark.slow
@pytest.mark.timeout(180)
def test_demo_short_run(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    proc = subprocess.run(  # noqa: S603 - our own CLI
        [
            sys.executable,
            "-m",
            "nautilus_bitget.cli",
            "demo",
            "--duration",
            "45",
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=170,
        cwd=REPO,
        check=False,
    )
    parity = json.loads((out / "parity.json").read_text())
    for key in ("orders_live", "orders_backtest", "decisions_identical_pct"):
        assert key in parity
    assert proc.stdout.strip().splitlines()[-1] == str(out.resolve())
    assert parity["orders_live"] > 0, proc.stdout[-3000:]
    assert parity["decisions_identical_pct"] >= 95.0, proc.stdout[-5000:]
    assert proc.returncode == 0
    html = (out / "report.html").read_text()
    assert "Live vs backtest parity" in html
    assert html.count("<svg") == 3
    assert (out / "catalog" / "data").is_dir()
    assert (out / "backtest" / "results.json").is_file()
