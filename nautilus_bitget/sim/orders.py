"""Order commands of the simulated exchange (bitget-protocol.md 5.4-5.8): place, modify, cancel."""

from __future__ import annotations

import re
from collections.abc import Mapping
from copy import copy
from decimal import Decimal
from itertools import chain
from typing import Any

from nautilus_bitget.sim.accounts import MARGIN_MODES
from nautilus_bitget.sim.contracts import ContractSpec
from nautilus_bitget.sim.core import ExchangeCore
from nautilus_bitget.sim.errors import ERR_BATCH_CANCEL_TOO_MANY
from nautilus_bitget.sim.errors import ERR_BATCH_TOO_MANY
from nautilus_bitget.sim.errors import ERR_CLIENT_OID_INVALID
from nautilus_bitget.sim.errors import ERR_CLIENT_OID_TOO_LONG
from nautilus_bitget.sim.errors import ERR_DUPLICATE_CLIENT_OID
from nautilus_bitget.sim.errors import ERR_ID_REQUIRED
from nautilus_bitget.sim.errors import ERR_INSUFFICIENT
from nautilus_bitget.sim.errors import ERR_MAX_QTY
from nautilus_bitget.sim.errors import ERR_MIN_NOTIONAL
from nautilus_bitget.sim.errors import ERR_MIN_QTY
from nautilus_bitget.sim.errors import ERR_MODE_MISMATCH
from nautilus_bitget.sim.errors import ERR_MODIFY_PAIR
from nautilus_bitget.sim.errors import ERR_NO_POSITION
from nautilus_bitget.sim.errors import ERR_ORDER_NOT_EXIST
from nautilus_bitget.sim.errors import ERR_PARAM_EMPTY
from nautilus_bitget.sim.errors import ERR_PARAM_ERROR
from nautilus_bitget.sim.errors import ERR_POSITION_NOT_ENOUGH
from nautilus_bitget.sim.errors import ERR_PRECISION
from nautilus_bitget.sim.errors import ERR_PRICE_TICK
from nautilus_bitget.sim.errors import ERR_SL_PRICE
from nautilus_bitget.sim.errors import ERR_TP_PRICE
from nautilus_bitget.sim.errors import SimError
from nautilus_bitget.sim.errors import choice
from nautilus_bitget.sim.errors import dec
from nautilus_bitget.sim.errors import opt
from nautilus_bitget.sim.errors import param_error
from nautilus_bitget.sim.errors import req
from nautilus_bitget.sim.errors import yes
from nautilus_bitget.sim.events import AccountChanged
from nautilus_bitget.sim.events import Order
from nautilus_bitget.sim.events import OrderEvent
from nautilus_bitget.sim.events import PlanOrder
from nautilus_bitget.sim.events import Position
from nautilus_bitget.sim.money import fee_for
from nautilus_bitget.sim.money import margin_for
from nautilus_bitget.sim.records import BatchResult
from nautilus_bitget.sim.records import OrderHead
from nautilus_bitget.sim.records import SimAccount


CLIENT_OID_RE = re.compile(r"^[0-9A-Za-z_:#\-+ ]+$")  # bitget-protocol.md 9.2
CLIENT_OID_MAX = 50
BATCH_PLACE_MAX = 20  # bitget-protocol.md 5.6: 40306 "up to 20"
BATCH_CANCEL_MAX = 50  # bitget-protocol.md 5.8: 40912
ORDER_TYPES = ("limit", "market")
FORCES = ("gtc", "ioc", "fok", "post_only")
MODE_MISMATCH_MSG = (
    "The order type for unilateral position must also be the unilateral position type"
)


def order_body(
    src: Order | PlanOrder | Position,
    size: str,
    side: str,
    order_type: str,
    trade_side: str | None,
    reduce_only: bool,
) -> dict[str, Any]:
    """Return a place-order body for a system order on ``src``'s symbol and margin."""
    body: dict[str, Any] = {
        "symbol": src.symbol,
        "productType": src.product_type,
        "marginMode": src.margin_mode,
        "marginCoin": src.margin_coin,
        "size": size,
        "side": side,
        "orderType": order_type,
    }
    if trade_side is not None:
        body["tradeSide"] = trade_side
    if reduce_only:
        body["reduceOnly"] = "YES"
    return body


def require_id(order_id: str | None, client_oid: str | None) -> None:
    """Raise 40924 unless ``orderId`` or ``clientOid`` is given."""
    if order_id is None and client_oid is None:
        raise SimError(ERR_ID_REQUIRED, "orderId and clientOid must have one")


def not_found() -> SimError:
    """Return the 40768 ``Order does not exist`` rejection."""
    return SimError(ERR_ORDER_NOT_EXIST, "Order does not exist")


class OrdersMixin(ExchangeCore):
    """Validation and the order commands; matching is :class:`.matching.MatchingMixin`."""

    def place_order(self, api_key: str, body: Mapping[str, Any]) -> Order:
        """``POST order/place-order`` (bitget-protocol.md 5.4/5.5); returns the order after
        matching."""
        return self._place(self.account(api_key), body)

    # -- validation -----------------------------------------------------------------------------
    def _validate_client_oid(self, api_key: str, oid: str | None, *, plans: bool = False) -> str:
        if oid is None:
            return self._new_id()
        if len(oid) > CLIENT_OID_MAX:
            raise SimError(ERR_CLIENT_OID_TOO_LONG, "clientOid is too long")
        if not CLIENT_OID_RE.match(oid):
            raise SimError(ERR_CLIENT_OID_INVALID, "clientOid contains invalid characters")
        pool = (
            (p for p in self._plans.values() if p.status == "live")
            if plans
            else self._open.values()
        )
        if any(o.api_key == api_key and o.client_oid == oid for o in pool):
            raise SimError(ERR_DUPLICATE_CLIENT_OID, "Duplicate clientOid")
        return oid

    def _validate_size(
        self,
        spec: ContractSpec,
        raw: str,
        *,
        market: bool,
        closing: bool = False,
    ) -> tuple[Decimal, int]:
        size = dec(raw, "size")
        if size <= 0:
            raise param_error("size")
        lots = spec.to_lots(size)
        if lots is None:
            raise SimError(
                ERR_PRECISION,
                f"Parameter verification exception size checkBDScale error value={raw} "
                f"checkScale={spec.volume_place}",
            )
        if size < spec.min_trade_num and not closing:
            raise SimError(ERR_MIN_QTY, f"The order quantity is less than {spec.min_trade_num}")
        if size > (spec.max_market_order_qty if market else spec.max_order_qty):
            raise SimError(ERR_MAX_QTY, "The order quantity exceeds the maximum")
        return size, lots

    def _validate_price(
        self, spec: ContractSpec, raw: str, key: str = "price"
    ) -> tuple[Decimal, int]:
        price = dec(raw, key)
        if price <= 0:
            raise param_error(key)
        ticks = spec.to_ticks(price)
        if ticks is None:
            raise SimError(
                ERR_PRICE_TICK, f"The price you enter should be a multiple of {spec.tick}"
            )
        return price, ticks

    def _optional_price(self, spec: ContractSpec, body: Mapping[str, Any], key: str) -> Any:
        raw = opt(body, key)
        return self._validate_price(spec, raw, key)[0] if raw else None

    def _head(self, body: Mapping[str, Any]) -> OrderHead:
        symbol = req(body, "symbol")
        pt = req(body, "productType").upper()
        spec = self.contract(symbol, pt)
        market = self._market(symbol, pt)
        margin_mode = choice(req(body, "marginMode"), MARGIN_MODES, "marginMode")
        if req(body, "marginCoin").upper() != spec.margin_coin:
            raise param_error("marginCoin")
        side = choice(req(body, "side").lower(), ("buy", "sell"), "side")
        order_type = choice(req(body, "orderType").lower(), ORDER_TYPES, "orderType")
        return OrderHead(symbol, pt, spec, market, margin_mode, side, order_type)

    def _shape(
        self,
        acct: SimAccount,
        spec: ContractSpec,
        side: str,
        trade_side: str | None,
        reduce_only_raw: Any,
    ) -> tuple[str, str | None, str, str, bool]:
        """Return (posMode, tradeSide, direction, posSide, reduceOnly) per bitget-protocol.md
        5.5/9.3."""
        pos_mode = acct.get_pos_mode(spec.product_type)
        if pos_mode == "hedge_mode":
            if trade_side is None:
                raise SimError(ERR_MODE_MISMATCH, MODE_MISMATCH_MSG)
            trade_side = choice(trade_side.lower(), ("open", "close"), "tradeSide")
            pos_side = "long" if side == "buy" else "short"
            if trade_side == "close":
                direction = "sell" if side == "buy" else "buy"
            else:
                direction = side
            return pos_mode, trade_side, direction, pos_side, trade_side == "close"
        if trade_side is not None:
            raise SimError(ERR_MODE_MISMATCH, MODE_MISMATCH_MSG)
        return pos_mode, None, side, "net", yes(reduce_only_raw) if reduce_only_raw else False

    # -- placement ------------------------------------------------------------------------------
    def _place(
        self,
        acct: SimAccount,
        body: Mapping[str, Any],
        *,
        source: str = "normal",
        closing: bool = False,
    ) -> Order:
        # closing=True: system orders (close-positions, TP/SL, triggers) skip minimum checks
        api_key = acct.api_key
        symbol, pt, spec, market, margin_mode, side, order_type = self._head(body)
        force = choice((opt(body, "force") or "gtc").lower(), FORCES, "force")
        pos_mode, trade_side, direction, pos_side, reduce_only = self._shape(
            acct, spec, side, opt(body, "tradeSide"), body.get("reduceOnly")
        )
        is_market = order_type == "market"
        size, lots = self._validate_size(spec, req(body, "size"), market=is_market, closing=closing)
        price: Decimal | None = None
        limit_ticks: int | None = None
        if not is_market:
            price, limit_ticks = self._validate_price(spec, req(body, "price"))
        else:
            force = "ioc" if force in ("gtc", "post_only") else force
        client_oid = self._validate_client_oid(api_key, opt(body, "clientOid"))
        if price is None:  # market order: priced at the touch (or the last trade)
            ref = market.best_ask if direction == "buy" else market.best_bid
            ref_price = spec.ticks_to_price(ref if ref is not None else market.last_ticks)
        else:
            ref_price = price
        # bitget-protocol.md 9.1: minTradeUSDT applies to USDT-quoted contracts
        usdt = spec.product_type == "USDT-FUTURES"
        if usdt and not closing and size * ref_price < spec.min_trade_usdt:
            raise SimError(
                ERR_MIN_NOTIONAL, f"less than the minimum amount {spec.min_trade_usdt} USDT"
            )
        tp_price = self._optional_price(spec, body, "presetStopSurplusPrice")
        sl_price = self._optional_price(spec, body, "presetStopLossPrice")
        long_entry = direction == "buy"
        if tp_price is not None and (
            tp_price <= ref_price if long_entry else tp_price >= ref_price
        ):
            raise SimError(ERR_TP_PRICE, "The take profit price is on the wrong side")
        if sl_price is not None and (
            sl_price >= ref_price if long_entry else sl_price <= ref_price
        ):
            raise SimError(ERR_SL_PRICE, "The stop loss price is on the wrong side")
        leverage = self._leverage(acct, symbol, pos_side, direction)
        frozen_margin = Decimal(0)
        if reduce_only:
            hold = closes_side(pos_side, direction)
            pos, avail = self._closable(api_key, symbol, hold)
            if pos is None:
                raise SimError(ERR_NO_POSITION, "No position to close")
            if size > avail:
                raise SimError(ERR_POSITION_NOT_ENOUGH, "Not enough position is available")
        else:
            open_size = size
            if pos_mode == "one_way_mode":
                opposite = self._positions.get(
                    (api_key, symbol, "short" if direction == "buy" else "long")
                )
                if opposite is not None:
                    open_size = max(Decimal(0), size - opposite.total)
            if open_size > 0:
                frozen_margin = margin_for(spec, open_size, ref_price, leverage)
                fee = fee_for(spec, open_size, ref_price, spec.taker_fee_rate)
                if frozen_margin + fee > self.account_view(api_key, spec.margin_coin).available:
                    raise SimError(ERR_INSUFFICIENT, "The order amount exceeds the balance")
        now = self.now_ms()
        order = Order(
            order_id=self._new_id(),
            client_oid=client_oid,
            api_key=api_key,
            symbol=symbol,
            product_type=pt,
            margin_coin=spec.margin_coin,
            margin_mode=margin_mode,
            pos_mode=pos_mode,
            side=side,
            trade_side=trade_side,
            direction=direction,
            pos_side=pos_side,
            order_type=order_type,
            force=force,
            size=size,
            price=price,
            reduce_only=reduce_only,
            leverage=leverage,
            preset_stop_surplus_price=tp_price,
            preset_stop_loss_price=sl_price,
            order_source=source if source != "normal" or not is_market else "market",
            c_time=now,
            u_time=now,
            frozen_margin=frozen_margin,
        )
        self._orders[order.order_id] = order
        self._open[order.order_id] = order
        self._order_seq += 1
        self._order_rank[order.order_id] = self._order_seq
        self._emit(OrderEvent(api_key, copy(order)))
        self._emit(AccountChanged(api_key, pt, spec.margin_coin))
        self._match_new(order, market, lots, limit_ticks, now)
        return order

    def batch_place_orders(self, api_key: str, body: Mapping[str, Any]) -> BatchResult:
        """``POST order/batch-place-order`` (5.6): per-item success / failure."""
        acct = self.account(api_key)
        items = body.get("orderList")
        if not items:
            raise SimError(ERR_PARAM_EMPTY, "Parameter orderList cannot be empty")
        if len(items) > BATCH_PLACE_MAX:
            raise SimError(ERR_BATCH_TOO_MANY, "Batch processing orders can only process up to 20")
        top = {k: v for k, v in body.items() if k != "orderList"}
        result = BatchResult([], [])
        for item in items:
            try:
                order = self._place(acct, {**top, **item})
            except SimError as e:
                result.failure.append(("", str(item.get("clientOid") or ""), e.code, e.msg))
            else:
                result.success.append((order.order_id, order.client_oid))
        return result

    # -- lookup, modify, cancel -----------------------------------------------------------------
    def _find(
        self, api_key: str, symbol: str | None, order_id: str | None, client_oid: str | None
    ) -> Order | None:
        if order_id is not None:
            o = self._orders.get(order_id)
            if o is not None and o.api_key == api_key and (symbol is None or o.symbol == symbol):
                return o
            return None
        if client_oid is None:
            return None
        # open orders first (clientOid is unique among them), then newest history
        return next(
            (
                o
                for o in chain(self._open.values(), reversed(self._orders.values()))
                if o.api_key == api_key
                and o.client_oid == client_oid
                and (symbol is None or o.symbol == symbol)
            ),
            None,
        )

    def _target(self, body: Mapping[str, Any]) -> tuple[str, str | None, str | None]:
        """Validate ``symbol`` / ``productType`` / ids of a modify or cancel body."""
        symbol = req(body, "symbol")
        self.contract(symbol, req(body, "productType"))
        order_id, client_oid = opt(body, "orderId"), opt(body, "clientOid")
        require_id(order_id, client_oid)
        return symbol, order_id, client_oid

    def _open_order(
        self, api_key: str, symbol: str, order_id: str | None, client_oid: str | None
    ) -> Order:
        order = self._find(api_key, symbol, order_id, client_oid)
        if order is None or not order.is_open:
            raise not_found()
        return order

    def modify_order(self, api_key: str, body: Mapping[str, Any]) -> dict[str, Any]:
        """
        ``POST order/modify-order`` (5.7): cancel + new order with a new orderId.

        Returns ``{"orderId": None, "clientOid": newClientOid}`` like Bitget (the new order is
        announced by events). TP/SL-only changes keep the order.
        """
        acct = self.account(api_key)
        symbol, order_id, client_oid = self._target(body)
        new_oid = req(body, "newClientOid")
        new_size, new_price = opt(body, "newSize"), opt(body, "newPrice")
        if (new_size is None) != (new_price is None):
            raise SimError(ERR_MODIFY_PAIR, "price and size must be passed together")
        order = self._open_order(api_key, symbol, order_id, client_oid)
        if order.order_type != "limit" or order.status != "live":
            raise SimError(ERR_PARAM_ERROR, "Only live limit orders can be modified")
        spec = self.contracts[symbol]
        tp = body.get("newPresetStopSurplusPrice")
        sl = body.get("newPresetStopLossPrice")
        if new_size is None or new_price is None:  # both or neither (40925 above)
            if tp not in (None, ""):
                value = dec(tp, "newPresetStopSurplusPrice")
                order.preset_stop_surplus_price = None if value == 0 else value
            if sl not in (None, ""):
                value = dec(sl, "newPresetStopLossPrice")
                order.preset_stop_loss_price = None if value == 0 else value
            return {"orderId": order.order_id, "clientOid": order.client_oid}
        if new_oid != order.client_oid:
            self._validate_client_oid(api_key, new_oid)
        self._validate_size(spec, new_size, market=False)
        self._validate_price(spec, new_price)
        params = order_body(
            order,
            new_size,
            order.side,
            "limit",
            order.trade_side,
            order.reduce_only and order.pos_mode == "one_way_mode",
        )
        params.update(price=new_price, force=order.force, clientOid=new_oid)
        for key, cur, new in (
            ("presetStopSurplusPrice", order.preset_stop_surplus_price, tp),
            ("presetStopLossPrice", order.preset_stop_loss_price, sl),
        ):
            if new not in (None, ""):
                if Decimal(str(new)) != 0:
                    params[key] = str(new)
            elif cur is not None:
                params[key] = str(cur)
        self._cancel(order, self.now_ms())
        self._place(acct, params)
        return {"orderId": None, "clientOid": new_oid}

    def cancel_order(self, api_key: str, body: Mapping[str, Any]) -> Order:
        """``POST order/cancel-order`` (5.8); 40768 when not found / not open."""
        self.account(api_key)
        order = self._open_order(api_key, *self._target(body))
        self._cancel(order, self.now_ms())
        return order

    def batch_cancel_orders(self, api_key: str, body: Mapping[str, Any]) -> BatchResult:
        """``POST order/batch-cancel-orders`` (5.8); without ``orderIdList`` cancels the symbol."""
        self.account(api_key)
        pt = req(body, "productType").upper()
        items = body.get("orderIdList")
        symbol = opt(body, "symbol")
        if items:
            if len(items) > BATCH_CANCEL_MAX:
                raise SimError(ERR_BATCH_CANCEL_TOO_MANY, "single cancel cannot exceed 50")
            if symbol is None:
                raise SimError(ERR_PARAM_EMPTY, "Parameter symbol cannot be empty")
            self.contract(symbol, pt)
            result = BatchResult([], [])
            now = self.now_ms()
            for item in items:
                oid, coid = opt(item, "orderId"), opt(item, "clientOid")
                order = self._find(api_key, symbol, oid, coid) if (oid or coid) else None
                if order is None or not order.is_open:
                    result.failure.append(
                        (oid or "", coid or "", ERR_ORDER_NOT_EXIST, "Order does not exist")
                    )
                    continue
                self._cancel(order, now)
                result.success.append((order.order_id, order.client_oid))
            return result
        if symbol is not None:
            self.contract(symbol, pt)
        return self._cancel_where(api_key, pt, symbol, opt(body, "marginCoin"))

    def cancel_all_orders(self, api_key: str, body: Mapping[str, Any]) -> BatchResult:
        """``POST order/cancel-all-orders`` (5.8) by productType (optional marginCoin/symbol)."""
        self.account(api_key)
        pt = req(body, "productType").upper()
        return self._cancel_where(api_key, pt, opt(body, "symbol"), opt(body, "marginCoin"))

    def _cancel_where(
        self, api_key: str, pt: str, symbol: str | None, coin: str | None
    ) -> BatchResult:
        now = self.now_ms()
        success = []
        for o in list(self._open.values()):
            if o.api_key != api_key or o.product_type != pt:
                continue
            if (symbol is not None and o.symbol != symbol) or (
                coin is not None and o.margin_coin != coin.upper()
            ):
                continue
            self._cancel(o, now)
            success.append((o.order_id, o.client_oid))
        return BatchResult(success, [])

    def _cancel(self, order: Order, now: int, reason: str = "normal_cancel") -> None:
        if not order.is_open:
            return
        order.status = "canceled"
        order.cancel_reason = reason
        order.u_time = now
        order.frozen_margin = Decimal(0)
        self._unlist(order)
        self._emit(OrderEvent(order.api_key, copy(order)))
        self._emit(AccountChanged(order.api_key, order.product_type, order.margin_coin))
        if order.filled_qty > 0:
            self._attach_presets(order, now)

    def _unlist(self, order: Order) -> None:
        """Remove a finished order from the open set and the user book."""
        self._open.pop(order.order_id, None)
        book = self._resting.get(order.symbol)
        if book and order in book:
            book.remove(order)


def closes_side(pos_side: str, direction: str) -> str:
    """Return the holdSide a reducing order (or TP/SL plan) with ``pos_side`` closes."""
    if pos_side in ("long", "short"):
        return pos_side
    return "long" if direction == "sell" else "short"
