"""The recorder's catalog writer against an S3 URI served by a local moto server."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request

import moto.server  # noqa: F401 - test extras (with s3fs): missing, the test fails, never skips
import pytest
from nautilus_trader.model.data import OrderBookDelta
from nautilus_trader.model.data import TradeTick
from nautilus_trader.persistence.catalog import ParquetDataCatalog

from nautilus_bitget.recorder.catalog_tools import info_dict
from nautilus_bitget.recorder.manifest import SessionManifest
from nautilus_bitget.recorder.manifest import read_manifests
from nautilus_bitget.recorder.manifest import write_manifest
from nautilus_bitget.recorder.markers import BitgetGapMarker
from nautilus_bitget.recorder.markers import make_marker
from nautilus_bitget.recorder.writer import CatalogWriter
from nautilus_bitget.recorder.writer import flatten
from tests.unit.test_recorder_writer import IID
from tests.unit.test_recorder_writer import T0
from tests.unit.test_recorder_writer import book_msg
from tests.unit.test_recorder_writer import make_instrument
from tests.unit.test_recorder_writer import trade


BUCKET = "recorder-test"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def s3_endpoint():
    # A subprocess, not moto's ThreadedMotoServer: the catalog's Rust reader holds the GIL while
    # it waits for HTTP, which deadlocks against a server thread in the same process.
    port = _free_port()
    proc = subprocess.Popen(  # noqa: S603 - our own interpreter
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                urllib.request.urlopen(f"{url}/moto-api/", timeout=1)  # noqa: S310 - local
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("moto server did not start") from None
                time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        proc.wait(10)


def test_record_to_s3_and_read_back(s3_endpoint, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    options = {"key": "test", "secret": "test", "client_kwargs": {"endpoint_url": s3_endpoint}}
    import s3fs

    s3fs.S3FileSystem(**options).mkdir(BUCKET)
    uri = f"s3://{BUCKET}/catalog"

    writer = CatalogWriter(uri, options)
    assert writer.cleanup_temp_files() == 0
    writer.write_instrument(make_instrument())
    msgs = [book_msg(T0 + i, i, snapshot=i == 0) for i in range(20)]
    writer.write(OrderBookDelta, IID.value, flatten(msgs[:10]))
    writer.write(OrderBookDelta, IID.value, flatten(msgs[10:]))
    writer.write(TradeTick, IID.value, [trade(T0 + i, i) for i in range(10)])
    writer.write(BitgetGapMarker, IID.value, [make_marker(IID, T0, T0 + 5, "disconnect")])
    manifest = SessionManifest(session_id="s3-session", catalog=uri, started_ns=T0)
    write_manifest(writer.fs, writer.root, manifest)

    # a restart on the same URI appends after what is there
    writer2 = CatalogWriter(uri, options)
    assert writer2.last_ts(TradeTick, IID.value) == T0 + 9
    writer2.write(TradeTick, IID.value, [trade(T0 + i, i) for i in range(5, 15)])
    assert writer2.stats.dropped_overlap == 5
    assert not writer2.fs.find(f"{writer2.root}/recorder/tmp")  # temp files renamed away

    rust_options = {
        "endpoint_url": s3_endpoint,
        "access_key_id": "test",
        "secret_access_key": "test",
        "region": "us-east-1",
        "allow_http": "true",
    }
    # independent reader; not ``from_uri``: in 1.231 it passes ``host=<bucket>`` to s3fs
    reader = ParquetDataCatalog(
        path=f"{BUCKET}/catalog",
        fs_protocol="s3",
        fs_storage_options=options,
        fs_rust_storage_options=rust_options,
    )
    assert [i.id for i in reader.instruments(instrument_ids=[IID.value])] == [IID]
    trades = reader.trade_ticks(instrument_ids=[IID.value])
    assert [t.trade_id.value for t in trades] == [str(i) for i in range(15)]
    deltas = reader.order_book_deltas(instrument_ids=[IID.value], batched=True)
    assert len(deltas) == 20 and deltas[0].is_snapshot
    markers = reader.query(BitgetGapMarker, identifiers=[IID.value])
    assert [getattr(m, "data", m).reason for m in markers] == ["disconnect"]
    assert read_manifests(writer.fs, writer.root)[0]["session_id"] == "s3-session"
    info = info_dict(writer2)
    assert {s["type"] for s in info["streams"]} >= {"trade_tick", "order_book_deltas"}


def test_cli_records_from_simulator_to_s3(s3_endpoint, tmp_path) -> None:
    import json

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
    uri = f"s3://{BUCKET}/recorded"
    done = subprocess.run(  # noqa: S603 - our own interpreter and module
        [
            sys.executable,
            "-m",
            "nautilus_bitget.cli",
            "record",
            "--env",
            "sim",
            "--symbols",
            "BTCUSDT",
            "--catalog",
            uri,
            "--duration",
            "3",
            "--flush-secs",
            "1",
        ],
        env=env,
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode()[-3000:]
    reader = ParquetDataCatalog(
        path=f"{BUCKET}/recorded",
        fs_protocol="s3",
        fs_storage_options=options,
        fs_rust_storage_options={
            "endpoint_url": s3_endpoint,
            "access_key_id": "test",
            "secret_access_key": "test",
            "region": "us-east-1",
            "allow_http": "true",
        },
    )
    assert [i.id for i in reader.instruments(instrument_ids=[IID.value])] == [IID]
    deltas = reader.order_book_deltas(instrument_ids=[IID.value], batched=True)
    assert deltas and deltas[0].is_snapshot
    quotes = reader.quote_ticks(instrument_ids=[IID.value])
    assert [q.ts_init for q in quotes] == sorted(q.ts_init for q in quotes)
    fs = s3fs.S3FileSystem(**options)
    assert not [p for p in fs.find(f"{BUCKET}/recorded/recorder/tmp") if p.endswith(".tmp")]
    (session,) = fs.glob(f"{BUCKET}/recorded/recorder/sessions/*.json")
    assert json.loads(fs.cat(session))["clean_stop"] is True
