"""
``bitget-nt download`` against the simulator: candles (last, mark, index), trades and funding
into a catalog, equal to what the simulator's REST history serves and shaped like live data; a
second run writes nothing; a 429 burst is ridden out; a run killed with SIGKILL leaves a readable
catalog and the next run completes it without duplicates; bad input is one line and exit 2.

With a simulator that seeds market history (``SimConfig.history_days``) the tests download a
day of it; otherwise they use what it serves since its start (its clock is moved to just before a
minute boundary so a candle closes, funding settles every 2 s).
"""

from __future__ import annotations

import asyncio
import calendar
import contextlib
import dataclasses
import json
import os
import signal
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest
from nautilus_trader.model.data import FundingRateUpdate
from nautilus_trader.model.identifiers import InstrumentId
from nautilus_trader.persistence.catalog import ParquetDataCatalog

from nautilus_bitget.history.cli import download
from nautilus_bitget.history.download import MS
from nautilus_bitget.history.venue import HistoryInputError
from nautilus_bitget.history.venue import Venue
from nautilus_bitget.sim import SimConfig


REPO = Path(__file__).resolve().parents[2]
SEEDED = "history_days" in {f.name for f in dataclasses.fields(SimConfig)}
BTC = InstrumentId.from_str("BTCUSDT-PERP.BITGET")
ETH = InstrumentId.from_str("ETHUSDT-PERP.BITGET")
TYPES = "bars:1m,mark-bars:1m,index-bars:1m,trades,funding"
BAR_TYPES = (
    "BTCUSDT-PERP.BITGET-1-MINUTE-LAST-EXTERNAL",
    "BTCUSDT-PERP.BITGET-1-MINUTE-MARK-EXTERNAL",
    "BTCUSDT-INDEX.BITGET-1-MINUTE-LAST-EXTERNAL",
)
MIN_NS = 60_000_000_000


async def history_sim(sim_factory):
    """A simulator with history to download (seeded, or a closed candle and funding since start)."""
    if SEEDED:
        return await sim_factory(history_days=1, funding_interval_secs=3600)
    sim = await sim_factory(funding_interval_secs=2)
    wall = sim.exchange._clock
    offset = (60_000 - wall() % 60_000) - 1_500
    sim.exchange._clock = lambda: wall() + offset
    await asyncio.sleep(3.5)
    return sim


def window(sim) -> tuple[str, str]:
    now = sim.exchange.now_ms()
    start = now - (20 * 3600_000 if SEEDED else 600_000)
    iso = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(start / 1000))
    end = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now / 1000 - 1))
    return iso, end


def catalog_rows(path: str) -> dict[str, list]:
    cat = ParquetDataCatalog(path)
    out: dict[str, list] = {}
    for bar_type in BAR_TYPES:
        out[bar_type] = [
            (repr(b), b.ts_init) for b in cat.bars(bar_types=[bar_type]) if b is not None
        ]
    for iid in (BTC, ETH):
        out[f"trades {iid}"] = [(repr(t), t.ts_init) for t in cat.trade_ticks(instrument_ids=[iid])]
        out[f"funding {iid}"] = [
            (str(f.rate), f.ts_event, f.ts_init, f.interval, f.next_funding_ns)
            for f in cat.query(FundingRateUpdate, identifiers=[iid.value])
        ]
    return out


async def test_download_equals_what_the_venue_serves(sim_factory, tmp_path) -> None:
    sim = await history_sim(sim_factory)
    start, end = window(sim)
    catalog = str(tmp_path / "catalog")
    code = await download(
        catalog, "BTCUSDT,ETHUSDT", start, end, TYPES, "sim", sim.http_url, progress=False
    )
    assert code == 0
    cat = ParquetDataCatalog(catalog)
    async with Venue("sim", sim.http_url) as venue:
        btc = await venue.resolve("BTCUSDT")
        # the instrument the live provider builds
        (stored,) = cat.instruments(instrument_ids=[BTC.value])
        strip = {"ts_event": 0, "ts_init": 0}
        assert stored.to_dict(stored) | strip == btc.instrument.to_dict(btc.instrument) | strip
        start_ms = calendar.timegm(time.strptime(start, "%Y-%m-%dT%H:%M:%S")) * 1000
        rows = await venue.market.history_candles(
            "BTCUSDT", btc.product_type, "1m", start_ms=start_ms, end_ms=venue.now_ms()
        )
        trades = await venue.market.history_trades(
            "BTCUSDT", btc.product_type, start_ms=start_ms, end_ms=venue.now_ms(), limit=100_000
        )
        funding = await venue.market.funding_history("BTCUSDT", btc.product_type)
    end_ns = calendar.timegm(time.strptime(end, "%Y-%m-%dT%H:%M:%S")) * 10**9

    bars = cat.bars(bar_types=[BAR_TYPES[0]])
    assert bars, "no bars downloaded"
    want = [int(r.ts) for r in rows if int(r.ts) >= start_ms and int(r.ts) * MS + MIN_NS <= end_ns]
    assert [b.ts_event - MIN_NS for b in bars] == [t * MS for t in want]
    for b in bars:  # closed candles, ts_event = close, ts_init = ts_event, live precisions
        assert b.ts_event % MIN_NS == 0 and b.ts_init == b.ts_event
        assert b.open.precision == btc.instrument.price_precision
        assert b.volume.precision == btc.instrument.size_precision
    assert len(cat.bars(bar_types=[BAR_TYPES[1]])) == len(bars)
    assert len(cat.bars(bar_types=[BAR_TYPES[2]])) == len(bars)

    ticks = cat.trade_ticks(instrument_ids=[BTC])
    ids = [t.trade_id.value for t in ticks]
    assert len(ids) == len(set(ids))
    served = {t.tradeId for t in trades if start_ms * MS <= int(t.ts) * MS < end_ns}
    assert set(ids) == served
    assert all(t.ts_init == t.ts_event for t in ticks)
    assert [t.ts_init for t in ticks] == sorted(t.ts_init for t in ticks)

    rates = cat.query(FundingRateUpdate, identifiers=[BTC.value])
    settled = {
        int(r.fundingTime) * MS: Decimal(r.fundingRate)
        for r in funding
        if start_ms * MS <= int(r.fundingTime) * MS < end_ns
    }
    assert rates, "no funding downloaded"
    assert {f.next_funding_ns: Decimal(str(f.rate)) for f in rates} == settled
    assert all(f.ts_init == f.next_funding_ns - MS and f.interval for f in rates)

    manifest = json.loads(next((tmp_path / "catalog/recorder/sessions").glob("*.json")).read_text())
    assert manifest["kind"] == "download" and manifest["completed"]
    coverage = {(c["type"], c["identifier"]): c["count"] for c in manifest["coverage"]}
    assert coverage[("Bar", BAR_TYPES[0])] == len(bars)
    assert coverage[("TradeTick", BTC.value)] == len(ticks)

    # a second run over the same range fetches and writes nothing
    assert (
        await download(
            catalog, "BTCUSDT,ETHUSDT", start, end, TYPES, "sim", sim.http_url, progress=False
        )
        == 0
    )
    assert catalog_rows(catalog) == catalog_rows(catalog)  # readable
    again = sorted((tmp_path / "catalog/recorder/sessions").glob("*.json"))
    assert len(again) == 2
    second = [json.loads(p.read_text()) for p in again]
    second = next(m for m in second if m["session_id"] != manifest["session_id"])
    assert second["coverage"] == [] and second["files_written"] == 0


async def test_rate_limit_burst_is_ridden_out(sim_factory, tmp_path) -> None:
    sim = await history_sim(sim_factory)
    start, end = window(sim)
    ref = str(tmp_path / "ref")
    assert await download(ref, "BTCUSDT", start, end, TYPES, "sim", sim.http_url) == 0
    # the next 6 market requests answer 429 (more than the transport's default 3 retries)
    sim.faults.http_errors(6, status=429, path="/market/")
    burst = str(tmp_path / "burst")
    assert await download(burst, "BTCUSDT", start, end, TYPES, "sim", sim.http_url) == 0
    assert sim.faults.http_error_n == 0
    assert catalog_rows(burst) == catalog_rows(ref)


async def test_killed_run_leaves_a_readable_catalog_and_resumes(sim_factory, tmp_path) -> None:
    sim = await history_sim(sim_factory)
    start, end = window(sim)
    ref = str(tmp_path / "ref")
    assert await download(ref, "BTCUSDT,ETHUSDT", start, end, TYPES, "sim", sim.http_url) == 0
    catalog = str(tmp_path / "catalog")
    cmd = [
        sys.executable,
        "-m",
        "nautilus_bitget.cli",
        "download",
        "--symbols",
        "BTCUSDT,ETHUSDT",
        "--catalog",
        catalog,
        "--start",
        start,
        "--end",
        end,
        "--types",
        TYPES,
        "--env",
        "sim",
        "--http-url",
        sim.http_url,
    ]
    sim.faults.slow_responses(250, path="/market/")  # a long run to kill
    proc = await asyncio.create_subprocess_exec(
        *cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    data_dir = Path(catalog) / "data"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not any(data_dir.rglob("*.parquet")):  # noqa: ASYNC110 - polling the file system
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.3)
    with contextlib.suppress(ProcessLookupError):
        os.kill(proc.pid, signal.SIGKILL)
    await proc.wait()
    sim.faults.slow_responses(0)
    # readable as it was left, nothing partial inside data/
    catalog_rows(catalog)
    assert not [p for p in data_dir.rglob("*") if p.name.endswith(".tmp")]
    proc = await asyncio.create_subprocess_exec(
        *cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    _, err = await proc.communicate()
    assert proc.returncode == 0, err.decode()
    assert err.decode().strip().splitlines()[-1].startswith("downloaded BTCUSDT,ETHUSDT")
    assert catalog_rows(catalog) == catalog_rows(ref)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"start": "2026-11-08", "end": "2026-11-01"}, "is not after --start"),
        ({"symbols_text": "NOPEUSDT"}, "unknown symbol NOPEUSDT"),
        ({"symbols_text": "BTCUSDU26"}, "not a perpetual"),
        ({"types_text": "bars:2m"}, "Bitget has no 2m candles"),
        ({"types_text": "ticks"}, "unknown type"),
        ({"start": "2020-01-01", "types_text": "trades"}, "earliest available is"),
    ],
)
async def test_bad_input(sim, tmp_path, kwargs: dict, message: str) -> None:
    args = {
        "catalog": str(tmp_path / "catalog"),
        "symbols_text": "BTCUSDT",
        "start": "2026-11-01",
        "end": None,
        "types_text": "bars:1m",
        "env": "sim",
        "http_url": sim.http_url,
    }
    args.update(kwargs)
    with pytest.raises(HistoryInputError, match=message):
        await download(**args)
    assert not (tmp_path / "catalog" / "data").exists()


def test_cli_bad_input_is_one_line_and_exit_2(tmp_path) -> None:
    proc = subprocess.run(  # noqa: S603 - our own CLI
        [
            sys.executable,
            "-m",
            "nautilus_bitget.cli",
            "download",
            "--symbols",
            "BTCUSDT",
            "--catalog",
            str(tmp_path / "c"),
            "--start",
            "2026-11-08",
            "--end",
            "2026-11-01",
            "--env",
            "sim",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0, proc.stderr
    assert "is not after --start" in proc.stderr


async def test_ema_cross_backtest_on_downloaded_candles(sim_factory, tmp_path) -> None:
    # mark and index candles sit next to the last-price bars and must not disturb the run
    from nautilus_bitget.backtest.runner import run_backtest

    sim = await history_sim(sim_factory)
    start, end = window(sim)
    catalog = tmp_path / "catalog"
    assert await download(str(catalog), "BTCUSDT", start, end, TYPES, "sim", sim.http_url) == 0
    result = run_backtest(
        catalog,
        "strategies.ema_cross:EMACross",
        REPO / "strategies" / "configs" / "ema_cross.json",
        tmp_path / "out",
    )
    s = result.summary
    assert s["book_type"] == "L1_MBP"
    if SEEDED:  # a day of candles: the EMAs cross, positions see funding times
        assert s["orders"] >= 2 and s["fills"] >= 1
        assert s["funding_payments"] >= 1  # settled from the downloaded rates
