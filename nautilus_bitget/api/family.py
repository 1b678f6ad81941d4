"""
The one place where the API family is decided: classic (API v2) or UTA (API v3).

``select_api`` detects the key's account type on connect (``api.detect``, cached per host and
key for the process) and returns a ``BitgetApi``: the family's market endpoints, public stream
dialect and trading implementation. The instrument provider, data client and execution client
receive it and never branch on the family themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nautilus_bitget.api.detect import AccountType
from nautilus_bitget.api.detect import detect_account_mode
from nautilus_bitget.api.market import market_api
from nautilus_bitget.api.streams import ClassicStreamDialect
from nautilus_bitget.api.streams import UtaStreamDialect
from nautilus_bitget.api.trading import TradingApi
from nautilus_bitget.api.trading_v2 import BitgetV2Trading
from nautilus_bitget.api.trading_v3 import BitgetV3Trading
from nautilus_bitget.http.client import BitgetHttpClient


@dataclass(frozen=True, slots=True)
class BitgetApi:
    """
    One API family, bound to a REST transport.

    Attributes
    ----------
    account_type : {"classic", "uta"}
        The account type it serves.
    name : {"v2", "v3"}
        The API version.
    market : Any
        Public REST endpoints (instruments, tickers, funding, candles, trades, books).
    streams : ClassicStreamDialect
        Public socket dialect: URL, channel names, subscription args, decoders.
    trading : TradingApi
        Private endpoints and streams.

    """

    account_type: AccountType
    name: str
    market: Any
    streams: ClassicStreamDialect
    trading: TradingApi


def build_api(
    account_type: str,
    http: BitgetHttpClient,
    *,
    hedge: bool = False,
    margin_mode: str = "crossed",
) -> BitgetApi:
    """
    Return the API family of an account type (``"uta"`` -> v3, anything else -> v2).

    Parameters
    ----------
    account_type : {"classic", "uta"}
        The account type.
    http : BitgetHttpClient
        The REST transport the family's endpoints use.
    hedge : bool, default False
        Whether orders are sent in hedge-mode shape.
    margin_mode : str, default "crossed"
        The margin mode orders and leverage settings use.

    """
    if account_type == "uta":
        return BitgetApi(
            account_type="uta",
            name="v3",
            market=market_api("uta", http),
            streams=UtaStreamDialect(),
            trading=BitgetV3Trading(http, hedge=hedge, margin_mode=margin_mode),
        )
    return BitgetApi(
        account_type="classic",
        name="v2",
        market=market_api("classic", http),
        streams=ClassicStreamDialect(),
        trading=BitgetV2Trading(http, hedge=hedge, margin_mode=margin_mode),
    )


async def select_api(
    http: BitgetHttpClient,
    account_mode: str = "auto",
    *,
    hedge: bool = False,
    margin_mode: str = "crossed",
    logger: Any = None,
    probe: BitgetHttpClient | None = None,
) -> BitgetApi:
    """
    Detect the account type (bitget-protocol-uta.md 1.2) and return its API family.

    Parameters
    ----------
    http : BitgetHttpClient
        The transport the returned family uses.
    account_mode : {"auto", "classic", "uta"}, default "auto"
        The configured ``account_mode``.
    hedge, margin_mode
        See ``build_api``.
    logger : Logger, optional
        Where the choice is logged.
    probe : BitgetHttpClient, optional
        A signed transport to probe with when ``http`` has no credentials.

    Raises
    ------
    BitgetAccountModeError
        If ``account_mode`` contradicts the key (the message says what to change).
    BitgetError
        If detection is inconclusive (auth or network failure): nothing is guessed.

    """
    account_type = await detect_account_mode(probe or http, account_mode, logger=logger)
    return build_api(account_type, http, hedge=hedge, margin_mode=margin_mode)
