"""
Recording the whole venue: ``sim --contracts N``, the simulator's per-IP connection limits, the
socket pool's sharding of channels within Bitget's limits, ``record --symbols all`` and
``record --shard I/N`` into one catalog (local and S3).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import aiohttp
import pytest
from nautilus_trader.config import InstrumentProviderConfig
from nautilus_trader.config import LoggingConfig
from nautilus_trader.config import TradingNodeConfig
from nautilus_trader.live.node import TradingNode
from nautilus_trader.persistence.catalog import ParquetDataCatalog

from nautilus_bitget.common.errors import BitgetConfigError
from nautilus_bitget.config import BitgetDataClientConfig
from nautilus_bitget.factories import BitgetLiveDataClientFactory
from nautilus_bitget.recorder.actor import BitgetRecorder
from nautilus_bitget.recorder.actor import BitgetRecorderConfig
from nautilus_bitget.recorder.catalog_tools import info_dict
from nautilus_bitget.recorder.manifest import read_manifests
from nautilus_bitget.recorder.shard import parse_shard
from nautilus_bitget.recorder.shard import select
from nautilus_bitget.recorder.writer import CatalogWriter
from nautilus_bitget.sim import BitgetSimulator
from nautilus_bitget.sim import SimConfig
from nautilus_bitget.sim.contracts import generated_book_rates
from nautilus_bitget.sim.contracts import generated_contracts
from nautilus_bitget.websocket.pool import BitgetWebSocketPool
from tests.integration.test_recorder_s3 import BUCKET
from tests.integration.test_recorder_s3 import s3_endpoint  # noqa: F401 - pytest fixture


ROOT = Path(__file__).resolve().parents[2]


async def wait_for(predicate: Callable[[], bool], timeout: float, what: str) -> None:  # noqa: ASYNC109
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        await asyncio.sleep(0.02)


def usdt_perps(sim: BitgetSimulator) -> set[str]:
    """The tradable USDT-M perpetuals the simulator lists (what ``--symbols all`` records)."""
    return {
        s
        for s, spec in sim.exchange.contracts.items()
        if spec.product_type == "USDT-FUTURES" and s in sim.exchange.markets
    }


# -- sim --contracts ------------------------------------------------------------------------------


async def test_sim_contracts_lists_generated_perps_with_their_own_markets(sim_factory) -> None:
    sim = await sim_factory(contracts=60, history_days=0)
    async with aiohttp.ClientSession() as http:
        url = f"{sim.http_url}/api/v2/mix/market/contracts?productType=USDT-FUTURES"
        async with http.get(url) as r:
            rows = (await r.json())["data"]
        listed = {row["symbol"] for row in rows}
        generated = {s for s in listed if s.startswith("GEN")}
        assert len(generated) == 60
        assert {"BTCUSDT", "ETHUSDT"} <= listed  # the named symbols stay
        assert all(row["symbolType"] == "perpetual" for row in rows if row["symbol"] in generated)
        # each generated contract has its own book and ticker
        for symbol in ("GEN000USDT", "GEN059USDT"):
            book_url = (
                f"{sim.http_url}/api/v2/mix/market/merge-depth?symbol={symbol}"
                "&productType=USDT-FUTURES"
            )
            async with http.get(book_url) as r:
                book = (await r.json())["data"]
            assert book["bids"] and book["asks"]
            assert float(book["bids"][0][0]) < float(book["asks"][0][0])
            ticker_url = (
                f"{sim.http_url}/api/v2/mix/market/ticker?symbol={symbol}&productType=USDT-FUTURES"
            )
            async with http.get(ticker_url) as r:
                (ticker,) = (await r.json())["data"]
            assert ticker["symbol"] == symbol and float(ticker["markPrice"]) > 0


async def test_sim_contracts_active_half_updates_faster_than_the_rest(sim_factory) -> None:
    sim = await sim_factory(contracts=20, history_days=0)
    symbols = sorted(s for s in sim.exchange.markets if s.startswith("GEN"))
    rates = generated_book_rates(symbols, seed=7)
    active, quiet = symbols[0], symbols[-1]
    assert rates[active] >= 10.0 and rates[quiet] <= 2.0  # the documented profile
    counts = {active: 0, quiet: 0}
    async with aiohttp.ClientSession() as http, http.ws_connect(sim.ws_public_url) as ws:
        args = [{"instType": "USDT-FUTURES", "channel": "books", "instId": s} for s in counts]
        await ws.send_str(json.dumps({"op": "subscribe", "args": args}))

        async def read() -> None:
            async for msg in ws:
                frame = json.loads(msg.data)
                if frame.get("action") == "update":
                    counts[frame["arg"]["instId"]] += 1

        reader = asyncio.create_task(read())
        try:
            await wait_for(lambda: counts[active] >= 40, 30.0, "40 updates of the active symbol")
        finally:
            reader.cancel()
    # 10-20 messages/s against 1-2: the quiet one saw at most a fifth as many
    assert counts[quiet] * 5 <= counts[active]


def test_generated_contracts_are_deterministic_and_on_their_grids() -> None:
    a, b = generated_contracts(50, seed=3), generated_contracts(50, seed=3)
    assert a == b
    assert generated_contracts(50, seed=4) != a
    for spec in a.values():
        assert spec.product_type == "USDT-FUTURES" and spec.symbol_type == "perpetual"
        assert spec.to_ticks(spec.initial_price) is not None  # the start price is on the tick
        assert spec.initial_price > 0


# -- connection limits ----------------------------------------------------------------------------


async def test_sim_refuses_connections_over_the_per_ip_limits(sim_factory) -> None:
    sim = await sim_factory(ws_max_connections_per_ip=3, ws_max_connects_per_window=5)
    async with aiohttp.ClientSession() as http:
        first = [await http.ws_connect(sim.ws_public_url) for _ in range(2)]
        third = await http.ws_connect(sim.ws_private_url)  # all sockets count
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await http.ws_connect(sim.ws_public_url)
        assert refused.value.status == 429
        await third.close()
        await wait_for(lambda: sim.gate.open_count("127.0.0.1") == 2, 10.0, "a freed slot")
        fifth = await http.ws_connect(sim.ws_public_url)  # attempt 5 of 5 in the window
        with pytest.raises(aiohttp.WSServerHandshakeError) as too_many:
            await http.ws_connect(sim.ws_public_url)  # attempt 6: over 5 per window
        assert too_many.value.status == 429
        for ws in [*first, fifth]:
            await ws.close()


async def test_pool_shards_channels_within_bitget_limits(sim_factory) -> None:
    sim = await sim_factory(contracts=60, history_days=0)
    symbols = sorted(usdt_perps(sim))
    args = [
        {"instType": "USDT-FUTURES", "channel": channel, "instId": s}
        for s in symbols
        for channel in ("books", "trade", "ticker")
    ]
    acks: list[bytes] = []

    def handler(frame: bytes) -> None:
        if b'"event":"subscribe"' in frame:
            acks.append(frame)
        elif b'"event":"error"' in frame:
            raise AssertionError(frame.decode())

    pool = BitgetWebSocketPool(sim.ws_public_url, handler, name="venue")
    await pool.connect()
    try:
        # one subscribe call per channel, as the data client issues them
        await asyncio.gather(*(pool.subscribe([arg]) for arg in args))
        await wait_for(lambda: len(acks) == len(args), 20.0, "every subscription acknowledged")
        public = [c for c in sim.ws_stats()["connections"] if c["path"] == "/v2/ws/public"]
        assert sum(c["channels"] for c in public) == len(args)
        assert max(c["channels"] for c in public) <= 50
        assert len(public) == -(-len(args) // 50)  # as few connections as 50 channels allow
        assert pool.reconnect_count == 0  # never over 10 messages/s: no 30007 disconnect
    finally:
        await pool.disconnect()


async def test_pool_refuses_more_channels_than_its_connections_carry(sim_factory) -> None:
    sim = await sim_factory(contracts=10, history_days=0)
    symbols = sorted(usdt_perps(sim))[:12]
    args = [{"instType": "USDT-FUTURES", "channel": "books", "instId": s} for s in symbols]
    pool = BitgetWebSocketPool(
        sim.ws_public_url, lambda _: None, name="small", max_channels=5, max_connections=2
    )
    await pool.connect()
    try:
        with pytest.raises(BitgetConfigError, match="--shard"):
            await pool.subscribe(args)
        assert len(pool.subscriptions) == 10  # what fits is subscribed
        assert len(pool.clients) == 2
    finally:
        await pool.disconnect()


# -- record --symbols all -------------------------------------------------------------------------


async def test_record_symbols_all_records_every_instrument(sim_factory, tmp_path) -> None:
    sim = await sim_factory(contracts=80, history_days=0)
    wanted = usdt_perps(sim)
    catalog = str(tmp_path / "catalog")
    data_config = BitgetDataClientConfig(
        base_url_http=sim.http_url,
        base_url_ws_public=sim.ws_public_url,
        base_url_ws_private=sim.ws_private_url,
        instrument_provider=InstrumentProviderConfig(load_all=True),
        update_instruments_interval_mins=None,
    )
    node = TradingNode(
        config=TradingNodeConfig(
            trader_id="RECORDER-001",
            logging=LoggingConfig(log_level="ERROR", log_colors=False),
            data_clients={"BITGET": data_config},
            timeout_connection=20.0,
            timeout_disconnection=3.0,
            timeout_post_stop=0.1,
        ),
        loop=asyncio.get_running_loop(),
    )
    recorder = BitgetRecorder(
        BitgetRecorderConfig(
            catalog_path=catalog,
            symbols=("all",),
            flush_interval_secs=1.0,
            session_id="venue",
        )
    )
    node.trader.add_actor(recorder)
    node.add_data_client_factory("BITGET", BitgetLiveDataClientFactory)
    node.build()
    run = asyncio.create_task(node.run_async())
    try:
        await wait_for(
            lambda: len(recorder._last_book_ts) == len(wanted), 25.0, "a book of every instrument"
        )

        def public() -> list[dict]:
            return [c for c in sim.ws_stats()["connections"] if c["path"] == "/v2/ws/public"]

        # books, books1 (quotes), trade, ticker (mark, index, funding), candle1m per instrument
        await wait_for(
            lambda: sum(c["channels"] for c in public()) == 5 * len(wanted),
            25.0,
            "every channel subscribed",
        )
        assert max(c["channels"] for c in public()) <= 50
    finally:
        await node.stop_async()
        run.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await run
    assert recorder.gap_count == 0 and recorder.resync_count == 0
    reader = ParquetDataCatalog(catalog)
    assert {i.raw_symbol.value for i in reader.instruments()} == wanted
    deltas = reader.order_book_deltas()
    recorded = {d.instrument_id.symbol.value.removesuffix("-PERP") for d in deltas}
    assert recorded == wanted


# -- record --shard I/N ---------------------------------------------------------------------------


def test_shard_rule_is_disjoint_and_covers_every_symbol() -> None:
    symbols = [f"GEN{i:03d}USDT" for i in range(200)] + ["BTCUSDT", "ETHUSDT"]
    shards = [select(symbols, i, 3) for i in (1, 2, 3)]
    assert sorted(s for shard in shards for s in shard) == sorted(symbols)  # a partition
    assert all(shard == sorted(shard) and shard for shard in shards)
    # membership depends on the symbol only: a new listing moves nobody
    grown = [select([*symbols, "NEWUSDT"], i, 3) for i in (1, 2, 3)]
    assert [set(g) - {"NEWUSDT"} for g in grown] == [set(s) for s in shards]
    assert parse_shard("2/3") == (2, 3)
    for bad in ("0/3", "4/3", "1", "a/b", "1/0"):
        with pytest.raises(BitgetConfigError, match="--shard"):
            parse_shard(bad)


def _record_cmd(http_url: str, catalog: str, shard: str, duration: float) -> list[str]:
    return [
        sys.executable,
        "-m",
        "nautilus_bitget.cli",
        "record",
        "--env",
        "sim",
        "--http-url",
        http_url,
        "--symbols",
        "all",
        "--catalog",
        catalog,
        "--shard",
        shard,
        "--duration",
        str(duration),
        "--flush-secs",
        "1",
    ]


def _run_shards(sim: BitgetSimulator, catalog: str, count: int, env: dict[str, str]) -> None:
    procs = [
        subprocess.Popen(  # noqa: S603 - our own interpreter and module
            _record_cmd(sim.http_url, catalog, f"{i}/{count}", 4.0),
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for i in range(1, count + 1)
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=90)
        assert proc.returncode == 0, err.decode()[-3000:]


def _check_union(writer: CatalogWriter, wanted: set[str], count: int) -> None:
    manifests = read_manifests(writer.fs, writer.root)
    assert sorted(m["shard"] for m in manifests) == [f"{i}/{count}" for i in range(1, count + 1)]
    per_shard = [set(m["symbols"]) for m in manifests]
    assert all(per_shard) and set.union(*per_shard) == wanted
    assert sum(len(s) for s in per_shard) == len(wanted)  # disjoint
    for m in manifests:
        assert set(select(wanted, *parse_shard(m["shard"]))) == set(m["symbols"])
        assert m["gaps"] == [] and m["clean_stop"] is True
    info = info_dict(writer)  # the catalog reads as one
    assert {i.removesuffix("-PERP.BITGET") for i in info["instruments"]} == wanted
    books = {s["identifier"] for s in info["streams"] if s["type"] == "order_book_deltas"}
    assert {b.removesuffix("-PERP.BITGET") for b in books} == wanted
    assert len(info["sessions"]) == count


def test_shards_write_disjoint_instruments_into_one_local_catalog(tmp_path) -> None:
    sim = BitgetSimulator(SimConfig(contracts=40, history_days=0)).start_background()
    try:
        wanted = usdt_perps(sim)
        catalog = str(tmp_path / "catalog")
        env = {**os.environ, "BITGET_NT_LOG_LEVEL": "ERROR", "BITGET_NT_STATUS": "0"}
        _run_shards(sim, catalog, 2, env)
    finally:
        sim.stop_background()
    writer = CatalogWriter(catalog)
    _check_union(writer, wanted, 2)
    tmp_dir = Path(catalog, "recorder", "tmp")
    assert sorted(p.name for p in tmp_dir.iterdir()) == ["shard-1-of-2", "shard-2-of-2"]
    assert not [p for p in tmp_dir.rglob("*.tmp")]


def test_shard_cleanup_leaves_the_other_shards_temp_files(tmp_path) -> None:
    catalog = str(tmp_path / "catalog")
    one = CatalogWriter(catalog, temp_name="shard-1-of-2")
    two = CatalogWriter(catalog, temp_name="shard-2-of-2")
    Path(two.temp_dir).mkdir(parents=True)
    in_flight = Path(two.temp_dir, "abc.parquet.tmp")
    in_flight.write_bytes(b"being written")
    Path(one.temp_dir).mkdir(parents=True)
    Path(one.temp_dir, "orphan.parquet.tmp").write_bytes(b"crashed")
    assert one.cleanup_temp_files() == 1
    assert in_flight.exists()  # shard 2 renames it in a moment
    assert CatalogWriter(catalog).cleanup_temp_files() == 0  # the unsharded writer too


def test_shards_write_into_one_s3_catalog(s3_endpoint) -> None:  # noqa: F811 - the fixture
    import s3fs

    options = {"key": "test", "secret": "test", "client_kwargs": {"endpoint_url": s3_endpoint}}
    s3fs.S3FileSystem(**options).mkdir(BUCKET)
    env = {
        **os.environ,
        "BITGET_NT_STORAGE_OPTIONS": json.dumps(options),
        "BITGET_NT_LOG_LEVEL": "ERROR",
        "BITGET_NT_STATUS": "0",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    uri = f"s3://{BUCKET}/venue"
    sim = BitgetSimulator(SimConfig(contracts=8, history_days=0)).start_background()
    try:
        wanted = usdt_perps(sim)
        _run_shards(sim, uri, 2, env)
    finally:
        sim.stop_background()
    writer = CatalogWriter(uri, options)
    _check_union(writer, wanted, 2)
    assert not [p for p in writer.fs.find(f"{BUCKET}/venue/recorder/tmp") if p.endswith(".tmp")]
