"""
Meaning checks over real sockets with answers known independently of the simulator's reading.

Agreeing with the simulator is not enough when a misreading is shared by both; each test here
asserts a value known by construction or from Bitget's documented meaning:

- a trade we make with a market BUY has a BUYER aggressor (bitget-protocol.md 6.1 ``side`` is the
  taker side);
- mark, index and funding are the ticker's ``markPrice`` / ``indexPrice`` / ``fundingRate`` (set
  apart from ``lastPr`` first), 6.1;
- the ``books`` chain: ``pseq`` must equal the previous ``seq``; seqs need not be consecutive; a
  one-step gap is a gap (6.1, 9.6);
- ``reduceOnly: YES`` reaches the wire for a one-way reduce-only order (5.4, 9.7), read from the raw
  request body the simulator received.
"""

from __future__ import annotations

from decimal import Decimal

import msgspec
import pytest
from nautilus_trader.model.data import FundingRateUpdate
from nautilus_trader.model.data import IndexPriceUpdate
from nautilus_trader.model.data import MarkPriceUpdate
from nautilus_trader.model.data import TradeTick
from nautilus_trader.model.enums import AggressorSide
from nautilus_trader.model.enums import OrderSide
from nautilus_trader.model.enums import OrderStatus
from nautilus_trader.model.enums import TriggerType
from nautilus_trader.model.objects import Price
from nautilus_trader.model.objects import Quantity

from nautilus_bitget.constants import SIM_API_KEY
from tests.integration.test_data_client import book_matches_sim
from tests.integration.test_data_client import running_node
from tests.integration.test_data_client import wait_for
from tests.integration.test_execution_client import BTC
from tests.integration.test_execution_client import Stack


pytestmark = pytest.mark.timeout(90)

PLACE = "/api/v2/mix/order/place-order"
PLAN = "/api/v2/mix/order/place-plan-order"


def _market(side: str) -> dict:
    return {
        "symbol": "BTCUSDT",
        "productType": "USDT-FUTURES",
        "marginMode": "crossed",
        "marginCoin": "USDT",
        "orderType": "market",
        "side": side,
        "size": "0.010",
    }


async def test_trade_aggressor_is_the_taker_side(sim_factory) -> None:
    sim = await sim_factory(book_rate_hz=0.0)
    ex = sim.exchange
    ex.create_account("taker", "s", "p")
    async with running_node(sim) as (_node, recorder, _client):
        await wait_for(lambda: recorder.received[MarkPriceUpdate], 10.0, "subscriptions live")
        ex.place_order("taker", _market("buy"))
        ex.place_order("taker", _market("sell"))
        ours = {f.trade_id: f.side for f in ex.fills("taker", "USDT-FUTURES", limit=100)}
        assert sorted(ours.values()) == ["buy", "sell"]

        def seen() -> dict[str, AggressorSide]:
            ticks = recorder.received[TradeTick]
            return {t.trade_id.value: t.aggressor_side for t in ticks if t.trade_id.value in ours}

        await wait_for(lambda: len(seen()) == len(ours), 10.0, "our two trades")
        expected = {"buy": AggressorSide.BUYER, "sell": AggressorSide.SELLER}
        assert seen() == {tid: expected[side] for tid, side in ours.items()}


async def test_mark_index_and_funding_are_the_tickers_not_the_last(sim_factory) -> None:
    sim = await sim_factory(book_rate_hz=0.0)
    ex = sim.exchange
    async with running_node(sim) as (_node, recorder, _client):
        last = Decimal(ex.ticker("BTCUSDT").last_pr)
        mark = last + Decimal("123.4")  # apart from the last price and from the book
        ex.set_mark_price("BTCUSDT", mark)

        def marks() -> list[Decimal]:
            return [u.value.as_decimal() for u in recorder.received[MarkPriceUpdate]]

        await wait_for(lambda: mark in marks(), 10.0, f"mark price {mark}")
        assert last not in marks()[-1:]
        ticker = ex.ticker("BTCUSDT")
        assert Decimal(ticker.mark_price) == mark
        index = recorder.received[IndexPriceUpdate][-1].value.as_decimal()
        assert index == Decimal(ticker.index_price)
        rate = recorder.received[FundingRateUpdate][-1].rate
        assert Decimal(str(rate)) == Decimal(ticker.funding_rate)


def _books_frame(seq: int, pseq: int) -> bytes:
    return msgspec.json.encode(
        {
            "action": "update",
            "arg": {"instType": "USDT-FUTURES", "channel": "books", "instId": "BTCUSDT"},
            "data": [{"asks": [], "bids": [], "seq": seq, "pseq": pseq, "ts": "1"}],
            "ts": 1,
        },
    )


async def test_seq_chain_non_consecutive_accepted_one_step_gap_detected(sim_factory) -> None:
    sim = await sim_factory(book_rate_hz=0.0)  # no venue updates interleave with ours
    async with running_node(sim, everything=False) as (_node, recorder, client):
        await book_matches_sim(recorder, sim, timeout=10.0)
        integrity = client.books.integrity("BTCUSDT")
        last = integrity.last_seq
        assert last is not None
        # Bitget seqs increase but need not be consecutive: pseq == previous seq is a valid chain
        client.router.handle_frame(_books_frame(last + 7, last))
        client.router.handle_frame(_books_frame(last + 9, last + 7))
        assert (client.stats.gaps, integrity.last_seq) == (0, last + 9)
        # one frame lost (its seq was last + 10): the next pseq is one more than the last seq
        client.router.handle_frame(_books_frame(last + 12, last + 10))
        assert client.stats.gaps == 1
        await wait_for(lambda: client.stats.resynced >= 1, 20.0, "fresh snapshot")
        await book_matches_sim(recorder, sim, timeout=10.0)


async def test_reduce_only_reaches_the_wire_in_one_way_mode(sim) -> None:
    s = Stack(sim, "one_way")
    await s.start()
    try:
        q = Quantity.from_str("0.010")
        buy = s.market(OrderSide.BUY, q)
        await s.until_status(buy, OrderStatus.FILLED)
        close = s.market(OrderSide.SELL, q, reduce_only=True)
        await s.until_status(close, OrderStatus.FILLED)
        plain = s.limit(OrderSide.BUY, s.px("0.90"), q)
        await s.until_status(plain, OrderStatus.ACCEPTED)
        stop = s.submit(
            s.strategy.order_factory.stop_market(
                BTC, OrderSide.SELL, q, s.px("0.80"), trigger_type=TriggerType.LAST_PRICE
            )
        )
        await s.until_status(stop, OrderStatus.ACCEPTED)
        bodies = {}
        for method, path, raw in sim.rest.journal:
            if method == "POST" and path in (PLACE, PLAN):
                body = msgspec.json.decode(raw)
                bodies[body["clientOid"]] = (path, body)
        coid = s.client.registry.venue_coid

        def sent(order) -> tuple[str, dict]:
            return bodies[coid.get(order.client_order_id, order.client_order_id.value)]

        assert sent(buy)[1]["reduceOnly"] == "NO"
        assert sent(close)[1]["reduceOnly"] == "YES"
        assert sent(close)[1]["side"] == "sell"
        assert sent(plain)[1]["reduceOnly"] == "NO"
        path, body = sent(stop)
        assert path == PLAN and body["reduceOnly"] == "no"  # lower case on plan orders (9.7)
    finally:
        await s.stop()


async def test_refused_modify_keeps_the_price_and_emits_the_rejection(sim) -> None:
    s = Stack(sim, "one_way")
    await s.start()
    try:
        price = s.px("0.90")
        order = s.limit(OrderSide.BUY, price, Quantity.from_str("0.010"))
        await s.until_status(order, OrderStatus.ACCEPTED)
        # BTCUSDT's tick is 0.1 (bitget-protocol.md 9.1): the venue refuses an off-tick price
        off_tick = Price.from_str(f"{price.as_decimal() - Decimal('0.95'):.2f}")
        s.strategy.modify_order(order, price=off_tick)

        def events() -> list[str]:
            return [type(e).__name__ for e in s.cache.order(order.client_order_id).events]

        await s.until(lambda: "OrderModifyRejected" in events(), what="modify rejected")
        assert "OrderUpdated" not in events()
        assert s.cache.order(order.client_order_id).price == price
        assert s.status(order) == OrderStatus.ACCEPTED
        (venue,) = sim.exchange.pending_orders(SIM_API_KEY, "USDT-FUTURES")
        assert Decimal(venue.price) == price.as_decimal()
    finally:
        await s.stop()


async def test_hedge_close_reaches_the_wire_as_trade_side_close(sim) -> None:
    # bitget-protocol.md 5.5: in hedge mode a close names the position's side ("close long" is
    # side=buy, tradeSide=close) and carries no reduceOnly
    s = Stack(sim, "hedge")
    await s.start()
    try:
        q = Quantity.from_str("0.010")
        buy = s.market(OrderSide.BUY, q)
        await s.until_status(buy, OrderStatus.FILLED)
        close = s.market(OrderSide.SELL, q, reduce_only=True)
        await s.until_status(close, OrderStatus.FILLED)
        bodies = {}
        for method, path, raw in sim.rest.journal:
            if method == "POST" and path == PLACE:
                body = msgspec.json.decode(raw)
                bodies[body["clientOid"]] = body
        opened = bodies[buy.client_order_id.value]
        closed = bodies[close.client_order_id.value]
        assert (opened["side"], opened["tradeSide"]) == ("buy", "open")
        assert (closed["side"], closed["tradeSide"]) == ("buy", "close")
        assert "reduceOnly" not in opened and "reduceOnly" not in closed
        assert not sim.exchange.positions(SIM_API_KEY, "USDT-FUTURES")
    finally:
        await s.stop()
