"""Funding payments: poll the bill ledger and publish ``BitgetFundingPayment``."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from nautilus_trader.model.identifiers import InstrumentId
from nautilus_trader.model.objects import Money

from nautilus_bitget.common.errors import BitgetError
from nautilus_bitget.common.symbol import instrument_id_for_symbol
from nautilus_bitget.execution._common import _MIX
from nautilus_bitget.parsing import execution as px
from nautilus_bitget.parsing import execution_v3 as p3
from nautilus_bitget.schemas.account import BitgetBills


@dataclass(frozen=True)
class BitgetFundingPayment:
    """A funding settlement from the account bill ledger (bitget-protocol.md 5.12)."""

    instrument_id: InstrumentId
    amount: Money  # + received, - paid
    bill_id: str
    ts_event: int
    ts_init: int


class FundingMixin:
    """Poll funding bills (v2 bills / v3 financial records), dedupe and publish them."""

    async def _poll_funding_loop(self) -> None:
        while True:
            await asyncio.sleep(self.funding_poll_secs)
            await self._poll_funding()

    async def _poll_funding(self) -> None:
        """Publish new funding settlements from the ledger of the API in use, deduped by id."""
        fetch = self._funding_bills_v3 if self._uta else self._funding_bills_v2
        new = False
        for product_type in self._product_types:
            try:
                bills = await fetch(product_type)
            except BitgetError as e:
                self._log.warning(f"Funding ledger poll failed: {e}")
                continue
            for bill in sorted(bills, key=lambda b: (len(b.billId), b.billId)):
                if bill.billId in self._bill_ids or not bill.symbol:
                    continue
                self._bill_ids.add(bill.billId)
                self._publish_funding(bill)
                new = True
        if new:
            await self._update_account_state()

    async def _funding_bills_v2(self, product_type: str) -> list[Any]:
        """``contract_settle_fee`` bills since connect (bitget-protocol.md 5.12)."""
        page = await self._http.get(
            f"{_MIX}/account/bill",
            {
                "productType": product_type,
                "businessType": "contract_settle_fee",
                "startTime": self._connected_ms,
                "limit": 100,
            },
            signed=True,
            decoder=BitgetBills,
        )
        return list((page.bills if page else None) or [])

    async def _funding_bills_v3(self, product_type: str) -> list[Any]:
        """
        Funding rows of ``financial-records`` (bitget-protocol-uta.md 3.1) as v2 bills.

        The ledger's ``type`` filter and enum are unsure in the doc, so every row since a
        watermark is read (cursor pages) and funding is picked by type (``p3.funding_bill``).
        The watermark moves to the newest row (minus a minute; ids dedupe) only after a
        complete read.
        """
        since = self._ledger_since.get(product_type, self._connected_ms)
        max_pages = 20
        rows = await self._pages_v3(
            lambda cursor: self._v3_account.financial_records(
                product_type, start_time=since, limit=100, cursor=cursor
            ),
            max_pages=max_pages,
        )
        if len(rows) < max_pages * 100:
            newest = max((int(px.text(r.ts) or 0) for r in rows), default=0)
            self._ledger_since[product_type] = max(since, newest - 60_000)
        return [bill for bill in map(p3.funding_bill, rows) if bill is not None]

    def _publish_funding(self, bill: Any) -> None:
        amount = px.dec(bill.amount) or Decimal(0)
        currency = self._currency((bill.coin or "USDT").upper())
        instrument_id = instrument_id_for_symbol(bill.symbol)
        payment = BitgetFundingPayment(
            instrument_id=instrument_id,
            amount=Money(amount, currency),
            bill_id=bill.billId,
            ts_event=px.ms_to_ns(bill.cTime),
            ts_init=self._clock.timestamp_ns(),
        )
        self._log.info(f"Funding {instrument_id}: {payment.amount} (bill {bill.billId})")
        self._msgbus.publish(topic=f"bitget.funding.{instrument_id}", msg=payment)
