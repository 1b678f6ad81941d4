"""
The v3 family's order-id bookkeeping and the context its REST handlers receive.

v3 modifies an order in place and asynchronously (bitget-protocol-uta.md 3.6): the ack returns
before the change, the public ``orderId`` stays, and a failure sends no extra notification. The
engine models a modify as cancel + new order, so :class:`V3Orders` maps engine ids to the public
id, remembers the modify ``requestId`` and hides the engine-internal cancel from the v3 pushes.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

from nautilus_bitget.sim.context import RestContext
from nautilus_bitget.sim.errors import SimError
from nautilus_bitget.sim.events import Order
from nautilus_bitget.sim.events import OrderEvent
from nautilus_bitget.sim.exchange import SimExchange


_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ModifyRequest:
    """
    One v3 ``modify-order`` (bitget-protocol-uta.md 3.6).

    Parameters
    ----------
    qty, price : str, optional
        The new quantity and/or price (the other one is kept).
    auto_cancel : bool
        Cancel the order when the modify fails (``autoCancel: "yes"``).
    request_id : str, optional
        The client's ``requestId``, echoed on the order push.

    """

    qty: str | None
    price: str | None
    auto_cancel: bool
    request_id: str | None


@dataclass(frozen=True)
class _Modify:
    api_key: str
    old_id: str
    client_oid: str
    public_id: str
    request_id: str | None


class V3Orders:
    """
    Public v3 order ids over the engine's ids, and the asynchronous modify.

    Parameters
    ----------
    exchange : SimExchange
        The engine.

    """

    def __init__(self, exchange: SimExchange) -> None:
        self.exchange = exchange
        self._public_ids: dict[str, str] = {}  # engine order id -> public id (modify keeps it)
        self._engine_ids: dict[str, str] = {}  # public id -> current engine order id
        self._request_ids: dict[str, str] = {}  # engine order id -> modify requestId
        self._modifying: _Modify | None = None

    # -- ids ------------------------------------------------------------------------------------
    def public_id(self, engine_id: str) -> str:
        """Return the id v3 shows for an engine order id."""
        return self._public_ids.get(engine_id, engine_id)

    def engine_id(self, public_id: str) -> str:
        """Return the engine's current order id behind a public id."""
        return self._engine_ids.get(public_id, public_id)

    def request_id(self, engine_id: str) -> str | None:
        """Return the ``requestId`` of the modify that created this engine order, if any."""
        return self._request_ids.get(engine_id)

    # -- modify (3.6: asynchronous, same public orderId) ----------------------------------------
    def schedule_modify(self, api_key: str, order: Order, request: ModifyRequest) -> None:
        """Apply a modify after the ack is written (the venue confirms via the order push)."""
        asyncio.get_running_loop().call_soon(self._apply_modify, api_key, order, request)

    def _apply_modify(self, api_key: str, order: Order, request: ModifyRequest) -> None:
        ex = self.exchange
        spec = ex.contracts[order.symbol]
        current = ex.get_order(api_key, order.symbol, order.order_id)
        body = {
            "symbol": order.symbol,
            "productType": order.product_type,
            "orderId": order.order_id,
            "newClientOid": order.client_oid,
            "newSize": request.qty or spec.fmt_size(current.size - current.filled_qty),
            "newPrice": request.price or spec.fmt_price(current.price),
        }
        public = self.public_id(order.order_id)
        self._modifying = _Modify(
            api_key, order.order_id, order.client_oid, public, request.request_id
        )
        try:
            ex.modify_order(api_key, body)
        except SimError as e:
            _log.debug("v3 modify of %s failed: %s", public, e)
            if request.auto_cancel and current.is_open:
                ex.cancel_order(
                    api_key,
                    {"symbol": order.symbol, "productType": order.product_type,
                     "orderId": order.order_id},
                )  # fmt: skip
        finally:
            self._modifying = None

    def suppressed(self, order: Order) -> bool:
        """Return whether an order event is the engine-internal cancel of a modify."""
        mod = self._modifying
        return mod is not None and order.order_id == mod.old_id and order.status == "canceled"

    def track(self, event: Any) -> None:
        """Follow engine events: the order a modify creates takes over the public id."""
        mod = self._modifying
        if mod is None or type(event) is not OrderEvent:
            return
        order = event.order
        if order.api_key != mod.api_key or order.order_id == mod.old_id:
            return
        if order.client_oid == mod.client_oid and order.order_id not in self._public_ids:
            self._public_ids[order.order_id] = mod.public_id
            self._engine_ids[mod.public_id] = order.order_id
            if mod.request_id:
                self._request_ids[order.order_id] = mod.request_id


@dataclass(frozen=True)
class V3Context(RestContext):
    """
    What a v3 REST handler may use: the engine and clock, plus the v3 order ids.

    Parameters
    ----------
    orders : V3Orders
        Public ids and the asynchronous modify.

    """

    orders: V3Orders
