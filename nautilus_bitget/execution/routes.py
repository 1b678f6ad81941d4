"""``Routes``: where an instrument's orders go (symbol, product type, margin coin)."""

from __future__ import annotations

from nautilus_trader.cache.cache import Cache
from nautilus_trader.common.providers import InstrumentProvider
from nautilus_trader.model.identifiers import InstrumentId
from nautilus_trader.model.instruments import Instrument

from nautilus_bitget.api.trading import Route
from nautilus_bitget.common.symbol import infer_product_type


class Routes:
    """
    Instrument -> ``Route`` (memoized) and the configured product types.

    Parameters
    ----------
    cache : Cache
        Where instruments are looked up by id.
    provider : InstrumentProvider
        The loaded instruments (a route per product type for account set-up).
    product_types : tuple[str, ...]
        The configured product types (wire values, e.g. ``USDT-FUTURES``).

    """

    def __init__(
        self,
        cache: Cache,
        provider: InstrumentProvider,
        product_types: tuple[str, ...],
    ) -> None:
        self._cache = cache
        self._provider = provider
        self.product_types = product_types
        self._routes: dict[InstrumentId, Route] = {}

    def route(self, instrument: Instrument) -> Route:
        """Return the ``Route`` of an instrument."""
        route = self._routes.get(instrument.id)
        if route is None:
            route = Route(
                instrument.raw_symbol.value,
                infer_product_type(instrument.id).value,
                instrument.settlement_currency.code,
            )
            self._routes[instrument.id] = route
        return route

    def of(self, instrument_id: InstrumentId) -> Route:
        """Return the ``Route`` of a cached instrument id."""
        return self.route(self._cache.instrument(instrument_id))

    def any_route(self, product_type: str | None) -> Route | None:
        """Return the route of any loaded instrument of ``product_type`` (``None``: any)."""
        for instrument in self._provider.list_all():
            if product_type is None or infer_product_type(instrument.id).value == product_type:
                return self.route(instrument)
        return None

    def product_types_for(self, instrument_id: InstrumentId | None) -> list[str]:
        """Return the product type of ``instrument_id``, or every configured one for ``None``."""
        if instrument_id is None:
            return list(self.product_types)
        return [infer_product_type(instrument_id).value]
