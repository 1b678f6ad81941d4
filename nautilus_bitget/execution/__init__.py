"""
Bitget perpetual-futures execution client (``LiveExecutionClient``).

Structure: ``client.BitgetExecutionClient`` is a thin facade; its collaborators (one class per
module, listed in ``execution.client``) each receive what they use and never the client.

Flow (architecture.md 4): ``generate_order_submitted`` -> signed REST place (clientOid = Nautilus
``ClientOrderId``) -> accepted from the REST ack or the private ``orders`` push (whichever comes
first, once) -> fills from ``orders`` fill messages and the ``fill`` channel, deduplicated by
tradeId (also against REST backfill) -> account state from ``account`` pushes.

Decisions (documented for users):

* Position mode: ``position_mode="hedge"`` -> ``OmsType.HEDGING`` with venue position ids
  ``<instrument_id>-LONG``/``-SHORT`` (``use_position_ids``); ``"one_way"`` or ``None`` ->
  ``NETTING``. On connect the account's ``posMode`` is read per product type and switched when it
  differs; a refused switch (40920: open positions/orders) fails start-up with the reason. With
  ``None`` an account in hedge mode fails start-up too (the OMS is fixed at construction).
* IOC/FOK remainders killed by the venue arrive as ``canceled`` and are reported as
  ``OrderCanceled`` (Bitget has no expired state; the Nautilus matching engine also cancels IOC/FOK
  remainders, so backtest and live agree). A post-only order the venue kills because it would
  take (``live`` -> ``canceled`` without our cancel, 9.2) is ``OrderRejected(due_post_only=True)``.
* Modify (bitget-protocol.md 5.7) creates a new venue order with a new clientOid alias
  (``<coid>_m<n>``); the Nautilus ``ClientOrderId`` stays, and ``OrderUpdated`` carries the new
  venue order id (``venue_order_id_modified=True``). The old order's cancel push is ignored.
* Trigger orders (stop/if-touched) use ``place-plan-order``; when a plan triggers, the order it
  spawns is linked back (``OrderTriggered`` for limit types, then ``OrderUpdated`` with the new
  venue order id) and its fills belong to the Nautilus order.
* Brackets (``submit_order_list`` of entry + TP + SL): the entry carries
  ``presetStopSurplusPrice``/``presetStopLossPrice`` (venue-native TP/SL, TP = the TP order's
  price). The children are accepted with the entry (venue ids ``<entry id>-TP``/``-SL``); once the
  entry fills the venue creates TP/SL plans (``orders-algo`` ``tp``/``sl``), linked to the
  children. The plan that executes (its ``executed`` push, else the plan history
  ``executeOrderId``) names the child that receives the close fills; the sibling is canceled
  (OCO). Canceling a child cancels its venue plan; an unfilled canceled entry cancels both.
* Funding: ``contract_settle_fee`` bills (v3: the funding rows of ``financial-records``) are
  polled every ``funding_poll_secs`` (and after a reconnect), deduplicated by bill / record id,
  logged and published on the message bus topic ``bitget.funding.<instrument_id>`` as
  ``BitgetFundingPayment``; the account state is refreshed.
* Unknown outcome (timeout/5xx on submit or modify): never re-sent (a 429 is, as it was refused
  before processing); the order is queried by clientOid and the true state emitted (accepted /
  filled / rejected when not found). Cancels are idempotent and retried by the transport.
* API family (bitget-protocol-uta.md 1.2, 7): ``account_mode`` ``auto`` probes the key on connect
  (``api.detect``) and uses API v2 (classic) or v3 (UTA) for the process; a hand-set mode
  that contradicts the key fails start-up with what to change; auth/network errors are raised,
  never guessed. The v3 dialect differs in requests (``common.orders_v3``: ``side`` = trade
  direction, ``posSide`` in hedge mode, per-order ``marginMode``, trigger orders and TP/SL as
  strategy orders, bare-array batches), endpoints and private topics (``instType "UTA"``); its rows
  are mapped onto the v2 shapes (``parsing.execution_v3``) so events, dedupe, brackets and
  reconciliation are shared. v3 modify amends in place (same venue order id): the ack is not
  success, the ``order`` push echoing ``requestId`` confirms it (else a query decides). Hold mode
  is account-wide. Fills come from ``fill`` (``fast-fill`` has no fee) deduplicated by execId.
* Lost pushes: after every private reconnect, REST backfill (open orders, plan executions, fills
  since the gap, positions, balances); without a reconnect, a watchdog compares quiet open orders
  with ``orders-pending`` every ``watchdog_interval_secs``. Fills are deduplicated by tradeId.
"""

from nautilus_bitget.execution.client import BitgetExecutionClient
from nautilus_bitget.execution.client import base_currency_for as base_currency_for
from nautilus_bitget.execution.common import dec_positive as dec_positive
from nautilus_bitget.execution.common import text_lower as text_lower
from nautilus_bitget.execution.funding import BitgetFundingPayment


__all__ = ["BitgetExecutionClient", "BitgetFundingPayment"]
