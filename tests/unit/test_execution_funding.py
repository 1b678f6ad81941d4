"""
``FundingPoller`` over Bitget's documented bill sample (bitget-protocol.md 5.12): the bill's
``amount`` is signed (paid < 0, received > 0) and is published as it is, once.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import msgspec
from nautilus_trader.common.component import LiveClock
from nautilus_trader.model.currencies import USDT
from nautilus_trader.model.identifiers import InstrumentId
from nautilus_trader.model.objects import Currency
from nautilus_trader.model.objects import Money

from nautilus_bitget.execution.context import Session
from nautilus_bitget.execution.dedupe import Deduplicator
from nautilus_bitget.execution.funding import FundingPoller
from nautilus_bitget.schemas.account import BitgetBills
from tests.samples import SAMPLES


class _Ledger:
    """The one API call the poller makes, answering the documented sample page."""

    def __init__(self, bills: list[Any]) -> None:
        self.bills = bills

    async def funding_bills(self, product_type: str, since_ms: int) -> list[Any]:
        return list(self.bills)


class _Log:
    def info(self, msg: str) -> None:
        pass

    def warning(self, msg: str) -> None:
        pass


def _sample_bills() -> list[Any]:
    page = json.loads((SAMPLES / "rest_account_bill_funding_fee.json").read_text())["data"]
    return list(msgspec.convert(page, BitgetBills).bills)


async def test_paid_funding_is_negative_and_published_once() -> None:
    published: list[tuple[str, Any]] = []
    refreshed: list[int] = []

    async def refresh() -> None:
        refreshed.append(1)

    received = _sample_bills()
    paid = msgspec.structs.replace(received[0], billId="2", amount="0.0025", cTime="1700728034997")
    poller = FundingPoller(
        _Ledger([*received, paid]),  # type: ignore[arg-type]
        ("USDT-FUTURES",),
        Session(),
        Deduplicator(100),
        currency=lambda code: Currency.from_str(code),
        refresh_account=refresh,
        publish=lambda topic, msg: published.append((topic, msg)),
        clock=LiveClock(),
        timings=None,  # type: ignore[arg-type]
        log=_Log(),
    )
    await poller.poll()
    await poller.poll()  # the same bills again: nothing new
    btc = InstrumentId.from_str("BTCUSDT-PERP.BITGET")
    assert [(t, m.instrument_id, m.amount, m.bill_id) for t, m in published] == [
        (f"bitget.funding.{btc}", btc, Money(Decimal("0.0025"), USDT), "2"),
        (f"bitget.funding.{btc}", btc, Money(Decimal("-0.004992"), USDT), "1111499428100472833"),
    ]
    assert published[1][1].ts_event == 1700728034996 * 1_000_000
    assert refreshed == [1]
