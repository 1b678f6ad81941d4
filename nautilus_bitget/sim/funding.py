"""Funding of the simulated exchange: rates, settlements and their bills (bitget-protocol.md
4.7)."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN
from decimal import Decimal

from nautilus_bitget.sim.core import ExchangeCore
from nautilus_bitget.sim.events import AccountChanged
from nautilus_bitget.sim.events import FundingSettled
from nautilus_bitget.sim.events import PositionsChanged
from nautilus_bitget.sim.market import MarketState
from nautilus_bitget.sim.money import MONEY_Q
from nautilus_bitget.sim.records import FundingInfo


class FundingMixin(ExchangeCore):
    """Funding rate views and settlements (``contract_settle_fee`` bills)."""

    def funding(self, symbol: str) -> FundingInfo:
        """Return the current funding rate and next funding time."""
        market = self._market(symbol)
        return FundingInfo(
            symbol=symbol,
            funding_rate=market.rate_str(),
            next_funding_time=market.next_funding_time,
            interval_hours=market.contract.fund_interval_hours,
            min_funding_rate="-0.003",
            max_funding_rate="0.003",
        )

    def funding_history(self, symbol: str) -> list[tuple[str, int]]:
        """Return past ``(fundingRate, fundingTime)`` settlements, newest first."""
        market = self._market(symbol)
        return [(f"{r:f}", t) for r, t in reversed(market.funding_history)]

    def settle_funding(self, symbol: str, rate: Decimal | str | None = None) -> None:
        """Settle funding for ``symbol`` now (optionally with ``rate``); advance next time."""
        market = self._market(symbol)
        r = market.funding_rate if rate is None else Decimal(str(rate))
        self._settle(market, self.now_ms(), r)

    def _settle(self, market: MarketState, ts: int, rate: Decimal) -> None:
        spec = market.contract
        mark = market.mark_price
        payments: list[tuple[str, str, Decimal]] = []
        touched: set[str] = set()
        for pos in list(self._positions.values()):
            if pos.symbol != market.symbol:
                continue
            # position value (bitget-protocol.md 4.7): linear size * mark (quote); inverse: the
            # USD face (size * entry, sizes in base coin, 9.1) / mark, in the base coin
            value = (
                (pos.open_cost / mark if mark > 0 else pos.total)
                if spec.inverse
                else pos.total * mark
            )
            amount = -value * rate if pos.hold_side == "long" else value * rate
            if spec.inverse:
                amount = amount.quantize(MONEY_Q, ROUND_HALF_EVEN)
            acct = self.accounts[pos.api_key]
            balance = acct.balances.get(pos.margin_coin, Decimal(0)) + amount
            acct.balances[pos.margin_coin] = balance
            pos.total_fee += amount
            self._add_bill(
                pos.api_key,
                pos.symbol,
                pos.product_type,
                pos.margin_coin,
                "contract_settle_fee",
                amount,
                Decimal(0),
                balance,
                ts,
            )
            payments.append((pos.api_key, pos.hold_side, amount))
            touched.add(pos.api_key)
        market.funding_history.append((rate, ts))
        market.next_funding_time = (ts // market.interval_ms + 1) * market.interval_ms
        for key in sorted(touched):
            self._emit(PositionsChanged(key, market.product_type))
            self._emit(AccountChanged(key, market.product_type, spec.margin_coin))
        self._emit(FundingSettled(market.symbol, market.product_type, rate, ts, payments))
