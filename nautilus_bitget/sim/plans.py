"""
Plan orders of the simulated exchange (bitget-protocol.md 5.11): trigger plans, preset TP/SL plans
attached to filled orders, triggering on mark or last price, and their queries.
"""

from __future__ import annotations

from collections.abc import Mapping
from copy import copy
from typing import Any

from nautilus_bitget.sim.core import ExchangeCore
from nautilus_bitget.sim.errors import ERR_PLAN_NOT_EXIST
from nautilus_bitget.sim.errors import ERR_TPSL_NOT_EXIST
from nautilus_bitget.sim.errors import SimError
from nautilus_bitget.sim.errors import choice
from nautilus_bitget.sim.errors import dec
from nautilus_bitget.sim.errors import opt
from nautilus_bitget.sim.errors import param_error
from nautilus_bitget.sim.errors import req
from nautilus_bitget.sim.events import Order
from nautilus_bitget.sim.events import PlanEvent
from nautilus_bitget.sim.events import PlanOrder
from nautilus_bitget.sim.market import MarketState
from nautilus_bitget.sim.orders import closes_side
from nautilus_bitget.sim.orders import order_body
from nautilus_bitget.sim.orders import require_id
from nautilus_bitget.sim.paging import page
from nautilus_bitget.sim.paging import select
from nautilus_bitget.sim.records import BatchResult
from nautilus_bitget.sim.tpsl import POSITION_TYPES
from nautilus_bitget.sim.tpsl import TPSL_TYPES
from nautilus_bitget.sim.tpsl import TRIGGER_TYPES


def plan_types(plan_type: str) -> tuple[str, ...]:
    """Return the plan types a ``planType`` filter covers (``profit_loss`` = all TP/SL)."""
    return TPSL_TYPES if plan_type == "profit_loss" else (plan_type,)


class PlansMixin(ExchangeCore):
    """Plan order commands, preset TP/SL, triggering and plan queries."""

    def place_plan_order(self, api_key: str, body: Mapping[str, Any]) -> PlanOrder:
        """``POST order/place-plan-order`` (5.11), ``normal_plan`` only."""
        acct = self.account(api_key)
        plan_type = choice(opt(body, "planType") or "normal_plan", ("normal_plan",), "planType")
        symbol, pt, spec, market, margin_mode, side, order_type = self._head(body)
        trigger_type = choice(req(body, "triggerType"), TRIGGER_TYPES, "triggerType")
        trigger_price, _ = self._validate_price(spec, req(body, "triggerPrice"), "triggerPrice")
        pos_mode, trade_side, _, pos_side, reduce_only = self._shape(
            acct, spec, side, opt(body, "tradeSide"), body.get("reduceOnly")
        )
        size, _ = self._validate_size(spec, req(body, "size"), market=order_type == "market")
        price = self._validate_price(spec, req(body, "price"))[0] if order_type == "limit" else None
        client_oid = self._validate_client_oid(api_key, opt(body, "clientOid"), plans=True)
        ref = market.mark_price if trigger_type == "mark_price" else market.last_price
        now = self.now_ms()
        order_id = self._new_id()  # drawn before the TP/SL checks: a rejection still uses an id
        tp = self._optional_price(spec, body, "stopSurplusTriggerPrice")
        sl = self._optional_price(spec, body, "stopLossTriggerPrice")
        plan = PlanOrder(
            order_id=order_id,
            client_oid=client_oid,
            api_key=api_key,
            plan_type=plan_type,
            symbol=symbol,
            product_type=pt,
            margin_coin=spec.margin_coin,
            margin_mode=margin_mode,
            pos_mode=pos_mode,
            side=side,
            trade_side=trade_side,
            pos_side=pos_side,
            order_type=order_type,
            size=size,
            price=price,
            trigger_price=trigger_price,
            trigger_type=trigger_type,
            trigger_above=trigger_price > ref,
            reduce_only=reduce_only and pos_mode == "one_way_mode",
            stop_surplus_trigger_price=tp,
            stop_loss_trigger_price=sl,
            c_time=now,
            u_time=now,
        )
        self._plans[plan.order_id] = plan
        self._emit(PlanEvent(api_key, copy(plan)))
        return plan

    def cancel_plan_order(self, api_key: str, body: Mapping[str, Any]) -> BatchResult:
        """``POST order/cancel-plan-order`` (5.11)."""
        self.account(api_key)
        pt = req(body, "productType").upper()
        symbol = opt(body, "symbol")
        plan_type = opt(body, "planType") or "normal_plan"
        items = body.get("orderIdList")
        now = self.now_ms()
        result = BatchResult([], [])
        live = select(self._plans.values(), api_key=api_key, status="live", product_type=pt)
        if items:
            for item in items:
                oid, coid = opt(item, "orderId"), opt(item, "clientOid")
                plan = next(
                    (
                        p
                        for p in live
                        if p.status == "live"
                        and (
                            (oid is not None and p.order_id == oid)
                            or (oid is None and coid is not None and p.client_oid == coid)
                        )
                    ),
                    None,
                )
                if plan is None:
                    code = ERR_PLAN_NOT_EXIST if plan_type == "normal_plan" else ERR_TPSL_NOT_EXIST
                    result.failure.append(
                        (oid or "", coid or "", code, "The plan order does not exist")
                    )
                    continue
                self._finish_plan(plan, "cancelled", now)
                result.success.append((plan.order_id, plan.client_oid))
            return result
        types = plan_types(plan_type)
        for plan in live:
            if plan.status == "live" and plan.plan_type in types:
                if symbol is None or plan.symbol == symbol:
                    self._finish_plan(plan, "cancelled", now)
                    result.success.append((plan.order_id, plan.client_oid))
        return result

    def modify_plan_order(
        self,
        api_key: str,
        body: Mapping[str, Any],
        plan_types: tuple[str, ...] = ("normal_plan",),
    ) -> PlanOrder:
        """
        ``POST order/modify-plan-order`` (5.11): change a live plan in place (same orderId).

        ``newSize``, ``newPrice`` (limit plans only), ``newTriggerPrice``, ``newTriggerType`` and
        ``newStopSurplusTriggerPrice`` / ``newStopLossTriggerPrice`` (``0`` deletes, as on
        modify-order 5.7); empty keeps. Everything is validated before anything changes. The
        trigger direction is re-derived from the new trigger price against the current reference.
        Unknown / finished plans: 43025 (43020 for TP/SL types, 8.2).
        """
        self.account(api_key)
        pt = req(body, "productType").upper()
        oid, coid = opt(body, "orderId"), opt(body, "clientOid")
        require_id(oid, coid)
        symbol = opt(body, "symbol")
        plan = next(
            (
                p
                for p in self._plans.values()
                if p.api_key == api_key
                and p.status == "live"
                and p.product_type == pt
                and p.plan_type in plan_types
                and (symbol is None or p.symbol == symbol)
                and (p.order_id == oid if oid is not None else p.client_oid == coid)
            ),
            None,
        )
        if plan is None:
            code = ERR_PLAN_NOT_EXIST if "normal_plan" in plan_types else ERR_TPSL_NOT_EXIST
            raise SimError(code, "The plan order does not exist")
        spec = self.contracts[plan.symbol]
        market = self._market(plan.symbol, pt)
        size = plan.size
        if opt(body, "newSize") is not None:
            size = self._validate_size(
                spec, req(body, "newSize"), market=plan.order_type == "market"
            )[0]
        price = plan.price
        if opt(body, "newPrice") is not None:
            if plan.order_type != "limit":
                raise param_error("newPrice")  # a market plan has no execute price
            price = self._validate_price(spec, req(body, "newPrice"), "newPrice")[0]
        trigger_type = choice(
            opt(body, "newTriggerType") or plan.trigger_type, TRIGGER_TYPES, "newTriggerType"
        )
        trigger_price = plan.trigger_price
        if opt(body, "newTriggerPrice") is not None:
            trigger_price = self._validate_price(
                spec, req(body, "newTriggerPrice"), "newTriggerPrice"
            )[0]
        presets = {}
        for key, attr in (
            ("newStopSurplusTriggerPrice", "stop_surplus_trigger_price"),
            ("newStopLossTriggerPrice", "stop_loss_trigger_price"),
        ):
            raw = opt(body, key)
            if raw is not None:
                zero = dec(raw, key) == 0
                presets[attr] = None if zero else self._optional_price(spec, body, key)
        moved = trigger_price != plan.trigger_price or trigger_type != plan.trigger_type
        if moved and plan.plan_type not in TPSL_TYPES:  # TP/SL direction follows the position
            ref = market.mark_price if trigger_type == "mark_price" else market.last_price
            plan.trigger_above = trigger_price > ref
        plan.size = size
        plan.price = price
        plan.trigger_type = trigger_type
        plan.trigger_price = trigger_price
        for attr, value in presets.items():
            setattr(plan, attr, value)
        plan.u_time = self.now_ms()
        self._emit(PlanEvent(api_key, copy(plan)))
        return plan

    def _finish_plan(self, plan: PlanOrder, status: str, now: int, reason: str = "") -> None:
        plan.status = status
        plan.u_time = now
        if status in ("executed", "fail_execute"):
            plan.trigger_time = now
        self._emit(PlanEvent(plan.api_key, copy(plan)))

    def _attach_presets(self, order: Order, now: int) -> None:
        """Create profit_plan / loss_plan for a filled order with preset TP/SL (5.4)."""
        if order.preset_stop_surplus_price is None and order.preset_stop_loss_price is None:
            return
        if order.reduce_only:
            return
        hold = (
            order.pos_side
            if order.pos_side != "net"
            else ("long" if order.direction == "buy" else "short")
        )
        for plan_type, trig in (
            ("profit_plan", order.preset_stop_surplus_price),
            ("loss_plan", order.preset_stop_loss_price),
        ):
            if trig is None:
                continue
            above = (plan_type == "profit_plan") == (hold == "long")
            if order.pos_mode == "hedge_mode":
                side, trade_side = ("buy" if hold == "long" else "sell"), "close"
            else:
                side, trade_side = ("sell" if hold == "long" else "buy"), None
            plan = PlanOrder(
                order_id=self._new_id(),
                client_oid=self._new_id(),
                api_key=order.api_key,
                plan_type=plan_type,
                symbol=order.symbol,
                product_type=order.product_type,
                margin_coin=order.margin_coin,
                margin_mode=order.margin_mode,
                pos_mode=order.pos_mode,
                side=side,
                trade_side=trade_side,
                pos_side=hold if order.pos_mode == "hedge_mode" else "net",
                order_type="market",
                size=order.filled_qty,
                price=None,
                trigger_price=trig,
                trigger_type="fill_price",
                trigger_above=above,
                reduce_only=True,
                parent_order_id=order.order_id,
                c_time=now,
                u_time=now,
            )
            self._plans[plan.order_id] = plan
            self._emit(PlanEvent(order.api_key, copy(plan)))

    def _cancel_position_plans(self, api_key: str, symbol: str, hold_side: str, now: int) -> None:
        for plan in list(self._plans.values()):
            if (
                plan.api_key == api_key
                and plan.symbol == symbol
                and plan.status == "live"
                and plan.plan_type in TPSL_TYPES
                and closes_side(plan.pos_side, plan.side) == hold_side
            ):
                self._finish_plan(plan, "cancelled", now)

    # -- triggering -----------------------------------------------------------------------------
    def _check_plans(self, market: MarketState, now: int) -> None:
        live = [p for p in self._plans.values() if p.status == "live" and p.symbol == market.symbol]
        if not live:
            return
        mark, last = market.mark_price, market.last_price
        for plan in live:
            if plan.status != "live":
                continue  # cancelled by a sibling meanwhile
            ref = mark if plan.trigger_type == "mark_price" else last
            if plan.plan_type == "moving_plan":
                hit = self._trail_hit(plan, ref)
            else:
                hit = ref >= plan.trigger_price if plan.trigger_above else ref <= plan.trigger_price
            if hit:
                self._trigger(plan, now)

    def _trigger(self, plan: PlanOrder, now: int) -> None:
        acct = self.accounts[plan.api_key]
        spec = self.contracts[plan.symbol]
        size = plan.size
        if plan.plan_type in TPSL_TYPES:
            hold = closes_side(plan.pos_side, plan.side)
            pos, avail = self._closable(plan.api_key, plan.symbol, hold)
            # a position TP/SL closes whatever the position holds when it fires (5.11)
            size = avail if plan.plan_type in POSITION_TYPES else min(size, avail)
            if pos is None or size <= 0:
                self._finish_plan(plan, "fail_execute", now, "no position")
                return
        params = order_body(
            plan,
            spec.fmt_size(size),
            plan.side,
            plan.order_type,
            plan.trade_side,
            plan.reduce_only and plan.pos_mode == "one_way_mode",
        )
        for key, value in (
            ("price", plan.price),
            ("presetStopSurplusPrice", plan.stop_surplus_trigger_price),
            ("presetStopLossPrice", plan.stop_loss_trigger_price),
        ):
            if value is not None:
                params[key] = spec.fmt_price(value)
        plan.status = "executing"  # guard against re-entry while the order matches
        try:
            order = self._place(acct, params, source=plan.plan_type, closing=True)
        except SimError as e:
            self._finish_plan(plan, "fail_execute", now, f"{e.code}: {e.msg}")
            return
        plan.execute_order_id = order.order_id
        self._finish_plan(plan, "executed", now)
        if plan.parent_order_id:
            for sib in list(self._plans.values()):
                if (
                    sib is not plan
                    and sib.parent_order_id == plan.parent_order_id
                    and sib.status == "live"
                ):
                    self._finish_plan(sib, "cancelled", now)

    # -- queries --------------------------------------------------------------------------------
    def _plans_of(
        self, api_key: str, pt: str, plan_type: str, symbol: str | None
    ) -> list[PlanOrder]:
        types = plan_types(plan_type)
        rows = select(self._plans.values(), api_key=api_key, product_type=pt.upper(), symbol=symbol)
        return [p for p in rows if p.plan_type in types]

    def plan_orders(
        self,
        api_key: str,
        product_type: str,
        plan_type: str = "normal_plan",
        *,
        symbol: str | None = None,
        order_id: str | None = None,
        client_oid: str | None = None,
        id_less_than: str | None = None,
        limit: int = 100,
    ) -> list[PlanOrder]:
        """``GET orders-plan-pending``; ``plan_type`` ``profit_loss`` = all TP/SL types."""
        self.account(api_key)
        rows = select(
            self._plans_of(api_key, product_type, plan_type, symbol),
            status="live",
            order_id=order_id,
            client_oid=client_oid,
        )
        return page(rows, "order_id", id_less_than, None, None, limit)

    def plan_history(
        self,
        api_key: str,
        product_type: str,
        plan_type: str = "normal_plan",
        *,
        symbol: str | None = None,
        plan_status: str | None = None,
        id_less_than: str | None = None,
        limit: int = 100,
    ) -> list[PlanOrder]:
        """``GET orders-plan-history``: executed / fail_execute / cancelled plans."""
        self.account(api_key)
        rows = [
            p
            for p in self._plans_of(api_key, product_type, plan_type, symbol)
            if p.status in ("executed", "fail_execute", "cancelled")
            and (plan_status is None or p.status == plan_status)
        ]
        return page(rows, "order_id", id_less_than, None, None, limit)
