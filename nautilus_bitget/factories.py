"""
Nautilus client factories: ``BitgetLiveDataClientFactory`` and ``BitgetLiveExecClientFactory``.

Register them with ``node.add_data_client_factory("BITGET", BitgetLiveDataClientFactory)`` and
``node.add_exec_client_factory("BITGET", BitgetLiveExecClientFactory)``.
"""

from __future__ import annotations

import asyncio
import inspect
from typing import Any

from nautilus_trader.cache.cache import Cache
from nautilus_trader.common.component import LiveClock
from nautilus_trader.common.component import MessageBus
from nautilus_trader.live.factories import LiveDataClientFactory
from nautilus_trader.live.factories import LiveExecClientFactory
from nautilus_trader.model.identifiers import ClientId

from nautilus_bitget.config import BitgetDataClientConfig
from nautilus_bitget.config import BitgetExecClientConfig


def _http_client(config: BitgetDataClientConfig | BitgetExecClientConfig, credentials: Any) -> Any:
    from nautilus_bitget.http.client import BitgetHttpClient

    return BitgetHttpClient(
        config.http_url,
        credentials,
        environment=config.environment,
        timeout_secs=config.http_timeout_secs,
        max_retries=config.max_retries,
    )


def _provider(
    config: BitgetDataClientConfig | BitgetExecClientConfig,
    http_client: Any,
    clock: LiveClock,
) -> Any:
    from nautilus_bitget.providers import BitgetInstrumentProvider

    return BitgetInstrumentProvider(
        http_client,
        product_types=config.product_types,
        config=config.instrument_provider,
        clock=clock,
    )


class BitgetLiveDataClientFactory(LiveDataClientFactory):
    """Build a ``BitgetDataClient`` for a ``TradingNode``."""

    @staticmethod
    def create(  # type: ignore[override]
        loop: asyncio.AbstractEventLoop,
        name: str,
        config: BitgetDataClientConfig,
        msgbus: MessageBus,
        cache: Cache,
        clock: LiveClock,
    ) -> Any:
        """
        Return a new ``BitgetDataClient``.

        Parameters
        ----------
        loop : asyncio.AbstractEventLoop
            The node's event loop.
        name : str
            The client name (the client id, e.g. ``BITGET``).
        config : BitgetDataClientConfig
            The configuration.
        msgbus, cache, clock
            The node's components.

        """
        from nautilus_bitget.data import BitgetDataClient

        http_client = _http_client(config, None)
        return BitgetDataClient(
            loop=loop,
            client_id=ClientId(name),
            msgbus=msgbus,
            cache=cache,
            clock=clock,
            instrument_provider=_provider(config, http_client, clock),
            config=config,
            http_client=http_client,
        )


class BitgetLiveExecClientFactory(LiveExecClientFactory):
    """Build a ``BitgetExecutionClient`` for a ``TradingNode``."""

    @staticmethod
    def create(  # type: ignore[override]
        loop: asyncio.AbstractEventLoop,
        name: str,
        config: BitgetExecClientConfig,
        msgbus: MessageBus,
        cache: Cache,
        clock: LiveClock,
    ) -> Any:
        """
        Return a new ``BitgetExecutionClient``.

        Parameters
        ----------
        loop : asyncio.AbstractEventLoop
            The node's event loop.
        name : str
            The client name (the client id, e.g. ``BITGET``).
        config : BitgetExecClientConfig
            The configuration.
        msgbus, cache, clock
            The node's components.

        """
        # Imported here: the execution module is heavier and not needed for data-only nodes
        from nautilus_bitget.execution import BitgetExecutionClient

        # The provider only reads public contracts; the client signs with its own REST client
        http_client = _http_client(config, None)
        kwargs: dict[str, Any] = {
            "loop": loop,
            "msgbus": msgbus,
            "cache": cache,
            "clock": clock,
            "instrument_provider": _provider(config, http_client, clock),
            "config": config,
        }
        accepted = inspect.signature(BitgetExecutionClient.__init__).parameters
        if "client_id" in accepted:
            kwargs["client_id"] = ClientId(name)
        if "name" in accepted:
            kwargs["name"] = name
        return BitgetExecutionClient(**kwargs)
