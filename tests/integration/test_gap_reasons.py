"""
The data client tells the recorder why a book gap happened: the markers in the catalog carry
``seq_gap``, ``checksum``, ``disconnect`` and ``stale`` for the faults injected in the simulator.
"""

from __future__ import annotations

import asyncio
import contextlib

from nautilus_trader.persistence.catalog import ParquetDataCatalog

from nautilus_bitget import data as data_module
from nautilus_bitget.recorder import markers as markers_module
from nautilus_bitget.recorder.markers import BitgetGapMarker
from tests.integration.test_recorder import BTC
from tests.integration.test_recorder import ETH
from tests.integration.test_recorder import build_node
from tests.integration.test_recorder import wait_for


def test_client_and_recorder_share_the_gap_topic() -> None:
    assert data_module.GAP_TOPIC == markers_module.GAP_TOPIC


async def test_gap_markers_carry_the_reason_of_each_fault(sim_factory, tmp_path) -> None:
    sim = await sim_factory(checksum=True)
    catalog = str(tmp_path / "catalog")
    node, rec = build_node(sim, catalog, types=("book",), depth10_interval_ms=0, backfill=False)
    task = asyncio.create_task(node.run_async())
    try:
        await wait_for(lambda: len(rec._last_book_ts) == 2, 15.0, "first snapshots")
        await asyncio.sleep(0.3)
        sim.faults.skip_book_seq("BTCUSDT")
        await wait_for(lambda: rec.resync_count >= 1, 15.0, "seq-gap resync")
        await asyncio.sleep(0.3)
        sim.faults.bad_checksum("BTCUSDT")
        await wait_for(lambda: rec.resync_count >= 2, 15.0, "checksum resync")
        await asyncio.sleep(0.3)
        sim.faults.drop_ws("public")
        await wait_for(lambda: rec.gap_count >= 2, 10.0, "reconnect (both instruments)")
        await asyncio.sleep(0.3)
        # no pong for longer than ws_stale_timeout_secs (3 s): the client reconnects by itself
        sim.faults.withhold_pongs(4.5)
        await wait_for(lambda: rec.gap_count >= 4, 12.0, "stale reconnect (both instruments)")
        await asyncio.sleep(0.3)
        await node.stop_async()
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task

    assert rec.flush_errors == 0
    cat = ParquetDataCatalog(catalog)

    def reasons(iid) -> list[tuple[str, str]]:
        found = [getattr(m, "data", m) for m in cat.query(BitgetGapMarker, identifiers=[iid.value])]
        assert all(m.channel == "books" and m.end > m.start for m in found), found
        return [(m.reason, m.kind) for m in sorted(found, key=lambda m: m.start)]

    assert reasons(BTC) == [
        ("seq_gap", "resync"),
        ("checksum", "resync"),
        ("disconnect", "gap"),
        ("stale", "gap"),
    ]
    assert reasons(ETH) == [("disconnect", "gap"), ("stale", "gap")]
