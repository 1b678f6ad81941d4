"""Account setup and state: position mode, leverage, routes, balances, positions."""

from __future__ import annotations

from typing import Any

from nautilus_trader.execution.messages import QueryAccount
from nautilus_trader.model.currencies import USDT
from nautilus_trader.model.objects import Currency

from nautilus_bitget.common.errors import BitgetPositionModeMismatchError
from nautilus_bitget.common.errors import BitgetRequestError
from nautilus_bitget.common.symbol import infer_product_type
from nautilus_bitget.common.symbol import instrument_id_for_symbol
from nautilus_bitget.parsing import execution as px


class AccountMixin:
    """Position mode/leverage set-up, instrument routes, balances and account state."""

    async def _ensure_position_mode(self, scope: str | None) -> None:
        """
        Check (and switch) the position mode of a scope: a product type (v2), or with ``None``
        the account-wide hold mode of a UTA account (bitget-protocol-uta.md 3.3).
        """
        label = scope or "the unified account (all product types)"
        route = self._routes.any_route(scope)
        if scope is not None and route is None:
            self._log.warning(f"No {scope} instrument loaded: position mode not checked")
            return
        current = await self._api.position_mode(scope, route)
        wanted = self._config.position_mode
        if wanted is None:
            if current == "hedge_mode":
                raise BitgetPositionModeMismatchError(
                    f"Bitget account is in hedge mode for {label} but "
                    "BitgetExecClientConfig.position_mode is None (one-way / NETTING); set "
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

    async def _apply_leverages(self) -> None:
        for symbol, leverage in (self._config.leverages or {}).items():
            instrument = self._cache.instrument(instrument_id_for_symbol(symbol))
            if instrument is None:
                self._log.warning(f"leverages: unknown symbol {symbol}, skipped")
                continue
            for setting, error in await self._api.set_leverage(
                self._routes.route(instrument), leverage
            ):
                self._log.warning(f"{setting} {symbol}: {error}")

    def _currency(self, code: str) -> Currency:
        currency = (
            self._cache.load_currency(code) if hasattr(self._cache, "load_currency") else None
        )
        return currency or Currency.from_str(code)

    async def _balances(self) -> list[Any]:
        return [
            px.parse_balance(equity, available, self._currency(coin.upper()))
            for equity, available, coin in await self._api.balances(self._routes.product_types)
        ]

    async def _position_rows(self, product_type: str) -> list[Any]:
        """Open positions of a product type (v2 rows)."""
        return await self._api.positions(product_type)

    async def _update_account_state(self) -> None:
        balances = await self._balances()
        for product_type in self._routes.product_types:
            self._replace_positions(product_type, await self._position_rows(product_type))
        if self.base_currency is not None:
            balances = [b for b in balances if b.currency == self.base_currency]
        if not balances:
            currency = self.base_currency or USDT
            balances.append(px.parse_balance("0", "0", currency))
        self._emit_account_state(balances)

    def _replace_positions(self, product_type: str, rows: list[Any]) -> None:
        for key in [k for k in self._positions if infer_product_type(k[0]).value == product_type]:
            del self._positions[key]
        for row in rows:
            symbol = px.get(row, "symbol") or px.get(row, "instId")
            self._positions[(symbol, row.holdSide)] = row

    def _emit_account_state(self, balances: list[Any]) -> None:
        if self.base_currency is not None:
            # A single-currency account reports only its currency (e.g. USDT for USDT-M).
            balances = [b for b in balances if b.currency == self.base_currency]
            if not balances:
                return
        pairs = []
        for (symbol, _), row in self._positions.items():
            instrument = self._cache.instrument(instrument_id_for_symbol(symbol))
            if instrument is not None:
                pairs.append((row, instrument))
        margins = px.parse_margins(
            pairs,
            lambda inst, row: inst.settlement_currency,
        )
        self.generate_account_state(
            balances=balances,
            margins=margins,
            reported=True,
            ts_event=self._clock.timestamp_ns(),
        )

    async def _query_account(self, command: QueryAccount) -> None:
        await self._update_account_state()
