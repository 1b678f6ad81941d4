"""
Bitget perpetual futures for NautilusTrader.

Public API (architecture.md section 3): ``BITGET_VENUE``, ``BitgetEnvironment``,
``BitgetProductType``,
``BitgetDataClientConfig``, ``BitgetExecClientConfig``, ``BitgetLiveDataClientFactory``,
``BitgetLiveExecClientFactory`` and ``BitgetInstrumentProvider``.
"""

from __future__ import annotations

import importlib
from typing import Any

from nautilus_bitget.config import BitgetDataClientConfig
from nautilus_bitget.config import BitgetExecClientConfig
from nautilus_bitget.constants import BITGET_VENUE
from nautilus_bitget.constants import BitgetEnvironment
from nautilus_bitget.constants import BitgetProductType


# Heavier modules load on first use so `import nautilus_bitget` stays cheap (the CLI and the
# simulator import it without needing the clients).
_LAZY = {
    "BitgetLiveDataClientFactory": "nautilus_bitget.factories",
    "BitgetLiveExecClientFactory": "nautilus_bitget.factories",
    "BitgetInstrumentProvider": "nautilus_bitget.providers",
}

__all__ = [
    "BITGET_VENUE",
    "BitgetDataClientConfig",
    "BitgetEnvironment",
    "BitgetExecClientConfig",
    "BitgetInstrumentProvider",
    "BitgetLiveDataClientFactory",
    "BitgetLiveExecClientFactory",
    "BitgetProductType",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'nautilus_bitget' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
