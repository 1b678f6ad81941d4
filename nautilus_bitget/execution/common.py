"""Constants, tunables and small helpers shared by the execution client's collaborators."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import fields
from typing import Any
from typing import Final
from typing import overload

from nautilus_trader.core.uuid import UUID4
from nautilus_trader.model.enums import OrderStatus
from nautilus_trader.model.orders import Order

from nautilus_bitget.common.orders import PLAN_ORDER_TYPES
from nautilus_bitget.parsing import execution as px


TRADE_ID_MEMORY: Final[int] = 100_000  # fills de-duplicated by trade id (bounded)
BILL_ID_MEMORY: Final[int] = 10_000  # funding bills de-duplicated by bill id (bounded)
# post-only orders refused because they would take: v2 (40915, 43011) and v3 (22031)
POST_ONLY_CODES: Final[frozenset[str]] = frozenset({"40915", "43011", "22031"})


def dec_positive(value: Any) -> bool:
    """Return whether a wire number is set and positive."""
    number = px.dec(value)
    return number is not None and number > 0


def text_lower(value: Any) -> str:
    """Return a wire flag lowercased (``""`` for ``None``)."""
    return str(value).lower() if value is not None else ""


def is_live_plan(order: Order) -> bool:
    """Return whether ``order`` is a trigger order whose venue plan has not fired yet."""
    return order.order_type in PLAN_ORDER_TYPES and order.status != OrderStatus.TRIGGERED


def new_uuid() -> UUID4:
    """Return a fresh Nautilus ``UUID4`` (command ids, request ids)."""
    return UUID4()


@dataclass(slots=True)
class ExecTimings:
    """
    The execution client's tunables, one instance shared by the client and its collaborators.

    Collaborators read a value when they use it, so a value set on the client after
    construction (tests shorten the waits) takes effect everywhere.
    """

    funding_poll_secs: float
    unknown_outcome_retries: int
    unknown_outcome_delay_secs: float
    rate_limit_resends: int
    cancel_confirm_secs: float
    watchdog_interval_secs: float
    bracket_link_wait_secs: float

    @classmethod
    def of(cls, owner: type) -> ExecTimings:
        """Return the timings whose values are ``owner``'s class-level tunables."""
        return cls(**{f.name: getattr(owner, f.name) for f in fields(cls)})


class Tunable[T]:
    """
    A class-level default of the client that, set on an instance, lands in its ``ExecTimings``.

    Parameters
    ----------
    default : T
        The value read on the class (and the instance's initial value).

    """

    def __init__(self, default: T) -> None:
        self.default = default
        self.name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, obj: None, objtype: type | None = None) -> T: ...

    @overload
    def __get__(self, obj: object, objtype: type | None = None) -> T: ...

    def __get__(self, obj: object | None, objtype: type | None = None) -> T:
        if obj is None:
            return self.default
        value: T = getattr(_timings_of(obj), self.name)
        return value

    def __set__(self, obj: object, value: T) -> None:
        setattr(_timings_of(obj), self.name, value)


def _timings_of(obj: object) -> ExecTimings:
    timings = getattr(obj, "timings", None)
    if not isinstance(timings, ExecTimings):
        raise TypeError(f"{type(obj).__name__} has no ExecTimings 'timings'")
    return timings


@dataclass(slots=True)
class Session:
    """
    Connection times of the private session (venue clock, ms).

    Attributes
    ----------
    connected_ms : int
        When ``_connect`` ran: funding bills and plan history are read from here.
    disconnected_ms : int or None
        When the private socket last dropped: the backfill after the reconnect starts here.

    """

    connected_ms: int = 0
    disconnected_ms: int | None = None
