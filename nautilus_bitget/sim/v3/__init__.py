"""
The simulator's UTA API v3 family (bitget-protocol-uta.md): REST ``/api/v3/...`` and the sockets
``/v3/ws/public`` / ``/v3/ws/private``, backed by the same engine as v2.

:class:`~nautilus_bitget.sim.v3.layer.SimV3` groups them; ``BitgetSimulator`` mounts its REST API
on the shared request pipeline and serves its sockets.
"""
