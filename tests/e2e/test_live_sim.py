"""``bitget-nt live --env sim``: both example strategies trade against an in-process simulator."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest


REPO = Path(__file__).resolve().parents[2]
CONFIGS = REPO / "strategies" / "configs"
DURATION = "25"
ERROR_LINE = re.compile(r"\[ERROR\]")


def _live(strategy: str, config: str, *extra: str) -> subprocess.Popen:
    env = dict(os.environ, BITGET_NT_LOG_LEVEL="INFO")
    return subprocess.Popen(  # noqa: S603 - our own CLI
        [
            sys.executable,
            "-m",
            "nautilus_bitget.cli",
            "live",
            "--strategy",
            strategy,
            "--config",
            str(CONFIGS / config),
            "--env",
            "sim",
            "--duration",
            DURATION,
            *extra,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=REPO,
    )


@pytest.mark.slow
@pytest.mark.timeout(150)
def test_both_strategies_run_live_against_the_simulator(tmp_path: Path) -> None:
    runs = {
        "ema": _live(
            "strategies.ema_cross:EMACross",
            "ema_cross_demo.json",
            "--record",
            str(tmp_path / "catalog"),
        ),
        "maker": _live("strategies.book_maker:BookMaker", "book_maker.json"),
    }
    outputs = {name: proc.communicate(timeout=140) for name, proc in runs.items()}
    for name, proc in runs.items():
        out, err = outputs[name]
        assert proc.returncode == 0, f"{name}: {err[-3000:]}"
        errors = [line for line in (out + err).splitlines() if ERROR_LINE.search(line)]
        assert not errors, f"{name} logged errors:\n" + "\n".join(errors[:20])
    maker_orders = int(re.search(r"live run finished: (\d+) orders", outputs["maker"][1]).group(1))
    assert maker_orders >= 2  # a bid and an ask at least
    ema_out = outputs["ema"][0] + outputs["ema"][1]
    assert "live run finished" in ema_out
    assert (tmp_path / "catalog" / "data").is_dir()  # recorded alongside
