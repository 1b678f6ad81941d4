"""Parsing of public WS pushes (tests/fixtures/bitget doc_ws_* and hand-made books frames)."""

from __future__ import annotations

import json
from decimal import Decimal

import msgspec
import pytest
from nautilus_trader.model.data import BarSpecification
from nautilus_trader.model.data import BarType
from nautilus_trader.model.enums import AggressorSide
from nautilus_trader.model.enums import BarAggregation
from nautilus_trader.model.enums import BookAction
from nautilus_trader.model.enums import MarketStatusAction
from nautilus_trader.model.enums import OrderSide
from nautilus_trader.model.enums import PriceType
from nautilus_trader.model.enums import RecordFlag
from nautilus_trader.model.objects import Price
from nautilus_trader.model.objects import Quantity

from nautilus_bitget.parsing.bars import BitgetBarSpecError
from nautilus_bitget.parsing.bars import bar_close_ns
from nautilus_bitget.parsing.bars import bar_spec_to_interval
from nautilus_bitget.parsing.bars import interval_to_bar_spec
from nautilus_bitget.parsing.bars import kline_type_for
from nautilus_bitget.parsing.book import BookContext
from nautilus_bitget.parsing.book import parse_books1_to_quote
from nautilus_bitget.parsing.book import parse_books15_to_depth10
from nautilus_bitget.parsing.book import parse_books_to_deltas
from nautilus_bitget.parsing.book import parse_levels_to_snapshot
from nautilus_bitget.parsing.market import CandleCloser
from nautilus_bitget.parsing.market import TradeDeduper
from nautilus_bitget.parsing.market import parse_candle_to_bar
from nautilus_bitget.parsing.market import parse_symbol_status_to_instrument_status
from nautilus_bitget.parsing.market import parse_ticker_to_funding_rate
from nautilus_bitget.parsing.market import parse_ticker_to_index_price
from nautilus_bitget.parsing.market import parse_ticker_to_mark_price
from nautilus_bitget.parsing.market import parse_trade_to_trade_tick
from nautilus_bitget.schemas.ws_public import BitgetWsBook
from nautilus_bitget.schemas.ws_public import BitgetWsFrame
from nautilus_bitget.schemas.ws_public import BitgetWsTicker
from nautilus_bitget.schemas.ws_public import BitgetWsTrade
from tests.samples import SAMPLES
from tests.unit.test_precision_fast_path import make_instrument


F_LAST = int(RecordFlag.F_LAST)
F_SNAPSHOT = int(RecordFlag.F_SNAPSHOT)
TS_INIT = 1_700_000_000_000_000_000


@pytest.fixture
def ctx() -> BookContext:
    return BookContext(make_instrument(1, 3, "0.5", "0.001"))


def sample(name: str) -> BitgetWsFrame:
    raw = (SAMPLES / name).read_bytes()
    return msgspec.json.decode(raw, type=BitgetWsFrame)


def books_frame(action: str, bids, asks, seq: int, pseq: int, ts: str = "1695716059516") -> bytes:
    data = {"asks": asks, "bids": bids, "checksum": 0, "seq": seq, "pseq": pseq, "ts": ts}
    frame = {
        "action": action,
        "arg": {"instType": "USDT-FUTURES", "channel": "books", "instId": "BTCUSDT"},
        "data": [data],
        "ts": 1695716059520,
    }
    return json.dumps(frame).encode()


def decode_book(raw: bytes) -> tuple[BitgetWsFrame, BitgetWsBook]:
    frame = msgspec.json.decode(raw, type=BitgetWsFrame)
    return frame, msgspec.json.decode(frame.data, type=list[BitgetWsBook])[0]


def test_books5_sample_snapshot(ctx: BookContext) -> None:
    frame = sample("doc_ws_books5_snapshot.json")
    assert frame.arg is not None and frame.arg.channel == "books5"
    book = msgspec.json.decode(frame.data, type=list[BitgetWsBook])[0]
    assert book.checksum == 0
    deltas = parse_books_to_deltas(book, ctx, snapshot=True, ts_init=TS_INIT)
    assert deltas is not None and deltas.is_snapshot
    items = deltas.deltas
    assert items[0].action == BookAction.CLEAR and items[0].flags == F_SNAPSHOT
    assert [d.action for d in items[1:]] == [BookAction.ADD] * 4
    assert [d.flags for d in items[1:]] == [F_SNAPSHOT] * 3 + [F_SNAPSHOT | F_LAST]
    assert items[1].order.side == OrderSide.BUY
    assert items[1].order.price == Price.from_str("27000.0")
    assert items[1].order.size == Quantity.from_str("2.710")
    assert items[-1].order.side == OrderSide.SELL
    assert items[-1].order.price == Price.from_str("27001.0")
    assert all(d.ts_event == 1695716059516 * 1_000_000 for d in items)
    assert all(d.ts_init == TS_INIT for d in items)

    depth = parse_books15_to_depth10(book, ctx, TS_INIT)
    assert depth.bids[0].price == Price.from_str("27000.0")
    assert depth.asks[1].price == Price.from_str("27001.0")
    assert depth.bid_counts[:3] == [1, 1, 0]
    quote = parse_books1_to_quote(book, ctx, TS_INIT)
    assert quote is not None
    assert quote.bid_price == Price.from_str("27000.0")
    assert quote.ask_price == Price.from_str("27000.5")
    assert quote.ask_size == Quantity.from_str("8.760")


def test_books_update_flags_sequence_and_actions(ctx: BookContext) -> None:
    raw = books_frame(
        "update",
        bids=[["27000.0", "0"], ["26999.5", "3.100"]],
        asks=[["27000.5", "1.000"]],
        seq=1483653649791156272,
        pseq=1483653649791156271,
    )
    frame, book = decode_book(raw)
    assert frame.action == "update" and book.seq == 1483653649791156272
    deltas = parse_books_to_deltas(book, ctx, snapshot=False, ts_init=TS_INIT)
    assert deltas is not None and not deltas.is_snapshot
    items = deltas.deltas
    assert [d.action for d in items] == [BookAction.DELETE, BookAction.UPDATE, BookAction.UPDATE]
    assert [d.flags for d in items] == [0, 0, F_LAST]
    assert {d.sequence for d in items} == {1483653649791156272}
    assert items[0].order.size == Quantity.from_str("0.000")
    assert [d.order.side for d in items] == [OrderSide.BUY, OrderSide.BUY, OrderSide.SELL]


def test_books_update_only_bids_and_empty(ctx: BookContext) -> None:
    _, book = decode_book(books_frame("update", [["1.5", "1"]], [], 2, 1))
    deltas = parse_books_to_deltas(book, ctx, snapshot=False, ts_init=TS_INIT)
    assert deltas is not None and deltas.deltas[-1].flags == F_LAST
    _, empty = decode_book(books_frame("update", [], [], 3, 2))
    assert parse_books_to_deltas(empty, ctx, snapshot=False, ts_init=TS_INIT) is None
    _, empty_snapshot = decode_book(books_frame("snapshot", [], [], 3, 0))
    snap = parse_books_to_deltas(empty_snapshot, ctx, snapshot=True, ts_init=TS_INIT)
    assert snap is not None and len(snap.deltas) == 1
    assert snap.deltas[0].action == BookAction.CLEAR
    assert snap.deltas[0].flags == F_SNAPSHOT | F_LAST


def test_merge_depth_snapshot(ctx: BookContext) -> None:
    deltas = parse_levels_to_snapshot(
        [("26346.5", "0.16")],
        [("26347.5", "0.25")],
        ctx,
        "1695870968804",
        TS_INIT,
    )
    assert deltas.is_snapshot and len(deltas.deltas) == 3
    assert deltas.deltas[-1].flags == F_SNAPSHOT | F_LAST


def test_malformed_book_frames_fail_cleanly(ctx: BookContext) -> None:
    with pytest.raises(msgspec.DecodeError):
        msgspec.json.decode(b'{"action":"update","arg":{"channel":"bo', type=BitgetWsFrame)
    frame = msgspec.json.decode(
        b'{"action":"update","arg":{"instType":"USDT-FUTURES","channel":"books"},'
        b'"data":[{"asks":null,"bids":[],"ts":"1"}]}',
        type=BitgetWsFrame,
    )
    with pytest.raises(msgspec.ValidationError):
        msgspec.json.decode(frame.data, type=list[BitgetWsBook])
    _, bad = decode_book(books_frame("update", [["abc", "1"]], [], 2, 1))
    with pytest.raises(ValueError):
        parse_books_to_deltas(bad, ctx, snapshot=False, ts_init=TS_INIT)


def test_trade_sample(ctx: BookContext) -> None:
    frame = sample("doc_ws_trade.json")
    trades = msgspec.json.decode(frame.data, type=list[BitgetWsTrade])
    tick = parse_trade_to_trade_tick(trades[0], ctx, TS_INIT)
    assert tick.aggressor_side == AggressorSide.BUYER
    assert tick.price == Price.from_str("27000.5")
    assert tick.size == Quantity.from_str("0.001")
    assert tick.trade_id.value == "1111111111"
    assert tick.ts_event == 1695716760565 * 1_000_000
    assert parse_trade_to_trade_tick(trades[1], ctx, TS_INIT).aggressor_side == (
        AggressorSide.SELLER
    )
    too_long = BitgetWsTrade(ts="1", price="1", size="1", side="buy", tradeId="x" * 37)
    with pytest.raises(ValueError):
        parse_trade_to_trade_tick(too_long, ctx, TS_INIT)


def test_trade_dedupe() -> None:
    dedupe = TradeDeduper(capacity=4)
    dedupe.remember(["1", "2"])
    assert not dedupe.is_new("1")
    assert dedupe.is_new("3")
    assert not dedupe.is_new("3")
    for i in range(4, 10):
        assert dedupe.is_new(str(i))
    assert dedupe.is_new("1")  # forgotten: memory is bounded
    assert len(dedupe._seen) <= 4


def test_ticker_sample(ctx: BookContext) -> None:
    frame = sample("doc_ws_ticker.json")
    ticker = msgspec.json.decode(frame.data, type=list[BitgetWsTicker])[0]
    mark = parse_ticker_to_mark_price(ticker, ctx, TS_INIT)
    index = parse_ticker_to_index_price(ticker, ctx, TS_INIT)
    funding = parse_ticker_to_funding_rate(ticker, ctx.instrument_id, 480, TS_INIT)
    assert mark is not None and mark.value == Price.from_str("27000.0")
    assert index is not None and index.value == Price.from_str("25702.4")
    assert mark.ts_event == 1695715383021 * 1_000_000
    assert funding is not None
    assert funding.rate == Decimal("0.000010")
    assert funding.interval == 480
    assert funding.next_funding_ns == 1695722400000 * 1_000_000
    # symbolType as a string (real captures) decodes too
    rows = msgspec.json.decode(frame.data)
    rows[0]["symbolType"] = "1"
    alt = msgspec.json.decode(msgspec.json.encode(rows), type=list[BitgetWsTicker])
    assert alt[0].symbolType == "1"


def test_candle_sample_and_closing(ctx: BookContext) -> None:
    frame = sample("doc_ws_candle.json")
    rows = msgspec.json.decode(frame.data, type=list[list[str]])
    bar_type = BarType.from_str("BTCUSDT-PERP.BITGET-12-HOUR-LAST-EXTERNAL")
    bar = parse_candle_to_bar(rows[0], bar_type, ctx, TS_INIT)
    assert bar.open == Price.from_str("27000.0")
    assert bar.high == Price.from_str("27000.5")
    assert bar.volume == Quantity.from_str("0.057")
    assert bar.ts_event == (1695685500000 + 12 * 3600_000) * 1_000_000

    closer = CandleCloser()
    minute = 60_000
    t0 = 1695685500000
    history = [[str(t0 + i * minute), "1", "2", "0.5", "1.5", "10", "15", "15"] for i in range(5)]
    assert closer.on_snapshot(history) == []  # history is never returned
    open_row = [str(t0 + 4 * minute), "1", "2", "0.5", "1.7", "11", "16", "16"]
    assert closer.on_update([open_row]) == []  # still open: repeated updates
    assert closer.on_update([open_row]) == []
    nxt = [str(t0 + 5 * minute), "1.7", "1.7", "1.7", "1.7", "0", "0", "0"]
    assert closer.on_update([nxt]) == [open_row]  # closed by a newer start
    assert closer.on_update([open_row]) == []  # late older row ignored
    later = [str(t0 + 7 * minute), "2", "2", "2", "2", "1", "2", "2"]
    assert closer.on_update([later, nxt]) == [nxt]
    # a resubscribe snapshot (after a reconnect) returns the candles closed meanwhile
    after = [[str(t0 + m * minute), "2", "2", "2", "2", "1", "2", "2"] for m in (7, 8, 9)]
    assert closer.on_snapshot(after) == after[:2]
    assert closer.on_snapshot(after) == []


def test_bar_spec_mapping() -> None:
    def spec(step: int, agg: BarAggregation) -> BarSpecification:
        return BarSpecification(step, agg, PriceType.LAST)

    assert bar_spec_to_interval(spec(1, BarAggregation.MINUTE), websocket=True) == "1m"
    assert bar_spec_to_interval(spec(1, BarAggregation.HOUR)) == "1H"
    assert bar_spec_to_interval(spec(4, BarAggregation.HOUR)) == "4H"
    assert bar_spec_to_interval(spec(6, BarAggregation.HOUR)) == "6Hutc"
    assert bar_spec_to_interval(spec(1, BarAggregation.DAY)) == "1Dutc"
    assert bar_spec_to_interval(spec(1, BarAggregation.WEEK)) == "1Wutc"
    assert bar_spec_to_interval(spec(1, BarAggregation.MONTH)) == "1Mutc"
    assert bar_spec_to_interval(spec(3, BarAggregation.MINUTE)) == "3m"
    with pytest.raises(BitgetBarSpecError, match="supported"):
        bar_spec_to_interval(spec(3, BarAggregation.MINUTE), websocket=True)
    with pytest.raises(BitgetBarSpecError):
        bar_spec_to_interval(spec(2, BarAggregation.HOUR))
    assert interval_to_bar_spec("12Hutc") == spec(12, BarAggregation.HOUR)
    # month close = first day of the next month (UTC)
    jan31 = 1706659200 * 1_000_000_000  # 2024-01-31 00:00 UTC
    dec1 = 1701388800 * 1_000_000_000  # 2023-12-01
    assert bar_close_ns(spec(1, BarAggregation.MONTH), dec1) == 1704067200 * 1_000_000_000
    assert bar_close_ns(spec(1, BarAggregation.DAY), jan31) == jan31 + 86_400 * 1_000_000_000
    mark = BarType.from_str("BTCUSDT-PERP.BITGET-1-MINUTE-MARK-EXTERNAL")
    assert kline_type_for(mark) == "mark"
    last = BarType.from_str("BTCUSDT-PERP.BITGET-1-MINUTE-LAST-EXTERNAL")
    assert kline_type_for(last, {"kline_type": "index"}) == "index"
    with pytest.raises(BitgetBarSpecError):
        kline_type_for(BarType.from_str("BTCUSDT-PERP.BITGET-1-MINUTE-BID-EXTERNAL"))


def test_symbol_status(ctx: BookContext) -> None:
    status = parse_symbol_status_to_instrument_status("maintain", ctx.instrument_id, 1, 2)
    assert status.action == MarketStatusAction.HALT and status.is_trading is False
    normal = parse_symbol_status_to_instrument_status("normal", ctx.instrument_id, 1, 2)
    assert normal.action == MarketStatusAction.TRADING and normal.is_trading
    unknown = parse_symbol_status_to_instrument_status("weird", ctx.instrument_id, 1, 2)
    assert unknown.action == MarketStatusAction.NOT_AVAILABLE_FOR_TRADING


def test_settled_funding_rates_stamped_before_their_time() -> None:
    """bitget-protocol.md 4.7: the shared shape of the data request and ``bitget-nt download``."""
    from nautilus_trader.model.identifiers import InstrumentId

    from nautilus_bitget.parsing.market import parse_funding_history_to_updates

    iid = InstrumentId.from_str("BTCUSDT-PERP.BITGET")
    hour = 3_600_000
    t0 = 1_700_000_000_000 // (8 * hour) * (8 * hour)
    rows = [
        (t0 + 12 * hour, "0.0003"),
        (t0, "0.0001"),
        (t0 + 8 * hour, "bad"),
        (t0 + 16 * hour, "-2E-4"),
    ]
    bad: list[int] = []
    updates = parse_funding_history_to_updates(
        rows,
        iid,
        480,
        keep=lambda stamp: stamp > t0 * 1_000_000,
        on_malformed=lambda: bad.append(1),
    )
    assert [(u.next_funding_ns // 1_000_000, str(u.rate), u.interval) for u in updates] == [
        (t0 + 12 * hour, "0.0003", 240),  # 4 h after the previous settlement
        (t0 + 16 * hour, "-0.0002", 240),
    ]
    assert all(u.ts_event == u.ts_init == u.next_funding_ns - 1_000_000 for u in updates)
    assert bad == [1]  # the malformed row at t0 + 8 h (t0 itself is not kept)
