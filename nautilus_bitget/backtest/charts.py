"""
Small inline-SVG charts for the self-contained HTML reports (no JavaScript, no network).

``time_chart`` draws one or more time series (lines or a filled area) with optional point markers
(fills) on a time axis, with gridlines, tick labels and a legend.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import datetime
from html import escape


@dataclass
class Series:
    """A line (or area) series: ``xs`` in UNIX ns, ``ys`` floats."""

    name: str
    xs: list[int]
    ys: list[float]
    color: str = "#1f77b4"
    area: bool = False
    width: float = 1.6


@dataclass
class Marker:
    """A point marker, e.g. a fill: ``shape`` is ``up`` or ``down`` (triangles) or ``dot``."""

    x: int
    y: float
    color: str
    shape: str = "dot"
    title: str = ""


@dataclass
class Chart:
    """A time chart definition."""

    title: str
    series: list[Series] = field(default_factory=list)
    markers: list[Marker] = field(default_factory=list)
    y_label: str = ""
    width: int = 1000
    height: int = 300


_PAD_L, _PAD_R, _PAD_T, _PAD_B = 78, 16, 34, 36


def _nice_ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    if hi <= lo:
        hi = lo + (abs(lo) * 0.01 or 1.0)
    raw = (hi - lo) / n
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    start = math.ceil(lo / step) * step
    ticks = []
    v = start
    while v <= hi + step * 1e-9:
        ticks.append(round(v, 10))
        v += step
    return ticks


def _fmt_num(v: float) -> str:
    a = abs(v)
    if a >= 1e5:
        return f"{v:,.0f}"
    if a >= 100:
        return f"{v:,.1f}"
    if a >= 1:
        return f"{v:,.2f}"
    return f"{v:.4g}"


def _fmt_time(ns: int, span_ns: int) -> str:
    dt = datetime.fromtimestamp(ns / 1e9, tz=UTC)
    if span_ns > 2 * 86_400 * 10**9:
        return dt.strftime("%m-%d %H:%M")
    if span_ns > 600 * 10**9:
        return dt.strftime("%H:%M")
    return dt.strftime("%H:%M:%S")


def time_chart(chart: Chart) -> str:
    """
    Return the chart as an ``<svg>`` element string.

    Parameters
    ----------
    chart : Chart
        What to draw.

    Returns
    -------
    str

    """
    w, h = chart.width, chart.height
    xs = [x for s in chart.series for x in s.xs] + [m.x for m in chart.markers]
    ys = [y for s in chart.series for y in s.ys] + [m.y for m in chart.markers]
    if any(s.area for s in chart.series):
        ys.append(0.0)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="100%" '
        f'role="img" aria-label="{escape(chart.title)}" class="chart">',
        f'<text x="{_PAD_L}" y="20" class="title">{escape(chart.title)}</text>',
    ]
    if not xs or not ys:
        parts.append(f'<text x="{w / 2}" y="{h / 2}" text-anchor="middle">no data</text></svg>')
        return "".join(parts)
    x0, x1 = min(xs), max(xs)
    if x1 == x0:
        x1 = x0 + 1
    y_lo, y_hi = min(ys), max(ys)
    margin = (y_hi - y_lo) * 0.06 or (abs(y_hi) * 0.001 or 1.0)
    y_lo, y_hi = y_lo - margin, y_hi + margin
    pw, ph = w - _PAD_L - _PAD_R, h - _PAD_T - _PAD_B

    def px(x: float) -> float:
        return _PAD_L + (x - x0) / (x1 - x0) * pw

    def py(y: float) -> float:
        return _PAD_T + (1 - (y - y_lo) / (y_hi - y_lo)) * ph

    parts.append(
        f'<rect x="{_PAD_L}" y="{_PAD_T}" width="{pw}" height="{ph}" class="plot"/>',
    )
    for t in _nice_ticks(y_lo, y_hi):
        if y_lo <= t <= y_hi:
            y = py(t)
            parts.append(
                f'<line x1="{_PAD_L}" x2="{_PAD_L + pw}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>'
            )
            parts.append(
                f'<text x="{_PAD_L - 6}" y="{y + 4:.1f}" text-anchor="end" class="tick">'
                f"{_fmt_num(t)}</text>",
            )
    span = x1 - x0
    for i in range(6):
        xv = x0 + span * i / 5
        x = px(xv)
        parts.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{_PAD_T}" y2="{_PAD_T + ph}" class="grid"/>'
        )
        anchor = "start" if i == 0 else "end" if i == 5 else "middle"
        parts.append(
            f'<text x="{x:.1f}" y="{_PAD_T + ph + 16}" text-anchor="{anchor}" class="tick">'
            f"{_fmt_time(int(xv), span)}</text>",
        )
    if chart.y_label:
        parts.append(
            f'<text transform="translate(14,{_PAD_T + ph / 2}) rotate(-90)" text-anchor="middle" '
            f'class="tick">{escape(chart.y_label)}</text>',
        )
    for s in chart.series:
        if not s.xs:
            continue
        pts = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in zip(s.xs, s.ys, strict=False))
        if s.area:
            base = py(0.0)
            first, last = px(s.xs[0]), px(s.xs[-1])
            parts.append(
                f'<polygon points="{first:.1f},{base:.1f} {pts} {last:.1f},{base:.1f}" '
                f'fill="{s.color}" fill-opacity="0.25" stroke="none"/>',
            )
        parts.append(
            f'<polyline points="{pts}" fill="none" stroke="{s.color}" '
            f'stroke-width="{s.width}" stroke-linejoin="round"/>',
        )
    for m in chart.markers:
        x, y = px(m.x), py(m.y)
        if m.shape == "up":
            pts = f"{x:.1f},{y - 6:.1f} {x - 5:.1f},{y + 4:.1f} {x + 5:.1f},{y + 4:.1f}"
            shape = f'<polygon points="{pts}"'
        elif m.shape == "down":
            pts = f"{x:.1f},{y + 6:.1f} {x - 5:.1f},{y - 4:.1f} {x + 5:.1f},{y - 4:.1f}"
            shape = f'<polygon points="{pts}"'
        else:
            shape = f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5"'
        parts.append(
            f'{shape} fill="{m.color}" stroke="#222" stroke-width="0.6">'
            f"<title>{escape(m.title)}</title></{'circle' if m.shape == 'dot' else 'polygon'}>",
        )
    lx = _PAD_L + pw
    legend = [(s.name, s.color) for s in chart.series]
    if chart.markers:
        legend += [("buy fill", "#2ca02c"), ("sell fill", "#d62728")]
    for i, (name, color) in enumerate(reversed(legend)):
        x = lx - 10 - i * 120
        parts.append(f'<rect x="{x - 104}" y="11" width="10" height="10" fill="{color}"/>')
        parts.append(f'<text x="{x - 90}" y="20" class="tick">{escape(name)}</text>')
    parts.append("</svg>")
    return "".join(parts)


CHART_CSS = """
body{font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;margin:24px auto;
max-width:1060px;color:#222;background:#fafafa}
h1{font-size:22px;margin:0 0 4px} h2{font-size:17px;margin:26px 0 8px}
.sub{color:#666;font-size:13px;margin-bottom:14px}
.chart{background:#fff;border:1px solid #ddd;border-radius:6px;margin:8px 0}
.chart .title{font-size:14px;font-weight:600;fill:#222} .chart .tick{font-size:11px;fill:#555}
.chart .grid{stroke:#eee;stroke-width:1} .chart .plot{fill:#fff;stroke:#ccc}
.cards{display:flex;flex-wrap:wrap;gap:10px}
.card{background:#fff;border:1px solid #ddd;border-radius:6px;padding:10px 14px;min-width:140px}
.card .k{font-size:11px;color:#666;text-transform:uppercase;letter-spacing:.04em}
.card .v{font-size:18px;font-weight:600;margin-top:2px} .neg{color:#c0392b} .pos{color:#1e8449}
table{border-collapse:collapse;font-size:12px;background:#fff;width:100%}
th,td{border:1px solid #e2e2e2;padding:4px 7px;text-align:right} th{background:#f0f0f0}
td.l,th.l{text-align:left} .note{font-size:13px;color:#444}
"""
