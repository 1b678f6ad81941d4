"""Account setup and state: position mode, leverage, routes, balances, positions."""

from __future__ import annotations

from typing import Any

from nautilus_trader.execution.messages import QueryAccount
from nautilus_trader.model.currencies import USDT
from nautilus_trader.model.objects import Currency

from nautilus_bitget.common.errors import BitgetRequestError
from nautilus_bitget.common.symbol import infer_product_type
from nautilus_bitget.common.symbol import instrument_id_for_symbol
from nautilus_bitget.execution._common import _MIX
from nautilus_bitget.parsing import execution as px
from nautilus_bitget.parsing import execution_v3 as p3
from nautilus_bitget.schemas.account import BitgetAccount
from nautilus_bitget.schemas.account import BitgetPosition


class AccountMixin:
    """Position mode/leverage set-up, instrument routes, balances and account state."""

    def _any_symbol(self, product_type: str) -> tuple[str, str] | None:
        for instrument in self._instrument_provider.list_all():
            if infer_product_type(instrument.id).value == product_type:
                return instrument.raw_symbol.value, instrument.settlement_currency.code
        return None

    async def _ensure_position_mode(self, product_type: str | None) -> None:
        """
        Check (and switch) the position mode of ``product_type`` (v2), or with ``None`` the
        account-wide hold mode of a UTA account (v3 ``account/settings`` ``holdMode``, 3.3).
        """
        scope = product_type or "the unified account (all product types)"
        if product_type is None:
            settings = await self._v3_account.settings()
            current = (settings.holdMode or settings.posMode) if settings is not None else None
        else:
            pick = self._any_symbol(product_type)
            if pick is None:
                self._log.warning(f"No {product_type} instrument loaded: position mode not checked")
                return
            symbol, margin_coin = pick
            account = await self._http.get(
                f"{_MIX}/account/account",
                {"symbol": symbol, "productType": product_type, "marginCoin": margin_coin},
                signed=True,
                decoder=BitgetAccount,
            )
            current = account.posMode if account is not None else None
        wanted = self._config.position_mode
        if wanted is None:
            if current == "hedge_mode":
                raise RuntimeError(
                    f"Bitget account is in hedge mode for {scope} but "
                    "BitgetExecClientConfig.position_mode is None (one-way / NETTING); set "
                    "position_mode='hedge' (or 'one_way' to switch the account)",
                )
            return
        wire = "hedge_mode" if wanted == "hedge" else "one_way_mode"
        if current == wire:
            return
        try:
            if product_type is None:
                await self._v3_account.set_hold_mode(wire)
            else:
                await self._http.post(
                    f"{_MIX}/account/set-position-mode",
                    {"productType": product_type, "posMode": wire},
                    retry=True,
                )
        except BitgetRequestError as e:
            raise RuntimeError(
                f"Cannot switch Bitget position mode of {scope} from {current} to {wire}: "
                f"{e.message} (code {e.code}). Positions or open orders exist: "
                "close them, or set BitgetExecClientConfig.position_mode to the account's mode "
                f"({'hedge' if current == 'hedge_mode' else 'one_way'})",
            ) from None
        self._log.info(f"Switched position mode of {scope} to {wire}")

    async def _apply_leverages(self) -> None:
        for symbol, leverage in (self._config.leverages or {}).items():
            instrument = self._cache.instrument(instrument_id_for_symbol(symbol))
            if instrument is None:
                self._log.warning(f"leverages: unknown symbol {symbol}, skipped")
                continue
            product_type, margin_coin = self._route(instrument)[1:]
            if self._uta:
                # v3 has no set-margin-mode: the margin mode goes on each order (3.3)
                try:
                    await self._v3_account.set_leverage(
                        product_type,
                        symbol,
                        leverage,
                        margin_mode=self._config.margin_mode,
                    )
                except BitgetRequestError as e:
                    self._log.warning(f"set-leverage {symbol}: {e}")
                continue
            base = {"symbol": symbol, "productType": product_type, "marginCoin": margin_coin}
            try:
                await self._http.post(
                    f"{_MIX}/account/set-margin-mode",
                    {**base, "marginMode": self._config.margin_mode},
                    retry=True,
                )
            except BitgetRequestError as e:
                self._log.warning(f"set-margin-mode {symbol}: {e}")
            try:
                await self._http.post(
                    f"{_MIX}/account/set-leverage",
                    {**base, "leverage": str(leverage)},
                    retry=True,
                )
            except BitgetRequestError as e:
                self._log.warning(f"set-leverage {symbol}: {e}")

    def _route(self, instrument: Any) -> tuple[str, str, str]:
        """Return ``(symbol, productType, marginCoin)`` of an instrument (memoized)."""
        route = self._routes.get(instrument.id)
        if route is None:
            route = (
                instrument.raw_symbol.value,
                infer_product_type(instrument.id).value,
                instrument.settlement_currency.code,
            )
            self._routes[instrument.id] = route
        return route

    def _currency(self, code: str) -> Currency:
        currency = (
            self._cache.load_currency(code) if hasattr(self._cache, "load_currency") else None
        )
        return currency or Currency.from_str(code)

    async def _balances(self) -> list[Any]:
        if self._uta:
            # bitget-protocol-uta.md 3.1: one unified account; total = equity, free = available
            assets = await self._v3_account.assets()
            return [
                px.parse_balance(a.equity, a.available, self._currency(a.coin.upper()))
                for a in (assets.assets if assets is not None else [])
            ]
        balances = []
        for product_type in self._product_types:
            rows = await self._http.get(
                f"{_MIX}/account/accounts",
                {"productType": product_type},
                signed=True,
                decoder=list[BitgetAccount],
            )
            balances.extend(
                px.parse_balance(
                    row.accountEquity,
                    row.available,
                    self._currency(row.marginCoin.upper()),
                )
                for row in rows or []
            )
        return balances

    async def _position_rows(self, product_type: str) -> list[Any]:
        """Open positions of a product type as v2 rows (v3 ``current-position``, 3.2)."""
        if self._uta:
            page = await self._v3_account.positions(product_type)
            return p3.open_positions(page.list if page is not None else [], self._hedge)
        rows = await self._http.get(
            f"{_MIX}/position/all-position",
            {"productType": product_type},
            signed=True,
            decoder=list[BitgetPosition],
        )
        return list(rows or [])

    async def _update_account_state(self) -> None:
        balances = await self._balances()
        for product_type in self._product_types:
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
