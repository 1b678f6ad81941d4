"""
Bar specs by hand: the one-line errors name what to change (the project's bad-config rule), the
default history kline type is ``market``, monthly bars close on the first of the next month UTC
(bitget-protocol.md 4.5).
"""

from __future__ import annotations

import pytest
from nautilus_trader.model.data import BarSpecification
from nautilus_trader.model.data import BarType
from nautilus_trader.model.enums import BarAggregation
from nautilus_trader.model.enums import PriceType

from nautilus_bitget.parsing.bars import BitgetBarSpecError
from nautilus_bitget.parsing.bars import bar_close_ns
from nautilus_bitget.parsing.bars import bar_spec_to_interval
from nautilus_bitget.parsing.bars import interval_to_bar_spec
from nautilus_bitget.parsing.bars import kline_type_for
from nautilus_bitget.parsing.bars import supported_bar_specs


NS = 1_000_000_000


def _spec(step: int, agg: BarAggregation) -> BarSpecification:
    return BarSpecification(step, agg, PriceType.LAST)


def test_errors_name_the_supported_specs() -> None:
    every = ", ".join(supported_bar_specs())
    assert "3-MINUTE" in every
    with pytest.raises(BitgetBarSpecError) as rest:
        bar_spec_to_interval(_spec(2, BarAggregation.HOUR))
    assert str(rest.value) == (
        f"bar spec 2-HOUR-LAST has no Bitget candle interval; supported: {every}"
    )
    with pytest.raises(BitgetBarSpecError) as ws:
        bar_spec_to_interval(_spec(3, BarAggregation.MINUTE), websocket=True)
    streamed = ", ".join(s for s in supported_bar_specs() if s != "3-MINUTE")
    assert str(ws.value) == (
        f"bar spec 3-MINUTE-LAST has no Bitget candle channel; supported: {streamed}"
    )
    with pytest.raises(BitgetBarSpecError, match=r"^unknown Bitget candle interval '7m'$"):
        interval_to_bar_spec("7m")
    with pytest.raises(BitgetBarSpecError, match=r"^unsupported bar spec 2-HOUR-LAST$"):
        bar_close_ns(_spec(2, BarAggregation.HOUR), 0)


def test_kline_type_default_and_error() -> None:
    last = BarType.from_str("BTCUSDT-PERP.BITGET-1-MINUTE-LAST-EXTERNAL")
    assert kline_type_for(last) == "market"
    assert kline_type_for(last, {"kline_type": "mark"}) == "mark"
    bid = BarType.from_str("BTCUSDT-PERP.BITGET-1-MINUTE-BID-EXTERNAL")
    with pytest.raises(BitgetBarSpecError) as error:
        kline_type_for(bid)
    assert str(error.value) == (
        f"bar type {bid}: Bitget candles are LAST (market), MARK or index "
        "(params={'kline_type': 'index'}), not BID"
    )


def test_month_bars_close_on_the_first_of_the_next_month_utc() -> None:
    month = _spec(1, BarAggregation.MONTH)
    mar1 = 1709251200 * NS  # 2024-03-01 00:00 UTC
    apr1 = 1711929600 * NS
    assert bar_close_ns(month, mar1) == apr1
    dec1 = 1701388800 * NS  # 2023-12-01
    assert bar_close_ns(month, dec1) == 1704067200 * NS  # 2024-01-01
    # 2024-03-31 23:00 UTC is still March in UTC (and April 1 in UTC+1)
    assert bar_close_ns(month, apr1 - 3600 * NS) == apr1
