"""
Tick-to-trade: internal latency from receipt of a ``books`` frame to the place-order request
leaving the execution client.

t0 = the frame (bytes) enters the data path (decode -> OrderBookDeltas -> DataEngine -> strategy);
t1 = the signed place-order request is handed to aiohttp (``BitgetHttpClient._send_once``).
Network and simulator time are excluded: frames are injected in-process, and only the time up to
the hand-off is measured. The strategy orders on every Nth book update (IOC far from the market,
so the simulator kills it), paced below the venue's 10 orders/s limit.

Writes p50/p99 (microseconds) to bench/results.json under "tick_to_trade" (read-modify-write).
Targets: p50 <= 250 us, p99 <= 1 ms.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace


sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import msgspec
from nautilus_trader.cache.cache import Cache
from nautilus_trader.common.component import LiveClock
from nautilus_trader.common.component import MessageBus
from nautilus_trader.config import DataEngineConfig
from nautilus_trader.config import InstrumentProviderConfig
from nautilus_trader.config import LiveExecEngineConfig
from nautilus_trader.config import LiveRiskEngineConfig
from nautilus_trader.config import StrategyConfig
from nautilus_trader.data.engine import DataEngine
from nautilus_trader.live.execution_engine import LiveExecutionEngine
from nautilus_trader.live.risk_engine import LiveRiskEngine
from nautilus_trader.model.enums import BookType
from nautilus_trader.model.enums import OrderSide
from nautilus_trader.model.enums import TimeInForce
from nautilus_trader.model.identifiers import InstrumentId
from nautilus_trader.model.identifiers import TraderId
from nautilus_trader.model.objects import Quantity
from nautilus_trader.portfolio.portfolio import Portfolio
from nautilus_trader.trading.strategy import Strategy

from nautilus_bitget.config import BitgetExecClientConfig
from nautilus_bitget.constants import SIM_API_KEY
from nautilus_bitget.constants import SIM_API_PASSPHRASE
from nautilus_bitget.constants import SIM_API_SECRET
from nautilus_bitget.execution import BitgetExecutionClient
from nautilus_bitget.http.client import BitgetHttpClient
from nautilus_bitget.parsing.book import BookContext
from nautilus_bitget.parsing.book import parse_books_to_deltas
from nautilus_bitget.providers import BitgetInstrumentProvider
from nautilus_bitget.schemas.envelope import BitgetWsFrame
from nautilus_bitget.schemas.ws_public import BitgetWsBook


BTC = InstrumentId.from_str("BTCUSDT-PERP.BITGET")
SAMPLES = 200
EVERY_N = 10
FRAME_INTERVAL_SECS = 0.012  # 10 frames per order -> ~8 orders/s (< 10/s venue limit)
RESULTS = Path(__file__).resolve().parent / "results.json"
# Breakdown marks (perf_counter_ns): strategy callback entered, exec client reached
MARKS: dict[str, list[int]] = {"strategy": [], "client": []}


class TickToTrade(Strategy):
    """Orders (IOC far below the market) on every Nth book update."""

    def __init__(self, config: StrategyConfig, every_n: int) -> None:
        super().__init__(config)
        self.every_n = every_n
        self.updates = 0
        self.price = None
        self.qty = Quantity.from_str("0.001")

    def on_start(self) -> None:
        self.subscribe_order_book_deltas(BTC, BookType.L2_MBP, managed=False)

    def on_order_book_deltas(self, deltas) -> None:
        self.updates += 1
        if self.updates % self.every_n:
            return
        MARKS["strategy"].append(time.perf_counter_ns())
        order = self.order_factory.limit(
            BTC,
            OrderSide.BUY,
            self.qty,
            self.price,
            time_in_force=TimeInForce.IOC,
        )
        self.submit_order(order)


class FramePath:
    """The data path of a ``books`` frame: decode once, parse, hand to the DataEngine."""

    def __init__(self, instrument, data_engine: DataEngine, clock: LiveClock) -> None:
        self._frame = msgspec.json.Decoder(BitgetWsFrame)
        self._books = msgspec.json.Decoder(list[BitgetWsBook])
        self._ctx = BookContext(instrument)
        self._engine = data_engine
        self._clock = clock

    def handle(self, raw: bytes) -> None:
        frame = self._frame.decode(raw)
        for book in self._books.decode(frame.data):
            deltas = parse_books_to_deltas(
                book,
                self._ctx,
                frame.action == "snapshot",
                self._clock.timestamp_ns(),
            )
            if deltas is not None:
                self._engine.process(deltas)


def book_frame(action: str, seq: int, bid: Decimal, ask: Decimal, size: str) -> bytes:
    ts = str(time.time_ns() // 1_000_000)
    levels_b = [
        [f"{bid - Decimal(i) / 10:.1f}", size] for i in range(5 if action == "snapshot" else 1)
    ]
    levels_a = [
        [f"{ask + Decimal(i) / 10:.1f}", size] for i in range(5 if action == "snapshot" else 1)
    ]
    msg = {
        "action": action,
        "arg": {"instType": "USDT-FUTURES", "channel": "books", "instId": "BTCUSDT"},
        "data": [{"asks": levels_a, "bids": levels_b, "ts": ts, "seq": seq, "pseq": seq - 1}],
        "ts": int(ts),
    }
    return msgspec.json.encode(msg)


async def run() -> dict:
    from nautilus_trader.common.component import init_logging
    from nautilus_trader.common.enums import LogLevel

    guard = init_logging(level_stdout=LogLevel.ERROR)  # noqa: F841
    # The simulator runs in its own process so its work never interleaves with the measured path.
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        "import sys; from nautilus_bitget.cli import main; sys.exit(main())",
        "sim",
        "--port",
        "0",
        "--rate",
        "2",
        stdout=asyncio.subprocess.PIPE,
    )
    line = (await proc.stdout.readline()).decode()
    if not line.startswith("READY"):
        raise RuntimeError(f"simulator did not start: {line!r}")
    urls = dict(part.split("=", 1) for part in line.split()[1:])
    sim = SimpleNamespace(
        http_url=urls["http"],
        ws_public_url=urls["ws_public"],
        ws_private_url=urls["ws_private"],
    )
    loop = asyncio.get_running_loop()
    clock = LiveClock()
    trader_id = TraderId("BENCH-001")
    msgbus = MessageBus(trader_id, clock)
    cache = Cache()
    portfolio = Portfolio(msgbus, cache, clock)
    data_engine = DataEngine(msgbus, cache, clock, DataEngineConfig())
    exec_engine = LiveExecutionEngine(loop, msgbus, cache, clock, LiveExecEngineConfig())
    risk_engine = LiveRiskEngine(
        loop,
        portfolio,
        msgbus,
        cache,
        clock,
        LiveRiskEngineConfig(bypass=True),
    )
    provider = BitgetInstrumentProvider(
        BitgetHttpClient(sim.http_url),
        config=InstrumentProviderConfig(load_all=True),
    )
    client = BitgetExecutionClient(
        loop,
        msgbus,
        cache,
        clock,
        provider,
        BitgetExecClientConfig(
            api_key=SIM_API_KEY,
            api_secret=SIM_API_SECRET,
            api_passphrase=SIM_API_PASSPHRASE,
            base_url_http=sim.http_url,
            base_url_ws_public=sim.ws_public_url,
            base_url_ws_private=sim.ws_private_url,
            account_mode="classic",
            position_mode="one_way",
        ),
    )
    exec_engine.register_client(client)

    # t1: the signed request is handed to aiohttp
    sent: list[int] = []
    sent_event = asyncio.Event()
    original_send = client.http._send_once

    async def timed_send(method, path, query, body, signed, *args, **kwargs):
        if path.endswith("/order/place-order"):
            sent.append(time.perf_counter_ns())
            sent_event.set()
        return await original_send(method, path, query, body, signed, *args, **kwargs)

    client.http._send_once = timed_send
    client_submit = client.submit_order

    def timed_submit(command):
        MARKS["client"].append(time.perf_counter_ns())
        client_submit(command)

    client.submit_order = timed_submit

    strategy = TickToTrade(StrategyConfig(strategy_id="T2T-001"), EVERY_N)
    strategy.register(trader_id, portfolio, msgbus, cache, clock)
    exec_engine.register_oms_type(strategy)
    data_engine.start()
    exec_engine.start()
    risk_engine.start()
    await client._connect()
    client._set_connected(True)
    instrument = cache.instrument(BTC)
    raw = await client.http.get(
        "/api/v2/mix/market/ticker",
        {"symbol": "BTCUSDT", "productType": "USDT-FUTURES"},
    )
    ticker = msgspec.json.decode(raw)[0]
    bid, ask = Decimal(ticker["bidPr"]), Decimal(ticker["askPr"])
    strategy.price = instrument.make_price(bid * Decimal("0.9"))
    strategy.start()
    path = FramePath(instrument, data_engine, clock)

    seq = 1
    path.handle(book_frame("snapshot", seq, bid, ask, "1.000"))
    latencies: list[int] = []
    starts: list[int] = []
    frames = 1
    while len(latencies) < SAMPLES:
        seq += 1
        frames += 1
        raw = book_frame("update", seq, bid, ask, f"{1 + (seq % 7) / 10:.3f}")
        ordering = frames % EVERY_N == 0
        sent_event.clear()
        t0 = time.perf_counter_ns()
        path.handle(raw)
        if ordering:
            await sent_event.wait()
            latencies.append(sent[-1] - t0)
            starts.append(t0)
        await asyncio.sleep(FRAME_INTERVAL_SECS)

    strategy.stop()
    await asyncio.sleep(0.5)
    await client._disconnect()
    exec_engine.stop()
    risk_engine.stop()
    data_engine.stop()
    proc.terminate()
    await proc.wait()

    def median_us(a: list[int], b: list[int]) -> float:
        return round(
            statistics.median((y - x) / 1000 for x, y in zip(a[5:], b[5:], strict=True)), 1
        )

    breakdown = {
        "frame_to_strategy_us": median_us(starts, MARKS["strategy"]),
        "strategy_to_exec_client_us": median_us(MARKS["strategy"], MARKS["client"]),
        "exec_client_to_wire_us": median_us(MARKS["client"], sent),
    }
    latencies_us = sorted(v / 1000 for v in latencies[5:])  # drop warm-up
    p50 = statistics.median(latencies_us)
    p99 = latencies_us[min(len(latencies_us) - 1, int(len(latencies_us) * 0.99))]
    return {
        "p50_us": round(p50, 1),
        "p99_us": round(p99, 1),
        "mean_us": round(statistics.fmean(latencies_us), 1),
        "samples": len(latencies_us),
        "every_n_updates": EVERY_N,
        "breakdown_p50": breakdown,
        "measured": "books frame bytes -> signed place-order request handed to aiohttp",
        "targets": {"p50_us": 250, "p99_us": 1000},
    }


def main() -> None:
    result = asyncio.run(run())
    data = {}
    if RESULTS.exists():
        try:
            data = json.loads(RESULTS.read_text())
        except json.JSONDecodeError:
            data = {}
    data["tick_to_trade"] = result
    RESULTS.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    print(json.dumps({"tick_to_trade": result}, indent=2))


if __name__ == "__main__":
    main()
