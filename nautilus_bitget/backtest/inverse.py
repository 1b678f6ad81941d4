"""
COIN-M (inverse) money in backtests: PnL and fees the way Bitget computes them.

Bitget COIN-M sizes are in the base coin (bitget-protocol.md 9.1) and the adapter keeps them so on
the Nautilus side (no conversion at the wire). NautilusTrader 1.231's inverse arithmetic assumes
quantities in quote units (``notional = qty * multiplier / price``), so on a COIN-M position it
books PnL and commissions a factor of a price too small. Bitget's numbers (bitget-protocol.md 9.1,
the venue's coin-margined PnL and fee rules) with ``q`` coins opened at ``open`` and closed at
``close``:

- realized PnL (long) = ``q * open * (1 / open - 1 / close)`` = Nautilus' ``q * (1/open - 1/close)``
  times ``open``; e.g. 1 BTC long 60000 -> 66000 realizes ``1 - 60000/66000`` BTC;
- fee = ``q * rate`` BTC (the instrument's maker or taker rate), where Nautilus charged
  ``q / price * rate`` (rounded to the coin's precision).

``InverseSettlementModule`` adjusts the simulated account after every fill of an inverse
instrument by the difference, so balances match the venue. Nautilus' own ``Position`` objects keep
their quote-unit arithmetic: read COIN-M results from the account balance, not from
``Position.realized_pnl``.
"""

from __future__ import annotations

from decimal import Decimal

from nautilus_trader.backtest.config import SimulationModuleConfig
from nautilus_trader.backtest.modules import SimulationModule
from nautilus_trader.model.enums import LiquiditySide
from nautilus_trader.model.enums import OrderSide
from nautilus_trader.model.events import OrderFilled
from nautilus_trader.model.objects import Money


class InverseSettlementModuleConfig(SimulationModuleConfig, frozen=True):
    """Configuration for ``InverseSettlementModule`` (no options)."""


def bitget_inverse_adjustment(
    signed_qty: Decimal,
    avg_px_open: Decimal,
    fill_signed_qty: Decimal,
    fill_px: Decimal,
    nautilus_commission: Decimal,
    fee_rate: Decimal,
) -> Decimal:
    """
    Return what to add to a Nautilus-settled inverse fill to get Bitget's result.

    Parameters
    ----------
    signed_qty : Decimal
        Position quantity (base coin) before the fill, positive long.
    avg_px_open : Decimal
        Average open price of the position before the fill.
    fill_signed_qty : Decimal
        Fill quantity (base coin), positive buy.
    fill_px : Decimal
        Fill price.
    nautilus_commission : Decimal
        Commission Nautilus charged for the fill (``qty / price * rate``).
    fee_rate : Decimal
        Fee rate of the fill (maker or taker).

    Returns
    -------
    Decimal
        The adjustment in the base coin.

    """
    reduced = Decimal(0)
    if signed_qty and (signed_qty > 0) != (fill_signed_qty > 0):
        reduced = min(abs(fill_signed_qty), abs(signed_qty))
    nautilus_pnl = Decimal(0)
    if reduced:
        side = 1 if signed_qty > 0 else -1
        nautilus_pnl = side * reduced * (1 / avg_px_open - 1 / fill_px)
    bitget_pnl = nautilus_pnl * avg_px_open
    bitget_fee = abs(fill_signed_qty) * fee_rate
    return (bitget_pnl - nautilus_pnl) - (bitget_fee - nautilus_commission)


class InverseSettlementModule(SimulationModule):
    """
    Re-state the PnL and fees of inverse (COIN-M) fills in Bitget's base-coin-size terms.

    Parameters
    ----------
    config : InverseSettlementModuleConfig, optional
        The configuration.

    """

    def __init__(self, config: InverseSettlementModuleConfig | None = None) -> None:
        super().__init__(config or InverseSettlementModuleConfig())
        self._positions: dict[str, tuple[Decimal, Decimal]] = {}  # key -> (signed qty, avg open)
        self.adjustments: list[tuple[int, str, Money]] = []

    def register_venue(self, exchange) -> None:
        """Register the exchange and listen to fills on the bus."""
        super().register_venue(exchange)
        self.msgbus.subscribe(topic="events.fills.*", handler=self._on_fill)

    def _on_fill(self, fill: OrderFilled) -> None:
        if fill.instrument_id.venue != self.exchange.id:
            return
        instrument = self.exchange.cache.instrument(fill.instrument_id)
        if instrument is None or not instrument.is_inverse:
            return
        key = fill.position_id.value if fill.position_id is not None else fill.instrument_id.value
        qty, avg = self._positions.get(key, (Decimal(0), Decimal(0)))
        mult = instrument.multiplier.as_decimal()
        last_qty = fill.last_qty.as_decimal() * mult
        signed = last_qty if fill.order_side == OrderSide.BUY else -last_qty
        px = fill.last_px.as_decimal()
        commission = Decimal(0)
        if fill.commission is not None and fill.commission.currency == instrument.base_currency:
            commission = fill.commission.as_decimal()
        rate = (
            instrument.maker_fee
            if fill.liquidity_side == LiquiditySide.MAKER
            else instrument.taker_fee
        )
        adjustment = bitget_inverse_adjustment(qty, avg, signed, px, commission, Decimal(rate))
        self._positions[key] = _apply(qty, avg, signed, px)
        money = Money(adjustment, instrument.get_settlement_currency())
        if money.as_decimal() == 0:
            return
        self.exchange.adjust_account(money)
        self.adjustments.append((fill.ts_event, fill.instrument_id.value, money))

    def process(self, ts_now: int) -> None:
        """Nothing to do per time step (fills drive the adjustments)."""

    def log_diagnostics(self, logger) -> None:
        """Log the number of adjusted fills."""
        logger.info(f"Inverse fills re-stated: {len(self.adjustments)}")

    def reset(self) -> None:
        """Forget positions and adjustments."""
        self._positions.clear()
        self.adjustments.clear()


def _apply(qty: Decimal, avg: Decimal, signed: Decimal, px: Decimal) -> tuple[Decimal, Decimal]:
    new = qty + signed
    if new == 0:
        return Decimal(0), Decimal(0)
    if qty == 0 or (qty > 0) != (new > 0):  # opened or flipped: the rest opens at px
        return new, px
    if (qty > 0) == (signed > 0):  # added: size-weighted average (sizes in coins, 9.1)
        return new, (qty * avg + signed * px) / new
    return new, avg  # reduced
