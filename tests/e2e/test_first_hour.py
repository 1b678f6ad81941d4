"""
README "First hour": every command of its first code block, run as written on a copy of the
repository's files (what a fresh clone holds), with shorter durations.

``make venv && . .venv/bin/activate`` is the one line not run (this test runs inside that
environment: its ``bitget-nt`` is first on PATH); ``make demo`` runs as ``bitget-nt demo`` with
``--duration $FIRST_HOUR_DEMO_SECS`` (default 45); ``--duration 60`` becomes
``$FIRST_HOUR_RECORD_SECS`` (default 15); opening the report checks that it exists.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest


REPO = Path(__file__).resolve().parents[2]
DEMO_SECS = os.environ.get("FIRST_HOUR_DEMO_SECS", "45")
RECORD_SECS = os.environ.get("FIRST_HOUR_RECORD_SECS", "15")
ALARMING = re.compile(r"\[ERROR\]|Traceback|was cancelled")


def first_hour_commands(readme: str) -> list[str]:
    """Return the command lines of the first code block under ``## First hour``."""
    section = readme.split("\n## First hour\n", 1)[1].split("\n## ", 1)[0]
    block = section.split("```bash\n", 1)[1].split("```", 1)[0]
    commands = []
    for line in block.splitlines():
        command = line.split("  #", 1)[0].strip()
        if command:
            commands.append(command)
    return commands


def _repository_copy(dest: Path) -> None:
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],  # noqa: S607
        cwd=REPO,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = REPO / name
        if source.is_file():
            target = dest / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)


def _as_run(command: str) -> list[str] | None:
    """Return the argv the test runs for a README command (``None``: not run)."""
    if command.startswith("make venv"):
        return None
    if command == "make demo":
        return ["bitget-nt", "demo", "--duration", DEMO_SECS, "--out", "demo-out/first-hour"]
    argv = shlex.split(command.replace("--duration 60", f"--duration {RECORD_SECS}"))
    assert argv[0] in ("bitget-nt", "python"), f"unexpected README command: {command}"
    return argv


def test_readme_lists_the_first_hour() -> None:
    commands = first_hour_commands((REPO / "README.md").read_text())
    text = "\n".join(commands)
    for step in ("make demo", "--catalog data/sample", "record --env sim", "report.html"):
        assert step in text


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_first_hour_commands_run_on_a_fresh_copy(tmp_path: Path) -> None:
    clone = tmp_path / "nautilus-bitget"
    _repository_copy(clone)
    assert (clone / "data" / "sample" / "README.md").is_file()
    assert not (clone / "data" / "catalog").exists()
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "BITGET_NT_PROGRESS": "0",
        "BITGET_NT_STATUS": "0",
    }
    env.pop("BITGET_NT_LOG_LEVEL", None)
    outputs = {}
    for command in first_hour_commands((REPO / "README.md").read_text()):
        argv = _as_run(command)
        if argv is None:
            continue
        if argv[:3] == ["python", "-m", "webbrowser"]:
            assert (clone / argv[-1]).is_file(), f"{argv[-1]} was not written"
            continue
        if argv[0] == "bitget-nt":
            argv = [str(Path(sys.executable).with_name("bitget-nt")), *argv[1:]]
        done = subprocess.run(  # noqa: S603 - the README's commands
            argv, cwd=clone, env=env, capture_output=True, text=True, timeout=400
        )
        out = done.stdout + done.stderr
        outputs[command] = out
        assert done.returncode == 0, f"{command} exited {done.returncode}:\n{out[-3000:]}"
        assert not ALARMING.search(out), f"{command} printed an alarming line:\n{out[-3000:]}"
    assert (clone / "demo-out" / "first-hour" / "report.html").is_file()
    assert (clone / "backtest-out" / "sample" / "report.html").is_file()
    assert (clone / "data" / "catalog" / "data").is_dir()
    info = next(out for cmd, out in outputs.items() if cmd.startswith("bitget-nt catalog info"))
    assert "BTCUSDT-PERP.BITGET" in info and "trade_tick" in info
