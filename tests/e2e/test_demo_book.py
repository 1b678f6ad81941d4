"""``bitget-nt demo --strategy book`` end to end in a short run: report keys and their sanity."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest


pytest.importorskip("nautilus_bitget.factories", reason="Bitget client factories not available")

REPO = Path(__file__).resolve().parents[2]
KEYS = ("fills_live", "fills_backtest", "fills_matched", "fills_matched_pct", "phantom_fills_pct")


def _sane(report: dict) -> None:
    for key in KEYS:
        assert key in report
    live, bt, matched = report["fills_live"], report["fills_backtest"], report["fills_matched"]
    assert 0 <= matched <= min(live, bt)
    assert 0.0 <= report["fills_matched_pct"] <= 100.0
    assert 0.0 <= report["phantom_fills_pct"] <= 100.0
    # every unmatched fill has exactly one reason
    assert sum(report["unmatched_live"].values()) == live - matched
    assert sum(report["phantom"].values()) == bt - matched
    assert len(report["fills"]) == live + bt - matched
    for kind in ("placed", "modified", "canceled"):
        q = report["quotes"][kind]
        assert 0 <= q["aligned"] <= min(q["live"], q["backtest"])


@pytest.mark.slow
@pytest.mark.timeout(240)
def test_book_demo_short_run(tmp_path: Path) -> None:
    out = tmp_path / "book"
    proc = subprocess.run(  # noqa: S603 - our own CLI
        [
            sys.executable,
            "-m",
            "nautilus_bitget.cli",
            "demo",
            "--strategy",
            "book",
            "--duration",
            "25",
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=230,
        cwd=REPO,
        check=False,
    )
    assert proc.returncode in (0, 1), proc.stderr[-3000:]
    assert proc.stdout.strip().splitlines()[-1] == str(out.resolve())
    report = json.loads((out / "parity.json").read_text())
    _sane(report)
    _sane(report["touch"])
    _sane(report["fifo"])
    assert report["fill_model"] == "queue"
    assert report["fills_live"] > 0, proc.stdout[-3000:]
    assert report["quotes"]["placed"]["live"] > 0
    assert report["latency"]["submit_accepted"]["count"] > 0
    assert report["latency"]["submit_accepted"]["p50_ms"] > 0
    assert report["target_met"] == (proc.returncode == 0)
    bt = json.loads((out / "backtest" / "results.json").read_text())
    assert bt["fill_model"] == "queue"
    assert bt["latency"]["insert_ms"] == report["latency"]["submit_accepted"]["p50_ms"]
    for model, sub in (("touch", "backtest-touch"), ("fifo", "backtest-fifo")):
        assert json.loads((out / sub / "results.json").read_text())["fill_model"] == model
    html = (out / "report.html").read_text()
    assert "Maker parity" in html
    assert html.count("<svg") == 1
