"""
Private order, plan-order and fill endpoints (bitget-protocol.md 5.4-5.11), typed.

Order placement, modification and cancellation are never retried automatically (``retry=False``):
an unknown outcome is raised to the caller, who resolves it by ``clientOid``. Values are sent as
strings with wire names; unset (``None``) fields are omitted.
"""

from __future__ import annotations

from typing import Any
from typing import Final

from nautilus_bitget.constants import BitgetProductType
from nautilus_bitget.http.client import BitgetHttpClient
from nautilus_bitget.http.params import Value
from nautilus_bitget.http.params import margin_coin_param
from nautilus_bitget.http.params import page_query
from nautilus_bitget.http.params import product_type_param
from nautilus_bitget.http.params import symbol_query
from nautilus_bitget.http.params import wire_body
from nautilus_bitget.http.params import wire_text
from nautilus_bitget.schemas.trade import BitgetBatchResult
from nautilus_bitget.schemas.trade import BitgetFills
from nautilus_bitget.schemas.trade import BitgetOrderDetail
from nautilus_bitget.schemas.trade import BitgetOrderId
from nautilus_bitget.schemas.trade import BitgetPendingOrders
from nautilus_bitget.schemas.trade import BitgetPlanOrders


__all__ = [
    "MIX_ORDER",
    "PLAN_TYPES_PLACE",
    "PLAN_TYPES_QUERY",
    "BitgetTradeHttpAPI",
    "Value",
    "build_order_item",
    "wire_text",
]

MIX_ORDER: Final[str] = "/api/v2/mix/order"
PLAN_TYPES_PLACE: Final[tuple[str, ...]] = ("normal_plan", "track_plan")
PLAN_TYPES_QUERY: Final[tuple[str, ...]] = ("normal_plan", "track_plan", "profit_loss")


def _yes_no(value: bool | str | None, upper: bool) -> str | None:
    # bitget-protocol.md 9.7: reduceOnly is YES/NO on place-order, yes/no on place-plan-order
    if value is None:
        return None
    text = ("yes" if value else "no") if isinstance(value, bool) else value
    return text.upper() if upper else text.lower()


def _require_id(order_id: str | None, client_oid: str | None, method: str) -> None:
    if not order_id and not client_oid:
        raise ValueError(f"{method}: give order_id or client_oid")


def _id_list(
    order_ids: list[str] | None,
    client_oids: list[str] | None,
) -> list[dict[str, str]] | None:
    items = [{"orderId": i} for i in order_ids or []]
    items += [{"clientOid": c} for c in client_oids or []]
    return items or None


def build_order_item(
    size: Value,
    side: str,
    order_type: str,
    price: Value | None = None,
    trade_side: str | None = None,
    force: str | None = None,
    client_oid: str | None = None,
    reduce_only: bool | str | None = None,
    preset_stop_surplus_price: Value | None = None,
    preset_stop_loss_price: Value | None = None,
    stp_mode: str | None = None,
) -> dict[str, Any]:
    """
    Return the order fields shared by place-order and a batch ``orderList`` item (5.4, 5.6).

    Parameters
    ----------
    size : str, int, float or Decimal
        Quantity in base coin (a multiple of ``sizeMultiplier``).
    side : str
        ``buy``/``sell`` (in hedge mode the position direction, bitget-protocol.md 5.5).
    order_type : str
        ``limit`` or ``market``.
    price : optional
        Limit price.
    trade_side : str, optional
        ``open``/``close`` (hedge mode only; never send it in one-way mode).
    force : str, optional
        ``gtc``, ``ioc``, ``fok`` or ``post_only``.
    client_oid : str, optional
        Client order id.
    reduce_only : bool or str, optional
        One-way mode only; sent as ``YES``/``NO``.
    preset_stop_surplus_price, preset_stop_loss_price : optional
        Attached TP/SL trigger prices.
    stp_mode : str, optional
        Self-trade prevention mode.

    Returns
    -------
    dict[str, Any]

    """
    if order_type == "limit" and price is None:
        raise ValueError("price is required for a limit order")
    return wire_body(
        size=size,
        price=price,
        side=side,
        tradeSide=trade_side,
        orderType=order_type,
        force=force,
        clientOid=client_oid,
        reduceOnly=_yes_no(reduce_only, upper=True),
        presetStopSurplusPrice=preset_stop_surplus_price,
        presetStopLossPrice=preset_stop_loss_price,
        stpMode=stp_mode,
    )


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

    async def _post(self, endpoint: str, body: dict[str, Any], decoder: Any) -> Any:
        return await self.client.post(f"{MIX_ORDER}/{endpoint}", body, decoder=decoder)

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

    async def _post_order(
        self,
        endpoint: str,
        symbol: str,
        product_type: BitgetProductType | str,
        margin_mode: str,
        margin_coin: str,
        fields: dict[str, Any],
        decoder: Any,
    ) -> Any:
        body = {
            "symbol": symbol,
            "productType": product_type_param(product_type),
            "marginMode": margin_mode,
            "marginCoin": margin_coin_param(margin_coin),
            **fields,
        }
        return await self._post(endpoint, body, decoder)

    # -- orders -------------------------------------------------------------------------------

    async def place_order(
        self,
        symbol: str,
        product_type: BitgetProductType | str,
        margin_mode: str,
        margin_coin: str,
        size: Value,
        side: str,
        order_type: str,
        price: Value | None = None,
        trade_side: str | None = None,
        force: str | None = None,
        client_oid: str | None = None,
        reduce_only: bool | str | None = None,
        preset_stop_surplus_price: Value | None = None,
        preset_stop_loss_price: Value | None = None,
        stp_mode: str | None = None,
    ) -> BitgetOrderId:
        """
        Place an order (``POST place-order``, bitget-protocol.md 5.4). Acceptance only: confirm via
        the ``orders`` push or ``order_detail``. Never retried.

        Parameters
        ----------
        symbol : str
            The symbol.
        product_type : BitgetProductType or str
            The product type.
        margin_mode : str
            ``crossed`` or ``isolated``.
        margin_coin : str
            The margin coin (sent uppercase).
        size, side, order_type, price, trade_side, force, client_oid, reduce_only,
        preset_stop_surplus_price, preset_stop_loss_price, stp_mode
            See ``build_order_item``.

        Returns
        -------
        BitgetOrderId

        """
        item = build_order_item(
            size=size,
            side=side,
            order_type=order_type,
            price=price,
            trade_side=trade_side,
            force=force,
            client_oid=client_oid,
            reduce_only=reduce_only,
            preset_stop_surplus_price=preset_stop_surplus_price,
            preset_stop_loss_price=preset_stop_loss_price,
            stp_mode=stp_mode,
        )
        return await self._post_order(
            "place-order", symbol, product_type, margin_mode, margin_coin, item, BitgetOrderId
        )

    async def batch_place_order(
        self,
        symbol: str,
        product_type: BitgetProductType | str,
        margin_mode: str,
        margin_coin: str,
        orders: list[dict[str, Any]],
    ) -> BitgetBatchResult:
        """
        Place up to 20 orders of one symbol (bitget-protocol.md 5.6); partial success is normal.

        Parameters
        ----------
        symbol : str
            The symbol.
        product_type : BitgetProductType or str
            The product type.
        margin_mode : str
            ``crossed`` or ``isolated``.
        margin_coin : str
            The margin coin.
        orders : list[dict[str, Any]]
            Items built with ``build_order_item``.

        Returns
        -------
        BitgetBatchResult

        """
        if not orders:
            raise ValueError("batch_place_order: orders must not be empty")
        return await self._post_order(
            "batch-place-order",
            symbol,
            product_type,
            margin_mode,
            margin_coin,
            {"orderList": orders},
            BitgetBatchResult,
        )

    async def modify_order(
        self,
        symbol: str,
        product_type: BitgetProductType | str,
        new_client_oid: str,
        order_id: str | None = None,
        client_oid: str | None = None,
        new_size: Value | None = None,
        new_price: Value | None = None,
        new_preset_stop_surplus_price: Value | None = None,
        new_preset_stop_loss_price: Value | None = None,
        margin_coin: str | None = None,
    ) -> BitgetOrderId:
        """
        Modify a live limit order (bitget-protocol.md 5.7): a size/price change cancels it and
        creates
        a new order asynchronously (``orderId`` comes back ``null``); size and price go together.

        Parameters
        ----------
        symbol : str
            The symbol.
        product_type : BitgetProductType or str
            The product type.
        new_client_oid : str
            Client id of the replacement order (required by the venue).
        order_id, client_oid : str, optional
            The order to modify (``orderId`` wins).
        new_size, new_price : optional
            New size and price (both or neither).
        new_preset_stop_surplus_price, new_preset_stop_loss_price : optional
            New attached TP/SL (``0`` deletes).
        margin_coin : str, optional
            The margin coin.

        Returns
        -------
        BitgetOrderId

        """
        _require_id(order_id, client_oid, "modify_order")
        if (new_size is None) != (new_price is None):
            raise ValueError("modify_order: new_size and new_price must be given together (40925)")
        body = wire_body(
            orderId=order_id,
            clientOid=client_oid,
            symbol=symbol,
            productType=product_type_param(product_type),
            marginCoin=margin_coin_param(margin_coin),
            newClientOid=new_client_oid,
            newSize=new_size,
            newPrice=new_price,
            newPresetStopSurplusPrice=new_preset_stop_surplus_price,
            newPresetStopLossPrice=new_preset_stop_loss_price,
        )
        return await self._post("modify-order", body, BitgetOrderId)

    async def cancel_order(
        self,
        symbol: str,
        product_type: BitgetProductType | str,
        order_id: str | None = None,
        client_oid: str | None = None,
        margin_coin: str | None = None,
    ) -> BitgetOrderId:
        """Cancel one order by ``order_id`` or ``client_oid`` (bitget-protocol.md 5.8)."""
        _require_id(order_id, client_oid, "cancel_order")
        body = wire_body(
            symbol=symbol,
            productType=product_type_param(product_type),
            marginCoin=margin_coin_param(margin_coin),
            orderId=order_id,
            clientOid=client_oid,
        )
        return await self._post("cancel-order", body, BitgetOrderId)

    async def batch_cancel_orders(
        self,
        product_type: BitgetProductType | str,
        symbol: str | None = None,
        margin_coin: str | None = None,
        order_ids: list[str] | None = None,
        client_oids: list[str] | None = None,
    ) -> BitgetBatchResult:
        """
        Cancel up to 50 orders; without ids, every order of ``symbol`` (bitget-protocol.md 5.8).

        Parameters
        ----------
        product_type : BitgetProductType or str
            The product type.
        symbol : str, optional
            Required when ids are given.
        margin_coin : str, optional
            The margin coin.
        order_ids, client_oids : list[str], optional
            Orders to cancel.

        Returns
        -------
        BitgetBatchResult

        """
        id_list = _id_list(order_ids, client_oids)
        if id_list is not None and not symbol:
            raise ValueError("batch_cancel_orders: symbol is required with order ids")
        if id_list is not None and len(id_list) > 50:
            raise ValueError("batch_cancel_orders: at most 50 orders per call (40912)")
        body = wire_body(
            productType=product_type_param(product_type),
            symbol=symbol,
            marginCoin=margin_coin_param(margin_coin),
            orderIdList=id_list,
        )
        return await self._post("batch-cancel-orders", body, BitgetBatchResult)

    async def cancel_all_orders(
        self,
        product_type: BitgetProductType | str,
        margin_coin: str | None = None,
    ) -> BitgetBatchResult:
        """Cancel every order of a product type (bitget-protocol.md 5.8)."""
        body = wire_body(
            productType=product_type_param(product_type),
            marginCoin=margin_coin_param(margin_coin),
        )
        return await self._post("cancel-all-orders", body, BitgetBatchResult)

    async def close_positions(
        self,
        symbol: str,
        product_type: BitgetProductType | str,
        hold_side: str | None = None,
    ) -> BitgetBatchResult:
        """
        Market-close positions of a symbol (bitget-protocol.md 5.9, 1 req/s).

        ``hold_side`` ``long``/``short`` in hedge mode (``None`` closes both); one-way: ``None``.
        """
        body = wire_body(
            symbol=symbol,
            productType=product_type_param(product_type),
            holdSide=hold_side,
        )
        return await self._post("close-positions", body, BitgetBatchResult)

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

    async def place_plan_order(
        self,
        plan_type: str,
        symbol: str,
        product_type: BitgetProductType | str,
        margin_mode: str,
        margin_coin: str,
        size: Value,
        trigger_price: Value,
        trigger_type: str,
        side: str,
        order_type: str,
        price: Value | None = None,
        callback_ratio: Value | None = None,
        trade_side: str | None = None,
        client_oid: str | None = None,
        reduce_only: bool | str | None = None,
        stp_mode: str | None = None,
        stop_surplus_trigger_price: Value | None = None,
        stop_surplus_execute_price: Value | None = None,
        stop_surplus_trigger_type: str | None = None,
        stop_loss_trigger_price: Value | None = None,
        stop_loss_execute_price: Value | None = None,
        stop_loss_trigger_type: str | None = None,
    ) -> BitgetOrderId:
        """
        Place a trigger (``normal_plan``) or trailing (``track_plan``) order (5.11). Never retried.

        Parameters
        ----------
        plan_type : str
            ``normal_plan`` or ``track_plan``.
        symbol, product_type, margin_mode, margin_coin
            As for ``place_order``.
        size : str, int, float or Decimal
            Quantity in base coin.
        trigger_price : str, int, float or Decimal
            Trigger price.
        trigger_type : str
            ``mark_price`` or ``fill_price`` (last).
        side, order_type, price, trade_side, client_oid, stp_mode
            As for ``place_order`` (``track_plan`` must be ``market``).
        callback_ratio : optional
            Trailing distance in percent (``track_plan``).
        reduce_only : bool or str, optional
            One-way mode only; sent lowercase ``yes``/``no`` here (9.7).
        stop_surplus_*, stop_loss_* : optional
            TP/SL attached to the triggered order.

        Returns
        -------
        BitgetOrderId

        """
        if plan_type not in PLAN_TYPES_PLACE:
            raise ValueError(f"plan_type must be one of {PLAN_TYPES_PLACE}, was {plan_type!r}")
        if order_type == "limit" and price is None:
            raise ValueError("price is required for a limit plan order")
        body = wire_body(
            planType=plan_type,
            symbol=symbol,
            productType=product_type_param(product_type),
            marginMode=margin_mode,
            marginCoin=margin_coin_param(margin_coin),
            size=size,
            price=price,
            callbackRatio=callback_ratio,
            triggerPrice=trigger_price,
            triggerType=trigger_type,
            side=side,
            tradeSide=trade_side,
            orderType=order_type,
            clientOid=client_oid,
            reduceOnly=_yes_no(reduce_only, upper=False),
            stpMode=stp_mode,
            stopSurplusTriggerPrice=stop_surplus_trigger_price,
            stopSurplusExecutePrice=stop_surplus_execute_price,
            stopSurplusTriggerType=stop_surplus_trigger_type,
            stopLossTriggerPrice=stop_loss_trigger_price,
            stopLossExecutePrice=stop_loss_execute_price,
            stopLossTriggerType=stop_loss_trigger_type,
        )
        return await self._post("place-plan-order", body, BitgetOrderId)

    async def modify_plan_order(
        self,
        product_type: BitgetProductType | str,
        order_id: str | None = None,
        client_oid: str | None = None,
        symbol: str | None = None,
        new_size: Value | None = None,
        new_price: Value | None = None,
        new_callback_ratio: Value | None = None,
        new_trigger_price: Value | None = None,
        new_trigger_type: str | None = None,
        margin_coin: str | None = None,
    ) -> BitgetOrderId:
        """Modify a pending trigger/trailing order (bitget-protocol.md 5.11). Never retried."""
        _require_id(order_id, client_oid, "modify_plan_order")
        body = wire_body(
            orderId=order_id,
            clientOid=client_oid,
            symbol=symbol,
            productType=product_type_param(product_type),
            marginCoin=margin_coin_param(margin_coin),
            newSize=new_size,
            newPrice=new_price,
            newCallbackRatio=new_callback_ratio,
            newTriggerPrice=new_trigger_price,
            newTriggerType=new_trigger_type,
        )
        return await self._post("modify-plan-order", body, BitgetOrderId)

    async def cancel_plan_order(
        self,
        product_type: BitgetProductType | str,
        plan_type: str,
        symbol: str | None = None,
        margin_coin: str | None = None,
        order_ids: list[str] | None = None,
        client_oids: list[str] | None = None,
    ) -> BitgetBatchResult:
        """
        Cancel plan orders (bitget-protocol.md 5.11).

        ``plan_type`` is required here: the venue defaults to ``normal_plan`` otherwise. Without
        ids every plan order of that type (and ``symbol``) is cancelled.
        """
        body = wire_body(
            productType=product_type_param(product_type),
            planType=plan_type,
            symbol=symbol,
            marginCoin=margin_coin_param(margin_coin),
            orderIdList=_id_list(order_ids, client_oids),
        )
        return await self._post("cancel-plan-order", body, BitgetBatchResult)

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
