"""
The market half of the API seam against the simulator (v2 and v3 served over real sockets): both
``MarketApi`` implementations give the same rows in the shared shape, and the v3 one reads its own
endpoints except where v3 has none (historical trades, UTC-anchored candles of 6 hours or more).
"""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest

from nautilus_bitget.api.family import build_api
from nautilus_bitget.api.family import public_account_type
from nautilus_bitget.api.family import select_api
from nautilus_bitget.api.market import MarketApi
from nautilus_bitget.common.errors import BitgetError
from nautilus_bitget.constants import BitgetProductType
from nautilus_bitget.http.client import BitgetHttpClient
from nautilus_bitget.parsing.instruments import is_tradable
from nautilus_bitget.schemas.common import num_str


pytestmark = pytest.mark.timeout(60)

USDT = BitgetProductType.USDT_FUTURES
V2_MARKET = "/api/v2/mix/market/"


def _freeze(sim) -> None:
    # sim-internal hook (as tests/integration/test_recorder.py): stop the market clock so both
    # APIs see the same book, trades and candles
    for task in sim._tasks:
        if task.get_name() == "sim-step":
            task.cancel()


def _dec(value) -> Decimal | None:
    text = num_str(value)
    return Decimal(text) if text else None


def _candles(rows, now_ms: int) -> list[tuple]:
    # closed 1-minute candles only (v3 history may include the forming one)
    return [
        tuple(_dec(v) for v in (r.ts, r.open, r.high, r.low, r.close, r.baseVolume))
        for r in rows
        if int(num_str(r.ts)) + 60_000 <= now_ms
    ]


@pytest.fixture
async def apis(sim_factory):
    # the seeded history (default --history-days) gives far more than one page of settlements
    sim = await sim_factory(account_mode="uta", funding_interval_secs=0.3)
    await asyncio.sleep(1.2)  # trades, candles and a few funding settlements
    _freeze(sim)
    http = BitgetHttpClient(sim.http_url, max_retries=0)
    yield sim, build_api("classic", http).market, build_api("uta", http).market
    await http.close()


async def test_v2_and_v3_give_the_same_rows(apis) -> None:
    sim, v2, v3 = apis
    markets: tuple[MarketApi, MarketApi] = (v2, v3)  # both implement the protocol (mypy)
    assert [(m.name, m.account_type) for m in markets] == [("v2", "classic"), ("v3", "uta")]

    contracts = [{c.symbol: c for c in await m.contracts(USDT)} for m in markets]
    assert contracts[0].keys() == contracts[1].keys()
    for symbol, row in contracts[0].items():  # statuses differ in name, not in meaning
        other = contracts[1][symbol]
        assert is_tradable(row) == is_tradable(other), symbol
        assert num_str(row.fundInterval) == num_str(other.fundInterval), symbol

    tickers = [(await m.tickers(USDT, "BTCUSDT"))[0] for m in (v2, v3)]
    for field in ("lastPr", "markPrice", "indexPrice", "bidPr", "askPr", "fundingRate"):
        assert _dec(getattr(tickers[0], field)) == _dec(getattr(tickers[1], field)), field

    rates = [
        {(r.symbol, _dec(r.fundingRate), num_str(r.fundingRateInterval)) for r in rows}
        for rows in [await m.current_funding_rates(USDT, ["BTCUSDT", "ETHUSDT"]) for m in (v2, v3)]
    ]
    assert rates[0] == rates[1]
    assert {r[0] for r in rates[0]} == {"BTCUSDT", "ETHUSDT"}

    history = [
        [
            (int(num_str(r.fundingTime)), _dec(r.fundingRate))
            for r in await m.funding_history("BTCUSDT", USDT)
        ]
        for m in (v2, v3)
    ]
    truth = {t: Decimal(r) for r, t in sim.exchange.funding_history("BTCUSDT")}
    # bitget-protocol-uta.md 2.7: v3 pages by the page-number cursor until a short page
    assert history[0] == history[1] and len(history[0]) > 100
    assert history[0] == sorted(history[0])
    last = history[0][-1][0]  # a settlement after the listing is not in it
    assert history[0] == sorted((t, r) for t, r in truth.items() if t <= last)

    now_ms = sim.exchange.now_ms()
    for kline_type in ("market", "mark", "index"):
        rows = [
            await m.history_candles("BTCUSDT", USDT, "1m", kline_type=kline_type, end_ms=now_ms)
            for m in (v2, v3)
        ]
        assert _candles(rows[0], now_ms) == _candles(rows[1], now_ms), kline_type

    trades = [
        [(t.tradeId, _dec(t.price), _dec(t.size), t.side.lower(), num_str(t.ts)) for t in rows]
        for rows in [await m.recent_trades("BTCUSDT", USDT, 20) for m in (v2, v3)]
    ]
    assert trades[0] == trades[1] and trades[0]
    older = [await m.history_trades("BTCUSDT", USDT, limit=50) for m in (v2, v3)]
    assert {t.tradeId for t in older[0]} == {t.tradeId for t in older[1]}

    books = [await m.book_snapshot("BTCUSDT", USDT, 5) for m in (v2, v3)]
    for side in ("bids", "asks"):
        levels = [[(_dec(p), _dec(s)) for p, s in getattr(b, side)] for b in books]
        assert levels[0] == levels[1] and 0 < len(levels[0]) <= 5, side


async def test_v3_reads_its_own_endpoints_and_v2_public_where_it_has_none(apis) -> None:
    sim, v2, v3 = apis
    sim.faults.http_errors(10_000, status=400, path=V2_MARKET)  # v2 market answers nothing
    assert await v3.contracts(USDT)
    assert await v3.tickers(USDT, "BTCUSDT")
    assert await v3.current_funding_rates(USDT, ["BTCUSDT"])
    assert await v3.funding_history("BTCUSDT", USDT)
    assert await v3.history_candles("BTCUSDT", USDT, "1m", kline_type="mark", limit=3)
    assert await v3.recent_trades("BTCUSDT", USDT, 5)
    assert (await v3.book_snapshot("BTCUSDT", USDT, 5)).bids
    with pytest.raises(BitgetError):
        await v2.contracts(USDT)
    with pytest.raises(BitgetError):  # v3 has no historical trades: v2 public fills-history
        await v3.history_trades("BTCUSDT", USDT, limit=5)

    sim.faults.http_errors(10_000, status=400, path="/api/v3/market/")  # now only v2 answers
    assert await v3.history_trades("BTCUSDT", USDT, limit=5)
    # UTC-anchored daily candles: v2 ``1Dutc`` (v3 ``1D`` does not state its anchor)
    assert isinstance(await v3.history_candles("BTCUSDT", USDT, "1Dutc", limit=1), list)
    with pytest.raises(BitgetError):
        await v3.history_candles("BTCUSDT", USDT, "1m", limit=1)


async def test_family_selection_without_credentials(sim_factory) -> None:
    sim = await sim_factory(account_mode="uta")
    http = BitgetHttpClient(sim.http_url, max_retries=0)
    try:
        assert (await select_api(http, "auto")).market.name == "v2"
        assert (await select_api(http, "classic")).market.name == "v2"
        uta = await select_api(http, "UTA")
        assert (uta.account_type, uta.market.name, uta.streams.api) == ("uta", "v3", "v3")
        assert public_account_type("auto") == "classic"
        with pytest.raises(ValueError, match="account_mode"):
            public_account_type("unified")
    finally:
        await http.close()
