"""Backtest fill options (queue / touch, latency) and the live round-trip latency summary."""

from __future__ import annotations

import argparse
import json

import pytest
from nautilus_trader.core.uuid import UUID4
from nautilus_trader.model.events import OrderAccepted
from nautilus_trader.model.events import OrderCanceled
from nautilus_trader.model.events import OrderPendingCancel
from nautilus_trader.model.events import OrderRejected
from nautilus_trader.model.events import OrderSubmitted
from nautilus_trader.model.identifiers import AccountId
from nautilus_trader.model.identifiers import ClientOrderId
from nautilus_trader.model.identifiers import InstrumentId
from nautilus_trader.model.identifiers import StrategyId
from nautilus_trader.model.identifiers import TraderId
from nautilus_trader.model.identifiers import VenueOrderId

from nautilus_bitget.backtest.fills import FillOptions
from nautilus_bitget.backtest.fills import LatencyProfile
from nautilus_bitget.backtest.fills import arrival_actors
from nautilus_bitget.backtest.fills import fill_options
from nautilus_bitget.backtest.fills import resolve_model
from nautilus_bitget.backtest.venue import CatalogContents
from nautilus_bitget.common.errors import BitgetConfigError
from nautilus_bitget.latency import LatencyStats
from nautilus_bitget.latency import summarize


IID = InstrumentId.from_str("BTCUSDT-PERP.BITGET")
MS = 1_000_000


def contents(*types: str) -> CatalogContents:
    return CatalogContents(instruments={}, identifiers={t: {str(IID)} for t in types})


def test_auto_is_queue_only_with_deltas_and_trades():
    both = contents("order_book_deltas", "trade_tick")
    assert resolve_model(FillOptions(), both, [IID]) == "queue"
    assert resolve_model(FillOptions(), contents("trade_tick", "quote_tick"), [IID]) == "touch"
    assert resolve_model(FillOptions("touch"), both, [IID]) == "touch"
    with pytest.raises(BitgetConfigError, match="--fill-model touch"):
        resolve_model(FillOptions("queue"), contents("order_book_deltas"), [IID])
    with pytest.raises(BitgetConfigError, match="fill model"):
        FillOptions("optimistic")


def test_latency_from_a_live_run(tmp_path):
    doc = {
        "submit_accepted": {"count": 10, "p50_ms": 4.5, "p90_ms": 9.0},
        "cancel_canceled": {"count": 0, "p50_ms": None},
        "modify_updated": {"count": 3, "p50_ms": 7.25},
    }
    (tmp_path / "latency.json").write_text(json.dumps(doc))
    lat = LatencyProfile.from_file(tmp_path)  # the run folder
    assert (lat.insert_ms, lat.update_ms, lat.cancel_ms) == (4.5, 7.25, 4.5)
    assert LatencyProfile.from_file(tmp_path / "latency.json", "p90_ms").insert_ms == 9.0
    cfg = lat.to_config().config
    assert cfg["base_latency_nanos"] == 0
    assert cfg["insert_latency_nanos"] == 4_500_000
    assert cfg["update_latency_nanos"] == 7_250_000
    with pytest.raises(BitgetConfigError, match="latency file"):
        LatencyProfile.from_file(tmp_path / "missing")


def test_cli_arguments_to_options(tmp_path):
    ns = argparse.Namespace(
        fill_model="touch", latency_ms=12.0, latency_file=None, latency_from=None
    )
    opts = fill_options(ns)
    assert opts.model == "touch"
    assert opts.latency == LatencyProfile(12.0, 12.0, 12.0, source="12.0 ms")
    assert len(arrival_actors(opts)) == 1
    none = fill_options(argparse.Namespace())
    assert (none.model, none.latency, arrival_actors(none)) == ("auto", None, [])
    with pytest.raises(BitgetConfigError, match="--latency-ms"):
        fill_options(argparse.Namespace(latency_ms=-1.0))


def _common(coid: str) -> dict:
    return {
        "trader_id": TraderId("T-001"),
        "strategy_id": StrategyId("S-001"),
        "instrument_id": IID,
        "client_order_id": ClientOrderId(coid),
        "account_id": AccountId("BITGET-1"),
    }


def test_round_trips_are_timed_per_order_on_ts_init():
    stats = LatencyStats()
    v = VenueOrderId("1")
    for coid, t0, t1 in (("A", 0, 3 * MS), ("B", 10 * MS, 15 * MS)):
        stats.on_event(OrderSubmitted(**_common(coid), event_id=UUID4(), ts_event=t0, ts_init=t0))
        stats.on_event(
            OrderAccepted(
                **_common(coid), venue_order_id=v, event_id=UUID4(), ts_event=0, ts_init=t1
            ),
        )
    # a rejected submit ends without a sample
    stats.on_event(OrderSubmitted(**_common("C"), event_id=UUID4(), ts_event=0, ts_init=20 * MS))
    stats.on_event(
        OrderRejected(**_common("C"), reason="no", event_id=UUID4(), ts_event=0, ts_init=21 * MS),
    )
    stats.on_event(
        OrderPendingCancel(
            **_common("A"), venue_order_id=v, event_id=UUID4(), ts_event=0, ts_init=30 * MS
        ),
    )
    stats.on_event(
        OrderCanceled(
            **_common("A"), venue_order_id=v, event_id=UUID4(), ts_event=0, ts_init=32 * MS
        ),
    )
    out = stats.summary()
    assert out["submit_accepted"] == {
        "count": 2,
        "p50_ms": 4.0,
        "p90_ms": 4.8,
        "mean_ms": 4.0,
        "max_ms": 5.0,
    }
    assert out["cancel_canceled"]["count"] == 1
    assert out["cancel_canceled"]["p50_ms"] == 2.0
    assert out["modify_updated"] == summarize([])
