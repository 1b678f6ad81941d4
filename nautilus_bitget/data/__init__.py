"""
``BitgetDataClient``: every Bitget public market data type for NautilusTrader (architecture.md 4).

Frames from the public socket are decoded once (``data`` kept raw) and routed by exact channel
name to the channel's handler; the channel's decoder then decodes ``data`` and ``parsing`` builds
the Nautilus objects. Books go through ``common.book.BookIntegrity`` (seq/pseq chain, crc32 when
sent); on a gap or a mismatch the book is resubscribed and nothing is published until the fresh
snapshot arrives.

Which API: the account's family, decided once on connect by ``api.family.select_api`` (cached
for the process) and held as ``BitgetApi``: ``api.streams`` (the public stream dialect: URL,
channel names, subscription args, decoders; the handlers are shared) and ``api.market`` (every
REST request: instruments via the provider, bars, trades, funding history, book snapshot, status).
Credentials present -> the account type is detected (a hand-set ``account_mode`` that contradicts
the key fails the connect) and a UTA account reads v3, a classic one v2. Without credentials:
``account_mode="uta"`` -> v3, otherwise v2. Both give identical Nautilus objects and ids;
measured (bench/decode_books_v3.py): equal decode cost per book update, v3 frames ~4% larger.

Channel choices (bitget-protocol.md 6.1; v3 names from bitget-protocol-uta.md 4.4 in brackets):

- deltas: ``books`` (full depth; one snapshot then updates),
- ``OrderBookDepth10``: ``books15`` [``books50``] (a full snapshot every push, best 10 used),
- quotes: ``books1`` by default, pushed every ~10 ms, against ~100-300 ms for ``ticker``
  (``config.quote_channel = "ticker"`` switches),
- trades: ``trade`` [``publicTrade``]; bars: ``candle<interval>`` [``kline`` + ``interval``];
  mark, index and funding: one shared ``ticker``.

Modules: ``client`` (the ``LiveMarketDataClient`` facade: connect, API family, Nautilus commands
handed to the collaborators below, which it builds and which never see the client),
``publisher`` (the one way out: data, announcements, skip counts), ``instruments`` (contexts and
lookups), ``subscriptions`` (one reference count of wanted streams, from which the socket
subscriptions derive), ``router`` (frame decode and routing), ``books`` (the ``books`` channel:
integrity, resync, gaps), ``channels`` (the other channels), ``requests`` (REST history),
``status`` and ``refresh`` (the pollers, on ``loop_task``), ``stats``.
"""

from nautilus_bitget.data.books import CHECKSUM_GIVE_UP
from nautilus_bitget.data.books import GAP_TOPIC
from nautilus_bitget.data.books import RESYNC_RETRY_SECS
from nautilus_bitget.data.client import BitgetDataClient
from nautilus_bitget.data.requests import DEFAULT_BARS_LIMIT
from nautilus_bitget.data.requests import FILLS_HISTORY_MAX
from nautilus_bitget.data.requests import FUND_HISTORY_PAGE
from nautilus_bitget.data.requests import HISTORY_CANDLES_MAX
from nautilus_bitget.data.stats import BitgetDataStats
from nautilus_bitget.data.status import STATUS_POLL_SECS


__all__ = [
    "CHECKSUM_GIVE_UP",
    "DEFAULT_BARS_LIMIT",
    "FILLS_HISTORY_MAX",
    "FUND_HISTORY_PAGE",
    "GAP_TOPIC",
    "HISTORY_CANDLES_MAX",
    "RESYNC_RETRY_SECS",
    "STATUS_POLL_SECS",
    "BitgetDataClient",
    "BitgetDataStats",
]
