"""
``TradingApi`` of the classic account: API v2 ``mix`` (bitget-protocol.md 5, 6.2).

Order bodies come from ``common.orders``; requests go through the typed endpoint groups
``http.trade`` and ``http.account``; rows are the v2 shapes the execution client consumes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from typing import Final

import msgspec

from nautilus_bitget.api.trading import BatchFailure
from nautilus_bitget.api.trading import BatchResult
from nautilus_bitget.api.trading import PrivatePushSink
from nautilus_bitget.api.trading import Route
from nautilus_bitget.api.trading import collect_pages
from nautilus_bitget.common.errors import BitgetRequestError
from nautilus_bitget.common.orders import batch_item
from nautilus_bitget.common.orders import batch_request
from nautilus_bitget.common.orders import modify_plan_request
from nautilus_bitget.common.orders import modify_request
from nautilus_bitget.common.orders import modify_tpsl_request
from nautilus_bitget.common.orders import order_request
from nautilus_bitget.common.orders import plan_type_name
from nautilus_bitget.common.orders import tpsl_request
from nautilus_bitget.common.orders import trigger_type_wire
from nautilus_bitget.http.account import BitgetAccountHttpAPI
from nautilus_bitget.http.client import BitgetHttpClient
from nautilus_bitget.http.trade import BitgetTradeHttpAPI
from nautilus_bitget.parsing.execution import text
from nautilus_bitget.schemas.envelope import BitgetWsFrame
from nautilus_bitget.schemas.trade import BitgetBatchResult
from nautilus_bitget.schemas.ws_private import BitgetWsAccount
from nautilus_bitget.schemas.ws_private import BitgetWsAlgoOrder
from nautilus_bitget.schemas.ws_private import BitgetWsFill
from nautilus_bitget.schemas.ws_private import BitgetWsOrder
from nautilus_bitget.schemas.ws_private import BitgetWsPosition


# bitget-protocol.md 6.2: private channels, subscribed per product type (``instId`` "default")
PRIVATE_CHANNELS: Final[tuple[str, ...]] = ("orders", "fill", "positions", "account", "orders-algo")
BATCH_MAX: Final[int] = 50  # bitget-protocol.md 5.6, 5.8 (40912 above)
_PAGE: Final[int] = 100

_FRAME = msgspec.json.Decoder(BitgetWsFrame)
_ORDERS = msgspec.json.Decoder(list[BitgetWsOrder])
_FILLS = msgspec.json.Decoder(list[BitgetWsFill])
_POSITIONS = msgspec.json.Decoder(list[BitgetWsPosition])
_ACCOUNTS = msgspec.json.Decoder(list[BitgetWsAccount])
_ALGO = msgspec.json.Decoder(list[BitgetWsAlgoOrder])


def _failures(result: BitgetBatchResult | None) -> list[BatchFailure]:
    return [
        (f.orderId, f.clientOid, None if f.errorCode is None else str(f.errorCode), f.errorMsg)
        for f in (result.failureList if result is not None else None) or []
    ]


class BitgetV2Trading:
    """
    Classic-account trading over API v2.

    Parameters
    ----------
    http : BitgetHttpClient
        The signed REST transport.
    hedge : bool
        Whether orders are sent in hedge-mode shape (``tradeSide``).
    margin_mode : str
        ``crossed`` or ``isolated`` (per symbol on v2: set with the leverage).

    """

    name: str = "v2"
    amends_in_place: bool = False
    max_batch: int = BATCH_MAX

    def __init__(self, http: BitgetHttpClient, *, hedge: bool, margin_mode: str) -> None:
        self._trade = BitgetTradeHttpAPI(http)
        self._account = BitgetAccountHttpAPI(http)
        self._hedge = hedge
        self._margin_mode = margin_mode

    # -- orders ----------------------------------------------------------------------------------

    def build_order(
        self,
        order: Any,
        route: Route,
        *,
        close: bool,
        client_oid: str,
        take_profit: str | None = None,
        stop_loss: str | None = None,
    ) -> tuple[bool, dict[str, Any]]:
        """Return ``(is_plan, body)`` of ``place-order`` / ``place-plan-order`` (5.4, 5.11)."""
        return order_request(
            order,
            symbol=route.symbol,
            product_type=route.product_type,
            margin_coin=route.margin_coin,
            margin_mode=self._margin_mode,
            hedge=self._hedge,
            close=close,
            client_oid=client_oid,
            take_profit=take_profit,
            stop_loss=stop_loss,
        )

    async def place(self, body: dict[str, Any], *, trigger: bool) -> str | None:
        """Place one order or plan order; return the venue order id."""
        send = self._trade.place_plan_order if trigger else self._trade.place_order
        ack = await send(body)
        return text(ack.orderId) or None if ack is not None else None

    def build_tpsl(
        self,
        order: Any,
        route: Route,
        *,
        hold_side: str,
        client_oid: str,
    ) -> dict[str, Any]:
        """Return a ``place-tpsl-order`` body (5.11: ``loss_plan`` / ``profit_plan``)."""
        return tpsl_request(
            order,
            symbol=route.symbol,
            product_type=route.product_type,
            margin_coin=route.margin_coin,
            hedge=self._hedge,
            hold_side=hold_side,
            client_oid=client_oid,
        )

    async def place_tpsl(self, body: dict[str, Any]) -> str | None:
        """``place-tpsl-order`` (5.11): ``{orderId, clientOid}``."""
        ack = await self._trade.place_tpsl_order(body)
        return text(ack.orderId) or None if ack is not None else None

    async def place_batch(self, route: Route, bodies: Sequence[dict[str, Any]]) -> BatchResult:
        """``batch-place-order`` (5.6): the items share symbol, product type and margin."""
        body = batch_request(
            [batch_item(b) for b in bodies],
            symbol=route.symbol,
            product_type=route.product_type,
            margin_coin=route.margin_coin,
            margin_mode=self._margin_mode,
        )
        result = await self._trade.batch_place_order(body)
        if result is None:
            return BatchResult()
        return BatchResult(
            accepted=[(i.clientOid, i.orderId or "") for i in result.successList or []],
            failed=_failures(result),
        )

    async def modify(
        self,
        route: Route,
        *,
        order_id: str | None,
        client_oid: str,
        qty: str,
        price: str,
        new_client_oid: str | None = None,
        request_id: str | None = None,
    ) -> None:
        """``modify-order`` (5.7): size and price together, the order re-created as alias."""
        if new_client_oid is None:
            raise ValueError("v2 modify-order needs new_client_oid")
        body = modify_request(
            symbol=route.symbol,
            product_type=route.product_type,
            order_id=order_id,
            client_oid=client_oid,
            new_client_oid=new_client_oid,
            new_size=qty,
            new_price=price,
        )
        await self._trade.modify_order(body)

    async def modify_trigger(
        self,
        route: Route,
        *,
        order_id: str | None,
        client_oid: str,
        qty: str,
        trigger_price: str,
        price: str | None,
        trigger_type: Any,
    ) -> None:
        """``modify-plan-order`` (5.11)."""
        body = modify_plan_request(
            product_type=route.product_type,
            order_id=order_id,
            client_oid=client_oid,
            new_size=qty,
            new_trigger_price=trigger_price,
            new_price=price,
            trigger_type=trigger_type_wire(trigger_type),
        )
        body["symbol"] = route.symbol
        await self._trade.modify_plan_order(body)

    async def modify_tpsl(
        self,
        route: Route,
        *,
        order_id: str | None,
        client_oid: str,
        plan_type: str,
        qty: str,
        trigger_price: str,
        price: str | None,
        trigger_type: Any,
    ) -> None:
        """``modify-tpsl-order`` (5.11): in place, ``size`` ``""`` for position TP/SL."""
        body = modify_tpsl_request(
            symbol=route.symbol,
            product_type=route.product_type,
            margin_coin=route.margin_coin,
            order_id=order_id,
            client_oid=client_oid,
            plan_type=plan_type,
            size=qty,
            trigger_price=trigger_price,
            execute_price=price,
            trigger_type=trigger_type_wire(trigger_type) if trigger_type is not None else None,
        )
        await self._trade.modify_tpsl_order(body)

    def _base(self, route: Route) -> dict[str, Any]:
        return {
            "symbol": route.symbol,
            "productType": route.product_type,
            "marginCoin": route.margin_coin,
        }

    async def cancel(self, route: Route, ref: dict[str, str]) -> None:
        """``cancel-order`` (5.8)."""
        await self._trade.cancel_order({**self._base(route), **ref})

    async def cancel_batch(
        self,
        route: Route,
        refs: Sequence[dict[str, str]],
        *,
        trigger: bool,
        plan_type: str = "normal_plan",
    ) -> list[BatchFailure]:
        """
        ``batch-cancel-orders`` (5.8) or ``cancel-plan-order`` (5.11) of one plan type: the
        page's ``planType`` values (``normal_plan``, ``profit_plan``, ``loss_plan``,
        ``pos_profit``, ``pos_loss``, ``moving_plan``) name the plans of ``orderIdList``.
        """
        body = {**self._base(route), "orderIdList": list(refs)}
        if trigger:
            body["planType"] = plan_type_name(plan_type)
            return _failures(await self._trade.cancel_plan_order(body))
        return _failures(await self._trade.batch_cancel_orders(body))

    async def cancel_position_tpsl(self, route: Route, order_id: str, plan_type: str) -> None:
        """Cancel a ``profit_plan`` / ``loss_plan`` with ``cancel-plan-order`` (5.11)."""
        body = {
            **self._base(route),
            "planType": plan_type_name(plan_type),
            "orderIdList": [{"orderId": order_id}],
        }
        failures = _failures(await self._trade.cancel_plan_order(body))
        if failures:
            _, _, code, message = failures[0]
            raise BitgetRequestError(message or "cancel failed", code=code)

    # -- queries ---------------------------------------------------------------------------------

    async def open_orders(self, product_type: str, symbol: str | None = None) -> list[Any]:
        """``orders-pending`` (5.10), paged by ``idLessThan`` = ``endId`` (9.2)."""

        async def fetch(cursor: str | None) -> tuple[list[Any], str | None]:
            page = await self._trade.orders_pending(
                product_type, symbol=symbol, id_less_than=cursor, limit=_PAGE
            )
            return list(page.entrustedList or []), page.endId

        return await collect_pages(fetch)

    async def order_history(
        self,
        product_type: str,
        start_ms: int | None,
        symbol: str | None = None,
    ) -> list[Any]:
        """``orders-history`` (5.10)."""

        async def fetch(cursor: str | None) -> tuple[list[Any], str | None]:
            page = await self._trade.orders_history(
                product_type,
                symbol=symbol,
                id_less_than=cursor,
                start_time=start_ms or None,
                limit=_PAGE,
            )
            return list(page.entrustedList or []), page.endId

        return await collect_pages(fetch)

    async def fills(
        self,
        product_type: str,
        *,
        order_id: str | None = None,
        symbol: str | None = None,
        start_ms: int | None = None,
    ) -> list[Any]:
        """Private ``fills`` (5.10)."""

        async def fetch(cursor: str | None) -> tuple[list[Any], str | None]:
            page = await self._trade.fills(
                product_type,
                symbol=symbol,
                order_id=order_id,
                id_less_than=cursor,
                start_time=start_ms or None,
                limit=_PAGE,
            )
            return list(page.fillList or []), page.endId

        return await collect_pages(fetch, max_pages=50)

    async def trigger_orders(
        self,
        product_type: str,
        symbol: str | None,
        *,
        history: bool,
        plan_type: str,
        start_ms: int | None,
    ) -> list[Any]:
        """``orders-plan-pending`` / ``orders-plan-history`` (5.11), one page."""
        if history:
            page = await self._trade.orders_plan_history(
                plan_type, product_type, symbol=symbol, start_time=start_ms or None, limit=_PAGE
            )
        else:
            page = await self._trade.orders_plan_pending(
                plan_type, product_type, symbol=symbol, limit=_PAGE
            )
        return list(page.entrustedList or [])

    async def order_detail(
        self,
        route: Route,
        *,
        order_id: str | None = None,
        client_oid: str | None = None,
    ) -> Any:
        """Order ``detail`` (5.10): by venue id when known, else by clientOid."""
        return await self._trade.order_detail(
            route.symbol,
            route.product_type,
            order_id=order_id or None,
            client_oid=None if order_id else client_oid,
        )

    # -- account ---------------------------------------------------------------------------------

    def position_mode_scopes(self, product_types: Sequence[str]) -> tuple[str | None, ...]:
        """The position mode is held per product type on v2 (5.2)."""
        return tuple(product_types)

    async def position_mode(self, scope: str | None, route: Route | None) -> str | None:
        """``posMode`` of the single-account read (5.1) of any symbol of the product type."""
        if route is None:
            return None
        account = await self._account.account(route.symbol, route.product_type, route.margin_coin)
        return account.posMode if account is not None else None

    async def set_position_mode(self, scope: str | None, mode: str) -> None:
        """``set-position-mode`` (5.2; 40920 with open positions or orders)."""
        if scope is None:
            raise ValueError("v2 position mode is set per product type")
        await self._account.set_position_mode(scope, mode)

    async def set_leverage(self, route: Route, leverage: int) -> list[tuple[str, Exception]]:
        """``set-margin-mode`` then ``set-leverage`` (5.2); refusals are returned."""
        refused: list[tuple[str, Exception]] = []
        try:
            await self._account.set_margin_mode(
                route.symbol, route.product_type, route.margin_coin, self._margin_mode
            )
        except BitgetRequestError as e:
            refused.append(("set-margin-mode", e))
        try:
            await self._account.set_leverage(
                route.symbol, route.product_type, route.margin_coin, leverage=leverage
            )
        except BitgetRequestError as e:
            refused.append(("set-leverage", e))
        return refused

    async def balances(self, product_types: Sequence[str]) -> list[tuple[Any, Any, str]]:
        """One account per margin coin and product type (5.1)."""
        rows: list[tuple[Any, Any, str]] = []
        for product_type in product_types:
            accounts = await self._account.accounts(product_type)
            rows.extend((row.accountEquity, row.available, row.marginCoin) for row in accounts)
        return rows

    async def positions(self, product_type: str) -> list[Any]:
        """``all-position`` (5.3)."""
        return list(await self._account.all_position(product_type))

    async def funding_bills(self, product_type: str, since_ms: int) -> list[Any]:
        """``contract_settle_fee`` bills since ``since_ms`` (5.12)."""
        page = await self._account.bill(
            product_type,
            business_type="contract_settle_fee",
            start_time=since_ms,
            limit=100,
        )
        return list((page.bills if page else None) or [])

    # -- private stream --------------------------------------------------------------------------

    def private_ws_url(self, url: str) -> str:
        """The configured private URL is the v2 one (6.2)."""
        return url

    def private_subscriptions(self, product_types: Sequence[str]) -> list[dict[str, str]]:
        """Every private channel per product type (``coin`` for ``account``, 6.2)."""
        args = []
        for product_type in product_types:
            for channel in PRIVATE_CHANNELS:
                key = "coin" if channel == "account" else "instId"
                args.append({"instType": product_type, "channel": channel, key: "default"})
        return args

    def route_private(self, raw: bytes, sink: PrivatePushSink) -> None:
        """Decode a v2 private frame once and deliver it by exact channel name."""
        try:
            frame = _FRAME.decode(raw)
        except (msgspec.DecodeError, msgspec.ValidationError) as e:
            sink.on_bad_input("frame", e)
            return
        if frame.event is not None:
            if frame.event == "error":
                sink.on_stream_error(frame.code, frame.msg)
            return
        arg = frame.channel_arg
        if arg is None:
            return
        channel = arg.channel
        data = frame.data
        try:
            if channel == "orders":
                for order_row in _ORDERS.decode(data):
                    sink.on_order_row(order_row)
            elif channel == "fill":
                for fill_row in _FILLS.decode(data):
                    sink.on_fill_row(fill_row)
            elif channel == "orders-algo":
                for algo_row in _ALGO.decode(data):
                    sink.on_algo_row(algo_row)
            elif channel == "positions":
                sink.on_positions(arg.instType, list(_POSITIONS.decode(data)), True)
            elif channel == "account":
                accounts = _ACCOUNTS.decode(data)
                sink.on_balances([(r.equity, r.available, r.marginCoin) for r in accounts])
        except (msgspec.DecodeError, msgspec.ValidationError, ArithmeticError, ValueError) as e:
            sink.on_bad_input(channel, e)
