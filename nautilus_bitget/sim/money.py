"""
Contract money arithmetic of the simulated exchange (linear and inverse, bitget-protocol.md 9.1).

Linear (USDT/USDC): notional = size * price (quote); fee = notional * rate; margin = notional /
leverage. Inverse (COIN-M, size in base coin): fee = size * rate and margin = size / leverage in
the base coin, rounded half-even to 8 decimals.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN
from decimal import Decimal

from nautilus_bitget.sim.contracts import ContractSpec


MONEY_Q = Decimal("0.00000001")  # inverse / divided money: 8 decimals, half-even


def margin_for(spec: ContractSpec, size: Decimal, price: Decimal, leverage: int) -> Decimal:
    """Return the initial margin of ``size`` at ``price`` and ``leverage``."""
    if spec.inverse:
        return (size / leverage).quantize(MONEY_Q, ROUND_HALF_EVEN)
    return size * price / leverage


def fee_for(spec: ContractSpec, size: Decimal, price: Decimal, rate: Decimal) -> Decimal:
    """Return the (positive) trading fee of ``size`` at ``price``."""
    if spec.inverse:
        return (size * rate).quantize(MONEY_Q, ROUND_HALF_EVEN)
    return size * price * rate


def pnl(spec: ContractSpec, hold_side: str, qty: Decimal, price: Decimal, cost: Decimal) -> Decimal:
    """Return the PnL of closing ``qty`` (opened for ``cost``) at ``price``."""
    if spec.inverse:
        # size in base coin: pnl(long) = qty * (exit - entry) / exit = qty - cost / exit (BTC)
        raw = qty - cost / price if hold_side == "long" else cost / price - qty
        return raw.quantize(MONEY_Q, ROUND_HALF_EVEN)
    return qty * price - cost if hold_side == "long" else cost - qty * price
