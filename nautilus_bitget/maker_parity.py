"""
Parity of a market maker's live run and its backtest: quotes and fills.

A *fill* here is one order filling at one price (partial fills of the same order at the same price
are summed: the two runs may split a fill differently). A live fill and a backtest fill *match*
when they come from the same order decision (same side and role: ``quote`` or ``reduce``, from the
order tags), at the same price, within ``MATCH_WINDOW_NS`` (1 s) of each other; pairs are assigned
greedily, closest in time first. Whether the two orders also came from the very same book update
(the ``decision=`` tag) is counted apart (``fills_matched_same_decision``): after a fill the next
quote is decided on the next book update, which live comes one private-channel hop later.

Every unmatched fill is explained from what the *other* run was doing at that time:

- ``trade not recorded``: no recorded trade at or through the fill price within the window (live
  fills also come from the book moving across a quote, or from trades the recorder missed), so a
  backtest cannot reproduce it from trades;
- ``position state``: the other run had no order working on that side (inventory limit reached,
  quote cancelled, a reduce-only order in one run only), or it quoted another price while its
  position differed (the inventory skew moves the quotes: one earlier fill differing shifts later
  quotes);
- ``latency``: the other run had a quote on that side, at another price, with the same position
  (it was requoted earlier or later, or the command had not reached the venue yet);
- ``queue``: the other run had a quote resting at the same price at that time and it did not fill
  (or filled over 1 s later): the size ahead of it in the queue was not consumed in that run.

Quotes placed, modified and canceled are aligned by the data that caused them: each command is
stamped with the node clock at the decision, which is the receive time of the book update that
caused it, kept in the recording as ``ts_init``; a live and a backtest command match when they
are of the same kind and side, at the same price, caused by the same recorded update (or within
``QUOTE_WINDOW_NS`` when the data times are not given).
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any


MATCH_WINDOW_NS = 1_000_000_000
QUOTE_WINDOW_NS = 100_000_000
REASONS = ("queue", "latency", "trade not recorded", "position state")
_QUOTE_EVENTS = {"submitted": "placed", "pending_update": "modified", "pending_cancel": "canceled"}


@dataclass
class Fill:
    """One order filling at one price (partial fills summed)."""

    ts: int
    side: str
    price: Decimal
    qty: Decimal
    role: str
    decision: int | None
    client_order_id: str

    def as_dict(self) -> dict[str, Any]:
        """Return the fill as a JSON-ready row."""
        return {
            "ts": self.ts,
            "side": self.side,
            "price": str(self.price),
            "qty": str(self.qty),
            "role": self.role,
            "decision": self.decision,
            "client_order_id": self.client_order_id,
        }


def parse_tags(tags: str) -> tuple[int | None, str]:
    """Return ``(decision ts, role)`` from an order's ``;``-joined tags."""
    decision, role = None, ""
    for tag in str(tags or "").split(";"):
        if tag.startswith("decision="):
            try:
                decision = int(tag.split("=", 1)[1])
            except ValueError:
                decision = None
        elif tag:
            role = tag
    return decision, role


def aggregate_fills(fill_rows: list[dict[str, Any]]) -> list[Fill]:
    """
    Return one ``Fill`` per (order, price) from fill rows (``runner.fill_row``).

    The fill time is the first partial fill's ``ts_event``.
    """
    out: dict[tuple[str, Decimal], Fill] = {}
    for r in sorted(fill_rows, key=lambda r: int(r["ts_event"])):
        price = Decimal(str(r["price"]))
        key = (r["client_order_id"], price)
        f = out.get(key)
        if f is None:
            decision, role = parse_tags(r.get("tags", ""))
            out[key] = Fill(
                int(r["ts_event"]),
                r["side"],
                price,
                Decimal(str(r["quantity"])),
                role or "other",
                decision,
                r["client_order_id"],
            )
        else:
            f.qty += Decimal(str(r["quantity"]))
    return sorted(out.values(), key=lambda f: f.ts)


def match_fills(
    live: list[Fill], backtest: list[Fill], window_ns: int = MATCH_WINDOW_NS
) -> list[tuple[int, int]]:
    """Return ``(live index, backtest index)`` pairs: same side, role and price, closest first."""
    by_key: dict[tuple[str, str, Decimal], list[int]] = defaultdict(list)
    for j, b in enumerate(backtest):
        by_key[(b.side, b.role, b.price)].append(j)
    candidates = []
    for i, f in enumerate(live):
        for j in by_key.get((f.side, f.role, f.price), []):
            dt = abs(f.ts - backtest[j].ts)
            if dt <= window_ns:
                candidates.append((dt, i, j))
    candidates.sort()
    used_l: set[int] = set()
    used_b: set[int] = set()
    pairs = []
    for _, i, j in candidates:
        if i in used_l or j in used_b:
            continue
        used_l.add(i)
        used_b.add(j)
        pairs.append((i, j))
    return sorted(pairs)


class QuoteBook:
    """
    Where each run's orders rested over time, from order event rows (``timeline.py``).

    Parameters
    ----------
    events : list[dict]
        Order event rows sorted by ``ts``.

    """

    def __init__(self, events: list[dict[str, Any]]) -> None:
        # client_order_id -> [(ts, price or None when not working)]
        self._steps: dict[str, list[tuple[int, Decimal | None]]] = defaultdict(list)
        self._side: dict[str, str] = {}
        for e in events:
            coid = e["client_order_id"]
            self._side[coid] = e["side"]
            kind = e["event"]
            price = Decimal(e["price"]) if e.get("price") else None
            if kind in ("accepted", "updated"):
                self._steps[coid].append((int(e["ts"]), price))
            elif kind in ("canceled", "rejected", "expired"):
                self._steps[coid].append((int(e["ts"]), None))
            elif kind == "filled" and e.get("type") == "MARKET":
                self._steps[coid].append((int(e["ts"]), None))

    def worked_at(self, side: str, price: Decimal | None, lo: int, hi: int) -> bool:
        """
        Return whether an order of ``side`` rested at some time in ``[lo, hi]``, at ``price``
        (any price when ``None``).
        """
        for coid, steps in self._steps.items():
            if self._side.get(coid) != side:
                continue
            for k, (t, p) in enumerate(steps):
                end = steps[k + 1][0] if k + 1 < len(steps) else None
                if p is None or (price is not None and p != price):
                    continue
                if t <= hi and (end is None or end >= lo):
                    return True
        return False


class TradeTape:
    """
    Recorded trades as ``(ts, price, aggressor)`` rows, ``aggressor`` ``BUYER`` or ``SELLER``.

    Parameters
    ----------
    trades : list[tuple[int, Decimal, str]]
        Recorded trades (any order).

    """

    def __init__(self, trades: list[tuple[int, Decimal, str]]) -> None:
        self._trades = sorted(trades)
        self._ts = [t[0] for t in self._trades]

    def __len__(self) -> int:
        return len(self._trades)

    def reaches(self, side: str, price: Decimal, lo: int, hi: int) -> bool:
        """Return whether a trade in ``[lo, hi]`` could fill a resting ``side`` at ``price``."""
        i = bisect.bisect_left(self._ts, lo)
        while i < len(self._trades) and self._trades[i][0] <= hi:
            _, px, aggressor = self._trades[i]
            if side == "BUY" and aggressor != "BUYER" and px <= price:
                return True
            if side == "SELL" and aggressor != "SELLER" and px >= price:
                return True
            i += 1
        return False


class PositionPath:
    """
    Net position over time from one run's fills.

    Parameters
    ----------
    fills : list[Fill]
        The run's fills.

    """

    def __init__(self, fills: list[Fill]) -> None:
        self._ts: list[int] = []
        self._net: list[Decimal] = []
        net = Decimal(0)
        for f in sorted(fills, key=lambda f: f.ts):
            net += f.qty if f.side == "BUY" else -f.qty
            self._ts.append(f.ts)
            self._net.append(net)

    def before(self, ts: int) -> Decimal:
        """Return the net position just before ``ts``."""
        k = bisect.bisect_left(self._ts, ts) - 1
        return self._net[k] if k >= 0 else Decimal(0)


def explain(
    fill: Fill,
    other: QuoteBook,
    tape: TradeTape | None,
    window_ns: int = MATCH_WINDOW_NS,
    positions: tuple[PositionPath, PositionPath] | None = None,
) -> str:
    """
    Return why ``fill`` (of one run) has no match in the other run (one of ``REASONS``).

    Parameters
    ----------
    fill : Fill
        The unmatched fill.
    other : QuoteBook
        The other run's orders.
    tape : TradeTape, optional
        The recorded trades; ``None`` skips the ``trade not recorded`` check.
    window_ns : int
        The matching window.
    positions : tuple[PositionPath, PositionPath], optional
        Net positions of (this run, the other run): a quote at another price while the positions
        differ is ``position state``, with equal positions ``latency``.

    """
    lo, hi = fill.ts - window_ns, fill.ts + window_ns
    if (
        fill.role == "quote"
        and tape is not None
        and not tape.reaches(fill.side, fill.price, lo, hi)
    ):
        return "trade not recorded"
    if other.worked_at(fill.side, fill.price, fill.ts, fill.ts):
        return "queue"
    if other.worked_at(fill.side, None, lo, hi):
        if positions is not None and positions[0].before(fill.ts) != positions[1].before(fill.ts):
            return "position state"
        return "latency"
    return "position state"


def compare_fills(
    live_rows: list[dict[str, Any]],
    backtest_rows: list[dict[str, Any]],
    live_events: list[dict[str, Any]],
    backtest_events: list[dict[str, Any]],
    tape: TradeTape | None = None,
) -> dict[str, Any]:
    """
    Match the fills of a live run and a backtest and explain the unmatched ones.

    Parameters
    ----------
    live_rows, backtest_rows : list[dict]
        Fill rows (``runner.fill_row``).
    live_events, backtest_events : list[dict]
        Order event rows (``timeline.order_event_rows``).
    tape : TradeTape, optional
        Recorded trades, for the ``trade not recorded`` explanation.

    Returns
    -------
    dict
        ``fills_live``, ``fills_backtest``, ``fills_matched``, ``fills_matched_pct`` (of live
        fills), ``phantom_fills_pct`` (backtest fills without a live match, of backtest fills),
        ``fills_matched_same_decision``, ``unmatched_live`` / ``phantom`` counts by reason, and
        ``fills``: one row per fill with its status and explanation.

    """
    live = aggregate_fills(live_rows)
    bt = aggregate_fills(backtest_rows)
    pairs = match_fills(live, bt)
    live_q, bt_q = QuoteBook(live_events), QuoteBook(backtest_events)
    live_pos, bt_pos = PositionPath(live), PositionPath(bt)
    rows: list[dict[str, Any]] = []
    matched_l = {i for i, _ in pairs}
    matched_b = {j for _, j in pairs}
    same_decision = 0
    for i, j in pairs:
        same = live[i].decision is not None and live[i].decision == bt[j].decision
        same_decision += same
        rows.append(
            {
                "status": "matched",
                "live": live[i].as_dict(),
                "backtest": bt[j].as_dict(),
                "dt_ms": round((bt[j].ts - live[i].ts) / 1e6, 1),
                "same_decision": same,
            },
        )
    unmatched_live: dict[str, int] = dict.fromkeys(REASONS, 0)
    phantom: dict[str, int] = dict.fromkeys(REASONS, 0)
    for i, f in enumerate(live):
        if i not in matched_l:
            why = explain(f, bt_q, tape, positions=(live_pos, bt_pos))
            unmatched_live[why] += 1
            rows.append({"status": "live only", "live": f.as_dict(), "explanation": why})
    for j, f in enumerate(bt):
        if j not in matched_b:
            why = explain(f, live_q, tape, positions=(bt_pos, live_pos))
            phantom[why] += 1
            rows.append({"status": "backtest only", "backtest": f.as_dict(), "explanation": why})
    rows.sort(key=lambda r: (r.get("live") or r["backtest"])["ts"])
    n_live, n_bt, n_m = len(live), len(bt), len(pairs)
    return {
        "fills_live": n_live,
        "fills_backtest": n_bt,
        "fills_matched": n_m,
        "fills_matched_pct": round(n_m / n_live * 100, 2) if n_live else 100.0,
        "phantom_fills_pct": round((n_bt - n_m) / n_bt * 100, 2) if n_bt else 0.0,
        "fills_matched_same_decision": same_decision,
        "unmatched_live": unmatched_live,
        "phantom": phantom,
        "fills": rows,
    }


def quote_actions(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Return the quote commands (placed / modified / canceled) of one run's order events."""
    out = []
    for e in events:
        kind = _QUOTE_EVENTS.get(e["event"])
        if kind is None or e.get("type") != "LIMIT":
            continue
        out.append({"ts": int(e["ts"]), "kind": kind, "side": e["side"], "price": e["price"]})
    return out


def compare_quotes(
    live_events: list[dict[str, Any]],
    backtest_events: list[dict[str, Any]],
    data_ts: list[int] | None = None,
    window_ns: int = QUOTE_WINDOW_NS,
) -> dict[str, Any]:
    """
    Count quotes placed / modified / canceled in each run and how many align.

    Parameters
    ----------
    live_events, backtest_events : list[dict]
        Order event rows of each run.
    data_ts : list[int], optional
        Sorted receive times (``ts_init``) of the recorded book updates: a command is attributed
        to the last update at or before it; without them commands match within ``window_ns``.
    window_ns : int
        Time tolerance when ``data_ts`` is not given.

    Returns
    -------
    dict
        ``{kind: {"live": n, "backtest": n, "aligned": n, "aligned_pct": pct}}`` per kind.

    """

    def cause(ts: int) -> int:
        if not data_ts:
            return ts
        k = bisect.bisect_right(data_ts, ts) - 1
        return data_ts[k] if k >= 0 else ts

    live = quote_actions(live_events)
    bt = quote_actions(backtest_events)
    out: dict[str, Any] = {}
    for kind in ("placed", "modified", "canceled"):
        lv = [a for a in live if a["kind"] == kind]
        bv = [a for a in bt if a["kind"] == kind]
        index: dict[tuple[str, str], list[int]] = defaultdict(list)
        for b in bv:
            index[(b["side"], b["price"])].append(cause(b["ts"]))
        for v in index.values():
            v.sort()
        aligned = 0
        for a in lv:
            ts = cause(a["ts"])
            cands = index.get((a["side"], a["price"]), [])
            tol = 0 if data_ts else window_ns
            k = bisect.bisect_left(cands, ts - tol)
            if k < len(cands) and cands[k] <= ts + tol:
                cands.pop(k)
                aligned += 1
        out[kind] = {
            "live": len(lv),
            "backtest": len(bv),
            "aligned": aligned,
            "aligned_pct": round(aligned / len(lv) * 100, 2) if lv else 100.0,
        }
    return out
