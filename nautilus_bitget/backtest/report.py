"""
Backtest outputs: ``results.json``, ``fills.csv``, ``positions.csv``, ``orders.csv`` and a
self-contained ``report.html`` (inline SVG: equity curve, drawdown, fills over price).
"""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from html import escape
from pathlib import Path
from typing import Any

from nautilus_bitget.backtest.charts import CHART_CSS
from nautilus_bitget.backtest.charts import Chart
from nautilus_bitget.backtest.charts import Marker
from nautilus_bitget.backtest.charts import Series
from nautilus_bitget.backtest.charts import time_chart


FILL_COLUMNS = [
    "time",
    "ts_event",
    "instrument_id",
    "client_order_id",
    "venue_order_id",
    "trade_id",
    "side",
    "order_type",
    "quantity",
    "price",
    "commission",
    "commission_currency",
    "liquidity_side",
    "position_id",
    "tags",
]
POSITION_COLUMNS = [
    "position_id",
    "instrument_id",
    "entry",
    "side",
    "peak_qty",
    "quantity",
    "avg_px_open",
    "avg_px_close",
    "realized_pnl",
    "commissions",
    "ts_opened",
    "ts_closed",
    "is_closed",
    "snapshot",
]
ORDER_COLUMNS = [
    "ts_init",
    "client_order_id",
    "instrument_id",
    "side",
    "type",
    "quantity",
    "price",
    "trigger_price",
    "time_in_force",
    "post_only",
    "reduce_only",
    "status",
    "filled_qty",
    "avg_px",
    "tags",
]
MAX_MARKERS = 300
SUMMARY_KEYS = [
    ("orders", "orders"),
    ("fills", "fills"),
    ("starting_balance", "starting balance"),
    ("ending_balance", "ending balance"),
    ("net_pnl", "net PnL"),
    ("return_pct", "return %"),
    ("realized_pnl_total", "realized PnL (gross)"),
    ("commissions_total", "commissions"),
    ("funding_total", "funding"),
    ("unrealized_pnl", "unrealized PnL"),
    ("max_drawdown", "max drawdown"),
    ("win_rate", "win rate"),
]


def write_csv(path: Path, rows: list[dict[str, Any]], columns: list[str]) -> None:
    """Write ``rows`` to ``path`` with a header of ``columns``."""
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


def write_outputs(result, out_dir: Path) -> Path:
    """
    Write every backtest output file into ``out_dir`` (created if needed) and return it.

    Parameters
    ----------
    result : BacktestResult
        The backtest result.
    out_dir : Path
        The output folder.

    Returns
    -------
    Path

    """
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "results.json").write_text(json.dumps(result.summary, indent=2, default=str) + "\n")
    write_csv(out_dir / "fills.csv", result.fills, FILL_COLUMNS)
    write_csv(out_dir / "positions.csv", result.positions, POSITION_COLUMNS)
    write_csv(out_dir / "orders.csv", result.orders, ORDER_COLUMNS)
    (out_dir / "report.html").write_text(render_html(result))
    return out_dir


def backtest_charts(result, title_prefix: str = "") -> list[str]:
    """Return the SVG charts of a backtest: fills over price, equity, drawdown."""
    samples = result.samples
    xs = [s[0] for s in samples if s[2] is not None]
    equity = [s[2] + s[3] for s in samples if s[2] is not None]
    balance = [s[2] for s in samples if s[2] is not None]
    peak, drawdown = float("-inf"), []
    for v in equity:
        peak = max(peak, v)
        drawdown.append(v - peak)
    price_pts = [(s[0], s[1]) for s in samples if s[1] is not None]
    main = result.summary.get("instruments", [""])[0] if result.summary.get("instruments") else ""
    shown = [f for f in result.fills if not main or f["instrument_id"] == main]
    if len(shown) > MAX_MARKERS:  # keep the price line readable: an even sample of the fills
        step = len(shown) / MAX_MARKERS
        shown = [shown[int(i * step)] for i in range(MAX_MARKERS)]
    markers = [
        Marker(
            x=int(f["ts_event"]),
            y=float(f["price"]),
            color="#2ca02c" if f["side"] == "BUY" else "#d62728",
            shape="up" if f["side"] == "BUY" else "down",
            title=f"{f['time']} {f['side']} {f['quantity']} @ {f['price']} ({f['order_type']}, "
            f"{f['liquidity_side']}) {f['tags']}",
        )
        for f in shown
    ]
    ccy = result.summary.get("currency", "")
    sampled = (
        f" ({len(shown)} of {len(result.fills)} fills shown)"
        if len(shown)
        < len(
            result.fills,
        )
        else ""
    )
    return [
        time_chart(
            Chart(
                title=f"{title_prefix}{main} price and fills{sampled}",
                series=[
                    Series(
                        "price",
                        [p[0] for p in price_pts],
                        [p[1] for p in price_pts],
                        color="#555",
                        width=1.2,
                    ),
                ],
                markers=markers,
                y_label="price",
            ),
        ),
        time_chart(
            Chart(
                title=f"{title_prefix}Equity (balance + unrealized PnL)",
                series=[
                    Series("equity", xs, equity, color="#1f77b4", width=2.0),
                    Series("balance", xs, balance, color="#ff7f0e", width=1.2),
                ],
                y_label=ccy,
            ),
        ),
        time_chart(
            Chart(
                title=f"{title_prefix}Drawdown",
                series=[Series("drawdown", xs, drawdown, color="#d62728", area=True)],
                y_label=ccy,
                height=220,
            ),
        ),
    ]


def summary_cards(summary: dict[str, Any]) -> str:
    """Return the headline figures as HTML cards."""
    cards = []
    for key, label in SUMMARY_KEYS:
        value = summary.get(key)
        if value is None:
            continue
        css = ""
        if key in ("net_pnl", "return_pct", "funding_total", "realized_pnl_total"):
            try:
                d = Decimal(str(value))
                css = " neg" if d < 0 else " pos" if d > 0 else ""
            except ArithmeticError:
                css = ""
        if key == "win_rate":
            value = f"{float(value) * 100:.1f}%"
        cards.append(
            f'<div class="card"><div class="k">{escape(label)}</div>'
            f'<div class="v{css}">{escape(str(value))}</div></div>',
        )
    return f'<div class="cards">{"".join(cards)}</div>'


def table(rows: list[dict[str, Any]], columns: list[str], limit: int = 200) -> str:
    """Return ``rows`` as an HTML table (first ``limit`` rows)."""
    head = "".join(f"<th>{escape(c)}</th>" for c in columns)
    body = []
    for row in rows[:limit]:
        cells = "".join(f"<td>{escape(str(row.get(c, '')))}</td>" for c in columns)
        body.append(f"<tr>{cells}</tr>")
    more = (
        f'<p class="note">... {len(rows) - limit} more rows in the CSV</p>'
        if len(rows) > limit
        else ""
    )
    return f"<table><tr>{head}</tr>{''.join(body)}</table>{more}"


def render_html(result) -> str:
    """Return the self-contained HTML report of a backtest."""
    s = result.summary
    charts = "".join(backtest_charts(result))
    fill_cols = [
        "time",
        "side",
        "order_type",
        "quantity",
        "price",
        "commission",
        "liquidity_side",
        "tags",
    ]
    meta = (
        f"{escape(str(s.get('strategy', '')))} on {escape(', '.join(s.get('instruments', [])))} "
        f"| {escape(str(s.get('start')))} to {escape(str(s.get('end')))} "
        f"| book {escape(str(s.get('book_type')))}, {escape(str(s.get('oms_type')))}, "
        f"leverage {escape(str(s.get('leverage')))}"
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Backtest report</title>
<style>{CHART_CSS}</style></head><body>
<h1>Backtest report</h1><div class="sub">{meta}</div>
{summary_cards(s)}
<h2>Charts</h2>{charts}
<h2>Fills ({len(result.fills)})</h2>{table(result.fills, fill_cols)}
<h2>Configuration</h2><pre>{escape(json.dumps(s.get("config", {}), indent=2, default=str))}</pre>
</body></html>
"""
