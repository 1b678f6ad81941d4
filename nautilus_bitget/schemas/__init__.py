"""
msgspec wire types of Bitget API v2 (classic ``mix``), venue field names, no Nautilus imports.

- ``common``: lenient numeric type ``StrNum`` and ``num_*`` converters
- ``envelope``: REST envelope, WebSocket frame / push / event envelopes
- ``market``: public REST payloads (contracts, tickers, candles, funding, ...)
- ``account``: accounts, settings results, positions, bills
- ``trade``: orders, batch results, fills, plan orders
- ``ws_public``: public WebSocket pushes (books, trade, ticker, candle)
- ``ws_private``: private WebSocket pushes (orders, fill, positions, account, orders-algo, ...)
"""
