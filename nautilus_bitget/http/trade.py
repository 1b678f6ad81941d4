"""
Private order, plan-order and fill endpoints of API v2 ``mix`` (bitget-protocol.md 5.4-5.11), typed.

Mutations take the wire body built by the API family (``api.trading_v2``, from
``common.orders``): this module owns paths, decoders and the retry policy, not order semantics.
Placement and modification are never retried blindly (an unknown outcome is raised to the
caller, who resolves it by ``clientOid``); a 429 is resent (refused before processing, 7.1).
Cancels are idempotent and retried by the transport. Queries build their parameters here.
"""

from __future__ import annotations

from typing import Any
from typing import Final

from nautilus_bitget.constants import BitgetProductType
from nautilus_bitget.http.client import BitgetHttpClient
from nautilus_bitget.http.params import page_query
from nautilus_bitget.http.params import product_type_param
from nautilus_bitget.http.params import symbol_query
from nautilus_bitget.schemas.trade import BitgetBatchResult
from nautilus_bitget.schemas.trade import BitgetFills
from nautilus_bitget.schemas.trade import BitgetOrderDetail
from nautilus_bitget.schemas.trade import BitgetOrderId
from nautilus_bitget.schemas.trade import BitgetPendingOrders
from nautilus_bitget.schemas.trade import BitgetPlanOrders


__all__ = ["MIX_ORDER", "PLAN_TYPES_QUERY", "BitgetTradeHttpAPI"]

MIX_ORDER: Final[str] = "/api/v2/mix/order"
PLAN_TYPES_QUERY: Final[tuple[str, ...]] = ("normal_plan", "track_plan", "profit_loss")


def _require_id(order_id: str | None, client_oid: str | None, method: str) -> None:
    if not order_id and not client_oid:
        raise ValueError(f"{method}: give order_id or client_oid")


class BitgetTradeHttpAPI:
    """
    Private order endpoints (``/api/v2/mix/order/*``).

    Parameters
    ----------
    client : BitgetHttpClient
        The REST transport (with credentials).

    """

    def __init__(self, client: BitgetHttpClient) -> None:
        self.client = client

    async def _place(self, endpoint: str, body: Any, decoder: Any) -> Any:
        # Not repeatable: only a 429 (refused before processing) is sent again.
        path = f"{MIX_ORDER}/{endpoint}"
        return await self.client.post(path, body, decoder=decoder, resend_rate_limited=True)

    async def _cancel(self, endpoint: str, body: Any, decoder: Any = None) -> Any:
        # Cancels are idempotent: transient failures are retried by the transport.
        return await self.client.post(f"{MIX_ORDER}/{endpoint}", body, decoder=decoder, retry=True)

    async def _get(self, endpoint: str, params: dict[str, Any], decoder: Any) -> Any:
        return await self.client.get(
            f"{MIX_ORDER}/{endpoint}",
            params,
            signed=True,
            decoder=decoder,
        )

    async def _get_page(self, endpoint: str, params: dict[str, Any], decoder: Any) -> Any:
        # a page whose list is null decodes to the empty struct
        result = await self._get(endpoint, params, decoder)
        return result if result is not None else decoder()

    # -- mutations (wire bodies) --------------------------------------------------------------

    async def place_order(self, body: dict[str, Any]) -> BitgetOrderId | None:
        """``POST place-order`` (5.4): ``{orderId, clientOid}``."""
        return await self._place("place-order", body, BitgetOrderId)

    async def place_plan_order(self, body: dict[str, Any]) -> BitgetOrderId | None:
        """``POST place-plan-order`` (5.11): trigger (stop / if-touched) orders."""
        return await self._place("place-plan-order", body, BitgetOrderId)

    async def place_tpsl_order(self, body: dict[str, Any]) -> BitgetOrderId | None:
        """``POST place-tpsl-order`` (5.11): a TP/SL plan closing (part of) a position."""
        return await self._place("place-tpsl-order", body, BitgetOrderId)

    async def batch_place_order(self, body: dict[str, Any]) -> BitgetBatchResult | None:
        """``POST batch-place-order`` (5.6): ``{successList, failureList}``."""
        return await self._place("batch-place-order", body, BitgetBatchResult)

    async def modify_order(self, body: dict[str, Any]) -> None:
        """``POST modify-order`` (5.7): replaces the order under ``newClientOid``."""
        await self._place("modify-order", body, None)

    async def modify_plan_order(self, body: dict[str, Any]) -> None:
        """``POST modify-plan-order`` (5.11)."""
        await self._place("modify-plan-order", body, None)

    async def modify_tpsl_order(self, body: dict[str, Any]) -> None:
        """``POST modify-tpsl-order`` (5.11): a TP/SL plan changed in place (same orderId)."""
        await self._place("modify-tpsl-order", body, None)

    async def cancel_order(self, body: dict[str, Any]) -> None:
        """``POST cancel-order`` (5.8)."""
        await self._cancel("cancel-order", body)

    async def batch_cancel_orders(self, body: dict[str, Any]) -> BitgetBatchResult | None:
        """``POST batch-cancel-orders`` (5.8: at most 50 ids)."""
        return await self._cancel("batch-cancel-orders", body, BitgetBatchResult)

    async def cancel_plan_order(self, body: dict[str, Any]) -> BitgetBatchResult | None:
        """``POST cancel-plan-order`` (5.11): ``orderIdList`` of plan orders (or TP/SL plans)."""
        return await self._cancel("cancel-plan-order", body, BitgetBatchResult)

    async def cancel_all_orders(
        self,
        product_type: BitgetProductType | str,
        margin_coin: str | None = None,
    ) -> BitgetBatchResult | None:
        """Cancel every order of a product type (bitget-protocol.md 5.8)."""
        body: dict[str, Any] = {"productType": product_type_param(product_type)}
        if margin_coin:
            body["marginCoin"] = margin_coin.upper()
        return await self._cancel("cancel-all-orders", body, BitgetBatchResult)

    # -- order queries ------------------------------------------------------------------------

    async def orders_pending(
        self,
        product_type: BitgetProductType | str,
        symbol: str | None = None,
        order_id: str | None = None,
        client_oid: str | None = None,
        status: str | None = None,
        id_less_than: str | None = None,
        start_time: int | None = None,
        end_time: int | None = None,
        limit: int | None = None,
    ) -> BitgetPendingOrders:
        """Return open orders (``entrustedList`` may be null; bitget-protocol.md 5.10)."""
        params = {
            "productType": product_type_param(product_type),
            "symbol": symbol,
            "orderId": order_id,
            "clientOid": client_oid,
            "status": status,
            **page_query(id_less_than, start_time, end_time, limit),
        }
        return await self._get_page("orders-pending", params, BitgetPendingOrders)

    async def orders_history(
        self,
        product_type: BitgetProductType | str,
        symbol: str | None = None,
        order_id: str | None = None,
        client_oid: str | None = None,
        id_less_than: str | None = None,
        start_time: int | None = None,
        end_time: int | None = None,
        limit: int | None = None,
        order_source: str | None = None,
    ) -> BitgetPendingOrders:
        """Return filled/canceled orders (<= 90 days; bitget-protocol.md 5.10)."""
        params = {
            "productType": product_type_param(product_type),
            "symbol": symbol,
            "orderId": order_id,
            "clientOid": client_oid,
            **page_query(id_less_than, start_time, end_time, limit),
            "orderSource": order_source,
        }
        return await self._get_page("orders-history", params, BitgetPendingOrders)

    async def order_detail(
        self,
        symbol: str,
        product_type: BitgetProductType | str,
        order_id: str | None = None,
        client_oid: str | None = None,
    ) -> BitgetOrderDetail:
        """Return one order (status in ``state``; bitget-protocol.md 5.10)."""
        _require_id(order_id, client_oid, "order_detail")
        params = symbol_query(symbol, product_type, orderId=order_id, clientOid=client_oid)
        return await self._get("detail", params, BitgetOrderDetail)

    async def fills(
        self,
        product_type: BitgetProductType | str,
        symbol: str | None = None,
        order_id: str | None = None,
        id_less_than: str | None = None,
        start_time: int | None = None,
        end_time: int | None = None,
        limit: int | None = None,
    ) -> BitgetFills:
        """Return private fills, newest first (bitget-protocol.md 5.10)."""
        params = {
            "productType": product_type_param(product_type),
            "symbol": symbol,
            "orderId": order_id,
            **page_query(id_less_than, start_time, end_time, limit),
        }
        return await self._get_page("fills", params, BitgetFills)

    # -- plan orders --------------------------------------------------------------------------

    async def orders_plan_pending(
        self,
        plan_type: str,
        product_type: BitgetProductType | str,
        symbol: str | None = None,
        order_id: str | None = None,
        client_oid: str | None = None,
        id_less_than: str | None = None,
        start_time: int | None = None,
        end_time: int | None = None,
        limit: int | None = None,
    ) -> BitgetPlanOrders:
        """Return pending plan orders (``normal_plan``, ``track_plan`` or ``profit_loss``)."""
        params = _plan_query(plan_type, product_type, symbol, order_id, client_oid)
        params.update(page_query(id_less_than, start_time, end_time, limit))
        return await self._get_page("orders-plan-pending", params, BitgetPlanOrders)

    async def orders_plan_history(
        self,
        plan_type: str,
        product_type: BitgetProductType | str,
        symbol: str | None = None,
        order_id: str | None = None,
        client_oid: str | None = None,
        plan_status: str | None = None,
        id_less_than: str | None = None,
        start_time: int | None = None,
        end_time: int | None = None,
        limit: int | None = None,
    ) -> BitgetPlanOrders:
        """Return finished plan orders (``planStatus`` executed/fail_execute/cancelled; 5.11)."""
        params = _plan_query(plan_type, product_type, symbol, order_id, client_oid)
        params["planStatus"] = plan_status
        params.update(page_query(id_less_than, start_time, end_time, limit))
        return await self._get_page("orders-plan-history", params, BitgetPlanOrders)


def _plan_query(
    plan_type: str,
    product_type: BitgetProductType | str,
    symbol: str | None,
    order_id: str | None,
    client_oid: str | None,
) -> dict[str, Any]:
    # bitget-protocol.md 5.11: planType is required on plan queries (normal_plan, track_plan,
    # profit_loss)
    if plan_type not in PLAN_TYPES_QUERY:
        raise ValueError(f"plan_type must be one of {PLAN_TYPES_QUERY}, was {plan_type!r}")
    return {
        "planType": plan_type,
        "productType": product_type_param(product_type),
        "symbol": symbol,
        "orderId": order_id,
        "clientOid": client_oid,
    }
