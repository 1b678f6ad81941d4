"""
The one place that reaches into NautilusTrader's private API (pinned to 1.231.*).

NautilusTrader keeps a few things we need behind underscore names: the catalog's row -> Arrow
conversion and directory layout (the recorder writes files itself to stay crash-safe), its file
naming, the engines' client registries, the connected flag of a client, an execution client's
report senders and task tracking. Each is wrapped here
with the public signature we rely on; ``tests/unit/test_compat.py`` calls every wrapper against
the installed NautilusTrader so an upgrade that renames or reshapes one fails there, loudly, and
not deep inside a recording.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from typing import TYPE_CHECKING
from typing import Any

import pyarrow as pa
from nautilus_trader.common.enums import LogColor
from nautilus_trader.persistence.catalog import parquet as _parquet


if TYPE_CHECKING:
    from nautilus_trader.core.data import Data
    from nautilus_trader.live.node import TradingNode
    from nautilus_trader.model.identifiers import ClientId
    from nautilus_trader.persistence.catalog.parquet import ParquetDataCatalog


def catalog_table(catalog: ParquetDataCatalog, rows: list[Data], data_cls: type) -> pa.Table:
    """Return the Arrow table the catalog would write for ``rows`` of ``data_cls``."""
    return catalog._objects_to_table(rows, data_cls=data_cls)


def catalog_directory(
    catalog: ParquetDataCatalog,
    data_cls: type[Data],
    identifier: str | None,
) -> str:
    """Return the catalog directory of ``data_cls`` / ``identifier``, as the catalog lays it out."""
    return catalog._make_path(data_cls, identifier)


def timestamps_to_filename(first_ns: int, last_ns: int) -> str:
    """Return the catalog's file name of a file spanning ``[first_ns, last_ns]``."""
    return _parquet._timestamps_to_filename(first_ns, last_ns)


def filename_timestamps(filename: str) -> tuple[int, int] | None:
    """Return the ``(first_ns, last_ns)`` of a catalog file name (``None`` if not one)."""
    return _parquet._parse_filename_timestamps(filename)


def data_client(node: TradingNode, client_id: ClientId) -> Any | None:
    """Return the data client registered with ``node``'s data engine under ``client_id``."""
    return node.kernel.data_engine._clients.get(client_id)


def exec_client(node: TradingNode, client_id: ClientId) -> Any | None:
    """Return the execution client registered with ``node``'s execution engine."""
    return node.kernel.exec_engine._clients.get(client_id)


def set_connected(client: Any, connected: bool = True) -> None:
    """Set a live client's connected flag, as the engine does after ``_connect`` succeeds."""
    client._set_connected(connected)


def report_senders(client: Any) -> tuple[Callable[[Any], None], Callable[[Any], None]]:
    """
    Return an execution client's ``(order status report, fill report)`` senders.

    They hand a report to the execution engine the way the client's own report requests do.
    """
    return client._send_order_status_report, client._send_fill_report


def track_task(client: Any, task: asyncio.Task[Any]) -> None:
    """
    Track ``task`` as the client's ``create_task`` does: kept alive until done, its failure
    logged by the client's task-completion handler.
    """
    if not task.done():
        client._tasks.add(task)
    task.add_done_callback(
        functools.partial(client._on_task_completed, None, None, LogColor.NORMAL),
    )
