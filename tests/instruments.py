"""A ``BTCUSDT-PERP.BITGET`` instrument for tests that need one without a venue."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from nautilus_trader.model.currencies import BTC
from nautilus_trader.model.currencies import USDT
from nautilus_trader.model.identifiers import InstrumentId
from nautilus_trader.model.identifiers import Symbol
from nautilus_trader.model.instruments import CryptoPerpetual
from nautilus_trader.model.objects import Price
from nautilus_trader.model.objects import Quantity


BTCUSDT_PERP = InstrumentId.from_str("BTCUSDT-PERP.BITGET")


def btcusdt_perp(
    price_precision: int = 1, size_precision: int = 4, **fields: Any
) -> CryptoPerpetual:
    """
    Return a linear USDT-margined BTCUSDT perpetual (tick 10^-price_precision, step
    10^-size_precision); ``fields`` override or add any ``CryptoPerpetual`` argument.
    """
    arguments: dict[str, Any] = {
        "instrument_id": BTCUSDT_PERP,
        "raw_symbol": Symbol("BTCUSDT"),
        "base_currency": BTC,
        "quote_currency": USDT,
        "settlement_currency": USDT,
        "is_inverse": False,
        "price_precision": price_precision,
        "size_precision": size_precision,
        "price_increment": Price.from_str(f"{Decimal(1).scaleb(-price_precision):f}"),
        "size_increment": Quantity.from_str(f"{Decimal(1).scaleb(-size_precision):f}"),
        "ts_event": 0,
        "ts_init": 0,
    }
    arguments.update(fields)
    return CryptoPerpetual(**arguments)
