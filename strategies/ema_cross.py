"""
EMA cross on bars, with position sizing and a protective stop.

The same class and JSON config run in backtest and live. Decisions depend only on the bars (and
the strategy's own position), never on wall time, so a backtest on a recording of a live run makes
the same decisions; every order carries a ``decision=<bar ts_event>`` tag so runs can be aligned.

Bar source (``bar_type``):

- ``BTCUSDT-PERP.BITGET-1-MINUTE-LAST-EXTERNAL``: Bitget's 1-minute candles (the default config);
- ``BTCUSDT-PERP.BITGET-1-SECOND-LAST-INTERNAL``: bars built by Nautilus from trades, identically
  in live (from the trades channel) and in backtest (from recorded trades). Bitget has no candles
  shorter than one minute, so the demo uses these to make decisions within seconds.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from nautilus_trader.config import PositiveInt
from nautilus_trader.config import StrategyConfig
from nautilus_trader.indicators import ExponentialMovingAverage
from nautilus_trader.model.data import Bar
from nautilus_trader.model.data import BarType
from nautilus_trader.model.enums import OrderSide
from nautilus_trader.model.enums import OrderStatus
from nautilus_trader.model.enums import TimeInForce
from nautilus_trader.model.events import OrderFilled
from nautilus_trader.model.identifiers import ClientOrderId
from nautilus_trader.model.identifiers import InstrumentId
from nautilus_trader.model.instruments import Instrument
from nautilus_trader.model.objects import Quantity
from nautilus_trader.trading.strategy import Strategy

from strategies.sizing import floor_qty
from strategies.sizing import qty_for_notional
from strategies.sizing import qty_for_risk


SIZING_MODES = ("notional", "risk")
STOP_MODES = ("order", "bar", "none")


class EMACrossConfig(StrategyConfig, frozen=True):
    """
    Configuration for ``EMACross``.

    Parameters
    ----------
    instrument_id : InstrumentId
        The traded instrument, e.g. ``BTCUSDT-PERP.BITGET``.
    bar_type : BarType
        The bars that drive decisions (EXTERNAL venue candles or INTERNAL bars from trades).
    fast_ema_period, slow_ema_period : int
        EMA periods in bars (fast < slow).
    sizing : {"notional", "risk"}, default "notional"
        ``notional``: quantity worth ``trade_notional`` quote units at the bar close;
        ``risk``: quantity that loses ``risk_per_trade`` if the stop is hit.
    trade_notional : Decimal, default 1000
        Quote amount per entry (``sizing="notional"``).
    risk_per_trade : Decimal, default 10
        Quote amount lost at the stop (``sizing="risk"``).
    max_quantity : Decimal, optional
        Cap on the entry quantity (instrument units).
    stop_loss_pct : Decimal, default 0.005
        Stop distance from the decision bar's close, as a fraction.
    stop_mode : {"order", "bar", "none"}, default "order"
        ``order``: a reduce-only STOP_MARKET after the entry fills; ``bar``: exit at market when a
        bar closes through the stop level; ``none``: no stop.
    allow_short : bool, default True
        Go short on a down cross (else only flatten).
    close_positions_on_stop : bool, default True
        Cancel orders and flatten when the strategy stops.
    flip_with_one_order : bool, default True
        Reverse a position with ONE order of ``position + entry`` quantity (one-way mode /
        NETTING). Bitget nets an opposite order against the position, so a reduce-only close sent
        alongside the entry can arrive second and be rejected (22002 "No position to close").
        Set False in hedge mode, where long and short are separate positions: the position is then
        closed with ``close_position`` and the entry opened separately.
    order_params : dict, optional
        Venue-specific params passed with every submitted order (e.g. Bitget ``marginMode``).

    """

    instrument_id: InstrumentId
    bar_type: BarType
    fast_ema_period: PositiveInt = 10
    slow_ema_period: PositiveInt = 20
    sizing: str = "notional"
    trade_notional: Decimal = Decimal(1000)
    risk_per_trade: Decimal = Decimal(10)
    max_quantity: Decimal | None = None
    stop_loss_pct: Decimal = Decimal("0.005")
    stop_mode: str = "order"
    allow_short: bool = True
    close_positions_on_stop: bool = True
    flip_with_one_order: bool = True
    order_params: dict[str, Any] | None = None

    def __post_init__(self) -> None:
        if self.fast_ema_period >= self.slow_ema_period:
            raise ValueError(
                f"EMACrossConfig.fast_ema_period ({self.fast_ema_period}) must be < "
                f"slow_ema_period ({self.slow_ema_period})",
            )
        if self.sizing not in SIZING_MODES:
            raise ValueError(f"EMACrossConfig.sizing: {self.sizing!r} is not one of {SIZING_MODES}")
        if self.stop_mode not in STOP_MODES:
            raise ValueError(
                f"EMACrossConfig.stop_mode: {self.stop_mode!r} is not one of {STOP_MODES}",
            )
        if not Decimal(0) < Decimal(str(self.stop_loss_pct)) < Decimal(1):
            raise ValueError("EMACrossConfig.stop_loss_pct must be between 0 and 1")
        if self.bar_type.instrument_id != self.instrument_id:
            raise ValueError(
                f"EMACrossConfig.bar_type {self.bar_type} is not for instrument_id "
                f"{self.instrument_id}",
            )


class EMACross(Strategy):
    """
    Long when the fast EMA is above the slow EMA, short (or flat) when below.

    Parameters
    ----------
    config : EMACrossConfig
        The configuration.

    """

    def __init__(self, config: EMACrossConfig) -> None:
        super().__init__(config)
        self.instrument: Instrument  # loaded on start
        self.fast_ema = ExponentialMovingAverage(config.fast_ema_period)
        self.slow_ema = ExponentialMovingAverage(config.slow_ema_period)
        self.bars_seen = 0
        self.decisions: list[dict[str, Any]] = []
        # entry order id -> (side, stop price, entry quantity) decided with the entry
        self._pending_stops: dict[ClientOrderId, tuple[OrderSide, Decimal, Quantity]] = {}
        self._stop_level: Decimal | None = None  # stop_mode="bar"

    def on_start(self) -> None:
        """Subscribe to the bars (and warm nothing up: decisions start from live data)."""
        instrument = self.cache.instrument(self.config.instrument_id)
        if instrument is None:
            self.log.error(f"Instrument {self.config.instrument_id} not found in the cache")
            self.stop()
            return
        self.instrument = instrument
        self.register_indicator_for_bars(self.config.bar_type, self.fast_ema)
        self.register_indicator_for_bars(self.config.bar_type, self.slow_ema)
        self.subscribe_bars(self.config.bar_type)

    # -- decisions ------------------------------------------------------------------------------

    def on_bar(self, bar: Bar) -> None:
        """Decide on every closed bar once both EMAs are warm."""
        if bar.bar_type != self.config.bar_type:
            return
        self.bars_seen += 1
        if not (self.fast_ema.initialized and self.slow_ema.initialized):
            return
        close = bar.close.as_decimal()
        net = self._net_qty()
        if self.config.stop_mode == "bar" and net != 0 and self._stop_hit(net, close):
            self._close_all(bar, "stop")
            return
        fast, slow = self.fast_ema.value, self.slow_ema.value
        if fast > slow and net <= 0:
            self._enter(bar, OrderSide.BUY, close, net)
        elif fast < slow and net >= 0:
            if self.config.allow_short:
                self._enter(bar, OrderSide.SELL, close, net)
            elif net > 0:
                self._close_all(bar, "exit")

    def _stop_hit(self, net: Decimal, close: Decimal) -> bool:
        if self._stop_level is None:
            return False
        return close <= self._stop_level if net > 0 else close >= self._stop_level

    def _enter(self, bar: Bar, side: OrderSide, close: Decimal, net: Decimal) -> None:
        quantity = self._entry_quantity(close)
        order_qty, reason = quantity, "entry"
        if net != 0 and self.config.flip_with_one_order:
            self.cancel_all_orders(self.config.instrument_id)  # the old protective stop
            order_qty = self.instrument.make_qty(quantity.as_decimal() + abs(net))
            reason = "flip"
        elif net != 0:
            self._close_all(bar, "reverse")
        else:
            self.cancel_all_orders(self.config.instrument_id)  # stale protective stops
        pct = Decimal(str(self.config.stop_loss_pct))
        stop_px = close * (1 - pct) if side == OrderSide.BUY else close * (1 + pct)
        order = self.order_factory.market(
            instrument_id=self.config.instrument_id,
            order_side=side,
            quantity=order_qty,
            time_in_force=TimeInForce.GTC,
            tags=[f"decision={bar.ts_event}", reason],
        )
        self._record(bar, reason, side, order_qty)
        if self.config.stop_mode == "order":
            self._pending_stops[order.client_order_id] = (side, stop_px, quantity)
        self._stop_level = stop_px if self.config.stop_mode == "bar" else None
        self.submit_order(order, params=self._params())

    def _close_all(self, bar: Bar, reason: str) -> None:
        self.cancel_all_orders(self.config.instrument_id)
        for position in self.cache.positions_open(
            instrument_id=self.config.instrument_id,
            strategy_id=self.id,
        ):
            self._record(bar, reason, position.closing_order_side(), position.quantity)
            self.close_position(
                position,
                tags=[f"decision={bar.ts_event}", reason],
                params=self._params(),
            )
        self._stop_level = None

    def _entry_quantity(self, close: Decimal) -> Quantity:
        if self.config.sizing == "risk":
            pct = Decimal(str(self.config.stop_loss_pct))
            raw = qty_for_risk(
                self.instrument, Decimal(str(self.config.risk_per_trade)), close, pct
            )
        else:
            raw = qty_for_notional(self.instrument, Decimal(str(self.config.trade_notional)), close)
        max_qty = self.config.max_quantity
        return floor_qty(self.instrument, raw, Decimal(str(max_qty)) if max_qty else None)

    def _net_qty(self) -> Decimal:
        return sum(
            (
                Decimal(str(p.signed_qty))
                for p in self.cache.positions_open(
                    instrument_id=self.config.instrument_id,
                    strategy_id=self.id,
                )
            ),
            Decimal(0),
        )

    def _params(self) -> dict[str, Any] | None:
        return dict(self.config.order_params) if self.config.order_params else None

    def _record(self, bar: Bar, reason: str, side: OrderSide, quantity) -> None:
        self.decisions.append(
            {"ts": bar.ts_event, "reason": reason, "side": side.name, "quantity": str(quantity)},
        )

    # -- protective stop ------------------------------------------------------------------------

    def on_order_filled(self, event: OrderFilled) -> None:
        """Place the protective stop once an entry order is completely filled."""
        pending = self._pending_stops.get(event.client_order_id)
        if pending is None:
            return
        order = self.cache.order(event.client_order_id)
        if order is None or order.status != OrderStatus.FILLED:
            return
        del self._pending_stops[event.client_order_id]
        entry_side, stop_px, quantity = pending
        decision = next((t for t in (order.tags or []) if t.startswith("decision=")), "decision=0")
        stop = self.order_factory.stop_market(
            instrument_id=self.config.instrument_id,
            order_side=OrderSide.SELL if entry_side == OrderSide.BUY else OrderSide.BUY,
            quantity=quantity,  # the entry size (a flip order also closed the old position)
            trigger_price=self.instrument.make_price(stop_px),
            time_in_force=TimeInForce.GTC,
            reduce_only=True,
            tags=[decision, "stop"],
        )
        self.submit_order(stop, params=self._params())

    def on_stop(self) -> None:
        """Cancel working orders and flatten (``close_positions_on_stop``); log the activity."""
        self.log.info(f"EMACross: {self.bars_seen} bars, {len(self.decisions)} decisions")
        self.cancel_all_orders(self.config.instrument_id)
        if self.config.close_positions_on_stop:
            self.close_all_positions(self.config.instrument_id, tags=["on_stop"], reduce_only=True)

    def on_reset(self) -> None:
        """Reset indicators and state between backtest runs."""
        self.fast_ema.reset()
        self.slow_ema.reset()
        self.bars_seen = 0
        self.decisions.clear()
        self._pending_stops.clear()
        self._stop_level = None
