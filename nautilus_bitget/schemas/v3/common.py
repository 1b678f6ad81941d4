"""
Tolerance helpers of the v3 wire (bitget-protocol-uta.md section 7.3).

v3 mixes cases (``category`` upper case on REST, lower case on public sockets and some private
pushes), spells flags ``yes``/``no``/``YES``/``NO`` (or booleans), uses ``cancelled`` where v2 said
``canceled``, and sends ``seq``/``pseq`` as JSON numbers above 2**53 or as strings (4.5).
"""

from __future__ import annotations

import builtins
import functools
import types
import typing
from typing import TYPE_CHECKING
from typing import Any
from typing import Final

import msgspec

from nautilus_bitget.schemas.common import StrNum
from nautilus_bitget.schemas.common import num_int
from nautilus_bitget.schemas.common import num_str


# A sequence number: a JSON integer (possibly > 2**53) or a string; never a float
SeqNum = int | str

# A flag as sent: "yes"/"no" in any case, a JSON boolean, or 1/0
Flag = str | bool | int

CATEGORIES: Final[frozenset[str]] = frozenset(
    {"SPOT", "MARGIN", "USDT-FUTURES", "COIN-FUTURES", "USDC-FUTURES"},
)
FUTURES_CATEGORIES: Final[frozenset[str]] = frozenset(
    {"USDT-FUTURES", "COIN-FUTURES", "USDC-FUTURES"},
)

if TYPE_CHECKING:
    NullList = builtins.list
else:

    class NullList:
        """
        ``NullList[X]``: a v3 list field that may arrive as JSON ``null`` (bitget-protocol-uta.md
        1.3: an empty list is sent as ``null``, e.g. ``current-position`` of a flat account
        answers ``{"list": null}``).

        Decodes as ``list[X] | None``; a ``NullListStruct`` turns ``None`` into ``[]`` right
        after decoding, so readers always see a list (type checkers see ``list[X]``).
        """

        def __class_getitem__(cls, item: Any) -> Any:
            return builtins.list[item] | None


@functools.cache
def _null_list_fields(cls: type) -> tuple[str, ...]:
    """Return the names of ``cls``'s fields typed ``list[...] | None`` (``NullList``)."""
    out = []
    for field in msgspec.structs.fields(cls):
        args = typing.get_args(field.type)
        if (
            typing.get_origin(field.type) in (typing.Union, types.UnionType)
            and type(None) in args
            and any(typing.get_origin(a) is builtins.list for a in args)
        ):
            out.append(field.name)
    return tuple(out)


class NullListStruct(msgspec.Struct, frozen=True):
    """
    Base of the v3 structs with list fields: every ``NullList`` field decoded from ``null`` is
    ``[]`` after decoding (one rule for the whole v3 wire, bitget-protocol-uta.md 1.3).
    """

    def __post_init__(self) -> None:
        for name in _null_list_fields(type(self)):
            if getattr(self, name) is None:
                msgspec.structs.force_setattr(self, name, [])


_ORDER_STATUS_ALIASES: Final[dict[str, str]] = {
    "canceled": "cancelled",
    "partial_fill": "partially_filled",
    "partial-fill": "partially_filled",
}


def norm_category(value: str | None) -> str:
    """
    Return the upper-case category (``usdt-futures`` -> ``USDT-FUTURES``; ``""`` for None).

    Parameters
    ----------
    value : str or None
        ``category`` or ``instType`` as sent (either case).

    Returns
    -------
    str

    """
    return (value or "").strip().upper()


def ws_inst_type(category: str) -> str:
    """Return the lower-case public-socket ``instType`` of a category (4.3)."""
    return category.strip().lower()


def flag(value: Flag | None) -> bool:
    """
    Return a ``yes``/``no`` style flag as a bool (``YES``, ``yes``, ``true``, ``1`` are true).

    Parameters
    ----------
    value : str, bool, int or None

    Returns
    -------
    bool

    """
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value != 0
    return value.strip().lower() in ("yes", "true", "1", "y")


def norm_order_status(value: str | None) -> str:
    """Return the v3 order status in its documented spelling (``canceled`` -> ``cancelled``)."""
    text = (value or "").strip().lower()
    return _ORDER_STATUS_ALIASES.get(text, text)


def seq_int(value: SeqNum | StrNum | None) -> int | None:
    """
    Return a ``seq``/``pseq`` as an exact ``int`` (``None`` when empty or not integral).

    Parameters
    ----------
    value : int, str or None

    Returns
    -------
    int or None

    """
    if isinstance(value, float):
        return None  # a float has already lost precision above 2**53: refuse it
    return num_int(value)


def text(value: StrNum | None) -> str:
    """Return a wire value as text (``""`` for None); floats in shortest round-trip form."""
    return num_str(value)
