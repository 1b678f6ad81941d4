"""
The self-contained ``report.html`` of a sweep: a sortable table of every combination (click a
header; a few lines of inline script, no network) and, when the grid has two fields, an inline-SVG
heatmap of the chosen metric (rows: first field, columns: second field).
"""

from __future__ import annotations

import json
from html import escape
from typing import Any

from nautilus_bitget.backtest.charts import CHART_CSS


TABLE_FIGURES = [
    ("return_pct", "return %"),
    ("net_pnl", "net PnL"),
    ("ending_balance", "ending balance"),
    ("realized_pnl_total", "realized PnL"),
    ("commissions_total", "commissions"),
    ("funding_total", "funding"),
    ("max_drawdown", "max drawdown"),
    ("orders", "orders"),
    ("fills", "fills"),
    ("wall_secs", "secs"),
]
_SORT_JS = """
document.querySelectorAll('table.sortable th').forEach(function(th, i) {
  th.style.cursor = 'pointer';
  th.addEventListener('click', function() {
    var body = th.closest('table').tBodies[0];
    var rows = Array.from(body.rows);
    var asc = th.dataset.dir !== 'asc';
    th.dataset.dir = asc ? 'asc' : 'desc';
    rows.sort(function(a, b) {
      var x = a.cells[i].dataset.v, y = b.cells[i].dataset.v;
      var nx = parseFloat(x), ny = parseFloat(y);
      var c = (isNaN(nx) || isNaN(ny)) ? x.localeCompare(y) : nx - ny;
      return asc ? c : -c;
    });
    rows.forEach(function(r) { body.appendChild(r); });
  });
});
"""
_CELL_W, _CELL_H, _LABEL_W, _TOP = 96, 34, 120, 58


def _value(row: dict[str, Any], key: str, fields: list[str]) -> Any:
    return row["overrides"].get(key, "") if key in fields else row.get(key, "")


def _text(value: Any) -> str:
    return json.dumps(value) if isinstance(value, dict | list) else str(value)


def _number(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def sweep_table(rows: list[dict[str, Any]], fields: list[str]) -> str:
    """Return the sortable HTML table of the sweep rows."""
    columns = [("id", "run"), *((f, f) for f in fields), *TABLE_FIGURES, ("error", "error")]
    head = "".join(f"<th>{escape(label)}</th>" for _, label in columns)
    body = []
    for row in rows:
        cells = []
        for key, _ in columns:
            value = _value(row, key, fields)
            text = escape(_text(value))
            if key == "id" and row["status"] == "ok":
                text = f'<a href="runs/{escape(row["id"])}/report.html">{text}</a>'
            css = ' class="l"' if key in ("id", "error") else ""
            cells.append(f'<td{css} data-v="{escape(_text(value))}">{text}</td>')
        body.append(f"<tr>{''.join(cells)}</tr>")
    return (
        f'<table class="sortable"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def _color(value: float, lo: float, hi: float) -> str:
    # red (low) -> white -> green (high); symmetric around 0 when the range spans it
    if lo < 0 < hi:
        t = value / (hi if value > 0 else -lo)
    else:
        t = 0.0 if hi == lo else (value - lo) / (hi - lo) * 2 - 1
    t = max(-1.0, min(1.0, t))
    if t >= 0:
        r, g, b = round(255 - 225 * t), round(255 - 105 * t), round(255 - 195 * t)
    else:
        r, g, b = round(255 + 25 * t), round(255 + 175 * t), round(255 + 175 * t)
    return f"#{r:02x}{g:02x}{b:02x}"


def heatmap(rows: list[dict[str, Any]], fields: list[str], metric: str) -> str:
    """Return an SVG heatmap of ``metric`` over a 2-field grid ("" for other grids)."""
    if len(fields) != 2:
        return ""
    fx, fy = fields
    xs = list(dict.fromkeys(_text(r["overrides"].get(fy)) for r in rows))
    ys = list(dict.fromkeys(_text(r["overrides"].get(fx)) for r in rows))
    cells: dict[tuple[str, str], float | None] = {}
    for r in rows:
        key = (_text(r["overrides"].get(fx)), _text(r["overrides"].get(fy)))
        cells[key] = _number(r.get(metric)) if r["status"] == "ok" else None
    values = [v for v in cells.values() if v is not None]
    lo, hi = (min(values), max(values)) if values else (0.0, 0.0)
    width = _LABEL_W + _CELL_W * len(xs) + 10
    height = _TOP + _CELL_H * len(ys) + 10
    parts = [
        f'<svg class="chart" width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">',
        f'<text class="title" x="10" y="20">{escape(metric)} by {escape(fx)} (rows) and '
        f"{escape(fy)} (columns)</text>",
    ]
    for j, x in enumerate(xs):
        cx = _LABEL_W + _CELL_W * j + _CELL_W / 2
        parts.append(
            f'<text class="tick" x="{cx}" y="{_TOP - 8}" text-anchor="middle">{escape(x)}</text>'
        )
    for i, y in enumerate(ys):
        cy = _TOP + _CELL_H * i
        parts.append(
            f'<text class="tick" x="{_LABEL_W - 8}" y="{cy + _CELL_H / 2 + 4}" '
            f'text-anchor="end">{escape(y)}</text>'
        )
        for j, x in enumerate(xs):
            v = cells.get((y, x))
            fill = "#ddd" if v is None else _color(v, lo, hi)
            label = "failed" if (y, x) in cells and v is None else "" if v is None else f"{v:g}"
            px = _LABEL_W + _CELL_W * j
            parts.append(
                f'<rect x="{px}" y="{cy}" width="{_CELL_W - 2}" height="{_CELL_H - 2}" '
                f'fill="{fill}"><title>{escape(fx)}={escape(y)} {escape(fy)}={escape(x)}: '
                f"{escape(label)}</title></rect>"
                f'<text class="tick" x="{px + _CELL_W / 2}" y="{cy + _CELL_H / 2 + 4}" '
                f'text-anchor="middle">{escape(label)}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)


def render_sweep_html(rows: list[dict[str, Any]], fields: list[str], metric: str) -> str:
    """Return the sweep's self-contained HTML report."""
    ok = [r for r in rows if r["status"] == "ok"]
    failed = len(rows) - len(ok)
    best = max(ok, key=lambda r: _number(r.get(metric)) or float("-inf"), default=None)
    best_line = (
        f"best {escape(metric)}: {escape(_text(best.get(metric)))} with "
        f"{escape(json.dumps(best['overrides']))}"
        if best
        else "no finished run"
    )
    heat = heatmap(rows, fields, metric)
    heat_html = f"<h2>Heatmap</h2>{heat}" if heat else ""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sweep report</title>
<style>{CHART_CSS}</style></head><body>
<h1>Sweep report</h1>
<div class="sub">{len(rows)} combinations over {escape(", ".join(fields))}: {len(ok)} finished,
{failed} failed | {best_line}</div>
{heat_html}
<h2>Runs (click a header to sort)</h2>{sweep_table(rows, fields)}
<script>{_SORT_JS}</script>
</body></html>
"""
