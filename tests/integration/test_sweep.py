"""
``bitget-nt sweep`` on Ray: rows equal single ``bitget-nt backtest`` runs, failures are rows,
re-runs skip finished combinations, Ctrl-C stops cleanly, and workers read an S3 catalog
themselves (served by a local moto server, as in the recorder S3 test).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from nautilus_bitget.backtest.cli import BacktestSettings
from nautilus_bitget.backtest.sweep import FIGURES
from nautilus_bitget.backtest.sweep import SweepError
from nautilus_bitget.backtest.sweep import load_grid
from nautilus_bitget.backtest.sweep import run_sweep
from tests.integration.test_backtest_cli import CONFIGS
from tests.integration.test_backtest_cli import build_catalog
from tests.integration.test_recorder_s3 import s3_endpoint  # noqa: F401 - fixture


ray = pytest.importorskip("ray")

EMA = "strategies.ema_cross:EMACross"
GRID = {"fast_ema_period": [5, 8], "slow_ema_period": [20, 30]}
BOOM = """
from nautilus_trader.config import StrategyConfig
from nautilus_trader.trading.strategy import Strategy


class BoomConfig(StrategyConfig, frozen=True):
    instrument_id: str
    boom: bool = False


class Boom(Strategy):
    def __init__(self, config: BoomConfig) -> None:
        if config.boom:
            raise ValueError("boom requested by the config")
        super().__init__(config)
"""


@pytest.fixture(scope="module")
def catalog(tmp_path_factory) -> Path:
    return build_catalog(tmp_path_factory.mktemp("sweep") / "catalog", minutes=30)


@pytest.fixture(scope="module", autouse=True)
def ray_runtime():
    # one local runtime for the module; run_sweep reuses an initialized Ray
    ray.init(
        address="local",
        num_cpus=2,
        include_dashboard=False,
        log_to_driver=False,
        configure_logging=False,
    )
    yield
    ray.shutdown()


def _base(catalog: Path | str, **options) -> BacktestSettings:
    return BacktestSettings(
        catalog=str(catalog),
        strategy=EMA,
        config=str(CONFIGS / "ema_cross.json"),
        out=None,
        options={"balance": "10000 USDT", "leverage": 5.0, **options},
    )


def _cli(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - our own CLI
        [sys.executable, "-m", "nautilus_bitget.cli", *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        **kwargs,
    )


def test_grid_shapes() -> None:
    assert load_grid({"a": [1, 2], "b": ["x"]}) == [{"a": 1, "b": "x"}, {"a": 2, "b": "x"}]
    assert load_grid([{"a": 1}, {"a": 2, "b": 3}]) == [{"a": 1}, {"a": 2, "b": 3}]
    for bad in ({"a": []}, {"a": 1}, [1, 2], []):
        with pytest.raises(SweepError):
            load_grid(bad)


def test_rows_equal_single_backtests(catalog: Path, tmp_path: Path) -> None:
    out = tmp_path / "sweep"
    outcome = run_sweep(_base(catalog), GRID, out, workers=2)
    assert not outcome.interrupted and not outcome.failed
    assert [r["overrides"] for r in outcome.rows] == load_grid(GRID)
    assert len({r["ending_balance"] for r in outcome.rows}) > 1  # the overrides took effect

    # each row is exactly `bitget-nt backtest` of its config
    base = json.loads((CONFIGS / "ema_cross.json").read_text())
    for row in (outcome.rows[0], outcome.rows[3]):
        config = tmp_path / f"{row['id']}.json"
        config.write_text(json.dumps({**base, **row["overrides"]}))
        single = tmp_path / f"single-{row['id']}"
        done = _cli(
            "backtest",
            "--catalog",
            str(catalog),
            "--strategy",
            EMA,
            "--config",
            str(config),
            "--out",
            str(single),
            "--leverage",
            "5",
        )
        assert done.returncode == 0, done.stderr[-2000:]
        expected = json.loads((single / "results.json").read_text())
        for key in FIGURES:
            if key != "wall_secs":
                assert row[key] == expected[key], key
        run_dir = out / "runs" / row["id"]
        assert (run_dir / "fills.csv").read_text() == (single / "fills.csv").read_text()
        assert {p.name for p in run_dir.iterdir()} >= {
            "results.json",
            "fills.csv",
            "orders.csv",
            "positions.csv",
            "report.html",
        }

    saved = json.loads((out / "results.json").read_text())
    assert [r["id"] for r in saved] == [r["id"] for r in outcome.rows]
    csv_lines = (out / "results.csv").read_text().splitlines()
    assert csv_lines[0].startswith("id,status,fast_ema_period,slow_ema_period,orders,fills,")
    assert len(csv_lines) == 5
    html = (out / "report.html").read_text()
    assert html.count("<rect") == 4  # the 2x2 heatmap
    assert html.count('href="runs/') == 4
    for r in saved:  # money columns stay exact decimal strings
        assert Decimal(r["ending_balance"]) == Decimal(10000) + Decimal(r["net_pnl"])


def test_failures_are_rows_and_reruns_skip_finished(catalog: Path, tmp_path: Path) -> None:
    strategy = tmp_path / "boom.py"
    strategy.write_text(BOOM)
    base = BacktestSettings(
        catalog=str(catalog),
        strategy=f"{strategy}:Boom",
        config={"instrument_id": "BTCUSDT-PERP.BITGET"},
        out=None,
    )
    grid = [{"boom": False}, {"boom": True}, {"boom": "not-a-bool"}]
    out = tmp_path / "sweep"
    outcome = run_sweep(base, grid, out, workers=2)
    by_value = {json.dumps(r["overrides"]["boom"]): r for r in outcome.rows}
    assert by_value["false"]["status"] == "ok"
    assert "boom requested by the config" in by_value["true"]["error"]  # failed in the worker
    assert "boom" in by_value['"not-a-bool"']["error"]  # rejected before it ran
    assert len(outcome.failed) == 2
    row_file = out / "runs" / by_value["false"]["id"] / "row.json"
    stamp = row_file.stat().st_mtime_ns

    again = run_sweep(base, grid, out, workers=2)
    assert again.skipped == 1  # the finished one; the failed ones are tried again
    assert row_file.stat().st_mtime_ns == stamp
    assert [r["status"] for r in again.rows] == ["ok", "error", "error"]


def test_ctrl_c_stops_cleanly_and_rerun_finishes(catalog: Path, tmp_path: Path) -> None:
    grid = tmp_path / "grid.json"
    grid.write_text(json.dumps({"fast_ema_period": [3, 4, 5, 6, 7, 8], "slow_ema_period": [20]}))
    out = tmp_path / "sweep"
    args = [
        "sweep",
        "--catalog",
        str(catalog),
        "--strategy",
        EMA,
        "--config",
        str(CONFIGS / "ema_cross.json"),
        "--grid",
        str(grid),
        "--out",
        str(out),
        "--workers",
        "1",
    ]
    proc = subprocess.Popen(  # noqa: S603 - our own CLI
        [sys.executable, "-m", "nautilus_bitget.cli", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, as a terminal's foreground job
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().startswith("sweep: 6 combinations, 0 already finished")
        first = proc.stdout.readline()
        assert first.startswith("[1/6]"), first
        os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C reaches the driver and Ray's processes
        stdout, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 130, stderr[-2000:]
    assert "interrupted" in stdout
    assert "Traceback" not in stderr and "Check failed" not in stderr
    rows = json.loads((out / "results.json").read_text())
    assert 1 <= len(rows) < 6
    assert all(r["status"] == "ok" for r in rows)

    done = _cli(*args)
    assert done.returncode == 0, done.stderr[-2000:]
    assert f"6 finished ({len(rows)} from an earlier run)" in done.stdout
    assert len(json.loads((out / "results.json").read_text())) == 6


def test_workers_read_an_s3_catalog(catalog: Path, tmp_path: Path, s3_endpoint: str) -> None:  # noqa: F811
    import s3fs

    options = {"key": "test", "secret": "test", "client_kwargs": {"endpoint_url": s3_endpoint}}
    fs = s3fs.S3FileSystem(**options)
    fs.mkdir("sweep-test")
    fs.put(str(catalog), "sweep-test/catalog", recursive=True)
    grid = {"fast_ema_period": [5, 8]}
    local = run_sweep(_base(catalog), grid, tmp_path / "local", workers=2)
    remote = run_sweep(
        _base("s3://sweep-test/catalog", storage_options=options),
        grid,
        tmp_path / "s3",
        workers=2,
    )
    assert not remote.failed, remote.failed
    keys = [k for k in ("overrides", *FIGURES) if k != "wall_secs"]
    assert [{k: r[k] for k in keys} for r in remote.rows] == [
        {k: r[k] for k in keys} for r in local.rows
    ]
    assert '"secret"' not in (tmp_path / "s3" / "results.json").read_text()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--grid", "/nonexistent/grid.json"], "--grid /nonexistent/grid.json: file not found"),
        (["--workers", "0"], "--workers must be >= 1"),
        (["--metric", "sharpe"], "--metric 'sharpe'"),
        (["--grid", "TYPO"], "'fast_ema_perod' not a field of EMACrossConfig"),
    ],
)
def test_bad_arguments_fail_in_one_line(catalog: Path, tmp_path: Path, capsys, extra, message):
    from nautilus_bitget.cli import main

    grid = tmp_path / "grid.json"
    grid.write_text(json.dumps(GRID))
    typo = tmp_path / "typo.json"
    typo.write_text(json.dumps({"fast_ema_perod": [3, 5]}))
    extra = [str(typo) if e == "TYPO" else e for e in extra]
    args = ["sweep", "--catalog", str(catalog), "--strategy", EMA, "--grid", str(grid)]
    args += ["--config", str(CONFIGS / "ema_cross.json"), "--out", str(tmp_path / "out"), *extra]
    assert main(args) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("bitget-nt sweep: ") and message in err and "\n" not in err
