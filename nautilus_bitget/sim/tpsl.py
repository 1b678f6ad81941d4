"""
Stand-alone position TP/SL plans of the simulated exchange (bitget-protocol.md 5.11):
``place-tpsl-order`` (``profit_plan`` / ``loss_plan`` partial, ``pos_profit`` / ``pos_loss`` on the
whole position, ``moving_plan`` trailing), ``place-pos-tpsl`` (both legs at once) and
``modify-tpsl-order``. They live in the engine's plan book beside trigger plans and preset TP/SL:
listed by ``orders-plan-pending?planType=profit_loss``, pushed on ``orders-algo``, triggered on mark
or last price by :meth:`PlansMixin._check_plans`, cancelled when their position closes.

Rules of the pages (Place-Tpsl-Order, Place-Pos-Tpsl-Order, Modify-Tpsl-Order):

- ``holdSide`` names the position: ``long``/``short`` in hedge mode, ``buy`` (long) / ``sell``
  (short) in one-way mode. The plan closes that position.
- ``executePrice`` empty or ``0`` executes at market; above 0 a limit order at that price.
- ``size`` is required (> 0) for ``profit_plan``, ``loss_plan`` and ``moving_plan``; a ``pos_*``
  plan closes whatever the position holds when it fires.
- ``rangeRate`` (``moving_plan`` only) is the callback in percent, as ``callbackRatio`` of trailing
  plans (the page does not give the unit **[unsure]**): the plan arms when the reference reaches
  ``triggerPrice`` and fires when it retraces ``rangeRate`` % from the best price since then.
- ``triggerType`` is optional; the simulator defaults to ``fill_price`` (last price) **[unsure]**.
- A position has at most one ``pos_profit`` and one ``pos_loss``: a new one replaces the old
  **[likely]** (the web UI's position TP/SL is one setting per position).
- TP must trigger on the profitable side of the current reference price and SL on the losing side
  (``40829`` / ``40830``, 8.2); without a position the request fails with ``22002``.
"""

from __future__ import annotations

from collections.abc import Mapping
from copy import copy
from decimal import Decimal
from typing import Any
from typing import Final

from nautilus_bitget.sim.core import ExchangeCore
from nautilus_bitget.sim.errors import ERR_NO_POSITION
from nautilus_bitget.sim.errors import ERR_SL_PRICE
from nautilus_bitget.sim.errors import ERR_TP_PRICE
from nautilus_bitget.sim.errors import ERR_TPSL_NOT_EXIST
from nautilus_bitget.sim.errors import SimError
from nautilus_bitget.sim.errors import choice
from nautilus_bitget.sim.errors import dec
from nautilus_bitget.sim.errors import opt
from nautilus_bitget.sim.errors import param_error
from nautilus_bitget.sim.errors import req
from nautilus_bitget.sim.events import PlanEvent
from nautilus_bitget.sim.events import PlanOrder
from nautilus_bitget.sim.market import MarketState


TRIGGER_TYPES: Final[tuple[str, ...]] = ("mark_price", "fill_price")
# Every TP/SL plan type (``planType=profit_loss`` lists them all, 5.11)
TPSL_TYPES: Final[tuple[str, ...]] = (
    "profit_plan",
    "loss_plan",
    "pos_profit",
    "pos_loss",
    "moving_plan",
)
POSITION_TYPES: Final[tuple[str, ...]] = ("pos_profit", "pos_loss")
_PROFIT_TYPES: Final[tuple[str, ...]] = ("profit_plan", "pos_profit")
MAX_RANGE_RATE: Final[Decimal] = Decimal(10)  # as callbackRatio (5.11): at most 10 %


def hold_of(raw: str) -> str:
    """Return the position (``long``/``short``) a ``holdSide`` names (5.11)."""
    value = raw.lower()
    if value in ("long", "buy"):
        return "long"
    if value in ("short", "sell"):
        return "short"
    raise param_error("holdSide")


class TpslMixin(ExchangeCore):
    """``place-tpsl-order``, ``place-pos-tpsl`` and ``modify-tpsl-order`` (5.11)."""

    # -- commands -------------------------------------------------------------------------------
    def place_tpsl_order(
        self, api_key: str, body: Mapping[str, Any], *, strategy: PlanOrder | None = None
    ) -> PlanOrder:
        """
        ``POST order/place-tpsl-order`` (5.11): one TP/SL plan on a position. ``strategy``
        (v3 ``tpsl``, bitget-protocol-uta.md 3.8) makes the plan the second leg of that plan's
        strategy: same ids, and one leg firing cancels the other.
        """
        self.account(api_key)
        plan_type = choice(req(body, "planType"), TPSL_TYPES, "planType")
        market, hold = self._tpsl_target(body)
        return self._new_tpsl(
            api_key,
            market,
            hold,
            plan_type,
            trigger_raw=req(body, "triggerPrice"),
            trigger_type_raw=opt(body, "triggerType"),
            execute_raw=opt(body, "executePrice"),
            size_raw=opt(body, "size"),
            range_raw=opt(body, "rangeRate"),
            client_oid=opt(body, "clientOid"),
            strategy=strategy,
        )

    def place_pos_tpsl(self, api_key: str, body: Mapping[str, Any]) -> list[PlanOrder]:
        """
        ``POST order/place-pos-tpsl`` (5.11): the take-profit and stop-loss legs of a position
        in one call. A leg with ``stopSurplusSize`` / ``stopLossSize`` is a partial
        ``profit_plan`` / ``loss_plan``, without it a ``pos_profit`` / ``pos_loss``. Both legs
        are validated before either is placed.
        """
        self.account(api_key)
        market, hold = self._tpsl_target(body)
        legs = []
        for prefix, partial, whole in (
            ("stopSurplus", "profit_plan", "pos_profit"),
            ("stopLoss", "loss_plan", "pos_loss"),
        ):
            trigger = opt(body, f"{prefix}TriggerPrice")
            if trigger is None:
                continue
            size = opt(body, f"{prefix}Size")
            legs.append((partial if size else whole, trigger, prefix, size))
        if not legs:
            raise SimError("40019", "Parameter stopSurplusTriggerPrice cannot be empty")
        for plan_type, trigger, prefix, size in legs:  # validate every leg first
            self._tpsl_fields(
                market,
                hold,
                plan_type,
                trigger,
                opt(body, f"{prefix}TriggerType"),
                opt(body, f"{prefix}ExecutePrice"),
                size,
                None,
            )
        return [
            self._new_tpsl(
                api_key,
                market,
                hold,
                plan_type,
                trigger_raw=trigger,
                trigger_type_raw=opt(body, f"{prefix}TriggerType"),
                execute_raw=opt(body, f"{prefix}ExecutePrice"),
                size_raw=size,
                range_raw=None,
                client_oid=None,
                strategy=None,
            )
            for plan_type, trigger, prefix, size in legs
        ]

    def modify_tpsl_order(self, api_key: str, body: Mapping[str, Any]) -> PlanOrder:
        """
        ``POST order/modify-tpsl-order`` (5.11): new ``triggerPrice`` (required),
        ``triggerType``, ``executePrice`` (0 = market), ``size`` (``""`` for ``pos_*``) and
        ``rangeRate`` of a live TP/SL plan, in place (same orderId); 43020 when not found.
        """
        self.account(api_key)
        pt = req(body, "productType").upper()
        oid, coid = opt(body, "orderId"), opt(body, "clientOid")
        if oid is None and coid is None:
            raise SimError("40924", "orderId and clientOid must have one")
        symbol = opt(body, "symbol")
        plan = next(
            (
                p
                for p in self._plans.values()
                if p.api_key == api_key
                and p.status == "live"
                and p.product_type == pt
                and p.plan_type in TPSL_TYPES
                and (symbol is None or p.symbol == symbol.upper())
                and (p.order_id == oid if oid is not None else p.client_oid == coid)
            ),
            None,
        )
        if plan is None:
            raise SimError(ERR_TPSL_NOT_EXIST, "The plan order does not exist")
        market = self._market(plan.symbol, pt)
        hold = self._plan_hold(plan)
        size_raw = opt(body, "size")
        if plan.plan_type in POSITION_TYPES:
            size_raw = None  # the page: "size": "" for position TP/SL
        elif size_raw is None:
            size_raw = market.contract.fmt_size(plan.size)
        range_raw = opt(body, "rangeRate")
        if range_raw is None and plan.callback_ratio is not None:
            range_raw = f"{plan.callback_ratio:f}"
        fields = self._tpsl_fields(
            market,
            hold,
            plan.plan_type,
            req(body, "triggerPrice"),
            opt(body, "triggerType") or plan.trigger_type,
            opt(body, "executePrice"),
            size_raw,
            range_raw,
        )
        plan.trigger_price, plan.trigger_type, plan.price, size, plan.callback_ratio = fields
        plan.order_type = "market" if plan.price is None else "limit"
        if size is not None:
            plan.size = size
        plan.track_extreme = None
        plan.u_time = self.now_ms()
        self._emit(PlanEvent(api_key, copy(plan)))
        return plan

    # -- helpers --------------------------------------------------------------------------------
    def _tpsl_target(self, body: Mapping[str, Any]) -> tuple[MarketState, str]:
        """Return the market and the position (``long``/``short``) a TP/SL request names."""
        symbol = req(body, "symbol").upper()
        pt = req(body, "productType").upper()
        spec = self.contract(symbol, pt)
        market = self._market(symbol, pt)
        coin = opt(body, "marginCoin")
        if coin is None:
            raise SimError("40019", "Parameter marginCoin cannot be empty")
        if coin.upper() != spec.margin_coin:
            raise param_error("marginCoin")
        return market, hold_of(req(body, "holdSide"))

    def _tpsl_fields(
        self,
        market: MarketState,
        hold: str,
        plan_type: str,
        trigger_raw: str,
        trigger_type_raw: str | None,
        execute_raw: str | None,
        size_raw: str | None,
        range_raw: str | None,
    ) -> tuple[Decimal, str, Decimal | None, Decimal | None, Decimal | None]:
        """Validate one TP/SL plan; return (trigger, triggerType, limit price, size, rate)."""
        spec = market.contract
        trigger_type = choice(trigger_type_raw or "fill_price", TRIGGER_TYPES, "triggerType")
        trigger, _ = self._validate_price(spec, trigger_raw, "triggerPrice")
        price = None
        if execute_raw is not None and dec(execute_raw, "executePrice") != 0:
            if plan_type == "moving_plan":
                raise param_error("executePrice")  # trailing TP/SL executes at market (5.11)
            price, _ = self._validate_price(spec, execute_raw, "executePrice")
        size = None
        if plan_type not in POSITION_TYPES:
            if size_raw is None:
                raise SimError("40019", "Parameter size cannot be empty")
            size, _ = self._validate_size(spec, size_raw, market=price is None, closing=True)
        rate = None
        if plan_type == "moving_plan":
            if range_raw is None:
                raise SimError("40019", "Parameter rangeRate cannot be empty")
            rate = dec(range_raw, "rangeRate")
            if not 0 < rate <= MAX_RANGE_RATE:
                raise param_error("rangeRate")
        elif plan_type in _PROFIT_TYPES or plan_type == "loss_plan" or plan_type == "pos_loss":
            ref = market.mark_price if trigger_type == "mark_price" else market.last_price
            profit = plan_type in _PROFIT_TYPES
            above = profit == (hold == "long")  # a long's TP is above, its SL below
            if (trigger <= ref) if above else (trigger >= ref):
                if profit:
                    raise SimError(ERR_TP_PRICE, "The take profit price is on the wrong side")
                raise SimError(ERR_SL_PRICE, "The stop loss price is on the wrong side")
        return trigger, trigger_type, price, size, rate

    def _new_tpsl(
        self,
        api_key: str,
        market: MarketState,
        hold: str,
        plan_type: str,
        *,
        trigger_raw: str,
        trigger_type_raw: str | None,
        execute_raw: str | None,
        size_raw: str | None,
        range_raw: str | None,
        client_oid: str | None,
        strategy: PlanOrder | None,
    ) -> PlanOrder:
        acct = self.accounts[api_key]
        spec = market.contract
        pos = self._positions.get((api_key, spec.symbol, hold))
        if pos is None or pos.total <= 0:
            raise SimError(ERR_NO_POSITION, "No position to close")
        trigger, trigger_type, price, size, rate = self._tpsl_fields(
            market, hold, plan_type, trigger_raw, trigger_type_raw, execute_raw, size_raw, range_raw
        )
        if strategy is not None:
            oid = strategy.client_oid
        else:
            oid = self._validate_client_oid(api_key, client_oid, plans=True)
        now = self.now_ms()
        if plan_type in POSITION_TYPES:  # one position TP and one position SL per position
            for old in list(self._plans.values()):
                if (
                    old.api_key == api_key
                    and old.symbol == spec.symbol
                    and old.status == "live"
                    and old.plan_type == plan_type
                    and old.pos_side in (hold, "net")
                    and self._plan_hold(old) == hold
                ):
                    self._finish_plan(old, "cancelled", now)
        hedge = acct.get_pos_mode(spec.product_type) == "hedge_mode"
        if hedge:  # 5.5: a hedge close names the position's side with tradeSide close
            side, trade_side = ("buy" if hold == "long" else "sell"), "close"
        else:
            side, trade_side = ("sell" if hold == "long" else "buy"), None
        plan = PlanOrder(
            order_id=self._new_id(),
            client_oid=oid,
            api_key=api_key,
            plan_type=plan_type,
            symbol=spec.symbol,
            product_type=spec.product_type,
            margin_coin=spec.margin_coin,
            margin_mode=pos.margin_mode,
            pos_mode="hedge_mode" if hedge else "one_way_mode",
            side=side,
            trade_side=trade_side,
            pos_side=hold if hedge else "net",
            order_type="market" if price is None else "limit",
            size=size if size is not None else pos.total,
            price=price,
            trigger_price=trigger,
            trigger_type=trigger_type,
            # a long's TP (and a short's SL, and a long's trailing activation) fire upwards
            trigger_above=(plan_type in _PROFIT_TYPES or plan_type == "moving_plan")
            == (hold == "long"),
            reduce_only=True,
            callback_ratio=rate,
            c_time=now,
            u_time=now,
        )
        if strategy is not None:
            strategy.strategy_id = strategy.parent_order_id = strategy.order_id
            plan.strategy_id = plan.parent_order_id = strategy.order_id
        self._plans[plan.order_id] = plan
        self._emit(PlanEvent(api_key, copy(plan)))
        return plan

    @staticmethod
    def _plan_hold(plan: PlanOrder) -> str:
        """Return the position a reducing plan closes."""
        if plan.pos_side in ("long", "short"):
            return plan.pos_side
        return "long" if plan.side == "sell" else "short"

    def _trail_hit(self, plan: PlanOrder, ref: Decimal) -> bool:
        """
        Advance a ``moving_plan`` on the reference price ``ref``: arm it when ``ref`` reaches the
        trigger, then track the best price and report a retrace of ``rangeRate`` % from it.
        """
        rate = (plan.callback_ratio or Decimal(0)) / 100
        if plan.track_extreme is None:
            armed = ref >= plan.trigger_price if plan.trigger_above else ref <= plan.trigger_price
            if not armed:
                return False
            plan.track_extreme = ref
        if plan.trigger_above:  # closing a long: track the high, fire on a drop
            plan.track_extreme = max(plan.track_extreme, ref)
            return ref <= plan.track_extreme * (1 - rate)
        plan.track_extreme = min(plan.track_extreme, ref)
        return ref >= plan.track_extreme * (1 + rate)
