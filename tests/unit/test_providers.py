"""
BitgetInstrumentProvider and the typed endpoint groups against a tiny local aiohttp server.

The server serves ``contracts`` (doc-example rows with edits) and ``current-fund-rate`` and records
every request, so the endpoint groups' request shapes (path, query, JSON body) are checked too.
"""

from __future__ import annotations

import uuid
from typing import Any

import msgspec
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from nautilus_trader.common.component import TestClock
from nautilus_trader.common.factories import OrderFactory
from nautilus_trader.config import InstrumentProviderConfig
from nautilus_trader.model.enums import OrderSide
from nautilus_trader.model.enums import TriggerType
from nautilus_trader.model.identifiers import ClientOrderId
from nautilus_trader.model.identifiers import InstrumentId
from nautilus_trader.model.identifiers import StrategyId
from nautilus_trader.model.identifiers import TraderId
from nautilus_trader.model.objects import Price
from nautilus_trader.model.objects import Quantity

from nautilus_bitget.api.trading import Route
from nautilus_bitget.api.trading_v2 import BitgetV2Trading
from nautilus_bitget.common.credentials import BitgetCredentials
from nautilus_bitget.constants import BitgetProductType
from nautilus_bitget.http.account import BitgetAccountHttpAPI
from nautilus_bitget.http.client import BitgetHttpClient
from nautilus_bitget.http.market import BitgetMarketHttpAPI
from nautilus_bitget.http.trade import BitgetTradeHttpAPI
from nautilus_bitget.providers import BitgetInstrumentProvider
from tests.samples import SAMPLES


BASE = msgspec.json.decode((SAMPLES / "doc_rest_contracts.json").read_bytes())["data"][0]


def row(symbol: str, **changes: Any) -> dict[str, Any]:
    return {**BASE, "symbol": symbol, **changes}


CONTRACTS: dict[str, list[dict[str, Any]]] = {
    "USDT-FUTURES": [
        row("BTCUSDT"),
        row("ETHUSDT", baseCoin="ETH", pricePlace="2", fundInterval="4"),
        row("LIMUSDT", baseCoin="LIM", symbolStatus="limit_open"),
        row("MNTUSDT", baseCoin="MNT", symbolStatus="maintain"),
        row("OFFUSDT", baseCoin="OFF", symbolStatus="off"),
        row("BTCUSDTH26", symbolType="delivery", deliveryPeriod="this_quarter"),
    ],
    "COIN-FUTURES": [
        row("BTCUSD", quoteCoin="USD", supportMarginCoins=["BTC", "ETH"]),
        row("BTCUSDU26", quoteCoin="USD", symbolType="delivery"),
    ],
    "USDC-FUTURES": [
        row("BTCPERP", quoteCoin="USDC", supportMarginCoins=["USDC"]),
    ],
}


def envelope(data: Any, code: str = "00000", msg: str = "success") -> dict[str, Any]:
    return {"code": code, "msg": msg, "requestTime": 1700000000000, "data": data}


class FakeBitget:
    """A 20-line Bitget: contracts, funding rates and a recorder for every other request."""

    def __init__(self) -> None:
        self.contracts = {k: list(v) for k, v in CONTRACTS.items()}
        self.seen: list[tuple[str, str, dict[str, str], Any]] = []
        self.replies: dict[str, Any] = {}
        self.server: TestServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return str(self.server.make_url("")).rstrip("/")

    def calls(self, path: str) -> list[tuple[str, str, dict[str, str], Any]]:
        return [s for s in self.seen if s[1] == path]

    async def handle(self, request: web.Request) -> web.Response:
        body = msgspec.json.decode(await request.read()) if request.can_read_body else None
        query = dict(request.query)
        self.seen.append((request.method, request.path, query, body))
        if request.path.endswith("/market/contracts"):
            rows = self.contracts.get(query.get("productType", ""), [])
            if "symbol" in query:
                rows = [r for r in rows if r["symbol"] == query["symbol"]]
                if not rows:
                    msg = f"Parameter {query['symbol']} does not exist"
                    return web.json_response(envelope(None, "40034", msg), status=400)
            return web.json_response(envelope(rows))
        if request.path.endswith("/market/current-fund-rate"):
            rows = [
                {"symbol": r["symbol"], "fundingRate": "0.0001", "fundingRateInterval": "1"}
                for r in self.contracts.get(query.get("productType", ""), [])
            ]
            return web.json_response(envelope(rows))
        return web.json_response(envelope(self.replies.get(request.path)))


@pytest.fixture
async def fake() -> Any:
    server = FakeBitget()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", server.handle)
    server.server = TestServer(app)
    await server.server.start_server()
    yield server
    await server.server.close()


@pytest.fixture
async def http(fake: FakeBitget) -> Any:
    credentials = BitgetCredentials(f"key-{uuid.uuid4().hex[:12]}", "secret", "passphrase")
    client = BitgetHttpClient(fake.url, credentials, max_retries=0)
    yield client
    await client.close()


class LogRecorder:
    def __init__(self) -> None:
        self.lines: list[tuple[str, str]] = []

    def info(self, msg: str) -> None:
        self.lines.append(("info", msg))

    def warning(self, msg: str) -> None:
        self.lines.append(("warning", msg))

    def error(self, msg: str) -> None:
        self.lines.append(("error", msg))

    def debug(self, msg: str) -> None:
        self.lines.append(("debug", msg))


def provider_with_log(http: BitgetHttpClient, *types: BitgetProductType, **kw: Any) -> Any:
    provider = BitgetInstrumentProvider(http, product_types=types, **kw)
    log = LogRecorder()
    provider._log = log
    return provider, log


# -- provider --------------------------------------------------------------------------------


async def test_load_all_loads_tradable_perpetuals(fake: FakeBitget, http: BitgetHttpClient) -> None:
    provider, log = provider_with_log(
        http,
        BitgetProductType.USDT_FUTURES,
        BitgetProductType.COIN_FUTURES,
        BitgetProductType.USDC_FUTURES,
    )
    await provider.load_all_async()

    ids = sorted(str(i.id) for i in provider.list_all())
    assert ids == [
        "BTCPERP-PERP.BITGET",
        "BTCUSD-PERP.BITGET",
        "BTCUSDT-PERP.BITGET",
        "ETHUSDT-PERP.BITGET",
        "LIMUSDT-PERP.BITGET",
    ]
    assert provider.find(InstrumentId.from_str("BTCUSD-PERP.BITGET")).is_inverse
    assert provider.instrument_for_symbol("LIMUSDT").info["reduce_only"] is True
    assert provider.instrument_for_symbol("MNTUSDT") is None
    assert provider.product_type_for("BTCPERP-PERP.BITGET") is BitgetProductType.USDC_FUTURES
    assert provider.funding_interval_hours("ETHUSDT-PERP.BITGET") == 4
    assert provider.funding_interval_hours("BTCUSDT") == 8
    assert {"BTC", "ETH", "USDT", "USD", "USDC", "LIM"} <= set(provider.currencies())
    # one request per product type, productType uppercase
    assert [c[2] for c in fake.calls("/api/v2/mix/market/contracts")] == [
        {"productType": "USDT-FUTURES"},
        {"productType": "COIN-FUTURES"},
        {"productType": "USDC-FUTURES"},
    ]
    # exactly one summary line with the exclusion counts
    infos = [m for level, m in log.lines if level == "info"]
    assert len(infos) == 1
    line = infos[0]
    assert "USDT-FUTURES loaded 3" in line
    assert "delivery 1" in line and "status maintain 1" in line and "status off 1" in line
    assert "COIN-FUTURES loaded 1 (excluded: delivery 1)" in line
    assert "USDC-FUTURES loaded 1" in line
    assert provider.last_load_summary in line


async def test_load_ids_loads_only_requested(fake: FakeBitget, http: BitgetHttpClient) -> None:
    provider, log = provider_with_log(http, BitgetProductType.USDT_FUTURES)
    ids = [
        InstrumentId.from_str("ETHUSDT-PERP.BITGET"),
        InstrumentId.from_str("BTCUSD-PERP.BITGET"),
        InstrumentId.from_str("BTCPERP-PERP.BITGET"),
    ]
    await provider.load_ids_async(ids)

    assert sorted(str(i.id) for i in provider.list_all()) == sorted(str(i) for i in ids)
    # product type inferred from the symbol, one per-symbol request each
    queries = sorted(
        (c[2]["productType"], c[2]["symbol"]) for c in fake.calls("/api/v2/mix/market/contracts")
    )
    assert queries == [
        ("COIN-FUTURES", "BTCUSD"),
        ("USDC-FUTURES", "BTCPERP"),
        ("USDT-FUTURES", "ETHUSDT"),
    ]
    assert not [m for level, m in log.lines if level == "error"]


async def test_load_async_single_and_unknown(fake: FakeBitget, http: BitgetHttpClient) -> None:
    provider, log = provider_with_log(http, BitgetProductType.USDT_FUTURES)
    await provider.load_async(InstrumentId.from_str("BTCUSDT-PERP.BITGET"))
    assert [str(i.id) for i in provider.list_all()] == ["BTCUSDT-PERP.BITGET"]

    await provider.load_ids_async(
        [
            InstrumentId.from_str("NOPEUSDT-PERP.BITGET"),
            InstrumentId.from_str("MNTUSDT-PERP.BITGET"),
        ],
    )
    assert provider.count == 1
    errors = [m for level, m in log.lines if level == "error"]
    assert len(errors) == 1 and "NOPEUSDT" in errors[0] and "MNTUSDT" not in errors[0]
    assert "status maintain 1" in provider.last_load_summary


async def test_initialize_honours_config_load_ids(fake: FakeBitget, http: BitgetHttpClient) -> None:
    config = InstrumentProviderConfig(
        load_ids=frozenset({InstrumentId.from_str("BTCUSDT-PERP.BITGET")}),
    )
    provider = BitgetInstrumentProvider(
        BitgetMarketHttpAPI(http),
        product_types=("usdt-futures",),
        config=config,
    )
    await provider.initialize()
    assert [str(i.id) for i in provider.list_all()] == ["BTCUSDT-PERP.BITGET"]


async def test_refresh_reports_changes_and_drops_stopped(
    fake: FakeBitget,
    http: BitgetHttpClient,
) -> None:
    provider, _ = provider_with_log(http, BitgetProductType.USDT_FUTURES)
    await provider.load_all_async()
    assert await provider.refresh() == []  # nothing changed

    usdt = fake.contracts["USDT-FUTURES"]
    usdt[0] = row("BTCUSDT", priceEndStep="5")  # tick 0.1 -> 0.5
    usdt[1] = row("ETHUSDT", baseCoin="ETH", symbolStatus="maintain")
    usdt.append(row("SOLUSDT", baseCoin="SOL"))
    changed = await provider.refresh()
    assert sorted(str(i.id) for i in changed) == ["BTCUSDT-PERP.BITGET", "SOLUSDT-PERP.BITGET"]
    assert str(provider.instrument_for_symbol("BTCUSDT").price_increment) == "0.5"
    assert provider.instrument_for_symbol("ETHUSDT") is None
    assert provider.find(InstrumentId.from_str("ETHUSDT-PERP.BITGET")) is None


async def test_refresh_funding_intervals(fake: FakeBitget, http: BitgetHttpClient) -> None:
    provider, _ = provider_with_log(http, BitgetProductType.USDT_FUTURES)
    await provider.load_all_async(filters={"symbols": ["BTCUSDT"]})
    assert [str(i.id) for i in provider.list_all()] == ["BTCUSDT-PERP.BITGET"]
    intervals = await provider.refresh_funding_intervals()
    assert intervals == {"BTCUSDT": 1}
    assert provider.funding_interval_hours("BTCUSDT-PERP.BITGET") == 1


# -- endpoint groups: request shapes ---------------------------------------------------------


def _orders() -> OrderFactory:
    return OrderFactory(
        trader_id=TraderId("T-001"),
        strategy_id=StrategyId("S-001"),
        clock=TestClock(),
    )


async def test_trade_api_request_shapes(fake: FakeBitget, http: BitgetHttpClient) -> None:
    # The v2 family builds bodies from Nautilus orders (common.orders) and sends them through
    # the typed endpoint group: the wire bodies are checked here.
    api = BitgetV2Trading(http, hedge=False, margin_mode="crossed")
    route = Route("BTCUSDT", "USDT-FUTURES", "USDT")
    btc = InstrumentId.from_str("BTCUSDT-PERP.BITGET")
    orders = _orders()
    fake.replies["/api/v2/mix/order/place-order"] = {"orderId": "1", "clientOid": "c1"}
    limit = orders.limit(
        btc,
        OrderSide.SELL,
        Quantity.from_str("0.010"),
        Price.from_str("65000.1"),
        post_only=True,
        reduce_only=True,
        client_order_id=ClientOrderId("c1"),
    )
    is_plan, body = api.build_order(limit, route, close=False, client_oid="c1")
    assert not is_plan
    assert await api.place(body, trigger=False) == "1"
    method, _, _, body = fake.calls("/api/v2/mix/order/place-order")[0]
    assert method == "POST"
    assert body == {
        "symbol": "BTCUSDT",
        "productType": "USDT-FUTURES",
        "marginMode": "crossed",
        "marginCoin": "USDT",
        "size": "0.010",
        "price": "65000.1",
        "side": "sell",
        "orderType": "limit",
        "force": "post_only",
        "clientOid": "c1",
        "reduceOnly": "YES",
    }

    stop = orders.stop_market(
        btc,
        OrderSide.SELL,
        Quantity.from_str("0.010"),
        Price.from_str("60000"),
        trigger_type=TriggerType.MARK_PRICE,
        reduce_only=True,
        client_order_id=ClientOrderId("S-001"),
    )
    is_plan, body = api.build_order(stop, route, close=False, client_oid="S-001")
    assert is_plan
    await api.place(body, trigger=True)
    body = fake.calls("/api/v2/mix/order/place-plan-order")[0][3]
    assert body["reduceOnly"] == "yes" and body["planType"] == "normal_plan"
    assert body["productType"] == "USDT-FUTURES" and "price" not in body

    fake.replies["/api/v2/mix/order/batch-cancel-orders"] = {
        "successList": [{"orderId": "1", "clientOid": "c1"}],
        "failureList": [],
    }
    failures = await api.cancel_batch(route, [{"orderId": "1"}, {"clientOid": "c2"}], trigger=False)
    assert failures == []
    body = fake.calls("/api/v2/mix/order/batch-cancel-orders")[0][3]
    assert body["orderIdList"] == [{"orderId": "1"}, {"clientOid": "c2"}]

    market = orders.market(
        btc, OrderSide.BUY, Quantity.from_str("0.01"), client_order_id=ClientOrderId("b1")
    )
    await api.place_batch(route, [api.build_order(market, route, close=False, client_oid="b1")[1]])
    body = fake.calls("/api/v2/mix/order/batch-place-order")[0][3]
    assert body["orderList"] == [
        {
            "size": "0.01",
            "side": "buy",
            "orderType": "market",
            "clientOid": "b1",
            "reduceOnly": "NO",
        },
    ]

    # pending orders: signed GET, query params, entrustedList null -> []
    fake.replies["/api/v2/mix/order/orders-pending"] = {"entrustedList": None, "endId": None}
    pending = await BitgetTradeHttpAPI(http).orders_pending(
        BitgetProductType.USDT_FUTURES, symbol="BTCUSDT"
    )
    assert pending.orders == []
    assert fake.calls("/api/v2/mix/order/orders-pending")[0][2] == {
        "productType": "USDT-FUTURES",
        "symbol": "BTCUSDT",
    }

    with pytest.raises(ValueError, match="new_client_oid"):
        await api.modify(route, order_id="1", client_oid="c1", qty="1", price="2")


async def test_account_api_request_shapes(fake: FakeBitget, http: BitgetHttpClient) -> None:
    api = BitgetAccountHttpAPI(http)
    fake.replies["/api/v2/mix/account/set-leverage"] = {
        "symbol": "BTCUSDT",
        "marginCoin": "USDT",
        "longLeverage": "10",
        "shortLeverage": "10",
        "crossMarginLeverage": "10",
        "marginMode": "crossed",
    }
    res = await api.set_leverage("BTCUSDT", BitgetProductType.USDT_FUTURES, "usdt", leverage=10)
    assert res.crossMarginLeverage == "10"
    assert fake.calls("/api/v2/mix/account/set-leverage")[0][3] == {
        "symbol": "BTCUSDT",
        "productType": "USDT-FUTURES",
        "marginCoin": "USDT",
        "leverage": "10",
    }
    fake.replies["/api/v2/mix/account/set-position-mode"] = {"posMode": "hedge_mode"}
    assert (await api.set_position_mode("USDT-FUTURES", "hedge_mode")).posMode == "hedge_mode"
    with pytest.raises(ValueError, match="pos_mode"):
        await api.set_position_mode("USDT-FUTURES", "hedge")

    fake.replies["/api/v2/mix/account/bill"] = {"bills": [], "endId": None}
    bills = await api.bill(BitgetProductType.USDT_FUTURES, business_type="contract_settle_fee")
    assert bills.bills == []
    assert fake.calls("/api/v2/mix/account/bill")[0][2] == {
        "productType": "USDT-FUTURES",
        "businessType": "contract_settle_fee",
    }


async def test_market_api_candles_and_empty(fake: FakeBitget, http: BitgetHttpClient) -> None:
    api = BitgetMarketHttpAPI(http)
    fake.replies["/api/v2/mix/market/history-mark-candles"] = [
        ["1695835800000", "1", "2", "0.5", "1.5", "0", "0"],
    ]
    rows = await api.history_candles("BTCUSDT", "USDT-FUTURES", "1m", kline_type="mark")
    assert rows[0].close == "1.5" and rows[0].usdtVolume is None
    fake.replies["/api/v2/mix/market/candles"] = ""  # new listings (bitget-protocol.md 4.5)
    assert await api.candles("BTCUSDT", "USDT-FUTURES", "1m", kline_type="index") == []
    assert fake.calls("/api/v2/mix/market/candles")[0][2]["kLineType"] == "index"
    with pytest.raises(ValueError, match="kline_type"):
        await api.candles("BTCUSDT", "USDT-FUTURES", "1m", kline_type="last")
