"""The small pieces of the first-hour work: status line, log settings, quiet stops, catalog info."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

from nautilus_bitget.cli import main
from nautilus_bitget.common.tasks import until_cancelled
from nautilus_bitget.live_status import format_live_status
from nautilus_bitget.logs import node_logging


REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "data" / "sample"
EXE = str(Path(sys.executable).with_name("bitget-nt"))


def test_live_status_line() -> None:
    line = format_live_status(
        12.4, ["BTCUSDT-PERP long 0.050"], 2, "+1.20 USDT", "-0.30 USDT", 1_764_868_000 * 10**9, 0.4
    )
    assert line == (
        "live 12s | positions BTCUSDT-PERP long 0.050 | open orders 2 | PnL realized +1.20 USDT "
        "unrealized -0.30 USDT | last data 17:06:40 UTC (0.4s ago)"
    )
    assert "positions flat" in format_live_status(1, [], 0, "+0", "+0", None, None)
    assert "no data yet" in format_live_status(1, [], 0, "+0", "+0", None, None)


def test_node_logging_defaults_to_warning_and_quiets_a_data_only_node(monkeypatch) -> None:
    monkeypatch.delenv("BITGET_NT_LOG_LEVEL", raising=False)
    config = node_logging(data_only=True)
    assert config.log_level == "WARNING"
    assert config.log_component_levels == {"TradingNode": "ERROR", "ExecEngine": "ERROR"}
    assert node_logging("info", data_only=True).log_component_levels is None
    monkeypatch.setenv("BITGET_NT_LOG_LEVEL", "ERROR")
    assert node_logging().log_level == "ERROR"


async def test_a_cancelled_loop_ends_normally() -> None:
    async def forever() -> None:
        await asyncio.sleep(3600)

    task = asyncio.create_task(until_cancelled(forever()))
    await asyncio.sleep(0)
    task.cancel()
    await asyncio.wait([task], timeout=5)
    assert task.done() and not task.cancelled() and task.exception() is None


def test_catalog_info_of_the_sample(capsys) -> None:
    assert main(["catalog", "info", str(SAMPLE), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    streams = {s["data"]: s for s in info["streams"]}
    assert info["instruments"] == ["BTCUSDT-PERP.BITGET"]
    for data in (
        "order_book_deltas",
        "trade_tick",
        "funding_rate_update",
        "bar 1-MINUTE-LAST-EXTERNAL",
        "bar 1-SECOND-LAST-EXTERNAL",
    ):
        assert streams[data]["rows"] > 0 and streams[data]["instrument"] == "BTCUSDT-PERP.BITGET"
    second = streams["bar 1-SECOND-LAST-EXTERNAL"]
    assert second["missing_bars"] == 0 and second["gaps"] == 0
    assert streams["order_book_deltas"]["gaps"] == 0, "the committed sample has a silence"
    assert streams["trade_tick"]["missing_bars"] is None
    assert main(["catalog", "info", str(SAMPLE)]) == 0
    table = capsys.readouterr().out
    assert "bar 1-SECOND-LAST-EXTERNAL" in table and "first (UTC)" in table


def test_sample_is_small_and_labelled() -> None:
    size = sum(p.stat().st_size for p in SAMPLE.rglob("*") if p.is_file())
    assert size < 5_000_000
    assert "SIMULATED" in (SAMPLE / "README.md").read_text()


def test_catalog_info_of_a_missing_catalog_is_one_line(tmp_path, capsys) -> None:
    assert main(["catalog", "info", str(tmp_path / "nope")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("bitget-nt catalog: no catalog at") and "\n" not in err


def test_live_without_credentials_stops_before_the_node() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BITGET_API_")}
    done = subprocess.run(  # noqa: S603 - our own CLI
        [
            EXE,
            "live",
            "--env",
            "demo",
            "--strategy",
            "strategies.ema_cross:EMACross",
            "--config",
            str(REPO / "strategies" / "configs" / "ema_cross.json"),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "BITGET_API_KEY" in lines[0] and "doctor" in lines[0]


def test_catalog_info_counts_a_silent_book_stream_as_a_gap(tmp_path, capsys) -> None:
    import shutil

    from nautilus_bitget.compat import filename_timestamps
    from nautilus_bitget.compat import timestamps_to_filename

    catalog = tmp_path / "c"
    shutil.copytree(SAMPLE, catalog)
    books = sorted((catalog / "data" / "order_book_deltas" / "BTCUSDT-PERP.BITGET").glob("*"))
    assert len(books) >= 2
    first, last = filename_timestamps(books[-1].name)
    later = 300 * 10**9  # the last file now starts 5 minutes after the one before it ended
    books[-1].rename(books[-1].with_name(timestamps_to_filename(first + later, last + later)))
    assert main(["catalog", "info", str(catalog), "--json"]) == 0
    streams = {s["data"]: s for s in json.loads(capsys.readouterr().out)["streams"]}
    assert streams["order_book_deltas"]["silences"] == 1
    assert streams["order_book_deltas"]["gaps"] == 1


def test_backtest_reports_its_simulated_time_to_the_progress_display(tmp_path) -> None:
    from nautilus_bitget.backtest import progress
    from nautilus_bitget.backtest.progress import catalog_range
    from nautilus_bitget.backtest.runner import run_backtest

    seen: list[int] = []
    progress._listener = seen.append
    try:
        run_backtest(
            SAMPLE,
            "strategies.ema_cross:EMACross",
            REPO / "strategies" / "configs" / "ema_cross_demo.json",
        )
    finally:
        progress._listener = None
    first, last = catalog_range(str(SAMPLE))
    assert len(seen) > 100 and seen == sorted(seen)
    assert first <= seen[0] and seen[-1] <= last and seen[-1] - seen[0] > (last - first) // 2
