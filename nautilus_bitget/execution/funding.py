"""``FundingPoller``: poll the funding ledger and publish ``BitgetFundingPayment`` (deduped)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from nautilus_trader.common.component import LiveClock
from nautilus_trader.model.identifiers import InstrumentId
from nautilus_trader.model.objects import Currency
from nautilus_trader.model.objects import Money

from nautilus_bitget.api.trading import TradingApi
from nautilus_bitget.common.errors import BitgetError
from nautilus_bitget.common.symbol import instrument_id_for_symbol
from nautilus_bitget.execution.context import ExecTimings
from nautilus_bitget.execution.context import Session
from nautilus_bitget.execution.dedupe import Deduplicator
from nautilus_bitget.parsing import execution as px


@dataclass(frozen=True)
class BitgetFundingPayment:
    """A funding settlement from the account bill ledger (bitget-protocol.md 5.12)."""

    instrument_id: InstrumentId
    amount: Money  # + received, - paid
    bill_id: str
    ts_event: int
    ts_init: int


class FundingPoller:
    """
    Poll the funding ledger of the API family in use; publish each settlement once.

    Payments go to the message bus topic ``bitget.funding.<instrument_id>``; after new ones the
    account state is refreshed.

    Parameters
    ----------
    api : TradingApi
        The API family in use.
    product_types : tuple[str, ...]
        The configured product types.
    session : Session
        Bills are read from ``session.connected_ms`` on.
    bill_ids : Deduplicator
        Bills already published (bounded).
    currency : Callable[[str], Currency]
        Currency by code.
    refresh_account : Callable[[], Awaitable[None]]
        Re-reads balances and positions.
    publish : Callable[..., None]
        ``MessageBus.publish``.
    clock : LiveClock
        ``ts_init`` of the payments.
    timings : ExecTimings
        ``funding_poll_secs``.
    log : Logger
        The client's logger.

    """

    def __init__(
        self,
        api: TradingApi,
        product_types: tuple[str, ...],
        session: Session,
        bill_ids: Deduplicator,
        *,
        currency: Callable[[str], Currency],
        refresh_account: Callable[[], Awaitable[None]],
        publish: Callable[..., None],
        clock: LiveClock,
        timings: ExecTimings,
        log: Any,
    ) -> None:
        self._api = api
        self._product_types = product_types
        self._session = session
        self._bill_ids = bill_ids
        self._currency = currency
        self._refresh_account = refresh_account
        self._publish = publish
        self._clock = clock
        self._timings = timings
        self._log = log

    async def run(self) -> None:
        """Poll every ``funding_poll_secs`` until cancelled."""
        while True:
            await asyncio.sleep(self._timings.funding_poll_secs)
            await self.poll()

    async def poll(self) -> None:
        """Publish new funding settlements from the ledger, deduplicated by bill / record id."""
        new = False
        for product_type in self._product_types:
            try:
                bills = await self._api.funding_bills(product_type, self._session.connected_ms)
            except BitgetError as e:
                self._log.warning(f"Funding ledger poll failed: {e}")
                continue
            for bill in sorted(bills, key=lambda b: (len(b.billId), b.billId)):
                if not bill.symbol or not self._bill_ids.first_time(bill.billId):
                    continue
                self._publish_payment(bill)
                new = True
        if new:
            await self._refresh_account()

    def _publish_payment(self, bill: Any) -> None:
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
        self._publish(topic=f"bitget.funding.{instrument_id}", msg=payment)
