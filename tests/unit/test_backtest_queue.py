"""The ``queue`` fill model's queue positions (``backtest/queue.py``, bitget-protocol.md 9.8)."""

from __future__ import annotations

from decimal import Decimal

from nautilus_bitget.backtest.queue import QueuePositions


D = Decimal
BID, ASK = True, False
T1, T2 = 1_000, 2_000


def book(levels: dict[tuple[bool, str], str]):
    """A level reader over ``{(is_buy, price): size}``."""
    return lambda is_buy, price: D(levels.get((is_buy, str(price)), "0"))


def test_joins_the_back_and_trades_at_the_price_consume_the_queue_first() -> None:
    q = QueuePositions()
    q.rest("a", BID, D("100.0"), D("1.5"))
    levels = book({(BID, "100.0"): "1.5"})
    q.trade(D("100.0"), D("1.0"), False, T1, levels)  # a seller takes 1.0 of the 1.5 ahead
    assert q.take_allowance("a", D("0.01")) == 0
    assert q.ahead("a") == D("0.5")
    q.trade(D("100.0"), D("0.7"), False, T1, levels)  # 0.5 ahead, 0.2 left for us
    assert q.take_allowance("a", D("0.5")) == D("0.2")
    assert q.take_allowance("a", D("0.5")) == 0  # not granted twice


def test_buyer_trades_do_not_touch_bids_and_a_trade_through_fills() -> None:
    q = QueuePositions()
    q.rest("a", BID, D("100.0"), D("3"))
    q.trade(D("100.0"), D("5"), True, T1, book({}))
    assert q.ahead("a") == 3
    q.trade(D("99.9"), D("0.004"), False, T2, book({(BID, "100.0"): "3"}))  # through our bid
    assert q.take_allowance("a", D("0.01")) == D("0.004")


def test_the_trades_of_one_instant_fill_the_same_in_any_order() -> None:
    # a buyer sweeps 0.154 at our ask's level (all of it ahead of us), then 0.002 one tick higher
    sweep = [(D("100.1"), D("0.154")), (D("100.2"), D("0.002"))]
    for trades in (sweep, sweep[::-1]):
        q = QueuePositions()
        q.rest("a", ASK, D("100.1"), D("0.154"))
        q.book_message(T1, book({(ASK, "100.1"): "0.154"}))
        granted = Decimal(0)
        for price, size in trades:
            q.trade(price, size, True, T1, book({(ASK, "100.1"): "0.154"}))
            granted += q.take_allowance("a", D("0.01") - granted)
        assert granted == D("0.002")


def test_shrinking_level_moves_the_order_up_after_the_same_time_trades() -> None:
    q = QueuePositions()
    q.rest("a", ASK, D("100.1"), D("1.0"))
    # the venue matched a 0.4 buyer at 100.1 and 0.3 was cancelled: the book message shows 0.3,
    # then the trade of the same venue time arrives
    before = book({(ASK, "100.1"): "1.0"})
    after = book({(ASK, "100.1"): "0.3"})
    q.book_message(T1, before)
    q.trade(D("100.1"), D("0.4"), True, T1, after)
    assert q.ahead("a") == D("0.6")  # the taker is counted once, the cap waits
    q.book_message(T2, after)  # the next message applies the cap of the previous one
    assert q.ahead("a") == D("0.3")


def test_a_trade_of_a_later_time_applies_the_pending_cap_first() -> None:
    q = QueuePositions()
    q.rest("a", ASK, D("100.1"), D("1.0"))
    q.book_message(T1, book({(ASK, "100.1"): "1.0"}))
    shown = book({(ASK, "100.1"): "0.2"})  # cancels ahead of us, no trade at T1
    q.trade(D("100.1"), D("0.25"), True, T2, shown)
    assert q.ahead("a") == 0
    assert q.take_allowance("a", D("0.01")) == D("0.01")


def test_a_new_price_goes_to_the_back_and_gone_orders_are_forgotten() -> None:
    q = QueuePositions()
    q.rest("a", BID, D("100.0"), D("1"))
    q.trade(D("100.0"), D("0.6"), False, T1, book({}))
    q.rest("a", BID, D("100.0"), D("9"))  # same price: keeps its place
    assert q.ahead("a") == D("0.4")
    q.rest("a", BID, D("100.1"), D("2"))  # modified: back of the new level
    assert q.ahead("a") == 2
    q.keep_only(set())
    assert q.ahead("a") is None
    assert len(q) == 0
