"""
The simulator's v3 layer against the project's v3 client side: REST and both sockets over real
sockets, decoded with ``schemas.v3`` (conformance to the UTA samples' field names and types),
signatures, account-type enforcement (40084 / 40085) and account-mode detection.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import msgspec
import pytest

from nautilus_bitget.api.detect import BitgetAccountModeError
from nautilus_bitget.api.detect import clear_account_mode_cache
from nautilus_bitget.api.detect import detect_account_mode
from nautilus_bitget.common.credentials import BitgetCredentials
from nautilus_bitget.common.errors import BitgetAuthenticationError
from nautilus_bitget.common.errors import BitgetClassicAccountError
from nautilus_bitget.common.errors import BitgetError
from nautilus_bitget.common.errors import BitgetUtaAccountError
from nautilus_bitget.constants import SIM_API_KEY
from nautilus_bitget.constants import SIM_API_PASSPHRASE
from nautilus_bitget.constants import SIM_API_SECRET
from nautilus_bitget.constants import BitgetProductType
from nautilus_bitget.http.client import BitgetHttpClient
from nautilus_bitget.http.signing import sign_ws_login
from nautilus_bitget.http.v3 import BitgetV3AccountHttpAPI
from nautilus_bitget.http.v3 import BitgetV3MarketHttpAPI
from nautilus_bitget.http.v3 import BitgetV3TradeHttpAPI
from nautilus_bitget.parsing.instruments import parse_contract_to_instrument
from nautilus_bitget.parsing.instruments_v3 import is_v3_perpetual
from nautilus_bitget.parsing.instruments_v3 import is_v3_tradable
from nautilus_bitget.parsing.instruments_v3 import parse_v3_instrument
from nautilus_bitget.schemas.market import BitgetContract
from nautilus_bitget.schemas.v3 import ws as v3ws
from nautilus_bitget.schemas.v3.common import flag
from nautilus_bitget.schemas.v3.common import norm_category
from nautilus_bitget.schemas.v3.common import seq_int
from nautilus_bitget.sim import BitgetSimulator
from nautilus_bitget.sim import SimConfig
from tests.v3_bodies import order_body


CREDS = BitgetCredentials(SIM_API_KEY, SIM_API_SECRET, SIM_API_PASSPHRASE)
ATTRS = (
    "price_precision", "size_precision", "price_increment", "size_increment", "min_quantity",
    "max_quantity", "min_notional", "is_inverse", "settlement_currency", "quote_currency",
    "maker_fee", "taker_fee",
)  # fmt: skip


async def _start(mode: str) -> BitgetSimulator:
    sim = BitgetSimulator(
        SimConfig(port=0, account_mode=mode, book_rate_hz=20.0, rate_limits=False)
    )
    await sim.start()
    return sim


@pytest.fixture
async def uta() -> AsyncIterator[tuple[BitgetSimulator, BitgetHttpClient]]:
    clear_account_mode_cache()
    sim = await _start("uta")
    client = BitgetHttpClient(sim.http_url, CREDS, max_retries=0)
    yield sim, client
    await client.close()
    await sim.stop()
    clear_account_mode_cache()


def _ws_url(sim: BitgetSimulator, which: str) -> str:
    return sim.http_url.replace("http://", "ws://") + f"/v3/ws/{which}"


async def _recv_until(ws: aiohttp.ClientWebSocketResponse, pred: Any, wait: float = 5.0) -> Any:
    deadline = time.monotonic() + wait
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("expected frame not received")
        msg = await ws.receive(timeout=remaining)
        if msg.type != aiohttp.WSMsgType.TEXT or msg.data == "pong":
            continue
        frame = msgspec.json.decode(msg.data, type=v3ws.BitgetV3WsFrame)
        if pred(frame):
            return frame


# -- account type ---------------------------------------------------------------------------------


async def test_classic_account_gets_40084_on_v3_and_auto_picks_classic() -> None:
    clear_account_mode_cache()
    sim = await _start("classic")
    client = BitgetHttpClient(sim.http_url, CREDS, max_retries=0)
    try:
        with pytest.raises(BitgetClassicAccountError) as info:
            await BitgetV3AccountHttpAPI(client).settings()
        assert info.value.code == "40084"
        assert await detect_account_mode(client, "auto") == "classic"
        clear_account_mode_cache()
        with pytest.raises(BitgetAccountModeError, match="account_mode='classic' or 'auto'"):
            await detect_account_mode(client, "uta")
    finally:
        await client.close()
        await sim.stop()


async def test_uta_account_auto_picks_uta_and_forced_classic_fails(uta) -> None:
    _, client = uta
    with pytest.raises(BitgetUtaAccountError):
        await client.get(
            "/api/v2/mix/account/accounts", {"productType": "USDT-FUTURES"}, signed=True
        )
    assert await detect_account_mode(client, "auto") == "uta"
    clear_account_mode_cache()
    with pytest.raises(BitgetAccountModeError, match="set account_mode='uta' or 'auto'"):
        await detect_account_mode(client, "classic")


async def test_bad_signature_and_unknown_key(uta) -> None:
    sim, _ = uta
    for creds, code in (
        (BitgetCredentials(SIM_API_KEY, "wrong-secret", SIM_API_PASSPHRASE), "40009"),
        (BitgetCredentials("nobody", SIM_API_SECRET, SIM_API_PASSPHRASE), "40006"),
    ):
        client = BitgetHttpClient(sim.http_url, creds, max_retries=0)
        try:
            with pytest.raises(BitgetAuthenticationError) as info:
                await BitgetV3AccountHttpAPI(client).assets()
            assert info.value.code == code
        finally:
            await client.close()


# -- public REST ----------------------------------------------------------------------------------


async def test_instruments_identical_to_classic_path(uta) -> None:
    sim, client = uta
    market = BitgetV3MarketHttpAPI(client)
    for pt in BitgetProductType:
        v3_rows = [i for i in await market.instruments(pt) if is_v3_perpetual(i)]
        classic = {
            c["symbol"]: parse_contract_to_instrument(msgspec.convert(c, BitgetContract), pt, 0)
            for c in (s.contract_row() for s in sim.exchange.contracts_of(pt.value))
            if c["symbolType"] == "perpetual" and c["symbolStatus"] == "normal"
        }
        tradable = [i for i in v3_rows if is_v3_tradable(i)]
        assert {i.symbol for i in tradable} == set(classic)
        for row in tradable:
            ours = parse_v3_instrument(row, 0)
            theirs = classic[row.symbol]
            assert ours.id == theirs.id
            for attr in ATTRS:
                assert getattr(ours, attr) == getattr(theirs, attr), (row.symbol, attr)
    coin = await market.instruments("coin-futures", "BTCUSD")
    assert coin[0].priceMultiplier == "0.5" and coin[0].pricePrecision == "1"


async def test_public_market_endpoints_decode(uta) -> None:
    _, client = uta
    market = BitgetV3MarketHttpAPI(client)
    tickers = await market.tickers("USDT-FUTURES")
    assert {t.symbol for t in tickers} == {"BTCUSDT", "ETHUSDT"}
    assert all(
        t.markPrice and t.bid1Price and norm_category(t.category) == "USDT-FUTURES" for t in tickers
    )
    book = await market.orderbook("USDT-FUTURES", "BTCUSDT", limit=5)
    assert len(book.a) == 5 and isinstance(book.a[0][0], int | float)  # JSON numbers (2.3)
    assert float(book.a[0][0]) > float(book.b[0][0]) and isinstance(book.ts, str)
    rows = await _wait_for(lambda: market.candles("USDT-FUTURES", "BTCUSDT", "1m", limit=3))
    assert rows and all(len(r) == 7 for r in rows)
    fills = await market.fills("USDT-FUTURES", "BTCUSDT", limit=5)
    assert fills and all(f.side in ("buy", "sell") for f in fills)
    rate = (await market.current_fund_rate("BTCUSDT"))[0]
    assert rate.symbol == "BTCUSDT" and int(rate.nextUpdate) > 0
    oi = await market.open_interest("USDT-FUTURES", "BTCUSDT")
    assert oi.list[0].symbol == "BTCUSDT"
    hist = await market.history_fund_rate("USDT-FUTURES", "BTCUSDT")
    assert isinstance(hist.resultList, list)
    with pytest.raises(BitgetError):
        await market.tickers("USDT-FUTURES", "NOPEUSDT")


# -- private REST ---------------------------------------------------------------------------------


async def test_account_settings_assets_leverage(uta) -> None:
    _, client = uta
    account = BitgetV3AccountHttpAPI(client)
    settings = await account.settings()
    assert settings.hold_mode == "one_way_mode" and settings.accountMode == "unified"
    assert any(c.symbol == "BTCUSDT" for c in settings.symbolConfigList)
    await account.set_leverage("USDT-FUTURES", "BTCUSDT", 7)
    settings = await account.settings()
    btc = next(c for c in settings.symbolConfigList if c.symbol == "BTCUSDT")
    assert btc.leverage == "7" and btc.marginMode == "crossed"
    assets = await account.assets()
    usdt = next(a for a in assets.assets if a.coin == "USDT")
    assert usdt.equity == "100000" and usdt.available == "100000"
    assert float(assets.accountEquity) > 100000


async def _wait_for(pred: Any, wait: float = 3.0) -> Any:
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        result = await pred()
        if result:
            return result
        await asyncio.sleep(0.05)
    raise TimeoutError("condition not met")


async def test_order_lifecycle_one_way(uta) -> None:
    sim, client = uta
    trade = BitgetV3TradeHttpAPI(client)
    account = BitgetV3AccountHttpAPI(client)
    bid = sim.exchange.ticker("BTCUSDT").bid_pr
    low = f"{float(bid) * 0.9:.1f}"
    ack = await trade.place_order(
        order_body(category="USDT-FUTURES", symbol="BTCUSDT", side="buy", order_type="limit",
                   qty="0.010", price=low, client_oid="v3-limit-1", time_in_force="gtc"),
    )  # fmt: skip
    assert ack.clientOid == "v3-limit-1" and ack.orderId
    open_orders = await trade.unfilled_orders("USDT-FUTURES", symbol="BTCUSDT")
    order = next(o for o in open_orders.list if o.clientOid == "v3-limit-1")
    assert order.orderStatus == "live" and order.price == low and order.qty == "0.010"
    assert not flag(order.reduceOnly) and order.side == "buy"
    # modify: async ack, same public orderId, confirmed by query
    lower = f"{float(low) - 100:.1f}"
    mod = await trade.modify_order(category="USDT-FUTURES", symbol="BTCUSDT",
                                   order_id=str(ack.orderId), price=lower)  # fmt: skip
    assert str(mod.orderId) == str(ack.orderId)

    async def modified() -> Any:
        o = await trade.order_info(order_id=str(ack.orderId))
        return o if o.price == lower and o.orderStatus == "live" else None

    info = await _wait_for(modified)
    assert str(info.orderId) == str(ack.orderId) and info.clientOid == "v3-limit-1"
    await trade.cancel_order(category="USDT-FUTURES", symbol="BTCUSDT", client_oid="v3-limit-1")
    info = await trade.order_info(client_oid="v3-limit-1")
    assert info.orderStatus == "cancelled" and info.cancelReason
    # market buy opens a long; reduce-only sell closes it (one-way, 3.5)
    mkt = {"category": "USDT-FUTURES", "symbol": "BTCUSDT", "order_type": "market"}
    await trade.place_order(order_body(side="buy", qty="0.010", client_oid="v3-mkt-1", **mkt))
    pos = (await account.positions("USDT-FUTURES", "BTCUSDT")).list
    assert len(pos) == 1 and pos[0].posSide == "long" and pos[0].total == "0.010"
    fills = await trade.fills("USDT-FUTURES")
    fill = next(f for f in fills.list if f.clientOid == "v3-mkt-1")
    assert fill.tradeSide == "open" and fill.side == "buy" and float(fill.feeDetail[0].fee) > 0
    await trade.place_order(order_body(category="USDT-FUTURES", symbol="BTCUSDT", side="sell",
                                       order_type="market", qty="0.010", reduce_only=True,
                                       client_oid="v3-mkt-2"))  # fmt: skip
    assert (await account.positions("USDT-FUTURES", "BTCUSDT")).list == []
    hist = await trade.history_orders("USDT-FUTURES", symbol="BTCUSDT")
    assert {"v3-limit-1", "v3-mkt-1", "v3-mkt-2"} <= {o.clientOid for o in hist.list}


async def test_hedge_mode_close_long_is_sell_with_poslong(uta) -> None:
    _, client = uta
    trade = BitgetV3TradeHttpAPI(client)
    account = BitgetV3AccountHttpAPI(client)
    await account.set_hold_mode("hedge_mode")
    assert (await account.settings()).hold_mode == "hedge_mode"
    common = {"category": "USDT-FUTURES", "symbol": "BTCUSDT", "order_type": "market",
              "qty": "0.020", "hold_mode": "hedge_mode"}  # fmt: skip
    await trade.place_order(order_body(side="buy", pos_side="long", client_oid="h-open", **common))
    pos = (await account.positions("USDT-FUTURES", "BTCUSDT")).list
    assert [(p.posSide, p.total, p.holdMode) for p in pos] == [("long", "0.020", "hedge_mode")]
    # v3: closing a long is side=sell + posSide=long (opposite of v2)
    await trade.place_order(
        order_body(side="sell", pos_side="long", client_oid="h-close", **common)
    )
    assert (await account.positions("USDT-FUTURES", "BTCUSDT")).list == []
    fills = {f.clientOid: f for f in (await trade.fills("USDT-FUTURES")).list}
    assert (fills["h-close"].side, fills["h-close"].tradeSide) == ("sell", "close")
    # without posSide in hedge mode the venue rejects; v2-style holdSide gives 25236
    with pytest.raises(BitgetError):
        await trade.place_order({"category": "USDT-FUTURES", "symbol": "BTCUSDT", "side": "buy",
                                 "orderType": "market", "qty": "0.010"})  # fmt: skip
    with pytest.raises(BitgetError) as info:
        await trade.place_order({"category": "USDT-FUTURES", "symbol": "BTCUSDT", "side": "buy",
                                 "orderType": "market", "qty": "0.010", "posSide": "long",
                                 "holdSide": "long"})  # fmt: skip
    assert info.value.code == "25236"
    await account.set_hold_mode("one_way_mode")


async def test_batch_cancel_all_close_and_strategy(uta) -> None:
    sim, client = uta
    trade = BitgetV3TradeHttpAPI(client)
    bid = float(sim.exchange.ticker("BTCUSDT").bid_pr)
    orders = [
        order_body(category="USDT-FUTURES", symbol="BTCUSDT", side="buy", order_type="limit",
                   qty="0.010", price=f"{bid * 0.8 - i:.1f}", client_oid=f"b-{i}")
        for i in range(3)
    ]  # fmt: skip
    orders.append({**orders[0], "clientOid": "b-bad", "qty": "0.0001"})  # below the lot step
    items = await trade.place_batch(orders)
    assert [i.ok for i in items] == [True, True, True, False] and items[3].code
    cancelled = await trade.cancel_batch(
        [{"category": "USDT-FUTURES", "symbol": "BTCUSDT", "clientOid": "b-0"},
         {"category": "USDT-FUTURES", "symbol": "BTCUSDT", "clientOid": "nope"}],
    )  # fmt: skip
    assert cancelled[0].ok and not cancelled[1].ok and cancelled[1].code == "25204"
    res = await trade.cancel_symbol_orders("USDT-FUTURES", "BTCUSDT")
    assert {i.clientOid for i in res.list} == {"b-1", "b-2"}
    assert (await trade.unfilled_orders("USDT-FUTURES")).list == []
    await trade.place_order(order_body(category="USDT-FUTURES", symbol="ETHUSDT", side="sell",
                                       order_type="market", qty="0.10"))  # fmt: skip
    closed = await trade.close_positions("USDT-FUTURES", "ETHUSDT")
    assert len(closed.list) == 1 and closed.list[0].ok
    ack = await trade.place_strategy_order(
        {"category": "USDT-FUTURES", "symbol": "BTCUSDT", "type": "trigger", "qty": "0.010",
         "side": "buy", "triggerPrice": f"{bid * 1.5:.1f}", "triggerBy": "mark",
         "triggerOrderType": "market", "clientOid": "trig-1"},
    )  # fmt: skip
    pending = await trade.unfilled_strategy_orders("USDT-FUTURES")
    assert [(s.clientOid, s.status, s.triggerBy) for s in pending] == [
        ("trig-1", "pending", "mark")
    ]
    await trade.cancel_strategy_order(order_id=str(ack.orderId))
    assert await trade.unfilled_strategy_orders("USDT-FUTURES") == []


# -- sockets --------------------------------------------------------------------------------------


async def test_public_socket_topics(uta) -> None:
    sim, _ = uta
    sim.v3.seq_as_string = True  # 4.5: seq may arrive as a string
    async with aiohttp.ClientSession() as session, session.ws_connect(_ws_url(sim, "public")) as ws:
        args = [
            {"instType": "usdt-futures", "topic": "books", "symbol": "BTCUSDT"},
            {"instType": "usdt-futures", "topic": "publicTrade", "symbol": "BTCUSDT"},
            {"instType": "usdt-futures", "topic": "ticker", "symbol": "BTCUSDT"},
            {"instType": "usdt-futures", "topic": "kline", "symbol": "BTCUSDT", "interval": "1m"},
            {"instType": "usdt-futures", "topic": "books5", "symbol": "BTCUSDT"},
        ]
        await ws.send_str(msgspec.json.encode({"op": "subscribe", "args": args}).decode())
        ack = await _recv_until(ws, lambda f: f.event == "subscribe")
        assert ack.arg == msgspec.convert(args[0], v3ws.BitgetV3WsArg)
        snap = await _recv_until(
            ws, lambda f: f.arg and f.arg.topic == "books" and f.action == "snapshot"
        )
        book = msgspec.json.decode(snap.data, type=list[v3ws.BitgetV3WsBook])[0]
        last = seq_int(book.seq)
        assert seq_int(book.pseq) == 0 and book.a and book.b and isinstance(book.seq, str)
        for _ in range(3):
            upd = await _recv_until(
                ws, lambda f: f.arg and f.arg.topic == "books" and f.action == "update"
            )
            row = msgspec.json.decode(upd.data, type=list[v3ws.BitgetV3WsBook])[0]
            assert seq_int(row.pseq) == last  # 4.5: pseq chains to the previous seq
            last = seq_int(row.seq)
        seen = {"books"}
        decoders = {
            "publicTrade": list[v3ws.BitgetV3WsPublicTrade],
            "ticker": list[v3ws.BitgetV3WsTicker],
            "kline": list[v3ws.BitgetV3WsKline],
            "books5": list[v3ws.BitgetV3WsBook],
        }
        while seen != {"books", *decoders}:
            frame = await _recv_until(ws, lambda f: f.arg is not None and f.arg.topic not in seen)
            data = msgspec.json.decode(frame.data, type=decoders[frame.arg.topic])
            if frame.arg.topic == "ticker":
                assert data[0].markPrice and data[0].nextFundingTime
            if frame.arg.topic == "kline":
                assert frame.arg.interval == "1m" and int(data[0].start) > 0
            seen.add(frame.arg.topic)
        bad = {"instType": "usdt-futures", "topic": "books", "symbol": "NOPE"}
        await ws.send_str(msgspec.json.encode({"op": "subscribe", "args": [bad]}).decode())
        err = await _recv_until(ws, lambda f: f.event == "error")
        assert err.code == 30001


async def _login(ws: aiohttp.ClientWebSocketResponse, secret: str = SIM_API_SECRET) -> Any:
    ts = str(int(time.time()))
    await ws.send_str(msgspec.json.encode({"op": "login", "args": [{
        "apiKey": SIM_API_KEY, "passphrase": SIM_API_PASSPHRASE, "timestamp": ts,
        "sign": sign_ws_login(secret, ts)}]}).decode())  # fmt: skip
    return await _recv_until(ws, lambda f: f.event in ("login", "error"))


async def test_private_socket_order_fill_position_account(uta) -> None:
    sim, client = uta
    trade = BitgetV3TradeHttpAPI(client)
    async with (
        aiohttp.ClientSession() as session,
        session.ws_connect(_ws_url(sim, "private")) as ws,
    ):
        assert not (await _login(ws)).is_error
        topics = ["order", "fill", "fast-fill", "position", "account", "strategy-order"]
        args = [{"instType": "UTA", "topic": t} for t in topics]
        await ws.send_str(msgspec.json.encode({"op": "subscribe", "args": args}).decode())
        acct = await _recv_until(ws, lambda f: f.arg and f.arg.topic == "account" and not f.event)
        account = msgspec.json.decode(acct.data, type=list[v3ws.BitgetV3WsAccount])[0]
        assert any(c.coin == "USDT" for c in account.coin) and account.totalEquity
        mkt = {"category": "USDT-FUTURES", "symbol": "BTCUSDT", "order_type": "market"}
        await trade.place_order(order_body(side="buy", qty="0.010", client_oid="ws-1", **mkt))
        got: dict[str, Any] = {}
        while len(got) < 4:
            frame = await _recv_until(ws, lambda f: f.arg is not None and f.event is None)
            topic = frame.arg.topic
            if topic == "order":
                o = msgspec.json.decode(frame.data, type=list[v3ws.BitgetV3WsOrder])[0]
                if o.orderStatus == "filled":
                    got["order"] = o
            elif topic == "fill":
                got["fill"] = msgspec.json.decode(frame.data, type=list[v3ws.BitgetV3WsFill])[0]
            elif topic == "fast-fill":
                got["fast"] = msgspec.json.decode(frame.data, type=v3ws.BitgetV3WsFastFillData)
            elif topic == "position":
                rows = msgspec.json.decode(frame.data, type=list[v3ws.BitgetV3WsPosition])
                if rows and rows[0].size == "0.010":
                    got["position"] = rows[0]
        o, f, p = got["order"], got["fill"], got["position"]
        assert o.clientOid == "ws-1" and o.holdSide == "long" and o.tradeSide == "open"
        assert norm_category(o.category) == "USDT-FUTURES" and o.cumExecQty == "0.010"
        assert f.clientOid == "ws-1" and f.execQty == "0.010" and int(f.execTime) > 0
        assert p.posSide == "long" and p.marginCoin == "USDT"
        await trade.close_positions("USDT-FUTURES", "BTCUSDT")
        ended = await _recv_until(
            ws,
            lambda f: f.arg and f.arg.topic == "position" and b'"ended"' in bytes(f.data),
        )
        row = msgspec.json.decode(ended.data, type=list[v3ws.BitgetV3WsPosition])[0]
        assert row.size == "0" and row.positionStatus == "ended"


async def test_private_login_rules(uta) -> None:
    sim, _ = uta
    async with aiohttp.ClientSession() as session:
        async with session.ws_connect(_ws_url(sim, "private")) as ws:
            bad = await _login(ws, secret="wrong")
            assert bad.is_error and bad.code == 30015
        async with session.ws_connect(_ws_url(sim, "private")) as ws:
            await ws.send_str('{"op":"subscribe","args":[{"instType":"UTA","topic":"order"}]}')
            err = await _recv_until(ws, lambda f: f.event == "error")
            assert err.code == 30004


async def test_modify_strategy_order(uta) -> None:
    """``modify-strategy-order`` (3.8): qty + id required, in place, 25204 when unknown."""
    sim, client = uta
    trade = BitgetV3TradeHttpAPI(client)
    mark = float(sim.exchange.ticker("BTCUSDT").mark_price)
    ack = await trade.place_strategy_order(
        {"category": "USDT-FUTURES", "symbol": "BTCUSDT", "type": "trigger", "qty": "0.010",
         "side": "buy", "triggerPrice": f"{mark * 1.5:.1f}", "triggerBy": "market",
         "triggerOrderType": "limit", "triggerOrderPrice": f"{mark * 1.6:.1f}",
         "clientOid": "trig-m"},
    )  # fmt: skip
    new = {"category": "USDT-FUTURES", "symbol": "BTCUSDT", "orderId": str(ack.orderId)}
    done = await trade.modify_strategy_order(
        {**new, "qty": "0.020", "triggerPrice": f"{mark * 1.4:.1f}", "triggerBy": "mark",
         "triggerOrderPrice": f"{mark * 1.45:.1f}"},
    )  # fmt: skip
    assert str(done.orderId) == str(ack.orderId)
    (row,) = await trade.unfilled_strategy_orders("USDT-FUTURES")
    assert (row.qty, row.triggerBy) == ("0.020", "mark")
    assert (row.triggerPrice, row.triggerOrderPrice) == (f"{mark * 1.4:.1f}", f"{mark * 1.45:.1f}")
    for body, code in (
        ({**new, "triggerPrice": f"{mark:.1f}"}, "400172"),  # qty missing
        ({**new, "orderId": "1", "qty": "0.01", "triggerPrice": f"{mark:.1f}"}, "25204"),
        ({**new, "qty": "0.01", "triggerPrice": f"{mark:.2f}1"}, "25244"),  # off tick
    ):
        with pytest.raises(BitgetError) as info:
            await trade.modify_strategy_order(body)
        assert info.value.code == code, body
    (after,) = await trade.unfilled_strategy_orders("USDT-FUTURES")
    assert after == row


async def test_financial_records_ledger(uta) -> None:
    """``financial-records`` (3.1): engine bills as the v3 ledger; funding typed IN/OUT."""
    sim, client = uta
    trade = BitgetV3TradeHttpAPI(client)
    account = BitgetV3AccountHttpAPI(client)
    await trade.place_order(order_body(category="USDT-FUTURES", symbol="BTCUSDT", side="buy",
                                       order_type="market", qty="0.010"))  # fmt: skip
    sim.exchange.settle_funding("BTCUSDT", "0.0001")  # the long pays
    sim.exchange.settle_funding("BTCUSDT", "-0.0001")  # the long receives
    page = await account.financial_records("USDT-FUTURES")
    kinds = [r.type for r in page.list]
    assert kinds == ["CONTRACT_MAIN_SETTLE_FEE_USER_IN", "CONTRACT_MAIN_SETTLE_FEE_USER_OUT",
                     "OPEN_LONG"]  # fmt: skip
    bills = sim.exchange.bills(SIM_API_KEY, "USDT-FUTURES")
    assert [str(r.id) for r in page.list] == [b.bill_id for b in bills]
    assert float(page.list[1].amount) < 0 < float(page.list[0].amount)
    only = await account.financial_records(
        "USDT-FUTURES", record_type="CONTRACT_MAIN_SETTLE_FEE_USER_OUT", limit=1
    )
    assert [str(r.id) for r in only.list] == [str(page.list[1].id)]
    older = await account.financial_records("USDT-FUTURES", limit=1, cursor=str(page.list[1].id))
    assert [r.type for r in older.list] == ["OPEN_LONG"]
    assert (await account.financial_records("USDC-FUTURES")).list == []


async def test_history_strategy_orders(uta) -> None:
    """``history-strategy-orders`` (3.8): finished strategies newest first, numeric cursor."""
    sim, client = uta
    trade = BitgetV3TradeHttpAPI(client)
    mark = float(sim.exchange.ticker("BTCUSDT").mark_price)
    acks = []
    for i, factor in enumerate((1.5, 1.6)):
        body = {
            "category": "USDT-FUTURES", "symbol": "BTCUSDT", "type": "trigger", "qty": "0.010",
            "side": "buy", "triggerPrice": f"{mark * factor:.1f}", "triggerBy": "market",
            "triggerOrderType": "market", "clientOid": f"h-{i}",
        }  # fmt: skip
        acks.append(await trade.place_strategy_order(body))
    assert (await trade.history_strategy_orders("USDT-FUTURES")).list == []
    await trade.cancel_strategy_order(order_id=str(acks[0].orderId))
    sim.exchange.set_last_price("BTCUSDT", f"{mark * 1.7:.1f}")  # the second one fires
    page = await trade.history_strategy_orders("USDT-FUTURES", "trigger")
    assert [(r.clientOid, r.status) for r in page.list] == [
        ("h-1", "success"),
        ("h-0", "cancelled"),
    ]
    first = await trade.history_strategy_orders("USDT-FUTURES", limit=1)
    assert [r.clientOid for r in first.list] == ["h-1"] and isinstance(first.cursor, int)
    rest = await trade.history_strategy_orders("USDT-FUTURES", limit=1, cursor=str(first.cursor))
    assert [r.clientOid for r in rest.list] == ["h-0"]
    assert (await trade.history_strategy_orders("USDT-FUTURES", "tpsl")).list == []
