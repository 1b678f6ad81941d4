"""
BitgetDataClient on a Unified Trading Account: the v3 public streams and v3 instruments, with the
same Nautilus output and integrity rules as the classic client (the classic checks live in
tests/integration/test_data_client.py, whose node harness is reused here), plus the account-type
selection on connect.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from datetime import timedelta
from decimal import Decimal

import pytest
from nautilus_trader.cache.cache import Cache
from nautilus_trader.common.component import LiveClock
from nautilus_trader.common.component import MessageBus
from nautilus_trader.config import InstrumentProviderConfig
from nautilus_trader.core.uuid import UUID4
from nautilus_trader.data.messages import SubscribeFundingRates
from nautilus_trader.data.messages import SubscribeMarkPrices
from nautilus_trader.data.messages import SubscribeOrderBook
from nautilus_trader.data.messages import SubscribeQuoteTicks
from nautilus_trader.data.messages import UnsubscribeFundingRates
from nautilus_trader.data.messages import UnsubscribeMarkPrices
from nautilus_trader.data.messages import UnsubscribeQuoteTicks
from nautilus_trader.model.book import OrderBook
from nautilus_trader.model.data import Bar
from nautilus_trader.model.data import BarType
from nautilus_trader.model.data import FundingRateUpdate
from nautilus_trader.model.data import IndexPriceUpdate
from nautilus_trader.model.data import InstrumentStatus
from nautilus_trader.model.data import MarkPriceUpdate
from nautilus_trader.model.data import OrderBookDelta
from nautilus_trader.model.data import OrderBookDeltas
from nautilus_trader.model.data import OrderBookDepth10
from nautilus_trader.model.data import QuoteTick
from nautilus_trader.model.data import TradeTick
from nautilus_trader.model.enums import BookType
from nautilus_trader.model.enums import MarketStatusAction
from nautilus_trader.model.identifiers import TraderId
from nautilus_trader.model.instruments import Instrument

from nautilus_bitget.api.detect import BitgetAccountModeError
from nautilus_bitget.api.detect import clear_account_mode_cache
from nautilus_bitget.api.family import build_api
from nautilus_bitget.config import BitgetDataClientConfig
from nautilus_bitget.constants import ENV_API_KEY
from nautilus_bitget.constants import ENV_API_PASSPHRASE
from nautilus_bitget.constants import ENV_API_SECRET
from nautilus_bitget.constants import SIM_API_KEY
from nautilus_bitget.constants import SIM_API_PASSPHRASE
from nautilus_bitget.constants import SIM_API_SECRET
from nautilus_bitget.constants import BitgetProductType
from nautilus_bitget.data import CHECKSUM_GIVE_UP
from nautilus_bitget.data import BitgetDataClient
from nautilus_bitget.factories import BitgetLiveDataClientFactory
from nautilus_bitget.http.client import BitgetHttpClient
from nautilus_bitget.providers import BitgetInstrumentProvider
from tests.integration.test_data_client import BAR_1M
from tests.integration.test_data_client import BTC
from tests.integration.test_data_client import book_levels
from tests.integration.test_data_client import book_matches_sim
from tests.integration.test_data_client import running_node
from tests.integration.test_data_client import sim_levels
from tests.integration.test_data_client import wait_for


pytestmark = pytest.mark.timeout(90)

CREDS = {"api_key": SIM_API_KEY, "api_secret": SIM_API_SECRET, "api_passphrase": SIM_API_PASSPHRASE}
ALL_TYPES = (
    BitgetProductType.USDT_FUTURES,
    BitgetProductType.USDC_FUTURES,
    BitgetProductType.COIN_FUTURES,
)


@pytest.fixture(autouse=True)
def _no_env_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (ENV_API_KEY, ENV_API_SECRET, ENV_API_PASSPHRASE):
        monkeypatch.delenv(name, raising=False)
    clear_account_mode_cache()


def _config(sim, **overrides) -> BitgetDataClientConfig:
    fields = {
        "base_url_http": sim.http_url,
        "base_url_ws_public": sim.ws_public_url,
        "instrument_provider": InstrumentProviderConfig(load_ids=frozenset({BTC})),
        "update_instruments_interval_mins": None,
    }
    fields.update(overrides)
    return BitgetDataClientConfig(**fields)


class DirectClient:
    """A data client outside a node: what it publishes lands in ``received`` (no DataEngine)."""

    def __init__(self, sim, **overrides) -> None:
        clock = LiveClock()
        msgbus = MessageBus(TraderId("TESTER-001"), clock)
        self.received: list = []
        msgbus.register(endpoint="DataEngine.process", handler=self.received.append)
        self.clock = clock
        self.client: BitgetDataClient = BitgetLiveDataClientFactory.create(
            asyncio.get_running_loop(),
            "BITGET",
            _config(sim, **overrides),
            msgbus,
            Cache(),
            clock,
        )
        self.book = OrderBook(BTC, BookType.L2_MBP)
        self._applied = 0

    def rebuild(self) -> OrderBook:
        """Apply the deltas published since the last call to ``book`` and return it."""
        deltas = self.deltas()
        for item in deltas[self._applied :]:
            self.book.apply_deltas(item)
        self._applied = len(deltas)
        return self.book

    async def subscribe_book(self) -> None:
        command = SubscribeOrderBook(
            BTC,
            OrderBookDelta,
            BookType.L2_MBP,
            None,
            BTC.venue,
            UUID4(),
            self.clock.timestamp_ns(),
        )
        await self.client._subscribe_order_book_deltas(command)

    def deltas(self) -> list[OrderBookDeltas]:
        return [d for d in self.received if isinstance(d, OrderBookDeltas)]

    def instrument(self) -> Instrument:
        return next(d for d in self.received if isinstance(d, Instrument))

    def of(self, kind: type) -> list:
        return [d for d in self.received if isinstance(d, kind)]


@pytest.fixture
async def direct() -> AsyncIterator:
    made: list[DirectClient] = []

    def make(sim, **overrides) -> DirectClient:
        made.append(DirectClient(sim, **overrides))
        return made[-1]

    yield make
    for entry in made:
        await entry.client._disconnect()


def _spec(instrument: Instrument) -> dict:
    """Every field but timestamps; from ``info`` (venue extras) the keys both APIs define alike."""
    data = type(instrument).to_dict(instrument)
    data.pop("ts_event")
    data.pop("ts_init")
    info = data.pop("info")
    data["info"] = {k: info.get(k) for k in ("productType", "symbolStatus", "fundInterval")}
    return data


def _wire(deltas: OrderBookDeltas) -> list[tuple]:
    return [
        (
            d.action,
            d.order.side if d.order else None,
            str(d.order.price) if d.order else None,
            str(d.order.size) if d.order else None,
            d.flags,
            d.sequence,
            d.ts_event,
        )
        for d in deltas.deltas
    ]


# -- the data checks on a UTA account ------------------------------------------------------------


async def test_uta_every_type_delivered_and_book_equals_truth(sim_factory) -> None:
    sim = await sim_factory(account_mode="uta")
    async with running_node(sim, **CREDS) as (_node, recorder, client):
        assert client.account_type == "uta"
        assert client.market_data_api == "v3"
        assert client.ws.clients[0].url.endswith("/v3/ws/public")
        assert all("topic" in dict(key) for key in client.ws.subscriptions)
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
        await wait_for(lambda: all(recorder.received[t] for t in wanted), 10.0, "every type")
        await book_matches_sim(recorder, sim)
        assert not recorder.flag_errors

        funding = recorder.received[FundingRateUpdate][-1]
        assert funding.interval == sim.exchange.funding("BTCUSDT").interval_hours * 60
        assert funding.next_funding_ns is not None
        assert recorder.received[InstrumentStatus][0].action == MarketStatusAction.TRADING
        quote = recorder.received[QuoteTick][-1]
        assert quote.bid_price < quote.ask_price
        ids = [t.trade_id.value for t in recorder.received[TradeTick]]
        assert len(ids) == len(set(ids)), "duplicate trade ids"
        assert set(ids) <= {t.trade_id for t in sim.exchange.recent_trades("BTCUSDT", 1000)}
        depth = recorder.received[OrderBookDepth10][-1]  # books50, best 10 used
        bids, asks = sim.exchange.book("BTCUSDT", 10)
        assert len([o for o in depth.bids if o.size.as_double() > 0]) == min(10, len(bids))
        assert len([o for o in depth.asks if o.size.as_double() > 0]) == min(10, len(asks))
        assert depth.bids[0].price < depth.asks[0].price
        assert client.stats.malformed == 0
        assert client.stats.gaps == 0


async def test_uta_closed_candles_become_bars(sim_factory) -> None:
    sim = await sim_factory(account_mode="uta")
    wall = sim.exchange._clock  # sim-internal hook: a minute boundary ~1.5 s after subscribing
    offset = (60_000 - wall() % 60_000) - 2_500
    sim.exchange._clock = lambda: wall() + offset
    async with running_node(sim, **CREDS) as (_node, recorder, client):
        assert client.market_data_api == "v3"
        await wait_for(lambda: recorder.received[Bar], 8.0, "a closed 1-minute bar")
        bar = recorder.received[Bar][0]
        assert bar.bar_type == BAR_1M
        start_ms = bar.ts_event // 1_000_000 - 60_000
        rows = sim.exchange.candles("BTCUSDT", "1m", start_ms=start_ms, end_ms=start_ms)
        row = next(r for r in rows if int(r[0]) == start_ms)
        got = (bar.open, bar.high, bar.low, bar.close, bar.volume)
        assert [Decimal(str(v)) for v in got] == [Decimal(v) for v in row[1:6]]
        assert len(recorder.received[Bar]) == 1


async def test_uta_seq_gap_resyncs_with_string_seqs(sim_factory) -> None:
    sim = await sim_factory(account_mode="uta")
    sim.v3.seq_as_string = True  # 4.5: seq/pseq may arrive as strings above 2**53
    async with running_node(sim, everything=False, **CREDS) as (_node, recorder, client):
        await book_matches_sim(recorder, sim)
        sim.faults.skip_book_seq("BTCUSDT")
        await wait_for(lambda: client.stats.gaps >= 1, 15.0, "gap detected")
        await wait_for(lambda: client.stats.resynced >= 1, 15.0, "fresh snapshot")
        await book_matches_sim(recorder, sim, timeout=15.0)
        assert client.stats.malformed == 0


async def test_uta_bad_checksum_resyncs(sim_factory) -> None:
    sim = await sim_factory(account_mode="uta", checksum=True)
    async with running_node(sim, everything=False, **CREDS) as (_node, recorder, client):
        await book_matches_sim(recorder, sim)
        assert client.books.integrity("BTCUSDT").tracking_book  # v3 updates carry a checksum
        sim.faults.bad_checksum("BTCUSDT")
        await wait_for(lambda: client.stats.checksum_failures >= 1, 15.0, "checksum failure")
        await wait_for(lambda: client.stats.resynced >= 1, 15.0, "fresh snapshot")
        await book_matches_sim(recorder, sim, timeout=15.0)
        assert client.stats.gaps == 0


async def test_uta_checksums_that_never_match_stop_being_verified(sim_factory) -> None:
    # 4.5: the v3 algorithm is unverified; if it is not v2's, every check fails: after
    # CHECKSUM_GIVE_UP failures in a row the client stops verifying instead of resyncing forever
    sim = await sim_factory(account_mode="uta", checksum=True)
    sim.v3.public._mirror_checksum = lambda symbol: 123456789  # sim hook: "another algorithm"
    async with running_node(sim, everything=False, **CREDS) as (_node, recorder, client):
        await wait_for(lambda: not client.books.verify_checksum, 15.0, "verification given up")
        assert client.stats.checksum_failures == CHECKSUM_GIVE_UP
        await wait_for(lambda: client.book_synced(BTC), 15.0, "book in sync")
        await book_matches_sim(recorder, sim, timeout=15.0)
        await asyncio.sleep(0.3)
        assert client.stats.checksum_failures == CHECKSUM_GIVE_UP
        assert not client.books.integrity("BTCUSDT").tracking_book


# -- classic and UTA give identical Nautilus objects ---------------------------------------------


async def test_classic_and_uta_streams_give_identical_books(sim_factory, direct) -> None:
    sim = await sim_factory(account_mode="uta", seed=11)
    classic = direct(sim)  # no credentials: classic v2 public streams
    uta = direct(sim, **CREDS)  # UTA key detected: v3 streams
    for entry in (classic, uta):
        await entry.client._connect()
        await entry.subscribe_book()
    assert classic.client.market_data_api == "v2"
    assert uta.client.market_data_api == "v3"
    assert _spec(classic.instrument()) == _spec(uta.instrument())

    def rebuilt() -> bool:
        books = [book_levels(entry.rebuild()) for entry in (classic, uta)]
        return books[0] == books[1] == sim_levels(sim)

    await asyncio.sleep(1.0)
    await wait_for(rebuilt, 15.0, "classic book == UTA book == simulator book")

    # every update both saw is the same Nautilus object (ts_init aside)
    updates = [{d.deltas[0].sequence: _wire(d) for d in e.deltas() if not d.is_snapshot}
               for e in (classic, uta)]  # fmt: skip
    common = updates[0].keys() & updates[1].keys()
    assert len(common) >= 5
    assert all(updates[0][seq] == updates[1][seq] for seq in common)


async def test_instruments_identical_from_v2_and_v3(sim_factory) -> None:
    sim = await sim_factory(account_mode="uta")
    http = BitgetHttpClient(sim.http_url, max_retries=0)
    try:
        specs = []
        for account_type in ("classic", "uta"):
            provider = BitgetInstrumentProvider(http, ALL_TYPES)
            provider.use_api(build_api(account_type, http))
            await provider.load_all_async()
            specs.append({str(i.id): _spec(i) for i in provider.list_all()})
            await provider.refresh_funding_intervals()
        assert specs[0] == specs[1]
        assert {"BTCUSDT-PERP.BITGET", "BTCPERP-PERP.BITGET", "BTCUSD-PERP.BITGET"} <= set(specs[1])
    finally:
        await http.close()


# -- account type on connect ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sim_mode", "configured", "credentials", "expected", "api"),
    [
        ("uta", "auto", True, "uta", "v3"),
        ("classic", "auto", True, "classic", "v2"),
        ("classic", "classic", True, "classic", "v2"),
        ("uta", "auto", False, "classic", "v2"),  # public data, no key: classic streams
        ("classic", "uta", False, "uta", "v3"),  # public data, forced v3
    ],
)
async def test_account_mode_picks_the_api(
    sim_factory,
    direct,
    sim_mode,
    configured,
    credentials,
    expected,
    api,
) -> None:
    sim = await sim_factory(account_mode=sim_mode)
    entry = direct(sim, account_mode=configured, **(CREDS if credentials else {}))
    await entry.client._connect()
    assert entry.client.account_type == expected
    assert entry.client.market_data_api == api
    assert entry.client.instrument_provider.account_type == expected
    assert entry.client.instrument_provider.find(BTC) is not None
    await entry.subscribe_book()
    await wait_for(lambda: entry.deltas(), 15.0, "a book snapshot")


async def test_uta_account_forced_classic_fails_at_start(sim_factory, direct) -> None:
    sim = await sim_factory(account_mode="uta")
    entry = direct(sim, account_mode="classic", **CREDS)
    with pytest.raises(BitgetAccountModeError, match="set account_mode='uta' or 'auto'"):
        await entry.client._connect()
    assert entry.client.account_type is None
    assert not entry.client.ws.is_connected


async def test_classic_account_forced_uta_fails_at_start(sim_factory, direct) -> None:
    sim = await sim_factory(account_mode="classic")
    entry = direct(sim, account_mode="uta", **CREDS)
    with pytest.raises(BitgetAccountModeError, match="set account_mode='classic' or 'auto'"):
        await entry.client._connect()


# -- requests on a UTA account -------------------------------------------------------------------


async def test_uta_requests_come_from_v3(sim_factory) -> None:
    # Every request but historical trades has a v3 endpoint: with the v2 market endpoints
    # answering nothing, they still return the simulator's truth
    sim = await sim_factory(account_mode="uta", funding_interval_secs=0.3)
    await asyncio.sleep(1.0)  # a few funding settlements and trades
    async with running_node(sim, everything=False, **CREDS) as (node, recorder, client):
        assert client.market_data_api == "v3"
        now = node.kernel.clock.utc_now()
        responses: dict[str, object] = {}
        # v3 has no historical public trades: the v2 public endpoint serves them (any key)
        recorder.request_trade_ticks(
            BTC,
            start=now - timedelta(minutes=5),
            callback=lambda rid: responses.setdefault("trades", rid),
        )
        await wait_for(lambda: "trades" in responses, 10.0, "trade ticks")
        trades = recorder.historical[TradeTick]
        truth = {t.trade_id: t for t in sim.exchange.recent_trades("BTCUSDT", 10_000)}
        assert trades and all(
            Decimal(str(t.price)) == Decimal(truth[t.trade_id.value].price) for t in trades
        )

        sim.faults.http_errors(10_000, status=400, path="/api/v2/mix/market/")
        recorder.request_bars(
            BAR_1M,
            start=now - timedelta(minutes=30),
            callback=lambda rid: responses.setdefault("bars", rid),
        )
        recorder.request_bars(
            BarType.from_str("BTCUSDT-PERP.BITGET-1-MINUTE-MARK-EXTERNAL"),
            start=now - timedelta(minutes=30),
            callback=lambda rid: responses.setdefault("mark_bars", rid),
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
        await wait_for(lambda: len(responses) == 5, 10.0, "v3 request responses")
        await asyncio.sleep(0.1)

        funding = recorder.historical[FundingRateUpdate]
        history = {t: r for r, t in sim.exchange.funding_history("BTCUSDT")}
        assert funding, "no funding history returned"
        interval = sim.exchange.funding("BTCUSDT").interval_hours * 60
        for update in funding:  # as bitget-nt download writes them: stamped 1 ms before T
            funding_ms = update.next_funding_ns // 1_000_000
            assert Decimal(str(update.rate)) == Decimal(history[funding_ms])
            assert update.ts_event == update.ts_init == update.next_funding_ns - 1_000_000
            assert update.interval == interval
        snapshot = recorder.historical[OrderBookDeltas][0]
        assert snapshot.is_snapshot and len(snapshot.deltas) <= 2 * 50 + 1
        bars = recorder.historical[Bar]
        for bar_type in {b.bar_type for b in bars}:  # last and mark bars, each in order
            ts = [b.ts_event for b in bars if b.bar_type == bar_type]
            assert ts == sorted(set(ts))
        assert bars and all(b.ts_event <= time.time_ns() for b in bars)
        await client.instrument_provider.refresh_funding_intervals()  # v3 current-fund-rate
        await client.status.poll()  # v3 instruments
        assert client.stats.malformed == 0


async def test_subscriptions_follow_one_reference_count(sim_factory, direct) -> None:
    sim = await sim_factory()
    entry = direct(sim)
    client = entry.client
    await client._connect()

    def command(kind, **kw):
        return kind(BTC, None, BTC.venue, UUID4(), entry.clock.timestamp_ns(), **kw)

    def channels() -> set[str]:
        return {dict(key)["channel"] for key in client.ws.subscriptions}

    await client._subscribe_mark_prices(command(SubscribeMarkPrices))
    await client._subscribe_funding_rates(command(SubscribeFundingRates))
    await client._subscribe_quote_ticks(command(SubscribeQuoteTicks))
    await client._subscribe_quote_ticks(command(SubscribeQuoteTicks))  # a second reference
    assert channels() == {"ticker", "books1"}
    await client._unsubscribe_quote_ticks(command(UnsubscribeQuoteTicks))
    assert channels() == {"ticker", "books1"}  # one quote reference left
    await client._unsubscribe_quote_ticks(command(UnsubscribeQuoteTicks))
    await client._unsubscribe_mark_prices(command(UnsubscribeMarkPrices))
    assert channels() == {"ticker"}  # funding still reads the shared ticker
    await wait_for(lambda: entry.of(FundingRateUpdate), 15.0, "funding from the ticker")
    marks = len(entry.of(MarkPriceUpdate))
    await asyncio.sleep(0.4)
    assert len(entry.of(MarkPriceUpdate)) == marks  # mark no longer parsed from it

    # a subscription the count does not ask for is dropped when the socket comes back
    stray = client.subscriptions.arg("trade", "BTCUSDT")
    await client.ws.subscribe([stray])
    sim.faults.drop_ws("public")
    await wait_for(lambda: client.stats.reconnects >= 1, 15.0, "reconnect")
    await wait_for(lambda: channels() == {"ticker"}, 15.0, "socket == reference count")
    await client._unsubscribe_funding_rates(command(UnsubscribeFundingRates))
    assert not client.ws.subscriptions
