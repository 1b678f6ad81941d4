"""
Shared harness of the fault drills: a simulator, a data ``TradingNode`` (with an optional
``BitgetRecorder``), an execution stack (real Nautilus engines + ``BitgetExecutionClient``) and
the comparisons with the simulator's truth.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from collections.abc import Callable
from contextlib import asynccontextmanager
from decimal import Decimal
from typing import Any

from nautilus_trader.common.actor import Actor
from nautilus_trader.common.config import ActorConfig
from nautilus_trader.config import InstrumentProviderConfig
from nautilus_trader.config import LoggingConfig
from nautilus_trader.config import TradingNodeConfig
from nautilus_trader.live.node import TradingNode
from nautilus_trader.model.book import OrderBook
from nautilus_trader.model.data import OrderBookDeltas
from nautilus_trader.model.enums import BookType
from nautilus_trader.model.identifiers import ClientId
from nautilus_trader.model.identifiers import InstrumentId

from nautilus_bitget.compat import data_client
from nautilus_bitget.sim import BitgetSimulator
from nautilus_bitget.sim import SimConfig


BTC = InstrumentId.from_str("BTCUSDT-PERP.BITGET")
SYMBOL = "BTCUSDT"
PRODUCT = "USDT-FUTURES"
BOOK_RATE_HZ = 20.0
LOG_LEVEL = "ERROR"


async def wait_for(predicate: Callable[[], Any], timeout: float, what: str) -> float:  # noqa: ASYNC109
    """Wait until ``predicate()`` is truthy; return the seconds it took (``TimeoutError``)."""
    start = time.monotonic()
    while not predicate():
        if time.monotonic() - start > timeout:
            raise TimeoutError(f"timed out after {timeout:g}s waiting for {what}")
        await asyncio.sleep(0.005)
    return time.monotonic() - start


@asynccontextmanager
async def sim_running(**overrides: Any) -> AsyncIterator[BitgetSimulator]:
    """Run an in-process simulator on a free port (fast book rate) for the block."""
    fields: dict[str, Any] = {"host": "127.0.0.1", "port": 0, "book_rate_hz": BOOK_RATE_HZ}
    fields.update(overrides)
    sim = BitgetSimulator(SimConfig(**fields))
    await sim.start()
    try:
        yield sim
    finally:
        await sim.stop()


# -- books ------------------------------------------------------------------------------------


class BookWatchConfig(ActorConfig, frozen=True):
    """Configuration of :class:`BookWatch`."""

    instrument_id: InstrumentId


class BookWatch(Actor):
    """Rebuilds the L2 book from the published deltas (what a strategy sees)."""

    def __init__(self, config: BookWatchConfig) -> None:
        super().__init__(config)
        self.iid = config.instrument_id
        self.book = OrderBook(self.iid, BookType.L2_MBP)
        self.messages = 0
        self.snapshots = 0

    def on_start(self) -> None:
        """Subscribe to the book deltas."""
        self.subscribe_order_book_deltas(self.iid, BookType.L2_MBP)

    def on_order_book_deltas(self, deltas: OrderBookDeltas) -> None:
        """Apply one published message."""
        self.messages += 1
        if deltas.is_snapshot:
            self.snapshots += 1
        self.book.apply_deltas(deltas)


def book_levels(book: OrderBook) -> tuple[list, list]:
    """Return ``(bids, asks)`` of a Nautilus book as ``(Decimal price, Decimal size)`` lists."""
    bids = [(Decimal(str(lvl.price)), Decimal(str(lvl.size()))) for lvl in book.bids()]
    asks = [(Decimal(str(lvl.price)), Decimal(str(lvl.size()))) for lvl in book.asks()]
    return bids, asks


def sim_levels(sim: BitgetSimulator, symbol: str = SYMBOL) -> tuple[list, list]:
    """Return the simulator's book (the truth) in the same shape."""
    bids, asks = sim.exchange.book(symbol)
    return (
        [(Decimal(p), Decimal(s)) for p, s in bids if Decimal(s) != 0],
        [(Decimal(p), Decimal(s)) for p, s in asks if Decimal(s) != 0],
    )


def book_diff(book: OrderBook, sim: BitgetSimulator, symbol: str = SYMBOL) -> int:
    """Return how many levels differ (missing, extra or wrong size) between ours and the venue's."""
    ours = book_levels(book)
    truth = sim_levels(sim, symbol)
    n = 0
    for mine, theirs in zip(ours, truth, strict=True):
        n += len(set(mine) ^ set(theirs))
    return n


async def book_converges(book: OrderBook, sim: BitgetSimulator, timeout: float) -> float:  # noqa: ASYNC109
    """Return the seconds until our book equals the simulator's (raise on timeout)."""
    return await wait_for(lambda: book_diff(book, sim) == 0, timeout, "book == venue book")


@asynccontextmanager
async def data_node(
    sim: BitgetSimulator,
    *,
    catalog: str | None = None,
    flush_secs: float = 0.5,
    ws_public_url: str | None = None,
    **overrides: Any,
) -> AsyncIterator[tuple[TradingNode, BookWatch, Any, Any]]:
    """
    Run a TradingNode with the Bitget data client, a ``BookWatch`` and (with ``catalog``) a
    ``BitgetRecorder`` for the block; yield ``(node, watch, data_client, recorder or None)``.
    """
    from nautilus_bitget.config import BitgetDataClientConfig
    from nautilus_bitget.factories import BitgetLiveDataClientFactory

    fields: dict[str, Any] = {
        "base_url_http": sim.http_url,
        "base_url_ws_public": ws_public_url or sim.ws_public_url,
        "base_url_ws_private": sim.ws_private_url,
        "instrument_provider": InstrumentProviderConfig(load_ids=frozenset({BTC})),
        "update_instruments_interval_mins": None,
        "ws_ping_interval_secs": 1.0,
        "ws_stale_timeout_secs": 2.0,
    }
    fields.update(overrides)
    config = TradingNodeConfig(
        trader_id="FAULTS-001",
        logging=LoggingConfig(log_level=LOG_LEVEL, log_colors=False),
        data_clients={"BITGET": BitgetDataClientConfig(**fields)},
        timeout_connection=15.0,
        timeout_disconnection=3.0,
        timeout_post_stop=0.1,
    )
    node = TradingNode(config=config, loop=asyncio.get_running_loop())
    watch = BookWatch(BookWatchConfig(instrument_id=BTC))
    node.trader.add_actor(watch)
    recorder = None
    if catalog is not None:
        from nautilus_bitget.recorder.actor import BitgetRecorder
        from nautilus_bitget.recorder.actor import BitgetRecorderConfig

        recorder = BitgetRecorder(
            BitgetRecorderConfig(
                catalog_path=catalog,
                symbols=(SYMBOL,),
                types=("book", "trade"),
                bar_intervals=(),
                flush_interval_secs=flush_secs,
                backfill=False,
            ),
        )
        node.trader.add_actor(recorder)
    node.add_data_client_factory("BITGET", BitgetLiveDataClientFactory)
    node.build()
    client = data_client(node, ClientId("BITGET"))
    task = asyncio.create_task(node.run_async())
    try:
        await wait_for(lambda: watch.book.update_count > 0 or task.done(), 15.0, "first book")
        if task.done():
            task.result()
            raise RuntimeError("node stopped before the first book")
        yield node, watch, client, recorder
    finally:
        await node.stop_async()
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task


@contextlib.contextmanager
def captured_fds() -> Any:
    """
    Capture everything written to file descriptors 1 and 2 (Nautilus's Rust logger included).

    Yields a list that holds the captured text once the block exits.
    """
    import os
    import sys
    import tempfile

    out: list[str] = []
    sys.stdout.flush()
    sys.stderr.flush()
    saved = (os.dup(1), os.dup(2))
    with tempfile.TemporaryFile() as tmp:
        os.dup2(tmp.fileno(), 1)
        os.dup2(tmp.fileno(), 2)
        try:
            yield out
        finally:
            time.sleep(0.3)  # the Rust logger writes from its own thread
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            os.close(saved[0])
            os.close(saved[1])
            tmp.seek(0)
            out.append(tmp.read().decode(errors="replace"))
