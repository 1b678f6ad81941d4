"""
The data client is a facade over collaborators that never see it.

- Only ``data/client.py`` and the package ``__init__`` import ``nautilus_bitget.data.client``
  (read from the source with ``ast``).
- ``BitgetDataClient`` has no base class but ``LiveMarketDataClient`` (no mixins).
- On a built client (API v2 and v3), every collaborator is slotted and none of its slots holds
  the client; they hold bound callables at most.
"""

from __future__ import annotations

import ast
import asyncio
from pathlib import Path

import pytest
from nautilus_trader.cache.cache import Cache
from nautilus_trader.common.component import LiveClock
from nautilus_trader.common.component import MessageBus
from nautilus_trader.live.data_client import LiveMarketDataClient
from nautilus_trader.model.identifiers import TraderId

import nautilus_bitget.data
from nautilus_bitget.config import BitgetDataClientConfig
from nautilus_bitget.constants import ENV_API_KEY
from nautilus_bitget.constants import ENV_API_PASSPHRASE
from nautilus_bitget.constants import ENV_API_SECRET
from nautilus_bitget.data import BitgetDataClient
from nautilus_bitget.factories import BitgetLiveDataClientFactory


DATA_ROOT = Path(nautilus_bitget.data.__file__).parent


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


@pytest.mark.parametrize(
    "path",
    sorted(p for p in DATA_ROOT.glob("*.py") if p.name not in ("client.py", "__init__.py")),
    ids=lambda p: p.name,
)
def test_collaborators_do_not_import_the_client(path: Path) -> None:
    assert "nautilus_bitget.data.client" not in _imported_modules(path)


def test_client_has_no_mixins() -> None:
    assert BitgetDataClient.__bases__ == (LiveMarketDataClient,)


def _collaborators(client: BitgetDataClient) -> list[object]:
    """Every object of a ``nautilus_bitget.data`` class reachable from the client's attributes."""
    seen: dict[int, object] = {}
    todo = list(vars(client).values())
    while todo:
        value = todo.pop()
        module = type(value).__module__
        if id(value) in seen or not module.startswith("nautilus_bitget.data."):
            continue
        if module == "nautilus_bitget.data.stats":
            continue  # the counters: plain data
        seen[id(value)] = value
        todo.extend(getattr(value, name) for name in getattr(type(value), "__slots__", ()))
    return list(seen.values())


@pytest.mark.parametrize(("account_mode", "api"), [("classic", "v2"), ("uta", "v3")])
async def test_no_collaborator_holds_the_client(
    monkeypatch: pytest.MonkeyPatch,
    account_mode: str,
    api: str,
) -> None:
    for name in (ENV_API_KEY, ENV_API_SECRET, ENV_API_PASSPHRASE):
        monkeypatch.delenv(name, raising=False)  # no key: the family follows account_mode
    clock = LiveClock()
    client = BitgetLiveDataClientFactory.create(
        asyncio.get_running_loop(),
        "BITGET",
        BitgetDataClientConfig(
            base_url_http="http://127.0.0.1:9",
            base_url_ws_public="ws://127.0.0.1:9",
            account_mode=account_mode,
        ),
        MessageBus(TraderId("TESTER-001"), clock),
        Cache(),
        clock,
    )
    await client.select_api()
    assert client.market_data_api == api
    collaborators = _collaborators(client)
    names = {type(c).__name__ for c in collaborators}
    assert {"Publisher", "Instruments", "SubscriptionBook", "FrameRouter", "BookSync"} <= names
    assert {"ChannelHandlers", "Requests", "StatusPoller", "InstrumentRefresher"} <= names
    for collaborator in collaborators:
        assert not hasattr(collaborator, "__dict__"), f"{type(collaborator).__name__} slotted"
        for name in type(collaborator).__slots__:
            value = getattr(collaborator, name)
            assert value is not client, f"{type(collaborator).__name__}.{name} is the client"
