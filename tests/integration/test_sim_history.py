"""
Seeded market history (``--history-days``, ``--funding-interval-secs``): 1m candles, trades and
funding before the start, deterministic from the seed, continued by the live stream, served by the
v2 (bitget-protocol.md 4.5-4.7) and v3 (bitget-protocol-uta.md 2.5-2.7) history endpoints with
their documented page limits.
"""

from __future__ import annotations

import time
from itertools import pairwise
from types import SimpleNamespace

from nautilus_bitget.sim.cli import config_from_args
from nautilus_bitget.sim.exchange import SimExchange
from tests.integration.test_sim_rest import USDT
from tests.integration.test_sim_rest import public


MIN = 60_000
Q = {"symbol": "BTCUSDT", "productType": USDT}


def test_history_is_deterministic_and_continuous() -> None:
    """Same seed, same history (shifted in time); the last seeded close is the live start."""
    a = SimExchange(seed=11, history_days=1, clock=lambda: 1_700_000_000_000)
    b = SimExchange(seed=11, history_days=1, clock=lambda: 1_700_000_000_000 + 7 * MIN)
    c = SimExchange(seed=12, history_days=1, clock=lambda: 1_700_000_000_000)
    ra, rb = a.candles("BTCUSDT", "1m", limit=2000), b.candles("BTCUSDT", "1m", limit=2000)
    assert len(ra) == 1441  # 1440 seeded minutes and the forming one
    assert [r[1:] for r in ra] == [r[1:] for r in rb]
    assert [r[1:] for r in ra] != [r[1:] for r in c.candles("BTCUSDT", "1m", limit=2000)]
    # the forming candle opens at the last seeded close, which is the live start price
    assert ra[-2][4] == ra[-1][1] == a.ticker("BTCUSDT").last_pr
    assert float(ra[-1][5]) == 0
    # every granularity is the aggregate of the 1m candles
    hours = a.candles("BTCUSDT", "1H", limit=100)
    first = next(r for r in hours if int(r[0]) >= int(ra[0][0]))
    minutes = [r for r in ra if int(first[0]) <= int(r[0]) < int(first[0]) + 60 * MIN]
    assert first[1] == minutes[0][1] and first[4] == minutes[-1][4]
    assert float(first[2]) == max(float(r[2]) for r in minutes)
    assert float(first[3]) == min(float(r[3]) for r in minutes)
    # mark / index candles stay within a few basis points of last; volumes "0"
    for kind in ("mark", "index"):
        rows = a.candles("BTCUSDT", "1m", limit=50, kline_type=kind)
        for r, m in zip(rows, ra[-50:], strict=True):
            assert abs(float(r[4]) / float(m[4]) - 1) < 0.0005 and r[5] == "0"
    # trades: a few per minute, ids increase with time, below every live id
    trades = a.recent_trades("BTCUSDT", 100_000)
    assert 3 * 1440 <= len(trades) <= 5 * 1440
    assert all(int(x.trade_id) > int(y.trade_id) and x.ts >= y.ts for x, y in pairwise(trades))
    a.external_trade("BTCUSDT", "buy", "0.010")
    assert int(a.recent_trades("BTCUSDT", 1)[0].trade_id) > int(trades[0].trade_id)
    # funding settlements on the 8 h grid within the day
    funding = a.funding_history("BTCUSDT")
    assert 2 <= len(funding) <= 4 and all(t % (8 * 3_600_000) == 0 for _, t in funding)


def test_cli_flags() -> None:
    """``bitget-nt sim --history-days N --funding-interval-secs S`` reach ``SimConfig``."""
    from nautilus_bitget.cli import build_parser

    args = build_parser().parse_args(["sim"])
    cfg = config_from_args(args)
    assert (cfg.history_days, cfg.funding_interval_secs) == (3.0, 28_800.0)
    args = build_parser().parse_args(
        ["sim", "--history-days", "0.5", "--funding-interval-secs", "3600"]
    )
    cfg = config_from_args(args)
    assert (cfg.history_days, cfg.funding_interval_secs) == (0.5, 3600.0)
    bad = SimpleNamespace(**{**vars(args), "history_days": -1.0})
    try:
        config_from_args(bad)
    except ValueError:
        pass
    else:
        raise AssertionError("negative --history-days accepted")


async def test_v2_history_endpoints_and_limits(sim_factory) -> None:
    sim = await sim_factory(history_days=3, funding_interval_secs=3600)
    now = int(time.time() * 1000)
    # history-candles: 200 per page, finished candles only, paged backwards by endTime
    status, js = await public(
        sim, "/api/v2/mix/market/history-candles", {**Q, "granularity": "1m", "limit": "200"}
    )
    assert status == 200 and len(js["data"]) == 200
    assert int(js["data"][-1][0]) + MIN <= now + 1000
    end = int(js["data"][0][0]) - 1
    status, older = await public(
        sim, "/api/v2/mix/market/history-candles",
        {**Q, "granularity": "1m", "limit": "200", "endTime": str(end)},
    )  # fmt: skip
    assert len(older["data"]) == 200 and int(older["data"][-1][0]) == end + 1 - MIN
    status, js = await public(
        sim, "/api/v2/mix/market/history-candles", {**Q, "granularity": "1m", "limit": "201"}
    )
    assert status == 400
    # candles: up to 1000, from startTime three days back
    start = now - 3 * 86_400_000 + 10 * MIN
    status, js = await public(
        sim, "/api/v2/mix/market/candles",
        {**Q, "granularity": "1m", "limit": "1000", "startTime": str(start),
         "endTime": str(start + 999 * MIN)},
    )  # fmt: skip
    assert status == 200 and len(js["data"]) == 1000
    status, js = await public(
        sim, "/api/v2/mix/market/history-mark-candles", {**Q, "granularity": "1H", "limit": "72"}
    )
    assert len(js["data"]) == 72 and {r[5] for r in js["data"]} == {"0"}
    # history-fund-rate: hourly grid, pageSize / pageNo, newest first
    status, js = await public(
        sim, "/api/v2/mix/market/history-fund-rate", {**Q, "pageSize": "50", "pageNo": "1"}
    )
    page1 = js["data"]
    assert len(page1) == 50 and int(page1[0]["fundingTime"]) > int(page1[-1]["fundingTime"])
    assert all(int(r["fundingTime"]) % 3_600_000 == 0 for r in page1)
    status, js = await public(
        sim, "/api/v2/mix/market/history-fund-rate", {**Q, "pageSize": "50", "pageNo": "2"}
    )
    assert 20 <= len(js["data"]) <= 25
    assert int(js["data"][0]["fundingTime"]) < int(page1[-1]["fundingTime"])
    # fills-history: idLessThan paging and a time window
    status, js = await public(sim, "/api/v2/mix/market/fills-history", {**Q, "limit": "1000"})
    rows = js["data"]
    assert len(rows) == 1000
    status, js = await public(
        sim, "/api/v2/mix/market/fills-history",
        {**Q, "limit": "1000", "idLessThan": rows[-1]["tradeId"]},
    )  # fmt: skip
    assert len(js["data"]) == 1000 and int(js["data"][0]["tradeId"]) < int(rows[-1]["tradeId"])
    window = {"startTime": str(now - 2 * 86_400_000), "endTime": str(now - 2 * 86_400_000 + MIN)}
    status, js = await public(sim, "/api/v2/mix/market/fills-history", {**Q, **window})
    assert 2 <= len(js["data"]) <= 6
    assert all(int(window["startTime"]) <= int(r["ts"]) <= int(window["endTime"])
               for r in js["data"])  # fmt: skip


async def test_v3_history_endpoints(sim_factory) -> None:
    sim = await sim_factory(account_mode="uta", history_days=3)
    q = {"category": "USDT-FUTURES", "symbol": "BTCUSDT", "interval": "1m"}
    status, js = await public(sim, "/api/v3/market/history-candles", {**q, "limit": "100"})
    assert status == 200 and len(js["data"]) == 100
    status, js = await public(sim, "/api/v3/market/history-candles", {**q, "limit": "500"})
    assert len(js["data"]) == 100  # 2.5: at most 100
    status, js = await public(sim, "/api/v3/market/candles", {**q, "limit": "1000", "type": "MARK"})
    assert len(js["data"]) == 1000 and {r[5] for r in js["data"]} == {"0"}
    q = {"category": "USDT-FUTURES", "symbol": "BTCUSDT"}
    status, js = await public(
        sim, "/api/v3/market/history-fund-rate", {**q, "limit": "4", "cursor": "1"}
    )
    page1 = js["data"]["resultList"]
    status, js = await public(
        sim, "/api/v3/market/history-fund-rate", {**q, "limit": "4", "cursor": "2"}
    )
    page2 = js["data"]["resultList"]
    assert len(page1) == len(page2) == 4  # 9 settlements in three days of 8 h
    assert int(page1[-1]["fundingRateTimestamp"]) > int(page2[0]["fundingRateTimestamp"])
    status, js = await public(sim, "/api/v3/market/fills", {**q, "limit": "100"})
    assert len(js["data"]) == 100
