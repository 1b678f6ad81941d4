"""
A third-party Bitget client against the simulator: ccxt (REST, ``ccxt.async_support.bitget``) and
ccxt.pro (WebSocket), built against the real exchange, pointed at an in-process simulator on
127.0.0.1 with the simulator's credentials. Only ccxt's URLs are overridden, plus three options
that keep it off endpoints outside this integration: ``has['fetchCurrencies'] = False`` (the
currency list is a spot endpoint), ``options['fetchMarkets'] = {'types': ['swap']}`` (no spot
symbols) and ``options['defaultType'] = 'swap'`` (balances of the futures account). UTA mode is
ccxt's ``options['uta'] = True``. Every request is checked to go to the simulator.

Where ccxt's request shape needs a word (not deviations from Bitget, just how ccxt is used):
- v2 ``edit_order`` answers ``orderId: null`` and the new clientOid, as Bitget documents
  modify-order (bitget-protocol.md 5.7): ccxt's edited order has no id; the test finds the
  replacement by listing open orders.
- ccxt's UTA stop-loss / take-profit (``stopLossPrice`` / ``takeProfitPrice``) in hedge mode sends
  the protected position as ``posSide`` only with ``reduceOnly=True`` (else it names the side the
  order would open, bitget-protocol-uta.md 3.5); the test passes ``reduceOnly``.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from collections.abc import Callable
from itertools import pairwise
from typing import Any

import ccxt.async_support as ccxt  # in the test extras: a missing ccxt fails, never skips
import ccxt.pro as ccxtpro
import pytest

from nautilus_bitget.constants import SIM_API_KEY
from nautilus_bitget.constants import SIM_API_PASSPHRASE
from nautilus_bitget.constants import SIM_API_SECRET
from nautilus_bitget.sim import BitgetSimulator


BTC = "BTC/USDT:USDT"
USDT = "USDT-FUTURES"


def _point_at(ex: Any, sim: BitgetSimulator, uta: bool) -> Any:
    """Point ccxt at ``sim``: URLs only (plus the options of the module docstring)."""
    for name, url in list(ex.urls["api"].items()):
        if isinstance(url, str):
            ex.urls["api"][name] = sim.http_url
    ws = sim.http_url.replace("http://", "ws://")
    ex.urls["api"]["ws"] = {
        "public": ws + "/v2/ws/public",
        "private": ws + "/v2/ws/private",
        "utaPublic": ws + "/v3/ws/public",
        "utaPrivate": ws + "/v3/ws/private",
    }
    ex.has["fetchCurrencies"] = False
    ex.options["fetchMarkets"] = {"types": ["swap"]}
    ex.options["defaultType"] = "swap"
    ex.options["uta"] = uta
    fetch = ex.fetch

    async def loopback_only(url: str, *args: Any, **kwargs: Any) -> Any:
        assert url.startswith(sim.http_url + "/api/"), f"ccxt left the simulator: {url}"
        return await fetch(url, *args, **kwargs)

    ex.fetch = loopback_only
    return ex


@pytest.fixture
async def make(sim_factory) -> AsyncIterator[Callable[..., Any]]:
    """``await make(uta=False, pro=False, **SimConfig)`` -> (sim, ccxt exchange)."""
    opened: list[Any] = []

    async def build(*, uta: bool = False, pro: bool = False, **cfg: Any) -> tuple[Any, Any]:
        sim = await sim_factory(account_mode="uta" if uta else "classic", **cfg)
        cls = ccxtpro.bitget if pro else ccxt.bitget
        ex = cls(
            {
                "apiKey": SIM_API_KEY,
                "secret": SIM_API_SECRET,
                "password": SIM_API_PASSPHRASE,
                "enableRateLimit": False,
            }
        )
        opened.append(ex)
        return sim, _point_at(ex, sim, uta)

    yield build
    for ex in opened:
        await ex.close()


def _only_loopback_sockets(ex: Any) -> None:
    for url in getattr(ex, "clients", {}):
        assert url.startswith("ws://127.0.0.1:"), url


# -- market data -----------------------------------------------------------------------------
@pytest.mark.parametrize("uta", [False, True], ids=["classic", "uta"])
async def test_market_data(make, uta: bool) -> None:
    _, ex = await make(uta=uta)
    markets = await ex.load_markets()
    assert {BTC, "ETH/USDT:USDT", "BTC/USDC:USDC", "BTC/USD:BTC"} <= set(markets)
    if not uta:  # ccxt also lists the demo product types (bitget-protocol.md 1.2 (B))
        demo = markets["SBTC/SUSDT:SUSDT"]
        assert (demo["id"], demo["settle"]) == ("SBTCSUSDT", "SUSDT")
    ticker = await ex.fetch_ticker(BTC)
    assert ticker["last"] and ticker["bid"] < ticker["ask"]
    assert ticker["high"] >= ticker["low"] > 0 and ticker["baseVolume"] > 0  # 24 h of history
    book = await ex.fetch_order_book(BTC, 50)
    assert book["bids"][0][0] < book["asks"][0][0] and len(book["bids"]) == 50
    now = ex.milliseconds()
    since = now - 2 * 86_400_000
    bars = await ex.fetch_ohlcv(BTC, "1m", since=since, limit=100)
    assert len(bars) == 100 and bars[0][0] >= since - 60_000
    assert all(b[0] - a[0] == 60_000 for a, b in pairwise(bars))
    hours = await ex.fetch_ohlcv(BTC, "1h", limit=48)
    assert len(hours) == 48 and all(b[2] >= b[3] for b in hours)
    mark = await ex.fetch_ohlcv(BTC, "1h", limit=24, params={"price": "mark"})
    assert len(mark) == 24
    for m, last in zip(mark, hours[-24:], strict=True):
        assert m[0] == last[0] and abs(m[4] / last[4] - 1) < 0.001
    trades = await ex.fetch_trades(BTC, limit=50)
    assert len(trades) == 50 and all(t["side"] in ("buy", "sell") for t in trades)
    funding = await ex.fetch_funding_rate_history(BTC, limit=20)
    assert len(funding) >= 8  # three days of 8-hourly settlements
    assert all(f["timestamp"] % (8 * 3_600_000) == 0 for f in funding)
    assert [f["timestamp"] for f in funding] == sorted(f["timestamp"] for f in funding)


# -- trading ---------------------------------------------------------------------------------
async def _last(ex: Any) -> float:
    return float((await ex.fetch_ticker(BTC))["last"])


@pytest.mark.parametrize("uta", [False, True], ids=["classic", "uta"])
async def test_one_way_trading(make, uta: bool) -> None:
    sim, ex = await make(uta=uta)
    await ex.load_markets()
    balance = await ex.fetch_balance()
    assert balance["USDT"]["free"] > 0
    await ex.set_leverage(10, BTC)
    px = await _last(ex)
    limit = await ex.create_order(BTC, "limit", "buy", 0.01, round(px * 0.95, 1))
    market = await ex.create_order(BTC, "market", "buy", 0.02)
    assert limit["id"] and market["id"]
    (open_,) = await ex.fetch_open_orders(BTC)
    assert open_["id"] == limit["id"] and open_["price"] == round(px * 0.95, 1)
    await ex.edit_order(limit["id"], BTC, "limit", "buy", 0.01, round(px * 0.94, 1))
    for _ in range(50):  # v3 modify is asynchronous (bitget-protocol-uta.md 3.6)
        (edited,) = await ex.fetch_open_orders(BTC)
        if edited["price"] == round(px * 0.94, 1):
            break
        await asyncio.sleep(0.02)
    assert edited["price"] == round(px * 0.94, 1)
    await ex.cancel_order(edited["id"], BTC)
    assert await ex.fetch_open_orders(BTC) == []
    mine = await ex.fetch_my_trades(BTC)
    assert mine and {t["order"] for t in mine} == {market["id"]}
    (pos,) = await ex.fetch_positions([BTC])
    assert (pos["side"], pos["contracts"]) == ("long", 0.02)
    # stand-alone stop loss and take profit on the position (items 8 and 9)
    sl = await ex.create_order(
        BTC, "market", "sell", 0.02, params={"stopLossPrice": round(px * 0.9, 1)}
    )
    tp = await ex.create_order(
        BTC, "market", "sell", 0.02, params={"takeProfitPrice": round(px * 1.1, 1)}
    )
    listed = await ex.fetch_open_orders(BTC, params={"trigger": True, "planType": "profit_loss"})
    assert {o["id"] for o in listed} == {sl["id"], tp["id"]}
    # the trigger of a stand-alone TP/SL row is its triggerPrice (orders-plan-pending, 5.11;
    # stopSurplus*/stopLoss* there are the presets of a trigger order); v3 rows name it
    # takeProfit / stopLoss (3.8)
    triggers = {o["triggerPrice"] or o["stopLossPrice"] or o["takeProfitPrice"] for o in listed}
    assert triggers == {round(px * 0.9, 1), round(px * 1.1, 1)}
    # ccxt triggers on the mark price by default; the stop fires and closes the position
    sim.exchange.set_mark_price("BTCUSDT", f"{px * 0.85:.1f}")
    assert await ex.fetch_positions([BTC]) == []
    assert (
        await ex.fetch_open_orders(BTC, params={"trigger": True, "planType": "profit_loss"}) == []
    )


@pytest.mark.parametrize("uta", [False, True], ids=["classic", "uta"])
async def test_hedge_mode_trading(make, uta: bool) -> None:
    sim, ex = await make(uta=uta)
    await ex.load_markets()
    await (ex.set_position_mode(True) if uta else ex.set_position_mode(True, BTC))
    await ex.create_order(BTC, "market", "buy", 0.01, params={"hedged": True})
    await ex.create_order(BTC, "market", "sell", 0.02, params={"hedged": True})
    sides = {p["side"]: p["contracts"] for p in await ex.fetch_positions([BTC])}
    assert sides == {"long": 0.01, "short": 0.02}
    await ex.create_order(BTC, "market", "sell", 0.01, params={"hedged": True, "reduceOnly": True})
    sides = {p["side"]: p["contracts"] for p in await ex.fetch_positions([BTC])}
    assert sides == {"short": 0.02}
    px = await _last(ex)
    sl = await ex.create_order(
        BTC, "market", "buy", 0.02,
        params={"hedged": True, "reduceOnly": True, "stopLossPrice": round(px * 1.1, 1)},
    )  # fmt: skip
    assert sl["id"]
    sim.exchange.set_mark_price("BTCUSDT", f"{px * 1.2:.1f}")
    assert await ex.fetch_positions([BTC]) == []


# -- ccxt.pro ---------------------------------------------------------------------------------
@pytest.mark.parametrize("uta", [False, True], ids=["classic", "uta"])
async def test_pro_streams(make, uta: bool) -> None:
    """watch_order_book (every update's checksum verified by ccxt), watch_trades, watch_orders.
    Classic sends the checksum with ``--checksum``; v3 always does (bitget-protocol-uta.md 4.5)."""
    _, ex = await make(uta=uta, pro=True, checksum=not uta, book_rate_hz=40.0)
    await ex.load_markets()
    updates = 0
    nonces = set()
    while updates < 20:
        book = await asyncio.wait_for(ex.watch_order_book(BTC), 5)
        assert book["bids"][0][0] < book["asks"][0][0]
        nonces.add(book["timestamp"])
        updates += 1
    assert len(nonces) > 5
    trades = await asyncio.wait_for(ex.watch_trades(BTC), 5)
    assert trades and trades[-1]["price"] > 0

    async def place() -> None:
        await asyncio.sleep(0.3)
        await ex.create_order(BTC, "market", "buy", 0.01)

    task = asyncio.create_task(place())
    orders = await asyncio.wait_for(ex.watch_orders(BTC), 10)
    await task
    assert orders and orders[-1]["symbol"] == BTC and orders[-1]["side"] == "buy"
    _only_loopback_sockets(ex)
