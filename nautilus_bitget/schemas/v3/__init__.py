"""
msgspec wire types of the Bitget Unified Trading Account API v3 (bitget-protocol-uta.md), venue
field
names, no Nautilus imports.

- ``common``: v3 tolerance helpers (category case, ``yes``/``no`` flags, exact ``seq`` integers)
- ``market``: public REST payloads (instruments, tickers, orderbook, candles, fills, funding, OI)
- ``account``: settings, assets, fee rate, info, positions, max-open-available
- ``trade``: order acks, batch / list results, orders, fills, strategy orders
- ``ws``: socket frames, events and every public / private push payload

REST payloads are the envelope's ``data`` (the REST client strips the envelope, which is the same
as v2: bitget-protocol-uta.md 1.3). Numbers are ``StrNum`` (string or JSON number, as received).
"""
