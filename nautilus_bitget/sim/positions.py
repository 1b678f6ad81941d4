"""
Fills, positions and PnL of the simulated exchange (bitget-protocol.md 5.3, 5.5, 5.9).

Linear PnL long = size * (exit - entry); inverse (size in base coin, 9.1) PnL long =
size * (exit - entry) / exit in the base coin; with base-coin sizes the size-weighted arithmetic
average entry is exact (see :mod:`.money`).
"""

from __future__ import annotations

from collections.abc import Mapping
from copy import copy
from decimal import ROUND_HALF_EVEN
from decimal import Decimal
from typing import Any

from nautilus_bitget.sim.contracts import ContractSpec
from nautilus_bitget.sim.core import ExchangeCore
from nautilus_bitget.sim.errors import ERR_NO_POSITION
from nautilus_bitget.sim.errors import SimError
from nautilus_bitget.sim.errors import choice
from nautilus_bitget.sim.errors import opt
from nautilus_bitget.sim.errors import req
from nautilus_bitget.sim.events import AccountChanged
from nautilus_bitget.sim.events import ClosedPosition
from nautilus_bitget.sim.events import Fill
from nautilus_bitget.sim.events import FillEvent
from nautilus_bitget.sim.events import Order
from nautilus_bitget.sim.events import OrderEvent
from nautilus_bitget.sim.events import Position
from nautilus_bitget.sim.events import PositionClosed
from nautilus_bitget.sim.events import PositionsChanged
from nautilus_bitget.sim.market import MarketState
from nautilus_bitget.sim.money import fee_for
from nautilus_bitget.sim.money import margin_for
from nautilus_bitget.sim.money import pnl as pnl_of
from nautilus_bitget.sim.orders import closes_side
from nautilus_bitget.sim.orders import order_body
from nautilus_bitget.sim.paging import select
from nautilus_bitget.sim.records import BatchResult


class PositionsMixin(ExchangeCore):
    """Applying fills to orders, positions, balances and bills; position views and closing."""

    def _split_fill(self, order: Order, qty: Decimal) -> tuple[str | None, Decimal, str | None]:
        """Return ``(close_side, close_qty, open_side)`` of a fill (bitget-protocol.md 5.5)."""
        if order.pos_mode == "hedge_mode":
            if order.trade_side == "close":
                return order.pos_side, qty, None
            return None, Decimal(0), order.pos_side
        close_side: str | None = None
        close_qty = Decimal(0)
        opposite = "short" if order.direction == "buy" else "long"
        pos = self._positions.get((order.api_key, order.symbol, opposite))
        if pos is not None:
            close_side, close_qty = opposite, min(qty, pos.total)
        if qty > close_qty and not order.reduce_only:
            return close_side, close_qty, "long" if order.direction == "buy" else "short"
        return close_side, close_qty, None

    def _apply_fill(
        self,
        order: Order,
        spec: ContractSpec,
        ticks: int,
        lots: int,
        scope: str,
        trade_id: str,
        now: int,
    ) -> None:
        api_key = order.api_key
        acct = self.accounts[api_key]
        price = spec.ticks_to_price(ticks)
        qty = spec.lots_to_size(lots)
        rate = spec.taker_fee_rate if scope == "taker" else spec.maker_fee_rate
        fee = -fee_for(spec, qty, price, rate)
        coin = spec.margin_coin
        close_side, close_qty, open_side = self._split_fill(order, qty)
        open_qty = qty - close_qty if open_side is not None else Decimal(0)
        pnl = Decimal(0)
        bills: list[tuple[str, Decimal, Decimal]] = []
        closed_record: ClosedPosition | None = None
        if close_side is not None and close_qty > 0:
            pos = self._positions[(api_key, order.symbol, close_side)]
            close_qty = min(close_qty, pos.total)
            cost_part = (
                pos.open_cost if close_qty == pos.total else pos.open_cost * close_qty / pos.total
            )
            pnl = pnl_of(spec, close_side, close_qty, price, cost_part)
            close_fee = fee if open_qty == 0 else fee * close_qty / qty
            pos.open_cost -= cost_part
            pos.total -= close_qty
            pos.achieved_profits += pnl
            pos.close_fee += close_fee
            pos.close_size += close_qty
            pos.close_quote += close_qty * price
            pos.u_time = now
            bills.append((f"close_{close_side}", pnl, close_fee))
            if pos.total == 0:
                closed_record = self._close_position(pos, now)
            else:
                pos.open_price_avg = pos.open_cost / pos.total
        if open_side is not None and open_qty > 0:
            open_fee = fee - sum((b[2] for b in bills), Decimal(0))
            key = (api_key, order.symbol, open_side)
            opened = self._positions.get(key)
            if opened is None:
                opened = Position(
                    pos_id=self._new_id(),
                    api_key=api_key,
                    symbol=order.symbol,
                    product_type=order.product_type,
                    margin_coin=coin,
                    margin_mode=acct.get_margin_mode(order.symbol),
                    pos_mode=order.pos_mode,
                    hold_side=open_side,
                    total=Decimal(0),
                    open_price_avg=price,
                    leverage=self._leverage(acct, order.symbol, open_side, order.direction),
                    keep_margin_rate=spec.keep_margin_rate,
                    c_time=now,
                )
                self._positions[key] = opened
            opened.total += open_qty
            opened.open_size += open_qty
            opened.open_cost += open_qty * price
            opened.open_price_avg = opened.open_cost / opened.total
            opened.open_fee += open_fee
            opened.u_time = now
            bills.append((f"open_{open_side}", Decimal(0), open_fee))
        balance = acct.balances.get(coin, Decimal(0)) + pnl + fee
        acct.balances[coin] = balance
        running = balance - pnl - fee
        for business, amount, bill_fee in bills:
            running += amount + bill_fee
            self._add_bill(
                api_key,
                order.symbol,
                order.product_type,
                coin,
                business,
                amount,
                bill_fee,
                running,
                now,
            )
        self._book_fill(order, qty, price, fee, pnl, now)
        fill = Fill(
            trade_id=trade_id,
            order_id=order.order_id,
            client_oid=order.client_oid,
            api_key=api_key,
            symbol=order.symbol,
            product_type=order.product_type,
            side=order.side,
            trade_side=order.trade_side,
            direction=order.direction,
            order_type=order.order_type,
            pos_mode=order.pos_mode,
            price=price,
            size=qty,
            quote_volume=qty * price,
            fee=fee,
            fee_coin=coin,
            profit=pnl,
            trade_scope=scope,
            wire_trade_side=order.wire_trade_side,
            c_time=now,
        )
        self._fills.setdefault(api_key, []).append(fill)
        self._emit(OrderEvent(api_key, copy(order), fill))
        self._emit(FillEvent(api_key, fill))
        self._emit(PositionsChanged(api_key, order.product_type))
        if closed_record is not None:
            self._emit(PositionClosed(api_key, closed_record))
        self._emit(AccountChanged(api_key, order.product_type, coin))
        if order.status == "filled":
            self._attach_presets(order, now)
        if closed_record is not None:
            self._cancel_position_plans(api_key, order.symbol, closed_record.hold_side, now)

    def _book_fill(
        self, order: Order, qty: Decimal, price: Decimal, fee: Decimal, pnl: Decimal, now: int
    ) -> None:
        """Update an order's filled amounts, fees, frozen margin and status."""
        before = order.remaining
        order.filled_qty += qty
        order.filled_quote += qty * price
        order.fee += fee
        order.total_profits += pnl
        order.u_time = now
        if order.frozen_margin:
            order.frozen_margin = (
                Decimal(0)
                if order.remaining == 0
                else order.frozen_margin * order.remaining / before
            )
        order.status = "filled" if order.remaining == 0 else "partially_filled"
        if order.remaining == 0:
            self._unlist(order)

    def _close_position(self, pos: Position, now: int) -> ClosedPosition:
        del self._positions[(pos.api_key, pos.symbol, pos.hold_side)]
        record = ClosedPosition(
            pos_id=pos.pos_id,
            api_key=pos.api_key,
            symbol=pos.symbol,
            product_type=pos.product_type,
            margin_coin=pos.margin_coin,
            margin_mode=pos.margin_mode,
            pos_mode=pos.pos_mode,
            hold_side=pos.hold_side,
            open_price_avg=pos.open_price_avg,
            close_price_avg=pos.close_quote / pos.close_size,
            open_size=pos.open_size,
            close_size=pos.close_size,
            achieved_profits=pos.achieved_profits,
            settle_fee=pos.total_fee,
            open_fee=pos.open_fee,
            close_fee=pos.close_fee,
            c_time=pos.c_time,
            u_time=now,
        )
        self._closed.setdefault(pos.api_key, []).append(record)
        return record

    # -- closable size --------------------------------------------------------------------------
    def _closing_orders(self, api_key: str, symbol: str, hold_side: str) -> list[Order]:
        return [
            o
            for o in self._open.values()
            if o.api_key == api_key
            and o.symbol == symbol
            and o.reduce_only
            and closes_side(o.pos_side, o.direction) == hold_side
        ]

    def _closable(
        self, api_key: str, symbol: str, hold_side: str
    ) -> tuple[Position | None, Decimal]:
        pos = self._positions.get((api_key, symbol, hold_side))
        if pos is None:
            return None, Decimal(0)
        return pos, pos.total - self._close_frozen(api_key, symbol, hold_side)

    def _close_frozen(self, api_key: str, symbol: str, hold_side: str) -> Decimal:
        return sum(
            (o.remaining for o in self._closing_orders(api_key, symbol, hold_side)), Decimal(0)
        )

    # -- commands and views ---------------------------------------------------------------------
    def close_positions(self, api_key: str, body: Mapping[str, Any]) -> BatchResult:
        """``POST order/close-positions`` (5.9): market close; 22002 when no position."""
        acct = self.account(api_key)
        pt = req(body, "productType").upper()
        symbol = opt(body, "symbol")
        if symbol is not None:
            self.contract(symbol, pt)
        hold = opt(body, "holdSide")
        if hold is not None:
            hold = choice(hold, ("long", "short"), "holdSide")
        targets = [
            p
            for k, p in self._positions.items()
            if k[0] == api_key
            and p.product_type == pt
            and (symbol is None or p.symbol == symbol)
            and (hold is None or p.pos_mode == "one_way_mode" or p.hold_side == hold)
        ]
        if not targets:
            raise SimError(ERR_NO_POSITION, "No position to close")
        result = BatchResult([], [])
        now = self.now_ms()
        for pos in targets:
            # a flash close takes the whole position: pending closing orders are cancelled first
            for o in self._closing_orders(api_key, pos.symbol, pos.hold_side):
                self._cancel(o, now)
            size = self.contracts[pos.symbol].fmt_size(pos.total)
            long = pos.hold_side == "long"
            if pos.pos_mode == "hedge_mode":
                params = order_body(pos, size, "buy" if long else "sell", "market", "close", False)
            else:
                params = order_body(pos, size, "sell" if long else "buy", "market", None, True)
            try:
                order = self._place(acct, params, closing=True)
            except SimError as e:
                result.failure.append(("", "", e.code, e.msg))
            else:
                result.success.append((order.order_id, order.client_oid))
        return result

    def positions(
        self,
        api_key: str,
        product_type: str,
        symbol: str | None = None,
        margin_coin: str | None = None,
    ) -> list[Position]:
        """Open positions (snapshots with mark-dependent fields filled in)."""
        self.account(api_key)
        pt = product_type.upper()
        out = []
        for (key, sym, _), pos in self._positions.items():
            if key != api_key or pos.product_type != pt or (symbol is not None and sym != symbol):
                continue
            if margin_coin is not None and pos.margin_coin != margin_coin.upper():
                continue
            out.append(self._position_view(pos))
        return out

    def _position_view(self, pos: Position) -> Position:
        spec = self.contracts[pos.symbol]
        market = self.markets.get(pos.symbol)
        view = copy(pos)
        mark = market.mark_price if market is not None else pos.open_price_avg
        view.mark_price = mark
        view.unrealized_pl = (
            pnl_of(spec, pos.hold_side, pos.total, mark, pos.open_cost) if mark > 0 else Decimal(0)
        )
        view.margin_size = margin_for(spec, pos.total, pos.open_price_avg, pos.leverage)
        view.frozen = self._close_frozen(pos.api_key, pos.symbol, pos.hold_side)
        inv_lev = Decimal(1) / pos.leverage
        mmr = pos.keep_margin_rate
        avg = pos.open_price_avg
        if spec.inverse:
            liq = (
                avg / (1 + inv_lev - mmr) if pos.hold_side == "long" else avg / (1 - inv_lev + mmr)
            )
        else:
            liq = (
                avg * (1 - inv_lev + mmr) if pos.hold_side == "long" else avg * (1 + inv_lev - mmr)
            )
        view.liquidation_price = (
            liq.quantize(Decimal(1).scaleb(-spec.price_place), ROUND_HALF_EVEN)
            if liq > 0
            else Decimal(0)
        )
        return view

    def history_positions(
        self,
        api_key: str,
        product_type: str,
        symbol: str | None = None,
        limit: int = 100,
    ) -> list[ClosedPosition]:
        """Fully closed positions, newest first."""
        self.account(api_key)
        rows = select(
            self._closed.get(api_key, []), product_type=product_type.upper(), symbol=symbol
        )
        return rows[::-1][:limit]

    def _open_interest_lots(self, market: MarketState) -> int:
        spec = market.contract
        user = sum(
            (
                p.total
                for p in self._positions.values()
                if p.symbol == market.symbol and p.hold_side == "long"
            ),
            Decimal(0),
        )
        return market.generated_oi_lots + int(user / spec.size_multiplier)
