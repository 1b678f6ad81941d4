"""
Tick-to-trade against NautilusTrader's own floor: the same strategy and node, three execution
clients, one simulator feed.

(a) ``floor``: an execution client that does nothing but acknowledge (``OrderSubmitted`` /
    ``OrderAccepted`` / IOC ``OrderCanceled`` generated on the spot): NautilusTrader's own order
    path, the floor no venue client can go below;
(b) ``rest``: our Bitget execution client, ``order_entry="rest"``;
(c) ``websocket``: our Bitget execution client, ``order_entry="websocket"``.

The simulator runs in its own process (its own core when there are two) and streams ``books`` for
BTCUSDT; one simulator serves every run, the modes alternate round by round. The node runs the
Bitget data client (all modes) with default engine configs (uvloop, as installed by
NautilusTrader).

t0 = the ``books`` frame's websocket receive timestamp (``raw_tap`` of the data client's socket,
before decoding); t1 = the order leaving the execution client: (a) ``submit_order`` entered,
(b) the signed place-order request handed to aiohttp (``on_request_start`` trace hook), (c) the
``op: "trade"`` frame handed to the trade socket's ``send``. Between them: decode ->
``OrderBookDeltas`` -> DataEngine -> strategy -> order factory -> RiskEngine -> ExecEngine -> exec
client. The strategy orders on every Nth update (IOC far below the market: the simulator kills
it), paced below the venue's 10 orders/s; a sample is matched to its frame by the book ``seq``.

Round trip (REST and WebSocket): t1 -> the venue's ack received (REST: ``on_request_end``;
WebSocket: the reply frame carrying the request ``id``, receive timestamp).

Targets: our added latency over the floor (t0 -> t1 p50, ours minus floor) <= 100 us for REST and
for WebSocket; WebSocket round trip p50 at least 2x lower than REST's. Writes the figures to
bench/results.json under "tick_to_trade" (read-modify-write).

Run: ``.venv/bin/python bench/tick_to_trade.py [--samples 120] [--runs 2]``
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any


sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import aiohttp
import msgspec

# Importing the node installs NautilusTrader's uvloop policy, as in any live script
from nautilus_trader.common.providers import InstrumentProvider
from nautilus_trader.config import InstrumentProviderConfig
from nautilus_trader.config import LiveExecClientConfig
from nautilus_trader.config import LoggingConfig
from nautilus_trader.config import StrategyConfig
from nautilus_trader.config import TradingNodeConfig
from nautilus_trader.live.execution_client import LiveExecutionClient
from nautilus_trader.live.factories import LiveExecClientFactory
from nautilus_trader.live.node import TradingNode
from nautilus_trader.model.currencies import USDT
from nautilus_trader.model.enums import AccountType
from nautilus_trader.model.enums import BookType
from nautilus_trader.model.enums import OmsType
from nautilus_trader.model.enums import OrderSide
from nautilus_trader.model.enums import TimeInForce
from nautilus_trader.model.identifiers import AccountId
from nautilus_trader.model.identifiers import ClientId
from nautilus_trader.model.identifiers import InstrumentId
from nautilus_trader.model.identifiers import Venue
from nautilus_trader.model.identifiers import VenueOrderId
from nautilus_trader.model.objects import AccountBalance
from nautilus_trader.model.objects import Money
from nautilus_trader.model.objects import Quantity
from nautilus_trader.trading.strategy import Strategy

from nautilus_bitget.compat import data_client
from nautilus_bitget.compat import exec_client
from nautilus_bitget.config import BitgetDataClientConfig
from nautilus_bitget.config import BitgetExecClientConfig
from nautilus_bitget.constants import SIM_API_KEY
from nautilus_bitget.constants import SIM_API_PASSPHRASE
from nautilus_bitget.constants import SIM_API_SECRET
from nautilus_bitget.factories import BitgetLiveDataClientFactory
from nautilus_bitget.factories import BitgetLiveExecClientFactory


BTC = InstrumentId.from_str("BTCUSDT-PERP.BITGET")
EVERY_N = 10
SIM_BOOK_RATE_HZ = 80.0  # per symbol: 8 orders/s at EVERY_N = 10 (< 10/s venue limit)
RESULTS = Path(__file__).resolve().parent / "results.json"
MODES = ("floor", "rest", "websocket")
TARGET_ADDED_P50_US = 100.0
TARGET_RTT_RATIO = 2.0
WARM_UP = 5


class TickToTrade(Strategy):
    """Orders (IOC far below the market) on every Nth BTCUSDT book update."""

    def __init__(self, config: StrategyConfig, every_n: int) -> None:
        super().__init__(config)
        self.every_n = every_n
        self.updates = 0
        self.price = None
        self.qty = Quantity.from_str("0.001")
        self.instrument = None
        # orders start once the execution client can take them (the trade socket is logged in)
        self.ready = lambda: True
        # (book seq of the triggering update, strategy callback time ns)
        self.triggers: list[tuple[int, int]] = []

    def on_start(self) -> None:
        self.instrument = self.cache.instrument(BTC)
        self.subscribe_order_book_deltas(BTC, BookType.L2_MBP, managed=False)

    def on_order_book_deltas(self, deltas) -> None:
        self.updates += 1
        if self.price is None:
            for delta in deltas.deltas:
                if delta.order.side == OrderSide.BUY and delta.order.size.as_double() > 0:
                    self.price = self.instrument.make_price(delta.order.price.as_double() * 0.9)
                    break
            return
        if self.updates % self.every_n or not self.ready():
            return
        self.triggers.append((deltas.sequence, time.time_ns()))
        order = self.order_factory.limit(
            BTC,
            OrderSide.BUY,
            self.qty,
            self.price,
            time_in_force=TimeInForce.IOC,
        )
        self.submit_order(order)


# -- the floor: an execution client that only acknowledges ---------------------------------------

FLOOR_SENT: list[int] = []


class AckExecClient(LiveExecutionClient):
    """Acknowledges every order on the spot (submitted, accepted, IOC canceled); no venue."""

    def __init__(self, loop, msgbus, cache, clock) -> None:
        super().__init__(
            loop=loop,
            client_id=ClientId("BITGET"),
            venue=Venue("BITGET"),
            oms_type=OmsType.NETTING,
            account_type=AccountType.MARGIN,
            base_currency=USDT,
            instrument_provider=InstrumentProvider(),
            msgbus=msgbus,
            cache=cache,
            clock=clock,
        )
        self._set_account_id(AccountId("BITGET-master"))
        self._acks = 0

    async def _connect(self) -> None:
        money = Money(1_000_000, USDT)
        self.generate_account_state(
            balances=[AccountBalance(money, Money(0, USDT), money)],
            margins=[],
            reported=True,
            ts_event=self._clock.timestamp_ns(),
        )

    async def _disconnect(self) -> None:
        return None

    def submit_order(self, command) -> None:
        FLOOR_SENT.append(time.time_ns())
        order = command.order
        self._acks += 1
        ts = self._clock.timestamp_ns()
        args = (order.strategy_id, order.instrument_id, order.client_order_id)
        self.generate_order_submitted(*args, ts)
        venue_id = VenueOrderId(f"ACK-{self._acks}")
        self.generate_order_accepted(*args, venue_id, ts)
        self.generate_order_canceled(*args, venue_id, ts)

    async def generate_order_status_report(self, command):
        return None

    async def generate_order_status_reports(self, command) -> list:
        return []

    async def generate_fill_reports(self, command) -> list:
        return []

    async def generate_position_status_reports(self, command) -> list:
        return []


class AckExecClientFactory(LiveExecClientFactory):
    """Builds the floor client."""

    @staticmethod
    def create(loop, name, config, msgbus, cache, clock) -> AckExecClient:
        return AckExecClient(loop, msgbus, cache, clock)


# -- one run -------------------------------------------------------------------------------------


def _start_sim(rate: float, core: int | None) -> tuple[subprocess.Popen, dict[str, str]]:
    exe = Path(sys.executable).with_name("bitget-nt")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "nautilus_bitget.cli"]
    proc = subprocess.Popen(
        [*cmd, "sim", "--port", "0", "--rate", str(rate)], stdout=subprocess.PIPE, text=True
    )
    if core is not None:
        os.sched_setaffinity(proc.pid, {core})
    line = proc.stdout.readline()
    if not line.startswith("READY "):
        proc.kill()
        raise RuntimeError(f"unexpected first line: {line!r}")
    return proc, dict(part.split("=", 1) for part in line.split()[1:])


def _node_config(mode: str, urls: dict[str, str]) -> TradingNodeConfig:
    common = {
        "base_url_http": urls["http"],
        "base_url_ws_public": urls["ws_public"],
        "base_url_ws_private": urls["ws_private"],
    }
    instruments = InstrumentProviderConfig(load_ids=frozenset({BTC}))
    if mode == "floor":
        exec_config: Any = LiveExecClientConfig()
    else:
        exec_config = BitgetExecClientConfig(
            **common,
            api_key=SIM_API_KEY,
            api_secret=SIM_API_SECRET,
            api_passphrase=SIM_API_PASSPHRASE,
            account_mode="classic",
            position_mode="one_way",
            instrument_provider=instruments,
            order_entry=mode,
        )
    return TradingNodeConfig(
        trader_id="BENCH-001",
        logging=LoggingConfig(log_level="ERROR", log_colors=False),
        data_clients={
            "BITGET": BitgetDataClientConfig(
                **common,
                instrument_provider=instruments,
                update_instruments_interval_mins=None,
            ),
        },
        exec_clients={"BITGET": exec_config},
        timeout_connection=20.0,
        timeout_reconciliation=10.0,
        timeout_disconnection=3.0,
        timeout_post_stop=0.1,
    )


class Probes:
    """t1 per order and the venue round trips of one run."""

    def __init__(self) -> None:
        self.sent: list[int] = []
        self.rtt_us: list[float] = []
        self._ws_sent: dict[str, int] = {}

    def hook_rest(self, node: TradingNode) -> None:
        async def on_start(session, ctx, params) -> None:
            if params.url.path.endswith("/order/place-order"):
                ctx.t1 = time.time_ns()
                self.sent.append(ctx.t1)

        async def on_end(session, ctx, params) -> None:
            t1 = getattr(ctx, "t1", None)
            if t1 is not None:
                self.rtt_us.append((time.time_ns() - t1) / 1000)

        trace = aiohttp.TraceConfig()
        trace.on_request_start.append(on_start)
        trace.on_request_end.append(on_end)
        trace.freeze()
        http = exec_client(node, ClientId("BITGET")).http
        get_session = http._get_session

        def traced_session() -> aiohttp.ClientSession:
            session = get_session()
            if trace not in session._trace_configs:
                session._trace_configs.append(trace)
            return session

        http._get_session = traced_session

    def hook_ws(self, node: TradingNode) -> None:
        socket = exec_client(node, ClientId("BITGET")).trade_socket
        ws = socket.ws
        send = ws.send
        decode = msgspec.json.decode

        async def traced_send(text: str) -> None:
            t1 = time.time_ns()
            if '"place-order"' in text:
                self.sent.append(t1)
                self._ws_sent[decode(text)["args"][0]["id"]] = t1
            await send(text)

        def on_frame(raw: bytes, ts: int) -> None:
            if b'"event":"trade"' in raw:
                req_id = decode(raw)["arg"][0]["id"]
                t1 = self._ws_sent.pop(req_id, None)
                if t1 is not None:
                    self.rtt_us.append((ts - t1) / 1000)

        ws.send = traced_send
        ws._raw_tap = on_frame  # read when the connection opens


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(len(ordered) * q))], 1)


async def run_once(
    mode: str,
    urls: dict[str, str],
    samples: int,
    every_n: int = EVERY_N,
    busy_poll: bool = False,
) -> dict:
    frames: list[tuple[int, bytes]] = []
    probes = Probes()
    FLOOR_SENT.clear()
    node = TradingNode(config=_node_config(mode, urls), loop=asyncio.get_running_loop())
    strategy = TickToTrade(StrategyConfig(strategy_id="T2T-001"), every_n)
    node.trader.add_strategy(strategy)
    node.add_data_client_factory("BITGET", BitgetLiveDataClientFactory)
    if mode == "floor":
        node.add_exec_client_factory("BITGET", AckExecClientFactory)
        probes.sent = FLOOR_SENT
    else:
        node.add_exec_client_factory("BITGET", BitgetLiveExecClientFactory)
    node.build()
    public_client = data_client(node, ClientId("BITGET"))
    public_client.ws._client_kwargs["raw_tap"] = lambda raw, ts: frames.append((ts, raw))
    if mode == "rest":
        probes.hook_rest(node)
    elif mode == "websocket":
        probes.hook_ws(node)
        socket = exec_client(node, ClientId("BITGET")).trade_socket
        strategy.ready = lambda: socket.is_up

    task = asyncio.create_task(node.run_async())
    spinner = asyncio.create_task(_busy_poll()) if busy_poll else None
    deadline = time.monotonic() + 90
    while len(probes.sent) < samples + WARM_UP:
        if time.monotonic() > deadline or task.done():
            raise RuntimeError(f"{mode}: only {len(probes.sent)} orders sent")
        await asyncio.sleep(0.1)
    if spinner is not None:
        spinner.cancel()
    await asyncio.sleep(0.3)  # the last replies
    await node.stop_async()
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError, Exception):
        await task

    received: dict[int, int] = {}
    for ts, raw in frames:
        if b'"books"' in raw and b'"BTCUSDT"' in raw:
            with contextlib.suppress(Exception):
                received[msgspec.json.decode(raw)["data"][0]["seq"]] = ts
    latencies, to_strategy = [], []
    for (seq, t_strategy), t_sent in zip(strategy.triggers, probes.sent, strict=False):
        t0 = received[seq]
        latencies.append((t_sent - t0) / 1000)
        to_strategy.append((t_strategy - t0) / 1000)
    latencies, to_strategy = latencies[WARM_UP:], to_strategy[WARM_UP:]
    result = {
        "p50_us": round(statistics.median(latencies), 1),
        "p99_us": _pct(latencies, 0.99),
        "samples": len(latencies),
        "frame_to_strategy_p50_us": round(statistics.median(to_strategy), 1),
        "strategy_to_wire_p50_us": round(
            statistics.median(a - b for a, b in zip(latencies, to_strategy, strict=True)), 1
        ),
    }
    rtt = probes.rtt_us[WARM_UP:]
    if rtt:
        result["rtt_p50_us"] = round(statistics.median(rtt), 1)
        result["rtt_p99_us"] = _pct(rtt, 0.99)
    return result


async def _busy_poll() -> None:
    while True:  # noqa: ASYNC110
        await asyncio.sleep(0)


def summarize(runs: dict[str, list[dict]]) -> dict:
    """Median over runs of each figure per mode; differences and ratios against the floor."""

    def med(mode: str, key: str) -> float:
        return round(statistics.median(r[key] for r in runs[mode]), 1)

    out: dict[str, Any] = {
        mode: {
            key: med(mode, key)
            for key in runs[mode][0]
            if key != "samples" and all(key in r for r in runs[mode])
        }
        for mode in MODES
    }
    floor = out["floor"]
    for mode in ("rest", "websocket"):
        ours = out[mode]
        ours["added_p50_us"] = round(ours["p50_us"] - floor["p50_us"], 1)
        ours["added_p99_us"] = round(ours["p99_us"] - floor["p99_us"], 1)
        ours["added_client_p50_us"] = round(
            ours["strategy_to_wire_p50_us"] - floor["strategy_to_wire_p50_us"], 1
        )
        ours["p50_ratio_to_floor"] = round(ours["p50_us"] / floor["p50_us"], 2)
    rtt_ratio = round(out["rest"]["rtt_p50_us"] / out["websocket"]["rtt_p50_us"], 2)
    out["rtt_rest_over_ws_p50"] = rtt_ratio
    out["targets"] = {
        "added_p50_us_max": TARGET_ADDED_P50_US,
        "rtt_rest_over_ws_min": TARGET_RTT_RATIO,
    }
    out["met"] = {
        "rest_added_p50": out["rest"]["added_p50_us"] <= TARGET_ADDED_P50_US,
        "websocket_added_p50": out["websocket"]["added_p50_us"] <= TARGET_ADDED_P50_US,
        "ws_rtt_2x_lower": rtt_ratio >= TARGET_RTT_RATIO,
    }
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--samples", type=int, default=120)
    parser.add_argument("--runs", type=int, default=2, help="rounds (each runs every mode)")
    parser.add_argument("--rate", type=float, default=SIM_BOOK_RATE_HZ, help="sim books/s/symbol")
    parser.add_argument("--every-n", type=int, default=EVERY_N)
    parser.add_argument("--modes", default=",".join(MODES))
    parser.add_argument("--busy-poll", action="store_true", help="keep the loop's core hot")
    parser.add_argument("--key", default="tick_to_trade", help="results.json key")
    args = parser.parse_args()
    modes = [m for m in args.modes.split(",") if m]

    cores = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    sim_core = None
    if len(cores) >= 2:
        os.sched_setaffinity(0, {cores[0]})  # the node on one core, the simulator on another
        sim_core = cores[1]
    proc, urls = _start_sim(args.rate, sim_core)
    runs: dict[str, list[dict]] = {m: [] for m in modes}
    try:
        for round_no in range(args.runs):
            for mode in modes:
                result = asyncio.run(
                    run_once(mode, urls, args.samples, args.every_n, args.busy_poll)
                )
                print(json.dumps({"round": round_no, "mode": mode, **result}), flush=True)
                runs[mode].append(result)
    finally:
        proc.terminate()
        with contextlib.suppress(Exception):
            proc.wait(10)
    if set(modes) != set(MODES):
        return 0
    summary = summarize(runs)
    result = {
        **summary,
        "runs": runs,
        "every_n_updates": args.every_n,
        "sim_book_rate_hz": args.rate,
        "busy_poll": args.busy_poll,
        "event_loop": "uvloop"
        if "uvloop" in type(asyncio.new_event_loop()).__module__
        else "asyncio",
        "measured": (
            "TradingNode + Bitget data client vs simulator process: websocket receive timestamp "
            "of the books frame -> the order leaving the exec client (floor: submit_order "
            "entered; rest: signed place-order handed to aiohttp; websocket: trade frame handed "
            "to the trade socket's send); round trip: request sent -> venue ack received"
        ),
        "python": sys.version.split()[0],
        "ts": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    data = {}
    if RESULTS.exists():
        try:
            data = json.loads(RESULTS.read_text())
        except json.JSONDecodeError:
            data = {}
    data[args.key] = result
    RESULTS.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    floor, rest, ws = summary["floor"], summary["rest"], summary["websocket"]
    met = summary["met"]
    print()
    print(f"{'':10} {'p50 us':>9} {'p99 us':>9} {'+floor p50':>11} {'x floor':>8} {'rtt p50':>9}")
    print(f"{'floor':10} {floor['p50_us']:9.1f} {floor['p99_us']:9.1f}")
    for name, row in (("rest", rest), ("websocket", ws)):
        print(
            f"{name:10} {row['p50_us']:9.1f} {row['p99_us']:9.1f} {row['added_p50_us']:11.1f} "
            f"{row['p50_ratio_to_floor']:8.2f} {row['rtt_p50_us']:9.1f}"
        )
    print(
        f"target added p50 <= {TARGET_ADDED_P50_US:.0f} us: rest "
        f"{'MET' if met['rest_added_p50'] else 'NOT MET'}, websocket "
        f"{'MET' if met['websocket_added_p50'] else 'NOT MET'}"
    )
    print(
        f"target ws round trip >= {TARGET_RTT_RATIO:.0f}x lower than rest: "
        f"{summary['rtt_rest_over_ws_p50']}x -> {'MET' if met['ws_rtt_2x_lower'] else 'NOT MET'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
