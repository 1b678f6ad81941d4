"""Bitget WebSocket transport: login, text ping/pong, subscribe, reconnect, raw tap, pooling."""

from nautilus_bitget.websocket.client import BitgetWebSocketClient
from nautilus_bitget.websocket.client import subscription_key
from nautilus_bitget.websocket.pool import BitgetWebSocketPool


__all__ = ["BitgetWebSocketClient", "BitgetWebSocketPool", "subscription_key"]
