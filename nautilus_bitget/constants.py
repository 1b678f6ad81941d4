"""Venue identity, hosts and product types for Bitget API v2 (classic ``mix``) and v3 (UTA)."""

from __future__ import annotations

from enum import Enum
from typing import Final

from nautilus_trader.model.identifiers import Venue


BITGET: Final[str] = "BITGET"
BITGET_VENUE: Final[Venue] = Venue(BITGET)

# Suffix of every Bitget perpetual instrument id: ``BTCUSDT-PERP.BITGET``.
PERP_SUFFIX: Final[str] = "-PERP"


class BitgetEnvironment(Enum):
    """Which Bitget environment a client talks to (bitget-protocol.md section 1)."""

    LIVE = "live"
    DEMO = "demo"


class BitgetProductType(Enum):
    """Bitget futures product types; the value is the wire string (bitget-protocol.md section 0)."""

    USDT_FUTURES = "USDT-FUTURES"
    USDC_FUTURES = "USDC-FUTURES"
    COIN_FUTURES = "COIN-FUTURES"

    @property
    def is_inverse(self) -> bool:
        """Return whether contracts of this product type are inverse (COIN-M)."""
        return self is BitgetProductType.COIN_FUTURES


# -- HOSTS (bitget-protocol.md section 1)
# ------------------------------------------------------------
HTTP_URL_LIVE: Final[str] = "https://api.bitget.com"
WS_PUBLIC_URL_LIVE: Final[str] = "wss://ws.bitget.com/v2/ws/public"
WS_PRIVATE_URL_LIVE: Final[str] = "wss://ws.bitget.com/v2/ws/private"
# Demo trading uses the live REST host plus the ``paptrading: 1`` header (section 1.2 A).
HTTP_URL_DEMO: Final[str] = HTTP_URL_LIVE
WS_PUBLIC_URL_DEMO: Final[str] = "wss://wspap.bitget.com/v2/ws/public"
WS_PRIVATE_URL_DEMO: Final[str] = "wss://wspap.bitget.com/v2/ws/private"

# Simulator defaults (architecture.md section 3): one port serves REST and both sockets.
SIM_DEFAULT_HOST: Final[str] = "127.0.0.1"
SIM_DEFAULT_PORT: Final[int] = 8480
SIM_API_KEY: Final[str] = "sim-key"
SIM_API_SECRET: Final[str] = "sim-secret"  # noqa: S105 - public simulator credential
SIM_API_PASSPHRASE: Final[str] = "sim-pass"  # noqa: S105 - public simulator credential

# Where record / download / import-tardis / backtest / sweep read and write by default, and the
# small simulated sample catalog committed with the repository (data/sample/README.md)
DEFAULT_CATALOG: Final[str] = "data/catalog"
SAMPLE_CATALOG: Final[str] = "data/sample"

ENV_API_KEY: Final[str] = "BITGET_API_KEY"
ENV_API_SECRET: Final[str] = "BITGET_API_SECRET"  # noqa: S105 - variable name, not a secret
ENV_API_PASSPHRASE: Final[str] = "BITGET_API_PASSPHRASE"  # noqa: S105 - variable name


def default_urls(environment: BitgetEnvironment) -> tuple[str, str, str]:
    """
    Return the default ``(http, ws_public, ws_private)`` base URLs for an environment.

    Parameters
    ----------
    environment : BitgetEnvironment
        The environment.

    Returns
    -------
    tuple[str, str, str]

    """
    if environment is BitgetEnvironment.DEMO:
        return HTTP_URL_DEMO, WS_PUBLIC_URL_DEMO, WS_PRIVATE_URL_DEMO
    return HTTP_URL_LIVE, WS_PUBLIC_URL_LIVE, WS_PRIVATE_URL_LIVE


def sim_urls(host: str = SIM_DEFAULT_HOST, port: int = SIM_DEFAULT_PORT) -> tuple[str, str, str]:
    """Return the ``(http, ws_public, ws_private)`` URLs of a simulator at ``host:port``."""
    return (
        f"http://{host}:{port}",
        f"ws://{host}:{port}/v2/ws/public",
        f"ws://{host}:{port}/v2/ws/private",
    )
