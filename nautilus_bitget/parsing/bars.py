"""
Candle intervals: Bitget ``granularity`` / ``candle<interval>`` <-> Nautilus ``BarSpecification``.

bitget-protocol.md 4.5 and 6.1: intervals are ``1m 3m 5m 15m 30m 1H 4H 6H 12H 1D 3D 1W 1M`` plus
UTC-anchored ``6Hutc 12Hutc 1Dutc 3Dutc 1Wutc 1Mutc``. Nautilus bars are UTC-aligned, so every
interval of 6 hours or more maps to its ``utc`` variant (as CCXT does, section 4.5). ``3m`` has no
documented WS channel (REST only); ``2H`` is undocumented and not offered.
"""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from typing import Final

from nautilus_trader.model.data import BarSpecification
from nautilus_trader.model.data import BarType
from nautilus_trader.model.enums import AggregationSource
from nautilus_trader.model.enums import BarAggregation
from nautilus_trader.model.enums import PriceType

from nautilus_bitget.common.errors import BitgetConfigError


_MINUTE_NS = 60_000_000_000

# (step, aggregation) -> (bitget interval, duration in ns or None for calendar months)
_INTERVALS: dict[tuple[int, BarAggregation], tuple[str, int | None]] = {
    (1, BarAggregation.MINUTE): ("1m", _MINUTE_NS),
    (3, BarAggregation.MINUTE): ("3m", 3 * _MINUTE_NS),
    (5, BarAggregation.MINUTE): ("5m", 5 * _MINUTE_NS),
    (15, BarAggregation.MINUTE): ("15m", 15 * _MINUTE_NS),
    (30, BarAggregation.MINUTE): ("30m", 30 * _MINUTE_NS),
    (1, BarAggregation.HOUR): ("1H", 60 * _MINUTE_NS),
    (4, BarAggregation.HOUR): ("4H", 240 * _MINUTE_NS),
    (6, BarAggregation.HOUR): ("6Hutc", 360 * _MINUTE_NS),
    (12, BarAggregation.HOUR): ("12Hutc", 720 * _MINUTE_NS),
    (1, BarAggregation.DAY): ("1Dutc", 1440 * _MINUTE_NS),
    (3, BarAggregation.DAY): ("3Dutc", 3 * 1440 * _MINUTE_NS),
    (1, BarAggregation.WEEK): ("1Wutc", 7 * 1440 * _MINUTE_NS),
    (1, BarAggregation.MONTH): ("1Mutc", None),
}
# Intervals without a documented candle channel (bitget-protocol.md 6.1): REST requests only.
_REST_ONLY = frozenset({"3m"})
_BY_INTERVAL = {interval: key for key, (interval, _) in _INTERVALS.items()}

# Candle kinds of REST history (section 4.5; each family picks its endpoint, ``api.market``);
# WS candles are market (LAST) only.
KLINE_TYPES: Final[tuple[str, ...]] = ("market", "mark", "index")


class BitgetBarSpecError(BitgetConfigError):
    """A bar type has no Bitget candle equivalent; the message lists the supported ones."""


def supported_bar_specs() -> list[str]:
    """Return the supported specs as ``"<step>-<AGGREGATION>"`` strings."""
    return [f"{step}-{agg.name}" for step, agg in _INTERVALS]


def bar_spec_to_interval(spec: BarSpecification, *, websocket: bool = False) -> str:
    """
    Return the Bitget interval of a bar specification.

    Parameters
    ----------
    spec : BarSpecification
        The Nautilus specification (step + aggregation; price type checked by the caller).
    websocket : bool, default False
        Require a documented ``candle<interval>`` channel.

    Raises
    ------
    BitgetBarSpecError
        If Bitget has no such candle interval.

    """
    found = _INTERVALS.get((spec.step, spec.aggregation))
    if found is None or (websocket and found[0] in _REST_ONLY):
        supported = ", ".join(s for s in supported_bar_specs() if not websocket or s != "3-MINUTE")
        raise BitgetBarSpecError(
            f"bar spec {spec} has no Bitget candle {'channel' if websocket else 'interval'}; "
            f"supported: {supported}",
        )
    return found[0]


def interval_to_bar_spec(interval: str, price_type: PriceType = PriceType.LAST) -> BarSpecification:
    """Return the Nautilus ``BarSpecification`` of a Bitget interval (``utc`` variants >= 6H)."""
    key = _BY_INTERVAL.get(interval)
    if key is None:
        raise BitgetBarSpecError(f"unknown Bitget candle interval {interval!r}")
    return BarSpecification(key[0], key[1], price_type)


def kline_type_for(bar_type: BarType, params: dict | None = None) -> str:
    """
    Return the history kLineType for a bar type: ``mark`` for ``PriceType.MARK``, ``index`` when
    ``params["kline_type"] == "index"`` (Nautilus has no INDEX price type), else ``market``.

    Raises
    ------
    BitgetBarSpecError
        For BID/ASK/MID bars, which Bitget does not publish.

    """
    requested = (params or {}).get("kline_type")
    if requested in KLINE_TYPES:
        return requested
    price_type = bar_type.spec.price_type
    if price_type == PriceType.LAST:
        return "market"
    if price_type == PriceType.MARK:
        return "mark"
    raise BitgetBarSpecError(
        f"bar type {bar_type}: Bitget candles are LAST (market), MARK or index "
        "(params={'kline_type': 'index'}), not " + price_type.name,
    )


def bar_close_ns(spec: BarSpecification, open_ns: int) -> int:
    """Return the close time (open + interval) of a bar opening at ``open_ns`` (UTC)."""
    found = _INTERVALS.get((spec.step, spec.aggregation))
    if found is None:
        raise BitgetBarSpecError(f"unsupported bar spec {spec}")
    duration = found[1]
    if duration is not None:
        return open_ns + duration
    opened = datetime.fromtimestamp(open_ns / 1e9, tz=UTC)
    year, month = (opened.year + 1, 1) if opened.month == 12 else (opened.year, opened.month + 1)
    closed = datetime(year, month, 1, tzinfo=UTC)
    return int(closed.timestamp()) * 1_000_000_000


def validate_external(bar_type: BarType) -> None:
    """Raise ``BitgetBarSpecError`` unless the bar type is EXTERNAL (venue candles)."""
    if bar_type.aggregation_source != AggregationSource.EXTERNAL:
        raise BitgetBarSpecError(f"bar type {bar_type} must be EXTERNAL for Bitget candles")
