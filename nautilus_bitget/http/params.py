"""
Request building shared by the v2 endpoint groups: wire values and body / query dicts.

Values are sent as strings with wire names. Bodies omit unset (``None``) fields; query dicts may
keep ``None`` values, which ``BitgetHttpClient.get`` drops.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from nautilus_bitget.constants import BitgetProductType


Value = str | int | float | Decimal


def product_type_param(product_type: BitgetProductType | str) -> str:
    """
    Return the ``productType`` wire value (uppercase, bitget-protocol.md 9.7).

    Parameters
    ----------
    product_type : BitgetProductType or str
        The product type (enum or wire string, any case).

    Returns
    -------
    str

    """
    if isinstance(product_type, BitgetProductType):
        return product_type.value
    return BitgetProductType(product_type.upper()).value


def margin_coin_param(margin_coin: str | None) -> str | None:
    """Return ``marginCoin`` uppercase (``None`` stays ``None``)."""
    return None if margin_coin is None else margin_coin.upper()


def wire_text(value: Value) -> str:
    """
    Return a number as plain wire text (``Decimal`` never in exponent form).

    Parameters
    ----------
    value : str, int, float or Decimal
        The value (a ``str`` is sent unchanged).

    Returns
    -------
    str

    """
    if isinstance(value, str):
        return value
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, bool):
        raise TypeError("a boolean is not a price or size")
    return str(value)


def wire_body(**fields: Any) -> dict[str, Any]:
    """Return a POST body: wire text values (lists and dicts as given), ``None`` omitted."""
    # The venue treats "" and absent differently for some keys
    out: dict[str, Any] = {}
    for key, value in fields.items():
        if value is None:
            continue
        out[key] = value if isinstance(value, list | dict) else wire_text(value)
    return out


def symbol_query(
    symbol: str | None,
    product_type: BitgetProductType | str,
    **extra: Any,
) -> dict[str, Any]:
    """Return ``{"symbol", "productType", **extra}`` (``productType`` normalised)."""
    return {"symbol": symbol, "productType": product_type_param(product_type), **extra}


def page_query(
    id_less_than: str | None,
    start_time: int | None,
    end_time: int | None,
    limit: int | None,
) -> dict[str, Any]:
    """Return the ``idLessThan`` cursor, time window and ``limit`` of a paged query."""
    return {
        "idLessThan": id_less_than,
        "startTime": start_time,
        "endTime": end_time,
        "limit": limit,
    }
