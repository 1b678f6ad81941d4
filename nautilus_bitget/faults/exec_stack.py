"""
An execution stack for the drills: real Nautilus engines (cache, portfolio, live execution and
risk engines, a strategy) and a ``BitgetExecutionClient`` wired to a simulator, plus the
comparison of the Nautilus side with the simulator's account (the truth).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass
from dataclasses import field
from decimal import Decimal
from typing import Any

from nautilus_trader.cache.cache import Cache
from nautilus_trader.common.component import LiveClock
from nautilus_trader.common.component import MessageBus
from nautilus_trader.config import InstrumentProviderConfig
from nautilus_trader.config import LiveExecEngineConfig
from nautilus_trader.config import LiveRiskEngineConfig
from nautilus_trader.config import StrategyConfig
from nautilus_trader.live.execution_engine import LiveExecutionEngine
from nautilus_trader.live.risk_engine import LiveRiskEngine
from nautilus_trader.model.enums import OrderSide
from nautilus_trader.model.enums import OrderStatus
from nautilus_trader.model.events import OrderFilled
from nautilus_trader.model.identifiers import TraderId
from nautilus_trader.model.objects import Price
from nautilus_trader.model.objects import Quantity
from nautilus_trader.portfolio.portfolio import Portfolio
from nautilus_trader.trading.strategy import Strategy

from nautilus_bitget.constants import SIM_API_KEY
from nautilus_bitget.constants import SIM_API_PASSPHRASE
from nautilus_bitget.constants import SIM_API_SECRET
from nautilus_bitget.faults.harness import BTC
from nautilus_bitget.faults.harness import PRODUCT
from nautilus_bitget.faults.harness import SYMBOL


Q = Quantity.from_str("0.010")
_OPEN = {"live", "partially_filled", "new", "init"}


class Bare(Strategy):
    """A strategy driven by the drill."""


@dataclass
class Comparison:
    """Nautilus side vs venue: what is missing, doubled or in a different state."""

    missing_fills: int = 0
    doubled_fills: int = 0
    extra_fills: int = 0
    duplicate_orders: int = 0
    state_mismatches: list[str] = field(default_factory=list)
    position_ours: Decimal = Decimal(0)
    position_venue: Decimal = Decimal(0)

    @property
    def lost(self) -> int:
        """Fills/orders missing, doubled or wrong on our side (0 when everything matches)."""
        return (
            self.missing_fills
            + self.doubled_fills
            + self.extra_fills
            + self.duplicate_orders
            + len(self.state_mismatches)
            + (self.position_ours != self.position_venue)
        )

    def text(self) -> str:
        """Short human summary."""
        parts = [
            f"fills missing {self.missing_fills}, doubled {self.doubled_fills}, "
            f"extra {self.extra_fills}",
            f"duplicate venue orders {self.duplicate_orders}",
            f"position ours {self.position_ours} / venue {self.position_venue}",
        ]
        if self.state_mismatches:
            parts.append("state mismatches: " + "; ".join(self.state_mismatches[:4]))
        return ", ".join(parts)


class ExecStack:
    """Nautilus engines + ``BitgetExecutionClient`` against a simulator (one-way by default)."""

    def __init__(
        self,
        sim: Any,
        position_mode: str | None = "one_way",
        *,
        api_key: str = SIM_API_KEY,
        api_secret: str = SIM_API_SECRET,
        api_passphrase: str = SIM_API_PASSPHRASE,
        **config: Any,
    ) -> None:
        from nautilus_bitget.config import BitgetExecClientConfig
        from nautilus_bitget.execution import BitgetExecutionClient
        from nautilus_bitget.http.client import BitgetHttpClient
        from nautilus_bitget.providers import BitgetInstrumentProvider

        self.sim = sim
        self.api_key = api_key
        self.loop = asyncio.get_running_loop()
        self.clock = LiveClock()
        trader_id = TraderId("FAULTS-001")
        self.msgbus = MessageBus(trader_id, self.clock)
        self.cache = Cache()
        self.portfolio = Portfolio(self.msgbus, self.cache, self.clock)
        self.exec_engine = LiveExecutionEngine(
            self.loop,
            self.msgbus,
            self.cache,
            self.clock,
            # as in a live node (nautilus_bitget.live): in-flight checks on, default intervals
            LiveExecEngineConfig(reconciliation=True),
        )
        self.risk_engine = LiveRiskEngine(
            self.loop,
            self.portfolio,
            self.msgbus,
            self.cache,
            self.clock,
            LiveRiskEngineConfig(bypass=True),
        )
        fields: dict[str, Any] = {
            "api_key": api_key,
            "api_secret": api_secret,
            "api_passphrase": api_passphrase,
            "base_url_http": sim.http_url,
            "base_url_ws_public": sim.ws_public_url,
            "base_url_ws_private": sim.ws_private_url,
            "account_mode": "classic",
            "position_mode": position_mode,
            "http_timeout_secs": 1.0,
            "ws_ping_interval_secs": 1.0,
            "ws_stale_timeout_secs": 3.0,
        }
        fields.update(config)
        self.config = BitgetExecClientConfig(**fields)
        self.provider = BitgetInstrumentProvider(
            BitgetHttpClient(sim.http_url),
            config=InstrumentProviderConfig(load_all=True),
        )
        self.client = BitgetExecutionClient(
            self.loop,
            self.msgbus,
            self.cache,
            self.clock,
            self.provider,
            self.config,
        )
        if hasattr(self.client, "unknown_outcome_delay_secs"):
            self.client.unknown_outcome_delay_secs = 0.2
        self.exec_engine.register_client(self.client)
        self.strategy = Bare(StrategyConfig(strategy_id="S-001", external_order_claims=[BTC]))
        self.strategy.register(trader_id, self.portfolio, self.msgbus, self.cache, self.clock)
        self.exec_engine.register_oms_type(self.strategy)
        self.exec_engine.register_external_order_claims(self.strategy)
        self._started = False

    async def start(self, *, reconcile: bool = False) -> bool:
        """
        Start the engines, connect the client and start the strategy.

        With ``reconcile``, the live engine's start-up reconciliation runs after connect (as in a
        ``TradingNode``); its result is returned (``True`` without it).
        """
        self.exec_engine.start()
        self.risk_engine.start()
        await self.client._connect()
        self.client._set_connected(True)
        reconciled = True
        if reconcile:
            reconciled = await self.exec_engine.reconcile_execution_state(timeout_secs=10.0)
        self.strategy.start()
        self._started = True
        return reconciled

    async def stop(self) -> None:
        """Stop everything (safe after a failed start)."""
        if self._started:
            self.strategy.stop()
        try:
            await self.client._disconnect()
        finally:
            if self.exec_engine.is_running:
                self.exec_engine.stop()
            if self.risk_engine.is_running:
                self.risk_engine.stop()
            await asyncio.sleep(0)

    # -- orders ---------------------------------------------------------------------------------

    @property
    def instrument(self) -> Any:
        """The BTCUSDT instrument."""
        return self.cache.instrument(BTC)

    def mid(self) -> Decimal:
        """The venue's mid price."""
        ticker = self.sim.exchange.ticker(SYMBOL)
        return (Decimal(ticker.bid_pr) + Decimal(ticker.ask_pr)) / 2

    def px(self, factor: str) -> Price:
        """A price at ``factor`` times the mid."""
        return self.instrument.make_price(self.mid() * Decimal(factor))

    def status(self, order: Any) -> OrderStatus:
        """The order's status in the cache."""
        return self.cache.order(order.client_order_id).status

    async def until_status(self, order: Any, *statuses: OrderStatus, wait: float = 10.0) -> None:
        """Wait until the order reaches one of ``statuses``."""
        deadline = self.loop.time() + wait
        while self.status(order) not in statuses:
            if self.loop.time() > deadline:
                raise TimeoutError(
                    f"{order.client_order_id} not in {[s.name for s in statuses]} after {wait}s "
                    f"(is {self.status(order).name})",
                )
            await asyncio.sleep(0.02)

    def market(self, side: OrderSide, qty: Quantity = Q) -> Any:
        """Submit a market order."""
        order = self.strategy.order_factory.market(BTC, side, qty)
        self.strategy.submit_order(order)
        return order

    def limit(self, side: OrderSide, price: Price, qty: Quantity = Q) -> Any:
        """Submit a GTC limit order."""
        order = self.strategy.order_factory.limit(BTC, side, qty, price)
        self.strategy.submit_order(order)
        return order

    # -- truth ----------------------------------------------------------------------------------

    def venue_orders(self) -> list[Any]:
        """Every order of the account on the venue (history + pending)."""
        return [o for o in self.sim.exchange._orders.values() if o.api_key == self.api_key]

    async def compare(self, settle: float = 0.5) -> Comparison:
        """Compare fills, orders, states and the position with the venue."""
        await asyncio.sleep(settle)
        ex = self.sim.exchange
        out = Comparison()
        venue_fills = Counter(f.trade_id for f in ex.fills(self.api_key, PRODUCT, limit=100_000))
        ours = Counter(
            e.trade_id.value
            for order in self.cache.orders()
            for e in order.events
            if isinstance(e, OrderFilled)
        )
        out.missing_fills = sum(1 for t in venue_fills if t not in ours)
        out.extra_fills = sum(1 for t in ours if t not in venue_fills)
        out.doubled_fills = sum(n - 1 for n in ours.values() if n > 1)
        venue = self.venue_orders()
        coids = Counter(o.client_oid for o in venue)
        out.duplicate_orders = sum(n - 1 for n in coids.values() if n > 1)
        by_coid = {o.client_oid: o for o in venue}
        by_id = {o.order_id: o for o in venue}
        venue_coid = getattr(self.client, "_venue_coid", {})
        for order in self.cache.orders():
            alias = venue_coid.get(order.client_order_id, order.client_order_id.value)
            vid = order.venue_order_id.value if order.venue_order_id is not None else None
            row = by_id.get(vid) if vid is not None else None
            row = row or by_coid.get(alias)
            if row is None:
                if order.status not in (OrderStatus.REJECTED, OrderStatus.DENIED):
                    out.state_mismatches.append(f"{alias}: ours {order.status.name}, venue none")
                continue
            if not _same_state(order.status, row.status):
                out.state_mismatches.append(
                    f"{alias}: ours {order.status.name}, venue {row.status}"
                )
        net_venue = Decimal(0)
        for p in ex.positions(self.api_key, PRODUCT):
            if p.symbol == SYMBOL and p.total > 0:
                net_venue += p.total if p.hold_side == "long" else -p.total
        net_ours = sum(
            (p.signed_decimal_qty() for p in self.cache.positions_open(instrument_id=BTC)),
            Decimal(0),
        )
        out.position_ours, out.position_venue = net_ours, net_venue
        return out


def _same_state(ours: OrderStatus, venue: str) -> bool:
    if venue in _OPEN:
        return ours in (
            OrderStatus.ACCEPTED,
            OrderStatus.PARTIALLY_FILLED,
            OrderStatus.TRIGGERED,
        )  # PENDING_UPDATE / PENDING_CANCEL after settling: the venue never answered
    if venue == "filled":
        return ours == OrderStatus.FILLED
    if venue == "canceled":
        return ours in (OrderStatus.CANCELED, OrderStatus.EXPIRED)
    return False
