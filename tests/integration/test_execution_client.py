"""
BitgetExecutionClient against the simulator, over real sockets, with real Nautilus engines.

Each scenario ends by comparing the Nautilus cache with the simulator's account (sim.exchange,
the truth): fills by tradeId, positions per side, open orders by clientOid.
"""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

import msgspec
import pytest
from nautilus_trader.cache.cache import Cache
from nautilus_trader.common.component import LiveClock
from nautilus_trader.common.component import MessageBus
from nautilus_trader.config import InstrumentProviderConfig
from nautilus_trader.config import LiveExecEngineConfig
from nautilus_trader.config import LiveRiskEngineConfig
from nautilus_trader.config import StrategyConfig
from nautilus_trader.core.uuid import UUID4
from nautilus_trader.execution.messages import GenerateFillReports
from nautilus_trader.execution.messages import GenerateOrderStatusReports
from nautilus_trader.execution.messages import GeneratePositionStatusReports
from nautilus_trader.live.execution_engine import LiveExecutionEngine
from nautilus_trader.live.risk_engine import LiveRiskEngine
from nautilus_trader.model.currencies import USDT
from nautilus_trader.model.enums import OmsType
from nautilus_trader.model.enums import OrderSide
from nautilus_trader.model.enums import OrderStatus
from nautilus_trader.model.enums import OrderType
from nautilus_trader.model.enums import PositionSide
from nautilus_trader.model.enums import TimeInForce
from nautilus_trader.model.enums import TriggerType
from nautilus_trader.model.events import OrderFilled
from nautilus_trader.model.identifiers import ClientOrderId
from nautilus_trader.model.identifiers import InstrumentId
from nautilus_trader.model.identifiers import PositionId
from nautilus_trader.model.identifiers import TraderId
from nautilus_trader.model.objects import Money
from nautilus_trader.model.objects import Price
from nautilus_trader.model.objects import Quantity
from nautilus_trader.portfolio.portfolio import Portfolio
from nautilus_trader.trading.strategy import Strategy

from nautilus_bitget.config import BitgetExecClientConfig
from nautilus_bitget.constants import SIM_API_KEY
from nautilus_bitget.constants import SIM_API_PASSPHRASE
from nautilus_bitget.constants import SIM_API_SECRET
from nautilus_bitget.execution import BitgetExecutionClient
from nautilus_bitget.http.client import BitgetHttpClient
from nautilus_bitget.providers import BitgetInstrumentProvider


pytestmark = pytest.mark.timeout(60)

BTC = InstrumentId.from_str("BTCUSDT-PERP.BITGET")
PRODUCT = "USDT-FUTURES"
Q = Quantity.from_str("0.010")


class Bare(Strategy):
    """A strategy driven by the test."""


class Stack:
    """Nautilus engines + BitgetExecutionClient wired to a simulator."""

    def __init__(self, sim: Any, position_mode: str | None, **config: Any) -> None:
        self.sim = sim
        self.loop = asyncio.get_running_loop()
        self.clock = LiveClock()
        trader_id = TraderId("TESTER-001")
        self.msgbus = MessageBus(trader_id, self.clock)
        self.cache = Cache()
        self.portfolio = Portfolio(self.msgbus, self.cache, self.clock)
        self.exec_engine = LiveExecutionEngine(
            self.loop,
            self.msgbus,
            self.cache,
            self.clock,
            LiveExecEngineConfig(reconciliation=True, inflight_check_interval_ms=0),
        )
        self.risk_engine = LiveRiskEngine(
            self.loop,
            self.portfolio,
            self.msgbus,
            self.cache,
            self.clock,
            LiveRiskEngineConfig(bypass=True),
        )
        cfg = BitgetExecClientConfig(
            api_key=SIM_API_KEY,
            api_secret=SIM_API_SECRET,
            api_passphrase=SIM_API_PASSPHRASE,
            base_url_http=sim.http_url,
            base_url_ws_public=sim.ws_public_url,
            base_url_ws_private=sim.ws_private_url,
            account_mode=config.pop("account_mode", "classic"),
            position_mode=position_mode,
            http_timeout_secs=config.pop("http_timeout_secs", 3.0),
            **config,
        )
        self.provider = BitgetInstrumentProvider(
            BitgetHttpClient(sim.http_url),
            product_types=cfg.product_types,
            config=InstrumentProviderConfig(load_all=True),
        )
        self.client = BitgetExecutionClient(
            self.loop,
            self.msgbus,
            self.cache,
            self.clock,
            self.provider,
            cfg,
        )
        self.client.unknown_outcome_delay_secs = 0.2
        self.client.watchdog_interval_secs = 1.0
        self.client.cancel_confirm_secs = 0.5
        self.exec_engine.register_client(self.client)
        self.strategy = Bare(StrategyConfig(strategy_id="S-001", external_order_claims=[BTC]))
        self.strategy.register(trader_id, self.portfolio, self.msgbus, self.cache, self.clock)
        self.exec_engine.register_oms_type(self.strategy)
        self.exec_engine.register_external_order_claims(self.strategy)

    async def start(self, reconcile: bool = False) -> None:
        self.exec_engine.start()
        self.risk_engine.start()
        await self.client._connect()
        self.client._set_connected(True)
        if reconcile:
            assert await self.exec_engine.reconcile_execution_state(timeout_secs=10.0)
        self.strategy.start()

    async def stop(self) -> None:
        self.strategy.stop()
        await self.client._disconnect()
        self.exec_engine.stop()
        self.risk_engine.stop()
        await asyncio.sleep(0)

    # -- helpers ---------------------------------------------------------------------------

    @property
    def instrument(self) -> Any:
        return self.cache.instrument(BTC)

    def mid(self) -> Decimal:
        ticker = self.sim.exchange.ticker("BTCUSDT")
        return (Decimal(ticker.bid_pr) + Decimal(ticker.ask_pr)) / 2

    def px(self, factor: str) -> Price:
        return self.instrument.make_price(self.mid() * Decimal(factor))

    def status(self, order: Any) -> OrderStatus:
        return self.cache.order(order.client_order_id).status

    async def until(self, predicate: Any, wait: float = 20.0, what: str = "") -> None:
        deadline = self.loop.time() + wait
        while not predicate():
            if self.loop.time() > deadline:
                raise AssertionError(f"timed out waiting for {what or predicate}")
            await asyncio.sleep(0.02)

    async def until_status(self, order: Any, *statuses: OrderStatus, wait: float = 20.0) -> None:
        await self.until(
            lambda: self.status(order) in statuses,
            wait,
            f"{order.client_order_id} in {statuses} (is {self.status(order)})",
        )

    def submit(self, order: Any, position_id: PositionId | None = None) -> Any:
        self.strategy.submit_order(order, position_id=position_id)
        return order

    def market(self, side: OrderSide, qty: Quantity = Q, **kw: Any) -> Any:
        return self.submit(self.strategy.order_factory.market(BTC, side, qty, **kw))

    def limit(self, side: OrderSide, price: Price, qty: Quantity = Q, **kw: Any) -> Any:
        return self.submit(self.strategy.order_factory.limit(BTC, side, qty, price, **kw))

    # -- truth comparison ------------------------------------------------------------------

    def nautilus_trade_ids(self) -> list[str]:
        ids = []
        for order in self.cache.orders():
            ids.extend(e.trade_id.value for e in order.events if isinstance(e, OrderFilled))
        return ids

    def sim_fills(self) -> list[Any]:
        return self.sim.exchange.fills(SIM_API_KEY, PRODUCT, limit=100_000)

    async def assert_matches_venue(self, wait: float = 15.0) -> None:
        # In-flight pushes land asynchronously: retry the whole comparison until it holds (a
        # generous deadline, no fixed sleep), then report the last difference.
        deadline = self.loop.time() + wait
        while True:
            try:
                self._check_matches_venue()
                return
            except AssertionError:
                if self.loop.time() > deadline:
                    raise
                await asyncio.sleep(0.05)

    def _check_matches_venue(self) -> None:
        ex = self.sim.exchange
        sim_trade_ids = sorted(f.trade_id for f in self.sim_fills())
        ours = self.nautilus_trade_ids()
        assert len(ours) == len(set(ours)), "a fill was applied twice"
        external = [o for o in self.cache.orders() if o.strategy_id.value == "EXTERNAL"]
        assert not external, f"our orders were misread as external: {external}"
        assert sorted(ours) == sim_trade_ids, "fills differ from the venue"
        # Positions
        venue = {
            (p.symbol, p.hold_side): p.total
            for p in ex.positions(SIM_API_KEY, PRODUCT)
            if p.total > 0
        }
        if self.client.is_hedge:
            for hold in ("long", "short"):
                pos = self.cache.position(PositionId(f"{BTC}-{hold.upper()}"))
                qty = pos.quantity.as_decimal() if pos is not None and pos.is_open else Decimal(0)
                assert qty == venue.get(("BTCUSDT", hold), Decimal(0)), hold
        else:
            net = Decimal(0)
            for pos in self.cache.positions_open(instrument_id=BTC):
                net += pos.signed_decimal_qty()
            expected = venue.get(("BTCUSDT", "long"), Decimal(0)) - venue.get(
                ("BTCUSDT", "short"),
                Decimal(0),
            )
            assert net == expected
        # Open orders (normal + plan + stand-alone TP/SL, not a bracket's presets) by clientOid
        venue_open = {o.client_oid for o in ex.pending_orders(SIM_API_KEY, PRODUCT)}
        venue_open |= {
            p.client_oid for p in ex.plan_orders(SIM_API_KEY, PRODUCT, plan_type="normal_plan")
        }
        venue_open |= {
            p.client_oid
            for p in ex.plan_orders(SIM_API_KEY, PRODUCT, plan_type="profit_loss")
            if not p.parent_order_id
        }
        ours_open = set()
        for order in self.cache.orders_open(instrument_id=BTC):
            if order.client_order_id in self.client.registry.bracket_parent:
                continue
            venue_coid = self.client.registry.venue_coid
            ours_open.add(venue_coid.get(order.client_order_id, order.client_order_id.value))
        assert ours_open == venue_open


PLACE_PATH = {"classic": "/api/v2/mix/order/place-order", "uta": "/api/v3/trade/place-order"}


async def started(
    sim_factory: Any, account_mode: str, position_mode: str = "one_way", **config: Any
) -> Stack:
    """Return a started ``Stack`` on a new simulator of ``account_mode`` (classic / uta)."""
    sim = await sim_factory(account_mode=account_mode)
    stack = Stack(sim, position_mode, account_mode=account_mode, **config)
    await stack.start()
    return stack


@pytest.fixture
async def one_way(sim):
    stack = Stack(sim, "one_way")
    await stack.start()
    yield stack
    await stack.stop()


@pytest.fixture
async def hedge(sim):
    stack = Stack(sim, "hedge")
    await stack.start()
    yield stack
    await stack.stop()


async def exercise_everything(s: Stack) -> None:
    hedge_mode = s.client.is_hedge
    # MARKET
    buy = s.market(OrderSide.BUY)
    await s.until_status(buy, OrderStatus.FILLED)
    # LIMIT GTC resting -> modify price and size -> cancel
    rest = s.limit(OrderSide.BUY, s.px("0.95"))
    await s.until_status(rest, OrderStatus.ACCEPTED)
    first_venue_id = s.cache.order(rest.client_order_id).venue_order_id
    s.strategy.modify_order(rest, quantity=Quantity.from_str("0.020"), price=s.px("0.94"))
    # v2 modify replaces the venue order (new id); v3 amends in place (same id, async confirm)
    same_id = s.client.api == "v3"
    await s.until(
        lambda: (
            (same_id or s.cache.order(rest.client_order_id).venue_order_id != first_venue_id)
            and s.cache.order(rest.client_order_id).quantity == Quantity.from_str("0.020")
            and s.status(rest) == OrderStatus.ACCEPTED
        ),
        what="modify",
    )
    assert s.cache.order(rest.client_order_id).quantity == Quantity.from_str("0.020")
    s.strategy.cancel_order(rest)
    await s.until_status(rest, OrderStatus.CANCELED)
    # IOC / FOK far from the market: killed -> CANCELED
    ioc = s.limit(OrderSide.BUY, s.px("0.95"), time_in_force=TimeInForce.IOC)
    fok = s.limit(OrderSide.BUY, s.px("0.95"), time_in_force=TimeInForce.FOK)
    await s.until_status(ioc, OrderStatus.CANCELED)
    await s.until_status(fok, OrderStatus.CANCELED)
    # IOC crossing: fills
    ioc_fill = s.limit(OrderSide.BUY, s.px("1.02"), time_in_force=TimeInForce.IOC)
    await s.until_status(ioc_fill, OrderStatus.FILLED)
    # Post-only crossing: rejected or canceled by the venue, never filled
    post = s.limit(OrderSide.BUY, s.px("1.02"), post_only=True)
    await s.until_status(post, OrderStatus.REJECTED)
    rejected = s.cache.order(post.client_order_id).last_event
    assert rejected.due_post_only
    post_ok = s.limit(OrderSide.SELL, s.px("1.05"), post_only=True)
    await s.until_status(post_ok, OrderStatus.ACCEPTED)
    # Reduce-only: closes part of the long (hedge: close long = side buy + tradeSide close)
    reduce = s.market(OrderSide.SELL, Quantity.from_str("0.005"), reduce_only=True)
    await s.until_status(reduce, OrderStatus.FILLED)
    # Plan orders far from the market
    f = s.strategy.order_factory
    plans = [
        s.submit(
            f.stop_market(BTC, OrderSide.SELL, Q, s.px("0.80"), trigger_type=TriggerType.MARK_PRICE)
        ),
        s.submit(f.stop_limit(BTC, OrderSide.BUY, Q, s.px("1.21"), s.px("1.20"))),
        s.submit(f.market_if_touched(BTC, OrderSide.BUY, Q, s.px("0.80"))),
        s.submit(f.limit_if_touched(BTC, OrderSide.SELL, Q, s.px("1.19"), s.px("1.20"))),
    ]
    for plan in plans:
        await s.until_status(plan, OrderStatus.ACCEPTED)
    # Modify a plan trigger
    new_trigger = s.px("0.79")
    s.strategy.modify_order(plans[0], trigger_price=new_trigger)
    await s.until(
        lambda: (
            s.cache.order(plans[0].client_order_id).trigger_price == new_trigger
            and s.status(plans[0]) == OrderStatus.ACCEPTED
        ),
        what="plan modify",
    )
    # Batch (order list) then batch cancel
    batch = [f.limit(BTC, OrderSide.BUY, Q, s.px(x)) for x in ("0.90", "0.91", "0.92")]
    s.strategy.submit_order_list(f.create_list(batch))
    for order in batch:
        await s.until_status(order, OrderStatus.ACCEPTED)
    s.strategy.cancel_orders(batch)
    for order in batch:
        await s.until_status(order, OrderStatus.CANCELED)
    # Cancel-all: plans + resting post-only, ours only
    s.strategy.cancel_all_orders(BTC)
    for order in (*plans, post_ok):
        await s.until_status(order, OrderStatus.CANCELED)
    # A plan that triggers: stop-market buy just above the market, then move the market
    stop = s.submit(f.stop_market(BTC, OrderSide.BUY, Q, s.px("1.01")))
    await s.until_status(stop, OrderStatus.ACCEPTED)
    s.sim.exchange.set_last_price("BTCUSDT", str(s.px("1.03")))
    s.sim.exchange.set_mark_price("BTCUSDT", str(s.px("1.03")))
    await s.until_status(stop, OrderStatus.FILLED)
    # Bracket: market entry with venue TP/SL presets
    bracket = f.bracket(
        BTC,
        OrderSide.BUY,
        Q,
        tp_price=s.px("1.10"),
        sl_trigger_price=s.px("0.90"),
    )
    s.strategy.submit_order_list(bracket)
    entry = bracket.first
    await s.until_status(entry, OrderStatus.FILLED)
    sl, tp = bracket.orders[1:]  # Nautilus bracket order: [entry, stop-loss, take-profit]
    assert tp.order_type == OrderType.LIMIT and sl.order_type == OrderType.STOP_MARKET
    for child in (tp, sl):
        await s.until_status(child, OrderStatus.ACCEPTED)
    await s.assert_matches_venue()
    # The venue's TP fires: the TP child fills, the SL child is canceled (OCO)
    s.sim.exchange.set_last_price("BTCUSDT", str(s.px("1.12")))
    s.sim.exchange.set_mark_price("BTCUSDT", str(s.px("1.12")))
    await s.until_status(tp, OrderStatus.FILLED)
    await s.until_status(sl, OrderStatus.CANCELED)
    # Position checks
    if hedge_mode:
        long = s.cache.position(PositionId(f"{BTC}-LONG"))
        assert long is not None and long.side == PositionSide.LONG
    await s.assert_matches_venue()


def venue_plan(s: Stack, order: Any) -> Any:
    """Return the simulator's live plan of a Nautilus trigger order (by clientOid)."""
    plans = s.sim.exchange.plan_orders(SIM_API_KEY, PRODUCT, plan_type="normal_plan")
    return next(p for p in plans if p.client_oid == order.client_order_id.value)


def event_types(s: Stack, order: Any) -> list[str]:
    return [type(e).__name__ for e in s.cache.order(order.client_order_id).events]


async def modify_every_plan_type(s: Stack) -> None:
    """
    Modify STOP_MARKET / STOP_LIMIT / MIT / LIT orders (trigger, quantity, limit price): each
    gets ``OrderUpdated`` and the venue's plan holds the new values; an off-tick trigger is
    refused by the venue -> ``OrderModifyRejected`` and nothing changes.
    """
    f = s.strategy.order_factory
    q2 = Quantity.from_str("0.020")
    mark = TriggerType.MARK_PRICE
    orders = [
        s.submit(f.stop_market(BTC, OrderSide.SELL, Q, s.px("0.80"), trigger_type=mark)),
        s.submit(f.stop_limit(BTC, OrderSide.BUY, Q, s.px("1.21"), s.px("1.20"))),
        s.submit(f.market_if_touched(BTC, OrderSide.BUY, Q, s.px("0.80"))),
        s.submit(f.limit_if_touched(BTC, OrderSide.SELL, Q, s.px("1.19"), s.px("1.20"))),
    ]
    for order in orders:
        await s.until_status(order, OrderStatus.ACCEPTED)
    changes = [  # (quantity, price, trigger_price)
        (q2, None, s.px("0.79")),
        (None, s.px("1.23"), s.px("1.22")),
        (None, None, s.px("0.78")),
        (q2, s.px("1.17"), s.px("1.18")),
    ]
    for order, (qty, price, trigger) in zip(orders, changes, strict=True):
        s.strategy.modify_order(order, quantity=qty, price=price, trigger_price=trigger)
    for order, (qty, price, trigger) in zip(orders, changes, strict=True):
        want_qty = qty or Q
        want_price = price or (order.price if order.has_price else None)
        await s.until(
            lambda o=order, q=want_qty, t=trigger: (
                s.cache.order(o.client_order_id).trigger_price == t
                and s.cache.order(o.client_order_id).quantity == q
            ),
            what=f"{order.order_type} modify",
        )
        cached = s.cache.order(order.client_order_id)
        assert "OrderUpdated" in event_types(s, order)
        assert cached.status == OrderStatus.ACCEPTED
        plan = venue_plan(s, order)
        assert plan.trigger_price == trigger.as_decimal()
        assert plan.size == want_qty.as_decimal()
        if want_price is not None:
            assert cached.price == want_price
            assert plan.price == want_price.as_decimal()
    # Refused by the venue (trigger not a multiple of the tick): rejected, nothing changes
    stop = orders[0]
    before = venue_plan(s, stop).trigger_price
    off_tick = Price.from_str(f"{before + Decimal('0.05'):.2f}")
    s.strategy.modify_order(stop, trigger_price=off_tick)
    await s.until(lambda: "OrderModifyRejected" in event_types(s, stop), what="modify rejected")
    assert s.cache.order(stop.client_order_id).trigger_price.as_decimal() == before
    assert venue_plan(s, stop).trigger_price == before
    assert s.status(stop) == OrderStatus.ACCEPTED
    await s.assert_matches_venue()
    s.strategy.cancel_all_orders(BTC)
    for order in orders:
        await s.until_status(order, OrderStatus.CANCELED)


async def test_one_way_every_order_type(one_way):
    await exercise_everything(one_way)


async def test_hedge_every_order_type(hedge):
    await exercise_everything(hedge)
    s = hedge
    # Open a short alongside the long, then close it through its position id.
    short = s.market(OrderSide.SELL, Quantity.from_str("0.004"))
    await s.until_status(short, OrderStatus.FILLED)
    close = s.strategy.order_factory.market(BTC, OrderSide.BUY, Quantity.from_str("0.004"))
    s.submit(close, position_id=PositionId(f"{BTC}-SHORT"))
    await s.until_status(close, OrderStatus.FILLED)
    await s.assert_matches_venue()
    assert s.cache.position(PositionId(f"{BTC}-SHORT")).is_closed


async def test_one_way_modify_every_plan_type(one_way):
    await modify_every_plan_type(one_way)


async def test_hedge_modify_every_plan_type(hedge):
    await modify_every_plan_type(hedge)


@pytest.mark.parametrize("account_mode", ["classic", "uta"])
async def test_bracket_children_canceled_by_strategy_cancel_venue_tpsl(sim_factory, account_mode):
    s = await started(sim_factory, account_mode)
    try:
        await cancel_bracket_child_cancels_venue_tpsl(s)
    finally:
        await s.stop()


async def cancel_bracket_child_cancels_venue_tpsl(s: Stack) -> None:
    f = s.strategy.order_factory
    bracket = f.bracket(BTC, OrderSide.BUY, Q, tp_price=s.px("1.10"), sl_trigger_price=s.px("0.90"))
    s.strategy.submit_order_list(bracket)
    entry, sl, tp = bracket.orders
    await s.until_status(entry, OrderStatus.FILLED)
    await s.until(
        lambda: len(s.sim.exchange.plan_orders(SIM_API_KEY, PRODUCT, "profit_loss")) == 2,
        what="venue TP/SL plans",
    )
    await s.until(lambda: len(s.client.registry.bracket_plans) == 2, what="TP/SL plans linked")
    s.strategy.cancel_order(sl)
    await s.until_status(sl, OrderStatus.CANCELED)
    await s.until(
        lambda: (
            [p.plan_type for p in s.sim.exchange.plan_orders(SIM_API_KEY, PRODUCT, "profit_loss")]
            == ["profit_plan"]
        ),
        what="venue SL canceled",
    )
    assert s.status(tp) == OrderStatus.ACCEPTED
    # The remaining TP fires: its execution is the TP child's fill
    s.sim.exchange.set_last_price("BTCUSDT", str(s.px("1.12")))
    await s.until_status(tp, OrderStatus.FILLED)
    await s.assert_matches_venue()


async def test_invalid_client_order_id_denied_before_sending(one_way):
    s = one_way
    order = s.strategy.order_factory.market(
        BTC,
        OrderSide.BUY,
        Q,
        client_order_id=ClientOrderId("X" * 33),
    )
    s.submit(order)
    await s.until_status(order, OrderStatus.DENIED)
    assert s.sim.exchange.pending_orders(SIM_API_KEY, PRODUCT) == []
    assert s.sim_fills() == []


async def test_malformed_private_pushes_are_skipped_and_counted(one_way):
    s = one_way
    s.client.pushes.handle_frame(b"not json")
    s.client.pushes.handle_frame(
        b'{"action":"snapshot","arg":{"instType":"USDT-FUTURES","channel":"orders",'
        b'"instId":"default"},"data":[{"orderId":1}],"ts":1}',
    )
    s.client.pushes.handle_frame(
        b'{"action":"snapshot","arg":{"instType":"USDT-FUTURES","channel":"fill",'
        b'"instId":"default"},"data":[{"orderId":"1"}],"ts":1}',
    )
    assert sum(s.client.bad_input_counts.values()) == 3
    order = s.market(OrderSide.BUY)  # still working
    await s.until_status(order, OrderStatus.FILLED)


@pytest.mark.parametrize("account_mode", ["classic", "uta"])
async def test_funding_payments_published_once_with_exact_amount(sim_factory, account_mode):
    """v2 ``account/bill`` contract_settle_fee / v3 ``financial-records`` funding rows."""
    s = await started(sim_factory, account_mode)
    sim = s.sim
    try:
        assert s.client.api == ("v3" if account_mode == "uta" else "v2")
        buy = s.market(OrderSide.BUY)
        await s.until_status(buy, OrderStatus.FILLED)
        received = []
        s.msgbus.subscribe(topic=f"bitget.funding.{BTC}", handler=received.append)
        rate = Decimal("0.0001")
        mark = Decimal(sim.exchange.ticker("BTCUSDT").mark_price)
        sim.exchange.settle_funding("BTCUSDT", rate)  # same loop turn: the mark is unchanged
        await s.client.poll_funding()
        await s.client.poll_funding()  # deduplicated by bill / record id
        assert len(received) == 1
        payment = received[0]
        assert payment.instrument_id == BTC
        # a long pays positive funding: size * mark * rate
        assert payment.amount == Money(-(Q.as_decimal() * mark * rate), USDT)
        (bill,) = sim.exchange.bills(SIM_API_KEY, PRODUCT, business_type="contract_settle_fee")
        assert payment.bill_id == bill.bill_id
        sim.exchange.settle_funding("BTCUSDT", -rate)  # a second settlement: received
        await s.client.poll_funding()
        assert len(received) == 2 and received[1].amount.as_decimal() > 0
    finally:
        await s.stop()


@pytest.mark.parametrize("account_mode", ["classic", "uta"])
async def test_plan_finished_without_push_resolved_from_plan_history(sim_factory, account_mode):
    """Lost pushes: the watchdog finds finished plans in orders-plan-history / v3 (3.8)
    history-strategy-orders: one canceled at the venue, one triggered and filled."""
    s = await started(sim_factory, account_mode)
    try:
        f = s.strategy.order_factory
        gone = s.submit(f.stop_market(BTC, OrderSide.SELL, Q, s.px("0.80")))
        fires = s.submit(f.stop_market(BTC, OrderSide.BUY, Q, s.px("1.01")))
        for order in (gone, fires):
            await s.until_status(order, OrderStatus.ACCEPTED)
        s.sim.faults.lose_private(1_000_000)
        s.sim.exchange.cancel_plan_order(
            SIM_API_KEY,
            {"productType": PRODUCT, "orderIdList": [{"orderId": venue_plan(s, gone).order_id}]},
        )
        s.sim.exchange.set_last_price("BTCUSDT", str(s.px("1.03")))
        await s.until_status(gone, OrderStatus.CANCELED, wait=10.0)
        history = s.sim.exchange.plan_history(SIM_API_KEY, PRODUCT)
        assert {p.status for p in history} == {"cancelled", "executed"}
        await s.until_status(fires, OrderStatus.FILLED, wait=10.0)
        s.sim.faults.lose_private(0)
        await s.assert_matches_venue()
    finally:
        await s.stop()


async def test_private_socket_drop_while_filling(one_way):
    s = one_way
    warm = s.market(OrderSide.BUY)
    await s.until_status(warm, OrderStatus.FILLED)
    s.sim.faults.drop_ws("private")
    orders = [s.market(OrderSide.BUY if i % 2 else OrderSide.SELL) for i in range(4)]
    resting = s.limit(OrderSide.BUY, s.px("0.97"))
    for order in orders:
        await s.until_status(order, OrderStatus.FILLED, wait=15.0)
    await s.until_status(resting, OrderStatus.ACCEPTED)
    assert s.client.ws.reconnect_count >= 1
    await s.assert_matches_venue()


async def test_hedge_socket_drop_while_plan_triggers_and_orders_fill(hedge):
    s = hedge
    f = s.strategy.order_factory
    long = s.market(OrderSide.BUY, Quantity.from_str("0.030"))
    await s.until_status(long, OrderStatus.FILLED)
    stop = s.submit(f.stop_market(BTC, OrderSide.BUY, Q, s.px("1.01")))
    stop_limit = s.submit(f.stop_limit(BTC, OrderSide.SELL, Q, s.px("0.97"), s.px("0.99")))
    for order in (stop, stop_limit):
        await s.until_status(order, OrderStatus.ACCEPTED)
    s.sim.faults.drop_ws("private")
    # While the private socket is down: a plan triggers, a close and an open fill.
    s.sim.exchange.set_last_price("BTCUSDT", str(s.px("1.03")))
    close = f.market(BTC, OrderSide.SELL, Quantity.from_str("0.010"))
    s.submit(close, position_id=PositionId(f"{BTC}-LONG"))
    short = s.market(OrderSide.SELL, Quantity.from_str("0.005"))
    for order in (stop, close, short):
        await s.until_status(order, OrderStatus.FILLED, wait=15.0)
    assert s.client.ws.reconnect_count >= 1
    await s.until_status(stop_limit, OrderStatus.ACCEPTED)
    await s.assert_matches_venue()


async def test_reconciliation_reports_equal_venue(hedge):
    s = hedge
    f = s.strategy.order_factory
    buy = s.market(OrderSide.BUY, Quantity.from_str("0.020"))
    await s.until_status(buy, OrderStatus.FILLED)
    rest = s.limit(OrderSide.SELL, s.px("1.05"))
    stop = s.submit(f.stop_market(BTC, OrderSide.SELL, Q, s.px("0.80")))
    for order in (rest, stop):
        await s.until_status(order, OrderStatus.ACCEPTED)
    ts = s.clock.timestamp_ns()
    orders = await s.client.generate_order_status_reports(
        GenerateOrderStatusReports(
            instrument_id=BTC, start=None, end=None, open_only=True, command_id=UUID4(), ts_init=ts
        ),
    )
    by_coid = {r.client_order_id: r for r in orders}
    assert set(by_coid) == {rest.client_order_id, stop.client_order_id}
    assert by_coid[rest.client_order_id].order_status == OrderStatus.ACCEPTED
    assert by_coid[stop.client_order_id].order_type == OrderType.STOP_MARKET
    assert by_coid[stop.client_order_id].trigger_price == stop.trigger_price
    fills = await s.client.generate_fill_reports(
        GenerateFillReports(
            instrument_id=BTC,
            venue_order_id=None,
            start=None,
            end=None,
            command_id=UUID4(),
            ts_init=ts,
        ),
    )
    assert sorted(r.trade_id.value for r in fills) == sorted(f.trade_id for f in s.sim_fills())
    assert {r.client_order_id for r in fills} == {buy.client_order_id}
    positions = await s.client.generate_position_status_reports(
        GeneratePositionStatusReports(
            instrument_id=BTC, start=None, end=None, command_id=UUID4(), ts_init=ts
        ),
    )
    by_id = {r.venue_position_id.value: r for r in positions}
    assert by_id[f"{BTC}-LONG"].quantity == Quantity.from_str("0.020")
    assert by_id[f"{BTC}-LONG"].position_side == PositionSide.LONG
    assert by_id[f"{BTC}-SHORT"].position_side == PositionSide.FLAT


async def test_position_tpsl_plans_reported_and_bad_rows_skipped(hedge, monkeypatch):
    """
    bitget-protocol.md 5.11: ``profit_loss`` plans are reported too; a ``pos_profit`` row with
    ``size "0"`` (the whole position) is sized from the position; a row that cannot become a
    report (or a whole-position plan without its position) is counted, and the others reported.
    """
    s = hedge
    long = s.market(OrderSide.BUY, Quantity.from_str("0.020"))
    await s.until_status(long, OrderStatus.FILLED)
    rest = s.limit(OrderSide.SELL, s.px("1.05"))
    await s.until_status(rest, OrderStatus.ACCEPTED)
    trigger = s.px("1.10")  # once: the simulated book moves between two reads
    tp = s.sim.exchange.place_tpsl_order(
        SIM_API_KEY,
        {"symbol": "BTCUSDT", "productType": PRODUCT, "marginCoin": "USDT",
         "planType": "pos_profit", "holdSide": "long", "triggerPrice": str(trigger)},
    )  # fmt: skip
    listed = s.client._api.trigger_orders

    async def as_bitget_sends(product_type, symbol, *, history, plan_type, start_ms):
        rows = await listed(
            product_type, symbol, history=history, plan_type=plan_type, start_ms=start_ms
        )
        if plan_type != "profit_loss":
            return rows
        # Bitget lists position TP/SL with size "0" (the whole position)
        rows = [msgspec.structs.replace(r, size="0") for r in rows]
        broken = msgspec.structs.replace(rows[0], orderId="")  # VenueOrderId("") raises
        no_position = msgspec.structs.replace(
            rows[0], orderId="999", planType="pos_loss", posSide="short", side="sell"
        )
        return [broken, *rows, no_position]

    monkeypatch.setattr(s.client._api, "trigger_orders", as_bitget_sends)
    reports = await s.client.generate_order_status_reports(
        GenerateOrderStatusReports(
            instrument_id=BTC,
            start=None,
            end=None,
            open_only=True,
            command_id=UUID4(),
            ts_init=s.clock.timestamp_ns(),
        ),
    )
    by_id = {r.venue_order_id.value: r for r in reports}
    assert set(by_id) == {tp.order_id, s.cache.order(rest.client_order_id).venue_order_id.value}
    plan = by_id[tp.order_id]
    assert plan.quantity == Quantity.from_str("0.020")  # the long it closes
    # a take-profit closes on a touch from the favourable side: MARKET_IF_TOUCHED (5.11)
    assert plan.order_type == OrderType.MARKET_IF_TOUCHED and plan.order_side == OrderSide.SELL
    assert plan.reduce_only and plan.venue_position_id == PositionId(f"{BTC}-LONG")
    assert plan.trigger_price == s.instrument.make_price(Decimal(str(trigger)))
    assert s.client.bad_input_counts == {("order status report", "ValueError"): 2}


async def test_lost_private_pushes_recovered_by_rest(one_way):
    s = one_way
    warm = s.market(OrderSide.BUY)
    await s.until_status(warm, OrderStatus.FILLED)
    s.sim.faults.lose_private(8)  # silently lost, no reconnect
    orders = [s.market(OrderSide.BUY if i % 2 else OrderSide.SELL) for i in range(4)]
    for order in orders:
        await s.until_status(order, OrderStatus.FILLED, wait=15.0)
    assert s.client.ws.reconnect_count == 0
    await s.assert_matches_venue()


async def test_cancel_and_modify_under_5xx_and_429(one_way):
    s = one_way
    resting = s.limit(OrderSide.BUY, s.px("0.95"))
    await s.until_status(resting, OrderStatus.ACCEPTED)
    s.sim.faults.http_errors(2, 429, path="/api/v2/mix/order/modify-order")
    s.strategy.modify_order(resting, quantity=Quantity.from_str("0.020"), price=s.px("0.94"))
    await s.until(
        lambda: (
            s.cache.order(resting.client_order_id).quantity == Quantity.from_str("0.020")
            and s.status(resting) == OrderStatus.ACCEPTED
        ),
        what="modify after 429s",
    )
    s.sim.faults.http_errors(1, 500, path="/api/v2/mix/order/modify-order")
    s.strategy.modify_order(resting, price=s.px("0.93"))
    # 5xx: not applied at the venue -> modify rejected, order unchanged and still working
    await s.until(lambda: s.status(resting) == OrderStatus.ACCEPTED, what="modify 5xx")
    s.sim.faults.http_errors(3, 500, path="/api/v2/mix/order/cancel-order")
    s.strategy.cancel_order(resting)
    await s.until_status(resting, OrderStatus.CANCELED, wait=12.0)
    await s.assert_matches_venue()


@pytest.mark.parametrize("account_mode", ["classic", "uta"])
async def test_submit_5xx_and_timeout_no_duplicates(sim_factory, account_mode):
    s = await started(sim_factory, account_mode, http_timeout_secs=1.0)
    sim = s.sim
    try:
        path = PLACE_PATH[account_mode]
        sim.faults.http_errors(1, 500, path=path)
        first = s.market(OrderSide.BUY)
        # the injected 5xx answers before the venue sees the request: no order exists, the
        # resolver finds none and the order is rejected (never re-sent)
        await s.until_status(first, OrderStatus.FILLED, OrderStatus.REJECTED, wait=10.0)
        assert s.status(first) == OrderStatus.REJECTED
        sim.faults.hang_requests(1, path=path, secs=2.5)
        second = s.market(OrderSide.BUY)
        await s.until_status(second, OrderStatus.FILLED, OrderStatus.REJECTED, wait=10.0)
        rest_px = s.px("0.95")
        sim.faults.hang_requests(1, path=path, secs=2.5)
        third = s.limit(OrderSide.BUY, rest_px)
        await s.until_status(third, OrderStatus.ACCEPTED, OrderStatus.REJECTED, wait=10.0)
        # The hung and the 5xx requests were processed by the venue: the true state is filled /
        # accepted (never a guess), and at most one venue order exists per clientOid
        assert [s.status(o) for o in (second, third)] == [OrderStatus.FILLED, OrderStatus.ACCEPTED]
        coids = [o.client_oid for o in sim.exchange.order_history(SIM_API_KEY, PRODUCT)]
        coids += [o.client_oid for o in sim.exchange.pending_orders(SIM_API_KEY, PRODUCT)]
        assert len(coids) == len(set(coids))
        await s.assert_matches_venue()
    finally:
        await s.stop()


async def test_startup_reconciliation_with_existing_position_and_order(sim):
    ex = sim.exchange
    ex.set_position_mode(SIM_API_KEY, {"productType": PRODUCT, "posMode": "one_way_mode"})
    base = {
        "symbol": "BTCUSDT",
        "productType": PRODUCT,
        "marginMode": "crossed",
        "marginCoin": "USDT",
    }
    ex.place_order(
        SIM_API_KEY,
        {**base, "size": "0.02", "side": "buy", "orderType": "market", "clientOid": "EXT-POS-1"},
    )
    ticker = ex.ticker("BTCUSDT")
    low = (Decimal(ticker.bid_pr) * Decimal("0.9")).quantize(Decimal("0.1"))
    ex.place_order(
        SIM_API_KEY,
        {
            **base,
            "size": "0.01",
            "side": "buy",
            "orderType": "limit",
            "price": str(low),
            "force": "gtc",
            "clientOid": "EXT-ORD-1",
        },
    )
    s = Stack(sim, "one_way")
    await s.start(reconcile=True)
    try:
        external = [o for o in s.cache.orders_open(instrument_id=BTC)]
        assert [o.client_order_id.value for o in external] == ["EXT-ORD-1"]
        net = sum(
            (p.signed_decimal_qty() for p in s.cache.positions_open(instrument_id=BTC)), Decimal(0)
        )
        assert net == Decimal("0.020")
        # The claimed external order can be canceled through the strategy
        s.strategy.cancel_order(external[0])
        await s.until_status(external[0], OrderStatus.CANCELED)
    finally:
        await s.stop()


async def test_leverage_margin_mode_and_multi_product_account(sim):
    s = Stack(
        sim,
        "hedge",
        product_types=("USDT-FUTURES", "COIN-FUTURES"),
        leverages={"BTCUSDT": 7, "BTCUSD": 3},
        margin_mode="isolated",
    )
    await s.start()
    try:
        ex = sim.exchange
        usdt = ex.account_settings(SIM_API_KEY, "BTCUSDT", PRODUCT)
        assert usdt.margin_mode == "isolated"
        assert usdt.isolated_long_lever == 7
        assert ex.account_settings(SIM_API_KEY, "BTCUSD", "COIN-FUTURES").isolated_long_lever == 3
        assert usdt.pos_mode == "hedge_mode"
        assert ex.account_settings(SIM_API_KEY, "BTCUSD", "COIN-FUTURES").pos_mode == "hedge_mode"
        assert s.client.base_currency is None  # multi-currency account
        account = s.cache.account(s.client.account_id)
        assert {c.code for c in account.currencies()} >= {"USDT", "BTC"}
        for balance in account.balances().values():
            assert balance.total - balance.locked == balance.free
        inverse = InstrumentId.from_str("BTCUSD-PERP.BITGET")
        order = s.submit(s.strategy.order_factory.market(inverse, OrderSide.BUY, Q))
        await s.until_status(order, OrderStatus.FILLED)
        fill = next(
            e for e in s.cache.order(order.client_order_id).events if isinstance(e, OrderFilled)
        )
        assert fill.commission.currency.code == "BTC"
        assert s.cache.position(PositionId(f"{inverse}-LONG")).quantity == Q
    finally:
        await s.stop()


async def test_unset_position_mode_with_hedge_account_fails_clearly(sim):
    """
    The contract (README, architecture.md 3): ``position_mode=None`` is NETTING on an account
    that must already be one-way. It cannot adopt a hedge account: NautilusTrader fixes the OMS
    type at construction and ``ExecutionClient.oms_type`` is read-only (the engine reads it at
    every fill), while the account's mode is only known after connect.
    """
    sim.exchange.set_position_mode(SIM_API_KEY, {"productType": PRODUCT, "posMode": "hedge_mode"})
    s = Stack(sim, None)
    assert s.client.oms_type == OmsType.NETTING
    with pytest.raises(AttributeError, match="not writable"):
        s.client.oms_type = OmsType.HEDGING
    s.exec_engine.start()
    try:
        refused = r"requires a one-way account.*position_mode='hedge'"
        with pytest.raises(RuntimeError, match=refused):
            await s.client._connect()
    finally:
        await s.client._disconnect()
        s.exec_engine.stop()
    assert sim.exchange.account(SIM_API_KEY).get_pos_mode(PRODUCT) == "hedge_mode"  # untouched


async def test_position_mode_switch_refused_with_open_position(sim):
    ex = sim.exchange
    ex.set_position_mode(SIM_API_KEY, {"productType": PRODUCT, "posMode": "one_way_mode"})
    ex.place_order(
        SIM_API_KEY,
        {
            "symbol": "BTCUSDT",
            "productType": PRODUCT,
            "marginMode": "crossed",
            "marginCoin": "USDT",
            "size": "0.01",
            "side": "buy",
            "orderType": "market",
            "clientOid": "P-1",
        },
    )
    s = Stack(sim, "hedge")
    s.exec_engine.start()
    try:
        with pytest.raises(RuntimeError, match="position mode") as info:
            await s.client._connect()
        assert "close them" in str(info.value)
        assert "40920" in str(info.value)
    finally:
        await s.client._disconnect()
        s.exec_engine.stop()
