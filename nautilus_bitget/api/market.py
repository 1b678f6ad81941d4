"""
The public (market data) half of an API family: what the instrument provider and the data client
may ask of the venue's REST market endpoints.

``market_v2`` (classic, v2 ``mix/market``) and ``market_v3`` (UTA, v3 ``market``) implement
``MarketApi``. Rows come back in one shared shape, the v2 market structs of ``schemas.market``
(the v3 implementation translates its rows), so one parser builds identical ``CryptoPerpetual``s,
``InstrumentId``s, bars, ticks and funding updates whatever the account type.

Where v3 has no endpoint for something (historical public trades, UTC-anchored candles of 6 hours
or more), the v3 implementation uses the v2 public endpoint, which serves any key or none
(bitget-protocol-uta.md 1.2: only the private endpoints are bound to the account type).
"""

from __future__ import annotations

from collections.abc import Awaitable
from collections.abc import Callable
from collections.abc import Sequence
from typing import Protocol

from nautilus_bitget.api.detect import AccountType
from nautilus_bitget.constants import BitgetProductType
from nautilus_bitget.http.client import BitgetHttpClient
from nautilus_bitget.schemas.common import num_str
from nautilus_bitget.schemas.market import BitgetCandleRow
from nautilus_bitget.schemas.market import BitgetContract
from nautilus_bitget.schemas.market import BitgetCurrentFundRate
from nautilus_bitget.schemas.market import BitgetHistoryFundRate
from nautilus_bitget.schemas.market import BitgetMergeDepth
from nautilus_bitget.schemas.market import BitgetRecentTrade
from nautilus_bitget.schemas.market import BitgetTicker


# One page of closed candles ending at ``end_ms`` (inclusive), any order
CandlePage = Callable[[int | None], Awaitable[list[BitgetCandleRow]]]


class MarketApi(Protocol):
    """
    The public REST market endpoints of one API family (see the module docstring).

    Attributes
    ----------
    name : {"v2", "v3"}
        The API version.
    account_type : {"classic", "uta"}
        The account type the family serves.
    http : BitgetHttpClient
        The REST transport the endpoint groups use (for the owner to close; never called
        directly).

    """

    name: str
    account_type: AccountType
    http: BitgetHttpClient

    async def contracts(
        self,
        product_type: BitgetProductType,
        symbol: str | None = None,
    ) -> list[BitgetContract]:
        """
        Return the contract rows of a product type (one symbol if given), delivery included.

        ``symbolStatus`` holds the v2 status (``normal``, ``limit_open``, ``maintain`` ...).

        Raises
        ------
        BitgetError
            If the venue refuses (an unknown ``symbol`` answers an error).

        """
        ...

    async def tickers(
        self,
        product_type: BitgetProductType,
        symbol: str | None = None,
    ) -> list[BitgetTicker]:
        """Return the tickers of a product type (one symbol if given)."""
        ...

    async def current_funding_rates(
        self,
        product_type: BitgetProductType,
        symbols: Sequence[str],
    ) -> list[BitgetCurrentFundRate]:
        """Return the running funding rate and interval (hours) of ``symbols``."""
        ...

    async def funding_history(
        self,
        symbol: str,
        product_type: BitgetProductType,
        *,
        start_ms: int | None = None,
        limit: int = 0,
    ) -> list[BitgetHistoryFundRate]:
        """
        Return settled funding rates, ascending by ``fundingTime``.

        Pages back from the newest until a page reaches ``start_ms``, ``limit`` rows (``0``: no
        cap) are collected, or the history ends. Rows before ``start_ms`` may be included.
        """
        ...

    async def history_candles(
        self,
        symbol: str,
        product_type: BitgetProductType,
        interval: str,
        *,
        kline_type: str = "market",
        start_ms: int | None = None,
        end_ms: int | None = None,
        limit: int = 0,
    ) -> list[BitgetCandleRow]:
        """
        Return closed candles, ascending and unique by start time.

        Parameters
        ----------
        symbol : str
            The symbol.
        product_type : BitgetProductType
            The product type.
        interval : str
            The v2 granularity (``1m``, ``1H``, ``1Dutc`` ...; see ``parsing.bars``).
        kline_type : {"market", "mark", "index"}, default "market"
            Last-trade, mark or index price candles.
        start_ms, end_ms : int, optional
            Window bounds (ms); pages go back from ``end_ms`` (the venue's latest if ``None``).
        limit : int, default 0
            Stop paging once this many rows are collected (``0``: page down to ``start_ms``).

        """
        ...

    async def recent_trades(
        self,
        symbol: str,
        product_type: BitgetProductType,
        limit: int | None = None,
    ) -> list[BitgetRecentTrade]:
        """Return the most recent public trades (one request, newest first)."""
        ...

    async def history_trades(
        self,
        symbol: str,
        product_type: BitgetProductType,
        *,
        start_ms: int | None = None,
        end_ms: int | None = None,
        limit: int | None = None,
    ) -> list[BitgetRecentTrade]:
        """
        Return public trades in a window, unique by ``tradeId`` (any order).

        Pages back from ``end_ms`` until ``limit`` trades (one full page if ``None``) are
        collected or the window is exhausted.
        """
        ...

    async def book_snapshot(
        self,
        symbol: str,
        product_type: BitgetProductType,
        limit: int | None = None,
    ) -> BitgetMergeDepth:
        """Return an unmerged order book snapshot, at most ``limit`` levels a side (all if None)."""
        ...


async def page_candles_back(
    fetch_page: CandlePage,
    *,
    start_ms: int | None,
    end_ms: int | None,
    limit: int,
) -> list[BitgetCandleRow]:
    """
    Page candles backwards from ``end_ms`` and return them ascending, unique by start time.

    Stops on an empty page, a page with nothing new, a page reaching ``start_ms``, or once
    ``limit`` rows (when > 0) are collected.

    Parameters
    ----------
    fetch_page : Callable[[int | None], Awaitable[list[BitgetCandleRow]]]
        Fetches one page ending at the given ms (inclusive).
    start_ms, end_ms : int, optional
        The window.
    limit : int
        Rows wanted (``0``: no cap).

    Returns
    -------
    list[BitgetCandleRow]

    """
    rows: dict[int, BitgetCandleRow] = {}
    cursor = end_ms
    while True:
        page = await fetch_page(cursor)
        if not page:
            break
        fresh = 0
        for row in page:
            start = int(num_str(row.ts))
            if start not in rows:
                rows[start] = row
                fresh += 1
        oldest = min(int(num_str(r.ts)) for r in page)
        if fresh == 0 or (start_ms is not None and oldest <= start_ms):
            break
        if limit and len(rows) >= limit:
            break
        cursor = oldest - 1
    return [rows[start] for start in sorted(rows)]
