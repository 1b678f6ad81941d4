"""
Lenient wire types shared by every Bitget schema module.

Bitget sends numbers as JSON strings almost everywhere, but not always (bitget-protocol.md 2.4):
``merge-depth`` levels, account leverages, the WS positions ``leverage``, ``seq``/``pseq`` and the
envelope ``requestTime`` can be JSON numbers, and empty values are ``""`` or ``null``. msgspec
does not coerce a JSON number into ``str``, so numeric fields are typed ``StrNum`` (the value as
received: ``str``, ``int`` or ``float``) and converted with the helpers below where used.

Prices and sizes keep their wire text when Bitget sends a string, so no precision is lost;
``instrument.make_price``/``make_qty`` accept ``str``, ``int`` and ``float`` alike.
"""

from __future__ import annotations

from decimal import Decimal
from decimal import InvalidOperation


# A JSON string or number, kept as received (``""`` is a valid "empty" value)
type StrNum = str | int | float


def num_str(value: StrNum | None) -> str:
    """
    Return the wire value as text (``""`` for ``None``).

    Floats use ``repr`` (the shortest round-trip form), so ``26347.5`` stays ``"26347.5"``.

    Parameters
    ----------
    value : str, int, float or None
        The wire value.

    Returns
    -------
    str

    """
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):  # a JSON true/false is never a number
        return str(value).lower()
    return repr(value) if isinstance(value, float) else str(value)


def num_decimal(value: StrNum | None) -> Decimal | None:
    """
    Return the wire value as a ``Decimal``, or ``None`` when empty (``""``/``None``) or invalid.

    Parameters
    ----------
    value : str, int, float or None
        The wire value.

    Returns
    -------
    Decimal or None

    """
    text = num_str(value).strip()
    if not text:
        return None
    try:
        result = Decimal(text)
    except InvalidOperation:
        return None
    return result if result.is_finite() else None


def num_float(value: StrNum | None) -> float | None:
    """
    Return the wire value as a ``float``, or ``None`` when empty or invalid.

    Parameters
    ----------
    value : str, int, float or None
        The wire value.

    Returns
    -------
    float or None

    """
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    text = num_str(value).strip()
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        return None


def num_int(value: StrNum | None) -> int | None:
    """
    Return the wire value as an ``int`` (ms timestamps, ids, counts), or ``None`` when empty.

    Integral strings are parsed exactly (sequence numbers may exceed 2**53, bitget-protocol.md 9.5);
    ``"8.0"`` style values are accepted when integral.

    Parameters
    ----------
    value : str, int, float or None
        The wire value.

    Returns
    -------
    int or None

    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    text = num_str(value).strip()
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        dec = num_decimal(text)
        if dec is not None and dec == dec.to_integral_value():
            return int(dec)
        return None


def is_empty(value: StrNum | None) -> bool:
    """Return whether a wire value is empty (``None`` or a blank string)."""
    return value is None or (isinstance(value, str) and not value.strip())
