"""
The v3 (UTA) stream dialect: v3 pushes decode into the same parse inputs as v2 pushes and give
identical Nautilus objects; seq/pseq stay exact integers from numbers or strings.
"""

from __future__ import annotations

import json

import msgspec
import pytest
from nautilus_trader.model.data import BarType

from nautilus_bitget.api.family import build_api
from nautilus_bitget.api.streams import ClassicStreamDialect
from nautilus_bitget.api.streams import UnsupportedIntervalError
from nautilus_bitget.api.streams import UtaStreamDialect
from nautilus_bitget.api.streams import v3_ws_url
from nautilus_bitget.constants import BitgetProductType
from nautilus_bitget.http.client import BitgetHttpClient
from nautilus_bitget.parsing.book import BookContext
from nautilus_bitget.parsing.book import parse_books1_to_quote
from nautilus_bitget.parsing.book import parse_books_to_deltas
from nautilus_bitget.parsing.market import parse_candle_to_bar
from nautilus_bitget.parsing.market import parse_ticker_to_funding_rate
from nautilus_bitget.parsing.market import parse_ticker_to_index_price
from nautilus_bitget.parsing.market import parse_ticker_to_mark_price
from nautilus_bitget.parsing.market import parse_trade_to_trade_tick
from nautilus_bitget.schemas.ws_public import BitgetWsBook
from nautilus_bitget.schemas.ws_public import BitgetWsTicker
from nautilus_bitget.schemas.ws_public import BitgetWsTrade
from tests.instruments import btcusdt_perp
from tests.samples import UTA_SAMPLES


TS_INIT = 1_700_000_000_000_000_000
V2 = ClassicStreamDialect()
V3 = UtaStreamDialect()


@pytest.fixture
def ctx() -> BookContext:
    instrument = btcusdt_perp()
    return BookContext(instrument)


def _frame(dialect: ClassicStreamDialect, payload: dict):
    return dialect.frame_decoder.decode(json.dumps(payload).encode())


def _sample(name: str):
    return _frame(V3, json.loads((UTA_SAMPLES / name).read_text()))


def _v3_books(seq, pseq, checksum, action: str = "update") -> dict:
    return {
        "action": action,
        "arg": {"instType": "usdt-futures", "topic": "books", "symbol": "BTCUSDT"},
        "data": [
            {
                "a": [["100.5", "1.2"], ["100.7", "0"]],
                "b": [["100.1", "3"]],
                "seq": seq,
                "pseq": pseq,
                "checksum": checksum,
                "ts": "1746698732562",
            },
        ],
        "ts": 1746698732563,
    }


def test_v3_book_seq_exact_from_number_or_string() -> None:
    frame = _sample("ws_books1_snapshot_doc.json")
    assert V3.route(frame) == ("books1", "BTCUSDT")
    book = V3.decode_books(frame.data)[0]
    assert book.seq == 1304314508780744705 and book.pseq == 0  # > 2**53, not via float
    frame = _frame(V3, _v3_books("1343064377779269632", "1343064377779269631", "-431745958"))
    book = V3.decode_books(frame.data)[0]
    assert (book.seq, book.pseq, book.checksum) == (
        1343064377779269632,
        1343064377779269631,
        -431745958,
    )
    book = V3.decode_books(_frame(V3, _v3_books(5, 4, 0)).data)[0]
    assert book.checksum is None  # 0 = none sent: BookIntegrity stops tracking the wire book
    with pytest.raises(ValueError, match="seq"):
        V3.decode_books(_frame(V3, _v3_books("12x", 4, 1)).data)


def test_v3_book_deltas_equal_v2(ctx: BookContext) -> None:
    v3 = V3.decode_books(_frame(V3, _v3_books(9, 8, 77)).data)[0]
    v2 = BitgetWsBook(asks=v3.asks, bids=v3.bids, ts=v3.ts, seq=9, pseq=8, checksum=77)
    for snapshot in (True, False):
        a = parse_books_to_deltas(v3, ctx, snapshot, TS_INIT)
        b = parse_books_to_deltas(v2, ctx, snapshot, TS_INIT)
        assert a is not None and b is not None
        assert a.deltas == b.deltas
        assert [d.flags for d in a.deltas] == [d.flags for d in b.deltas]
    assert parse_books1_to_quote(v3, ctx, TS_INIT) == parse_books1_to_quote(v2, ctx, TS_INIT)


def test_v3_public_trade_equals_v2(ctx: BookContext) -> None:
    frame = _sample("ws_publicTrade_doc.json")
    assert V3.route(frame) == ("publicTrade", "BTCUSDT")  # sample echoes instId: accepted
    trade = V3.decode_trades(frame.data)[0]
    v2 = BitgetWsTrade(
        ts="1736348770627", price="100000", size="0.00118", side="buy",
        tradeId="1260903622036942849",
    )  # fmt: skip
    assert parse_trade_to_trade_tick(trade, ctx, TS_INIT) == parse_trade_to_trade_tick(
        v2, ctx, TS_INIT
    )


def test_v3_ticker_takes_envelope_ts_and_maps_fields(ctx: BookContext) -> None:
    frame = _sample("ws_ticker_doc.json")
    ticker = V3.decode_tickers(frame.data, frame.ts)[0]
    assert ticker.ts == "1695715383039"
    assert (ticker.bidPr, ticker.askPr, ticker.bidSz, ticker.askSz) == (
        "99999",
        "100000",
        "186.183209",
        "188.312553",
    )
    row = {"markPrice": "100001.2", "indexPrice": "100000.37", "fundingRate": "0.0001",
           "nextFundingTime": "1695744000000", "ts": "1695715383000"}  # fmt: skip
    payload = {
        "action": "update",
        "arg": {"instType": "usdt-futures", "topic": "ticker", "symbol": "BTCUSDT"},
        "data": [row],
        "ts": 1695715383039,
    }
    v3 = V3.decode_tickers(_frame(V3, payload).data, 1695715383039)[0]
    assert v3.ts == "1695715383000"  # a row's own ts wins
    v2 = BitgetWsTicker(**row)
    iid = ctx.instrument_id
    assert parse_ticker_to_mark_price(v3, ctx, TS_INIT) == parse_ticker_to_mark_price(
        v2, ctx, TS_INIT
    )
    assert parse_ticker_to_index_price(v3, ctx, TS_INIT) == parse_ticker_to_index_price(
        v2, ctx, TS_INIT
    )
    a = parse_ticker_to_funding_rate(v3, iid, 480, TS_INIT)
    b = parse_ticker_to_funding_rate(v2, iid, 480, TS_INIT)
    assert a == b and a is not None and a.next_funding_ns == b.next_funding_ns


def test_v3_kline_rows_and_bar(ctx: BookContext) -> None:
    frame = _sample("ws_kline_doc.json")
    assert V3.route(frame) == ("kline:1D", "BTCUSDT")
    rows = V3.decode_candles(frame.data)
    assert rows == [
        ["1710518400000", "276670", "400005", "276670", "400005", "0.423", "148190.38375"],
    ]
    bar_type = BarType.from_str("BTCUSDT-PERP.BITGET-1-DAY-LAST-EXTERNAL")
    bar = parse_candle_to_bar(rows[0], bar_type, ctx, TS_INIT)
    assert bar.ts_event == (1710518400000 + 86_400_000) * 1_000_000


def test_subscription_args_and_channels() -> None:
    usdt = BitgetProductType.USDT_FUTURES
    assert V2.arg("books", "BTCUSDT", usdt) == {
        "instType": "USDT-FUTURES",
        "channel": "books",
        "instId": "BTCUSDT",
    }
    assert V3.arg(V3.depth, "BTCPERP", BitgetProductType.USDC_FUTURES) == {
        "instType": "usdc-futures",
        "topic": "books50",
        "symbol": "BTCPERP",
    }
    assert V3.arg(V3.candle_channel("1m"), "BTCUSD", BitgetProductType.COIN_FUTURES) == {
        "instType": "coin-futures",
        "topic": "kline",
        "symbol": "BTCUSD",
        "interval": "1m",
    }
    assert V2.candle_channel("1m") == "candle1m"
    with pytest.raises(UnsupportedIntervalError, match="3D"):
        V3.candle_channel("3D")
    with pytest.raises(UnsupportedIntervalError, match="3m"):
        V2.candle_channel("3m")
    assert V3.candle_channel("3m") == "kline:3m"
    http = BitgetHttpClient("http://127.0.0.1:9")  # never used: the dialect is the family's
    assert build_api("uta", http).streams.api == "v3"
    assert build_api("classic", http).streams.api == "v2"


def test_v3_ws_url() -> None:
    assert v3_ws_url("wss://ws.bitget.com/v2/ws/public") == "wss://ws.bitget.com/v3/ws/public"
    assert v3_ws_url("ws://127.0.0.1:8480/v2/ws/public") == "ws://127.0.0.1:8480/v3/ws/public"
    assert v3_ws_url("wss://wspap.bitget.com/v3/ws/public") == "wss://wspap.bitget.com/v3/ws/public"


def test_malformed_v3_frames_raise_decode_errors() -> None:
    with pytest.raises(msgspec.DecodeError):
        V3.frame_decoder.decode(b'{"action":"update","arg":{"topic":"bo')
    frame = _frame(V3, {"action": "update", "arg": {"topic": "books", "symbol": "X"},
                        "data": [{"a": None}]})  # fmt: skip
    with pytest.raises(msgspec.ValidationError):
        V3.decode_books(frame.data)
