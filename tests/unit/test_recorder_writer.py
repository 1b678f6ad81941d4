"""Unit tests of the recorder's catalog writer, gap markers and quality manifest."""

from __future__ import annotations

import itertools
import json
import os
import threading
from decimal import Decimal

import pytest
from nautilus_trader.model.currencies import USDT
from nautilus_trader.model.data import Bar
from nautilus_trader.model.data import BarType
from nautilus_trader.model.data import BookOrder
from nautilus_trader.model.data import OrderBookDelta
from nautilus_trader.model.data import OrderBookDeltas
from nautilus_trader.model.data import TradeTick
from nautilus_trader.model.enums import AggressorSide
from nautilus_trader.model.enums import BookAction
from nautilus_trader.model.enums import OrderSide
from nautilus_trader.model.enums import RecordFlag
from nautilus_trader.model.identifiers import InstrumentId
from nautilus_trader.model.identifiers import TradeId
from nautilus_trader.model.instruments import CryptoPerpetual
from nautilus_trader.model.objects import Money
from nautilus_trader.model.objects import Price
from nautilus_trader.model.objects import Quantity
from nautilus_trader.persistence.catalog import ParquetDataCatalog

from nautilus_bitget.recorder.manifest import SessionManifest
from nautilus_bitget.recorder.manifest import read_manifests
from nautilus_bitget.recorder.manifest import write_manifest
from nautilus_bitget.recorder.markers import BitgetGapMarker
from nautilus_bitget.recorder.markers import coerce_marker
from nautilus_bitget.recorder.markers import make_marker
from nautilus_bitget.recorder.writer import TMP_DIR
from nautilus_bitget.recorder.writer import CatalogWriter
from nautilus_bitget.recorder.writer import flatten
from tests.instruments import btcusdt_perp


IID = InstrumentId.from_str("BTCUSDT-PERP.BITGET")
T0 = 1_700_000_000_000_000_000
SEC = 1_000_000_000


def make_instrument(ts: int = T0) -> CryptoPerpetual:
    return btcusdt_perp(
        ts_event=ts,
        ts_init=ts,
        multiplier=Quantity.from_int(1),
        lot_size=Quantity.from_str("0.0001"),
        max_quantity=Quantity.from_str("1000.0000"),
        min_quantity=Quantity.from_str("0.0001"),
        max_notional=None,
        min_notional=Money(5, USDT),
        max_price=Price.from_str("1000000.0"),
        min_price=Price.from_str("0.1"),
        margin_init=Decimal("0.05"),
        margin_maint=Decimal("0.025"),
        maker_fee=Decimal("0.0002"),
        taker_fee=Decimal("0.0006"),
    )


def book_msg(ts: int, seq: int, snapshot: bool = False) -> OrderBookDeltas:
    deltas = []
    flags = RecordFlag.F_SNAPSHOT if snapshot else 0
    if snapshot:
        deltas.append(OrderBookDelta(IID, BookAction.CLEAR, None, flags, seq, ts, ts))
    action = BookAction.ADD if snapshot else BookAction.UPDATE
    levels = [(OrderSide.BUY, "100.0"), (OrderSide.SELL, "100.5")]
    for i, (side, px) in enumerate(levels):
        f = flags | (RecordFlag.F_LAST if i == len(levels) - 1 else 0)
        order = BookOrder(side, Price.from_str(px), Quantity.from_str(f"{1 + seq % 5}.0000"), 0)
        deltas.append(OrderBookDelta(IID, action, order, f, seq, ts, ts))
    return OrderBookDeltas(IID, deltas)


def trade(ts: int, n: int) -> TradeTick:
    return TradeTick(
        IID,
        Price.from_str("100.1"),
        Quantity.from_str("0.0100"),
        AggressorSide.BUYER,
        TradeId(str(n)),
        ts,
        ts,
    )


def fresh_catalog(path) -> ParquetDataCatalog:
    # ParquetDataCatalog is a per-argument singleton; a different object per read is not needed,
    # but reads must come from the files, not from the writer's memory.
    return ParquetDataCatalog(str(path))


def test_flushes_into_disjoint_files_and_reads_back(tmp_path):
    writer = CatalogWriter(str(tmp_path))
    msgs = [book_msg(T0 + i, i, snapshot=i == 0) for i in range(30)]
    # three flushes, the second repeating the boundary ts of the first (shared ns -> dropped)
    writer.write(OrderBookDelta, IID.value, flatten(msgs[:10]))
    writer.write(OrderBookDelta, IID.value, flatten(msgs[9:20]))
    writer.write(OrderBookDelta, IID.value, flatten(msgs[20:]))
    directory = writer.directory(OrderBookDelta, IID.value)
    files = sorted(os.listdir(directory))
    assert len(files) == 3
    intervals = writer.intervals(directory)
    assert all(a[1] < b[0] for a, b in itertools.pairwise(intervals))
    assert writer.stats.dropped_overlap == 2  # msg 9's two deltas

    cat = fresh_catalog(tmp_path)
    deltas = cat.order_book_deltas(instrument_ids=[IID.value])
    assert len(deltas) == 3 + 29 * 2
    ts = [d.ts_init for d in deltas]
    assert ts == sorted(ts)
    batched = cat.order_book_deltas(instrument_ids=[IID.value], batched=True)
    assert len(batched) == 30 and batched[0].is_snapshot


def test_restart_appends_after_existing_without_overlap(tmp_path):
    w1 = CatalogWriter(str(tmp_path))
    w1.write(TradeTick, IID.value, [trade(T0 + i, i) for i in range(10)])
    # a new process: the interval index is rebuilt from file names
    w2 = CatalogWriter(str(tmp_path))
    assert w2.last_ts(TradeTick, IID.value) == T0 + 9
    w2.write(TradeTick, IID.value, [trade(T0 + i, i) for i in range(5, 20)])
    trades = fresh_catalog(tmp_path).trade_ticks(instrument_ids=[IID.value])
    assert [t.trade_id.value for t in trades] == [str(i) for i in range(20)]
    assert w2.stats.dropped_overlap == 5
    # the catalog's own disjoint check accepts a later append too
    fresh_catalog(tmp_path).write_data([trade(T0 + 100, 100)])


def test_backfill_fills_a_hole_between_files(tmp_path):
    w = CatalogWriter(str(tmp_path))
    w.write(TradeTick, IID.value, [trade(T0 + i, i) for i in range(10)])
    w.write(TradeTick, IID.value, [trade(T0 + 100 + i, 100 + i) for i in range(10)])
    # backfill spans before, into, between and after the existing files
    backfill = [trade(T0 + i, 1000 + i) for i in (5, 9, 10, 50, 99, 100, 105, 110, 111)]
    paths = w.write(TradeTick, IID.value, backfill)
    assert len(paths) == 2  # [10..99] in the hole, [110..111] after
    trades = fresh_catalog(tmp_path).trade_ticks(instrument_ids=[IID.value])
    ts = [t.ts_init for t in trades]
    assert ts == sorted(ts) and len(ts) == len(set(ts))
    assert len(trades) == 20 + 5


def test_temp_files_are_invisible_and_cleaned(tmp_path):
    w = CatalogWriter(str(tmp_path))
    w.write(TradeTick, IID.value, [trade(T0 + i, i) for i in range(10)])
    # a crash mid-write leaves a partial temp file behind
    tmp_dir = tmp_path / TMP_DIR
    (tmp_dir / "deadbeef.parquet.tmp").write_bytes(b"PAR1 partial garbage")
    cat = fresh_catalog(tmp_path)
    assert len(cat.trade_ticks()) == 10
    assert "tmp" not in cat.list_data_types()
    assert CatalogWriter(str(tmp_path)).cleanup_temp_files() == 1
    assert list(tmp_dir.iterdir()) == []


def test_concurrent_reader_never_sees_partial_file(tmp_path):
    w = CatalogWriter(str(tmp_path))
    stop = threading.Event()
    errors: list[BaseException] = []
    counts: list[int] = []

    def reader() -> None:
        cat = fresh_catalog(tmp_path)
        while not stop.is_set():
            try:
                counts.append(len(cat.query(TradeTick, identifiers=[IID.value])))
            except BaseException as e:  # pragma: no cover - failure path
                errors.append(e)
                return

    w.write(TradeTick, IID.value, [trade(T0, 0)])
    t = threading.Thread(target=reader)
    t.start()
    try:
        for k in range(1, 40):
            w.write(
                TradeTick, IID.value, [trade(T0 + k * 1000 + i, k * 1000 + i) for i in range(500)]
            )
    finally:
        stop.set()
        t.join()
    assert not errors
    assert counts and all(c == 1 or (c - 1) % 500 == 0 for c in counts)
    assert counts == sorted(counts)


def test_instruments_written_once_and_found(tmp_path):
    w = CatalogWriter(str(tmp_path))
    assert w.write_instrument(make_instrument()) is not None
    assert w.write_instrument(make_instrument(T0 + SEC)) is None  # identical definition: skipped
    found = fresh_catalog(tmp_path).instruments(instrument_ids=[IID.value])
    assert len(found) == 1 and found[0].id == IID and found[0].price_precision == 1


def test_bars_identifier_is_the_bar_type(tmp_path):
    bt = BarType.from_str("BTCUSDT-PERP.BITGET-1-MINUTE-LAST-EXTERNAL")
    p = Price.from_str("100.0")
    bars = [
        Bar(bt, p, p, p, p, Quantity.from_str("1.0000"), T0 + i * 60 * SEC, T0 + i * 60 * SEC)
        for i in range(3)
    ]
    CatalogWriter(str(tmp_path)).write(Bar, str(bt), bars)
    assert len(fresh_catalog(tmp_path).bars(bar_types=[str(bt)])) == 3


def test_gap_markers_roundtrip(tmp_path):
    m1 = make_marker(IID, T0, T0 + SEC, "disconnect", backfilled=True)
    m2 = make_marker(IID, T0 + 5 * SEC, T0 + 6 * SEC, "snapshot", kind="resync", channel="books")
    with pytest.raises(ValueError, match="reason"):
        make_marker(IID, 0, 0, "cosmic-ray")
    w = CatalogWriter(str(tmp_path))
    w.write(BitgetGapMarker, IID.value, [m2, m1])
    back = fresh_catalog(tmp_path).query(BitgetGapMarker, identifiers=[IID.value])
    inner = [getattr(x, "data", x) for x in back]
    assert [(m.start, m.end, m.reason, m.kind, m.backfilled) for m in inner] == [
        (T0, T0 + SEC, "disconnect", "gap", True),
        (T0 + 5 * SEC, T0 + 6 * SEC, "snapshot", "resync", False),
    ]
    d = coerce_marker({"instrument_id": IID.value, "reason": "seq_gap", "start": 5}, ts_now=9)
    assert d.instrument_id == IID and d.reason == "seq_gap" and d.start == 5 and d.ts_init == 9


def test_manifest_content(tmp_path):
    w = CatalogWriter(str(tmp_path))
    man = SessionManifest(session_id="s1", catalog=str(tmp_path), started_ns=T0)
    man.symbols = ["BTCUSDT"]
    man.types = ["TradeTick"]
    man.record_rows("TradeTick", IID.value, 10, T0, T0 + 9)
    man.record_rows("TradeTick", IID.value, 5, T0 + 20, T0 + 30)
    man.record_marker(make_marker(IID, T0, T0 + SEC, "stale"))
    man.record_marker(make_marker(IID, T0, T0 + SEC, "checksum", kind="resync"))
    write_manifest(w.fs, w.root, man)
    (got,) = read_manifests(w.fs, w.root)
    assert got["coverage"] == [
        {
            "type": "TradeTick",
            "identifier": IID.value,
            "count": 15,
            "first_ts": T0,
            "last_ts": T0 + 30,
            "first_iso": "2023-11-14T22:13:20.000000000Z",
            "last_iso": "2023-11-14T22:13:20.000000030Z",
        },
    ]
    assert [g["reason"] for g in got["gaps"]] == ["stale"]
    assert [g["reason"] for g in got["resyncs"]] == ["checksum"]
    assert json.loads((tmp_path / "recorder/sessions/s1.json").read_text())["symbols"] == [
        "BTCUSDT"
    ]
    # the manifest directory is not a data type
    assert fresh_catalog(tmp_path).list_data_types() == []


def _write_days(tmp_path) -> CatalogWriter:
    w = CatalogWriter(str(tmp_path))
    day = 86_400 * SEC
    for d in range(2):
        for k in range(4):
            base = T0 + d * day + k * 60 * SEC
            w.write(
                TradeTick, IID.value, [trade(base + i, d * 1000 + k * 10 + i) for i in range(10)]
            )
            w.write(
                OrderBookDelta,
                IID.value,
                flatten([book_msg(base + i, i, snapshot=i == 0) for i in range(5)]),
            )
    w.write_instrument(make_instrument())
    w.write(BitgetGapMarker, IID.value, [make_marker(IID, T0, T0 + SEC, "disconnect")])
    return w


def test_compact_merges_per_day_and_keeps_data_equal(tmp_path):
    from nautilus_bitget.recorder.catalog_tools import compact

    _write_days(tmp_path)
    cat = fresh_catalog(tmp_path)
    trades_before = [(t.ts_init, t.trade_id.value) for t in cat.trade_ticks()]
    deltas_before = [
        (d.ts_init, d.action, d.flags, str(d.order.price)) for d in cat.order_book_deltas()
    ]
    result = compact(CatalogWriter(str(tmp_path)))
    assert result["merged_groups"] == 4  # 2 days x (trades, deltas)
    trade_dir = tmp_path / "data/trade_tick" / IID.value
    assert len(list(trade_dir.glob("*.parquet"))) == 2
    assert [(t.ts_init, t.trade_id.value) for t in cat.trade_ticks()] == trades_before
    after = [(d.ts_init, d.action, d.flags, str(d.order.price)) for d in cat.order_book_deltas()]
    assert after == deltas_before
    # appending after compaction still works (intervals re-read from the merged names)
    w2 = CatalogWriter(str(tmp_path))
    assert w2.write(TradeTick, IID.value, [trade(T0 + 3 * 86_400 * SEC, 9999)])


def test_compact_crash_is_recovered(tmp_path):
    from nautilus_bitget.recorder.catalog_tools import JOURNAL
    from nautilus_bitget.recorder.catalog_tools import recover_compaction

    w = _write_days(tmp_path)
    trade_dir = tmp_path / "data/trade_tick" / IID.value
    sources = sorted(str(p) for p in trade_dir.glob("*.parquet"))[:4]
    # crash after the journal was written but before the merged file was renamed into place
    journal = tmp_path / JOURNAL
    journal.write_text(
        json.dumps(
            {
                "target": str(trade_dir / "x.parquet"),
                "tmp": str(tmp_path / "nope"),
                "sources": sources,
            }
        )
    )
    assert recover_compaction(w) == "rolled back"
    assert len(list(trade_dir.glob("*.parquet"))) == 8
    # crash after the rename, before all sources were deleted
    journal.write_text(json.dumps({"target": sources[0], "tmp": "", "sources": sources}))
    assert recover_compaction(w) == "completed"
    assert len(list(trade_dir.glob("*.parquet"))) == 5 and not journal.exists()


def test_info_summarises_catalog(tmp_path):
    from nautilus_bitget.recorder.catalog_tools import format_info
    from nautilus_bitget.recorder.catalog_tools import info_dict

    w = _write_days(tmp_path)
    info = info_dict(w)
    trades = [s for s in info["streams"] if s["type"] == "trade_tick"]
    assert trades[0]["rows"] == 80 and trades[0]["files"] == 8
    assert info["instruments"] == [IID.value]
    assert [m["reason"] for m in info["markers"]] == ["disconnect"]
    text = format_info(info)
    assert "trade_tick" in text and "gaps: 1" in text


def test_status_line_plain_and_tty():
    import io

    from nautilus_bitget.recorder.status import StatusLine
    from nautilus_bitget.recorder.status import format_status

    text = format_status({"OrderBookDelta": 1234.4, "TradeTick": 0.0}, 1, 2, 3 * 1024 * 1024, 5.0)
    assert text == "rec 5s | book 1,234/s | gaps 1 resyncs 2 | written 3.0MB"
    plain = io.StringIO()
    line = StatusLine(plain)
    line.show("a")
    line.show("b")
    assert plain.getvalue() == "a\nb\n"

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    tty = Tty()
    line = StatusLine(tty)
    line.show("long text")
    line.show("short")
    line.close()
    assert tty.getvalue() == "\rlong text\rshort    \n"


def test_config_validation_names_the_field():
    from nautilus_bitget.recorder.actor import BitgetRecorderConfig
    from nautilus_bitget.recorder.actor import parse_interval
    from nautilus_bitget.recorder.actor import to_instrument_id

    with pytest.raises(ValueError, match="types"):
        BitgetRecorderConfig(catalog_path="x", types=("books",))
    with pytest.raises(ValueError, match="bar interval"):
        BitgetRecorderConfig(catalog_path="x", bar_intervals=("1x",))
    with pytest.raises(ValueError, match="flush_interval_secs"):
        BitgetRecorderConfig(catalog_path="x", flush_interval_secs=0)
    assert str(parse_interval("4H")) == "4-HOUR-LAST"
    assert to_instrument_id("btcusdt") == IID
    assert to_instrument_id("BTCUSDT-PERP.BITGET") == IID


def _bare_recorder(tmp_path, **overrides):
    """A BitgetRecorder registered with test components (no node, no data client)."""
    from nautilus_trader.cache.cache import Cache
    from nautilus_trader.common.component import MessageBus
    from nautilus_trader.common.component import TestClock
    from nautilus_trader.model.identifiers import TraderId
    from nautilus_trader.portfolio.portfolio import Portfolio

    from nautilus_bitget.recorder.actor import BitgetRecorder
    from nautilus_bitget.recorder.actor import BitgetRecorderConfig

    clock = TestClock()
    msgbus = MessageBus(TraderId("TESTER-001"), clock)
    cache = Cache()
    rec = BitgetRecorder(
        BitgetRecorderConfig(catalog_path=str(tmp_path), session_id="unit", **overrides),
    )
    rec.register_base(Portfolio(msgbus, cache, clock), msgbus, cache, clock)
    return rec


def test_failed_flush_is_retried_without_loss(tmp_path):
    rec = _bare_recorder(tmp_path)
    for i in range(10):
        rec.on_order_book_deltas(book_msg(T0 + i, i, snapshot=i == 0))
        rec.on_trade_tick(trade(T0 + i, i))
    rec.flush(wait=True)
    # the disk fails: the temp directory becomes a plain file
    tmp_dir = tmp_path / TMP_DIR
    for p in tmp_dir.iterdir():
        p.unlink()
    tmp_dir.rmdir()
    tmp_dir.write_bytes(b"")
    for i in range(10, 20):
        rec.on_order_book_deltas(book_msg(T0 + i, i))
        rec.on_trade_tick(trade(T0 + i, i))
    rec.flush(wait=True)
    assert rec.flush_errors == 1
    tmp_dir.unlink()  # the disk recovers
    for i in range(20, 30):
        rec.on_trade_tick(trade(T0 + i, i))
    rec.flush(wait=True)
    cat = fresh_catalog(tmp_path)
    assert [t.trade_id.value for t in cat.trade_ticks()] == [str(i) for i in range(30)]
    assert len(cat.order_book_deltas(batched=True)) == 20


def test_resync_marker_from_fresh_snapshot_and_backpressure(tmp_path):
    rec = _bare_recorder(tmp_path, max_buffered=7, backfill=False)
    rec.instrument_ids = [IID]
    for i in range(5):
        rec.on_order_book_deltas(book_msg(T0 + i, i, snapshot=i == 0))
    rec.on_order_book_deltas(book_msg(T0 + 10, 10, snapshot=True))  # a reconnect
    for i in range(11, 20):
        rec.on_order_book_deltas(book_msg(T0 + i, i))
    assert rec.backpressure_waits >= 1  # the writer was waited for instead of growing
    rec.flush(wait=True, final=True)
    cat = fresh_catalog(tmp_path)
    (marker,) = [getattr(m, "data", m) for m in cat.query(BitgetGapMarker)]
    assert (marker.start, marker.end, marker.kind, marker.reason) == (
        T0 + 4,
        T0 + 10,
        "resync",
        "snapshot",
    )
    assert len(cat.order_book_deltas(batched=True)) == 15
    (manifest,) = read_manifests(rec.writer.fs, rec.writer.root)
    assert manifest["clean_stop"] and len(manifest["resyncs"]) == 1
