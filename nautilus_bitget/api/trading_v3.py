"""
``TradingApi`` of the Unified Trading Account: API v3 (bitget-protocol-uta.md 3, 4.6).

Order bodies come from ``common.orders_v3`` (``side`` is the trade direction, ``posSide`` in hedge
mode, ``marginMode`` on each order, trigger orders and TP/SL as strategy orders, 3.4-3.8);
requests go through the typed endpoint groups of ``http.v3``; every row is translated into the
classic v2 shape by ``parsing.execution_v3``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from typing import Final

import msgspec

from nautilus_bitget.api.streams import v3_ws_url
from nautilus_bitget.api.trading import BatchFailure
from nautilus_bitget.api.trading import BatchResult
from nautilus_bitget.api.trading import PrivatePushSink
from nautilus_bitget.api.trading import Route
from nautilus_bitget.api.trading import collect_pages
from nautilus_bitget.common.errors import BitgetError
from nautilus_bitget.common.errors import BitgetOrderNotFoundError
from nautilus_bitget.common.errors import BitgetRequestError
from nautilus_bitget.common.orders_v3 import cancel_item_v3
from nautilus_bitget.common.orders_v3 import modify_strategy_request_v3
from nautilus_bitget.common.orders_v3 import modify_tpsl_request_v3
from nautilus_bitget.common.orders_v3 import order_request_v3
from nautilus_bitget.common.orders_v3 import tpsl_request_v3
from nautilus_bitget.http.client import BitgetHttpClient
from nautilus_bitget.http.v3 import BATCH_MAX
from nautilus_bitget.http.v3 import BitgetV3AccountHttpAPI
from nautilus_bitget.http.v3 import BitgetV3TradeHttpAPI
from nautilus_bitget.parsing import execution_v3 as p3
from nautilus_bitget.parsing.execution import text
from nautilus_bitget.schemas.v3.trade import BitgetV3BatchItem
from nautilus_bitget.schemas.v3.ws import BitgetV3WsAccount
from nautilus_bitget.schemas.v3.ws import BitgetV3WsFill
from nautilus_bitget.schemas.v3.ws import BitgetV3WsFrame
from nautilus_bitget.schemas.v3.ws import BitgetV3WsOrder
from nautilus_bitget.schemas.v3.ws import BitgetV3WsPosition
from nautilus_bitget.schemas.v3.ws import BitgetV3WsStrategyOrder


# bitget-protocol-uta.md 4.6: private topics (instType "UTA", no symbol). ``fast-fill`` is not
# used: it has no fee, and a fill applied from it first would lose the commission (deduped).
PRIVATE_TOPICS: Final[tuple[str, ...]] = ("order", "fill", "position", "account", "strategy-order")
_PAGE: Final[int] = 100

_FRAME = msgspec.json.Decoder(BitgetV3WsFrame)
_ORDERS = msgspec.json.Decoder(list[BitgetV3WsOrder])
_FILLS = msgspec.json.Decoder(list[BitgetV3WsFill])
_POSITIONS = msgspec.json.Decoder(list[BitgetV3WsPosition])
_ACCOUNTS = msgspec.json.Decoder(list[BitgetV3WsAccount])
_STRATEGY = msgspec.json.Decoder(list[BitgetV3WsStrategyOrder])


def _failures(items: list[BitgetV3BatchItem] | None) -> list[BatchFailure]:
    # 3.6: a batch answers one item per request item, each with its own ``code``
    return [
        (text(i.orderId), i.clientOid or "", text(i.code), i.msg) for i in items or [] if not i.ok
    ]


class BitgetV3Trading:
    """
    UTA trading over API v3.

    Parameters
    ----------
    http : BitgetHttpClient
        The signed REST transport.
    hedge : bool
        Whether orders are sent in hedge-mode shape (``posSide``; hold mode is account-wide).
    margin_mode : str
        ``crossed`` or ``isolated``: sent on every order (3.3).

    """

    name: str = "v3"
    amends_in_place: bool = True
    max_batch: int = BATCH_MAX

    def __init__(self, http: BitgetHttpClient, *, hedge: bool, margin_mode: str) -> None:
        self._trade = BitgetV3TradeHttpAPI(http)
        self._account = BitgetV3AccountHttpAPI(http)
        self._hedge = hedge
        self._margin_mode = margin_mode
        # financial-records watermark per category (see ``funding_bills``)
        self._ledger_since: dict[str, int] = {}
        # the sign convention of feeDetail per source (bitget-protocol-uta.md 3.7)
        self._rest_fees = p3.FeeSign()
        self._ws_fees = p3.FeeSign()

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
        """Return ``(is_strategy, body)`` of ``place-order`` / ``place-strategy-order``."""
        return order_request_v3(
            order,
            symbol=route.symbol,
            category=route.product_type,
            margin_mode=self._margin_mode,
            hedge=self._hedge,
            close=close,
            client_oid=client_oid,
            take_profit=take_profit,
            stop_loss=stop_loss,
        )

    async def place(self, body: dict[str, Any], *, trigger: bool) -> str | None:
        """Place one order; trigger orders are strategy orders (3.8)."""
        send = self._trade.place_strategy_order if trigger else self._trade.place_order
        ack = await send(body)
        return (text(ack.orderId) or None) if ack is not None else None

    def build_tpsl(
        self,
        order: Any,
        route: Route,
        *,
        hold_side: str,
        client_oid: str,
    ) -> dict[str, Any]:
        """Return a ``place-strategy-order`` ``type=tpsl`` ``tpslMode=partial`` body (3.8)."""
        return tpsl_request_v3(
            order,
            symbol=route.symbol,
            category=route.product_type,
            hedge=self._hedge,
            hold_side=hold_side,
            client_oid=client_oid,
        )

    async def place_tpsl(self, body: dict[str, Any]) -> str | None:
        """``place-strategy-order`` (3.8): ``{orderId, clientOid}``."""
        ack = await self._trade.place_strategy_order(body)
        return (text(ack.orderId) or None) if ack is not None else None

    async def place_batch(self, route: Route, bodies: Sequence[dict[str, Any]]) -> BatchResult:
        """``place-batch`` (3.6): a bare JSON array of place-order bodies."""
        items = await self._trade.place_batch(list(bodies))
        return BatchResult(
            accepted=[(i.clientOid, text(i.orderId)) for i in items if i.ok],
            failed=[(None, i.clientOid, text(i.code), i.msg) for i in items if not i.ok],
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
        """
        ``modify-order`` (3.6): asynchronous, same orderId; ``autoCancel=no`` keeps the order if
        the amend fails. Confirmed by the ``order`` push echoing ``request_id``.
        """
        await self._trade.modify_order(
            category=route.product_type,
            symbol=route.symbol,
            order_id=order_id or None,
            client_oid=None if order_id else client_oid,
            qty=qty,
            price=price,
            auto_cancel=False,
            request_id=request_id,
        )

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
        """``modify-strategy-order`` (3.8: ``qty`` is required with the id)."""
        body = modify_strategy_request_v3(
            category=route.product_type,
            symbol=route.symbol,
            order_id=order_id,
            client_oid=client_oid,
            qty=qty,
            trigger_price=trigger_price,
            price=price,
            trigger_type=trigger_type,
        )
        await self._trade.modify_strategy_order(body)

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
        """``modify-strategy-order`` of a TP/SL leg (3.8: ``qty`` is required with the id)."""
        body = modify_tpsl_request_v3(
            category=route.product_type,
            symbol=route.symbol,
            order_id=order_id,
            client_oid=client_oid,
            plan_type=plan_type,
            qty=qty,
            trigger_price=trigger_price,
            price=price,
            trigger_type=trigger_type,
        )
        await self._trade.modify_strategy_order(body)

    async def cancel(self, route: Route, ref: dict[str, str]) -> None:
        """``cancel-order`` (3.6)."""
        await self._trade.cancel_order(
            category=route.product_type,
            symbol=route.symbol,
            order_id=ref.get("orderId"),
            client_oid=ref.get("clientOid"),
        )

    async def cancel_batch(
        self,
        route: Route,
        refs: Sequence[dict[str, str]],
        *,
        trigger: bool,
        plan_type: str = "normal_plan",
    ) -> list[BatchFailure]:
        """
        ``cancel-batch`` (3.6); strategy orders (trigger or TP/SL: ``plan_type`` does not matter,
        3.8) have no batch cancel and are canceled one by one. An order already gone is not a
        refusal: the caller confirms every cancel.
        """
        if not trigger:
            items = [cancel_item_v3(route.product_type, route.symbol, ref) for ref in refs]
            return _failures(await self._trade.cancel_batch(items))
        failures: list[BatchFailure] = []
        for ref in refs:
            try:
                await self._trade.cancel_strategy_order(ref.get("orderId"), ref.get("clientOid"))
            except BitgetOrderNotFoundError:
                continue
            except BitgetRequestError as e:
                failures.append((ref.get("orderId"), ref.get("clientOid"), e.code, e.message))
            except BitgetError:
                continue  # outcome unknown: the cancel confirmation queries the order
        return failures

    async def cancel_position_tpsl(self, route: Route, order_id: str, plan_type: str) -> None:
        """Position TP/SL are strategy orders (3.8)."""
        await self._trade.cancel_strategy_order(order_id)

    # -- queries ---------------------------------------------------------------------------------

    async def open_orders(self, product_type: str, symbol: str | None = None) -> list[Any]:
        """``unfilled-orders`` (3.7), cursor pages, as v2 detail rows."""

        async def fetch(cursor: str | None) -> tuple[list[Any], str | None]:
            page = await self._trade.unfilled_orders(
                product_type, symbol=symbol, limit=_PAGE, cursor=cursor
            )
            return list(page.list) if page is not None else [], _cursor(page)

        return [p3.order(r, self._hedge) for r in await collect_pages(fetch)]

    async def order_history(
        self,
        product_type: str,
        start_ms: int | None,
        symbol: str | None = None,
    ) -> list[Any]:
        """``history-orders`` (3.7) as v2 detail rows."""

        async def fetch(cursor: str | None) -> tuple[list[Any], str | None]:
            page = await self._trade.history_orders(
                product_type,
                symbol=symbol,
                start_time=start_ms or None,
                limit=_PAGE,
                cursor=cursor,
            )
            return list(page.list) if page is not None else [], _cursor(page)

        return [p3.order(r, self._hedge) for r in await collect_pages(fetch)]

    async def fills(
        self,
        product_type: str,
        *,
        order_id: str | None = None,
        symbol: str | None = None,
        start_ms: int | None = None,
    ) -> list[Any]:
        """``fills`` (3.7) as v2 fill rows (the endpoint has no symbol filter: applied here)."""

        async def fetch(cursor: str | None) -> tuple[list[Any], str | None]:
            page = await self._trade.fills(
                product_type,
                order_id=order_id,
                start_time=start_ms or None,
                limit=_PAGE,
                cursor=cursor,
            )
            return list(page.list) if page is not None else [], _cursor(page)

        rows = await collect_pages(fetch, max_pages=50)
        self._rest_fees.learn(rows)
        return [
            p3.fill(r, self._hedge, self._rest_fees)
            for r in rows
            if symbol is None or r.symbol == symbol
        ]

    async def trigger_orders(
        self,
        product_type: str,
        symbol: str | None,
        *,
        history: bool,
        plan_type: str,
        start_ms: int | None,
    ) -> list[Any]:
        """
        Strategy orders (3.8) as v2 plan rows: ``trigger``, or ``tpsl`` for TP/SL plans (one
        row per leg, ``p3.tpsl_orders``).
        """
        kind = "trigger" if plan_type == "normal_plan" else "tpsl"
        if history:
            page = await self._trade.history_strategy_orders(product_type, kind, limit=_PAGE)
            rows = list(page.list) if page is not None else []
        else:
            rows = await self._trade.unfilled_strategy_orders(product_type, kind)
        out = []
        for row in rows:
            if symbol is not None and row.symbol != symbol:
                continue
            if kind == "tpsl":
                out.extend(p3.tpsl_orders(row, self._hedge))
            else:
                out.append(p3.strategy_order(row, self._hedge))
        return out

    async def order_detail(
        self,
        route: Route,
        *,
        order_id: str | None = None,
        client_oid: str | None = None,
    ) -> Any:
        """``order-info`` (3.7) as a v2 detail row."""
        row = await self._trade.order_info(order_id or None, None if order_id else client_oid)
        return p3.order(row, self._hedge) if row is not None else None

    # -- account ---------------------------------------------------------------------------------

    def position_mode_scopes(self, product_types: Sequence[str]) -> tuple[str | None, ...]:
        """The hold mode is account-wide on v3 (3.3)."""
        return (None,)

    async def position_mode(self, scope: str | None, route: Route | None) -> str | None:
        """``holdMode`` of ``account/settings`` (3.1, 3.3)."""
        settings = await self._account.settings()
        return (settings.holdMode or settings.posMode) if settings is not None else None

    async def set_position_mode(self, scope: str | None, mode: str) -> None:
        """``set-hold-mode`` (3.3)."""
        await self._account.set_hold_mode(mode)

    async def set_leverage(self, route: Route, leverage: int) -> list[tuple[str, Exception]]:
        """``set-leverage`` (3.3); v3 has no set-margin-mode: the margin mode is per order."""
        try:
            await self._account.set_leverage(
                route.product_type, route.symbol, leverage, margin_mode=self._margin_mode
            )
        except BitgetRequestError as e:
            return [("set-leverage", e)]
        return []

    async def balances(self, product_types: Sequence[str]) -> list[tuple[Any, Any, str]]:
        """One unified account (3.1): total = equity, free = available."""
        assets = await self._account.assets()
        return [(a.equity, a.available, a.coin) for a in (assets.assets if assets else [])]

    async def positions(self, product_type: str) -> list[Any]:
        """``current-position`` (3.2) as v2 rows (open sides only)."""
        page = await self._account.positions(product_type)
        return p3.open_positions(page.list if page is not None else [], self._hedge)

    async def funding_bills(self, product_type: str, since_ms: int) -> list[Any]:
        """
        Funding rows of ``financial-records`` (bitget-protocol-uta.md 3.1) as v2 bills.

        The ledger's ``type`` filter and enum are unsure in the doc, so every row since a
        watermark is read (cursor pages) and funding is picked by type (``p3.funding_bill``).
        The watermark moves to the newest row (minus a minute; ids dedupe) only after a
        complete read.
        """
        since = max(self._ledger_since.get(product_type, since_ms), since_ms)
        max_pages = 20

        async def fetch(cursor: str | None) -> tuple[list[Any], str | None]:
            page = await self._account.financial_records(
                product_type, start_time=since, limit=_PAGE, cursor=cursor
            )
            return list(page.list) if page is not None else [], _cursor(page)

        rows = await collect_pages(fetch, max_pages=max_pages)
        if len(rows) < max_pages * _PAGE:
            newest = max((int(text(r.ts) or 0) for r in rows), default=0)
            self._ledger_since[product_type] = max(since, newest - 60_000)
        return [bill for bill in map(p3.funding_bill, rows) if bill is not None]

    # -- private stream --------------------------------------------------------------------------

    def private_ws_url(self, url: str) -> str:
        """The v3 private socket (1.1) of the configured v2 URL."""
        return v3_ws_url(url)

    def private_subscriptions(self, product_types: Sequence[str]) -> list[dict[str, str]]:
        """Every private topic once, ``instType`` ``UTA`` (4.6)."""
        return [{"instType": "UTA", "topic": topic} for topic in PRIVATE_TOPICS]

    def route_private(self, raw: bytes, sink: PrivatePushSink) -> None:
        """Decode a v3 private frame once and deliver it, translated, by exact topic."""
        try:
            frame = _FRAME.decode(raw)
        except (msgspec.DecodeError, msgspec.ValidationError) as e:
            sink.on_bad_input("frame", e)
            return
        if frame.event is not None:
            if frame.is_error:
                sink.on_stream_error(frame.code, frame.msg)
            return
        arg = frame.arg
        if arg is None:
            return
        topic = arg.topic
        data = frame.data
        hedge = self._hedge
        try:
            if topic == "order":
                for order_row in _ORDERS.decode(data):
                    if order_row.requestId:
                        # 3.6, 7.12: the push echoing requestId confirms an in-place modify
                        sink.on_modify_echo(order_row.requestId, order_row.qty, order_row.price)
                    sink.on_order_row(p3.ws_order(order_row, hedge))
            elif topic == "fill":
                for fill_row in _FILLS.decode(data):
                    sink.on_fill_row(p3.ws_fill(fill_row, self._ws_fees))
            elif topic == "strategy-order":
                for strategy_row in _STRATEGY.decode(data):
                    sink.on_algo_row(_strategy_push(strategy_row, hedge))
            elif topic == "position":
                # 4.6: no category on position pushes; a closed side arrives with size 0
                positions = [p3.position(row, hedge) for row in _POSITIONS.decode(data)]
                sink.on_positions(None, positions, False)
            elif topic == "account":
                accounts = _ACCOUNTS.decode(data)
                sink.on_balances(
                    [(c.equity, c.available, c.coin) for a in accounts for c in a.coin],
                )
        except (msgspec.DecodeError, msgspec.ValidationError, ArithmeticError, ValueError) as e:
            sink.on_bad_input(topic, e)


def _strategy_push(row: BitgetV3WsStrategyOrder, hedge: bool) -> Any:
    if (row.type or "trigger").lower() == "trigger":
        return p3.strategy_push(row, hedge)
    # A TP/SL leg (4.6: one push per leg): the bracket logic keys on the v2 planType
    return p3.tpsl_push(row, hedge)


def _cursor(page: Any) -> str | None:
    return (text(page.cursor) or None) if page is not None else None
