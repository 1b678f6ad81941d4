"""
``bitget-nt live``: run a strategy (the same class and JSON config as in backtest) on a
``TradingNode`` with the Bitget data and execution clients.

``--env sim`` without URL overrides starts an in-process simulator; ``--record PATH`` also records
the market data to a catalog with ``BitgetRecorder``. The node stops gracefully on SIGINT/SIGTERM
(Nautilus's signal handling) or after ``--duration`` seconds.

Python API: ``build_live_node(strategy, env=..., ...)`` returns a built node ready to ``run()``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import threading
from typing import Any

from nautilus_trader.config import InstrumentProviderConfig
from nautilus_trader.config import LiveDataEngineConfig
from nautilus_trader.config import LiveExecEngineConfig
from nautilus_trader.config import LoggingConfig
from nautilus_trader.config import TradingNodeConfig
from nautilus_trader.live.node import TradingNode
from nautilus_trader.model.identifiers import TraderId
from nautilus_trader.trading.strategy import Strategy

from nautilus_bitget.common.errors import BitgetConfigError
from nautilus_bitget.common.errors import BitgetError
from nautilus_bitget.config import BitgetDataClientConfig
from nautilus_bitget.config import BitgetExecClientConfig
from nautilus_bitget.constants import BITGET
from nautilus_bitget.constants import ENV_API_KEY
from nautilus_bitget.constants import ENV_API_PASSPHRASE
from nautilus_bitget.constants import ENV_API_SECRET
from nautilus_bitget.constants import PERP_SUFFIX
from nautilus_bitget.constants import SIM_API_KEY
from nautilus_bitget.constants import SIM_API_PASSPHRASE
from nautilus_bitget.constants import SIM_API_SECRET
from nautilus_bitget.constants import BitgetEnvironment
from nautilus_bitget.constants import BitgetProductType
from nautilus_bitget.logs import default_log_level


ENVS = ("sim", "demo", "live")


class SimulatorThread:
    """
    Run a ``BitgetSimulator`` on its own thread and event loop (the node keeps its own loop).

    Parameters
    ----------
    symbols : list[str], optional
        Simulated symbols (default: the simulator's).
    seed : int, default 7
        Market generator seed.

    """

    def __init__(self, symbols: list[str] | None = None, seed: int = 7) -> None:
        self.symbols = symbols
        self.seed = seed
        self.urls: tuple[str, str, str] | None = None
        self.simulator: Any = None
        self._ready = threading.Event()
        self._stop: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._main, name="bitget-sim", daemon=True)

    def start(self) -> tuple[str, str, str]:
        """Start the simulator; return its ``(http, ws_public, ws_private)`` URLs."""
        self._thread.start()
        self._ready.wait(30)
        if self._error is not None or self.urls is None:
            raise BitgetError(f"simulator failed to start: {self._error!r}")
        return self.urls

    def stop(self) -> None:
        """Stop the simulator and join its thread."""
        if self._loop is not None and self._stop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(15)

    def _main(self) -> None:
        try:
            asyncio.run(self._serve())
        except BaseException as e:
            self._error = e
            self._ready.set()

    async def _serve(self) -> None:
        from nautilus_bitget.sim import BitgetSimulator
        from nautilus_bitget.sim import SimConfig

        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        kwargs: dict[str, Any] = {"host": "127.0.0.1", "port": 0, "seed": self.seed}
        if self.symbols:
            kwargs["symbols"] = self.symbols
        self.simulator = BitgetSimulator(SimConfig(**kwargs))
        await self.simulator.start()
        sim = self.simulator
        self.urls = (sim.http_url, sim.ws_public_url, sim.ws_private_url)
        self._ready.set()
        try:
            await self._stop.wait()
        finally:
            await sim.stop()


def instrument_ids_in(fields: Any) -> list[str]:
    """Return the ``<symbol>-PERP.BITGET`` instrument ids named anywhere in a config's fields."""
    found: set[str] = set()

    def visit(value: Any) -> None:
        if isinstance(value, str) and f"{PERP_SUFFIX}.{BITGET}" in value:
            found.add(value.split(f"{PERP_SUFFIX}.{BITGET}")[0] + f"{PERP_SUFFIX}.{BITGET}")
        elif isinstance(value, list | tuple | set):
            for v in value:
                visit(v)
        elif isinstance(value, dict):
            for v in value.values():
                visit(v)

    visit(fields)
    return sorted(found)


def product_type_of(symbol: str) -> BitgetProductType:
    """Return the product type of a Bitget perpetual symbol (BTCUSDT, BTCPERP, BTCUSD)."""
    if symbol.endswith("USDT"):
        return BitgetProductType.USDT_FUTURES
    if symbol.endswith("PERP"):
        return BitgetProductType.USDC_FUTURES
    return BitgetProductType.COIN_FUTURES


def _credentials(is_sim: bool) -> dict[str, str | None]:
    if not is_sim:
        return {"api_key": None, "api_secret": None, "api_passphrase": None}  # env variables
    return {
        "api_key": os.environ.get(ENV_API_KEY, SIM_API_KEY),
        "api_secret": os.environ.get(ENV_API_SECRET, SIM_API_SECRET),
        "api_passphrase": os.environ.get(ENV_API_PASSPHRASE, SIM_API_PASSPHRASE),
    }


def build_live_node(
    strategy: Strategy,
    *,
    env: str = "sim",
    http_url: str | None = None,
    ws_public_url: str | None = None,
    ws_private_url: str | None = None,
    instrument_ids: list[str] | None = None,
    record_path: str | None = None,
    record_flush_secs: float = 2.0,
    position_mode: str | None = None,
    leverages: dict[str, int] | None = None,
    trader_id: str = "TRADER-001",
    log_level: str = "INFO",
    extra_actors: list | None = None,
    order_entry: str = "rest",
) -> TradingNode:
    """
    Return a built ``TradingNode`` running ``strategy`` on Bitget.

    Parameters
    ----------
    strategy : Strategy
        The strategy instance (same class and config as in backtest).
    env : {"sim", "demo", "live"}, default "sim"
        ``sim`` needs ``http_url`` (and the WebSocket URLs, derived from it when omitted).
    http_url, ws_public_url, ws_private_url : str, optional
        Host overrides (a simulator or a proxy).
    instrument_ids : list[str], optional
        Instruments to load (default: those named in the strategy config).
    record_path : str, optional
        Also record the instruments' market data to this catalog (``BitgetRecorder``) and the
        order round-trip latency to ``latency.json`` in it (``LatencyRecorder``).
    record_flush_secs : float, default 2.0
        Recorder flush interval.
    position_mode : {"one_way", "hedge"}, optional
        Set on connect; ``None``: the account must already be one-way (not switched).
    leverages : dict[str, int], optional
        Leverage per Bitget symbol, set on connect.
    trader_id : str, default "TRADER-001"
        The node's trader id.
    log_level : str, default "INFO"
        Nautilus log level.
    extra_actors : list[Actor], optional
        More actors to add.
    order_entry : {"rest", "websocket"}, default "rest"
        ``BitgetExecClientConfig.order_entry``: place / cancel (/ modify) over REST or the
        logged-in trade socket.

    Returns
    -------
    TradingNode

    """
    from nautilus_bitget.factories import BitgetLiveDataClientFactory
    from nautilus_bitget.factories import BitgetLiveExecClientFactory

    if env not in ENVS:
        raise BitgetConfigError(f"env {env!r} is not one of {ENVS}")
    if env == "sim" and not http_url:
        raise BitgetConfigError("env 'sim' needs http_url (or use run() which starts a simulator)")
    if http_url and not ws_public_url:
        base = http_url.rstrip("/").replace("http", "ws", 1)
        ws_public_url, ws_private_url = (
            f"{base}/v2/ws/public",
            ws_private_url or f"{base}/v2/ws/private",
        )
    ids = instrument_ids or instrument_ids_in(_config_fields(strategy))
    symbols = [i.split(PERP_SUFFIX)[0] for i in ids]
    product_types = tuple(dict.fromkeys(product_type_of(s) for s in symbols)) or (
        BitgetProductType.USDT_FUTURES,
    )
    environment = BitgetEnvironment.DEMO if env == "demo" else BitgetEnvironment.LIVE
    provider = InstrumentProviderConfig(load_all=True)
    common: dict[str, Any] = {
        "environment": environment,
        "base_url_http": http_url,
        "base_url_ws_public": ws_public_url,
        "base_url_ws_private": ws_private_url,
        "product_types": product_types,
        "instrument_provider": provider,
        **_credentials(env == "sim"),
    }
    data_config = BitgetDataClientConfig(**common)
    exec_config = BitgetExecClientConfig(
        **common,
        position_mode=position_mode,
        leverages=leverages,
        order_entry=order_entry,
    )
    node_config = TradingNodeConfig(
        trader_id=TraderId(trader_id),
        logging=LoggingConfig(log_level=log_level, log_colors=False),
        # the same bar settings as the backtest runner (runner.SKIP_FIRST_BAR: True crashes 1.231
        # backtests when a time bar closes before the first trade)
        data_engine=LiveDataEngineConfig(time_bars_skip_first_non_full_bar=False),
        exec_engine=LiveExecEngineConfig(reconciliation=True, reconciliation_lookback_mins=1440),
        data_clients={BITGET: data_config},
        exec_clients={BITGET: exec_config},
        timeout_connection=30.0,
        timeout_reconciliation=10.0,
        timeout_portfolio=10.0,
        timeout_disconnection=5.0,
        timeout_post_stop=3.0,  # lets the exec client confirm the on_stop cancels
    )
    node = TradingNode(config=node_config)
    if record_path:
        from nautilus_bitget.recorder.actor import BitgetRecorder
        from nautilus_bitget.recorder.actor import BitgetRecorderConfig

        node.trader.add_actor(
            BitgetRecorder(
                BitgetRecorderConfig(
                    catalog_path=str(record_path),
                    symbols=tuple(symbols) or None,
                    flush_interval_secs=record_flush_secs,
                    backfill=False,
                ),
            ),
        )
        from nautilus_bitget.latency import latency_recorder_for

        node.trader.add_actor(latency_recorder_for(record_path))  # RECORD/latency.json
    for actor in extra_actors or []:
        node.trader.add_actor(actor)
    node.trader.add_strategy(strategy)
    node.add_data_client_factory(BITGET, BitgetLiveDataClientFactory)
    node.add_exec_client_factory(BITGET, BitgetLiveExecClientFactory)
    node.build()
    return node


def _config_fields(strategy: Strategy) -> dict[str, Any]:
    import json

    try:
        return json.loads(strategy.config.json())
    except Exception:
        return {}


def dispose_node(node: TradingNode) -> None:
    """
    Dispose ``node`` after ``run()`` returned, cancelling the tasks still pending on its loop.

    ``TradingNode.dispose`` closes a stopped loop without cancelling what is left on it (e.g. the
    actor executor's worker), which Python then reports as "Task was destroyed but it is pending".
    """
    loop = node.get_event_loop()
    if loop is not None and not loop.is_closed() and not loop.is_running():
        node.kernel.cancel_all_tasks()
    node.dispose()


def node_loop(node: TradingNode) -> asyncio.AbstractEventLoop:
    """Return the event loop of a built ``node``."""
    loop = node.get_event_loop()
    if loop is None:
        raise BitgetError("the node has no event loop: build it before running")
    return loop


def check_credentials(env: str) -> None:
    """
    Fail before anything is built when ``env`` needs credentials that are not set.

    Raises
    ------
    BitgetConfigError
        Naming the missing environment variables.

    """
    if env == "sim":
        return
    from nautilus_bitget.common.credentials import resolve_credentials

    try:
        resolve_credentials(None, None, None, required=True)
    except BitgetConfigError as e:
        raise BitgetConfigError(
            f"{e}; export them (a {env} key) and check with `bitget-nt doctor --env {env}`"
        ) from None


def status_actors(instrument_ids: list[str], *, quiet: bool = False) -> list:
    """Return the status-line actor when wanted (a terminal, not ``--quiet``), else nothing."""
    from nautilus_bitget.live_status import LiveStatus
    from nautilus_bitget.live_status import LiveStatusConfig

    env = os.environ.get("BITGET_NT_STATUS")
    wanted = env == "1" or (env != "0" and sys.stderr.isatty())
    if quiet or not wanted:
        return []
    return [LiveStatus(LiveStatusConfig(instrument_ids=tuple(instrument_ids)))]


def run(args: argparse.Namespace) -> int:
    """Run ``bitget-nt live`` with parsed ``args``; return the exit code."""
    from nautilus_bitget.backtest.loader import StrategyLoadError
    from nautilus_bitget.backtest.loader import create_strategy

    try:
        strategy, _, fields = create_strategy(args.strategy, args.config)
    except StrategyLoadError as e:
        print(f"bitget-nt live: {e}", file=sys.stderr)
        return 2
    check_credentials(args.env)  # before the node prints anything
    urls = (args.http_url, args.ws_public_url, args.ws_private_url)
    sim = None
    if args.env == "sim" and not args.http_url:
        symbols = [i.split(PERP_SUFFIX)[0] for i in instrument_ids_in(fields)]
        sim = SimulatorThread(symbols or None)
        urls = sim.start()
        print(f"simulator: http={urls[0]} ws_public={urls[1]}", file=sys.stderr, flush=True)
    try:
        node = build_live_node(
            strategy,
            env=args.env,
            http_url=urls[0],
            ws_public_url=urls[1],
            ws_private_url=urls[2],
            record_path=args.record,
            position_mode=args.position_mode,
            order_entry=getattr(args, "order_entry", "rest"),
            log_level=getattr(args, "log_level", None) or default_log_level(),
            extra_actors=status_actors(
                instrument_ids_in(fields), quiet=getattr(args, "quiet", False)
            ),
        )
        if args.duration:
            node_loop(node).call_later(args.duration, node.stop)
        try:
            node.run()
            orders = node.cache.orders(strategy_id=strategy.id)
            fills = sum(1 for o in orders for e in o.events if type(e).__name__ == "OrderFilled")
            positions = node.cache.positions_open(strategy_id=strategy.id)
        finally:
            dispose_node(node)
    finally:
        if sim is not None:
            sim.stop()
    print(
        f"live run finished: {len(orders)} orders, {fills} fills, {len(positions)} open positions",
        file=sys.stderr,
    )
    return 0
