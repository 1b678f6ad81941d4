"""
Streamed backtests (``backtest/streaming.py``) replay what a one-shot run replays: on the test
catalog (book deltas, trades, bars, marks and funding at shared timestamps) every figure and every
fill is identical whatever the chunk size, down to chunks smaller than one book update.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from nautilus_bitget.backtest.fills import FillOptions
from nautilus_bitget.backtest.fills import LatencyProfile
from nautilus_bitget.backtest.runner import run_backtest
from tests.integration.test_backtest_cli import CONFIGS
from tests.integration.test_backtest_cli import build_catalog


@pytest.fixture(scope="module")
def catalog(tmp_path_factory) -> Path:
    return build_catalog(tmp_path_factory.mktemp("stream") / "catalog", minutes=30)


def _figures(result) -> dict:
    summary = {k: v for k, v in result.summary.items() if k != "wall_secs"}
    # closed-position snapshots get a random id suffix: compare what they hold
    positions = [{k: v for k, v in p.items() if k != "position_id"} for p in result.positions]
    return {"summary": summary, "fills": result.fills, "positions": positions}


@pytest.mark.parametrize(
    ("strategy", "config"),
    [
        ("strategies.book_maker:BookMaker", "book_maker.json"),
        ("strategies.ema_cross:EMACross", "ema_cross.json"),
    ],
)
def test_streamed_equals_one_shot(catalog: Path, strategy: str, config: str) -> None:
    whole = run_backtest(catalog, strategy, CONFIGS / config, chunk_size=None)
    assert whole.summary["fills"] > 0
    assert whole.summary["funding_payments"] == 1  # the funding update came through
    for chunk_size in (500_000, 1000, 7):
        streamed = run_backtest(catalog, strategy, CONFIGS / config, chunk_size=chunk_size)
        assert _figures(streamed) == _figures(whole), chunk_size


@pytest.mark.parametrize(
    "fills",
    [
        FillOptions("touch"),
        FillOptions("fifo"),
        FillOptions("queue", LatencyProfile.constant(250.0)),
    ],
    ids=["touch", "fifo", "queue-latency"],
)
def test_streamed_equals_one_shot_for_every_fill_model(catalog: Path, fills: FillOptions) -> None:
    maker, config = "strategies.book_maker:BookMaker", CONFIGS / "book_maker.json"
    whole = run_backtest(catalog, maker, config, fills=fills, chunk_size=None)
    assert whole.summary["fills"] > 0
    for chunk_size in (1000, 7):
        streamed = run_backtest(catalog, maker, config, fills=fills, chunk_size=chunk_size)
        assert _figures(streamed) == _figures(whole), chunk_size
