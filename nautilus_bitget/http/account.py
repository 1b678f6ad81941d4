"""
Private account, settings and position endpoints (bitget-protocol.md 5.1-5.3, 5.12), typed.

Settings calls (set-leverage, set-margin-mode, set-position-mode) set a state and are safe to
repeat, so they pass ``retry=True``. ``marginCoin`` is sent uppercase (9.7: required on writes).
"""

from __future__ import annotations

from typing import Any
from typing import Final

from nautilus_bitget.constants import BitgetProductType
from nautilus_bitget.http.client import BitgetHttpClient
from nautilus_bitget.http.params import margin_coin_param
from nautilus_bitget.http.params import page_query
from nautilus_bitget.http.params import product_type_param
from nautilus_bitget.http.params import symbol_query
from nautilus_bitget.http.params import wire_body
from nautilus_bitget.schemas.account import BitgetAccount
from nautilus_bitget.schemas.account import BitgetBills
from nautilus_bitget.schemas.account import BitgetPosition
from nautilus_bitget.schemas.account import BitgetPositionModeResult
from nautilus_bitget.schemas.account import BitgetSetLeverageResult
from nautilus_bitget.schemas.account import BitgetSetMarginModeResult


MIX_ACCOUNT: Final[str] = "/api/v2/mix/account"
MIX_POSITION: Final[str] = "/api/v2/mix/position"
MARGIN_MODES: Final[tuple[str, ...]] = ("crossed", "isolated")
POSITION_MODES: Final[tuple[str, ...]] = ("one_way_mode", "hedge_mode")


class BitgetAccountHttpAPI:
    """
    Private account endpoints (``/api/v2/mix/account/*``, ``/api/v2/mix/position/*``).

    Parameters
    ----------
    client : BitgetHttpClient
        The REST transport (with credentials).

    """

    def __init__(self, client: BitgetHttpClient) -> None:
        self.client = client

    async def _get(self, path: str, params: dict[str, Any], decoder: Any) -> Any:
        return await self.client.get(path, params, signed=True, decoder=decoder)

    async def _get_list(self, path: str, params: dict[str, Any], decoder: Any) -> list[Any]:
        return await self._get(path, params, decoder) or []

    async def _post_setting(self, endpoint: str, body: dict[str, Any], decoder: Any) -> Any:
        # settings set a state: safe to retry
        path = f"{MIX_ACCOUNT}/{endpoint}"
        return await self.client.post(path, body, decoder=decoder, retry=True)

    async def accounts(self, product_type: BitgetProductType | str) -> list[BitgetAccount]:
        """Return one account per margin coin of a product type (bitget-protocol.md 5.1)."""
        params = {"productType": product_type_param(product_type)}
        return await self._get_list(f"{MIX_ACCOUNT}/accounts", params, list[BitgetAccount])

    async def account(
        self,
        symbol: str,
        product_type: BitgetProductType | str,
        margin_coin: str,
    ) -> BitgetAccount:
        """
        Return the single account with the symbol's settings (``marginMode``, ``posMode``,
        leverages; bitget-protocol.md 5.1).

        Parameters
        ----------
        symbol : str
            The symbol.
        product_type : BitgetProductType or str
            The product type.
        margin_coin : str
            The margin coin, e.g. ``USDT``.

        Returns
        -------
        BitgetAccount

        """
        params = symbol_query(symbol, product_type, marginCoin=margin_coin_param(margin_coin))
        return await self._get(f"{MIX_ACCOUNT}/account", params, BitgetAccount)

    async def set_leverage(
        self,
        symbol: str,
        product_type: BitgetProductType | str,
        margin_coin: str,
        leverage: int | str | None = None,
        hold_side: str | None = None,
        long_leverage: int | str | None = None,
        short_leverage: int | str | None = None,
    ) -> BitgetSetLeverageResult:
        """
        Set the leverage of a symbol (``POST set-leverage``, bitget-protocol.md 5.2).

        Parameters
        ----------
        symbol : str
            The symbol.
        product_type : BitgetProductType or str
            The product type.
        margin_coin : str
            The margin coin.
        leverage : int or str, optional
            The leverage (cross mode, or both sides).
        hold_side : str, optional
            ``long``/``short`` (isolated hedge mode with ``leverage``).
        long_leverage, short_leverage : int or str, optional
            Per-side leverage (isolated hedge mode).

        Returns
        -------
        BitgetSetLeverageResult

        """
        if leverage is None and long_leverage is None and short_leverage is None:
            raise ValueError("set_leverage: give leverage or long_leverage/short_leverage")
        body = wire_body(
            symbol=symbol,
            productType=product_type_param(product_type),
            marginCoin=margin_coin_param(margin_coin),
            leverage=leverage,
            holdSide=hold_side,
            longLeverage=long_leverage,
            shortLeverage=short_leverage,
        )
        return await self._post_setting("set-leverage", body, BitgetSetLeverageResult)

    async def set_margin_mode(
        self,
        symbol: str,
        product_type: BitgetProductType | str,
        margin_coin: str,
        margin_mode: str,
    ) -> BitgetSetMarginModeResult:
        """
        Set ``crossed`` or ``isolated`` margin for a symbol (fails with 45117 when positions or
        orders exist; bitget-protocol.md 5.2).

        Parameters
        ----------
        symbol : str
            The symbol.
        product_type : BitgetProductType or str
            The product type.
        margin_coin : str
            The margin coin.
        margin_mode : str
            ``crossed`` or ``isolated``.

        Returns
        -------
        BitgetSetMarginModeResult

        """
        if margin_mode not in MARGIN_MODES:
            raise ValueError(f"margin_mode must be one of {MARGIN_MODES}, was {margin_mode!r}")
        body = wire_body(
            symbol=symbol,
            productType=product_type_param(product_type),
            marginCoin=margin_coin_param(margin_coin),
            marginMode=margin_mode,
        )
        return await self._post_setting("set-margin-mode", body, BitgetSetMarginModeResult)

    async def set_position_mode(
        self,
        product_type: BitgetProductType | str,
        pos_mode: str,
    ) -> BitgetPositionModeResult:
        """
        Set ``one_way_mode`` or ``hedge_mode`` for a whole product type (fails with 40920 when
        any position or order exists; bitget-protocol.md 5.2, 9.3).

        Parameters
        ----------
        product_type : BitgetProductType or str
            The product type.
        pos_mode : str
            ``one_way_mode`` or ``hedge_mode``.

        Returns
        -------
        BitgetPositionModeResult

        """
        if pos_mode not in POSITION_MODES:
            raise ValueError(f"pos_mode must be one of {POSITION_MODES}, was {pos_mode!r}")
        body = {"productType": product_type_param(product_type), "posMode": pos_mode}
        return await self._post_setting("set-position-mode", body, BitgetPositionModeResult)

    async def all_position(
        self,
        product_type: BitgetProductType | str,
        margin_coin: str | None = None,
    ) -> list[BitgetPosition]:
        """Return all open positions of a product type (bitget-protocol.md 5.3)."""
        params = {
            "productType": product_type_param(product_type),
            "marginCoin": margin_coin_param(margin_coin),
        }
        return await self._get_list(f"{MIX_POSITION}/all-position", params, list[BitgetPosition])

    async def single_position(
        self,
        symbol: str,
        product_type: BitgetProductType | str,
        margin_coin: str,
    ) -> list[BitgetPosition]:
        """Return the positions of one symbol (two entries in hedge mode; bitget-protocol.md
        5.3)."""
        params = symbol_query(symbol, product_type, marginCoin=margin_coin_param(margin_coin))
        path = f"{MIX_POSITION}/single-position"
        return await self._get_list(path, params, list[BitgetPosition])

    async def bill(
        self,
        product_type: BitgetProductType | str,
        coin: str | None = None,
        business_type: str | None = None,
        only_funding: str | None = None,
        id_less_than: str | None = None,
        start_time: int | None = None,
        end_time: int | None = None,
        limit: int | None = None,
    ) -> BitgetBills:
        """
        Return account ledger entries, newest first (bitget-protocol.md 5.12).

        Parameters
        ----------
        product_type : BitgetProductType or str
            The product type.
        coin : str, optional
            Coin filter (transfer types only).
        business_type : str, optional
            E.g. ``contract_settle_fee`` (funding).
        only_funding : str, optional
            ``yes`` excludes margin add/reduce bills.
        id_less_than : str, optional
            Cursor: the previous page's ``endId``.
        start_time, end_time : int, optional
            Window (<= 30 days), ms.
        limit : int, optional
            Rows (max 100).

        Returns
        -------
        BitgetBills

        """
        params = {
            "productType": product_type_param(product_type),
            "coin": margin_coin_param(coin),
            "businessType": business_type,
            "onlyFunding": only_funding,
            **page_query(id_less_than, start_time, end_time, limit),
        }
        result = await self._get(f"{MIX_ACCOUNT}/bill", params, BitgetBills)
        return result if result is not None else BitgetBills()
