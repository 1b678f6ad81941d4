"""
Per-IP WebSocket connection limits of the simulator (bitget-protocol.md 3.1).

Bitget allows at most 100 concurrent connections per IP and 300 connection attempts per IP in
5 minutes. :class:`ConnectionGate` counts both over every socket of one simulator (v2 and v3,
public and private); a refused attempt is answered at the handshake with HTTP 429 (how Bitget
refuses is not documented; 3.1). Refused attempts count as attempts.
"""

from __future__ import annotations

from collections import deque

from nautilus_bitget.sim.config import SimConfig


class ConnectionGate:
    """
    Admit or refuse new WebSocket connections per client IP.

    Parameters
    ----------
    config : SimConfig
        ``ws_max_connections_per_ip``, ``ws_max_connects_per_window``, ``ws_connect_window_secs``
        (0 disables a limit).

    """

    def __init__(self, config: SimConfig) -> None:
        self._max_open = config.ws_max_connections_per_ip
        self._max_attempts = config.ws_max_connects_per_window
        self._window = config.ws_connect_window_secs
        self._open: dict[str, int] = {}
        self._attempts: dict[str, deque[float]] = {}
        self.refused = 0

    def open_count(self, ip: str) -> int:
        """Return the open connections of ``ip``."""
        return self._open.get(ip, 0)

    def admit(self, ip: str, now: float) -> str | None:
        """
        Count one connection attempt of ``ip`` at ``now`` (monotonic seconds).

        Returns
        -------
        str or None
            ``None`` when admitted (call ``release`` when it closes), else why it is refused.

        """
        if self._max_attempts:
            attempts = self._attempts.setdefault(ip, deque())
            attempts.append(now)
            while attempts and now - attempts[0] > self._window:
                attempts.popleft()
            if len(attempts) > self._max_attempts:
                self.refused += 1
                return (
                    f"more than {self._max_attempts} connection attempts in "
                    f"{self._window:g} s from {ip}"
                )
        if self._max_open and self._open.get(ip, 0) >= self._max_open:
            self.refused += 1
            return f"more than {self._max_open} connections from {ip}"
        self._open[ip] = self._open.get(ip, 0) + 1
        return None

    def release(self, ip: str) -> None:
        """Forget one closed connection of ``ip``."""
        n = self._open.get(ip, 0) - 1
        if n > 0:
            self._open[ip] = n
        else:
            self._open.pop(ip, None)
