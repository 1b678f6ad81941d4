"""
``OrderRegistry``: the execution client's per-order state, in one owner, bounded.

Every map that is keyed by (or points to) one of our orders lives here: venue ids and clientOid
aliases, what was emitted (accepted, triggered, closed, filled quantity), in-flight modifies and
cancels, trigger-order links and bracket links. Pushes can arrive after an order is closed (a
late fill, a cancel echo of a replaced order), so a closed order's identity is kept for the last
``retain_closed`` closed orders; older ones are forgotten in batches of ``prune_batch``
(amortized O(1) per order). Memory therefore stays bounded by the open orders plus
``retain_closed`` (``bench/exec_state_soak.py`` shows it).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from nautilus_trader.model.identifiers import ClientOrderId
from nautilus_trader.model.identifiers import VenueOrderId
from nautilus_trader.model.orders import Order


class ClosedOrders:
    """
    An insertion-ordered set of closed orders; adding one lets the registry prune.

    Parameters
    ----------
    on_add : Callable[[], None]
        Called after a new order is added.

    """

    __slots__ = ("_items", "_on_add")

    def __init__(self, on_add: Callable[[], None]) -> None:
        self._items: dict[ClientOrderId, None] = {}
        self._on_add = on_add

    def add(self, coid: ClientOrderId) -> None:
        """Mark ``coid`` closed (idempotent)."""
        if coid not in self._items:
            self._items[coid] = None
            self._on_add()

    def discard(self, coid: ClientOrderId) -> None:
        """Forget ``coid``."""
        self._items.pop(coid, None)

    def oldest(self, n: int) -> list[ClientOrderId]:
        """Return the ``n`` orders closed first."""
        out: list[ClientOrderId] = []
        for coid in self._items:
            if len(out) >= n:
                break
            out.append(coid)
        return out

    def __contains__(self, coid: object) -> bool:
        return coid in self._items

    def __len__(self) -> int:
        return len(self._items)

    def __sizeof__(self) -> int:
        return object.__sizeof__(self) + sys.getsizeof(self._items)

    def __iter__(self) -> Iterator[ClientOrderId]:
        return iter(self._items)


class OrderRegistry:
    """
    Per-order state of the execution client (see the module docstring).

    Parameters
    ----------
    retain_closed : int, default 10_000
        Closed orders whose identity is kept for late pushes.
    prune_batch : int, default 1_000
        Closed orders forgotten at once when ``retain_closed`` is exceeded by this many.

    """

    def __init__(self, retain_closed: int = 10_000, prune_batch: int = 1_000) -> None:
        if retain_closed < 0 or prune_batch < 1:
            raise ValueError("retain_closed must be >= 0 and prune_batch >= 1")
        self.retain_closed = retain_closed
        self.prune_batch = prune_batch
        self.forgotten = 0
        # identity: venue clientOid aliases (v2 modify), venue order ids
        self.coid_by_alias: dict[str, ClientOrderId] = {}
        self.venue_coid: dict[ClientOrderId, str] = {}
        self.coid_by_venue_id: dict[str, ClientOrderId] = {}
        self.venue_id: dict[ClientOrderId, VenueOrderId] = {}
        self.replaced_ids: set[str] = set()  # venue ids superseded by a modify
        # what we emitted (the engine applies events asynchronously, the cache can lag)
        self.accepted: set[ClientOrderId] = set()
        self.closed = ClosedOrders(self._maybe_prune)
        self.triggered_sent: set[ClientOrderId] = set()
        self.cancel_requested: set[ClientOrderId] = set()
        self.filled: dict[ClientOrderId, Decimal] = {}
        self.qty: dict[ClientOrderId, Decimal] = {}
        self.close_orders: set[ClientOrderId] = set()  # hedge-mode closes (tradeSide=close)
        # modifies in flight: v2 alias -> coid, v3 requestId -> coid
        self.modify_count: dict[ClientOrderId, int] = {}
        self.pending_modify: dict[str, ClientOrderId] = {}
        self.modify_requests: dict[str, ClientOrderId] = {}
        # trigger orders: symbol -> plans awaiting their spawned order; plans already linked
        self.triggered_plans: dict[str, list[ClientOrderId]] = {}
        self.linked_plans: set[ClientOrderId] = set()
        # stand-alone closing TP/SL (bitget-protocol.md 5.11): coid -> plan type (loss_plan, ...)
        self.tpsl_plans: dict[ClientOrderId, str] = {}
        # brackets: entry -> (tp, sl); child -> entry; symbol -> filled entry / child that fired;
        # child -> venue plan (id, planType); venue plan id -> child; rows awaiting links
        self.brackets: dict[ClientOrderId, tuple[ClientOrderId | None, ClientOrderId | None]] = {}
        self.bracket_parent: dict[ClientOrderId, ClientOrderId] = {}
        self.bracket_active: dict[str, ClientOrderId] = {}
        self.bracket_triggered: dict[str, ClientOrderId] = {}
        self.bracket_plans: dict[ClientOrderId, tuple[str, str]] = {}
        self.bracket_plan_coid: dict[str, ClientOrderId] = {}
        self.bracket_deferred: list[tuple[Callable[[Any], None], Any]] = []  # (handler, row)

    # -- what we emitted, with the cache as the fallback -----------------------------------------

    def venue_order_id(self, order: Order) -> VenueOrderId | None:
        """Return the venue order id we last emitted for ``order`` (else the cache's)."""
        vid: VenueOrderId | None = self.venue_id.get(order.client_order_id) or order.venue_order_id
        return vid

    def is_closed(self, order: Order) -> bool:
        """
        Return whether ``order`` is closed, by our own emitted events or by the cache.

        The engine applies events asynchronously, so the cache can lag what we emitted.
        """
        return order.client_order_id in self.closed or bool(order.is_closed)

    def quantity(self, order: Order) -> Decimal:
        """Return the order quantity (as last amended in place, else the order's)."""
        qty: Decimal = self.qty.get(order.client_order_id) or order.quantity.as_decimal()
        return qty

    def plan_listing(self, coid: ClientOrderId) -> str:
        """Return the plan listing of an order of ours: ``profit_loss`` (TP/SL), ``normal_plan``."""
        return "profit_loss" if coid in self.tpsl_plans else "normal_plan"

    def filled_qty(self, coid: ClientOrderId) -> Decimal:
        """Return the quantity we emitted fills for."""
        return self.filled.get(coid, Decimal(0))

    def unclosed(self) -> list[ClientOrderId]:
        """Return the orders we sent (or accepted) that are not marked closed."""
        sent = self.venue_coid.keys() | self.accepted
        return [coid for coid in sent if coid not in self.closed]

    # -- bounds ----------------------------------------------------------------------------------

    def sizes(self) -> dict[str, int]:
        """Return the number of entries of every map, by name (for soak measurements)."""
        sizes = {name: len(entries) for name, entries in self._maps().items()}
        sizes["triggered_plans"] = sum(map(len, self.triggered_plans.values()))
        return sizes

    def size(self) -> int:
        """Return the number of entries held across every map (for soak measurements)."""
        return sum(self.sizes().values())

    def memory_bytes(self) -> int:
        """Return the memory of the maps themselves (keys and values are shared with the cache)."""
        maps = [*self._maps().values(), self.triggered_plans, *self.triggered_plans.values()]
        return sum(map(sys.getsizeof, maps))

    def _maps(self) -> dict[str, Any]:
        return {
            "coid_by_alias": self.coid_by_alias,
            "venue_coid": self.venue_coid,
            "coid_by_venue_id": self.coid_by_venue_id,
            "venue_id": self.venue_id,
            "replaced_ids": self.replaced_ids,
            "accepted": self.accepted,
            "closed": self.closed,
            "triggered_sent": self.triggered_sent,
            "cancel_requested": self.cancel_requested,
            "filled": self.filled,
            "qty": self.qty,
            "close_orders": self.close_orders,
            "modify_count": self.modify_count,
            "pending_modify": self.pending_modify,
            "modify_requests": self.modify_requests,
            "linked_plans": self.linked_plans,
            "tpsl_plans": self.tpsl_plans,
            "brackets": self.brackets,
            "bracket_parent": self.bracket_parent,
            "bracket_active": self.bracket_active,
            "bracket_triggered": self.bracket_triggered,
            "bracket_plans": self.bracket_plans,
            "bracket_plan_coid": self.bracket_plan_coid,
            "bracket_deferred": self.bracket_deferred,
        }

    def _maybe_prune(self) -> None:
        if len(self.closed) >= self.retain_closed + self.prune_batch:
            self.forget(self.closed.oldest(len(self.closed) - self.retain_closed))

    def forget(self, coids: list[ClientOrderId]) -> None:
        """
        Drop every entry of ``coids`` (closed orders past the retention window).

        Parameters
        ----------
        coids : list[ClientOrderId]
            The orders to forget.

        """
        drop = set(coids)
        if not drop:
            return
        self.forgotten += len(drop)
        for by_coid in (
            self.venue_coid,
            self.venue_id,
            self.filled,
            self.qty,
            self.modify_count,
            self.tpsl_plans,
            self.brackets,
            self.bracket_parent,
            self.bracket_plans,
        ):
            for coid in drop:
                by_coid.pop(coid, None)
        for members in (
            self.accepted,
            self.triggered_sent,
            self.cancel_requested,
            self.close_orders,
            self.linked_plans,
        ):
            members.difference_update(drop)
        for coid in drop:
            self.closed.discard(coid)
        self.replaced_ids.difference_update(
            vid for vid, coid in self.coid_by_venue_id.items() if coid in drop
        )
        for to_coid in (
            self.coid_by_alias,
            self.coid_by_venue_id,
            self.pending_modify,
            self.modify_requests,
            self.bracket_active,
            self.bracket_triggered,
            self.bracket_plan_coid,
        ):
            stale = [key for key, coid in to_coid.items() if coid in drop]
            for key in stale:
                del to_coid[key]
        for symbol, waiting in list(self.triggered_plans.items()):
            kept = [coid for coid in waiting if coid not in drop]
            if kept:
                self.triggered_plans[symbol] = kept
            else:
                del self.triggered_plans[symbol]
