"""Maker parity: fill aggregation, matching (side, role, price, 1 s) and the unmatched reasons."""

from __future__ import annotations

from decimal import Decimal

from nautilus_bitget.maker_parity import Fill
from nautilus_bitget.maker_parity import PositionPath
from nautilus_bitget.maker_parity import QuoteBook
from nautilus_bitget.maker_parity import TradeTape
from nautilus_bitget.maker_parity import aggregate_fills
from nautilus_bitget.maker_parity import compare_fills
from nautilus_bitget.maker_parity import compare_quotes
from nautilus_bitget.maker_parity import explain
from nautilus_bitget.maker_parity import match_fills


S = 1_000_000_000
T = 1_700_000_000 * S


def fill_row(ts, side, price, qty="0.010", coid="O-1", tags="decision=1;quote"):
    return {
        "ts_event": ts,
        "side": side,
        "price": price,
        "quantity": qty,
        "client_order_id": coid,
        "tags": tags,
    }


def ev(ts, event, side, price, coid="O-1", kind="LIMIT", tags="decision=1;quote"):
    return {
        "ts": ts,
        "event": event,
        "side": side,
        "price": price,
        "client_order_id": coid,
        "type": kind,
        "tags": tags,
    }


def fill(ts, side="BUY", price="100.0", role="quote", qty="0.010"):
    return Fill(ts, side, Decimal(price), Decimal(qty), role, 1, "O-x")


def test_partial_fills_of_one_order_at_one_price_are_one_fill():
    rows = [
        fill_row(T + 5, "BUY", "100.0", "0.004"),
        fill_row(T, "BUY", "100.0", "0.006"),
        fill_row(T + 9, "BUY", "100.1", "0.001"),
    ]
    fills = aggregate_fills(rows)
    assert [(f.ts, f.price, f.qty, f.role, f.decision) for f in fills] == [
        (T, Decimal("100.0"), Decimal("0.010"), "quote", 1),
        (T + 9, Decimal("100.1"), Decimal("0.001"), "quote", 1),
    ]


def test_match_needs_side_role_and_price_within_one_second_closest_first():
    live = [fill(T), fill(T + 3 * S), fill(T + 10 * S, side="SELL")]
    bt = [
        fill(T + S // 2),  # 0.5 s from live[0]
        fill(T + S // 10),  # 0.1 s from live[0]: closer, wins
        fill(T + 3 * S, price="100.1"),  # other price
        fill(T + 10 * S, side="SELL", role="reduce"),  # other role
    ]
    assert match_fills(live, bt) == [(0, 1)]
    # the 0.5 s one still matches a second live fill when it is within 1 s
    assert match_fills([*live, fill(T + S)], bt) == [(0, 1), (3, 0)]
    assert match_fills([fill(T)], [fill(T + S + 1)]) == []


def test_reasons_for_unmatched_fills():
    tape = TradeTape([(T, Decimal("100.0"), "SELLER")])
    # the other run rested a bid at 100.0 around then and did not fill: queue
    other = QuoteBook(
        [ev(T - S, "accepted", "BUY", "100.0"), ev(T + 5 * S, "canceled", "BUY", "100.0")]
    )
    assert explain(fill(T), other, tape) == "queue"
    # it rested at another price, with the same position: latency
    other = QuoteBook([ev(T - S, "accepted", "BUY", "99.9")])
    assert explain(fill(T), other, tape) == "latency"
    # ... with another position: position state (the inventory skew moved its quote)
    mine, theirs = PositionPath([]), PositionPath([fill(T - 2 * S)])
    assert explain(fill(T), other, tape, positions=(mine, theirs)) == "position state"
    # no bid at all: position state
    assert explain(fill(T), QuoteBook([]), tape) == "position state"
    # no recorded trade reached 100.0 from the sell side: trade not recorded
    far = TradeTape([(T, Decimal("100.1"), "SELLER"), (T, Decimal("99.0"), "BUYER")])
    assert explain(fill(T), other, far) == "trade not recorded"


def test_compare_fills_figures():
    live_rows = [
        fill_row(T, "BUY", "100.0", coid="L1"),
        fill_row(T + 2 * S, "SELL", "100.2", coid="L2"),
    ]
    bt_rows = [
        fill_row(T + S // 5, "BUY", "100.0", coid="B1"),
        fill_row(T + 2 * S, "SELL", "100.3", coid="B2"),
        fill_row(T + 4 * S, "SELL", "100.3", coid="B3"),
    ]
    live_events = [ev(T - S, "accepted", "SELL", "100.2", coid="L2")]
    bt_events = [ev(T - S, "accepted", "SELL", "100.3", coid="B2")]
    tape = TradeTape([(T, Decimal("100.0"), "SELLER"), (T + 2 * S, Decimal("100.3"), "BUYER")])
    out = compare_fills(live_rows, bt_rows, live_events, bt_events, tape)
    assert (out["fills_live"], out["fills_backtest"], out["fills_matched"]) == (2, 3, 1)
    assert out["fills_matched_pct"] == 50.0
    assert out["phantom_fills_pct"] == 66.67
    assert out["fills_matched_same_decision"] == 1
    assert out["unmatched_live"]["latency"] == 1
    assert sum(out["phantom"].values()) == 2
    assert [r["status"] for r in out["fills"]] == [
        "matched",
        "live only",
        "backtest only",
        "backtest only",
    ]


def test_compare_quotes_aligns_by_the_causing_update():
    data_ts = [T, T + 100, T + 200]
    live = [
        ev(T + 3, "submitted", "BUY", "100.0"),
        ev(T + 105, "pending_update", "BUY", "100.1"),
        ev(T + 207, "pending_cancel", "BUY", "100.1"),
    ]
    bt = [
        ev(T, "submitted", "BUY", "100.0"),
        ev(T + 200, "pending_update", "BUY", "100.1"),  # a later update caused it
        ev(T + 200, "pending_cancel", "BUY", "100.1"),
    ]
    out = compare_quotes(live, bt, data_ts=data_ts)
    assert out["placed"] == {"live": 1, "backtest": 1, "aligned": 1, "aligned_pct": 100.0}
    assert out["modified"]["aligned"] == 0
    assert out["canceled"]["aligned"] == 1
