"""
Fault drills: the real clients against the simulator's fault controls, checked against the
simulator's truth (``python -m nautilus_bitget.faults``, ``make faults``).

Each drill returns one or more :class:`~nautilus_bitget.faults.result.Drill` rows (drill,
expected, observed, data lost, passed); the runner prints them as a table and exits non-zero if
any failed.
"""
