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
