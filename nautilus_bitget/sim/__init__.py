"""
The local Bitget simulator (API v2 classic, ``mix``): REST, public and private WebSockets and fault
controls on one port, built to Bitget's documented behaviour (bitget-protocol.md).

Usage::

    sim = BitgetSimulator(SimConfig(port=0))
    await sim.start()      # sim.http_url, sim.ws_public_url, sim.ws_private_url
    sim.exchange           # the truth (books, accounts, orders, fills, positions, bills)
    sim.faults             # fault controls (see nautilus_bitget.sim.faults)
    await sim.stop()
"""

from nautilus_bitget.sim.server import BitgetSimulator
from nautilus_bitget.sim.server import SimConfig


__all__ = ["BitgetSimulator", "SimConfig"]
