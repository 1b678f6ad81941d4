"""
Book parsing by hand (bitget-protocol.md 6.1): ``books15`` -> ``OrderBookDepth10`` (best 10, zero
sizes dropped, sides padded with empty orders of count 0, real levels count 1), ``books1`` ->
quote (``None`` when a side is empty), REST levels -> snapshot; times are ms -> ns.
"""

from __future__ import annotations

from nautilus_trader.model.enums import BookAction
from nautilus_trader.model.enums import OrderSide

from nautilus_bitget.parsing.book import BookContext
from nautilus_bitget.parsing.book import parse_books1_to_quote
from nautilus_bitget.parsing.book import parse_books15_to_depth10
from nautilus_bitget.parsing.book import parse_levels_to_snapshot
from nautilus_bitget.schemas.ws_public import BitgetWsBook
from tests.unit.test_parsing_market import make_instrument


TS_MS = "1700000000123"
TS_NS = 1_700_000_000_123_000_000


def _ctx() -> BookContext:
    return BookContext(make_instrument(1, 3, "0.5", "0.001"))


def test_depth10_truncates_drops_zero_and_counts() -> None:
    bids = [(f"{100 - i}.0", "1.000") for i in range(12)]
    bids[1] = ("99.0", "0")  # a zero level is not a level
    asks = [(f"{200 + i}.0", "2.000") for i in range(11)]
    depth = parse_books15_to_depth10(
        BitgetWsBook(asks=asks, bids=bids, ts=TS_MS, seq=None), _ctx(), 5
    )
    kept = [p for p, s in bids[:10] if s != "0"]  # the 10 best levels, less the zero one
    assert [str(o.price) for o in depth.bids[:9]] == kept
    assert len(depth.bids) == 10 and len(depth.asks) == 10  # padded to the longer side
    assert depth.bid_counts == [1] * 9 + [0]
    assert depth.bids[-1].side == OrderSide.NO_ORDER_SIDE
    assert (depth.bids[-1].price.raw, depth.bids[-1].size.raw) == (0, 0)
    assert depth.ask_counts == [1] * 10
    assert [str(o.price) for o in depth.asks] == [p for p, _ in asks[:10]]
    assert all(o.order_id == 0 for o in depth.bids + depth.asks)
    assert (depth.sequence, depth.ts_event, depth.ts_init) == (0, TS_NS, 5)


def test_depth10_shallow_book_padded_and_seq_kept() -> None:
    book = BitgetWsBook(asks=[("201.0", "1.000")], bids=[], ts=TS_MS, seq=42)
    depth = parse_books15_to_depth10(book, _ctx(), 5)
    # Nautilus fills a shallow depth up to 10 levels itself
    assert (depth.bid_counts[:1], depth.ask_counts[:1]) == ([0], [1])
    assert depth.bids[0].side == OrderSide.NO_ORDER_SIDE
    assert str(depth.asks[0].price) == "201.0"
    assert depth.sequence == 42


def test_books1_quote_and_one_sided_book() -> None:
    ctx = _ctx()
    quote = parse_books1_to_quote(
        BitgetWsBook(asks=[("201.0", "2.000")], bids=[("200.5", "1.000")], ts=TS_MS), ctx, 5
    )
    assert quote is not None
    assert (str(quote.bid_price), str(quote.ask_price), quote.ts_event) == (
        "200.5",
        "201.0",
        TS_NS,
    )
    assert (
        parse_books1_to_quote(BitgetWsBook(asks=[("201.0", "2")], bids=[], ts=TS_MS), ctx, 5)
        is None
    )
    assert (
        parse_books1_to_quote(BitgetWsBook(asks=[], bids=[("200.5", "1")], ts=TS_MS), ctx, 5)
        is None
    )


def test_rest_levels_snapshot_sequence() -> None:
    ctx = _ctx()
    plain = parse_levels_to_snapshot([("200.5", "1.000")], [("201.0", "2.000")], ctx, TS_MS, 5)
    assert plain.deltas[0].action == BookAction.CLEAR
    assert {d.sequence for d in plain.deltas} == {0}
    stamped = parse_levels_to_snapshot(
        [("200.5", "1.000")], [("201.0", "2.000")], ctx, TS_MS, 5, sequence=9
    )
    assert {d.sequence for d in stamped.deltas} == {9}
    assert stamped.deltas[-1].ts_event == TS_NS
