"""
Every NautilusTrader private API we use, called through ``nautilus_bitget.compat``.

These fail loudly when a NautilusTrader upgrade renames or reshapes one of them.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pyarrow as pa
from nautilus_trader.config import LoggingConfig
from nautilus_trader.config import TradingNodeConfig
from nautilus_trader.live.node import TradingNode
from nautilus_trader.model.data import TradeTick
from nautilus_trader.model.identifiers import ClientId
from nautilus_trader.persistence.catalog.parquet import ParquetDataCatalog
from nautilus_trader.test_kit.stubs.data import TestDataStubs

from nautilus_bitget.compat import catalog_directory
from nautilus_bitget.compat import catalog_table
from nautilus_bitget.compat import data_client
from nautilus_bitget.compat import exec_client
from nautilus_bitget.compat import filename_timestamps
from nautilus_bitget.compat import report_senders
from nautilus_bitget.compat import set_connected
from nautilus_bitget.compat import timestamps_to_filename
from nautilus_bitget.compat import track_task
from nautilus_bitget.config import BitgetDataClientConfig
from nautilus_bitget.config import BitgetExecClientConfig
from nautilus_bitget.factories import BitgetLiveDataClientFactory
from nautilus_bitget.factories import BitgetLiveExecClientFactory


def test_catalog_helpers_round_trip(tmp_path: Path) -> None:
    catalog = ParquetDataCatalog(str(tmp_path))
    trade = TestDataStubs.trade_tick()

    table = catalog_table(catalog, [trade], TradeTick)
    directory = catalog_directory(catalog, TradeTick, str(trade.instrument_id))
    name = timestamps_to_filename(trade.ts_init, trade.ts_init + 5)

    assert isinstance(table, pa.Table)
    assert table.num_rows == 1
    assert directory.endswith("data/trade_tick/AUDUSD.SIM")  # "/" is dropped from the id
    assert name.endswith(".parquet")
    assert filename_timestamps(f"{directory}/{name}") == (trade.ts_init, trade.ts_init + 5)
    assert filename_timestamps("not-a-catalog-file.parquet") is None


async def test_node_client_lookup_and_connected_flag() -> None:
    node = TradingNode(
        config=TradingNodeConfig(
            trader_id="COMPAT-001",
            logging=LoggingConfig(log_level="ERROR"),
            data_clients={"BITGET": BitgetDataClientConfig(base_url_http="http://127.0.0.1:9")},
            exec_clients={
                "BITGET": BitgetExecClientConfig(
                    api_key="k",
                    api_secret="s",
                    api_passphrase="p",
                    base_url_http="http://127.0.0.1:9",
                ),
            },
        ),
        loop=asyncio.get_running_loop(),
    )
    node.add_data_client_factory("BITGET", BitgetLiveDataClientFactory)
    node.add_exec_client_factory("BITGET", BitgetLiveExecClientFactory)
    node.build()
    # never started: nothing to dispose (dispose would close the test's running loop)
    client = data_client(node, ClientId("BITGET"))
    assert client is not None
    execution = exec_client(node, ClientId("BITGET"))
    assert execution is not None
    assert data_client(node, ClientId("NOPE")) is None

    assert not client.is_connected
    set_connected(client, True)
    assert client.is_connected
    set_connected(client, False)
    assert not client.is_connected

    send_status, send_fill = report_senders(execution)
    assert callable(send_status)
    assert callable(send_fill)

    async def work() -> int:
        await asyncio.sleep(0)
        return 1

    task = asyncio.get_running_loop().create_task(work())
    track_task(execution, task)
    assert await task == 1
