"""
The one place where the API family is decided: classic (API v2) or UTA (API v3).

``select_api`` detects the key's account type on connect (``api.detect``, cached per host and
key for the process) and returns a ``BitgetApi``: the family's market endpoints (``MarketApi``),
public stream dialect (``StreamDialect``) and trading implementation (``TradingApi``). The
instrument provider, data client and execution client receive it and never branch on the family
themselves.

Without credentials nothing can be detected: ``account_mode="uta"`` selects v3 and anything else
v2 (``public_account_type``; both serve public data to anyone). Before a family is selected the
clients use ``default_api`` (v2).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any
from typing import Final

from nautilus_bitget.api.detect import ACCOUNT_MODES
from nautilus_bitget.api.detect import AccountType
from nautilus_bitget.api.detect import detect_account_mode
from nautilus_bitget.api.market import MarketApi
from nautilus_bitget.api.market_v2 import BitgetV2Market
from nautilus_bitget.api.market_v3 import BitgetV3Market
from nautilus_bitget.api.streams import ClassicStreamDialect
from nautilus_bitget.api.streams import StreamDialect
from nautilus_bitget.api.streams import UtaStreamDialect
from nautilus_bitget.api.trade_ws import WsTradeDialect
from nautilus_bitget.api.trade_ws_v2 import ClassicWsTrade
from nautilus_bitget.api.trade_ws_v3 import UtaWsTrade
from nautilus_bitget.api.trading import TradingApi
from nautilus_bitget.api.trading_v2 import BitgetV2Trading
from nautilus_bitget.api.trading_v3 import BitgetV3Trading
from nautilus_bitget.http.client import BitgetHttpClient


# The family used until one is selected: v2, whose public endpoints serve any key (or none)
DEFAULT_ACCOUNT_TYPE: Final[AccountType] = "classic"

_log = logging.getLogger(__name__)


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
    market : MarketApi
        Public REST endpoints (instruments, tickers, funding, candles, trades, books).
    streams : StreamDialect
        Public socket dialect: URL, channel names, subscription args, decoders.
    trading : TradingApi
        Private endpoints and streams.
    trade_ws : WsTradeDialect
        The trade ops of the private socket (WebSocket order entry).

    """

    account_type: AccountType
    name: str
    market: MarketApi
    streams: StreamDialect
    trading: TradingApi
    trade_ws: WsTradeDialect


def build_api(
    account_type: str,
    http: BitgetHttpClient,
    *,
    hedge: bool = False,
    margin_mode: str = "crossed",
    logger: Any = None,
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
    logger : Logger, optional
        Where the market endpoints report skipped rows.

    Returns
    -------
    BitgetApi

    """
    if account_type == "uta":
        return BitgetApi(
            account_type="uta",
            name="v3",
            market=BitgetV3Market(http, logger),
            streams=UtaStreamDialect(),
            trading=BitgetV3Trading(http, hedge=hedge, margin_mode=margin_mode),
            trade_ws=UtaWsTrade(),
        )
    return BitgetApi(
        account_type="classic",
        name="v2",
        market=BitgetV2Market(http),
        streams=ClassicStreamDialect(),
        trading=BitgetV2Trading(http, hedge=hedge, margin_mode=margin_mode),
        trade_ws=ClassicWsTrade(),
    )


def default_api(http: BitgetHttpClient) -> BitgetApi:
    """
    Return the family used before one is selected: v2 (its public endpoints serve any key).

    Parameters
    ----------
    http : BitgetHttpClient
        The REST transport.

    Returns
    -------
    BitgetApi

    """
    return build_api(DEFAULT_ACCOUNT_TYPE, http)


def public_account_type(account_mode: str) -> AccountType:
    """
    Return the account type used without credentials: ``"uta"`` if configured, else classic.

    Parameters
    ----------
    account_mode : {"auto", "classic", "uta"}
        The configured ``account_mode`` (any case).

    Returns
    -------
    {"classic", "uta"}

    Raises
    ------
    ValueError
        If ``account_mode`` is not one of ``ACCOUNT_MODES``.

    """
    mode = (account_mode or "").strip().lower()
    if mode not in ACCOUNT_MODES:
        raise ValueError(f"account_mode must be one of {ACCOUNT_MODES}, was {account_mode!r}")
    return "uta" if mode == "uta" else "classic"


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

    Returns
    -------
    BitgetApi

    Raises
    ------
    ValueError
        If ``account_mode`` is not one of ``ACCOUNT_MODES``.
    BitgetAccountModeError
        If ``account_mode`` contradicts the key (the message says what to change).
    BitgetError
        If detection is inconclusive (auth or network failure): nothing is guessed.

    """
    transport = probe or http
    account_type: AccountType
    if transport.has_credentials:
        account_type = await detect_account_mode(transport, account_mode, logger=logger)
    else:
        account_type = public_account_type(account_mode)
        (logger or _log).info(
            f"Bitget account mode: {account_type} (no credentials, account_mode={account_mode!r})",
        )
    return build_api(account_type, http, hedge=hedge, margin_mode=margin_mode, logger=logger)
