"""
Public-socket drills: socket dropped mid-book, pong withheld, seq gap, wrong checksum, forced
24 h disconnect. After each fault the book we rebuilt from the published deltas must equal the
simulator's book within 1 s of the fault clearing, and the recorder must mark the span.
"""

from __future__ import annotations

import tempfile
import time
from typing import Any

from nautilus_bitget.faults.harness import BTC
from nautilus_bitget.faults.harness import book_converges
from nautilus_bitget.faults.harness import book_diff
from nautilus_bitget.faults.harness import data_node
from nautilus_bitget.faults.harness import sim_running
from nautilus_bitget.faults.harness import wait_for
from nautilus_bitget.faults.result import Drill
from nautilus_bitget.faults.result import failed


RECOVERY_SECS = 1.0


def _markers_after(catalog: str, since_ns: int) -> tuple[list[dict], str]:
    """Return the recorder's gap/resync markers that end after ``since_ns``, and a note."""
    from nautilus_bitget.recorder.manifest import read_manifests
    from nautilus_bitget.recorder.markers import BitgetGapMarker
    from nautilus_bitget.recorder.writer import open_catalog

    catalog_obj = open_catalog(catalog)
    manifests = read_manifests(catalog_obj.fs, catalog_obj.path)
    entries = [e for m in manifests for e in (*m.get("gaps", []), *m.get("resyncs", []))]
    marked = [e for e in entries if (e.get("end") or e.get("start") or 0) >= since_ns]
    try:
        rows = catalog_obj.query(BitgetGapMarker, identifiers=[BTC.value])
        note = f"{len(rows)} marker row(s) in catalog"
    except Exception as e:
        note = f"markers not readable from catalog: {type(e).__name__}: {e}"
    return marked, note


async def _book_drill(
    name: str,
    expected: str,
    inject: Any,
    recovered: Any,
    *,
    sim_overrides: dict | None = None,
    clear_after: float = 0.0,
) -> Drill:
    """
    Run one book drill.

    ``inject(sim)`` applies the fault; ``recovered(client, before)`` says the fault has cleared
    (socket back or snapshot requested) given the stats before the fault.
    """
    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="bitget-faults-") as catalog:
        try:
            async with sim_running(**(sim_overrides or {})) as sim:
                async with data_node(sim, catalog=catalog) as (_node, watch, client, recorder):
                    await book_converges(watch.book, sim, 5.0)
                    before = dict(client.stats.as_dict())
                    snapshots_before = watch.snapshots
                    fault_ns = time.time_ns()
                    t_inject = time.monotonic()
                    clear_at = t_inject + clear_after
                    inject(sim)
                    await wait_for(lambda: recovered(client, before), 15.0, "fault detected")
                    await wait_for(lambda: time.monotonic() >= clear_at, clear_after + 1, "end")
                    t_clear = time.monotonic()
                    lost = 0
                    try:
                        await wait_for(
                            lambda: book_diff(watch.book, sim) == 0,
                            5.0,
                            "book == venue",
                        )
                        recovery = time.monotonic() - t_clear
                        since_inject = time.monotonic() - t_inject
                    except TimeoutError:
                        recovery = since_inject = float("inf")
                        lost = book_diff(watch.book, sim)
                    total = time.monotonic() - start
                    after = client.stats.as_dict()
                    resynced = after["resynced"] - before["resynced"]
                    new_snapshots = watch.snapshots - snapshots_before
                # node stopped: the recorder flushed on_stop
                markers, note = _markers_after(catalog, fault_ns - 1_000_000_000)
                flush_errors = recorder.flush_errors if recorder is not None else -1
        except Exception as e:
            return failed(name, expected, e)
    ok_book = recovery <= RECOVERY_SECS and lost == 0
    ok_marker = bool(markers)
    observed = (
        f"book == venue {recovery:.3f}s after the fault cleared ({since_inject:.2f}s after "
        "injection)"
        if recovery != float("inf")
        else f"book != venue 5s after the fault cleared ({lost} levels differ)"
    )
    observed += (
        f"; resynced +{resynced}, fresh snapshots +{new_snapshots}; recorder: "
        f"{len(markers)} gap/resync marker(s) ({note}, flush errors {flush_errors})"
    )
    if not ok_marker:
        observed += "; recorder did NOT mark the gap"
    return Drill(name, expected, observed, lost, ok_book and ok_marker, total)


def _stat_grew(key: str) -> Any:
    return lambda client, before: client.stats.as_dict()[key] > before[key]


BOOK_EXPECTED = "book == venue <= 1 s after the fault clears; recorder marks the gap"


async def drill_public_drop() -> Drill:
    """Public socket aborted mid-book (no close frame)."""
    return await _book_drill(
        "public socket dropped mid-book",
        BOOK_EXPECTED,
        lambda sim: sim.faults.drop_ws("public"),
        _stat_grew("reconnects"),
    )


async def drill_pong_withheld() -> Drill:
    """The venue stops answering ``ping`` (half-dead connection)."""
    return await _book_drill(
        "pong withheld 3 s",
        BOOK_EXPECTED + " (stale socket replaced)",
        lambda sim: sim.faults.withhold_pongs(3.0),
        _stat_grew("reconnects"),
        clear_after=3.0,
    )


async def drill_seq_gap() -> Drill:
    """A ``books`` update skips a seq."""
    return await _book_drill(
        "books seq gap",
        BOOK_EXPECTED,
        lambda sim: sim.faults.skip_book_seq("BTCUSDT"),
        _stat_grew("gaps"),
    )


async def drill_bad_checksum() -> Drill:
    """A ``books`` update carries a wrong crc32."""
    return await _book_drill(
        "books wrong checksum",
        BOOK_EXPECTED,
        lambda sim: sim.faults.bad_checksum("BTCUSDT"),
        _stat_grew("checksum_failures"),
        sim_overrides={"checksum": True},
    )


async def drill_forced_reconnect() -> Drill:
    """The venue's forced 24 h disconnect (clean close)."""
    return await _book_drill(
        "forced 24 h disconnect",
        BOOK_EXPECTED,
        lambda sim: sim.faults.force_reconnect("public"),
        _stat_grew("reconnects"),
    )


DRILLS = [
    drill_public_drop,
    drill_pong_withheld,
    drill_seq_gap,
    drill_bad_checksum,
    drill_forced_reconnect,
]
