"""Shared pytest fixtures: a started Bitget simulator (``sim``) and a factory for custom configs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from collections.abc import Awaitable
from collections.abc import Callable

import pytest

from nautilus_bitget.sim import BitgetSimulator
from nautilus_bitget.sim import SimConfig


# Fast enough for tests to see several book updates per second without loading the CPU
TEST_BOOK_RATE_HZ = 20.0


@pytest.fixture
async def sim_factory() -> AsyncIterator[Callable[..., Awaitable[BitgetSimulator]]]:
    """
    Return ``await make(**SimConfig fields)`` starting a simulator on a free port.

    Every simulator started through the factory is stopped at teardown.
    """
    started: list[BitgetSimulator] = []

    async def make(**overrides) -> BitgetSimulator:
        fields = {"host": "127.0.0.1", "port": 0, "book_rate_hz": TEST_BOOK_RATE_HZ}
        fields.update(overrides)
        simulator = BitgetSimulator(SimConfig(**fields))
        await simulator.start()
        started.append(simulator)
        return simulator

    yield make
    for simulator in started:
        await simulator.stop()


@pytest.fixture
async def sim(sim_factory) -> BitgetSimulator:
    """Return a started simulator (default symbols and account, fast book rate)."""
    return await sim_factory()
