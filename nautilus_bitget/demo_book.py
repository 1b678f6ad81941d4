"""
``bitget-nt demo --strategy book``: maker parity of ``BookMaker``, live vs backtest.

1. start the local simulator (BTCUSDT) and run ``BookMaker`` with
   ``strategies/configs/book_maker.json`` live against it for ``--duration`` seconds (default 180)
   while ``BitgetRecorder`` records the market to ``DIR/catalog`` and ``LatencyRecorder`` the order
   round trips to ``DIR/catalog/latency.json``;
2. backtest the same strategy on the recording with the measured latency, with the queue fill
   model (price-time priority, ``DIR/backtest``, the reported one), the touch model
   (``DIR/backtest-touch``) and NautilusTrader's own queue tracking
   (``DIR/backtest-nautilus-queue``);
3. compare quotes and fills (``nautilus_bitget.maker_parity``), write ``DIR/parity.json`` and
   ``DIR/report.html``, print the figures and ``DIR`` last.

Fills of the ``on_stop`` flattening order are left out of the comparison (the live node stops on
the wall clock, the backtest at the end of the recording): they are reported as ``stop_fills``.

The backtests run on ``DIR/backtest-catalog``: the recording without the public prints of the live
run's own fills (same trade id, bitget-protocol.md 9.8). The recorded book never shows the user's
orders, so this is the market without the user; left in, a print of a live fill would fill the
backtest's copy of that quote a second time.
"""

from __future__ import annotations

import json
import time
from html import escape
from pathlib import Path
from typing import Any

from nautilus_bitget.demo import SIM_BALANCE
from nautilus_bitget.demo import live_on_simulator
from nautilus_bitget.demo import live_rows


DEFAULT_DURATION_SECS = 180.0
STRATEGY = "strategies.book_maker:BookMaker"
INSTRUMENT = "BTCUSDT-PERP.BITGET"
TARGET_MATCHED_PCT = 80.0
TARGET_PHANTOM_PCT = 20.0
_STOP_ROLE = "on_stop"
# the reported model first; the others alongside (backtest/ folder names)
MODELS = (
    ("queue", "backtest"),
    ("touch", "backtest-touch"),
    ("nautilus-queue", "backtest-nautilus-queue"),
)


def _config_path() -> Path:
    import strategies

    return Path(strategies.__file__).resolve().parent / "configs" / "book_maker.json"


class Recording:
    """What the live run recorded: trades, book update times, and the book's top over time."""

    def __init__(self, catalog: Path) -> None:
        from nautilus_trader.model.book import OrderBook
        from nautilus_trader.model.enums import AggressorSide
        from nautilus_trader.model.enums import BookType
        from nautilus_trader.model.identifiers import InstrumentId
        from nautilus_trader.persistence.catalog import ParquetDataCatalog

        from nautilus_bitget.maker_parity import TradeTape

        cat = ParquetDataCatalog(str(catalog))
        trades = cat.trade_ticks(instrument_ids=[INSTRUMENT])
        side = {AggressorSide.BUYER: "BUYER", AggressorSide.SELLER: "SELLER"}
        self.tape = TradeTape(
            [
                (t.ts_init, t.price.as_decimal(), side.get(t.aggressor_side, "NO_AGGRESSOR"))
                for t in trades
            ],
        )
        self.trades = len(trades)
        book = OrderBook(InstrumentId.from_str(INSTRUMENT), BookType.L2_MBP)
        self.data_ts: list[int] = []
        self.top: list[tuple[int, float, float]] = []
        last_sample = 0
        for delta in cat.order_book_deltas(instrument_ids=[INSTRUMENT]):
            book.apply_delta(delta)
            ts = delta.ts_init
            if not self.data_ts or self.data_ts[-1] != ts:
                self.data_ts.append(ts)
            if ts - last_sample >= 200_000_000:
                bid, ask = book.best_bid_price(), book.best_ask_price()
                if bid is not None and ask is not None:
                    self.top.append((ts, float(bid), float(ask)))
                    last_sample = ts


def compare_run(
    live_fills: list[dict],
    live_events: list[dict],
    bt,
    rec: Recording,
) -> dict[str, Any]:
    """Return the fill and quote parity of one backtest against the live run."""
    from nautilus_bitget.maker_parity import compare_fills
    from nautilus_bitget.maker_parity import compare_quotes

    def keep(rows: list[dict]) -> list[dict]:
        return [r for r in rows if _STOP_ROLE not in str(r.get("tags", ""))]

    out = compare_fills(
        keep(live_fills), keep(bt.fills), live_events, bt.order_events, tape=rec.tape
    )
    out["quotes"] = compare_quotes(live_events, bt.order_events, data_ts=rec.data_ts)
    out["stop_fills"] = {
        "live": len(live_fills) - len(keep(live_fills)),
        "backtest": len(bt.fills) - len(keep(bt.fills)),
    }
    out["backtest_summary"] = {
        k: bt.summary.get(k)
        for k in ("orders", "fills", "net_pnl", "commissions_total", "fill_model", "latency")
    }
    return out


def run_book_demo(out_dir: Path, duration: float, log_level: str = "WARNING") -> dict[str, Any]:
    """
    Run the maker demo into ``out_dir`` and return the report (also written to parity.json).

    Parameters
    ----------
    out_dir : Path
        Output folder.
    duration : float
        Seconds of live trading.
    log_level : str, default "WARNING"
        Nautilus log level of the live node.

    Returns
    -------
    dict

    """
    from nautilus_bitget.backtest.loader import create_strategy
    from nautilus_bitget.backtest.timeline import order_event_rows

    out_dir.mkdir(parents=True, exist_ok=True)
    catalog = out_dir / "catalog"
    strategy, _, _ = create_strategy(STRATEGY, _config_path())
    t0 = time.monotonic()
    print(f"[demo] BookMaker live for {duration:.0f}s, recording to {catalog}", flush=True)

    def collect(node) -> tuple[list[dict], list[dict]]:
        _, fills = live_rows(node.cache, strategy.id)
        return fills, order_event_rows(node.cache.orders(strategy_id=strategy.id))

    live_fills, live_events = live_on_simulator(
        strategy, catalog, duration, collect, log_level=log_level, trader_id="DEMO-002"
    )
    (out_dir / "live_fills.json").write_text(json.dumps(live_fills, default=str))
    (out_dir / "live_order_events.json").write_text(json.dumps(live_events, default=str))
    print(
        f"[demo] live done in {time.monotonic() - t0:.0f}s: {len(live_fills)} fills",
        flush=True,
    )
    report = analyse(out_dir, duration)
    report["wall_secs"] = round(time.monotonic() - t0, 1)
    (out_dir / "parity.json").write_text(json.dumps(report, indent=2, default=str) + "\n")
    print(format_summary(report))
    return report


def analyse(out_dir: Path, duration: float) -> dict[str, Any]:
    """
    Backtest the recording in ``out_dir`` (queue and touch) and compare with the saved live run.

    Reads ``catalog/`` (with ``latency.json``), ``live_fills.json`` and
    ``live_order_events.json``; writes ``parity.json`` and ``report.html``.
    """
    from nautilus_bitget.backtest.fills import FillOptions
    from nautilus_bitget.backtest.fills import LatencyProfile
    from nautilus_bitget.backtest.runner import run_backtest

    catalog = out_dir / "catalog"
    config_fields = json.loads(_config_path().read_text())
    live_fills = json.loads((out_dir / "live_fills.json").read_text())
    market, own_trades = without_own_trades(catalog, {str(f["trade_id"]) for f in live_fills})
    live_events = json.loads((out_dir / "live_order_events.json").read_text())
    latency = LatencyProfile.from_file(catalog)
    rec = Recording(catalog)
    runs = {}
    for model, sub in MODELS:
        bt = run_backtest(
            market,
            STRATEGY,
            config_fields,
            out_dir / sub,
            balance=SIM_BALANCE,
            fills=FillOptions(model=model, latency=latency),
        )
        (out_dir / sub / "order_events.json").write_text(json.dumps(bt.order_events, default=str))
        runs[model] = (bt, compare_run(live_fills, live_events, bt, rec))
    queue_bt, report = runs["queue"]
    report = dict(report)
    report.update(
        {
            "fill_model": "queue",
            "touch": runs["touch"][1],
            "nautilus_queue": runs["nautilus-queue"][1],
            "targets": {
                "fills_matched_pct": TARGET_MATCHED_PCT,
                "phantom_fills_pct": TARGET_PHANTOM_PCT,
            },
            "target_met": report["fills_matched_pct"] >= TARGET_MATCHED_PCT
            and report["phantom_fills_pct"] <= TARGET_PHANTOM_PCT
            and report["fills_live"] > 0,
            "latency": json.loads((catalog / "latency.json").read_text()),
            "recorded_trades": rec.trades,
            "own_trades_left_out": own_trades,
            "recorded_book_updates": len(rec.data_ts),
            "duration_secs": duration,
            "strategy": STRATEGY,
            "config": config_fields,
        },
    )
    (out_dir / "parity.json").write_text(json.dumps(report, indent=2, default=str) + "\n")
    (out_dir / "report.html").write_text(render_html(report, rec, live_events, queue_bt))
    return report


def without_own_trades(catalog: Path, trade_ids: set[str]) -> tuple[Path, int]:
    """
    Return a copy of ``catalog`` (``backtest-catalog`` beside it) without the trades ``trade_ids``.

    Parameters
    ----------
    catalog : Path
        The live run's recording.
    trade_ids : set[str]
        Trade ids of the live run's own fills.

    Returns
    -------
    tuple[Path, int]
        The copy and how many trades it left out.

    """
    import shutil

    from nautilus_trader.persistence.catalog import ParquetDataCatalog

    dest = catalog.parent / "backtest-catalog"
    shutil.rmtree(dest, ignore_errors=True)
    shutil.copytree(catalog, dest, ignore=shutil.ignore_patterns("recorder"))
    cat = ParquetDataCatalog(str(dest))
    trades = cat.trade_ticks(instrument_ids=[INSTRUMENT])
    kept = [t for t in trades if t.trade_id.value not in trade_ids]
    if len(kept) < len(trades):
        shutil.rmtree(dest / "data" / "trade_tick")
        if kept:
            cat.write_data(kept)
    return dest, len(trades) - len(kept)


def format_summary(report: dict[str, Any]) -> str:
    """Return the headline figures as text (queue model, then touch)."""
    lines = []
    for name, r in (
        ("queue", report),
        ("touch", report["touch"]),
        ("nt-queue", report["nautilus_queue"]),
    ):
        why_l = ", ".join(f"{k} {v}" for k, v in r["unmatched_live"].items() if v)
        why_b = ", ".join(f"{k} {v}" for k, v in r["phantom"].items() if v)
        lines.append(
            f"{name:<8} fills live {r['fills_live']}, backtest {r['fills_backtest']}, matched "
            f"{r['fills_matched']} = {r['fills_matched_pct']}% of live; phantom "
            f"{r['phantom_fills_pct']}%"
            + (f"; live only: {why_l}" if why_l else "")
            + (f"; backtest only: {why_b}" if why_b else ""),
        )
        q = r["quotes"]
        lines.append(
            "         quotes live/backtest/aligned: "
            + ", ".join(f"{k} {v['live']}/{v['backtest']}/{v['aligned']}" for k, v in q.items()),
        )
    met = "met" if report["target_met"] else "NOT met"
    lines.append(
        f"targets: matched >= {TARGET_MATCHED_PCT}%, phantom <= {TARGET_PHANTOM_PCT}% ({met})",
    )
    return "\n".join(lines)


def _fill_markers(report: dict[str, Any]) -> list:
    from nautilus_bitget.backtest.charts import Marker

    colors = {"matched": "#2ca02c", "live only": "#d62728", "backtest only": "#ff7f0e"}
    markers = []
    for row in report["fills"]:
        f = row.get("live") or row["backtest"]
        title = f"{row['status']}: {f['side']} {f['qty']} @ {f['price']}"
        if row.get("explanation"):
            title += f" ({row['explanation']})"
        markers.append(
            Marker(
                x=int(f["ts"]),
                y=float(f["price"]),
                color=colors[row["status"]],
                shape="up" if f["side"] == "BUY" else "down",
                title=title,
            ),
        )
    return markers


def _quote_series(events: list[dict], side: str, name: str, color: str):
    from nautilus_bitget.backtest.charts import Series

    xs, ys = [], []
    for e in events:
        if e["side"] == side and e["event"] in ("accepted", "updated") and e.get("price"):
            xs.append(int(e["ts"]))
            ys.append(float(e["price"]))
    return Series(name, xs, ys, color=color, width=1.0)


def render_html(report: dict[str, Any], rec: Recording, live_events: list[dict], bt) -> str:
    """Return the maker parity report: cards, book top with quotes and fills, fill table."""
    from nautilus_bitget.backtest.charts import CHART_CSS
    from nautilus_bitget.backtest.charts import Chart
    from nautilus_bitget.backtest.charts import Series
    from nautilus_bitget.backtest.charts import time_chart

    touch, ntq = report["touch"], report["nautilus_queue"]
    cards = {
        "fills matched (queue)": f"{report['fills_matched_pct']}% of {report['fills_live']} live",
        "phantom fills (queue)": f"{report['phantom_fills_pct']}% of {report['fills_backtest']}",
        "fills matched (touch)": f"{touch['fills_matched_pct']}% of {touch['fills_live']} live",
        "phantom fills (touch)": f"{touch['phantom_fills_pct']}% of {touch['fills_backtest']}",
        "fills matched (nautilus-queue)": (
            f"{ntq['fills_matched_pct']}% of {ntq['fills_live']} live"
        ),
        "phantom fills (nautilus-queue)": (
            f"{ntq['phantom_fills_pct']}% of {ntq['fills_backtest']}"
        ),
        "targets": "met" if report["target_met"] else "NOT met",
        "submit latency p50": f"{report['latency']['submit_accepted']['p50_ms']} ms",
    }
    card_html = "".join(
        f'<div class="card"><div class="k">{escape(k)}</div><div class="v">{escape(v)}</div></div>'
        for k, v in cards.items()
    )
    top = rec.top
    chart = Chart(
        "Book top, live quotes and fills (green matched, red live only, orange backtest only)",
        series=[
            Series("best bid", [t for t, _, _ in top], [b for _, b, _ in top], color="#9ecae1"),
            Series("best ask", [t for t, _, _ in top], [a for _, _, a in top], color="#fdae6b"),
            _quote_series(live_events, "BUY", "live bid quote", "#1f77b4"),
            _quote_series(live_events, "SELL", "live ask quote", "#e6550d"),
            _quote_series(bt.order_events, "BUY", "backtest bid quote", "#6baed6"),
            _quote_series(bt.order_events, "SELL", "backtest ask quote", "#fd8d3c"),
        ],
        markers=_fill_markers(report),
        y_label="price",
        height=420,
    )
    quote_rows = "".join(
        f"<tr><td class='l'>{k}</td><td>{report['quotes'][k]['live']}</td>"
        f"<td>{report['quotes'][k]['backtest']}</td><td>{report['quotes'][k]['aligned']}</td>"
        f"<td>{touch['quotes'][k]['backtest']}</td><td>{touch['quotes'][k]['aligned']}</td></tr>"
        for k in ("placed", "modified", "canceled")
    )
    fill_rows = []
    for row in report["fills"]:
        lv, bv = row.get("live"), row.get("backtest")
        f = lv or bv
        css = "pos" if row["status"] == "matched" else "neg"
        fill_rows.append(
            f"<tr><td class='l'>{_fmt_ts(int(f['ts']))}</td><td class='l {css}'>"
            f"{escape(row['status'])}</td><td class='l'>{f['side']} {f['role']}</td>"
            f"<td>{escape(lv['price'] if lv else '-')}</td>"
            f"<td>{escape(bv['price'] if bv else '-')}</td>"
            f"<td>{row.get('dt_ms', '')}</td>"
            f"<td class='l'>{escape(row.get('explanation', ''))}</td></tr>",
        )
    why = "".join(
        f"<tr><td class='l'>{escape(k)}</td><td>{report['unmatched_live'][k]}</td>"
        f"<td>{report['phantom'][k]}</td><td>{touch['unmatched_live'][k]}</td>"
        f"<td>{touch['phantom'][k]}</td></tr>"
        for k in report["unmatched_live"]
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>bitget-nt demo: maker parity</title>
<style>{CHART_CSS}</style></head><body>
<h1>Maker parity: live vs backtest</h1>
<div class="sub">{escape(report["strategy"])} with {escape(json.dumps(report["config"]))}<br>
live for {report["duration_secs"]:.0f}s against the local simulator, recorded, then backtested on
the recording with the measured latency; queue fill model (price-time priority), touch and
NautilusTrader's own queue tracking alongside</div>
<div class="cards">{card_html}</div>
{time_chart(chart)}
<h2>Quotes, aligned by the book update that caused them</h2>
<table><tr><th class="l">command</th><th>live</th><th>backtest (queue)</th><th>aligned</th>
<th>backtest (touch)</th><th>aligned</th></tr>{quote_rows}</table>
<h2>Unmatched fills by reason</h2>
<table><tr><th class="l">reason</th><th>live only (queue)</th><th>backtest only (queue)</th>
<th>live only (touch)</th><th>backtest only (touch)</th></tr>{why}</table>
<p class="note">A fill matches when both runs filled an order of the same side and role at the
same price within 1 s. Unmatched fills are explained from what the other run was doing then:
queue (it rested at that price and did not fill), latency (it rested at another price), position
state (no order on that side), trade not recorded (no recorded trade reached that price).</p>
<h2>Fills (queue model)</h2>
<table><tr><th class="l">time (UTC)</th><th class="l">status</th><th class="l">order</th>
<th>live px</th><th>backtest px</th><th>dt ms</th><th class="l">explanation</th></tr>
{"".join(fill_rows)}</table>
</body></html>
"""


def _fmt_ts(ns: int) -> str:
    from datetime import UTC
    from datetime import datetime

    return datetime.fromtimestamp(ns / 1e9, tz=UTC).strftime("%H:%M:%S.%f")[:-3]


def run_book_main(out_dir: Path, duration: float | None) -> int:
    """Run ``bitget-nt demo --strategy book``; return 0 when the targets are met, else 1."""
    report = run_book_demo(out_dir, float(duration) if duration else DEFAULT_DURATION_SECS)
    print(out_dir.resolve())
    return 0 if report["target_met"] else 1
