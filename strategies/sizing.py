"""Position sizing helpers shared by the example strategies (pure functions, no state)."""

from __future__ import annotations

from decimal import ROUND_DOWN
from decimal import Decimal

from nautilus_trader.model.instruments import Instrument
from nautilus_trader.model.objects import Quantity


def floor_qty(instrument: Instrument, raw: Decimal, max_qty: Decimal | None = None) -> Quantity:
    """
    Return ``raw`` floored to the instrument's size increment, at least its minimum quantity.

    Parameters
    ----------
    instrument : Instrument
        The traded instrument (its ``size_increment``, ``min_quantity`` and ``max_quantity``).
    raw : Decimal
        The wanted quantity in instrument units.
    max_qty : Decimal, optional
        A user cap applied before the instrument's own maximum.

    Returns
    -------
    Quantity

    """
    step = instrument.size_increment.as_decimal()
    qty = (raw / step).to_integral_value(rounding=ROUND_DOWN) * step
    if max_qty is not None:
        qty = min(qty, max_qty)
    if instrument.max_quantity is not None:
        qty = min(qty, instrument.max_quantity.as_decimal())
    if instrument.min_quantity is not None:
        qty = max(qty, instrument.min_quantity.as_decimal())
    qty = max(qty, step)
    return instrument.make_qty(qty)


def qty_for_notional(instrument: Instrument, notional: Decimal, price: Decimal) -> Decimal:
    """
    Return the raw quantity worth ``notional`` quote units at ``price``.

    Linear contracts: ``notional / (price * multiplier)``. Inverse contracts (COIN-M, quantity in
    contracts of ``multiplier`` quote units): ``notional / multiplier``.
    """
    multiplier = instrument.multiplier.as_decimal()
    if instrument.is_inverse:
        return notional / multiplier
    qty = notional / (price * multiplier)
    if instrument.min_notional is not None:
        min_notional = instrument.min_notional.as_decimal()
        if qty * price * multiplier < min_notional:
            step = instrument.size_increment.as_decimal()
            qty = (min_notional / (price * multiplier) / step).to_integral_value() * step + step
    return qty


def qty_for_risk(
    instrument: Instrument, risk: Decimal, price: Decimal, stop_pct: Decimal
) -> Decimal:
    """
    Return the raw quantity that loses ``risk`` quote units if price moves ``stop_pct`` against it.

    Linear: ``risk / (price * stop_pct * multiplier)``. Inverse: the loss in quote units of
    ``qty`` contracts over a ``stop_pct`` move is about ``qty * multiplier * stop_pct``.
    """
    multiplier = instrument.multiplier.as_decimal()
    if instrument.is_inverse:
        return risk / (multiplier * stop_pct)
    return risk / (price * stop_pct * multiplier)
