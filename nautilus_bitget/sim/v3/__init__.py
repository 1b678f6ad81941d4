"""
The simulator's UTA API v3 protocol layer (bitget-protocol-uta.md): REST ``/api/v3/...`` and the
sockets ``/v3/ws/public`` / ``/v3/ws/private``, backed by the same engine as v2.

Wiring (in ``BitgetSimulator.start``, **before** the v2 catch-all ``/api/{tail:.*}`` route)::

    from nautilus_bitget.sim.v3 import register_v3_routes
    self.v3 = register_v3_routes(app, self)

The layer starts and stops its own tasks through the app's ``on_startup``/``on_shutdown`` hooks.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from nautilus_bitget.sim.v3.layer import SimV3


def register_v3_routes(app: web.Application, simulator: Any) -> SimV3:
    """
    Add the v3 REST and WebSocket routes of ``simulator`` to ``app`` and return the layer.

    Parameters
    ----------
    app : aiohttp.web.Application
        The simulator's application (not yet started).
    simulator : BitgetSimulator
        Provides ``exchange``, ``auth``, ``faults``, ``config`` and ``now_ms``.

    Returns
    -------
    SimV3

    """
    layer = getattr(simulator, "_v3_layer", None)
    if layer is None:
        layer = SimV3(simulator)
        simulator._v3_layer = layer
    layer.register(app)
    return layer


__all__ = ["SimV3", "register_v3_routes"]
