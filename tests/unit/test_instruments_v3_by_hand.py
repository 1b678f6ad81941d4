"""
UTA (v3) instrument rows by hand (bitget-protocol-uta.md 2.2): the documented USDT-M row becomes
the same classic contract row as v2's (tick = priceMultiplier, step = quantityMultiplier) and the
same instrument; COIN-M settles in the base coin, USDC-M in USDC.
"""

from __future__ import annotations

import json
from decimal import Decimal

import msgspec
import pytest

from nautilus_bitget.constants import BitgetProductType
from nautilus_bitget.parsing.instruments import BitgetInstrumentParseError
from nautilus_bitget.parsing.instruments_v3 import is_v3_perpetual
from nautilus_bitget.parsing.instruments_v3 import is_v3_tradable
from nautilus_bitget.parsing.instruments_v3 import parse_v3_instrument
from nautilus_bitget.parsing.instruments_v3 import v3_to_classic_contract
from nautilus_bitget.schemas.v3.market import BitgetV3Instrument
from tests.samples import SAMPLES


def _row(**changes) -> BitgetV3Instrument:
    path = SAMPLES / "uta" / "rest_instruments_usdt_futures_doc.json"
    row = {**json.loads(path.read_text())["data"][0], **changes}
    return msgspec.convert(row, BitgetV3Instrument)


def test_documented_row_to_classic_contract() -> None:
    c = v3_to_classic_contract(_row(), BitgetProductType.USDT_FUTURES)
    assert (c.symbol, c.baseCoin, c.quoteCoin, c.supportMarginCoins) == (
        "BTCUSDT",
        "BTC",
        "USDT",
        ["USDT"],
    )
    assert (c.pricePlace, c.priceEndStep, c.volumePlace, c.sizeMultiplier) == (
        "1",
        "1",
        "4",
        "0.0001",
    )
    assert (c.minTradeNum, c.minTradeUSDT, c.maxOrderQty, c.maxMarketOrderQty) == (
        "0.0001",
        "5",
        "1200",
        "220",
    )
    assert (c.makerFeeRate, c.takerFeeRate, c.symbolType, c.symbolStatus) == (
        "0.0002",
        "0.0006",
        "perpetual",
        "normal",
    )
    assert (c.minLever, c.maxLever, c.fundInterval, c.isRwa) == ("1", "150", "8", "NO")
    assert (c.buyLimitPriceRatio, c.sellLimitPriceRatio, c.offTime, c.limitOpenTime) == (
        "0.05",
        "0.05",
        "-1",
        "-1",
    )


def test_documented_row_to_instrument() -> None:
    row = _row()
    assert is_v3_perpetual(row) and is_v3_tradable(row)
    inst = parse_v3_instrument(row, 5)
    assert str(inst.id) == "BTCUSDT-PERP.BITGET"
    assert (str(inst.price_increment), str(inst.size_increment)) == ("0.1", "0.0001")
    assert (inst.price_precision, inst.size_precision) == (1, 4)
    assert (inst.maker_fee, inst.taker_fee) == (Decimal("0.0002"), Decimal("0.0006"))
    assert (inst.ts_init, inst.ts_event) == (5, 5)
    assert not inst.is_inverse


def test_tick_from_multiplier_and_precision_fallback() -> None:
    # tick 0.5 with one decimal: priceEndStep 5 (v2 9.1); no multiplier: 10^-precision
    c = v3_to_classic_contract(
        _row(priceMultiplier="0.5", quantityMultiplier=""), BitgetProductType.USDT_FUTURES
    )
    assert (c.pricePlace, c.priceEndStep, c.sizeMultiplier) == ("1", "5", "0.0001")
    # a multiplier finer than the stated precision raises the precision
    fine = v3_to_classic_contract(_row(priceMultiplier="0.01"), BitgetProductType.USDT_FUTURES)
    assert (fine.pricePlace, fine.priceEndStep) == ("2", "1")
    with pytest.raises(BitgetInstrumentParseError, match="'pricePrecision' must be an integer"):
        v3_to_classic_contract(_row(pricePrecision="x"), BitgetProductType.USDT_FUTURES)
    with pytest.raises(BitgetInstrumentParseError, match="quantityPrecision"):
        v3_to_classic_contract(_row(quantityPrecision="17"), BitgetProductType.USDT_FUTURES)


def test_settle_coin_per_category() -> None:
    usdc = v3_to_classic_contract(
        _row(symbol="BTCPERP", quoteCoin="USDC"), BitgetProductType.USDC_FUTURES
    )
    coin = v3_to_classic_contract(
        _row(symbol="BTCUSD", quoteCoin="USD"), BitgetProductType.COIN_FUTURES
    )
    assert (usdc.supportMarginCoins, coin.supportMarginCoins) == (["USDC"], ["BTC"])
    assert not is_v3_tradable(_row(status="offline"))
    assert not is_v3_perpetual(_row(type="delivery"))
