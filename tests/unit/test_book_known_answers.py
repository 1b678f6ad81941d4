"""
Book integrity against answers from outside our own reading of the docs (bitget-protocol.md 6.1,
9.6): ccxt's Bitget order-book handler (an independent implementation, in the test extras) must
accept the crc32 our ``BookIntegrity`` accepts over the same frames, and refuse a wrong one; the
seq/pseq chain holds over non-consecutive seqs and a one-step gap is a gap.
"""

from __future__ import annotations

from typing import Any

import ccxt.pro as ccxtpro

from nautilus_bitget.common.book import BookCheck
from nautilus_bitget.common.book import BookIntegrity
from nautilus_bitget.common.book import book_checksum


class _Client:
    def __init__(self) -> None:
        self.resolved = 0

    def resolve(self, _book: Any, _hash: str) -> None:
        self.resolved += 1


class _Ccxt(ccxtpro.bitget):
    """ccxt's Bitget handler; ``spawn`` is only used to report a checksum error: record it."""

    def __init__(self) -> None:
        super().__init__()
        self.checksum_errors = 0

    def spawn(self, method, *args):  # type: ignore[no-untyped-def]
        self.checksum_errors += 1


def _frame(action: str, bids: list, asks: list, checksum: int, seq: int, pseq: int) -> dict:
    return {
        "action": action,
        "arg": {"instType": "USDT-FUTURES", "channel": "books", "instId": "BTCUSDT"},
        "data": [
            {"asks": asks, "bids": bids, "checksum": checksum, "seq": seq, "pseq": pseq, "ts": "1"}
        ],
        "ts": 1,
    }


def _apply(side: dict[str, str], levels: list[list[str]]) -> None:
    for price, size in levels:
        if float(size) == 0:
            side.pop(price, None)
        else:
            side[price] = size


def _top(side: dict[str, str], descending: bool) -> list[tuple[str, str]]:
    return sorted(side.items(), key=lambda kv: float(kv[0]), reverse=descending)


def test_crc32_agrees_with_ccxt_over_the_same_frames() -> None:
    # 30 levels per side (the checksum covers the best 25), wire strings with trailing zeros
    bids = [[f"{27000 - i * 0.5:.1f}", f"{1 + i / 1000:.3f}"] for i in range(30)]
    asks = [[f"{27000.5 + i * 0.5:.1f}", f"{2 + i / 100:.2f}0"] for i in range(30)]
    updates = [
        ([["27000.0", "0"]], [["27000.5", "0.500"]]),  # delete the best bid, change the best ask
        ([["26999.9", "4.000"]], []),  # insert between levels
        ([], [["27010.0", "0"], ["27020.0", "1.250"]]),  # beyond the top 25 and back in
    ]
    ccxt, client = _Ccxt(), _Client()
    integrity = BookIntegrity(verify_checksum=True)
    ccxt.handle_order_book(client, _frame("snapshot", bids, asks, 0, 1000, 0))
    assert integrity.on_snapshot(1000, [tuple(b) for b in bids], [tuple(a) for a in asks]) is (
        BookCheck.OK
    )
    book_b = {p: s for p, s in bids}
    book_a = {p: s for p, s in asks}
    seq = 1000
    for upd_bids, upd_asks in updates:
        _apply(book_b, upd_bids)
        _apply(book_a, upd_asks)
        ours = book_checksum(_top(book_b, True)[:25], _top(book_a, False)[:25])
        # ccxt's handler verifies the checksum the venue would send: it must accept ours
        ccxt.handle_order_book(client, _frame("update", upd_bids, upd_asks, ours, seq + 3, seq))
        assert ccxt.checksum_errors == 0, "ccxt refused our checksum"
        check = integrity.on_update(
            seq + 3, seq, [tuple(b) for b in upd_bids], [tuple(a) for a in upd_asks], ours
        )
        assert check is BookCheck.OK
        seq += 3
    assert client.resolved == 1 + len(updates)
    # and both refuse a wrong one
    bad = ours ^ 1
    ccxt.handle_order_book(client, _frame("update", [["26999.9", "5"]], [], bad, seq + 1, seq))
    assert ccxt.checksum_errors == 1
    assert integrity.on_update(seq + 1, seq, [("26999.9", "5")], [], bad) is BookCheck.CHECKSUM


def test_non_consecutive_seq_chain_and_one_step_gap() -> None:
    big = 1_483_653_649_791_156_272  # COIN-M seqs exceed 2**53 (6.1)
    integrity = BookIntegrity(verify_checksum=False)
    assert integrity.on_snapshot(big, [("1", "1")], [("2", "1")]) is BookCheck.OK
    seq = big
    for step in (3, 1, 2, 17, 1):  # seqs increase, not by one: pseq == previous seq is the rule
        assert integrity.on_update(seq + step, seq, [("1", "2")], [], None) is BookCheck.OK
        seq += step
    assert integrity.last_seq == big + 24
    # one update lost (seq + 1): the next pseq is one more than the last seq seen
    assert integrity.on_update(seq + 3, seq + 1, [("1", "3")], [], None) is BookCheck.GAP
    assert not integrity.synced
    # an older pseq (a replayed frame) is a gap too
    integrity.on_snapshot(500, [("1", "1")], [("2", "1")])
    assert integrity.on_update(502, 499, [("1", "3")], [], None) is BookCheck.GAP
