"""Rate limits: the table, the rolling-window bucket, and what a real server observes."""

from __future__ import annotations

import asyncio
import time

import pytest

from nautilus_bitget.http.client import BitgetHttpClient
from nautilus_bitget.http.ratelimit import DEFAULT_RULE
from nautilus_bitget.http.ratelimit import BitgetRateLimiter
from nautilus_bitget.http.ratelimit import RateLimitRule
from nautilus_bitget.http.ratelimit import RollingWindowLimiter
from nautilus_bitget.http.ratelimit import rule_for
from tests.unit.test_http_client import FakeRest
from tests.unit.test_http_client import make_credentials


ALL_POSITION = "/api/v2/mix/position/all-position"  # 5/s per UID (bitget-protocol.md 7.2)


def max_in_window(times: list[float], window: float) -> int:
    times = sorted(times)
    return max(sum(1 for t in times[i:] if t - start < window) for i, start in enumerate(times))


def test_table_rules() -> None:
    assert rule_for("/api/v2/mix/order/place-order") == RateLimitRule(10, "uid")
    assert rule_for("/api/v2/mix/order/batch-place-order") == RateLimitRule(5, "uid")
    assert rule_for("/api/v2/mix/order/close-positions") == RateLimitRule(1, "uid")
    assert rule_for(ALL_POSITION) == RateLimitRule(5, "uid")
    assert rule_for("/api/v2/mix/market/contracts") == RateLimitRule(20, "ip")
    assert rule_for("/api/v2/mix/market/fills-history") == RateLimitRule(10, "ip")
    assert rule_for("/api/v2/mix/account/set-asset-mode") == RateLimitRule(2, "uid")
    assert rule_for("/api/v2/some/unknown") == DEFAULT_RULE == RateLimitRule(10, "uid")


def test_scopes_share_buckets_by_key_and_host() -> None:
    a = BitgetRateLimiter("h1", "k1")
    b = BitgetRateLimiter("h2", "k1")
    c = BitgetRateLimiter("h1", "k2")
    assert a.limiter_for(ALL_POSITION) is b.limiter_for(ALL_POSITION)
    assert a.limiter_for(ALL_POSITION) is not c.limiter_for(ALL_POSITION)
    contracts = "/api/v2/mix/market/contracts"
    assert a.limiter_for(contracts) is c.limiter_for(contracts)
    assert a.limiter_for(contracts) is not b.limiter_for(contracts)


async def test_rolling_window_limits_burst() -> None:
    limiter = RollingWindowLimiter(5, period=0.3)
    taken = []
    for _ in range(12):
        await limiter.acquire()
        taken.append(time.monotonic())
    assert max_in_window(taken, 0.3) <= 5
    assert taken[-1] - taken[0] >= 0.6


def test_rejects_bad_limit() -> None:
    with pytest.raises(ValueError, match="limit"):
        RollingWindowLimiter(0)


@pytest.fixture
async def fake():
    server = await FakeRest().start()
    yield server
    await server.stop()


async def test_burst_on_5_per_sec_endpoint_is_spread_out(fake: FakeRest) -> None:
    http = BitgetHttpClient(fake.url, make_credentials())
    try:
        start = time.monotonic()
        await asyncio.gather(*(http.get(ALL_POSITION, signed=True) for _ in range(8)))
        elapsed = time.monotonic() - start
    finally:
        await http.close()
    times = [s.at for s in fake.requests_to(ALL_POSITION)]
    assert len(times) == 8
    assert max_in_window(times, 0.8) <= 5
    assert elapsed >= 0.9


async def test_two_clients_with_one_key_share_a_bucket(fake: FakeRest) -> None:
    credentials = make_credentials()
    first = BitgetHttpClient(fake.url, credentials)
    second = BitgetHttpClient(fake.url, credentials)
    try:
        start = time.monotonic()
        await asyncio.gather(
            *(first.get(ALL_POSITION, signed=True) for _ in range(4)),
            *(second.get(ALL_POSITION, signed=True) for _ in range(4)),
        )
        elapsed = time.monotonic() - start
    finally:
        await first.close()
        await second.close()
    times = [s.at for s in fake.requests_to(ALL_POSITION)]
    assert len(times) == 8
    assert max_in_window(times, 0.8) <= 5
    assert elapsed >= 0.9


async def test_clients_with_different_keys_do_not_wait_on_each_other(fake: FakeRest) -> None:
    first = BitgetHttpClient(fake.url, make_credentials())
    second = BitgetHttpClient(fake.url, make_credentials())
    try:
        start = time.monotonic()
        await asyncio.gather(
            *(first.get(ALL_POSITION, signed=True) for _ in range(5)),
            *(second.get(ALL_POSITION, signed=True) for _ in range(5)),
        )
        elapsed = time.monotonic() - start
    finally:
        await first.close()
        await second.close()
    assert elapsed < 0.9
