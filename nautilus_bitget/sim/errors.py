"""
Rejections of the simulated exchange: :class:`SimError`, Bitget's error codes, and the
request-body field readers that raise them (bitget-protocol.md 8.1, 8.2).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from decimal import InvalidOperation
from typing import Any


# -- error codes (bitget-protocol.md 8.2)
# ------------------------------------------------------------
ERR_APIKEY_NOT_EXIST = "40037"
ERR_PARAM_EMPTY = "40019"  # Parameter {0} cannot be empty
ERR_PARAM_ERROR = "40020"  # Parameter {0} error
ERR_NOT_EXIST = "40034"  # Parameter {0} does not exist (unknown symbol)
ERR_CLIENT_OID_TOO_LONG = "40304"
ERR_CLIENT_OID_INVALID = "40305"
ERR_BATCH_TOO_MANY = "40306"  # batch up to 20
ERR_INSUFFICIENT = "40762"  # order amount exceeds the balance
ERR_ORDER_NOT_EXIST = "40768"
ERR_MODE_MISMATCH = "40774"  # one-way/hedge order shape does not match posMode (9.3)
ERR_PRECISION = "40808"  # size checkBDScale error
ERR_BATCH_CANCEL_TOO_MANY = "40912"
ERR_POS_MODE_SWITCH = "40920"
ERR_ID_REQUIRED = "40924"  # orderId and clientOid must have one
ERR_MODIFY_PAIR = "40925"  # price and size must be passed together
ERR_MAINTAIN = "41114"
ERR_PLAN_NOT_EXIST = "43025"
ERR_TPSL_NOT_EXIST = "43020"
ERR_DUPLICATE_CLIENT_OID = "43118"
ERR_MIN_NOTIONAL = "45110"  # less than the minimum amount 5 USDT
ERR_MIN_QTY = "45111"
ERR_MAX_QTY = "45112"
ERR_PRICE_TICK = "45115"
ERR_MARGIN_MODE_SWITCH = "45117"
ERR_NO_POSITION = "22002"  # No position to close
ERR_POSITION_NOT_ENOUGH = "40757"  # Not enough position is available (close > position)
ERR_TP_PRICE = "40829"  # TP price on the wrong side
ERR_SL_PRICE = "40830"  # SL price on the wrong side


class SimError(Exception):
    """
    A rejection: Bitget's error ``code`` (string) and ``msg`` (bitget-protocol.md 8.1).

    Raised by the engine and by the REST handlers; the request pipeline answers it with the
    error envelope and HTTP ``status``.

    Parameters
    ----------
    code : str
        The Bitget error code.
    msg : str
        The message.
    status : int, default 400
        The HTTP status of the error response (429 for rate limits).

    """

    def __init__(self, code: str, msg: str, status: int = 400) -> None:
        super().__init__(f"{code}: {msg}")
        self.code = code
        self.msg = msg
        self.status = status


def param_error(key: str) -> SimError:
    """Return the 40020 ``Parameter {key} error`` rejection."""
    return SimError(ERR_PARAM_ERROR, f"Parameter {key} error")


def req(body: Mapping[str, Any], key: str) -> str:
    """Return the required field ``key`` as a string; 40019 when absent or empty."""
    value = body.get(key)
    if value is None or value == "":
        raise SimError(ERR_PARAM_EMPTY, f"Parameter {key} cannot be empty")
    return str(value)


def opt(body: Mapping[str, Any], key: str) -> str | None:
    """Return the optional field ``key`` as a string (``None`` when absent or empty)."""
    value = body.get(key)
    if value is None or value == "":
        return None
    return str(value)


def dec(value: Any, key: str) -> Decimal:
    """Return ``value`` as a finite Decimal; 40020 otherwise."""
    try:
        d = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise param_error(key) from None
    if not d.is_finite():
        raise param_error(key)
    return d


def choice(value: str, allowed: tuple[str, ...], key: str) -> str:
    """Return ``value`` when it is one of ``allowed``; 40020 otherwise."""
    if value not in allowed:
        raise param_error(key)
    return value


def yes(value: Any) -> bool:
    """Return whether a ``YES``/``yes``/``true`` flag is set."""
    return str(value).lower() in ("yes", "true")
