"""Accounts, balances and per-symbol settings of the simulated exchange (bitget-protocol.md 5.1,
5.2)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from nautilus_bitget.sim.core import ExchangeCore
from nautilus_bitget.sim.errors import ERR_APIKEY_NOT_EXIST
from nautilus_bitget.sim.errors import ERR_MARGIN_MODE_SWITCH
from nautilus_bitget.sim.errors import ERR_PARAM_EMPTY
from nautilus_bitget.sim.errors import ERR_POS_MODE_SWITCH
from nautilus_bitget.sim.errors import SimError
from nautilus_bitget.sim.errors import choice
from nautilus_bitget.sim.errors import dec
from nautilus_bitget.sim.errors import opt
from nautilus_bitget.sim.errors import param_error
from nautilus_bitget.sim.errors import req
from nautilus_bitget.sim.events import AccountChanged
from nautilus_bitget.sim.events import AccountView
from nautilus_bitget.sim.records import AccountSettings
from nautilus_bitget.sim.records import SimAccount


DEFAULT_BALANCES: dict[str, Decimal] = {
    "USDT": Decimal(100000),
    "USDC": Decimal(100000),
    "BTC": Decimal(10),
}
DEFAULT_LEVERAGE = 20
MARGIN_MODES = ("crossed", "isolated")
POS_MODES = ("one_way_mode", "hedge_mode")


class AccountsMixin(ExchangeCore):
    """API-key accounts, balances views and leverage / margin / position-mode settings."""

    def create_account(
        self,
        api_key: str,
        secret: str,
        passphrase: str,
        *,
        uta: bool = False,
        balances: Mapping[str, Decimal | str | int] | None = None,
    ) -> SimAccount:
        """Create (or replace) an account with default balances unless given."""
        bal = (
            {k.upper(): Decimal(str(v)) for k, v in balances.items()}
            if balances is not None
            else dict(DEFAULT_BALANCES)
        )
        acct = SimAccount(api_key, secret, passphrase, uta=uta, balances=bal)
        self.accounts[api_key] = acct
        return acct

    def account(self, api_key: str) -> SimAccount:
        """Return the account of ``api_key``; ``SimError(40037)`` if unknown."""
        acct = self.accounts.get(api_key)
        if acct is None:
            raise SimError(ERR_APIKEY_NOT_EXIST, "Apikey does not exist")
        return acct

    def find_account(self, api_key: str) -> SimAccount | None:
        """Return the account of ``api_key`` or None."""
        return self.accounts.get(api_key)

    def _leverage(self, acct: SimAccount, symbol: str, pos_side: str, direction: str) -> int:
        if acct.get_margin_mode(symbol) == "crossed":
            return acct.cross_leverage.get(symbol, DEFAULT_LEVERAGE)
        long = pos_side == "long" or (pos_side == "net" and direction == "buy")
        book = acct.long_leverage if long else acct.short_leverage
        return book.get(symbol, DEFAULT_LEVERAGE)

    # -- settings -------------------------------------------------------------------------------
    def _has_activity(
        self, api_key: str, *, symbol: str | None = None, pt: str | None = None
    ) -> bool:
        def match(sym: str, ptype: str) -> bool:
            return (symbol is None or sym == symbol) and (pt is None or ptype == pt)

        if any(
            o.api_key == api_key and match(o.symbol, o.product_type) for o in self._open.values()
        ):
            return True
        if any(
            k[0] == api_key and match(p.symbol, p.product_type) for k, p in self._positions.items()
        ):
            return True
        return any(
            p.api_key == api_key and p.status == "live" and match(p.symbol, p.product_type)
            for p in self._plans.values()
        )

    def set_leverage(self, api_key: str, body: Mapping[str, Any]) -> dict[str, Any]:
        """``POST account/set-leverage``; returns the documented response dict (strings)."""
        acct = self.account(api_key)
        spec = self.contract(req(body, "symbol"), req(body, "productType"))
        req(body, "marginCoin")
        hold = opt(body, "holdSide")
        values: dict[str, int] = {}
        for key in ("leverage", "longLeverage", "shortLeverage"):
            raw = opt(body, key)
            if raw is None:
                continue
            lev = dec(raw, key)
            if lev != lev.to_integral_value() or not spec.min_lever <= lev <= spec.max_lever:
                raise param_error(key)
            values[key] = int(lev)
        if not values:
            raise SimError(ERR_PARAM_EMPTY, "Parameter leverage cannot be empty")
        sym = spec.symbol
        both = values.get("leverage")
        if acct.get_margin_mode(sym) == "crossed":
            acct.cross_leverage[sym] = both or values.get("longLeverage") or values["shortLeverage"]
        else:
            long = values.get("longLeverage", both if hold in (None, "long") else None)
            short = values.get("shortLeverage", both if hold in (None, "short") else None)
            if long is not None:
                acct.long_leverage[sym] = long
            if short is not None:
                acct.short_leverage[sym] = short
        s = self.account_settings(api_key, sym, spec.product_type)
        self._emit(AccountChanged(api_key, spec.product_type, spec.margin_coin))
        isolated = s.margin_mode == "isolated"
        return {
            "symbol": sym,
            "marginCoin": spec.margin_coin,
            "longLeverage": str(s.isolated_long_lever if isolated else s.crossed_margin_leverage),
            "shortLeverage": str(s.isolated_short_lever if isolated else s.crossed_margin_leverage),
            "crossMarginLeverage": str(s.crossed_margin_leverage),
            "marginMode": s.margin_mode,
        }

    def set_margin_mode(self, api_key: str, body: Mapping[str, Any]) -> dict[str, Any]:
        """``POST account/set-margin-mode``; 45117 with positions/orders on the symbol."""
        acct = self.account(api_key)
        spec = self.contract(req(body, "symbol"), req(body, "productType"))
        req(body, "marginCoin")
        mode = choice(req(body, "marginMode"), MARGIN_MODES, "marginMode")
        if acct.get_margin_mode(spec.symbol) != mode:
            if self._has_activity(api_key, symbol=spec.symbol):
                raise SimError(
                    ERR_MARGIN_MODE_SWITCH,
                    "Currently holding positions or orders, the margin mode cannot be adjusted",
                )
            acct.margin_mode[spec.symbol] = mode
        s = self.account_settings(api_key, spec.symbol, spec.product_type)
        return {
            "symbol": spec.symbol,
            "marginCoin": spec.margin_coin,
            "longLeverage": str(s.isolated_long_lever),
            "shortLeverage": str(s.isolated_short_lever),
            "marginMode": mode,
        }

    def set_position_mode(self, api_key: str, body: Mapping[str, Any]) -> dict[str, Any]:
        """``POST account/set-position-mode``; 40920 with positions/orders in the productType."""
        acct = self.account(api_key)
        pt = req(body, "productType").upper()
        if not self.contracts_of(pt):
            raise param_error("productType")
        mode = choice(req(body, "posMode"), POS_MODES, "posMode")
        if acct.get_pos_mode(pt) != mode:
            if self._has_activity(api_key, pt=pt):
                raise SimError(
                    ERR_POS_MODE_SWITCH,
                    "Position or order exists, the position mode cannot be switched",
                )
            acct.pos_mode[pt] = mode
        return {"posMode": mode}

    # -- views ----------------------------------------------------------------------------------
    def account_views(self, api_key: str, product_type: str) -> list[AccountView]:
        """``GET account/accounts``: one view per margin coin of the product type."""
        self.account(api_key)
        coins = sorted({c.margin_coin for c in self.contracts_of(product_type)})
        return [self.account_view(api_key, coin) for coin in coins]

    def account_view(self, api_key: str, coin: str) -> AccountView:
        """One margin-coin account view."""
        acct = self.account(api_key)
        coin = coin.upper()
        balance = acct.balances.get(coin, Decimal(0))
        upl = crossed = isolated = Decimal(0)
        for (key, _, _), pos in self._positions.items():
            if key != api_key or pos.margin_coin != coin:
                continue
            view = self._position_view(pos)
            upl += view.unrealized_pl
            if pos.margin_mode == "isolated":
                isolated += view.margin_size
            else:
                crossed += view.margin_size
        locked = sum(
            (
                o.frozen_margin
                for o in self._open.values()
                if o.api_key == api_key and o.margin_coin == coin
            ),
            Decimal(0),
        )
        equity = balance + upl
        available = max(Decimal(0), equity - crossed - isolated - locked)
        return AccountView(
            margin_coin=coin,
            balance=balance,
            equity=equity,
            unrealized_pl=upl,
            locked=locked,
            position_margin=crossed + isolated,
            crossed_margin=crossed,
            isolated_margin=isolated,
            available=available,
            max_transfer_out=min(available, balance) if balance > 0 else Decimal(0),
        )

    def account_settings(self, api_key: str, symbol: str, product_type: str) -> AccountSettings:
        """``GET account/account`` settings part for ``symbol``."""
        acct = self.account(api_key)
        spec = self.contract(symbol, product_type)
        return AccountSettings(
            symbol=symbol,
            margin_coin=spec.margin_coin,
            margin_mode=acct.get_margin_mode(symbol),
            pos_mode=acct.get_pos_mode(spec.product_type),
            crossed_margin_leverage=acct.cross_leverage.get(symbol, DEFAULT_LEVERAGE),
            isolated_long_lever=acct.long_leverage.get(symbol, DEFAULT_LEVERAGE),
            isolated_short_lever=acct.short_leverage.get(symbol, DEFAULT_LEVERAGE),
        )
