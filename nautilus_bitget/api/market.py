"""
The public (market data) half of an API family. Placeholder: the typed endpoint group of the
family, until the market seam lands.
"""

from __future__ import annotations

from typing import Any

from nautilus_bitget.http.client import BitgetHttpClient
from nautilus_bitget.http.market import BitgetMarketHttpAPI
from nautilus_bitget.http.v3 import BitgetV3MarketHttpAPI


def market_api(account_type: str, http: BitgetHttpClient) -> Any:
    """Return the market endpoints of an account type's family."""
    if account_type == "uta":
        return BitgetV3MarketHttpAPI(http)
    return BitgetMarketHttpAPI(http)
