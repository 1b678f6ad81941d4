"""Order, fill and bill queries of the simulated exchange (bitget-protocol.md 5.10, 5.12)."""

from __future__ import annotations

from copy import copy

from nautilus_bitget.sim.core import ExchangeCore
from nautilus_bitget.sim.events import Bill
from nautilus_bitget.sim.events import Fill
from nautilus_bitget.sim.events import Order
from nautilus_bitget.sim.orders import not_found
from nautilus_bitget.sim.orders import require_id
from nautilus_bitget.sim.paging import page
from nautilus_bitget.sim.paging import select


class QueriesMixin(ExchangeCore):
    """Read-only order, fill and bill ledgers, newest first, paged by ``idLessThan``."""

    def get_order(
        self,
        api_key: str,
        symbol: str | None,
        order_id: str | None = None,
        client_oid: str | None = None,
    ) -> Order:
        """``GET order/detail``: by orderId (wins) or clientOid; 40768 when not found."""
        self.account(api_key)
        require_id(order_id, client_oid)
        order = self._find(api_key, symbol, order_id, client_oid)
        if order is None:
            raise not_found()
        return copy(order)

    def _orders_of(
        self,
        api_key: str,
        pt: str,
        symbol: str | None,
        order_id: str | None,
        client_oid: str | None,
    ) -> list[Order]:
        return select(
            self._orders.values(),
            api_key=api_key,
            product_type=pt.upper(),
            symbol=symbol,
            order_id=order_id,
            client_oid=client_oid,
        )

    def pending_orders(
        self,
        api_key: str,
        product_type: str,
        *,
        symbol: str | None = None,
        order_id: str | None = None,
        client_oid: str | None = None,
        status: str | None = None,
        id_less_than: str | None = None,
        start_ms: int | None = None,
        end_ms: int | None = None,
        limit: int = 100,
    ) -> list[Order]:
        """``GET order/orders-pending``: open orders, newest first (``endId`` = last orderId)."""
        self.account(api_key)
        rows = [
            o
            for o in self._orders_of(api_key, product_type, symbol, order_id, client_oid)
            if o.is_open and (status is None or o.status == status)
        ]
        return page(rows, "order_id", id_less_than, start_ms, end_ms, limit)

    def order_history(
        self,
        api_key: str,
        product_type: str,
        *,
        symbol: str | None = None,
        order_id: str | None = None,
        client_oid: str | None = None,
        id_less_than: str | None = None,
        start_ms: int | None = None,
        end_ms: int | None = None,
        limit: int = 100,
    ) -> list[Order]:
        """``GET order/orders-history``: filled / canceled orders, newest first."""
        self.account(api_key)
        rows = [
            o
            for o in self._orders_of(api_key, product_type, symbol, order_id, client_oid)
            if not o.is_open
        ]
        return page(rows, "order_id", id_less_than, start_ms, end_ms, limit)

    def fills(
        self,
        api_key: str,
        product_type: str,
        *,
        symbol: str | None = None,
        order_id: str | None = None,
        id_less_than: str | None = None,
        start_ms: int | None = None,
        end_ms: int | None = None,
        limit: int = 100,
    ) -> list[Fill]:
        """``GET order/fills``: executions, newest first."""
        self.account(api_key)
        rows = select(
            self._fills.get(api_key, []),
            product_type=product_type.upper(),
            symbol=symbol,
            order_id=order_id,
        )
        return page(rows, "trade_id", id_less_than, start_ms, end_ms, limit)

    def bills(
        self,
        api_key: str,
        product_type: str,
        *,
        business_type: str | None = None,
        symbol: str | None = None,
        id_less_than: str | None = None,
        start_ms: int | None = None,
        end_ms: int | None = None,
        limit: int = 20,
    ) -> list[Bill]:
        """``GET account/bill``: bills newest first."""
        self.account(api_key)
        rows = select(
            self._bills.get(api_key, []),
            product_type=product_type.upper(),
            business_type=business_type,
            symbol=symbol,
        )
        return page(rows, "bill_id", id_less_than, start_ms, end_ms, limit)
