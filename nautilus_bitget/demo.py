"""
``bitget-nt demo`` / ``make demo``: the whole loop offline, in a few minutes.

1. start the local simulator (BTCUSDT only);
2. run ``EMACross`` with ``strategies/configs/ema_cross_demo.json`` live against it for
   ``--duration`` seconds (default 150) while ``BitgetRecorder`` records the market to
   ``DIR/catalog``;
3. backtest the same strategy and config on that recording (``DIR/backtest``);
4. compare the decisions and fills (``nautilus_bitget.parity``), print the parity and performance
   figures and write ``DIR/parity.json`` and ``DIR/report.html``; print ``DIR`` last.

Decisions come from bars only. Bitget's shortest candle is one minute, which would give a handful of
decisions in a few minutes, so the demo config uses 1-second INTERNAL bars that Nautilus builds from
trade ticks: the same aggregation runs live (from the trades channel) and in backtest (from the
recorded trades), with small EMA periods (3/8) and a bar-close stop, so dozens of order decisions
happen within the run.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from datetime import UTC
from datetime import datetime
from decimal import Decimal
from html import escape
from pathlib import Path
from typing import Any

from nautilus_trader.model.events import OrderFilled


DEFAULT_DURATION_SECS = 150.0
STRATEGY = "strategies.ema_cross:EMACross"
DEMO_CONFIG = (
    Path(__file__).resolve().parent.parent / "strategies" / "configs" / "ema_cross_demo.json"
)
PARITY_TARGET_PCT = 95.0
SIM_BALANCE = "100000 USDT"  # the simulator's default account


def _config_path() -> Path:
    if DEMO_CONFIG.is_file():
        return DEMO_CONFIG
    import strategies

    return Path(strategies.__file__).resolve().parent / "configs" / "ema_cross_demo.json"


def _default_out() -> Path:
    return Path("demo-out") / datetime.now(tz=UTC).strftime("%Y%m%d-%H%M%S")


def live_rows(cache, strategy_id) -> tuple[list[dict], list[dict]]:
    """Return the order and fill rows of ``strategy_id`` from a live node's cache."""
    from nautilus_bitget.backtest.runner import fill_row
    from nautilus_bitget.backtest.runner import order_row

    orders, fills = [], []
    for order in sorted(cache.orders(strategy_id=strategy_id), key=lambda o: o.ts_init):
        orders.append(order_row(order))
        fills += [fill_row(e, order) for e in order.events if isinstance(e, OrderFilled)]
    fills.sort(key=lambda f: f["ts_event"])
    return orders, fills


def live_performance(cache, strategy_id, fills: list[dict]) -> dict[str, Any]:
    """Return the live run's own figures: fills, commissions, realized PnL, positions."""
    commissions = sum((Decimal(f["commission"]) for f in fills), Decimal(0))
    realized = Decimal(0)
    positions = list(cache.position_snapshots()) + list(cache.positions(strategy_id=strategy_id))
    for p in positions:
        if p.strategy_id == strategy_id and p.realized_pnl is not None:
            realized += p.realized_pnl.as_decimal()
    return {
        "fills": len(fills),
        "commissions_total": str(commissions),
        "realized_pnl_net": str(realized),
        "positions": len(positions),
    }


def live_on_simulator[T](
    strategy,
    catalog: Path,
    duration: float,
    collect: Callable[[Any], T],
    *,
    log_level: str,
    trader_id: str,
    extra_actors: list | None = None,
) -> T:
    """
    Run ``strategy`` live for ``duration`` s on an in-process simulator, recording to ``catalog``.

    Returns ``collect(node)``, called after the node stopped and before it is disposed.
    """
    from nautilus_bitget.live import SimulatorThread
    from nautilus_bitget.live import build_live_node
    from nautilus_bitget.live import dispose_node
    from nautilus_bitget.live import node_loop

    sim = SimulatorThread(["BTCUSDT"])
    urls = sim.start()
    try:
        node = build_live_node(
            strategy,
            env="sim",
            http_url=urls[0],
            ws_public_url=urls[1],
            ws_private_url=urls[2],
            record_path=str(catalog),
            log_level=log_level,
            trader_id=trader_id,
            extra_actors=extra_actors,
        )
        node_loop(node).call_later(duration, node.stop)
        try:
            node.run()
            collected = collect(node)
        finally:
            dispose_node(node)
    finally:
        sim.stop()
    time.sleep(0.3)  # the Rust logger writes asynchronously: let it flush first
    return collected


def run_demo(out_dir: Path, duration: float, log_level: str = "WARNING") -> dict[str, Any]:
    """
    Run the demo into ``out_dir`` and return the parity report (also written to parity.json).

    Parameters
    ----------
    out_dir : Path
        Output folder (``catalog/``, ``backtest/``, ``parity.json``, ``report.html``).
    duration : float
        Seconds of live trading.
    log_level : str, default "WARNING"
        Nautilus log level of the live node.

    Returns
    -------
    dict

    """
    from nautilus_bitget.backtest.fills import FillOptions
    from nautilus_bitget.backtest.loader import create_strategy
    from nautilus_bitget.backtest.runner import run_backtest
    from nautilus_bitget.live import instrument_ids_in
    from nautilus_bitget.live import status_actors
    from nautilus_bitget.parity import compare
    from nautilus_bitget.parity import format_report

    out_dir.mkdir(parents=True, exist_ok=True)
    catalog = out_dir / "catalog"
    config_path = _config_path()
    config_fields = json.loads(config_path.read_text())
    strategy, _, _ = create_strategy(STRATEGY, config_path)

    t0 = time.monotonic()
    print(
        f"[demo] simulator starting; live run of {duration:.0f}s recording to {catalog}", flush=True
    )

    def collect(node) -> tuple[list[dict], list[dict], dict[str, Any]]:
        orders, fills = live_rows(node.cache, strategy.id)
        return orders, fills, live_performance(node.cache, strategy.id, fills)

    live_orders, live_fills, live_perf = live_on_simulator(
        strategy,
        catalog,
        duration,
        collect,
        log_level=log_level,
        trader_id="DEMO-001",
        extra_actors=status_actors(instrument_ids_in(config_fields)),  # on a terminal
    )
    print(
        f"[demo] live run done in {time.monotonic() - t0:.0f}s: {len(live_orders)} orders",
        flush=True,
    )

    bt = run_backtest(
        catalog,
        STRATEGY,
        config_fields,
        out_dir / "backtest",
        balance=SIM_BALANCE,
        fills=FillOptions(model="touch"),  # market orders on bars: as before the queue model
    )
    window = _recorded_window(catalog)
    bar_ns = _bar_ns(config_fields.get("bar_type", ""))
    parity = compare(live_orders, bt.orders, live_fills, bt.fills, window=window, bar_ns=bar_ns)
    parity.update(
        {
            "target_pct": PARITY_TARGET_PCT,
            "target_met": parity["decisions_comparable"] > 0
            and parity["decisions_identical_pct"] >= PARITY_TARGET_PCT,
            "duration_secs": duration,
            "strategy": STRATEGY,
            "config": config_fields,
            "live_performance": live_perf,
            "backtest_performance": {
                k: bt.summary[k]
                for k in (
                    "orders",
                    "fills",
                    "commissions_total",
                    "funding_total",
                    "realized_pnl_total",
                    "net_pnl",
                    "max_drawdown",
                )
            },
            "recorded_window": list(window) if window else None,
            "wall_secs": round(time.monotonic() - t0, 1),
        },
    )
    (out_dir / "parity.json").write_text(json.dumps(parity, indent=2, default=str) + "\n")
    (out_dir / "live_orders.json").write_text(json.dumps(live_orders, indent=1, default=str))
    (out_dir / "report.html").write_text(render_demo_html(parity, bt))
    print(format_report(parity))
    print(
        f"live: {live_perf['fills']} fills, commissions {_d(live_perf['commissions_total'])} USDT, "
        f"realized PnL (net of fees) {_d(live_perf['realized_pnl_net'])} USDT",
    )
    s = bt.summary
    print(
        f"backtest: {s['orders']} orders, {s['fills']} fills, net PnL {s['net_pnl']} USDT, "
        f"commissions {s['commissions_total']}, funding {s['funding_total']}, "
        f"max drawdown {s['max_drawdown']}",
    )
    return parity


def _d(value: str) -> str:
    return f"{Decimal(value):.4f}"


def _recorded_window(catalog: Path) -> tuple[int, int] | None:
    from nautilus_trader.model.data import TradeTick
    from nautilus_trader.persistence.catalog import ParquetDataCatalog

    cat = ParquetDataCatalog(str(catalog))
    intervals = cat.get_intervals(TradeTick, "BTCUSDT-PERP.BITGET")
    if not intervals:
        return None
    return intervals[0][0], intervals[-1][1]


def _bar_ns(bar_type: str) -> int | None:
    from nautilus_trader.model.data import BarType

    try:
        spec = BarType.from_str(bar_type).spec
        return int(spec.timedelta.total_seconds() * 1e9)
    except (ValueError, AttributeError):
        return None


def render_demo_html(parity: dict[str, Any], bt) -> str:
    """Return the demo report: parity summary and table, performance, backtest charts."""
    from nautilus_bitget.backtest.charts import CHART_CSS
    from nautilus_bitget.backtest.report import backtest_charts
    from nautilus_bitget.backtest.report import summary_cards

    met = parity["target_met"]
    rows = []
    for row in parity["rows"]:

        def brief(orders: list[dict]) -> str:
            return (
                "<br>".join(
                    escape(
                        f"{o['side']} {o['type']} {o['quantity']}"
                        + (f" @{o['price']}" if o.get("price") else "")
                        + (" reduce-only" if o.get("reduce_only") else ""),
                    )
                    for o in orders
                )
                or "-"
            )

        fills = "<br>".join(
            escape(
                f"{f['side']} live {f['live_avg_px'] or '-'} / bt {f['backtest_avg_px'] or '-'}"
                f" (latency {f['live_latency_ms']} ms)",
            )
            for f in row.get("fills", [])
        )
        note = escape(row.get("explanation", ""))
        css = "pos" if row["status"] == "identical" else "neg"
        rows.append(
            f"<tr><td class='l'>{row['time']}</td><td class='l {css}'>{row['status']}</td>"
            f"<td class='l'>{escape(row['reason'])}</td><td class='l'>{brief(row['live'])}</td>"
            f"<td class='l'>{brief(row['backtest'])}</td><td class='l'>{fills}</td>"
            f"<td class='l'>{note}</td></tr>",
        )
    live = parity["live_performance"]
    cards = {
        "decisions identical": f"{parity['decisions_identical_pct']}%",
        "target": f"{parity['target_pct']}% ({'met' if met else 'NOT met'})",
        "orders live / backtest": f"{parity['orders_live']} / {parity['orders_backtest']}",
        "fills live / backtest": f"{parity['fills_live']} / {parity['fills_backtest']}",
        "mean fill px diff": f"{Decimal(parity['fill_price_diff_mean']):.2f}",
        "live realized PnL (net)": f"{Decimal(live['realized_pnl_net']):.4f}",
        "live commissions": f"{Decimal(live['commissions_total']):.4f}",
    }
    card_html = "".join(
        f'<div class="card"><div class="k">{escape(k)}</div><div class="v">{escape(v)}</div></div>'
        for k, v in cards.items()
    )
    charts = "".join(backtest_charts(bt, title_prefix="Backtest: "))
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>bitget-nt demo: live vs backtest</title>
<style>{CHART_CSS}</style></head><body>
<h1>Live vs backtest parity</h1>
<div class="sub">{escape(parity["strategy"])} with {escape(json.dumps(parity["config"]))}<br>
live for {parity["duration_secs"]:.0f}s against the local simulator, recorded, then backtested on
the recording</div>
<div class="cards">{card_html}</div>
<h2>Backtest performance</h2>{summary_cards(bt.summary)}
<h2>Charts</h2>{charts}
<h2>Decisions, aligned by the data time that caused them</h2>
<p class="note">A decision is identical when both runs sent the same orders (side, type, quantity,
price, reduce-only) for the same bar. Fill prices differ by latency (live orders fill when they
reach the simulator) and by the backtest fill model.</p>
<table><tr><th class="l">bar time</th><th class="l">status</th><th class="l">reason</th>
<th class="l">live orders</th><th class="l">backtest orders</th><th class="l">fills (avg px)</th>
<th class="l">explanation</th></tr>{"".join(rows)}</table>
</body></html>
"""


def run(args: argparse.Namespace) -> int:
    """Run ``bitget-nt demo``; return 0 when the parity target is met, else 1."""
    out_dir = Path(args.out) if args.out else _default_out()
    if getattr(args, "strategy", "bar") == "book":
        from nautilus_bitget.demo_book import run_book_main

        return run_book_main(out_dir, args.duration)
    duration = float(args.duration) if args.duration else DEFAULT_DURATION_SECS
    parity = run_demo(out_dir, duration)
    if not parity["target_met"]:
        print(
            f"parity target {PARITY_TARGET_PCT}% not met: {parity['decisions_identical_pct']}%",
            file=sys.stderr,
        )
    print(out_dir.resolve())
    return 0 if parity["target_met"] else 1
