"""
API families of Bitget: classic (v2) and UTA (v3), decided once per process in ``family``.

- ``family``: ``BitgetApi``, ``build_api``, ``default_api``, ``select_api`` (the decision).
- ``detect``: account-type probe.
- ``market`` (interface ``MarketApi``), ``market_v2``, ``market_v3``: public REST endpoints.
- ``streams``: public socket dialects (interface ``StreamDialect``).
- ``trading`` (interface ``TradingApi``), ``trading_v2``, ``trading_v3``: private endpoints and
  streams.
"""

from nautilus_bitget.api.family import BitgetApi
from nautilus_bitget.api.family import build_api
from nautilus_bitget.api.family import default_api
from nautilus_bitget.api.family import select_api


__all__ = ["BitgetApi", "build_api", "default_api", "select_api"]
