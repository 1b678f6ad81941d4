"""The simulator's configuration (:class:`SimConfig`), shared by the server and its layers."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class SimConfig:
    """
    Configuration of a :class:`BitgetSimulator`.

    Parameters
    ----------
    host, port : str, int
        Bind address; port 0 picks a free port.
    symbols : list[str], optional
        Markets to generate (default BTCUSDT, ETHUSDT, BTCPERP, BTCUSD).
    seed : int
        Market generator seed.
    checksum : bool
        Send a signed CRC32 ``checksum`` on v2 ``books`` (bitget-protocol.md 6.1). v3 ``books``
        updates always carry it (bitget-protocol-uta.md 4.5).
    account_mode : str
        ``"classic"`` or ``"uta"`` for the default account (UTA gets 40085 on v2 endpoints).
    book_rate_hz : float
        ``books`` messages per second per symbol.
    funding_interval_secs : float, optional
        Funding settlement interval (default 28800 s = 8 h; ``None``: each contract's
        ``fundInterval`` hours). Seeded funding history uses the same grid.
    history_days : float
        Days of seeded market history before the start (default 3; 0 disables): 1m candles
        (every granularity aggregated from them; mark / index near last), a few public trades
        per minute and funding settlements, deterministic from ``seed`` (history.py).
    ws_idle_timeout_secs : float
        Close a socket after this long without a text ``ping`` (bitget-protocol.md 3.1: ~120 s).
    ws_max_msgs_per_sec : int
        Inbound messages per second per connection before it is closed (0 disables).
    ws_max_channels : int
        Channels per connection.
    ws_max_subscribes_per_hour : int
        Subscribe requests per hour per connection (bitget-protocol.md 3.1: 240; 0 disables).
    ws_max_age_secs : float, optional
        Force a clean disconnect after this connection age (Bitget: 24 h).
    rate_limits : bool
        Enforce the per-endpoint limits of bitget-protocol.md 7.2 (HTTP 429).
    push_interval_secs : float
        Flush period of throttled channels (ticker, candles).
    book_levels : int
        Depth of the generated books.
    replay : str, optional
        Serve a recorded Nautilus catalog instead of the generated market.
    replay_speed : float
        Replay speed (1.0 = real time).
    contracts : int
        Generated USDT-M perpetuals listed in addition to ``symbols`` (``GEN000USDT``...), each
        with its own book, trades, candles and ticker (contracts.py ``generated_contracts``).
    contracts_active_fraction : float
        Share of the generated contracts whose book updates every 50-100 ms; the others update
        every 0.5-1 s.
    contracts_history_days : float
        Seeded history of each generated contract (default 0.1 day: memory and start-up time
        stay small with hundreds of contracts; the named symbols keep ``history_days``).
    ws_max_connections_per_ip : int
        Concurrent WebSocket connections per client IP over all sockets (bitget-protocol.md
        3.1: 100; 0 disables); one more is refused at the handshake with HTTP 429.
    ws_max_connects_per_window : int
        WebSocket connection attempts per client IP within ``ws_connect_window_secs``
        (bitget-protocol.md 3.1: 300 per 5 min; 0 disables); more are refused with HTTP 429.
    ws_connect_window_secs : float
        The window of ``ws_max_connects_per_window``.

    """

    host: str = "127.0.0.1"
    port: int = 0
    symbols: list[str] | None = None
    seed: int = 7
    checksum: bool = False
    account_mode: str = "classic"
    book_rate_hz: float = 10.0
    funding_interval_secs: float | None = 28_800.0
    history_days: float = 3.0
    ws_idle_timeout_secs: float = 120.0
    ws_max_msgs_per_sec: int = 10
    ws_max_channels: int = 1000
    ws_max_subscribes_per_hour: int = 240
    ws_max_age_secs: float | None = 86_400.0
    rate_limits: bool = True
    push_interval_secs: float = 0.1
    book_levels: int = 200
    replay: str | None = None
    replay_speed: float = 1.0
    contracts: int = 0
    contracts_active_fraction: float = 0.5
    contracts_history_days: float = 0.1
    ws_max_connections_per_ip: int = 100
    ws_max_connects_per_window: int = 300
    ws_connect_window_secs: float = 300.0
