"""What the client shares with its collaborators at run time: tunables, connection times."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import fields


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

    def __get__(self, obj: object | None, _objtype: type | None = None) -> T:
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
