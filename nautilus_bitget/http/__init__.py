"""Bitget REST transport: signing, envelope, typed errors, rate limits, retries."""

from nautilus_bitget.http.client import BitgetHttpClient
from nautilus_bitget.http.ratelimit import BitgetRateLimiter


__all__ = ["BitgetHttpClient", "BitgetRateLimiter"]
