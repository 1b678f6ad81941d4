"""``OrderLookup``: venue identifiers (clientOid, alias, orderId, symbol) -> cached objects."""

from __future__ import annotations

from nautilus_trader.cache.cache import Cache
from nautilus_trader.model.identifiers import ClientOrderId
from nautilus_trader.model.identifiers import VenueOrderId
from nautilus_trader.model.instruments import Instrument
from nautilus_trader.model.orders import Order

from nautilus_bitget.common.orders import alias_base
from nautilus_bitget.common.symbol import instrument_id_for_symbol
from nautilus_bitget.execution.registry import OrderRegistry


class OrderLookup:
    """
    Resolve venue identifiers to our orders: the registry first, then the cache.

    Parameters
    ----------
    registry : OrderRegistry
        Aliases and venue ids we linked.
    cache : Cache
        The Nautilus cache.

    """

    def __init__(self, registry: OrderRegistry, cache: Cache) -> None:
        self._registry = registry
        self._cache = cache

    def client_order_id(self, venue_coid: str, order_id: str) -> ClientOrderId | None:
        """
        Return the Nautilus id of a venue order, or ``None`` when it is not ours.

        The clientOid decides (a v2 modify alias ``<coid>_m<n>`` maps to ``<coid>``), then the
        venue order id (orders spawned by plans, linked when their plan fired).
        """
        if venue_coid:
            coid = self._registry.coid_by_alias.get(venue_coid)
            if coid is not None:
                return coid
            candidate = ClientOrderId(venue_coid)
            if self._cache.order(candidate) is not None:
                return candidate
            base = alias_base(venue_coid)
            if base and self._cache.order(ClientOrderId(base)) is not None:
                return ClientOrderId(base)
        if order_id:
            coid = self._registry.coid_by_venue_id.get(order_id)
            if coid is not None:
                return coid
            found: ClientOrderId | None = self._cache.client_order_id(VenueOrderId(order_id))
            return found
        return None

    def order(self, venue_coid: str, order_id: str) -> Order | None:
        """Return our cached order of a venue order, or ``None``."""
        coid = self.client_order_id(venue_coid, order_id)
        return self._cache.order(coid) if coid is not None else None

    def instrument_for_symbol(self, symbol: str) -> Instrument | None:
        """Return the cached instrument of a Bitget symbol (``None`` when not loaded)."""
        return self._cache.instrument(instrument_id_for_symbol(symbol))
