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
from nautilus_bitget.parsing import execution as px


@dataclass(frozen=True)
class BitgetFundingPayment:
    """A funding settlement from the account bill ledger (bitget-protocol.md 5.12)."""

    instrument_id: InstrumentId
    amount: Money  # + received, - paid
    bill_id: str
    ts_event: int
    ts_init: int


class FundingMixin:
    """Poll the funding ledger of the API family in use, dedupe and publish the payments."""

    async def _poll_funding_loop(self) -> None:
        while True:
            await asyncio.sleep(self.funding_poll_secs)
            await self._poll_funding()

    async def _poll_funding(self) -> None:
        """Publish new funding settlements from the ledger of the API in use, deduped by id."""
        new = False
        for product_type in self._routes.product_types:
            try:
                bills = await self._api.funding_bills(product_type, self._connected_ms)
            except BitgetError as e:
                self._log.warning(f"Funding ledger poll failed: {e}")
                continue
            for bill in sorted(bills, key=lambda b: (len(b.billId), b.billId)):
                if not bill.symbol or not self._bill_ids.first_time(bill.billId):
                    continue
                self._publish_funding(bill)
                new = True
        if new:
            await self._update_account_state()

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
