"""
``Instruments``: the instruments the data client knows, by Bitget symbol (for frames) and by
instrument id (for commands), and their publishing.
"""

from __future__ import annotations

from nautilus_trader.cache.cache import Cache
from nautilus_trader.model.identifiers import InstrumentId
from nautilus_trader.model.instruments import Instrument

from nautilus_bitget.common.symbol import instrument_id_for_symbol
from nautilus_bitget.data.publisher import Publisher
from nautilus_bitget.parsing.book import BookContext
from nautilus_bitget.providers import BitgetInstrumentProvider


class Instruments:
    """
    Instrument lookups of the data client: a parse context per symbol (cached until the
    instrument is published again) and instruments by id, from the provider then the cache.

    Parameters
    ----------
    provider : BitgetInstrumentProvider
        The instrument provider.
    cache : Cache
        The cache (instruments added by the user).
    publisher : Publisher
        Where published instruments go.

    """

    __slots__ = ("_cache", "_contexts", "_provider", "_publisher")

    def __init__(
        self,
        provider: BitgetInstrumentProvider,
        cache: Cache,
        publisher: Publisher,
    ) -> None:
        self._provider = provider
        self._cache = cache
        self._publisher = publisher
        self._contexts: dict[str, BookContext] = {}

    def context(self, symbol: str) -> BookContext | None:
        """Return the parse context of ``symbol`` (``None`` if no instrument is loaded)."""
        ctx = self._contexts.get(symbol)
        if ctx is not None:
            return ctx
        instrument = self._provider.instrument_for_symbol(symbol)
        if instrument is None:
            instrument = self._cache.instrument(instrument_id_for_symbol(symbol))
        if instrument is None:
            return None
        ctx = BookContext(instrument)
        self._contexts[symbol] = ctx
        return ctx

    def require(self, instrument_id: InstrumentId) -> Instrument:
        """
        Return the loaded instrument of ``instrument_id``.

        Raises
        ------
        ValueError
            If it is not loaded (the message says how to load it).

        """
        instrument = self._provider.find(instrument_id) or self._cache.instrument(instrument_id)
        if instrument is None:
            raise ValueError(
                f"instrument {instrument_id} is not loaded: add it to "
                "instrument_provider.load_ids or use load_all=True",
            )
        return instrument

    def publish(self, instruments: list[Instrument]) -> None:
        """Publish ``instruments`` and drop their cached contexts (precisions may change)."""
        for instrument in instruments:
            self._contexts.pop(instrument.raw_symbol.value, None)
            self._publisher.publish_instrument(instrument)
