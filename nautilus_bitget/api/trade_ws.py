"""
The WebSocket order-entry dialect of an API family (``op: "trade"``).

A family's ``WsTradeDialect`` builds the request frames of the trade ops from the REST bodies its
``TradingApi`` already builds, and decodes the replies into ``WsTradeReply`` (matched to the
request by ``id``). Capabilities say what the family can do over the socket; the rest goes over
REST (``execution.transport``):

- classic v2 (bitget-protocol.md 3.5): ``place-order`` and ``cancel-order``; no batch, no modify.
- UTA v3 (bitget-protocol-uta.md 4.7): ``place-order``, ``cancel-order``, ``modify-order``,
  ``batch-place`` and ``batch-cancel`` (at most 20 orders).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from typing import Final
from typing import NamedTuple
from typing import Protocol

from nautilus_bitget.api.trading import BatchFailure
from nautilus_bitget.api.trading import Route


# Reply codes that mean success ("0" / 0 on the socket, "00000" as on REST)
OK_CODES: Final[frozenset[str]] = frozenset({"0", "00000"})


class WsTradeReply(NamedTuple):
    """
    A decoded trade reply.

    Parameters
    ----------
    id : str
        The request id it answers.
    code : str or None
        The request's code (``None`` or an ``OK_CODES`` member: accepted).
    msg : str or None
        The venue message.
    items : list[BatchFailure]
        ``(orderId, clientOid, code, msg)`` per order (``code`` ``None`` when accepted).

    """

    id: str
    code: str | None
    msg: str | None
    items: list[BatchFailure]

    @property
    def ok(self) -> bool:
        """Whether the request as a whole was accepted (batch items may still fail)."""
        return self.code is None or self.code in OK_CODES


def code_text(code: str | int | None) -> str | None:
    """Return a venue code as text (numbers on the socket, strings on REST)."""
    return None if code is None else str(code)


class WsTradeDialect(Protocol):
    """The trade ops of one API family over its private socket (see the module docstring)."""

    name: str
    modifies: bool
    batch_max: int  # orders per batch place / cancel over the socket (0: batches go over REST)

    def place(self, req_id: str, route: Route, body: dict[str, Any]) -> str:
        """Return the frame placing the order of REST ``place-order`` body ``body``."""
        ...

    def cancel(self, req_id: str, route: Route, ref: dict[str, str]) -> str:
        """Return the frame canceling ``{"orderId"}`` or ``{"clientOid"}``."""
        ...

    def place_batch(self, req_id: str, route: Route, bodies: Sequence[dict[str, Any]]) -> str:
        """Return the frame placing up to ``batch_max`` orders of one symbol."""
        ...

    def cancel_batch(self, req_id: str, route: Route, refs: Sequence[dict[str, str]]) -> str:
        """Return the frame canceling up to ``batch_max`` orders of one symbol."""
        ...

    def modify(
        self,
        req_id: str,
        route: Route,
        *,
        order_id: str | None,
        client_oid: str,
        qty: str,
        price: str,
        request_id: str | None,
    ) -> str:
        """Return the frame modifying a resting limit order in place (``modifies`` only)."""
        ...

    def decode(self, raw: bytes) -> WsTradeReply | None:
        """Return the trade reply in ``raw``, or ``None`` for any other frame."""
        ...
