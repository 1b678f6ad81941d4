"""
The recorder inside a TradingNode with the Bitget data client against the simulator; the catalog
is then read independently with a fresh ``ParquetDataCatalog``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Callable
from decimal import Decimal

from nautilus_trader.config import InstrumentProviderConfig
from nautilus_trader.config import LoggingConfig
from nautilus_trader.config import TradingNodeConfig
from nautilus_trader.live.node import TradingNode
from nautilus_trader.model.book import OrderBook
from nautilus_trader.model.data import BarType
from nautilus_trader.model.data import FundingRateUpdate
from nautilus_trader.model.data import IndexPriceUpdate
from nautilus_trader.model.data import MarkPriceUpdate
from nautilus_trader.model.data import OrderBookDelta
from nautilus_trader.model.data import OrderBookDepth10
from nautilus_trader.model.data import QuoteTick
from nautilus_trader.model.data import TradeTick
from nautilus_trader.model.enums import BookType
from nautilus_trader.model.identifiers import ClientId
from nautilus_trader.model.identifiers import InstrumentId
from nautilus_trader.persistence.catalog import ParquetDataCatalog

from nautilus_bitget.config import BitgetDataClientConfig
from nautilus_bitget.factories import BitgetLiveDataClientFactory
from nautilus_bitget.recorder.actor import BitgetRecorder
from nautilus_bitget.recorder.actor import BitgetRecorderConfig
from nautilus_bitget.recorder.catalog_tools import read_index_prices
from nautilus_bitget.recorder.markers import BitgetGapMarker
from nautilus_bitget.recorder.writer import CatalogWriter


BTC = InstrumentId.from_str("BTCUSDT-PERP.BITGET")
ETH = InstrumentId.from_str("ETHUSDT-PERP.BITGET")
BAR_1M = "BTCUSDT-PERP.BITGET-1-MINUTE-LAST-EXTERNAL"
MS = 1_000_000


async def wait_for(predicate: Callable[[], bool], timeout: float, what: str) -> None:  # noqa: ASYNC109
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        await asyncio.sleep(0.01)


def build_node(sim, catalog: str, **recorder_overrides) -> tuple[TradingNode, BitgetRecorder]:
    data_config = BitgetDataClientConfig(
        base_url_http=sim.http_url,
        base_url_ws_public=sim.ws_public_url,
        base_url_ws_private=sim.ws_private_url,
        instrument_provider=InstrumentProviderConfig(load_ids=frozenset({BTC, ETH})),
        update_instruments_interval_mins=None,
        ws_ping_interval_secs=1.0,
        ws_stale_timeout_secs=3.0,
    )
    config = TradingNodeConfig(
        trader_id="RECORDER-001",
        logging=LoggingConfig(log_level="WARNING", log_colors=False),
        data_clients={"BITGET": data_config},
        timeout_connection=15.0,
        timeout_disconnection=3.0,
        timeout_post_stop=0.1,
    )
    node = TradingNode(config=config, loop=asyncio.get_running_loop())
    fields = {
        "catalog_path": catalog,
        "symbols": ("BTCUSDT", "ETHUSDT"),
        "bar_intervals": ("1m",),
        "depth10_interval_ms": 500,
        "flush_interval_secs": 0.5,
        "session_id": "test-session",
    }
    fields.update(recorder_overrides)
    recorder = BitgetRecorder(BitgetRecorderConfig(**fields))
    node.trader.add_actor(recorder)
    node.add_data_client_factory("BITGET", BitgetLiveDataClientFactory)
    node.build()
    recorder.attach_client_stats(node.kernel.data_engine._clients[ClientId("BITGET")].stats.as_dict)
    return node, recorder


def book_levels(book: OrderBook) -> tuple[list, list]:
    bids = [(Decimal(str(lvl.price)), Decimal(str(lvl.size()))) for lvl in book.bids()]
    asks = [(Decimal(str(lvl.price)), Decimal(str(lvl.size()))) for lvl in book.asks()]
    return bids, asks


def sim_levels(sim, symbol: str) -> tuple[list, list]:
    bids, asks = sim.exchange.book(symbol)
    return (
        [(Decimal(p), Decimal(s)) for p, s in bids if Decimal(s) != 0],
        [(Decimal(p), Decimal(s)) for p, s in asks if Decimal(s) != 0],
    )


def freeze_market(sim) -> None:
    # Test-only: stop the simulator's market clock so "the book at stop time" is well defined.
    for task in sim._tasks:
        if task.get_name() == "sim-step":
            task.cancel()


async def test_record_from_simulator_and_read_back(sim_factory, tmp_path) -> None:
    sim = await sim_factory()
    # a minute boundary ~2.5 s after start, so a 1-minute candle closes during the run
    wall = sim.exchange._clock
    offset = (60_000 - wall() % 60_000) - 2_500
    sim.exchange._clock = lambda: wall() + offset

    catalog = str(tmp_path / "catalog")
    node, rec = build_node(sim, catalog)
    task = asyncio.create_task(node.run_async())
    try:
        await wait_for(lambda: len(rec._last_book_ts) == 2, 15.0, "first snapshots")
        await asyncio.sleep(0.8)
        # fault 1: a sequence gap on BTCUSDT only
        t_gap = rec.clock.timestamp_ns()
        sim.faults.skip_book_seq("BTCUSDT")
        await wait_for(lambda: rec.resync_count >= 1, 5.0, "seq-gap resync")
        await asyncio.sleep(0.8)
        # fault 2: the public socket drops: every instrument restarts from a snapshot
        t_drop = rec.clock.timestamp_ns()
        sim.faults.drop_ws("public")
        # the data client announces the drop (reason "disconnect", a gap for each instrument)
        await wait_for(lambda: rec.gap_count >= 2, 10.0, "reconnect resyncs")
        # a BTC candle closes on BTC's first trade after the minute (an ETH bar may come first)
        btc_bar = BarType.from_str(BAR_1M)
        await wait_for(lambda: node.cache.bar(btc_bar) is not None, 15.0, "a closed BTC candle")
        wanted = ("QuoteTick", "TradeTick", "MarkPriceUpdate", "IndexPriceUpdate")
        await wait_for(lambda: all(rec.counts.get(t) for t in wanted), 5.0, "every type")
        await wait_for(lambda: rec.counts.get("OrderBookDepth10", 0) >= 1, 5.0, "depth10")
        freeze_market(sim)
        await sim.wait_idle()
        await asyncio.sleep(0.5)  # let the client publish the last frames
        stop_ns = rec.clock.timestamp_ns()
        await node.stop_async()
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task

    assert rec.flush_errors == 0
    assert rec.writer.stats.dropped_overlap == 0
    cat = ParquetDataCatalog(catalog)

    # instruments are there for BacktestNode
    found = cat.instruments(instrument_ids=[BTC.value, ETH.value])
    assert {i.id for i in found} == {BTC, ETH}
    precision = {i.id: i.price_precision for i in found}

    # every type present, ts_init non-decreasing
    for cls in (
        OrderBookDelta,
        OrderBookDepth10,
        QuoteTick,
        TradeTick,
        MarkPriceUpdate,
        IndexPriceUpdate,
        FundingRateUpdate,
    ):
        for iid in (BTC, ETH):
            if cls is IndexPriceUpdate:  # catalog.query can't decode it in 1.231
                rows = read_index_prices(CatalogWriter(catalog), iid.value)
                assert rows[0].value.precision == precision[iid]
            else:
                rows = cat.query(cls, identifiers=[iid.value])
            assert rows, f"no {cls.__name__} for {iid}"
            ts = [r.ts_init for r in rows]
            assert ts == sorted(ts), f"{cls.__name__} ts_init decreasing"
            assert ts[-1] <= stop_ns
    bars = cat.bars(bar_types=[BAR_1M])
    assert bars and all(b.ts_event % 60_000_000_000 == 0 for b in bars)

    # the book rebuilt from recorded deltas equals the simulator's book at stop time
    for iid, symbol in ((BTC, "BTCUSDT"), (ETH, "ETHUSDT")):
        deltas = cat.order_book_deltas(instrument_ids=[iid.value])
        assert deltas and all(
            d.order.price.precision == precision[iid] for d in deltas if d.action != 4
        )
        book = OrderBook(iid, BookType.L2_MBP)
        for delta in deltas:
            book.apply_delta(delta)
        assert book_levels(book) == sim_levels(sim, symbol), f"{symbol} book differs"

    # markers exactly where the faults were injected
    def markers(iid):
        return [getattr(m, "data", m) for m in cat.query(BitgetGapMarker, identifiers=[iid.value])]

    btc, eth = markers(BTC), markers(ETH)
    assert len(btc) == 2 and len(eth) == 1, (btc, eth)
    # Placed by order, not by timing (detection latency varies with load): each marker covers
    # its own fault and ends before the next one; a resync starts at the last good message
    before = 500 * MS
    gap, drop = sorted(btc, key=lambda m: m.start)
    assert t_gap - before <= gap.start < t_drop and t_gap <= gap.end < t_drop
    assert gap.end <= drop.start and drop.end >= t_drop
    assert t_gap < eth[0].start and eth[0].end >= t_drop
    assert all(m.channel == "books" for m in btc + eth)
    assert (gap.reason, gap.kind) == ("seq_gap", "resync")
    assert all((m.reason, m.kind) == ("disconnect", "gap") for m in (drop, eth[0]))

    # the quality manifest agrees with the catalog
    manifest = json.loads((tmp_path / "catalog/recorder/sessions/test-session.json").read_text())
    assert manifest["clean_stop"] is True
    assert sorted(manifest["symbols"]) == ["BTCUSDT", "ETHUSDT"]
    assert len(manifest["resyncs"]) == 1 and len(manifest["gaps"]) == 2
    client_stats = manifest["data_client"]
    assert client_stats["malformed"] == 0
    # updates between a fault and the fresh snapshot are skipped by the client, and said so
    assert manifest["frames_skipped"] == client_stats["dropped_unsynced"]
    assert manifest["data_client"]["gaps"] >= 1 and manifest["data_client"]["reconnects"] >= 1
    coverage = {(c["type"], c["identifier"]): c["count"] for c in manifest["coverage"]}
    assert coverage[("TradeTick", BTC.value)] == len(cat.trade_ticks(instrument_ids=[BTC.value]))
    assert coverage[("OrderBookDelta", BTC.value)] == len(
        cat.order_book_deltas(instrument_ids=[BTC.value]),
    )


async def test_restart_appends_to_the_same_catalog(sim, tmp_path) -> None:
    catalog = str(tmp_path / "catalog")
    counts = []
    for run in range(2):
        node, rec = build_node(
            sim,
            catalog,
            types=("book", "trade"),
            depth10_interval_ms=0,
            session_id=f"run-{run}",
        )
        task = asyncio.create_task(node.run_async())
        try:
            await wait_for(lambda rec=rec: rec.counts.get("OrderBookDelta", 0) > 5, 15.0, "books")
            await asyncio.sleep(0.6)
            await node.stop_async()
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        assert rec.flush_errors == 0 and rec.writer.stats.dropped_overlap == 0
        cat = ParquetDataCatalog(catalog)
        counts.append(len(cat.order_book_deltas(instrument_ids=[BTC.value])))
        # instruments are written once, not again on restart (identical definition)
        assert len(cat.instruments(instrument_ids=[BTC.value])) == 1
    assert counts[1] > counts[0] > 0
    deltas = ParquetDataCatalog(catalog).order_book_deltas(instrument_ids=[BTC.value])
    ts = [d.ts_init for d in deltas]
    assert ts == sorted(ts)


async def test_disconnect_gap_is_backfilled_without_duplicates(sim, tmp_path) -> None:
    from nautilus_bitget.recorder.markers import GAP_TOPIC

    await asyncio.sleep(2.0)  # the simulator trades before the recorder starts
    gap_start = time.time_ns() - 1_900 * MS
    catalog = str(tmp_path / "catalog")
    node, rec = build_node(
        sim,
        catalog,
        types=("book", "trade"),
        depth10_interval_ms=0,
        flush_interval_secs=60.0,  # every live trade stays buffered until stop
    )
    task = asyncio.create_task(node.run_async())
    try:
        await wait_for(lambda: rec.counts.get("TradeTick", 0) >= 2, 15.0, "live trades")
        first_live = min(t.ts_init for seg in rec._buffers[(TradeTick, BTC.value)] for t in seg)
        # what the data client publishes on a disconnect (a plain dict keeps layers apart)
        node.kernel.msgbus.publish(
            GAP_TOPIC,
            {
                "instrument_id": BTC.value,
                "reason": "disconnect",
                "start": gap_start,
                "end": first_live,
            },
        )
        await wait_for(lambda: rec.counts.get("TradeTick(backfill)", 0) >= 1, 10.0, "backfill")
        await wait_for(lambda: not rec._pending_backfill, 10.0, "backfill answered")
        await asyncio.sleep(0.6)
        await node.stop_async()
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task

    cat = ParquetDataCatalog(catalog)
    trades = cat.trade_ticks(instrument_ids=[BTC.value])
    ids = [t.trade_id.value for t in trades]
    assert len(ids) == len(set(ids)), "backfill duplicated a recorded trade"
    assert [t.ts_init for t in trades] == sorted(t.ts_init for t in trades)
    backfilled = [t for t in trades if t.ts_init < first_live]
    assert backfilled and all(gap_start < t.ts_event < first_live for t in backfilled)
    assert all(t.ts_init == t.ts_event for t in backfilled)
    sim_ids = {t.trade_id for t in sim.exchange.recent_trades("BTCUSDT", 1000)}
    assert {t.trade_id.value for t in backfilled} <= sim_ids
    (marker,) = [getattr(m, "data", m) for m in cat.query(BitgetGapMarker, identifiers=[BTC.value])]
    assert marker.reason == "disconnect" and marker.kind == "gap" and marker.backfilled


async def test_announced_open_gap_becomes_one_marker_with_its_reason(sim, tmp_path) -> None:

    catalog = str(tmp_path / "catalog")
    node, rec = build_node(sim, catalog, types=("book",), depth10_interval_ms=0)
    task = asyncio.create_task(node.run_async())
    try:
        await wait_for(lambda: len(rec._last_book_ts) == 2, 15.0, "first snapshots")
        t_gap = rec.clock.timestamp_ns()
        # the data client publishes {"instrument_id", "reason": "seq_gap", "start", "end": 0,
        # "channel": "books"} on GAP_TOPIC when it detects the gap (before resubscribing)
        sim.faults.skip_book_seq("BTCUSDT")
        await wait_for(lambda: rec.resync_count >= 1, 5.0, "seq-gap resync")
        await asyncio.sleep(0.6)
        await node.stop_async()
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task
    cat = ParquetDataCatalog(catalog)
    (marker,) = [getattr(m, "data", m) for m in cat.query(BitgetGapMarker, identifiers=[BTC.value])]
    assert (marker.reason, marker.kind, marker.channel) == ("seq_gap", "resync", "books")
    assert marker.start >= t_gap
    assert marker.end > t_gap
    assert not cat.query(BitgetGapMarker, identifiers=[ETH.value])
