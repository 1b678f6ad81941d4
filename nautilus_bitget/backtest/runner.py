"""
``run_backtest``: backtest a strategy on a Parquet catalog with a ``BacktestNode``.

The venue and data configs come from what the catalog holds (``venue.py``); funding is settled by
``FundingSettlementModule``; an ``EquitySampler`` actor samples equity for the report. Results
(orders, fills, positions, totals) are collected from the engine before it is disposed.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from dataclasses import field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
from nautilus_trader.config import BacktestEngineConfig
from nautilus_trader.config import BacktestRunConfig
from nautilus_trader.config import DataEngineConfig
from nautilus_trader.config import ImportableActorConfig
from nautilus_trader.config import ImportableStrategyConfig
from nautilus_trader.config import LoggingConfig
from nautilus_trader.model.events import OrderFilled
from nautilus_trader.model.identifiers import Venue
from nautilus_trader.model.objects import Currency
from nautilus_trader.persistence.catalog import ParquetDataCatalog

from nautilus_bitget.backtest.fills import FillOptions
from nautilus_bitget.backtest.fills import apply_fill_options
from nautilus_bitget.backtest.fills import arrival_actors
from nautilus_bitget.backtest.funding import read_funding_payments
from nautilus_bitget.backtest.loader import build_config
from nautilus_bitget.backtest.loader import load_config_dict
from nautilus_bitget.backtest.loader import load_strategy
from nautilus_bitget.backtest.sampler import EquitySampler
from nautilus_bitget.backtest.streaming import DEFAULT_CHUNK_SIZE
from nautilus_bitget.backtest.streaming import StreamingBacktestNode
from nautilus_bitget.backtest.timeline import order_event_rows
from nautilus_bitget.backtest.venue import INSTRUMENT_DATA_TYPES
from nautilus_bitget.backtest.venue import build_data_configs
from nautilus_bitget.backtest.venue import build_venue_config
from nautilus_bitget.backtest.venue import inspect_catalog
from nautilus_bitget.backtest.venue import referenced_instruments
from nautilus_bitget.common.errors import BitgetError
from nautilus_bitget.constants import BITGET
from nautilus_bitget.recorder.cli import storage_options_from_env
from nautilus_bitget.recorder.writer import open_catalog


SKIP_FIRST_BAR = False


class BacktestError(BitgetError, RuntimeError):
    """The backtest cannot run on this catalog; the message says why."""


@dataclass
class BacktestResult:
    """
    The outcome of ``run_backtest``.

    Attributes
    ----------
    summary : dict
        The content of ``results.json`` (quote amounts as decimal strings).
    orders, fills, positions : list[dict]
        One row per order, fill and position (closed cycles included).
    samples : list[tuple]
        ``(ts_ns, price, balance, unrealized)`` from the equity sampler.
    funding : list[tuple]
        ``(ts_ns, instrument_id, amount, currency)`` funding payments.
    out_dir : Path, optional
        Where the files were written.

    """

    summary: dict[str, Any]
    orders: list[dict[str, Any]] = field(default_factory=list)
    fills: list[dict[str, Any]] = field(default_factory=list)
    positions: list[dict[str, Any]] = field(default_factory=list)
    samples: list[tuple] = field(default_factory=list)
    funding: list[tuple] = field(default_factory=list)
    out_dir: Path | None = None
    order_events: list[dict[str, Any]] = field(default_factory=list)

    def __getitem__(self, key: str) -> Any:
        return self.summary[key]


def run_backtest(
    catalog_path: str | Path,
    strategy_path: str,
    config: str | Path | dict[str, Any],
    out_dir: str | Path | None = None,
    *,
    balance: str = "10000 USDT",
    leverage: float | None = None,
    position_mode: str = "one_way",
    start: str | int | None = None,
    end: str | int | None = None,
    fill_model: Any | None = None,
    fills: FillOptions | None = None,
    settle_funding: bool = True,
    chunk_size: int | None = DEFAULT_CHUNK_SIZE,
    storage_options: dict[str, Any] | None = None,
    log_level: str = "ERROR",
    trader_id: str = "BACKTESTER-001",
) -> BacktestResult:
    """
    Backtest ``strategy_path`` with ``config`` on the catalog at ``catalog_path``.

    Parameters
    ----------
    catalog_path : str or Path
        A Nautilus Parquet catalog with ``-PERP.BITGET`` instruments.
    strategy_path : str
        ``package.module:Class`` or ``path/to/file.py:Class``.
    config : str, Path or dict
        Strategy config: JSON file, JSON object string or dict.
    out_dir : str or Path, optional
        Write ``results.json``, ``fills.csv``, ``positions.csv`` and ``report.html`` here.
    balance : str, default "10000 USDT"
        Starting balance.
    leverage : float, optional
        Leverage of every traded instrument (default 10).
    position_mode : {"one_way", "hedge"}, default "one_way"
        NETTING or HEDGING OMS.
    start, end : str or int, optional
        Time range (ISO string or UNIX ns).
    fill_model : ImportableFillModelConfig, optional
        Fill model of the simulated venue.
    fills : FillOptions, optional
        Queue or touch fills and command latency (``fills.py``); default: queue when the catalog
        has order book deltas and trades, no latency.
    settle_funding : bool, default True
        Apply funding payments (``FundingSettlementModule``).
    chunk_size : int, optional
        Stream the catalog this many records at a time (``streaming.py``); None loads it whole.
    storage_options : dict, optional
        fsspec options of a remote catalog (default: ``$BITGET_NT_STORAGE_OPTIONS``).
    log_level : str, default "ERROR"
        Nautilus log level during the run.
    trader_id : str, default "BACKTESTER-001"
        Trader id of the engine.

    Returns
    -------
    BacktestResult

    Raises
    ------
    StrategyLoadError
        Bad ``strategy_path`` or ``config``.
    BacktestError
        The catalog holds no usable instruments or data.

    """
    loaded = load_strategy(strategy_path)
    fields = load_config_dict(config)
    build_config(loaded, fields)  # fail fast, naming the bad field
    catalog_str = str(catalog_path)
    # local path or fsspec URI; S3 credentials and endpoint from $BITGET_NT_STORAGE_OPTIONS
    catalog = open_catalog(catalog_str, storage_options or storage_options_from_env())
    contents = inspect_catalog(catalog)
    if not contents.instruments:
        raise BacktestError(f"catalog {catalog_str}: no '-PERP.BITGET' instruments found")
    instrument_ids = referenced_instruments(fields, contents)
    data_configs = build_data_configs(
        catalog,
        contents,
        instrument_ids,
        start_time=start,
        end_time=end,
    )
    if not data_configs:
        raise BacktestError(
            f"catalog {catalog_str}: no market data for {', '.join(map(str, instrument_ids))}",
        )
    venue_config = build_venue_config(
        contents,
        instrument_ids,
        starting_balance=balance,
        leverage=leverage,
        position_mode=position_mode,
        fill_model=fill_model,
        settle_funding=settle_funding,
    )
    venue_config, fill_info = apply_fill_options(venue_config, fills, contents, instrument_ids)
    currency = balance.split()[-1]
    span_ns = _time_span_ns(catalog, contents, instrument_ids)
    sampler = ImportableActorConfig(
        actor_path="nautilus_bitget.backtest.sampler:EquitySampler",
        config_path="nautilus_bitget.backtest.sampler:EquitySamplerConfig",
        config={
            "instrument_ids": [str(i) for i in instrument_ids],
            "currency": currency,
            "interval_ms": max(1000, span_ns // 1_000_000 // 1500),
            "subscribe_book": venue_config.book_type == "L2_MBP",
        },
    )
    engine_config = BacktestEngineConfig(
        trader_id=trader_id,
        logging=LoggingConfig(log_level=log_level, log_colors=False),
        # the same bar settings as the live node (live.py): internal time bars start with the
        # first full bar in both, so a live run and its backtest aggregate identical bars
        data_engine=DataEngineConfig(time_bars_skip_first_non_full_bar=SKIP_FIRST_BAR),
        actors=[sampler, *arrival_actors(fills)],
        strategies=[
            ImportableStrategyConfig(
                strategy_path=loaded.strategy_path,
                config_path=loaded.config_path,
                config=fields,
            ),
        ],
    )
    run_config = BacktestRunConfig(
        engine=engine_config,
        venues=[venue_config],
        data=data_configs,
        chunk_size=chunk_size or None,
        raise_exception=True,
        dispose_on_completion=False,
    )
    node = StreamingBacktestNode(configs=[run_config])
    wall_start = time.perf_counter()
    try:
        node.run()
        engine = node.get_engine(run_config.id)
        result = _collect(engine, currency, balance)
    finally:
        node.dispose()
    result.summary.update(
        {
            "strategy": strategy_path,
            "config": fields,
            "catalog": catalog_str,
            "instruments": [str(i) for i in instrument_ids],
            "book_type": venue_config.book_type,
            **fill_info,
            "oms_type": venue_config.oms_type,
            "leverage": venue_config.default_leverage,
            "data_types": sorted(
                {
                    getattr(c.data_cls, "__name__", str(c.data_cls)).rsplit(":", 1)[-1]
                    for c in data_configs
                },
            ),
            "wall_secs": round(time.perf_counter() - wall_start, 3),
        },
    )
    if out_dir is not None:
        from nautilus_bitget.backtest.report import write_outputs

        result.out_dir = write_outputs(result, Path(out_dir))
    return result


def _time_span_ns(catalog: ParquetDataCatalog, contents, instrument_ids) -> int:
    first, last = None, None
    for iid in instrument_ids:
        for type_name, cls in INSTRUMENT_DATA_TYPES.items():
            if not contents.has(type_name, str(iid)):
                continue
            for lo, hi in catalog.get_intervals(cls, str(iid)):
                first = lo if first is None else min(first, lo)
                last = hi if last is None else max(last, hi)
    return (last - first) if first is not None and last is not None else 0


def _dec(value) -> Decimal:
    return Decimal(str(value))


def _collect(engine, currency_code: str, balance: str) -> BacktestResult:
    cache = engine.cache
    currency = Currency.from_str(currency_code)
    account = cache.account_for_venue(Venue(BITGET))
    starting = Decimal(balance.split()[0])
    ending = account.balance_total(currency).as_decimal() if account is not None else starting

    orders, fills = [], []
    commissions = Decimal(0)
    orders_by_type: dict[str, int] = {}
    for order in sorted(cache.orders(), key=lambda o: o.ts_init):
        otype = order.order_type.name
        orders_by_type[otype] = orders_by_type.get(otype, 0) + 1
        orders.append(order_row(order))
        for event in order.events:
            if not isinstance(event, OrderFilled):
                continue
            if event.commission.currency == currency:
                commissions += event.commission.as_decimal()
            fills.append(fill_row(event, order))
    fills.sort(key=lambda f: f["ts_event"])

    positions = []
    realized = Decimal(0)
    snapshots = list(cache.position_snapshots())
    for position in snapshots + list(cache.positions()):
        row = _position_row(position, snapshot=position in snapshots)
        positions.append(row)
        pnl = position.realized_pnl
        if pnl is not None and pnl.currency == currency:
            # Nautilus realized PnL is net of commissions: add them back (gross trading PnL)
            pos_comm = sum(
                (c.as_decimal() for c in position.commissions() if c.currency == currency),
                Decimal(0),
            )
            realized += pnl.as_decimal() + pos_comm

    funding = read_funding_payments(cache, BITGET)
    funding_total = sum((a for _, _, a, c in funding if c == currency_code), Decimal(0))

    samplers = [a for a in engine.trader.actors() if isinstance(a, EquitySampler)]
    samples = samplers[0].samples if samplers else []
    equity = [b + u for _, _, b, u in samples if b is not None]
    max_dd, max_dd_pct = _max_drawdown(equity)
    unrealized = _dec(samples[-1][3]) if samples else Decimal(0)
    wins = [p for p in positions if p["is_closed"] and Decimal(p["realized_pnl"] or 0) > 0]
    closed = [p for p in positions if p["is_closed"]]
    prec = currency.precision
    q = Decimal(1).scaleb(-prec)

    summary = {
        "currency": currency_code,
        "start": _iso(engine.backtest_start),
        "end": _iso(engine.backtest_end),
        "orders": len(orders),
        "fills": len(fills),
        "positions": len(positions),
        "orders_by_type": orders_by_type,
        "starting_balance": f"{starting.quantize(q):f}",
        "ending_balance": f"{ending.quantize(q):f}",
        "commissions_total": f"{commissions.quantize(q):f}",
        "funding_total": f"{funding_total.quantize(q):f}",
        "funding_payments": len(funding),
        "realized_pnl_total": f"{realized.quantize(q):f}",
        "unrealized_pnl": f"{unrealized.quantize(q):f}",
        "net_pnl": f"{(ending - starting).quantize(q):f}",
        "return_pct": round(float((ending - starting) / starting * 100), 6) if starting else 0.0,
        "max_drawdown": f"{_dec(round(max_dd, prec)).quantize(q):f}",
        "max_drawdown_pct": round(max_dd_pct, 6),
        "win_rate": round(len(wins) / len(closed), 6) if closed else None,
    }
    return BacktestResult(
        summary=summary,
        orders=orders,
        fills=fills,
        positions=positions,
        samples=samples,
        funding=[(ts, iid, str(a), c) for ts, iid, a, c in funding],
        order_events=order_event_rows(cache.orders()),
    )


def _max_drawdown(equity: list[float]) -> tuple[float, float]:
    peak, max_dd, max_pct = float("-inf"), 0.0, 0.0
    for value in equity:
        peak = max(peak, value)
        dd = peak - value
        if dd > max_dd:
            max_dd = dd
            max_pct = dd / peak * 100 if peak > 0 else 0.0
    return max_dd, max_pct


def _iso(ts) -> str | None:
    if ts is None:
        return None
    return pd.Timestamp(ts).isoformat()


def _tags(order) -> list[str]:
    return list(order.tags or [])


def order_row(order) -> dict[str, Any]:
    """Return one order as a flat row (the columns of ``orders.csv``)."""
    price = getattr(order, "price", None)
    trigger = getattr(order, "trigger_price", None)
    return {
        "ts_init": order.ts_init,
        "client_order_id": order.client_order_id.value,
        "instrument_id": order.instrument_id.value,
        "side": order.side.name,
        "type": order.order_type.name,
        "quantity": str(order.quantity),
        "price": str(price) if price is not None else "",
        "trigger_price": str(trigger) if trigger is not None else "",
        "time_in_force": order.time_in_force.name,
        "post_only": bool(order.is_post_only),
        "reduce_only": bool(order.is_reduce_only),
        "status": order.status.name,
        "filled_qty": str(order.filled_qty),
        "avg_px": str(order.avg_px) if order.avg_px else "",
        "tags": ";".join(_tags(order)),
    }


def fill_row(event: OrderFilled, order) -> dict[str, Any]:
    """Return one fill as a flat row (the columns of ``fills.csv``)."""
    return {
        "ts_event": event.ts_event,
        "time": pd.Timestamp(event.ts_event, tz="UTC").isoformat(),
        "client_order_id": event.client_order_id.value,
        "venue_order_id": event.venue_order_id.value,
        "trade_id": event.trade_id.value,
        "instrument_id": event.instrument_id.value,
        "side": event.order_side.name,
        "order_type": event.order_type.name,
        "quantity": str(event.last_qty),
        "price": str(event.last_px),
        "commission": str(event.commission.as_decimal()),
        "commission_currency": event.commission.currency.code,
        "liquidity_side": event.liquidity_side.name,
        "position_id": event.position_id.value if event.position_id else "",
        "tags": ";".join(_tags(order)),
    }


def _position_row(position, snapshot: bool) -> dict[str, Any]:
    realized = position.realized_pnl
    return {
        "position_id": position.id.value,
        "instrument_id": position.instrument_id.value,
        "entry": position.entry.name,
        "side": position.side.name,
        "peak_qty": str(position.peak_qty),
        "quantity": str(position.quantity),
        "avg_px_open": str(position.avg_px_open),
        "avg_px_close": str(position.avg_px_close) if position.avg_px_close else "",
        "realized_pnl": str(realized.as_decimal()) if realized is not None else "",
        "commissions": ";".join(str(c) for c in position.commissions()),
        "ts_opened": position.ts_opened,
        "ts_closed": position.ts_closed or "",
        "is_closed": bool(position.is_closed),
        "snapshot": snapshot,
    }
