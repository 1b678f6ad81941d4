"""
``Publisher``: the one way data leaves the data client, and where skipped frames are counted.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nautilus_trader.common.component import Logger
from nautilus_trader.core.data import Data
from nautilus_trader.model.instruments import Instrument

from nautilus_bitget.data.stats import BitgetDataStats


class Publisher:
    """
    Hand Nautilus objects to the DataEngine and announcements to the message bus, count what is
    published or skipped in ``stats`` and log each kind of skip once.

    Parameters
    ----------
    handle_data : Callable[[Data], None]
        The client's ``_handle_data`` (to the DataEngine).
    announce : Callable[..., None]
        The message bus ``publish`` (``topic=``, ``msg=``).
    stats : BitgetDataStats
        The client's counters.
    log : Logger
        The client's logger.

    """

    __slots__ = ("_announce", "_handle_data", "_log", "_logged_once", "stats")

    def __init__(
        self,
        handle_data: Callable[[Data], None],
        announce: Callable[..., None],
        stats: BitgetDataStats,
        log: Logger,
    ) -> None:
        self._handle_data = handle_data
        self._announce = announce
        self.stats = stats
        self._log = log
        self._logged_once: set[str] = set()

    def publish(self, data: Data) -> None:
        """Hand market data to the DataEngine (counted in ``stats.published``)."""
        self.stats.published += 1
        self._handle_data(data)

    def publish_instrument(self, instrument: Instrument) -> None:
        """Hand an instrument to the DataEngine (not counted: ``published`` is market data)."""
        self._handle_data(instrument)

    def announce(self, topic: str, msg: dict[str, Any]) -> None:
        """Publish ``msg`` on the message bus ``topic`` (e.g. book gaps for the recorder)."""
        self._announce(topic=topic, msg=msg)

    def log_once(self, key: str, message: str) -> None:
        """Log ``message`` as a warning the first time ``key`` is seen, never again."""
        if key in self._logged_once:
            return
        self._logged_once.add(key)
        self._log.warning(f"{message} (further occurrences counted in stats, not logged)")

    def malformed(self, kind: str, error: BaseException | str) -> None:
        """Count a skipped undecodable or invalid ``kind`` frame (logged once per kind)."""
        self.stats.malformed += 1
        self.log_once(f"malformed:{kind}", f"Skipped malformed {kind} frame: {error}")

    def unknown_symbol(self, symbol: str) -> None:
        """Count a skipped frame for a symbol with no loaded instrument (logged once per symbol)."""
        self.stats.unknown_symbol += 1
        self.log_once(f"symbol:{symbol}", f"Frame for unknown symbol {symbol!r} skipped")
