"""Book integrity: seq/pseq chain, crc32 checksum over the top 25 levels of wire strings."""

from __future__ import annotations

import zlib

from nautilus_bitget.common.book import BookCheck
from nautilus_bitget.common.book import BookIntegrity
from nautilus_bitget.common.book import book_checksum


def expected_crc(bids: list[tuple[str, str]], asks: list[tuple[str, str]]) -> int:
    """Independent implementation of bitget-protocol.md 6.1 for the test."""
    fields = []
    for i in range(25):
        if i < len(bids):
            fields += [bids[i][0], bids[i][1]]
        if i < len(asks):
            fields += [asks[i][0], asks[i][1]]
    value = zlib.crc32(":".join(fields).encode("utf-8")) & 0xFFFFFFFF
    return value - 2**32 if value > 2**31 - 1 else value


def make_book(n_bids: int, n_asks: int) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    bids = [(f"{27000 - i * 0.5:.1f}", f"{1 + i}.{i:03d}") for i in range(n_bids)]
    asks = [(f"{27000.5 + i * 0.5:.1f}", f"{2 + i}.{i:03d}") for i in range(n_asks)]
    return bids, asks


def test_checksum_example_from_docs_shape() -> None:
    # 1 bid and 3 asks: b1p:b1s:a1p:a1s:a2p:a2s:a3p:a3s (missing entries skipped)
    bids = [("3366.1", "7.0")]
    asks = [("3366.8", "9.6"), ("3368", "8.3"), ("3372", "1")]
    text = "3366.1:7.0:3366.8:9.6:3368:8.3:3372:1"
    crc = zlib.crc32(text.encode())
    assert book_checksum(bids, asks) == (crc - 2**32 if crc >= 2**31 else crc)


def test_checksum_keeps_wire_text_and_top_25() -> None:
    bids, asks = make_book(40, 30)
    bids[0] = ("27000.0", "113.40")  # trailing zero must stay
    assert book_checksum(bids[:25], asks[:25]) == expected_crc(bids, asks)
    assert book_checksum(bids[:25], asks[:25]) != expected_crc(
        [("27000.0", "113.4"), *bids[1:]],
        asks,
    )


def test_seq_chain_ok_and_gap() -> None:
    integrity = BookIntegrity(verify_checksum=False)
    bids, asks = make_book(5, 5)
    assert integrity.on_update(11, 10, [], [], None) is BookCheck.WAITING
    assert integrity.on_snapshot(10, bids, asks) is BookCheck.OK
    assert integrity.on_update(11, 10, [("27000.0", "1")], [], None) is BookCheck.OK
    assert integrity.on_update(12, 11, [], [], None) is BookCheck.EMPTY
    assert integrity.last_seq == 12
    assert integrity.on_update(14, 13, [("27000.0", "2")], [], None) is BookCheck.GAP
    assert not integrity.synced
    # frames are refused until the next snapshot
    assert integrity.on_update(15, 14, [("27000.0", "2")], [], None) is BookCheck.WAITING
    assert integrity.on_snapshot(100, bids, asks) is BookCheck.OK
    assert integrity.on_update(101, 100, [("27000.0", "3")], [], None) is BookCheck.OK


def test_seq_beyond_2_pow_53_is_exact() -> None:
    integrity = BookIntegrity(verify_checksum=False)
    seq = 1483653649791156272
    integrity.on_snapshot(seq, [], [])
    assert integrity.on_update(seq + 1, seq, [("1", "1")], [], None) is BookCheck.OK
    assert integrity.on_update(seq + 3, seq + 2, [("1", "1")], [], None) is BookCheck.GAP


def test_checksum_verified_on_constructed_book() -> None:
    integrity = BookIntegrity(verify_checksum=True)
    bids, asks = make_book(30, 30)
    integrity.on_snapshot(1, bids, asks)
    assert integrity.tracking_book
    # update: change best bid size, delete the second ask, add a new best ask
    upd_bids = [("27000.0", "5.500")]
    upd_asks = [("27001.0", "0"), ("27000.2", "0.010")]
    new_bids = [("27000.0", "5.500"), *bids[1:]]
    new_asks = [("27000.2", "0.010"), asks[0], *asks[2:]]
    good = expected_crc(new_bids, new_asks)
    assert integrity.on_update(2, 1, upd_bids, upd_asks, good) is BookCheck.OK
    assert integrity.wire_top(25) == (new_bids[:25], new_asks[:25])
    # a zero checksum on an update is not verified
    assert integrity.on_update(3, 2, [("26999.0", "1.000")], [], 0) is BookCheck.OK
    # a wrong checksum is a fault: reset and wait for a snapshot
    assert integrity.on_update(4, 3, [("26999.0", "2.000")], [], good) is BookCheck.CHECKSUM
    assert not integrity.synced
    assert integrity.on_update(5, 4, [], [], None) is BookCheck.WAITING


def test_no_checksum_key_stops_tracking() -> None:
    integrity = BookIntegrity(verify_checksum=True)
    bids, asks = make_book(3, 3)
    integrity.on_snapshot(1, bids, asks)
    assert integrity.on_update(2, 1, [("27000.0", "9")], [], None) is BookCheck.OK
    assert not integrity.tracking_book
    assert integrity.on_update(3, 2, [("27000.0", "8")], [], 12345) is BookCheck.OK


def test_checksum_disabled_by_config() -> None:
    integrity = BookIntegrity(verify_checksum=False)
    integrity.on_snapshot(1, *make_book(3, 3))
    assert not integrity.tracking_book
    assert integrity.on_update(2, 1, [("27000.0", "9")], [], 42) is BookCheck.OK
