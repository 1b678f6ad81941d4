"""
Recorder: Bitget market data into a Nautilus Parquet catalog that backtests trust.

``BitgetRecorder`` (a Nautilus Actor) buffers what the Bitget data client publishes and flushes it
with ``CatalogWriter`` (disjoint intervals, temp-then-rename); ``BitgetGapMarker`` rows and a
per-session manifest say where the data is not trustworthy.
"""

from nautilus_bitget.recorder.actor import BitgetRecorder
from nautilus_bitget.recorder.actor import BitgetRecorderConfig
from nautilus_bitget.recorder.markers import GAP_TOPIC
from nautilus_bitget.recorder.markers import BitgetGapMarker
from nautilus_bitget.recorder.writer import CatalogWriter


__all__ = [
    "GAP_TOPIC",
    "BitgetGapMarker",
    "BitgetRecorder",
    "BitgetRecorderConfig",
    "CatalogWriter",
]
