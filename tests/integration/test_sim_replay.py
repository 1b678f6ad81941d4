"""Simulator replay mode: a recorded Nautilus catalog is served as the live market."""

from __future__ import annotations

import asyncio
import json
from decimal import Decimal

import aiohttp
from nautilus_trader.model.data import BookOrder
from nautilus_trader.model.data import OrderBookDelta
from nautilus_trader.model.data import OrderBookDeltas
from nautilus_trader.model.data import TradeTick
from nautilus_trader.model.enums import AggressorSide
from nautilus_trader.model.enums import BookAction
from nautilus_trader.model.enums import OrderSide
from nautilus_trader.model.enums import RecordFlag
from nautilus_trader.model.identifiers import InstrumentId
from nautilus_trader.model.identifiers import TradeId
from nautilus_trader.model.instruments import CryptoPerpetual
from nautilus_trader.model.objects import Price
from nautilus_trader.model.objects import Quantity
from nautilus_trader.persistence.catalog import ParquetDataCatalog

from nautilus_bitget.sim import BitgetSimulator
from nautilus_bitget.sim import SimConfig
from tests.instruments import btcusdt_perp


IID = InstrumentId.from_str("BTCUSDT-PERP.BITGET")
T0 = 1_700_000_000_000_000_000
MS = 1_000_000


def _instrument() -> CryptoPerpetual:
    # The simulator's BTCUSDT contract: pricePlace 1, volumePlace 3
    return btcusdt_perp(
        size_precision=3,
        ts_event=T0,
        ts_init=T0,
        margin_init=Decimal(1),
        margin_maint=Decimal(1),
        maker_fee=Decimal("0.0002"),
        taker_fee=Decimal("0.0006"),
    )


def _delta(
    action: BookAction, side: OrderSide, px: str, sz: str, flags: int, ts: int
) -> OrderBookDelta:
    order = BookOrder(side, Price.from_str(px), Quantity.from_str(sz), 0)
    return OrderBookDelta(IID, action, order, flags, 0, ts, ts)


def _write_catalog(path: str) -> None:
    snap = RecordFlag.F_SNAPSHOT
    last = RecordFlag.F_LAST
    snapshot = OrderBookDeltas(
        IID,
        [
            OrderBookDelta(IID, BookAction.CLEAR, None, snap, 0, T0, T0),
            _delta(BookAction.ADD, OrderSide.BUY, "50000.0", "1.000", snap, T0),
            _delta(BookAction.ADD, OrderSide.BUY, "49999.9", "2.000", snap, T0),
            _delta(BookAction.ADD, OrderSide.SELL, "50000.1", "1.500", snap, T0),
            _delta(BookAction.ADD, OrderSide.SELL, "50000.2", "3.000", snap | last, T0),
        ],
    )
    t1 = T0 + 200 * MS
    update = OrderBookDeltas(
        IID,
        [
            _delta(BookAction.UPDATE, OrderSide.BUY, "50000.0", "0.400", 0, t1),
            _delta(BookAction.DELETE, OrderSide.SELL, "50000.2", "0.000", 0, t1),
            _delta(BookAction.ADD, OrderSide.SELL, "50000.5", "0.700", last, t1),
        ],
    )
    trade = TradeTick(
        IID,
        Price.from_str("50000.1"),
        Quantity.from_str("0.250"),
        AggressorSide.BUYER,
        TradeId("replay-1"),
        T0 + 300 * MS,
        T0 + 300 * MS,
    )
    catalog = ParquetDataCatalog(path)
    catalog.write_data([_instrument()])
    catalog.write_data(snapshot.deltas + update.deltas)
    catalog.write_data([trade])


async def test_replay_serves_the_recorded_book_and_trades(tmp_path):
    path = str(tmp_path / "catalog")
    _write_catalog(path)
    sim = BitgetSimulator(SimConfig(port=0, replay=path, symbols=["BTCUSDT"], replay_speed=1.0))
    await sim.start()
    try:
        # After the whole recording has been replayed (0.3 s of data at speed 1)
        await asyncio.sleep(1.0)
        bids, asks = sim.exchange.book("BTCUSDT")
        assert [(Decimal(p), Decimal(s)) for p, s in bids] == [
            (Decimal("50000.0"), Decimal("0.4")),
            (Decimal("49999.9"), Decimal("2")),
        ]
        assert [(Decimal(p), Decimal(s)) for p, s in asks] == [
            (Decimal("50000.1"), Decimal("1.5")),
            (Decimal("50000.5"), Decimal("0.7")),
        ]
        # The same book goes out on the wire as a books snapshot
        async with aiohttp.ClientSession() as session, session.ws_connect(sim.ws_public_url) as ws:
            arg = {"instType": "USDT-FUTURES", "channel": "books", "instId": "BTCUSDT"}
            await ws.send_str(json.dumps({"op": "subscribe", "args": [arg]}))
            snapshot = None
            async with asyncio.timeout(5):
                while snapshot is None:
                    frame = json.loads((await ws.receive()).data)
                    if frame.get("action") == "snapshot":
                        snapshot = frame["data"][0]
            assert snapshot["bids"][0] == ["50000.0", "0.400"]
            assert snapshot["asks"][0] == ["50000.1", "1.500"]
        trades = sim.exchange.recent_trades("BTCUSDT")
        assert [(t.price, t.size, t.side) for t in trades] == [("50000.1", "0.250", "buy")]
    finally:
        await sim.stop()
