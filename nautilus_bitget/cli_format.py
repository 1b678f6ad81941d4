"""
Help formatting of ``bitget-nt``: every option shows its default, every command ends with
copy-paste examples (rich-argparse colours them on a terminal, plain text otherwise).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

from rich_argparse import RawDescriptionRichHelpFormatter


class HelpFormatter(RawDescriptionRichHelpFormatter):
    """
    Rich help with the description and epilog kept as written, and ``(default: X)`` appended to
    each option whose help does not already say its default (``None`` and ``False`` defaults are
    left out: the help text says what leaving the option out means).
    """

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = action.help or ""
        if "default" in text.lower() or any(
            action.default is d for d in (None, False, argparse.SUPPRESS)
        ):
            return text
        if isinstance(action, argparse._StoreConstAction | argparse._HelpAction):
            return text
        if not action.option_strings and action.nargs not in ("?", "*"):
            return text
        return f"{text} (default: %(default)s)".lstrip()


def examples_epilog(examples: Sequence[str], notes: str = "") -> str:
    """Return an epilog: ``notes`` (kept as written) then ``examples:`` with one command a line."""
    lines = [notes.rstrip(), ""] if notes else []
    lines.append("examples:")
    lines.extend(f"  {e}" for e in examples)
    return "\n".join(lines)


def add_command(
    sub: Any,
    name: str,
    help: str,
    examples: Sequence[str],
    *,
    description: str | None = None,
    notes: str = "",
) -> argparse.ArgumentParser:
    """
    Add sub-command ``name`` with the house help formatter and an epilog of ``examples``.

    Parameters
    ----------
    sub : argparse._SubParsersAction
        The parent's sub-parsers.
    name : str
        The command name.
    help : str
        One line for the parent's command list (also the description unless given).
    examples : Sequence[str]
        Copy-paste command lines shown at the end of ``--help``.
    description : str, optional
        A longer description.
    notes : str, optional
        Text shown before the examples (kept as written).

    """
    return sub.add_parser(
        name,
        help=help,
        description=description or help[:1].upper() + help[1:] + ".",
        epilog=examples_epilog(examples, notes),
        formatter_class=HelpFormatter,
    )
