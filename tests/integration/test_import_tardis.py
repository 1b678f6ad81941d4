"""
``bitget-nt import-tardis``: small Tardis CSV files of ``bitget-futures``
(``tests/fixtures/tardis``, written in the documented column format) into a catalog, instruments
from the simulator's contracts. What is read back must equal what the live client publishes for
the same venue data (the live parsers are run on the same rows here), and a re-import must write
nothing.
"""

from __future__ import annotations

import csv
import gzip
import json
import math
import random
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from nautilus_trader.model.book import OrderBook
from nautilus_trader.model.data import FundingRateUpdate
from nautilus_trader.model.data import MarkPriceUpdate
from nautilus_trader.model.data import OrderBookDelta
from nautilus_trader.model.data import OrderBookDepth10
from nautilus_trader.model.enums import BookType
from nautilus_trader.model.enums import RecordFlag
from nautilus_trader.model.identifiers import InstrumentId
from nautilus_trader.persistence.catalog import ParquetDataCatalog

from nautilus_bitget.history.cli import import_tardis
from nautilus_bitget.history.venue import HistoryInputError
from nautilus_bitget.history.venue import Venue
from nautilus_bitget.parsing.book import BookContext
from nautilus_bitget.parsing.book import parse_books_to_deltas
from nautilus_bitget.parsing.book import parse_top_to_quote
from nautilus_bitget.parsing.market import parse_trade_to_trade_tick
from nautilus_bitget.recorder.catalog_tools import read_index_prices
from nautilus_bitget.recorder.writer import CatalogWriter
from nautilus_bitget.schemas.ws_public import BitgetWsBook
from nautilus_bitget.schemas.ws_public import BitgetWsTrade


REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures" / "tardis"
BOOK_CSV = FIXTURES / "bitget-futures_incremental_book_L2_2026-11-01_BTCUSDT.csv"
TRADES_CSV = FIXTURES / "bitget-futures_trades_2026-11-01_BTCUSDT.csv"
QUOTES_CSV = FIXTURES / "bitget-futures_book_ticker_2026-11-01_BTCUSDT.csv"
DERIV_CSV = FIXTURES / "bitget-futures_derivative_ticker_2026-11-01_BTCUSDT.csv"
SNAP_CSV = FIXTURES / "bitget-futures_book_snapshot_25_2026-11-01_BTCUSDT.csv"
BTC = InstrumentId.from_str("BTCUSDT-PERP.BITGET")
US = 1_000


def rows_of(path: Path) -> list[dict[str, str]]:
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


async def live_context(sim) -> tuple[BookContext, object]:
    async with Venue("sim", sim.http_url) as venue:
        resolved = await venue.resolve("BTCUSDT")
    return BookContext(resolved.instrument), resolved


def delta_key(d: OrderBookDelta) -> tuple:
    order = d.order
    return (
        d.instrument_id.value,
        d.action.name,
        order.side.name if d.action.name != "CLEAR" else None,
        (str(order.price), order.price.precision) if d.action.name != "CLEAR" else None,
        (str(order.size), order.size.precision) if d.action.name != "CLEAR" else None,
        d.flags,
        d.sequence,
        d.ts_event,
        d.ts_init,
    )


def live_book_messages(ctx: BookContext, path: Path) -> list[OrderBookDelta]:
    """What the live client publishes for the same pushes (``parse_books_to_deltas``)."""
    messages: list[list[dict[str, str]]] = []
    for row in rows_of(path):
        key = (row["timestamp"], row["local_timestamp"])
        if messages and (messages[-1][0]["timestamp"], messages[-1][0]["local_timestamp"]) == key:
            messages[-1].append(row)
        else:
            messages.append([row])
    out: list[OrderBookDelta] = []
    synced = False
    for rows in messages:
        snapshot = rows[0]["is_snapshot"] == "true"
        synced = synced or snapshot
        if not synced:
            continue  # live publishes nothing before the first snapshot
        book = BitgetWsBook(
            asks=[(r["price"], r["amount"]) for r in rows if r["side"] == "ask"],
            bids=[(r["price"], r["amount"]) for r in rows if r["side"] == "bid"],
            ts=str(int(rows[0]["timestamp"]) // 1000),
            seq=0,  # Tardis keeps no venue seq
        )
        deltas = parse_books_to_deltas(book, ctx, snapshot, int(rows[0]["local_timestamp"]) * US)
        if deltas is not None:
            out.extend(deltas.deltas)
    return out


async def test_books_trades_quotes_ticker_equal_live(sim, tmp_path) -> None:
    ctx, resolved = await live_context(sim)
    catalog = str(tmp_path / "catalog")
    files = [str(p) for p in (BOOK_CSV, TRADES_CSV, QUOTES_CSV, DERIV_CSV, SNAP_CSV)]
    code = await import_tardis(catalog, files, "sim", sim.http_url, progress=False)
    assert code == 0
    cat = ParquetDataCatalog(catalog)

    # the same CryptoPerpetual as the live provider builds from the contracts endpoint
    (instrument,) = cat.instruments(instrument_ids=[BTC.value])
    assert type(instrument).to_dict(instrument) | {"ts_event": 0, "ts_init": 0} == type(
        resolved.instrument
    ).to_dict(resolved.instrument) | {"ts_event": 0, "ts_init": 0}

    # books: every delta equal to the live parser's (flags, message boundaries, precisions)
    got = [delta_key(d) for d in cat.order_book_deltas(instrument_ids=[BTC.value])]
    want = [delta_key(d) for d in live_book_messages(ctx, BOOK_CSV)]
    assert got == want
    flags = [k[5] for k in got]
    assert flags.count(int(RecordFlag.F_SNAPSHOT) | int(RecordFlag.F_LAST)) == 2  # 2 snapshots
    # and the book they build is the book the rows describe
    book = OrderBook(BTC, BookType.L2_MBP)
    for d in cat.order_book_deltas(instrument_ids=[BTC.value]):
        book.apply_delta(d)
    assert [(str(lv.price), lv.size()) for lv in book.bids()] == [
        ("70000.1", 0.3),
        ("70000.0", 2.0),
    ]
    assert [(str(lv.price), lv.size()) for lv in book.asks()] == [("70000.4", 0.8)]

    # trades: as parse_trade_to_trade_tick makes them (zero-size rows dropped)
    trades = cat.trade_ticks(instrument_ids=[BTC.value])
    want_trades = [
        parse_trade_to_trade_tick(
            BitgetWsTrade(
                ts=str(int(r["timestamp"]) // 1000),
                price=r["price"],
                size=r["amount"],
                side=r["side"],
                tradeId=r["id"],
            ),
            ctx,
            int(r["local_timestamp"]) * US,
        )
        for r in rows_of(TRADES_CSV)
        if Decimal(r["amount"])
    ]
    assert [repr(t) for t in trades] == [repr(t) for t in want_trades]
    assert [t.ts_init for t in trades] == [t.ts_init for t in want_trades]

    # quotes: like the live top-of-book parser; the row with an empty side is skipped
    quotes = cat.quote_ticks(instrument_ids=[BTC.value])
    want_quotes = [
        parse_top_to_quote(
            ctx,
            r["bid_price"],
            r["bid_amount"],
            r["ask_price"],
            r["ask_amount"],
            int(r["timestamp"]) * US,
            int(r["local_timestamp"]) * US,
        )
        for r in rows_of(QUOTES_CSV)
        if r["bid_price"] and r["ask_price"]
    ]
    assert [(repr(q), q.ts_init) for q in quotes] == [(repr(q), q.ts_init) for q in want_quotes]

    # derivative ticker -> mark, index, funding (with the contract's interval and next time)
    marks = cat.query(MarkPriceUpdate, identifiers=[BTC.value])
    assert [str(m.value) for m in marks] == ["70000.5", "70000.6", "70000.7"]
    index = read_index_prices(CatalogWriter(catalog), BTC.value)
    assert [str(i.value) for i in index] == ["70001.2", "70001.3"]  # rounded like live
    funding = cat.query(FundingRateUpdate, identifiers=[BTC.value])
    assert [Decimal(str(f.rate)) for f in funding] == [
        Decimal("0.0001"),
        Decimal("0.000105"),
        Decimal("-0.00002"),
    ]
    eight = int(rows_of(DERIV_CSV)[0]["funding_timestamp"]) * US
    assert all(f.next_funding_ns == eight and f.interval == 480 for f in funding)

    # snapshot 25 -> depth10, flagged like the live books15 depth
    depths = cat.query(OrderBookDepth10, identifiers=[BTC.value])
    assert len(depths) == 2
    assert all(d.flags == int(RecordFlag.F_SNAPSHOT) | int(RecordFlag.F_LAST) for d in depths)
    assert str(depths[0].bids[0].price) == "70000.1" and len(depths[0].asks) == 10

    manifest_dir = tmp_path / "catalog" / "recorder" / "sessions"
    (manifest_path,) = manifest_dir.glob("import-tardis-*.json")
    manifest = json.loads(manifest_path.read_text())
    assert manifest["kind"] == "import-tardis" and manifest["completed"]
    coverage = {(c["type"], c["identifier"]): c["count"] for c in manifest["coverage"]}
    assert coverage[("OrderBookDelta", BTC.value)] == len(got)
    assert manifest["rows_skipped"]["incremental_book_L2: updates before the first snapshot"] == 1


async def test_reimport_writes_nothing_twice(sim, tmp_path) -> None:
    catalog = str(tmp_path / "catalog")
    gz = tmp_path / "bitget-futures_trades_2026-11-01_BTCUSDT.csv.gz"
    gz.write_bytes(gzip.compress(TRADES_CSV.read_bytes()))
    files = [str(BOOK_CSV), str(gz), str(DERIV_CSV)]
    for _ in range(2):
        assert await import_tardis(catalog, files, "sim", sim.http_url, progress=False) == 0
    cat = ParquetDataCatalog(catalog)
    assert len(cat.trade_ticks(instrument_ids=[BTC.value])) == 4
    deltas = cat.order_book_deltas(instrument_ids=[BTC.value])
    assert len(deltas) == len({(d.ts_init, d.action, str(d.order.price)) for d in deltas}) == 18
    assert len(cat.instruments(instrument_ids=[BTC.value])) == 1
    manifests = [
        json.loads(p.read_text()) for p in (tmp_path / "catalog/recorder/sessions").glob("*.json")
    ]
    second = max(manifests, key=lambda m: m["started_ns"])
    assert second["files_written"] == 0 and second["coverage"] == []
    assert second["rows_dropped_overlap"] == 30


async def test_tiny_chunks_give_the_same_catalog(sim, tmp_path) -> None:
    # chunks never split rows of one ts_init (the writer would drop the second half)
    cats = []
    for chunk in (3, 200_000):
        catalog = str(tmp_path / f"c{chunk}")
        files = [str(BOOK_CSV), str(TRADES_CSV)]
        await import_tardis(catalog, files, "sim", sim.http_url, progress=False, chunk_rows=chunk)
        cat = ParquetDataCatalog(catalog)
        cats.append(
            (
                [delta_key(d) for d in cat.order_book_deltas(instrument_ids=[BTC.value])],
                [repr(t) for t in cat.trade_ticks(instrument_ids=[BTC.value])],
            ),
        )
    assert cats[0] == cats[1]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("bitget-futures_trades_2026-11-01_BTCUSDU26.csv", "not a perpetual"),
        ("binance-futures_trades_2026-11-01_BTCUSDT.csv", "expected 'bitget-futures'"),
    ],
)
async def test_refused_files(sim, tmp_path, name: str, message: str) -> None:
    catalog = tmp_path / "catalog"
    with pytest.raises(HistoryInputError, match=message):
        await import_tardis(str(catalog), [str(FIXTURES / name)], "sim", sim.http_url)
    assert not (catalog / "data").exists()  # refused before anything was written


async def test_unknown_symbol_and_not_tardis(sim, tmp_path) -> None:
    nope = tmp_path / "bitget-futures_trades_2026-11-01_NOPEUSDT.csv"
    nope.write_text(TRADES_CSV.read_text().replace("BTCUSDT", "NOPEUSDT"))
    with pytest.raises(HistoryInputError, match="unknown symbol NOPEUSDT"):
        await import_tardis(str(tmp_path / "c"), [str(nope)], "sim", sim.http_url)
    other = tmp_path / "other.csv"
    other.write_text("a,b,c\n1,2,3\n")
    with pytest.raises(HistoryInputError, match="not a Tardis CSV"):
        await import_tardis(str(tmp_path / "c"), [str(other)], "sim", sim.http_url)


def test_cli_exit_codes(tmp_path) -> None:
    catalog = str(tmp_path / "catalog")
    cmd = [sys.executable, "-m", "nautilus_bitget.cli", "import-tardis", "--catalog", catalog]
    ok = subprocess.run(  # noqa: S603 - our own CLI
        [*cmd, "--env", "sim", str(BOOK_CSV), str(TRADES_CSV)],
        capture_output=True,
        text=True,
        timeout=90,
    )
    assert ok.returncode == 0, ok.stderr
    assert ok.stderr.strip().splitlines()[-1].startswith("imported 2 file(s)")
    bad = subprocess.run(  # noqa: S603 - our own CLI
        [*cmd, "--env", "sim", str(FIXTURES / "bitget-futures_trades_2026-11-01_BTCUSDU26.csv")],
        capture_output=True,
        text=True,
        timeout=90,
    )
    assert bad.returncode == 2
    assert bad.stderr.strip().count("\n") == 0, bad.stderr  # one line
    assert "not a perpetual" in bad.stderr


# the session's one funding time, seconds after its start: BookMaker holds a position then (the
# test checks it from the fills, so a strategy change that makes it flat fails loudly)
FUNDING_AT_S = 330


def write_book_session(path: Path, trades_path: Path, deriv_path: Path, minutes: int) -> int:
    """A Tardis day excerpt: a snapshot, then one update a second; trades; one funding row."""
    rng = random.Random(11)
    t0 = 1_793_491_200_000_000  # 2026-11-01T00:00:00Z, microseconds
    header = ["exchange", "symbol", "timestamp", "local_timestamp", "is_snapshot"]
    mid = 700_000  # ticks of 0.1
    bids = {mid - i: 1000 + 37 * i for i in range(1, 21)}
    asks = {mid + i: 1000 + 41 * i for i in range(1, 21)}
    with (
        open(path, "w", newline="") as f,
        open(trades_path, "w", newline="") as ft,
        open(deriv_path, "w", newline="") as fd,
    ):
        w = csv.writer(f, lineterminator="\n")
        wt = csv.writer(ft, lineterminator="\n")
        wd = csv.writer(fd, lineterminator="\n")
        w.writerow([*header, "side", "price", "amount"])
        wt.writerow(
            ["exchange", "symbol", "timestamp", "local_timestamp", "id", "side", "price", "amount"]
        )
        wd.writerow(
            [
                "exchange",
                "symbol",
                "timestamp",
                "local_timestamp",
                "funding_timestamp",
                "funding_rate",
                "predicted_funding_rate",
                "open_interest",
                "last_price",
                "index_price",
                "mark_price",
            ]
        )

        def row(ts: int, snap: bool, side: str, ticks: int, lots: int) -> list:
            return [
                "bitget-futures",
                "BTCUSDT",
                ts,
                ts + 9_000,
                "true" if snap else "false",
                side,
                f"{ticks / 10:.1f}",
                f"{lots / 1000:.3f}",
            ]

        for p, q in sorted(bids.items(), reverse=True):
            w.writerow(row(t0, True, "bid", p, q))
        for p, q in sorted(asks.items()):
            w.writerow(row(t0, True, "ask", p, q))
        for s in range(1, minutes * 60):
            ts = t0 + s * 1_000_000
            step = round(3 * math.sin(s / 90)) + rng.randint(-2, 2)
            new_mid = mid + step
            changes = []
            for p in list(bids):
                if p >= new_mid:
                    changes.append(("bid", p, 0))
                    del bids[p]
            for p in list(asks):
                if p <= new_mid:
                    changes.append(("ask", p, 0))
                    del asks[p]
            for i in range(1, 4):
                bids[new_mid - i] = 500 + rng.randint(0, 2000)
                changes.append(("bid", new_mid - i, bids[new_mid - i]))
                asks[new_mid + i] = 500 + rng.randint(0, 2000)
                changes.append(("ask", new_mid + i, asks[new_mid + i]))
            mid = new_mid
            for side, p, q in sorted(changes, key=lambda c: c[0] == "ask"):
                w.writerow(row(ts, False, side, p, q))
            if s % 3 == 0:
                side = rng.choice(("buy", "sell"))
                px = mid + (1 if side == "buy" else -1)
                wt.writerow(
                    [
                        "bitget-futures",
                        "BTCUSDT",
                        ts,
                        ts + 8_000,
                        str(10_000 + s),
                        side,
                        f"{px / 10:.1f}",
                        "0.020",
                    ]
                )
            if s % 60 == 0:
                wd.writerow(
                    [
                        "bitget-futures",
                        "BTCUSDT",
                        ts,
                        ts + 7_000,
                        t0 + FUNDING_AT_S * 1_000_000,
                        "0.0004",
                        "",
                        "1",
                        f"{mid / 10:.1f}",
                        f"{mid / 10:.1f}",
                        f"{mid / 10:.1f}",
                    ]
                )
    return t0 * US


async def test_book_maker_backtest_on_imported_books(sim, tmp_path) -> None:
    from nautilus_bitget.backtest.runner import run_backtest

    book = tmp_path / "bitget-futures_incremental_book_L2_2026-11-01_BTCUSDT.csv"
    trades = tmp_path / "bitget-futures_trades_2026-11-01_BTCUSDT.csv"
    deriv = tmp_path / "bitget-futures_derivative_ticker_2026-11-01_BTCUSDT.csv"
    write_book_session(book, trades, deriv, minutes=10)
    catalog = tmp_path / "catalog"
    files = [str(book), str(trades), str(deriv)]
    assert await import_tardis(str(catalog), files, "sim", sim.http_url, progress=False) == 0
    result = run_backtest(
        catalog,
        "strategies.book_maker:BookMaker",
        REPO / "strategies" / "configs" / "book_maker.json",
        tmp_path / "out",
    )
    s = result.summary
    assert s["book_type"] == "L2_MBP"
    assert s["orders_by_type"].get("LIMIT", 0) >= 2
    assert s["fills"] >= 1
    # the imported funding time (from derivative_ticker) is settled on the position held then:
    # rate 0.0004 > 0, so a long pays and a short receives |qty| x mark (~70000) x 0.0004
    funding_ns = 1_793_491_200_000_000_000 + FUNDING_AT_S * 1_000_000_000
    held = Decimal(0)
    fills_csv = (tmp_path / "out" / "fills.csv").read_text().splitlines()
    for fill in csv.DictReader(fills_csv):
        if int(fill["ts_event"]) <= funding_ns:
            qty = Decimal(fill["quantity"])
            held += qty if fill["side"] == "BUY" else -qty
    assert held != 0, "BookMaker is flat at the funding time: move FUNDING_AT_S"
    assert s["funding_payments"] == 1
    total = Decimal(s["funding_total"])
    assert (total < 0) == (held > 0)
    assert abs(abs(total) - abs(held) * 70_000 * Decimal("0.0004")) < abs(total) / 100
