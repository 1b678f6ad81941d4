"""Simulator market: seeded determinism, seq chain, book sanity, update replay, candles."""

from __future__ import annotations

from decimal import Decimal

from nautilus_bitget.sim.candles import bucket_start
from nautilus_bitget.sim.contracts import default_contracts
from nautilus_bitget.sim.events import BookChanged
from nautilus_bitget.sim.exchange import SimExchange
from nautilus_bitget.sim.market import MarketState


T0 = 1_700_000_000_000


def run(seed: int, n_ms: int = 5_000) -> list[BookChanged]:
    now = [T0]
    ex = SimExchange(clock=lambda: now[0], seed=seed, book_rate_hz=20.0)
    msgs: list[BookChanged] = []
    ex.add_listener(lambda e: msgs.append(e) if isinstance(e, BookChanged) else None)
    for _ in range(n_ms // 50):
        now[0] += 50
        ex.step()
    return msgs


def test_same_seed_same_messages():
    a, b = run(5), run(5)
    assert len(a) == 400  # 4 symbols * 20 Hz * 5 s
    assert a == b
    assert run(6)[:20] != a[:20]


def test_seq_chain_and_exact_big_ints():
    now = [T0]
    ex = SimExchange(clock=lambda: now[0], seed=2, book_rate_hz=50.0)
    snap = {s: ex.book_snapshot(s) for s in ex.markets}
    assert all(m.pseq == 0 for m in snap.values())
    last = {s: m.seq for s, m in snap.items()}
    msgs: list[BookChanged] = []
    ex.add_listener(lambda e: msgs.append(e) if isinstance(e, BookChanged) else None)
    for _ in range(100):
        now[0] += 20
        ex.step()
    for m in msgs:
        assert m.pseq == last[m.symbol]
        assert m.seq > m.pseq
        last[m.symbol] = m.seq
    assert snap["BTCUSD"].seq > 2**53  # COIN-M style seq beyond float precision
    assert isinstance(snap["BTCUSD"].seq, int)


def test_book_sorted_uncrossed_and_deep():
    now = [T0]
    ex = SimExchange(clock=lambda: now[0], seed=9, book_rate_hz=100.0)
    for _ in range(200):
        now[0] += 10
        ex.step()
        for s in ex.markets:
            bids, asks = ex.book(s)
            bp = [Decimal(p) for p, _ in bids]
            ap = [Decimal(p) for p, _ in asks]
            assert bp == sorted(bp, reverse=True)
            assert ap == sorted(ap)
            assert bp[0] < ap[0]
            assert len(bids) >= 150
            assert len(asks) >= 150
            assert all(Decimal(q) > 0 for _, q in bids + asks)


def test_updates_replayed_on_snapshot_reproduce_the_book():
    now = [T0]
    ex = SimExchange(clock=lambda: now[0], seed=4, book_rate_hz=100.0, symbols=["ETHUSDT"])
    snap = ex.book_snapshot("ETHUSDT")
    bids = dict(snap.bids)
    asks = dict(snap.asks)

    def apply(e) -> None:
        if isinstance(e, BookChanged):
            for side, levels in ((bids, e.bids), (asks, e.asks)):
                for p, q in levels:
                    if q == "0":
                        side.pop(p, None)
                    else:
                        side[p] = q

    ex.add_listener(apply)
    for _ in range(300):
        now[0] += 10
        ex.step()
    # a user taker consuming levels is published as well
    ex.place_order(
        "sim-key",
        {
            "symbol": "ETHUSDT",
            "productType": "USDT-FUTURES",
            "marginMode": "crossed",
            "marginCoin": "USDT",
            "orderType": "market",
            "side": "buy",
            "size": "20.00",
        },
    )
    tb, ta = ex.book("ETHUSDT")
    assert sorted(bids.items(), key=lambda x: -Decimal(x[0])) == tb
    assert sorted(asks.items(), key=lambda x: Decimal(x[0])) == ta


def test_wire_strings_keep_contract_decimals():
    ex = SimExchange(clock=lambda: T0, seed=1)
    bids, _ = ex.book("ETHUSDT", 5)
    assert all(len(p.split(".")[1]) == 2 and len(q.split(".")[1]) == 2 for p, q in bids)
    _, asks = ex.book("BTCUSD", 50)
    # BTCUSD tick 0.5 (priceEndStep 5, pricePlace 1)
    assert all(p.endswith((".0", ".5")) for p, _ in asks)


def test_candles_aggregate_trades():
    m = MarketState(default_contracts()["BTCUSDT"], 1, T0)
    minute = bucket_start("1m", T0)
    m.print_trade(600000, 100, "buy", minute + 1_000)  # 60000.0 x 0.100
    m.print_trade(600050, 200, "sell", minute + 2_000)  # 60005.0 x 0.200
    m.print_trade(599950, 300, "buy", minute + 3_000)  # 59995.0 x 0.300
    m.print_trade(600010, 400, "buy", minute + 61_000)  # next minute: 60001.0 x 0.400
    rows = m.candle_rows("1m")
    # quote = 6000 + 12001 + 17998.5 = 36 999.5
    assert rows[-2][:6] == [str(minute), "60000.0", "60005.0", "59995.0", "59995.0", "0.600"]
    assert Decimal(rows[-2][6]) == Decimal("6000") + Decimal("12001") + Decimal("17998.5")
    assert rows[-1][:6] == [
        str(minute + 60_000),
        "60001.0",
        "60001.0",
        "60001.0",
        "60001.0",
        "0.400",
    ]
    hour = m.candle_rows("1H")
    assert len(hour) == 1
    assert hour[0][1:6] == ["60000.0", "60005.0", "59995.0", "60001.0", "1.000"]


def test_candle_anchors():
    ts = 1_710_506_096_000  # 2024-03-15 12:34:56 UTC
    assert bucket_start("1Dutc", ts) == 1_710_460_800_000  # 2024-03-15 00:00 UTC
    assert bucket_start("1D", ts) == 1_710_432_000_000  # 2024-03-14 16:00 UTC = 00:00 UTC+8
    assert bucket_start("1Wutc", ts) == 1_710_115_200_000  # Monday 2024-03-11 00:00 UTC
    assert bucket_start("1Mutc", ts) == 1_709_251_200_000  # 2024-03-01 00:00 UTC
    assert bucket_start("4H", ts) == 1_710_504_000_000  # 12:00 UTC
