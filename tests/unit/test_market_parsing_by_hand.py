"""
Market parsing edges by hand (bitget-protocol.md 4.2, 4.7, 6.1): funding times of ``0`` / ``-1``
mean none, intervals inferred in whole minutes, short candle rows refused with one line, unknown
statuses are not trading, candle rows out of order.
"""

from __future__ import annotations

import msgspec
import pytest
from nautilus_trader.model.enums import MarketStatusAction
from nautilus_trader.model.identifiers import InstrumentId

from nautilus_bitget.parsing.market import CandleCloser
from nautilus_bitget.parsing.market import parse_funding_history_to_updates
from nautilus_bitget.parsing.market import parse_symbol_status_to_instrument_status
from nautilus_bitget.parsing.market import parse_ticker_to_funding_rate
from nautilus_bitget.schemas.ws_public import BitgetWsTicker


IID = InstrumentId.from_str("BTCUSDT-PERP.BITGET")
HOUR_MS = 3_600_000


def _ticker(next_funding: str) -> BitgetWsTicker:
    row = {"instId": "BTCUSDT", "fundingRate": "0.0001", "nextFundingTime": next_funding, "ts": "5"}
    return msgspec.convert(row, BitgetWsTicker)


@pytest.mark.parametrize("value", ["0", "-1", ""])
def test_ticker_without_a_next_funding_time(value: str) -> None:
    update = parse_ticker_to_funding_rate(_ticker(value), IID, 480, 9)
    assert update is not None and update.next_funding_ns is None
    assert (update.ts_event, update.ts_init, update.interval) == (5_000_000, 9, 480)


def test_ticker_next_funding_time_in_ns() -> None:
    update = parse_ticker_to_funding_rate(_ticker("1700000000000"), IID, None, 9)
    assert update is not None and update.next_funding_ns == 1_700_000_000_000_000_000


def test_history_intervals_whole_minutes_first_row_default() -> None:
    t0 = 1_700_006_400_000  # a settlement time (ms)
    rows = [(t0, "0.0001"), (t0 + 4 * HOUR_MS, "0.0002"), (t0 + 5 * HOUR_MS, "0.0003")]
    updates = parse_funding_history_to_updates(rows, IID, 480)
    assert [u.interval for u in updates] == [480, 240, 60]
    assert all(isinstance(u.interval, int) for u in updates)
    # a gap that is no Bitget interval (3 h) keeps the configured one
    odd = parse_funding_history_to_updates([(t0, "0.1"), (t0 + 3 * HOUR_MS, "0.2")], IID, 480)
    assert [u.interval for u in odd] == [480, 480]


def test_unknown_status_is_not_trading() -> None:
    status = parse_symbol_status_to_instrument_status("weird", IID, 1, 2)
    assert status.action == MarketStatusAction.NOT_AVAILABLE_FOR_TRADING
    assert status.is_trading is False
    assert (status.instrument_id, status.reason) == (IID, "weird")


def test_candle_closer_orders_rows_by_start() -> None:
    minute = 60_000

    def row(m: int) -> list[str]:
        return [str(m * minute), "1", "1", "1", "1", "1", "1", "1"]

    closer = CandleCloser()
    assert closer.on_snapshot([row(3), row(1), row(2)]) == []
    assert closer.on_update([row(5), row(4)]) == [row(3), row(4)]
    later = CandleCloser()
    later.on_update([row(0)])
    assert later.on_snapshot([row(2), row(0), row(1)]) == [row(0), row(1)]
