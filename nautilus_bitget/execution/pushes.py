"""Private WebSocket frame routing (v2 channels and v3 topics) to the row handlers."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import msgspec

from nautilus_bitget.execution._common import _FRAME
from nautilus_bitget.execution._common import _V3_ACCOUNTS
from nautilus_bitget.execution._common import _V3_FILLS
from nautilus_bitget.execution._common import _V3_FRAME
from nautilus_bitget.execution._common import _V3_ORDERS
from nautilus_bitget.execution._common import _V3_POSITIONS
from nautilus_bitget.execution._common import _V3_STRATEGY
from nautilus_bitget.execution._common import _WS_ACCOUNTS
from nautilus_bitget.execution._common import _WS_ALGO
from nautilus_bitget.execution._common import _WS_FILLS
from nautilus_bitget.execution._common import _WS_ORDERS
from nautilus_bitget.execution._common import _WS_POSITIONS
from nautilus_bitget.parsing import execution as px
from nautilus_bitget.parsing import execution_v3 as p3
from nautilus_bitget.schemas.v3.ws import BitgetV3WsOrder
from nautilus_bitget.schemas.v3.ws import BitgetV3WsPosition
from nautilus_bitget.schemas.v3.ws import BitgetV3WsStrategyOrder


class PushMixin:
    """Decode private frames once and route them by channel/topic; reconnect/disconnect hooks."""

    def _handle_frame(self, raw: bytes) -> None:
        """Decode a private frame of the API in use and route its push by channel / topic."""
        uta = self._uta
        try:
            frame = (_V3_FRAME if uta else _FRAME).decode(raw)
        except (msgspec.DecodeError, msgspec.ValidationError) as e:
            self._bad_input("frame", e)
            return
        if frame.event is not None:
            if frame.event == "error" or (uta and frame.is_error):
                self._log.error(f"Private socket error {frame.code}: {frame.msg}")
            return
        arg = frame.arg if uta else frame.channel_arg
        if arg is None:
            return
        channel = arg.topic if uta else arg.channel
        try:
            if uta:
                self._route_v3(channel, frame.data)
            else:
                self._route_v2(channel, arg.instType, frame.data)
        except (msgspec.DecodeError, msgspec.ValidationError, ArithmeticError, ValueError) as e:
            self._bad_input(channel, e)
        except Exception as e:  # never let one bad row kill the socket
            self._log.exception(f"Error handling {channel} push", e)

    def _route_v2(self, channel: str, inst_type: str, data: Any) -> None:
        if channel == "orders":
            for row in _WS_ORDERS.decode(data):
                self._on_order_row(row)
        elif channel == "fill":
            for row in _WS_FILLS.decode(data):
                self._on_fill_row(row)
        elif channel == "orders-algo":
            for row in _WS_ALGO.decode(data):
                self._on_algo_row(row)
        elif channel == "positions":
            self._replace_positions(inst_type, _WS_POSITIONS.decode(data))
        elif channel == "account":
            rows = _WS_ACCOUNTS.decode(data)
            self._emit_balances([(r.equity, r.available, r.marginCoin) for r in rows])

    def _route_v3(self, topic: str, data: Any) -> None:
        """Route a v3 private push (bitget-protocol-uta.md 4.6) onto the shared handlers."""
        if topic == "order":
            for row in _V3_ORDERS.decode(data):
                self._on_order_row_v3(row)
        elif topic == "fill":
            for row in _V3_FILLS.decode(data):
                self._on_fill_row(p3.ws_fill(row))
        elif topic == "strategy-order":
            for row in _V3_STRATEGY.decode(data):
                self._on_strategy_row_v3(row)
        elif topic == "position":
            self._merge_positions_v3(_V3_POSITIONS.decode(data))
        elif topic == "account":
            rows = _V3_ACCOUNTS.decode(data)
            self._emit_balances([(c.equity, c.available, c.coin) for r in rows for c in r.coin])

    def _emit_balances(self, rows: list[tuple[Any, Any, str]]) -> None:
        balances = [px.parse_balance(e, a, self._currency(coin.upper())) for e, a, coin in rows]
        if balances:
            self._emit_account_state(balances)

    def _on_order_row_v3(self, row: BitgetV3WsOrder) -> None:
        request_id = row.requestId
        if request_id and request_id in self._modify_requests:
            # bitget-protocol-uta.md 3.6, 7.12: the push echoing requestId confirms the modify
            self._confirm_modify_v3(self._modify_requests.pop(request_id), row.qty, row.price)
        self._on_order_row(p3.ws_order(row, self._hedge))

    def _on_strategy_row_v3(self, row: BitgetV3WsStrategyOrder) -> None:
        kind = (row.type or "trigger").lower()
        if kind == "trigger":
            self._on_algo_row(p3.strategy_push(row, self._hedge))
            return
        # A position TP/SL (bracket presets): the v2 bracket logic keys on planType
        algo = p3.strategy_push(row, self._hedge)
        plan_type = "profit_plan" if (row.triggerType or "") == "takeProfit" else "loss_plan"
        self._on_algo_row(msgspec.structs.replace(algo, planType=plan_type))

    def _merge_positions_v3(self, rows: list[BitgetV3WsPosition]) -> None:
        # 4.6: no category on position pushes; a closed side arrives with size 0 / "ended"
        for row in rows:
            converted = p3.position(row, self._hedge)
            key = (converted.symbol, converted.holdSide)
            if (px.dec(converted.total) or Decimal(0)) > 0:
                self._positions[key] = converted
            else:
                self._positions.pop(key, None)

    def _bad_input(self, where: str, error: Exception) -> None:
        """Count a malformed venue message; log the first of each kind only."""
        key = (where, type(error).__name__)
        count = self.bad_input_counts.get(key, 0) + 1
        self.bad_input_counts[key] = count
        if count == 1:
            self._log.warning(f"Malformed private {where} push skipped ({error}); counting")

    def _on_ws_disconnect(self) -> None:
        self._disconnected_ms = self._http.timestamp_ms()

    async def _on_ws_reconnect(self) -> None:
        since = self._disconnected_ms or self._connected_ms
        self._log.info("Private socket reconnected: backfilling orders, fills and positions")
        await self.backfill(since - 5_000)
        await self._poll_funding()
