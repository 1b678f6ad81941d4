"""``bitget-nt backtest --fill-model/--latency-*`` on the catalog of ``test_backtest_cli``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from nautilus_bitget.backtest.fills import FillOptions
from nautilus_bitget.backtest.fills import LatencyProfile
from nautilus_bitget.backtest.runner import run_backtest
from tests.integration.test_backtest_cli import CONFIGS
from tests.integration.test_backtest_cli import SEC
from tests.integration.test_backtest_cli import T0
from tests.integration.test_backtest_cli import catalog  # noqa: F401 - the fixture


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - our own CLI
        [sys.executable, "-m", "nautilus_bitget.cli", "backtest", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_queue_is_the_default_on_deltas_and_trades(catalog: Path) -> None:  # noqa: F811
    kwargs = {"start": T0, "end": T0 + 5 * 60 * SEC}
    strat, cfg = "strategies.book_maker:BookMaker", CONFIGS / "book_maker.json"
    queue = run_backtest(catalog, strat, cfg, **kwargs)
    assert queue.summary["fill_model"] == "queue"
    assert queue.summary["latency"] is None
    lagged = run_backtest(
        catalog,
        strat,
        cfg,
        fills=FillOptions("touch", LatencyProfile.constant(250.0)),
        **kwargs,
    )
    assert lagged.summary["fill_model"] == "touch"
    assert lagged.summary["latency"]["insert_ms"] == 250.0
    # every submit reached the venue exactly 250 ms after it was sent, not at the next data point
    events = lagged.order_events
    sent = {e["client_order_id"]: e["ts"] for e in events if e["event"] == "submitted"}
    accepted = [e for e in events if e["event"] == "accepted"]
    assert accepted
    assert all(e["ts"] - sent[e["client_order_id"]] == 250_000_000 for e in accepted)


def test_cli_fill_options(catalog: Path, tmp_path: Path) -> None:  # noqa: F811
    (tmp_path / "live").mkdir()
    (tmp_path / "live" / "latency.json").write_text(
        json.dumps({"submit_accepted": {"count": 3, "p50_ms": 7.5}}),
    )
    base = ["--catalog", str(catalog), "--strategy", "strategies.book_maker:BookMaker"]
    base += ["--config", str(CONFIGS / "book_maker.json")]
    proc = _cli(*base, "--out", str(tmp_path / "o"), "--latency-from", str(tmp_path / "live"))
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "fill model" in proc.stdout
    data = json.loads((tmp_path / "o" / "results.json").read_text())
    assert data["fill_model"] == "queue"
    assert data["latency"]["insert_ms"] == 7.5
    bad = _cli(*base, "--latency-from", str(tmp_path / "nowhere"))
    assert bad.returncode == 2
    assert bad.stderr.strip().count("\n") == 0
    assert "latency.json" in bad.stderr


def test_fifo_model_fills_the_maker(catalog: Path) -> None:  # noqa: F811
    result = run_backtest(
        catalog,
        "strategies.book_maker:BookMaker",
        CONFIGS / "book_maker.json",
        fills=FillOptions("fifo"),
        start=T0,
        end=T0 + 5 * 60 * SEC,
    )
    assert result.summary["fill_model"] == "fifo"
    makers = [f for f in result.fills if f["liquidity_side"] == "MAKER"]
    assert makers
    # a maker fill is at the quote's own price
    prices = {o["client_order_id"]: o["price"] for o in result.orders}
    assert all(f["price"] == prices[f["client_order_id"]] for f in makers)
