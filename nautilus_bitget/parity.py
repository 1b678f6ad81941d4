"""
Parity of a live run and a backtest of the same strategy on that run's recording.

Strategies tag every order with ``decision=<ts_event of the data that caused it>`` (plus a reason
such as ``entry``, ``reverse``, ``stop``), so live and backtest decisions are aligned exactly by
the data time, not by the wall time the order was sent. A decision is *identical* when both runs
sent the same orders for it: same side, type, quantity, price, trigger price and reduce-only flag.

Differences are explained:

- ``outside recording``: the live decision came from data before the first or after the last
  recorded row (the recorder starts with the strategy and flushes on stop), so the backtest
  cannot see it;
- ``bar boundary``: a decision at the same data time with a different quantity, or a decision one
  bar away: live internal bars close on the wall-clock timer, the backtest closes them at the
  recorded ``ts_init``; a trade received within milliseconds of the boundary lands in a different
  bar, which moves the close and the EMAs a little;
- ``position state``: a reduce/close quantity differs because an earlier order filled differently;
- fills differ in price by ``latency`` (live market orders fill against the simulator's book when
  they arrive, backtest orders fill against the recorded book at the decision time with no latency
  model) or by ``queue position`` / ``fill model`` for resting orders (the backtest assumes the
  top-of-book queue and fills at the touch).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from decimal import Decimal
from typing import Any


DECISION_KEYS = ("side", "type", "quantity", "price", "trigger_price", "reduce_only")


@dataclass
class Decision:
    """The orders one run sent for one piece of data."""

    ts: int
    reason: str
    orders: list[dict[str, Any]]

    def signature(self) -> tuple:
        """Return what must match between runs."""
        return tuple(
            sorted(
                (o.get("reason", ""), *(str(o.get(k, "")) for k in DECISION_KEYS))
                for o in self.orders
            ),
        )


def _decision_ts(order: dict[str, Any]) -> tuple[int | None, str]:
    ts, reason = None, ""
    for tag in str(order.get("tags", "")).split(";"):
        if tag.startswith("decision="):
            ts = int(tag.split("=", 1)[1])
        elif tag:
            reason = tag
    return ts, reason


def group_decisions(orders: list[dict[str, Any]]) -> tuple[dict[int, Decision], list[dict]]:
    """
    Group order rows by their ``decision=`` tag.

    Returns
    -------
    tuple[dict[int, Decision], list[dict]]
        Decisions by data time, and the untagged orders (e.g. ``on_stop`` liquidation).

    """
    decisions: dict[int, Decision] = {}
    other = []
    for order in orders:
        ts, reason = _decision_ts(order)
        if ts is None:
            other.append(order)
            continue
        row = dict(order, reason=reason)
        decision = decisions.setdefault(ts, Decision(ts, reason, []))
        decision.orders.append(row)
    return decisions, other


def _fmt_ts(ns: int) -> str:
    return datetime.fromtimestamp(ns / 1e9, tz=UTC).strftime("%H:%M:%S.%f")[:-3]


def _avg_fill(fills: list[dict[str, Any]], client_order_id: str) -> Decimal | None:
    qty = px = Decimal(0)
    for f in fills:
        if f["client_order_id"] == client_order_id:
            q = Decimal(f["quantity"])
            qty += q
            px += q * Decimal(f["price"])
    return px / qty if qty else None


def compare(
    live_orders: list[dict[str, Any]],
    backtest_orders: list[dict[str, Any]],
    live_fills: list[dict[str, Any]],
    backtest_fills: list[dict[str, Any]],
    *,
    window: tuple[int, int] | None = None,
    bar_ns: int | None = None,
) -> dict[str, Any]:
    """
    Compare the decisions and fills of a live run and its backtest.

    Parameters
    ----------
    live_orders, backtest_orders : list[dict]
        Order rows (``order_row``) of each run.
    live_fills, backtest_fills : list[dict]
        Fill rows (``fill_row``) of each run.
    window : tuple[int, int], optional
        ``(first, last)`` recorded data time; live decisions outside it are not comparable.
    bar_ns : int, optional
        Bar length, to recognise decisions shifted by one bar.

    Returns
    -------
    dict
        The parity report (``parity.json``).

    """
    live, live_other = group_decisions(live_orders)
    bt, bt_other = group_decisions(backtest_orders)
    rows = []
    identical = comparable = outside = 0
    for ts in sorted(set(live) | set(bt)):
        lv, bv = live.get(ts), bt.get(ts)
        in_window = window is None or window[0] <= ts <= window[1]
        row: dict[str, Any] = {
            "decision_ts": ts,
            "time": _fmt_ts(ts),
            "reason": (lv.reason if lv is not None else bv.reason if bv is not None else ""),
            "live": [_brief(o) for o in (lv.orders if lv else [])],
            "backtest": [_brief(o) for o in (bv.orders if bv else [])],
        }
        if lv and bv and lv.signature() == bv.signature():
            row["status"] = "identical"
            identical += 1
            comparable += 1
            row["fills"] = _fill_diffs(lv, bv, live_fills, backtest_fills)
        elif not in_window:
            row["status"] = "outside recording"
            row["explanation"] = (
                "the data behind this decision is outside the recorded window, so the backtest "
                "cannot see it"
            )
            outside += 1
        else:
            comparable += 1
            row["status"] = "different"
            row["explanation"] = _explain(ts, lv, bv, live, bt, bar_ns)
        rows.append(row)
    pct = round(identical / comparable * 100, 2) if comparable else 100.0
    slippages = [
        abs(Decimal(f["live_avg_px"]) - Decimal(f["backtest_avg_px"]))
        for r in rows
        for f in r.get("fills", [])
        if f.get("live_avg_px") and f.get("backtest_avg_px")
    ]
    return {
        "orders_live": len(live_orders),
        "orders_backtest": len(backtest_orders),
        "decisions_live": len(live),
        "decisions_backtest": len(bt),
        "decisions_comparable": comparable,
        "decisions_identical": identical,
        "decisions_identical_pct": pct,
        "decisions_outside_recording": outside,
        "fills_live": len(live_fills),
        "fills_backtest": len(backtest_fills),
        "fill_price_diff_mean": str(sum(slippages) / len(slippages)) if slippages else "0",
        "fill_price_diff_max": str(max(slippages)) if slippages else "0",
        "untagged_orders_live": len(live_other),
        "untagged_orders_backtest": len(bt_other),
        "rows": rows,
    }


def _brief(order: dict[str, Any]) -> dict[str, Any]:
    out = {k: order.get(k) for k in (*DECISION_KEYS, "reason", "ts_init", "status", "avg_px")}
    out["client_order_id"] = order.get("client_order_id")
    return out


def _fill_diffs(lv: Decision, bv: Decision, live_fills, bt_fills) -> list[dict[str, Any]]:
    out = []
    for lo, bo in zip(
        sorted(lv.orders, key=lambda o: o.get("client_order_id", "")),
        sorted(bv.orders, key=lambda o: o.get("client_order_id", "")),
        strict=False,
    ):
        lp = _avg_fill(live_fills, lo["client_order_id"])
        bp = _avg_fill(bt_fills, bo["client_order_id"])
        item: dict[str, Any] = {
            "type": lo.get("type"),
            "side": lo.get("side"),
            "live_avg_px": str(lp) if lp is not None else "",
            "backtest_avg_px": str(bp) if bp is not None else "",
            "live_latency_ms": round((int(lo["ts_init"]) - lv.ts) / 1e6, 1),
        }
        if lp is not None and bp is not None and lp != bp:
            item["explanation"] = (
                "latency: the live order filled against the book when it reached the simulator; "
                "the backtest filled against the recorded book at the decision time"
                if lo.get("type") == "MARKET"
                else "queue position / fill model: the backtest fills resting orders at the touch"
            )
        elif (lp is None) != (bp is None):
            item["explanation"] = "filled in one run only (fill model / queue position)"
        out.append(item)
    return out


def _explain(ts, lv, bv, live, bt, bar_ns) -> str:
    if lv and bv:
        if {o["side"] for o in lv.orders} == {o["side"] for o in bv.orders}:
            closing = ("reverse", "flip", "stop", "exit")
            if any(o.get("reason") in closing for o in lv.orders + bv.orders):
                return (
                    "position state: same decision, but a close quantity differs because an "
                    "earlier order filled differently"
                )
            return (
                "bar boundary: same decision with a different size: the bar close differed "
                "(a trade near the boundary fell into the other bar)"
            )
        return "bar boundary: opposite decisions from slightly different bars"
    near = None
    if bar_ns:
        other = bt if lv else live
        for k in (-1, 1):
            if ts + k * bar_ns in other:
                near = k
    who = "live" if lv else "backtest"
    if near is not None:
        return (
            f"bar boundary: only {who} decided at this bar; the other run decided one bar "
            f"{'earlier' if near < 0 else 'later'} (EMAs near the cross, bars closed on different "
            "sides of a trade)"
        )
    return (
        f"only {who} decided here: the EMAs were within a hair of crossing and a bar close "
        "differed slightly (bar boundary), or the position differed after an earlier fill"
    )


def format_report(parity: dict[str, Any], limit: int = 60) -> str:
    """Return the parity report as text: a table of decisions, then the totals."""
    lines = [
        f"{'time (UTC)':<13}{'status':<19}{'live':<42}backtest",
    ]

    def brief(orders: list[dict]) -> str:
        return (
            ", ".join(
                f"{o['side']} {o['type']} {o['quantity']}"
                + (f" @{o['price']}" if o.get("price") else "")
                + (f" trg {o['trigger_price']}" if o.get("trigger_price") else "")
                + (" RO" if o.get("reduce_only") else "")
                for o in orders
            )
            or "-"
        )

    for row in parity["rows"][:limit]:
        lines.append(
            f"{row['time']:<13}{row['status']:<19}{brief(row['live']):<42}{brief(row['backtest'])}",
        )
        if row.get("explanation"):
            lines.append(f"{'':<13}  -> {row['explanation']}")
        lines.extend(
            f"{'':<13}  fill {f['side']} live {f['live_avg_px'] or '-'} vs backtest "
            f"{f['backtest_avg_px'] or '-'}: {f['explanation']}"
            for f in row.get("fills", [])
            if f.get("explanation")
        )
    if len(parity["rows"]) > limit:
        lines.append(f"... {len(parity['rows']) - limit} more decisions in parity.json")
    lines.append(
        f"orders live {parity['orders_live']}, backtest {parity['orders_backtest']}; "
        f"decisions live {parity['decisions_live']}, backtest {parity['decisions_backtest']}; "
        f"identical {parity['decisions_identical']}/{parity['decisions_comparable']} = "
        f"{parity['decisions_identical_pct']}% (outside recording: "
        f"{parity['decisions_outside_recording']})",
    )
    lines.append(
        f"fills live {parity['fills_live']}, backtest {parity['fills_backtest']}; "
        f"fill price difference mean {_short(parity['fill_price_diff_mean'])}, "
        f"max {_short(parity['fill_price_diff_max'])}",
    )
    return "\n".join(lines)


def _short(value: str) -> str:
    try:
        return f"{Decimal(value):.4f}"
    except ArithmeticError:
        return value
