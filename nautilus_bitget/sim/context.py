"""
What the simulator's protocol layers may use of one simulator, instead of the whole server.

REST handlers get a :class:`RestContext` (the engine and the server clock; the v3 family adds its
order-id bookkeeping, :class:`~nautilus_bitget.sim.v3.orders.V3Context`). Socket servers get a
:class:`WsContext` (the engine, the configuration, the fault state and the authenticator).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from nautilus_bitget.sim.auth import SimAuthenticator
from nautilus_bitget.sim.config import SimConfig
from nautilus_bitget.sim.exchange import SimExchange
from nautilus_bitget.sim.faults import SimFaults
from nautilus_bitget.sim.ws_limits import ConnectionGate


@dataclass(frozen=True)
class RestContext:
    """
    What a REST handler may use.

    Parameters
    ----------
    exchange : SimExchange
        The engine (accounts, orders, positions, markets).
    now_ms : callable
        The server clock in ms (the exchange clock plus any ``clock_skew`` fault).

    """

    exchange: SimExchange
    now_ms: Callable[[], int]


@dataclass(frozen=True)
class WsContext:
    """
    What a WebSocket server may use.

    Parameters
    ----------
    exchange : SimExchange
        The engine whose events the server pushes.
    config : SimConfig
        Limits and options (checksum, idle timeout, message and channel limits).
    faults : SimFaults
        The fault state (withheld pongs, book faults, lost or delayed private pushes).
    auth : SimAuthenticator
        Verifies private logins.
    gate : ConnectionGate, optional
        Per-IP connection limits shared by every socket (none: unlimited).

    """

    exchange: SimExchange
    config: SimConfig
    faults: SimFaults
    auth: SimAuthenticator
    gate: ConnectionGate | None = None
