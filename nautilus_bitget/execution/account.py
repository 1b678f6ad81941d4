"""``AccountSync``: position mode and leverage set-up, balances, positions and account state."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from nautilus_trader.cache.cache import Cache
from nautilus_trader.common.component import LiveClock
from nautilus_trader.model.currencies import USDT
from nautilus_trader.model.objects import Currency

from nautilus_bitget.api.trading import TradingApi
from nautilus_bitget.common.errors import BitgetPositionModeMismatchError
from nautilus_bitget.common.errors import BitgetRequestError
from nautilus_bitget.common.symbol import infer_product_type
from nautilus_bitget.common.symbol import instrument_id_for_symbol
from nautilus_bitget.execution.routes import Routes
from nautilus_bitget.parsing import execution as px


class AccountSync:
    """
    Keep the account as Nautilus expects it: set up on connect, then balances and positions.

    Parameters
    ----------
    api : TradingApi
        The API family in use.
    routes : Routes
        Instrument routes and the configured product types.
    cache : Cache
        Instruments and currencies.
    clock : LiveClock
        Event timestamps.
    account_state : Callable[..., None]
        ``generate_account_state`` of the client.
    base_currency : Currency or None
        The single margin currency (``None``: multi-currency).
    position_mode : str or None
        The configured ``position_mode`` (``"hedge"``, ``"one_way"`` or ``None``).
    leverages : dict[str, int] or None
        The configured leverage per Bitget symbol.
    log : Logger
        The client's logger.

    """

    def __init__(
        self,
        api: TradingApi,
        routes: Routes,
        cache: Cache,
        clock: LiveClock,
        account_state: Callable[..., None],
        *,
        base_currency: Currency | None,
        position_mode: str | None,
        leverages: dict[str, int] | None,
        log: Any,
    ) -> None:
        self._api = api
        self._routes = routes
        self._cache = cache
        self._clock = clock
        self._account_state = account_state
        self._base_currency = base_currency
        self._position_mode = position_mode
        self._leverages = leverages or {}
        self._log = log
        self.positions: dict[tuple[str, str], Any] = {}  # (symbol, holdSide) -> row

    # -- set-up on connect -------------------------------------------------------------------------

    async def ensure_position_modes(self) -> None:
        """Check (and switch) the position mode wherever the API family holds it."""
        for scope in self._api.position_mode_scopes(self._routes.product_types):
            await self.ensure_position_mode(scope)

    async def ensure_position_mode(self, scope: str | None) -> None:
        """
        Check (and switch) the position mode of a scope: a product type (v2), or with ``None``
        the account-wide hold mode of a UTA account (bitget-protocol-uta.md 3.3).

        Raises
        ------
        BitgetPositionModeMismatchError
            If the account's mode contradicts the configuration and cannot be switched.

        """
        label = scope or "the unified account (all product types)"
        route = self._routes.any_route(scope)
        if scope is not None and route is None:
            self._log.warning(f"No {scope} instrument loaded: position mode not checked")
            return
        current = await self._api.position_mode(scope, route)
        wanted = self._position_mode
        if wanted is None:
            if current == "hedge_mode":
                # NautilusTrader fixes the OMS type at construction (ExecutionClient.oms_type is
                # read-only), before the account's mode is known: None cannot adopt hedge mode
                raise BitgetPositionModeMismatchError(
                    f"Bitget account is in hedge mode for {label} but "
                    "BitgetExecClientConfig.position_mode is None, which requires a one-way "
                    "account (the OMS type, NETTING, is fixed when the client is built); set "
                    "position_mode='hedge' (or 'one_way' to switch the account)",
                )
            return
        wire = "hedge_mode" if wanted == "hedge" else "one_way_mode"
        if current == wire:
            return
        try:
            await self._api.set_position_mode(scope, wire)
        except BitgetRequestError as e:
            raise BitgetPositionModeMismatchError(
                f"Cannot switch Bitget position mode of {label} from {current} to {wire}: "
                f"{e.message} (code {e.code}). Positions or open orders exist: "
                "close them, or set BitgetExecClientConfig.position_mode to the account's mode "
                f"({'hedge' if current == 'hedge_mode' else 'one_way'})",
                code=e.code,
            ) from None
        self._log.info(f"Switched position mode of {label} to {wire}")

    async def apply_leverages(self) -> None:
        """Apply the configured margin mode and leverage per symbol (refusals are logged)."""
        for symbol, leverage in self._leverages.items():
            instrument = self._cache.instrument(instrument_id_for_symbol(symbol))
            if instrument is None:
                self._log.warning(f"leverages: unknown symbol {symbol}, skipped")
                continue
            route = self._routes.route(instrument)
            for setting, error in await self._api.set_leverage(route, leverage):
                self._log.warning(f"{setting} {symbol}: {error}")

    # -- state -------------------------------------------------------------------------------------

    def currency(self, code: str) -> Currency:
        """Return the cached currency of ``code`` (else parsed)."""
        currency = (
            self._cache.load_currency(code) if hasattr(self._cache, "load_currency") else None
        )
        return currency or Currency.from_str(code)

    async def refresh(self) -> None:
        """Read balances and positions over REST and emit the account state."""
        balances = [
            px.parse_balance(equity, available, self.currency(coin.upper()))
            for equity, available, coin in await self._api.balances(self._routes.product_types)
        ]
        for product_type in self._routes.product_types:
            self.replace_positions(product_type, await self._api.positions(product_type))
        if self._base_currency is not None:
            balances = [b for b in balances if b.currency == self._base_currency]
        if not balances:
            currency = self._base_currency or USDT
            balances.append(px.parse_balance("0", "0", currency))
        self._emit(balances)

    def replace_positions(self, product_type: str, rows: list[Any]) -> None:
        """Replace the positions of a product type (a REST listing or a push snapshot)."""
        stale = [k for k in self.positions if infer_product_type(k[0]).value == product_type]
        for key in stale:
            del self.positions[key]
        for row in rows:
            symbol = px.get(row, "symbol") or px.get(row, "instId")
            self.positions[(symbol, row.holdSide)] = row

    def merge_positions(self, rows: list[Any]) -> None:
        """Apply per-side position updates (a flat side is removed)."""
        for row in rows:
            key = (row.symbol, row.holdSide)
            if (px.dec(row.total) or Decimal(0)) > 0:
                self.positions[key] = row
            else:
                self.positions.pop(key, None)

    def on_balances(self, rows: list[tuple[Any, Any, str]]) -> None:
        """Emit the account state of pushed ``(equity, available, coin)`` rows."""
        balances = [px.parse_balance(e, a, self.currency(coin.upper())) for e, a, coin in rows]
        if balances:
            self._emit(balances)

    def _emit(self, balances: list[Any]) -> None:
        if self._base_currency is not None:
            # A single-currency account reports only its currency (e.g. USDT for USDT-M).
            balances = [b for b in balances if b.currency == self._base_currency]
            if not balances:
                return
        pairs = []
        for (symbol, _), row in self.positions.items():
            instrument = self._cache.instrument(instrument_id_for_symbol(symbol))
            if instrument is not None:
                pairs.append((row, instrument))
        margins = px.parse_margins(pairs, lambda inst, row: inst.settlement_currency)
        self._account_state(
            balances=balances,
            margins=margins,
            reported=True,
            ts_event=self._clock.timestamp_ns(),
        )
