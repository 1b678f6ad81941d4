"""
Bitget symbols <-> Nautilus instrument ids, and product type inference (bitget-protocol.md 0, 9.1).

Instrument ids are ``<bitget symbol>-PERP.BITGET`` (architecture.md section 3, contract):
``BTCUSDT-PERP.BITGET`` (USDT-M), ``BTCPERP-PERP.BITGET`` (USDC-M), ``BTCUSD-PERP.BITGET``
(COIN-M, inverse).
"""

from __future__ import annotations

from nautilus_trader.model.identifiers import InstrumentId
from nautilus_trader.model.identifiers import Symbol

from nautilus_bitget.constants import BITGET_VENUE
from nautilus_bitget.constants import PERP_SUFFIX
from nautilus_bitget.constants import BitgetProductType


def instrument_id_for_symbol(symbol: str) -> InstrumentId:
    """
    Return the instrument id of a Bitget perpetual (``BTCUSDT`` -> ``BTCUSDT-PERP.BITGET``).

    Parameters
    ----------
    symbol : str
        The Bitget symbol.

    Returns
    -------
    InstrumentId

    """
    if not symbol:
        raise ValueError("symbol must be a non-empty Bitget symbol, e.g. 'BTCUSDT'")
    return InstrumentId(Symbol(f"{symbol}{PERP_SUFFIX}"), BITGET_VENUE)


def symbol_from_instrument_id(instrument_id: InstrumentId | str) -> str:
    """
    Return the Bitget symbol of an instrument id (``BTCUSDT-PERP.BITGET`` -> ``BTCUSDT``).

    A bare symbol (no ``-PERP`` suffix, no venue) is returned unchanged.

    Parameters
    ----------
    instrument_id : InstrumentId or str
        The instrument id (or its string form, or a bare Bitget symbol).

    Returns
    -------
    str

    """
    if isinstance(instrument_id, InstrumentId):
        text = instrument_id.symbol.value
    else:
        text = instrument_id
        if text.endswith(f".{BITGET_VENUE.value}"):
            text = text[: -len(BITGET_VENUE.value) - 1]
    if text.endswith(PERP_SUFFIX):
        text = text[: -len(PERP_SUFFIX)]
    if not text:
        raise ValueError(f"no Bitget symbol in instrument id {instrument_id!r}")
    return text


def infer_product_type(symbol_or_id: InstrumentId | str) -> BitgetProductType:
    """
    Infer the product type of a Bitget perpetual from its symbol (bitget-protocol.md 9.1).

    ``...PERP`` -> USDC-FUTURES (``BTCPERP``), ``...USD`` -> COIN-FUTURES (``BTCUSD``),
    anything else (``...USDT``) -> USDT-FUTURES.

    Parameters
    ----------
    symbol_or_id : InstrumentId or str
        A Bitget symbol or a ``<symbol>-PERP.BITGET`` instrument id.

    Returns
    -------
    BitgetProductType

    """
    symbol = symbol_from_instrument_id(symbol_or_id).upper()
    if symbol.endswith("PERP"):
        return BitgetProductType.USDC_FUTURES
    if symbol.endswith("USD"):
        return BitgetProductType.COIN_FUTURES
    return BitgetProductType.USDT_FUTURES
