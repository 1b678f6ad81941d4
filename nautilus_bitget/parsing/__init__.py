"""
Free functions turning decoded Bitget wire structs into Nautilus objects.

``book``: order books (fast fixed-point path), ``market``: trades, ticker, candles, status,
``bars``: candle interval <-> ``BarSpecification`` mapping.
"""
