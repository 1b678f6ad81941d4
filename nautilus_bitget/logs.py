"""
Log settings of the nodes ``bitget-nt`` builds: WARNING by default (``--log-level`` or
``$BITGET_NT_LOG_LEVEL`` to change), and the engines' expected start-up notices of a data-only
node ("No `exec_clients` configuration found", "No clients to connect") kept out.
"""

from __future__ import annotations

import os
from typing import Final

from nautilus_trader.config import LoggingConfig


LOG_LEVEL_ENV: Final = "BITGET_NT_LOG_LEVEL"
DEFAULT_LOG_LEVEL: Final = "WARNING"
# A data-only node (record) has no execution client by design: its engine says so at WARN
DATA_ONLY_QUIET: Final[dict[str, str]] = {"TradingNode": "ERROR", "ExecEngine": "ERROR"}


def default_log_level() -> str:
    """Return ``$BITGET_NT_LOG_LEVEL`` or WARNING."""
    return os.environ.get(LOG_LEVEL_ENV, DEFAULT_LOG_LEVEL).upper()


def node_logging(
    level: str | None = None,
    *,
    data_only: bool = False,
    colors: bool = True,
) -> LoggingConfig:
    """
    Return the ``LoggingConfig`` of a ``bitget-nt`` node.

    Parameters
    ----------
    level : str, optional
        The log level (default: ``default_log_level()``).
    data_only : bool, default False
        Whether the node has no execution client (its engines' notices about it are dropped
        unless the level is DEBUG or INFO).
    colors : bool, default True
        ANSI colours.

    """
    level = (level or default_log_level()).upper()
    quiet = data_only and level not in ("DEBUG", "INFO")
    return LoggingConfig(
        log_level=level,
        log_colors=colors,
        log_component_levels=dict(DATA_ONLY_QUIET) if quiet else None,
    )
