"""``BadInputCounter``: malformed venue messages are skipped and counted, the first one logged."""

from __future__ import annotations

from typing import Any


class BadInputCounter:
    """
    Counts malformed venue messages by ``(where, error type)``.

    Parameters
    ----------
    log : Logger
        Where the first message of each kind is logged.

    """

    def __init__(self, log: Any) -> None:
        self._log = log
        self.counts: dict[tuple[str, str], int] = {}

    def count(self, where: str, error: Exception, *, noun: str = "push") -> None:
        """Count one malformed ``where`` message (or ``noun``); log the first of each kind only."""
        key = (where, type(error).__name__)
        count = self.counts.get(key, 0) + 1
        self.counts[key] = count
        if count == 1:
            self._log.warning(f"Malformed private {where} {noun} skipped ({error}); counting")
