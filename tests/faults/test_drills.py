"""
The fault drills of ``make faults`` as tests: each drill runs the real clients against the
simulator's fault controls and must pass with nothing lost.
"""

from __future__ import annotations

import pytest

from nautilus_bitget.faults.__main__ import ALL_DRILLS


pytestmark = [pytest.mark.faults, pytest.mark.timeout(120)]

# Drills that take longer than a few seconds by nature (a subprocess recorder run) stay in
# `make faults` only.
SLOW = {"drill_recorder_sigkill"}


@pytest.mark.parametrize(
    "drill",
    [d for d in ALL_DRILLS if d.__name__ not in SLOW],
    ids=lambda d: d.__name__.removeprefix("drill_"),
)
async def test_drill(drill) -> None:
    result = await drill()
    assert result.result == "PASS", (
        f"{result.name}: {result.observed} (data lost {result.data_lost})"
    )
