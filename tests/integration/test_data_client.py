"""
BitgetDataClient against the simulator over real sockets, inside a real TradingNode.

An actor subscribes to every data type; the book it rebuilds from deltas (the DataEngine's
managed book) must equal the simulator's book, also after each injected fault.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import time
from collections import defaultdict
from collections.abc import AsyncIterator
from collections.abc import Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from decimal import Decimal

import pytest
from nautilus_trader.common.actor import Actor
from nautilus_trader.common.config import ActorConfig
from nautilus_trader.config import InstrumentProviderConfig
from nautilus_trader.config import LoggingConfig
from nautilus_trader.config import TradingNodeConfig
from nautilus_trader.live.node import TradingNode
from nautilus_trader.model.book import OrderBook
from nautilus_trader.model.data import Bar
from nautilus_trader.model.data import BarType
from nautilus_trader.model.data import FundingRateUpdate
from nautilus_trader.model.data import IndexPriceUpdate
from nautilus_trader.model.data import InstrumentStatus
from nautilus_trader.model.data import MarkPriceUpdate
from nautilus_trader.model.data import OrderBookDeltas
from nautilus_trader.model.data import OrderBookDepth10
from nautilus_trader.model.data import QuoteTick
from nautilus_trader.model.data import TradeTick
from nautilus_trader.model.enums import BookType
from nautilus_trader.model.enums import MarketStatusAction
from nautilus_trader.model.enums import RecordFlag
from nautilus_trader.model.identifiers import ClientId
from nautilus_trader.model.identifiers import InstrumentId

from nautilus_bitget.config import BitgetDataClientConfig
from nautilus_bitget.factories import BitgetLiveDataClientFactory


BTC = InstrumentId.from_str("BTCUSDT-PERP.BITGET")
BAR_1M = BarType.from_str("BTCUSDT-PERP.BITGET-1-MINUTE-LAST-EXTERNAL")
F_SNAPSHOT = int(RecordFlag.F_SNAPSHOT)
F_LAST = int(RecordFlag.F_LAST)

pytestmark = pytest.mark.timeout(90)


class RecorderConfig(ActorConfig, frozen=True):
    instrument_id: InstrumentId
    everything: bool = True


class Recorder(Actor):
    """Subscribes to every type and keeps what arrives."""

    def __init__(self, config: RecorderConfig) -> None:
        super().__init__(config)
        self.iid = config.instrument_id
        self.everything = config.everything
        self.received: dict[type, list] = defaultdict(list)
        self.book = OrderBook(self.iid, BookType.L2_MBP)
        self.flag_errors: list[str] = []
        self.historical: dict[type, list] = defaultdict(list)

    def on_start(self) -> None:
        self.subscribe_order_book_deltas(self.iid, BookType.L2_MBP)
        if not self.everything:
            return
        self.subscribe_order_book_depth(self.iid, BookType.L2_MBP, depth=10)
        self.subscribe_quote_ticks(self.iid)
        self.subscribe_trade_ticks(self.iid)
        self.subscribe_bars(BAR_1M)
        self.subscribe_mark_prices(self.iid)
        self.subscribe_index_prices(self.iid)
        self.subscribe_funding_rates(self.iid)
        self.subscribe_instrument_status(self.iid)

    def on_order_book_deltas(self, deltas: OrderBookDeltas) -> None:
        items = deltas.deltas
        if items[-1].flags & F_LAST == 0:
            self.flag_errors.append("last delta without F_LAST")
        if deltas.is_snapshot and items[0].flags & F_SNAPSHOT == 0:
            self.flag_errors.append("snapshot CLEAR without F_SNAPSHOT")
        self.received[OrderBookDeltas].append(deltas)
        self.book.apply_deltas(deltas)

    def on_order_book_depth(self, depth: OrderBookDepth10) -> None:
        self.received[OrderBookDepth10].append(depth)

    def on_quote_tick(self, tick: QuoteTick) -> None:
        self.received[QuoteTick].append(tick)

    def on_trade_tick(self, tick: TradeTick) -> None:
        self.received[TradeTick].append(tick)

    def on_bar(self, bar: Bar) -> None:
        self.received[Bar].append(bar)

    def on_mark_price(self, update: MarkPriceUpdate) -> None:
        self.received[MarkPriceUpdate].append(update)

    def on_index_price(self, update: IndexPriceUpdate) -> None:
        self.received[IndexPriceUpdate].append(update)

    def on_funding_rate(self, update: FundingRateUpdate) -> None:
        self.received[FundingRateUpdate].append(update)

    def on_instrument_status(self, status: InstrumentStatus) -> None:
        self.received[InstrumentStatus].append(status)

    def on_historical_data(self, data) -> None:
        self.historical[type(data)].append(data)


@asynccontextmanager
async def running_node(
    sim,
    everything: bool = True,
    **overrides,
) -> AsyncIterator[tuple[TradingNode, Recorder, object]]:
    fields = {
        "base_url_http": sim.http_url,
        "base_url_ws_public": sim.ws_public_url,
        "base_url_ws_private": sim.ws_private_url,
        "instrument_provider": InstrumentProviderConfig(load_ids=frozenset({BTC})),
        "update_instruments_interval_mins": None,
        "ws_ping_interval_secs": 1.0,
        "ws_stale_timeout_secs": 2.0,
    }
    fields.update(overrides)
    config = TradingNodeConfig(
        trader_id="TESTER-001",
        logging=LoggingConfig(log_level="WARNING", log_colors=False),
        data_clients={"BITGET": BitgetDataClientConfig(**fields)},
        timeout_connection=15.0,
        timeout_disconnection=3.0,
        timeout_post_stop=0.1,
    )
    node = TradingNode(config=config, loop=asyncio.get_running_loop())
    recorder = Recorder(RecorderConfig(instrument_id=BTC, everything=everything))
    node.trader.add_actor(recorder)
    node.add_data_client_factory("BITGET", BitgetLiveDataClientFactory)
    node.build()
    client = node.kernel.data_engine._clients[ClientId("BITGET")]
    task = asyncio.create_task(node.run_async())
    try:
        await wait_for(lambda: recorder.book.update_count > 0, 15.0, "first book snapshot")
        yield node, recorder, client
    finally:
        await node.stop_async()
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task
        # node.dispose() would cancel every task of this loop (the simulator's too): the node is
        # stopped and its clients disconnected, which is all these tests need.


async def wait_for(predicate: Callable[[], bool], timeout: float, what: str) -> float:  # noqa: ASYNC109
    start = time.monotonic()
    while not predicate():
        if time.monotonic() - start > timeout:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        await asyncio.sleep(0.005)
    return time.monotonic() - start


def book_levels(book: OrderBook) -> tuple[list, list]:
    bids = [(Decimal(str(lvl.price)), Decimal(str(lvl.size()))) for lvl in book.bids()]
    asks = [(Decimal(str(lvl.price)), Decimal(str(lvl.size()))) for lvl in book.asks()]
    return bids, asks


def sim_levels(sim, symbol: str = "BTCUSDT") -> tuple[list, list]:
    bids, asks = sim.exchange.book(symbol)
    return (
        [(Decimal(p), Decimal(s)) for p, s in bids if Decimal(s) != 0],
        [(Decimal(p), Decimal(s)) for p, s in asks if Decimal(s) != 0],
    )


async def book_matches_sim(recorder: Recorder, sim, timeout: float = 15.0) -> float:  # noqa: ASYNC109
    """Return how long it took until the rebuilt book equals the simulator's book."""
    return await wait_for(
        lambda: book_levels(recorder.book) == sim_levels(sim),
        timeout,
        "book rebuilt from deltas == simulator book",
    )


async def test_every_type_delivered_and_book_equals_truth(sim) -> None:
    async with running_node(sim) as (_node, recorder, client):
        wanted = [
            OrderBookDeltas,
            OrderBookDepth10,
            QuoteTick,
            TradeTick,
            MarkPriceUpdate,
            IndexPriceUpdate,
            FundingRateUpdate,
            InstrumentStatus,
        ]
        await wait_for(
            lambda: all(recorder.received[t] for t in wanted),
            10.0,
            "every data type",
        )
        # bars: only closed candles -> wait for the simulator's minute to roll over
        await book_matches_sim(recorder, sim)
        assert not recorder.flag_errors

        # values equal the simulator's truth
        truth = sim.exchange.ticker("BTCUSDT")
        mark = recorder.received[MarkPriceUpdate][-1]
        funding = recorder.received[FundingRateUpdate][-1]
        assert funding.interval == sim.exchange.funding("BTCUSDT").interval_hours * 60
        assert funding.next_funding_ns is not None
        assert mark.value.precision == client.instruments.context("BTCUSDT").price_precision
        # the ticker's mark, not a price of its own: within the simulator's 1% band around it
        # (the mark moves between the push and this read; test_wire_meaning pins it exactly)
        band = Decimal(truth.mark_price) * Decimal("0.01")
        assert abs(mark.value.as_decimal() - Decimal(truth.mark_price)) < band
        status = recorder.received[InstrumentStatus][0]
        assert status.action == MarketStatusAction.TRADING

        quote = recorder.received[QuoteTick][-1]
        assert quote.bid_price < quote.ask_price
        assert quote.bid_price.precision == quote.ask_price.precision
        trades = recorder.received[TradeTick]
        ids = [t.trade_id.value for t in trades]
        assert len(ids) == len(set(ids)), "duplicate trade ids"
        sim_trade_ids = {t.trade_id for t in sim.exchange.recent_trades("BTCUSDT", 1000)}
        assert set(ids) <= sim_trade_ids
        depth = recorder.received[OrderBookDepth10][-1]
        assert depth.bids[0].price > depth.asks[0].price.__class__.from_raw(0, 1)

        assert client.stats.malformed == 0
        assert client.stats.gaps == 0
        assert client.stats.published > 0
        print({t.__name__: len(v) for t, v in recorder.received.items()}, client.stats.as_dict())


async def test_closed_candles_become_bars(sim_factory) -> None:
    sim = await sim_factory()
    # Shift the simulator's clock so a minute boundary comes ~1.5 s after the subscribe
    # (sim-internal hook; candles close on the exchange clock).
    wall = sim.exchange._clock
    now = wall()
    offset = (60_000 - now % 60_000) - 2_500
    sim.exchange._clock = lambda: wall() + offset
    async with running_node(sim) as (_node, recorder, _client):
        await wait_for(lambda: recorder.received[Bar], 8.0, "a closed 1-minute bar")
        bar = recorder.received[Bar][0]
        assert bar.bar_type == BAR_1M
        assert bar.ts_event % 60_000_000_000 == 0
        start_ms = bar.ts_event // 1_000_000 - 60_000
        rows = sim.exchange.candles("BTCUSDT", "1m", start_ms=start_ms, end_ms=start_ms)
        row = next(r for r in rows if int(r[0]) == start_ms)
        assert str(bar.open) == row[1] or Decimal(str(bar.open)) == Decimal(row[1])
        assert Decimal(str(bar.close)) == Decimal(row[4])
        assert Decimal(str(bar.high)) == Decimal(row[2])
        assert Decimal(str(bar.low)) == Decimal(row[3])
        assert Decimal(str(bar.volume)) == Decimal(row[5])
        assert len(recorder.received[Bar]) == 1  # history rows are not re-published


async def test_seq_gap_resyncs(sim) -> None:
    # recovery time is measured by make faults / bench, not asserted here (loaded CI machines)
    async with running_node(sim, everything=False) as (_node, recorder, client):
        await book_matches_sim(recorder, sim)
        snapshots_before = sum(d.is_snapshot for d in recorder.received[OrderBookDeltas])
        sim.faults.skip_book_seq("BTCUSDT")
        await wait_for(lambda: client.stats.gaps >= 1, 15.0, "gap detected")
        await wait_for(lambda: client.stats.resynced >= 1, 15.0, "fresh snapshot")
        await book_matches_sim(recorder, sim, timeout=15.0)
        assert client.stats.resyncs >= 1
        assert sum(d.is_snapshot for d in recorder.received[OrderBookDeltas]) > snapshots_before


async def test_back_to_back_gaps_and_lost_snapshot_recover(sim) -> None:
    async with running_node(sim, everything=False) as (_node, recorder, client):
        await book_matches_sim(recorder, sim)
        sim.faults.skip_book_seq("BTCUSDT")
        await wait_for(lambda: client.stats.resynced >= 1, 15.0, "first resync")
        sim.faults.skip_book_seq("BTCUSDT")  # a second gap right after the first resync
        await wait_for(lambda: client.stats.gaps >= 2, 15.0, "second gap")
        await wait_for(lambda: client.stats.resynced >= 2, 15.0, "second resync")
        await book_matches_sim(recorder, sim, timeout=15.0)
        # a snapshot that never arrives: updates without a snapshot trigger a resubscribe
        client.books.integrity("BTCUSDT").reset()
        await wait_for(lambda: client.book_synced(BTC), 15.0, "resubscribed snapshot")
        await book_matches_sim(recorder, sim, timeout=15.0)
        assert client.stats.dropped_unsynced >= 1


async def test_bad_checksum_resyncs(sim_factory) -> None:
    sim = await sim_factory(checksum=True)
    async with running_node(sim, everything=False) as (_node, recorder, client):
        await book_matches_sim(recorder, sim)
        sim.faults.bad_checksum("BTCUSDT")
        await wait_for(lambda: client.stats.checksum_failures >= 1, 15.0, "checksum failure")
        await wait_for(lambda: client.stats.resynced >= 1, 15.0, "fresh snapshot")
        await book_matches_sim(recorder, sim, timeout=15.0)
        assert client.stats.gaps == 0


async def test_dropped_socket_rebuilds_book(sim) -> None:
    async with running_node(sim, everything=False) as (_node, recorder, client):
        await book_matches_sim(recorder, sim)
        sim.faults.drop_ws("public")
        await wait_for(lambda: client.stats.reconnects >= 1, 15.0, "reconnect")
        await book_matches_sim(recorder, sim, timeout=15.0)
        assert client.stats.resynced >= 1  # the book restarted from a fresh snapshot
        assert client.book_synced(BTC)


async def test_quotes_from_ticker_when_configured(sim) -> None:
    async with running_node(sim, quote_channel="ticker") as (_node, recorder, client):
        await wait_for(lambda: len(recorder.received[QuoteTick]) >= 2, 15.0, "ticker quotes")
        channels = {dict(key)["channel"] for key in client.ws.subscriptions}
        assert "books1" not in channels and "ticker" in channels
        quote = recorder.received[QuoteTick][-1]
        assert quote.bid_price < quote.ask_price


async def test_stopped_pong_keeps_book_correct(sim) -> None:
    async with running_node(sim, everything=False) as (_node, recorder, client):
        await book_matches_sim(recorder, sim)
        sim.faults.withhold_pongs(2.5)
        await asyncio.sleep(2.6)
        await book_matches_sim(recorder, sim, timeout=15.0)
        assert client.book_synced(BTC)


async def test_malformed_frames_skipped_and_counted(sim) -> None:
    async with running_node(sim, everything=False) as (_node, recorder, client):
        await book_matches_sim(recorder, sim)
        before = client.stats.malformed
        bad_frames = [
            b'{"action":"update","arg":{"instType":"USDT-FUTURES","channel":"books","in',
            b'{"action":"update","arg":{"instType":"USDT-FUTURES","channel":"books",'
            b'"instId":"BTCUSDT"},"data":[{"asks":null,"bids":[],"ts":"1"}],"ts":1}',
            b'{"action":"update","arg":{"instType":"USDT-FUTURES","channel":"books",'
            b'"instId":"BTCUSDT"},"data":[{"asks":[["1"]],"bids":[],"ts":"1"}],"ts":1}',
            b'{"action":"update","arg":{"instType":"USDT-FUTURES","channel":"books",'
            b'"instId":"BTCUSDT"},"data":[],"ts":1}',
            b'{"action":"snapshot","arg":{"instType":"USDT-FUTURES","channel":"ticker",'
            b'"instId":"BTCUSDT"},"data":"oops","ts":1}',
            b"[1,2,3]",
            b"not json at all",
        ]
        for raw in bad_frames:
            client.router.handle_frame(raw)
        client.router.handle_frame(
            b'{"action":"update","arg":{"instType":"USDT-FUTURES","channel":"books50",'
            b'"instId":"BTCUSDT"},"data":[{}],"ts":1}',
        )
        assert client.stats.malformed - before == len(bad_frames)
        assert client.stats.unknown_channel == 1
        await book_matches_sim(recorder, sim)


async def test_requests_bars_trades_funding_snapshot(sim_factory) -> None:
    sim = await sim_factory(funding_interval_secs=0.3)
    await asyncio.sleep(1.0)  # a few funding settlements and trades
    async with running_node(sim, everything=False) as (node, recorder, _client):
        now = node.kernel.clock.utc_now()
        responses: dict[str, object] = {}
        recorder.request_trade_ticks(
            BTC,
            start=now - timedelta(minutes=5),
            callback=lambda rid: responses.setdefault("trades", rid),
        )
        recorder.request_bars(
            BAR_1M,
            start=now - timedelta(minutes=30),
            callback=lambda rid: responses.setdefault("bars", rid),
        )
        recorder.request_funding_rates(
            BTC,
            start=now - timedelta(minutes=5),
            callback=lambda rid: responses.setdefault("funding", rid),
        )
        recorder.request_order_book_snapshot(
            BTC,
            limit=50,
            callback=lambda rid: responses.setdefault("book", rid),
        )
        recorder.request_bars(
            BarType.from_str("BTCUSDT-PERP.BITGET-1-MINUTE-MARK-EXTERNAL"),
            start=now - timedelta(minutes=30),
            callback=lambda rid: responses.setdefault("mark_bars", rid),
        )
        recorder.request_instrument(BTC, callback=lambda rid: responses.setdefault("inst", rid))
        recorder.request_instruments(
            BTC.venue,
            callback=lambda rid: responses.setdefault("insts", rid),
        )
        await wait_for(lambda: len(responses) == 7, 10.0, "request responses")
        await asyncio.sleep(0.1)

        trades = recorder.historical[TradeTick]
        truth = {t.trade_id: t for t in sim.exchange.recent_trades("BTCUSDT", 10_000)}
        assert trades, "no trade ticks returned"
        assert len({t.trade_id.value for t in trades}) == len(trades)
        for tick in trades:
            wire = truth[tick.trade_id.value]
            assert Decimal(str(tick.price)) == Decimal(wire.price)
            assert Decimal(str(tick.size)) == Decimal(wire.size)
        assert [t.ts_event for t in trades] == sorted(t.ts_event for t in trades)

        funding = recorder.historical[FundingRateUpdate]
        history = dict((t, r) for r, t in sim.exchange.funding_history("BTCUSDT"))
        assert funding, "no funding history returned"
        interval = sim.exchange.funding("BTCUSDT").interval_hours * 60
        for update in funding:  # as bitget-nt download writes them: stamped 1 ms before T
            funding_ms = update.next_funding_ns // 1_000_000
            assert Decimal(str(update.rate)) == Decimal(history[funding_ms])
            assert update.ts_event == update.ts_init == update.next_funding_ns - 1_000_000
            assert update.interval == interval

        snapshots = recorder.historical[OrderBookDeltas]
        assert snapshots and snapshots[0].is_snapshot
        assert snapshots[0].deltas[-1].flags & F_LAST

        bars = recorder.historical[Bar]
        assert bars and all(b.ts_event <= time.time_ns() for b in bars)
        for bar_type in {b.bar_type for b in bars}:  # last and mark bars, each in order
            ts = [b.ts_event for b in bars if b.bar_type == bar_type]
            assert ts == sorted(set(ts))


async def test_status_change_and_unsubscribe_all(sim) -> None:
    async with running_node(sim) as (_node, recorder, client):
        await wait_for(lambda: recorder.received[InstrumentStatus], 15.0, "initial status")
        spec = sim.exchange.contract("BTCUSDT")
        sim.exchange.contracts["BTCUSDT"] = dataclasses.replace(spec, symbol_status="maintain")
        await client.status.poll()
        await wait_for(lambda: len(recorder.received[InstrumentStatus]) >= 2, 15.0, "new status")
        assert recorder.received[InstrumentStatus][-1].action == MarketStatusAction.HALT
        assert client.ws.subscriptions  # books, books15, books1, trade, ticker, candle1m

        recorder.unsubscribe_order_book_deltas(BTC)
        recorder.unsubscribe_order_book_depth(BTC)
        recorder.unsubscribe_quote_ticks(BTC)
        recorder.unsubscribe_trade_ticks(BTC)
        recorder.unsubscribe_bars(BAR_1M)
        recorder.unsubscribe_mark_prices(BTC)
        recorder.unsubscribe_index_prices(BTC)
        # funding still wants the shared ticker channel
        await wait_for(
            lambda: {dict(key)["channel"] for key in client.ws.subscriptions} == {"ticker"},
            15.0,
            "only the ticker channel left",
        )
        recorder.unsubscribe_funding_rates(BTC)
        recorder.unsubscribe_instrument_status(BTC)
        await wait_for(lambda: not client.ws.subscriptions, 15.0, "no subscriptions left")
