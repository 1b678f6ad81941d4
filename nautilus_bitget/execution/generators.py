"""``EventGenerators``: what collaborators may emit, as the client's own generate/send methods."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from nautilus_trader.live.execution_client import LiveExecutionClient

from nautilus_bitget.compat import report_senders


@dataclass(frozen=True, slots=True)
class EventGenerators:
    """
    The ``LiveExecutionClient`` methods that publish events and reports, passed explicitly.

    Collaborators emit only through these (same signatures as the ``generate_*`` /
    ``_send_*_report`` methods of Nautilus' ``ExecutionClient``); none holds the client.
    """

    order_submitted: Callable[..., None]
    order_accepted: Callable[..., None]
    order_rejected: Callable[..., None]
    order_denied: Callable[..., None]
    order_updated: Callable[..., None]
    order_triggered: Callable[..., None]
    order_canceled: Callable[..., None]
    order_filled: Callable[..., None]
    order_modify_rejected: Callable[..., None]
    order_cancel_rejected: Callable[..., None]
    account_state: Callable[..., None]
    order_status_report: Callable[[Any], None]
    fill_report: Callable[[Any], None]

    @classmethod
    def of(cls, client: LiveExecutionClient) -> EventGenerators:
        """Return the generators of ``client`` (bound methods)."""
        send_order_status_report, send_fill_report = report_senders(client)
        return cls(
            order_submitted=client.generate_order_submitted,
            order_accepted=client.generate_order_accepted,
            order_rejected=client.generate_order_rejected,
            order_denied=client.generate_order_denied,
            order_updated=client.generate_order_updated,
            order_triggered=client.generate_order_triggered,
            order_canceled=client.generate_order_canceled,
            order_filled=client.generate_order_filled,
            order_modify_rejected=client.generate_order_modify_rejected,
            order_cancel_rejected=client.generate_order_cancel_rejected,
            account_state=client.generate_account_state,
            order_status_report=send_order_status_report,
            fill_report=send_fill_report,
        )
