"""
A user's own TradingNode with the Bitget clients and the example EMA cross strategy.

Point it at the local simulator (``bitget-nt sim`` in another terminal, then run this file), at
Bitget demo trading (``BitgetEnvironment.DEMO``) or at mainnet (``LIVE``); credentials come from
``BITGET_API_KEY`` / ``BITGET_API_SECRET`` / ``BITGET_API_PASSPHRASE`` (for the simulator:
``sim-key`` / ``sim-secret`` / ``sim-pass``).
"""

from pathlib import Path

from nautilus_trader.config import InstrumentProviderConfig
from nautilus_trader.config import TradingNodeConfig
from nautilus_trader.live.node import TradingNode

from nautilus_bitget import BitgetDataClientConfig
from nautilus_bitget import BitgetExecClientConfig
from nautilus_bitget import BitgetLiveDataClientFactory
from nautilus_bitget import BitgetLiveExecClientFactory
from strategies import EMACross
from strategies import EMACrossConfig


SIM = "http://127.0.0.1:8480"  # remove the three base_url_* lines for Bitget itself
urls = {
    "base_url_http": SIM,
    "base_url_ws_public": "ws://127.0.0.1:8480/v2/ws/public",
    "base_url_ws_private": "ws://127.0.0.1:8480/v2/ws/private",
}
providers = InstrumentProviderConfig(load_all=True)
node = TradingNode(
    config=TradingNodeConfig(
        trader_id="TRADER-001",
        data_clients={"BITGET": BitgetDataClientConfig(instrument_provider=providers, **urls)},
        exec_clients={"BITGET": BitgetExecClientConfig(instrument_provider=providers, **urls)},
    ),
)
config = Path(__file__).resolve().parent.parent / "strategies" / "configs" / "ema_cross.json"
node.trader.add_strategy(EMACross(EMACrossConfig.parse(config.read_text())))
node.add_data_client_factory("BITGET", BitgetLiveDataClientFactory)
node.add_exec_client_factory("BITGET", BitgetLiveExecClientFactory)
node.build()
try:
    node.run()  # Ctrl-C stops it cleanly
finally:
    node.dispose()
