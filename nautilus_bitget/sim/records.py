"""Account state and query results of the simulated exchange (besides :mod:`.events` records)."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from decimal import Decimal
from typing import NamedTuple

from nautilus_bitget.sim.contracts import ContractSpec
from nautilus_bitget.sim.market import MarketState


@dataclass
class SimAccount:
    """
    An API-key account. ``secret``/``passphrase`` are kept for the server's signature check and
    never shown in the repr. ``balances`` is the wallet balance per margin coin.
    """

    api_key: str
    secret: str = field(repr=False)
    passphrase: str = field(repr=False)
    uta: bool = False
    balances: dict[str, Decimal] = field(default_factory=dict)
    pos_mode: dict[str, str] = field(
        default_factory=dict
    )  # productType -> one_way_mode | hedge_mode
    margin_mode: dict[str, str] = field(default_factory=dict)  # symbol -> crossed | isolated
    cross_leverage: dict[str, int] = field(default_factory=dict)  # symbol -> leverage
    long_leverage: dict[str, int] = field(default_factory=dict)  # symbol -> isolated long
    short_leverage: dict[str, int] = field(default_factory=dict)  # symbol -> isolated short
    # the key may withdraw funds (bitget-protocol.md 5.14); trading keys normally may not
    withdraw_permission: bool = False

    def get_pos_mode(self, product_type: str) -> str:
        """Return the position mode of ``product_type`` (default ``one_way_mode``)."""
        return self.pos_mode.get(product_type, "one_way_mode")

    def get_margin_mode(self, symbol: str) -> str:
        """Return the margin mode of ``symbol`` (default ``crossed``)."""
        return self.margin_mode.get(symbol, "crossed")


@dataclass(frozen=True, slots=True)
class BatchResult:
    """``successList`` / ``failureList`` of batch commands (bitget-protocol.md 5.6, 5.8)."""

    success: list[tuple[str, str]]  # (orderId, clientOid)
    failure: list[tuple[str, str, str, str]]  # (orderId, clientOid, errorCode, errorMsg)


@dataclass(frozen=True, slots=True)
class AccountSettings:
    """Per-symbol settings of ``GET account/account`` (bitget-protocol.md 5.1)."""

    symbol: str
    margin_coin: str
    margin_mode: str
    pos_mode: str
    crossed_margin_leverage: int
    isolated_long_lever: int
    isolated_short_lever: int


@dataclass(frozen=True, slots=True)
class FundingInfo:
    """Funding of one symbol (bitget-protocol.md 4.7): current rate and next settlement time."""

    symbol: str
    funding_rate: str
    next_funding_time: int  # ms
    interval_hours: int
    min_funding_rate: str
    max_funding_rate: str


class OrderHead(NamedTuple):
    """The fields shared by place-order and place-plan-order, validated."""

    symbol: str
    product_type: str
    spec: ContractSpec
    market: MarketState
    margin_mode: str
    side: str
    order_type: str
