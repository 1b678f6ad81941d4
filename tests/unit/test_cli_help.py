"""Every ``bitget-nt`` command's ``--help`` teaches: each option's meaning and default, examples."""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

import pytest

from nautilus_bitget.cli import build_parser
from nautilus_bitget.cli_format import HelpFormatter


EXE = str(Path(sys.executable).with_name("bitget-nt"))


def _commands(
    parser: argparse.ArgumentParser, path: tuple[str, ...] = ()
) -> list[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    out = [(path, parser)]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                out += _commands(sub, (*path, name))
    return out


COMMANDS = _commands(build_parser())


def test_every_command_is_covered() -> None:
    names = {" ".join(p) for p, _ in COMMANDS}
    assert {
        "sim",
        "record",
        "backtest",
        "live",
        "demo",
        "download",
        "import-tardis",
        "doctor",
    } <= names
    assert {"catalog info", "catalog compact"} <= names


@pytest.mark.parametrize(
    ("path", "parser"),
    COMMANDS,
    ids=lambda v: " ".join(v) or "bitget-nt" if isinstance(v, tuple) else "",
)
def test_help_shows_defaults_and_examples(path, parser) -> None:
    assert parser.formatter_class is HelpFormatter
    text = parser.format_help()
    examples = text.split("examples:", 1)
    assert len(examples) == 2, f"{path}: no examples"
    lines = [ln.strip() for ln in examples[1].splitlines() if ln.strip()]
    assert len(lines) >= 2 and all(ln.startswith("bitget-nt") for ln in lines), lines
    formatter = HelpFormatter(parser.prog)
    for action in parser._actions:
        if isinstance(action, argparse._HelpAction | argparse._VersionAction):
            continue
        if isinstance(action, argparse._SubParsersAction) or not action.option_strings:
            continue
        shown = formatter._get_help_string(action) or ""
        assert shown.strip(), f"{path} {action.option_strings}: no help"
        if not action.required:
            assert "default" in shown.lower(), f"{path} {action.option_strings}: no default"
        flat = " ".join(text.split())
        assert action.option_strings[-1] in flat


def test_defaults_are_rendered() -> None:
    out = subprocess.run(  # noqa: S603 - our own CLI
        [EXE, "backtest", "--help"], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    flat = " ".join(out.split())
    assert "(default: data/catalog)" in flat
    assert "(default: 10000 USDT)" in flat


def test_version_from_package_metadata() -> None:
    import importlib.metadata

    out = subprocess.run(  # noqa: S603 - our own CLI
        [EXE, "--version"], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    assert re.fullmatch(rf"bitget-nt {re.escape(importlib.metadata.version('bitget-nt'))}\s*", out)
