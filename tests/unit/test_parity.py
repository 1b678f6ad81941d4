"""Parity of live and backtest decisions, aligned by the ``decision=`` tag."""

from __future__ import annotations

from nautilus_bitget.parity import compare
from nautilus_bitget.parity import format_report


def _order(coid: str, ts: int, reason: str, side: str, qty: str, **kw) -> dict:
    row = {
        "client_order_id": coid,
        "ts_init": ts + 3_000_000,
        "side": side,
        "type": kw.get("type", "MARKET"),
        "quantity": qty,
        "price": "",
        "trigger_price": "",
        "reduce_only": kw.get("reduce_only", False),
        "status": "FILLED",
        "avg_px": "",
        "tags": f"decision={ts};{reason}",
    }
    return row


def _fill(coid: str, side: str, qty: str, px: str) -> dict:
    return {"client_order_id": coid, "side": side, "quantity": qty, "price": px, "ts_event": 0}


def test_identical_different_and_outside_window() -> None:
    live = [
        _order("L1", 100, "entry", "BUY", "0.0100"),
        _order("L2", 200, "reverse", "SELL", "0.0100", reduce_only=True),
        _order("L3", 200, "entry", "SELL", "0.0100"),
        _order("L4", 300, "entry", "BUY", "0.0120"),
        _order("L5", 900, "entry", "SELL", "0.0100"),  # after the recording ended
    ]
    backtest = [
        _order("B1", 100, "entry", "BUY", "0.0100"),
        _order("B2", 200, "reverse", "SELL", "0.0100", reduce_only=True),
        _order("B3", 200, "entry", "SELL", "0.0100"),
        _order("B4", 300, "entry", "BUY", "0.0110"),
    ]
    fills_live = [_fill("L1", "BUY", "0.0100", "60000.5")]
    fills_bt = [_fill("B1", "BUY", "0.0100", "60000.1")]
    parity = compare(live, backtest, fills_live, fills_bt, window=(0, 500), bar_ns=100)
    assert parity["orders_live"] == 5
    assert parity["orders_backtest"] == 4
    assert parity["decisions_comparable"] == 3
    assert parity["decisions_identical"] == 2
    assert parity["decisions_identical_pct"] == 66.67
    assert parity["decisions_outside_recording"] == 1
    statuses = {r["decision_ts"]: r["status"] for r in parity["rows"]}
    assert statuses == {
        100: "identical",
        200: "identical",
        300: "different",
        900: "outside recording",
    }
    first = parity["rows"][0]["fills"][0]
    assert first["live_avg_px"] == "60000.5"
    assert "latency" in first["explanation"]
    assert first["live_latency_ms"] == 3.0
    assert "bar boundary" in parity["rows"][2]["explanation"]
    text = format_report(parity)
    assert "66.67%" in text


def test_untagged_orders_are_not_decisions() -> None:
    stop = _order("L9", 0, "", "SELL", "0.0100")
    stop["tags"] = "on_stop"
    parity = compare([stop], [], [], [])
    assert parity["decisions_live"] == 0
    assert parity["untagged_orders_live"] == 1
    assert parity["decisions_identical_pct"] == 100.0
