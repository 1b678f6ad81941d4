"""
The private socket ``/v2/ws/private``: login and the account channels (bitget-protocol.md 3.2, 6.2).

Channels ``orders``, ``fill``, ``positions``, ``account`` (selector ``coin``), ``orders-algo``,
``positions-history``, per ``instType``. ``positions`` and ``account`` push the full set on
subscribe and on every change; ``orders`` does not push existing orders on subscribe.
:class:`PrivateWsBase` (login, sockets per key, push delivery under the private faults, and the
``op: "trade"`` order entry of :mod:`.ws_trade`) is shared with the v3 private socket.
"""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

from nautilus_bitget.sim import wire
from nautilus_bitget.sim.auth import AuthError
from nautilus_bitget.sim.auth import SimApiKey
from nautilus_bitget.sim.context import WsContext
from nautilus_bitget.sim.events import AccountChanged
from nautilus_bitget.sim.events import FillEvent
from nautilus_bitget.sim.events import OrderEvent
from nautilus_bitget.sim.events import PlanEvent
from nautilus_bitget.sim.events import PositionClosed
from nautilus_bitget.sim.events import PositionsChanged
from nautilus_bitget.sim.exchange import SimExchange
from nautilus_bitget.sim.ws_public import PRIVATE_CHANNELS
from nautilus_bitget.sim.ws_public import PRODUCT_TYPES
from nautilus_bitget.sim.ws_public import SubKey
from nautilus_bitget.sim.ws_public import WsConn
from nautilus_bitget.sim.ws_public import WsServerBase
from nautilus_bitget.sim.ws_trade import WsTradeOps


class PrivateWsBase(WsServerBase):
    """Login and private-push delivery shared by the v2 and v3 private sockets."""

    kind = "private"
    login_ok_code: int | str = 0  # the ``code`` of the login ack

    def __init__(self, ctx: WsContext) -> None:
        super().__init__(ctx)
        self.by_key: dict[str, set[WsConn]] = {}
        self.keys: dict[str, SimApiKey] = {}
        # WebSocket order entry (``op: "trade"``), wired by the family (``sim.ws_trade``)
        self.trade_ops: WsTradeOps | None = None

    async def _on_other_op(self, conn: WsConn, msg: dict, text: str) -> None:
        key = self.keys.get(conn.api_key or "")
        if msg.get("op") != "trade" or self.trade_ops is None:
            await super()._on_other_op(conn, msg, text)
        elif key is None:
            conn.send(wire.event("error", code=30004, msg="User needs to log in", op="trade"))
        else:
            await self.trade_ops.handle(conn, key, msg)

    def _check_account(self, entry: SimApiKey) -> None:
        """Raise ``AuthError`` when the key's account may not use this socket."""

    def _forget(self, conn: WsConn) -> None:
        super()._forget(conn)
        if conn.api_key is not None:
            self.by_key.get(conn.api_key, set()).discard(conn)

    def _validate(self, conn: WsConn, arg: Any, op: str) -> SubKey | None:
        if not isinstance(arg, dict):
            self._arg_error(conn, arg, 30016, "Param error", op)
            return None
        if conn.api_key is None:
            self._arg_error(conn, arg, 30004, "User needs to log in", op)
            return None
        return self._validate_channel(conn, arg, op)

    def _validate_channel(self, conn: WsConn, arg: dict, op: str) -> SubKey | None:
        raise NotImplementedError

    async def _login(self, conn: WsConn, args: list) -> None:
        try:
            entry = self.ctx.auth.verify_login(args[0] if args else None)
            self._check_account(entry)
        except AuthError as e:
            # bitget-protocol.md 3.2: "If login fails, it will automatically disconnect"
            conn.send(wire.event("error", code=int(e.code), msg=e.msg, op="login"))
            await asyncio.sleep(0.05)
            await conn.close(1000, b"login failed")
            return
        conn.api_key = entry.api_key
        self.keys[entry.api_key] = entry
        self.by_key.setdefault(entry.api_key, set()).add(conn)
        conn.send(wire.event("login", code=self.login_ok_code, msg=""))

    def _deliver(self, conn: WsConn, data: bytes) -> None:
        faults = self.ctx.faults
        if faults.private_lose_n and faults.take_lose_private():
            return
        if faults.private_delay_ms > 0:
            asyncio.get_running_loop().call_later(faults.private_delay_ms / 1000.0, conn.send, data)
            return
        conn.send(data)


class PrivateWsServer(PrivateWsBase):
    """The private socket: login, then per-account channels."""

    def _validate_channel(self, conn: WsConn, arg: dict, op: str) -> SubKey | None:
        inst_type = str(arg.get("instType", "")).upper()
        channel = arg.get("channel")
        if channel not in PRIVATE_CHANNELS or inst_type not in PRODUCT_TYPES:
            self._arg_error(conn, arg, 30016, "Param error", op)
            return None
        # bitget-protocol.md 3.3: `account` uses coin, the others instId ("default" or a symbol);
        # HB subscribes every private channel with coin "default" and it works, so accept both
        if channel == "account":
            selector = arg.get("coin") or arg.get("instId")
        else:
            selector = arg.get("instId") or arg.get("coin")
        selector = str(selector or "")
        if selector.lower() == "default":
            selector = "default"
        elif channel == "account" or selector.upper() not in self.ctx.exchange.contracts:
            msg = f"instType:{inst_type},channel:{channel},instId:{selector} doesn't exist"
            self._arg_error(conn, arg, 30001, msg, op)
            return None
        else:
            selector = selector.upper()
        return (inst_type, channel, selector)

    def _echo(self, key: SubKey) -> dict:
        sel = "coin" if key[1] == "account" else "instId"
        return {"instType": key[0], "channel": key[1], sel: key[2]}

    def _initial_push(self, conn: WsConn, key: SubKey, arg: dict) -> None:
        channel = key[1]
        api_key = conn.api_key
        if api_key is None:
            return
        if channel == "positions":
            conn.send(self._positions_push(api_key, key))
        elif channel == "account":
            conn.send(self._account_push(api_key, key))

    # -- routing --------------------------------------------------------------------------------
    def on_event(self, event: Any) -> None:
        """Route one exchange private event to the account's subscribed sockets."""
        conns = self.by_key.get(getattr(event, "api_key", ""))
        if not conns:
            return
        kind = type(event)
        if kind is OrderEvent:
            order = event.order
            self._route(conns, order.product_type, "orders", order.symbol, event)
        elif kind is FillEvent:
            fill = event.fill
            self._route(conns, fill.product_type, "fill", fill.symbol, event)
        elif kind is PositionsChanged:
            self._route(conns, event.product_type, "positions", None, event)
        elif kind is AccountChanged:
            self._route(conns, event.product_type, "account", None, event)
        elif kind is PlanEvent:
            plan = event.plan
            self._route(conns, plan.product_type, "orders-algo", plan.symbol, event)
        elif kind is PositionClosed:
            rec = event.record
            self._route(conns, rec.product_type, "positions-history", rec.symbol, event)

    def _route(
        self,
        conns: set[WsConn],
        product_type: str,
        channel: str,
        symbol: str | None,
        event: Any,
    ) -> None:
        keys = [(product_type, channel, "default")]
        if symbol is not None:
            keys.append((product_type, channel, symbol))
        cache: dict[SubKey, bytes] = {}
        for conn in list(conns):
            for key in keys:
                if key not in conn.subs:
                    continue
                data = cache.get(key)
                if data is None:
                    data = self._render(event, key)
                    cache[key] = data
                self._deliver(conn, data)

    def _render(self, event: Any, key: SubKey) -> bytes:
        ex = self.ctx.exchange
        kind = type(event)
        echo = self._echo(key)
        if kind is OrderEvent:
            return wire.push("snapshot", echo, [order_row(ex, event.order, event.fill)])
        if kind is FillEvent:
            return wire.push("snapshot", echo, [fill_row(event.fill)])
        if kind is PositionsChanged:
            return self._positions_push(event.api_key, key)
        if kind is AccountChanged:
            return self._account_push(event.api_key, key)
        if kind is PlanEvent:
            return wire.push("snapshot", echo, [plan_row(ex, event.plan)])
        return wire.push("snapshot", echo, [position_history_row(ex, event.record)])

    def _positions_push(self, api_key: str, key: SubKey) -> bytes:
        ex = self.ctx.exchange
        positions = ex.positions(api_key, key[0])
        if key[2] != "default":
            positions = [p for p in positions if p.symbol == key[2]]
        rows = [position_row(ex, p) for p in positions]
        return wire.push("snapshot", self._echo(key), rows)

    def _account_push(self, api_key: str, key: SubKey) -> bytes:
        ex = self.ctx.exchange
        rows = [account_row(ex, v) for v in ex.account_views(api_key, key[0])]
        return wire.push("snapshot", self._echo(key), rows)


# -- rows (bitget-protocol.md 6.2 field lists) -----------------------------------------------------
def _yes_no(flag: bool) -> str:
    return "yes" if flag else "no"


def order_row(ex: SimExchange, order: Any, fill: Any = None) -> dict:
    """Return the ``orders`` channel row of ``order`` (fill fields when ``fill`` is given)."""
    spec = ex.contracts[order.symbol]
    price_avg = order.price_avg
    ref_price = order.price if order.price is not None else (price_avg or Decimal(0))
    row: dict[str, Any] = {
        "accBaseVolume": spec.fmt_size(order.filled_qty),
        "cTime": str(order.c_time),
        "clientOid": order.client_oid,
        "feeDetail": [{"feeCoin": spec.margin_coin, "fee": wire.money(order.fee)}],
        "force": order.force,
        "instId": order.symbol,
        "leverage": str(order.leverage),
        "marginCoin": order.margin_coin,
        "marginMode": order.margin_mode,
        "notionalUsd": wire.money(order.size * ref_price),
        "orderId": order.order_id,
        "orderType": order.order_type,
        "pnl": wire.money(order.total_profits),
        "posMode": order.pos_mode,
        "posSide": order.pos_side,
        "price": spec.fmt_price(order.price) if order.price is not None else "0",
        "reduceOnly": _yes_no(order.reduce_only),
        "side": order.side,
        "size": spec.fmt_size(order.size),
        "enterPointSource": order.enter_point_source,
        "status": order.status,
        "tradeSide": order.wire_trade_side,
        "stpMode": order.stp_mode,
        "totalProfits": wire.money(order.total_profits),
        "presetStopSurplusPrice": spec.fmt_price(order.preset_stop_surplus_price),
        "presetStopLossPrice": spec.fmt_price(order.preset_stop_loss_price),
        "uTime": str(order.u_time),
    }
    if price_avg is not None:
        row["priceAvg"] = wire.money(price_avg)
    elif order.status != "canceled":
        row["priceAvg"] = "0"
    if order.status == "canceled":
        row["cancelReason"] = order.cancel_reason or "normal_cancel"
    if fill is not None:
        row.update(
            {
                "tradeId": fill.trade_id,
                "fillPrice": spec.fmt_price(fill.price),
                "baseVolume": spec.fmt_size(fill.size),
                "fillTime": str(fill.c_time),
                "fillFee": wire.money(fill.fee),
                "fillFeeCoin": fill.fee_coin,
                "fillNotionalUsd": wire.money(fill.quote_volume),
                # bitget-protocol.md 6.2: T = taker, M = maker on the orders channel
                "tradeScope": "T" if fill.trade_scope == "taker" else "M",
            }
        )
    return row


def fill_row(fill: Any) -> dict:
    """Return the ``fill`` channel row (6.2); ``side`` is the actual trade direction."""
    return {
        "orderId": fill.order_id,
        "clientOid": fill.client_oid,
        "tradeId": fill.trade_id,
        "symbol": fill.symbol,
        # bitget-protocol.md 5.5/6.2: WS fill side = actual trade direction in hedge mode
        "side": fill.direction,
        "orderType": fill.order_type,
        "posMode": fill.pos_mode,
        "price": wire.s(fill.price),
        "baseVolume": wire.s(fill.size),
        "quoteVolume": wire.money(fill.quote_volume),
        "profit": wire.money(fill.profit),
        "tradeSide": fill.wire_trade_side,
        "tradeScope": fill.trade_scope,
        "feeDetail": [
            {
                "feeCoin": fill.fee_coin,
                "deduction": "no",
                "totalDeductionFee": "0",
                "totalFee": wire.money(fill.fee),
            }
        ],
        "cTime": str(fill.c_time),
        "uTime": str(fill.c_time),
    }


def position_row(ex: SimExchange, p: Any) -> dict:
    """Return the ``positions`` channel row (6.2); ``leverage`` is a JSON number."""
    spec = ex.contracts[p.symbol]
    margin = p.margin_size
    unrealized_plr = p.unrealized_pl / margin if margin else Decimal(0)
    return {
        "posId": p.pos_id,
        "instId": p.symbol,
        "marginCoin": p.margin_coin,
        "marginSize": wire.money(margin),
        "marginMode": p.margin_mode,
        "holdSide": p.hold_side,
        "posMode": p.pos_mode,
        "total": spec.fmt_size(p.total),
        "available": spec.fmt_size(p.available),
        "frozen": spec.fmt_size(p.frozen),
        "openPriceAvg": wire.money(p.open_price_avg),
        "leverage": p.leverage,
        "achievedProfits": wire.money(p.achieved_profits),
        "unrealizedPL": wire.money(p.unrealized_pl),
        "unrealizedPLR": wire.money(unrealized_plr),
        "liquidationPrice": wire.money(p.liquidation_price),
        "keepMarginRate": wire.money(p.keep_margin_rate),
        "isolatedMarginRate": "0" if p.margin_mode == "crossed" else wire.money(p.keep_margin_rate),
        "marginRate": wire.money(p.keep_margin_rate),
        "cTime": str(p.c_time),
        "breakEvenPrice": wire.money(p.open_price_avg),
        "totalFee": wire.money(p.total_fee),
        "deductedFee": wire.money(-(p.open_fee + p.close_fee)),
        "markPrice": wire.money(p.mark_price),
        "cashDividend": "0",
        "assetMode": "single",
        "uTime": str(p.u_time),
        "autoMargin": "off",
    }


def account_row(ex: SimExchange, v: Any) -> dict:
    """Return the ``account`` channel row (6.2)."""
    return {
        "marginCoin": v.margin_coin,
        "frozen": wire.money(v.locked),
        "available": wire.money(v.available),
        "maxOpenPosAvailable": wire.money(v.available),
        "maxTransferOut": wire.money(v.max_transfer_out),
        "equity": wire.money(v.equity),
        "usdtEquity": wire.money(ex.usdt_value(v.margin_coin, v.equity)),
        "crossedRiskRate": "0",
        "unrealizedPL": wire.money(v.unrealized_pl),
        "assetsMode": "single",
    }


def plan_row(ex: SimExchange, plan: Any) -> dict:
    """Return the ``orders-algo`` channel row (6.2) with the short ``planType`` code."""
    spec = ex.contracts[plan.symbol]
    return {
        "instId": plan.symbol,
        "orderId": plan.order_id,
        "clientOid": plan.client_oid,
        "triggerPrice": spec.fmt_price(plan.trigger_price),
        "triggerType": plan.trigger_type,
        "triggerTime": str(plan.trigger_time or plan.c_time),
        "planType": plan.ws_plan_type,
        "price": spec.fmt_price(plan.price) if plan.price is not None else "0",
        "executePrice": spec.fmt_price(plan.price) if plan.price is not None else "0",
        "size": spec.fmt_size(plan.size),
        "actualSize": spec.fmt_size(plan.size if plan.status == "executed" else Decimal(0)),
        "orderType": plan.order_type,
        "side": plan.side,
        "tradeSide": plan.trade_side or ("close" if plan.reduce_only else "open"),
        "posSide": plan.pos_side,
        "marginCoin": plan.margin_coin,
        "status": plan.status,
        "posMode": plan.pos_mode,
        "enterPointSource": "API",
        "stopSurplusTriggerPrice": spec.fmt_price(plan.stop_surplus_trigger_price),
        "stopSurplusTriggerType": "fill_price",
        "stopLossTriggerPrice": spec.fmt_price(plan.stop_loss_trigger_price),
        "stopLossTriggerType": "fill_price",
        "stpMode": "none",
        "cTime": str(plan.c_time),
        "uTime": str(plan.u_time),
    }


def position_history_row(ex: SimExchange, rec: Any) -> dict:
    """Return the ``positions-history`` channel row (6.2)."""
    return {
        "posId": rec.pos_id,
        "instId": rec.symbol,
        "marginCoin": rec.margin_coin,
        "marginMode": rec.margin_mode,
        "holdSide": rec.hold_side,
        "posMode": rec.pos_mode,
        "openPriceAvg": wire.money(rec.open_price_avg),
        "closePriceAvg": wire.money(rec.close_price_avg),
        "openSize": wire.s(rec.open_size),
        "closeSize": wire.s(rec.close_size),
        "achievedProfits": wire.money(rec.achieved_profits),
        "settleFee": wire.money(rec.settle_fee),
        "openFee": wire.money(rec.open_fee),
        "closeFee": wire.money(rec.close_fee),
        "cTime": str(rec.c_time),
        "uTime": str(rec.u_time),
    }
