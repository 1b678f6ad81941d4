"""Contracts -> CryptoPerpetual (bitget-protocol.md 4.2, 9.1) and symbol helpers."""

from __future__ import annotations

import uuid
from decimal import Decimal

import msgspec
import pytest
from nautilus_trader.model.currencies import BTC
from nautilus_trader.model.currencies import USD
from nautilus_trader.model.currencies import USDC
from nautilus_trader.model.currencies import USDT
from nautilus_trader.model.identifiers import InstrumentId
from nautilus_trader.model.instruments import CryptoPerpetual
from nautilus_trader.model.objects import Currency
from nautilus_trader.model.objects import Money

from nautilus_bitget.common.symbol import infer_product_type
from nautilus_bitget.common.symbol import instrument_id_for_symbol
from nautilus_bitget.common.symbol import symbol_from_instrument_id
from nautilus_bitget.constants import BitgetProductType
from nautilus_bitget.parsing.instruments import BitgetInstrumentParseError
from nautilus_bitget.parsing.instruments import coin_currency
from nautilus_bitget.parsing.instruments import is_perpetual
from nautilus_bitget.parsing.instruments import is_tradable
from nautilus_bitget.parsing.instruments import parse_contract_to_instrument
from nautilus_bitget.schemas.envelope import BitgetResponse
from nautilus_bitget.schemas.market import BitgetContract
from tests.samples import SAMPLES


SAMPLE = SAMPLES / "doc_rest_contracts.json"


USDT_M = BitgetProductType.USDT_FUTURES
TS = 1_700_000_000_000_000_000


def _raw_contract() -> dict:
    return msgspec.json.decode(SAMPLE.read_bytes())["data"][0]


def _contract(**changes: object) -> BitgetContract:
    row = _raw_contract()
    row.update(changes)
    return msgspec.convert(row, BitgetContract)


def test_sample_contract_maps_to_perpetual() -> None:
    contract = msgspec.json.decode(
        SAMPLE.read_bytes(),
        type=BitgetResponse[list[BitgetContract]],
    ).data[0]
    inst = parse_contract_to_instrument(contract, USDT_M, TS)
    assert isinstance(inst, CryptoPerpetual)
    assert inst.id == InstrumentId.from_str("BTCUSDT-PERP.BITGET")
    assert inst.raw_symbol.value == "BTCUSDT"
    assert (inst.base_currency, inst.quote_currency, inst.settlement_currency) == (BTC, USDT, USDT)
    assert not inst.is_inverse
    # tick = priceEndStep 1 * 10^-pricePlace 1
    assert str(inst.price_increment) == "0.1" and inst.price_precision == 1
    assert str(inst.size_increment) == "0.01" and inst.size_precision == 2
    assert str(inst.min_quantity) == "0.01"
    assert inst.max_quantity is None  # maxOrderQty absent in the doc example
    assert inst.min_notional == Money(5, USDT)
    assert inst.maker_fee == Decimal("0.0004") and inst.taker_fee == Decimal("0.0006")
    assert inst.margin_init == Decimal(1) and inst.margin_maint == Decimal(1)
    assert inst.ts_event == TS and inst.ts_init == TS
    info = inst.info
    assert info["maxLever"] == "125" and info["minLever"] == "1" and info["fundInterval"] == "8"
    assert info["symbolStatus"] == "normal" and info["reduce_only"] is False
    assert info["supportMarginCoins"] == ["USDT"] and info["productType"] == "USDT-FUTURES"
    assert info["buyLimitPriceRatio"] == "0.9" and info["sellLimitPriceRatio"] == "0.9"
    # info is JSON-able (the catalog stores it)
    msgspec.json.encode(info)


def test_price_end_step_not_one() -> None:
    # bitget-protocol.md 9.1: pricePlace 1, priceEndStep 5 -> tick 0.5
    inst = parse_contract_to_instrument(_contract(priceEndStep="5"), USDT_M, TS)
    assert str(inst.price_increment) == "0.5" and inst.price_precision == 1
    inst = parse_contract_to_instrument(
        _contract(pricePlace="4", priceEndStep="25"),
        USDT_M,
        TS,
    )
    assert str(inst.price_increment) == "0.0025" and inst.price_precision == 4


def test_size_step_and_limits() -> None:
    inst = parse_contract_to_instrument(
        _contract(
            sizeMultiplier="0.005",
            volumePlace="3",
            minTradeNum="0.01",
            maxOrderQty="1200",
            maxMarketOrderQty="220",
        ),
        USDT_M,
        TS,
    )
    assert str(inst.size_increment) == "0.005" and inst.size_precision == 3
    assert str(inst.min_quantity) == "0.010" and str(inst.max_quantity) == "1200.000"
    assert inst.info["maxMarketOrderQty"] == "220"


def test_whole_unit_sizes() -> None:
    inst = parse_contract_to_instrument(
        _contract(sizeMultiplier="1", volumePlace="0", minTradeNum="1", pricePlace="5"),
        USDT_M,
        TS,
    )
    assert str(inst.size_increment) == "1" and inst.size_precision == 0
    assert str(inst.price_increment) == "0.00001"


def test_precisions_equal_increment_precisions() -> None:
    for changes in (
        {},
        {"priceEndStep": "5"},
        {"pricePlace": "0", "priceEndStep": "10"},
        {"sizeMultiplier": "0.1", "volumePlace": "1"},
        {"sizeMultiplier": "10", "volumePlace": "0"},
        # inconsistent venue data: step finer than the stated decimals -> precision follows it
        {"sizeMultiplier": "0.001", "volumePlace": "2"},
    ):
        inst = parse_contract_to_instrument(_contract(**changes), USDT_M, TS)
        assert inst.price_increment.precision == inst.price_precision, changes
        assert inst.size_increment.precision == inst.size_precision, changes


def test_make_price_and_qty_round_trip() -> None:
    inst = parse_contract_to_instrument(_contract(), USDT_M, TS)
    price = inst.make_price("26347.5")
    assert str(price) == "26347.5" and price.precision == inst.price_precision
    assert inst.make_price(26347.5) == price
    qty = inst.make_qty("0.25")
    assert str(qty) == "0.25" and qty.precision == inst.size_precision
    # the instrument itself round-trips through its dict form (the catalog path)
    again = CryptoPerpetual.from_dict(CryptoPerpetual.to_dict(inst))
    assert again.price_increment == inst.price_increment and again.info == inst.info


def test_coin_m_is_inverse() -> None:
    contract = _contract(
        symbol="BTCUSD",
        quoteCoin="USD",
        supportMarginCoins=["BTC", "ETH", "USDT"],
        minTradeUSDT="5",
    )
    inst = parse_contract_to_instrument(contract, BitgetProductType.COIN_FUTURES, TS)
    assert inst.id.value == "BTCUSD-PERP.BITGET"
    assert inst.is_inverse
    assert (inst.base_currency, inst.quote_currency, inst.settlement_currency) == (BTC, USD, BTC)
    # minTradeUSDT is not enforced locally outside USDT-FUTURES (kept in info)
    assert inst.min_notional is None and inst.info["minTradeUSDT"] == "5"
    assert inst.info["productType"] == "COIN-FUTURES"


def test_usdc_perp_id() -> None:
    contract = _contract(symbol="BTCPERP", quoteCoin="USDC", supportMarginCoins=["USDC"])
    inst = parse_contract_to_instrument(contract, BitgetProductType.USDC_FUTURES, TS)
    assert inst.id.value == "BTCPERP-PERP.BITGET" and inst.raw_symbol.value == "BTCPERP"
    assert inst.quote_currency == USDC and inst.settlement_currency == USDC
    assert not inst.is_inverse and inst.min_notional is None


def test_delivery_excluded() -> None:
    contract = _contract(
        symbol="BTCUSDU26",
        symbolType="delivery",
        deliveryPeriod="this_quarter",
    )
    assert not is_perpetual(contract)
    with pytest.raises(BitgetInstrumentParseError, match="not a perpetual"):
        parse_contract_to_instrument(contract, BitgetProductType.COIN_FUTURES, TS)


@pytest.mark.parametrize(
    ("status", "tradable"),
    [
        ("normal", True),
        ("limit_open", True),
        ("listed", False),
        ("maintain", False),
        ("restrictedAPI", False),
        ("off", False),
        ("", False),
    ],
)
def test_status_filter(status: str, tradable: bool) -> None:
    assert is_tradable(_contract(symbolStatus=status)) is tradable


def test_limit_open_is_reduce_only() -> None:
    inst = parse_contract_to_instrument(_contract(symbolStatus="limit_open"), USDT_M, TS)
    assert inst.info["reduce_only"] is True and inst.info["symbolStatus"] == "limit_open"


def test_missing_place_names_field() -> None:
    with pytest.raises(BitgetInstrumentParseError, match="pricePlace"):
        parse_contract_to_instrument(_contract(pricePlace=""), USDT_M, TS)


def test_numbers_as_json_numbers() -> None:
    inst = parse_contract_to_instrument(
        _contract(pricePlace=2, priceEndStep=1, volumePlace=3, sizeMultiplier=0.001),
        USDT_M,
        TS,
    )
    assert str(inst.price_increment) == "0.01" and str(inst.size_increment) == "0.001"


def test_unknown_coin_registered_before_from_str() -> None:
    # a coin Nautilus does not know, new on every run (registration is process-global: a second
    # run in one process, as mutmut's, would otherwise find it registered)
    code = "QZ" + "".join(chr(65 + int(c, 16) % 26) for c in uuid.uuid4().hex[:6])
    assert Currency.from_str(code, strict=True) is None
    inst = parse_contract_to_instrument(
        _contract(symbol=f"{code}USDT", baseCoin=code, volumePlace="0", sizeMultiplier="1"),
        USDT_M,
        TS,
    )
    assert inst.base_currency.code == code and inst.base_currency.precision == 8
    registered = Currency.from_str(code, strict=True)
    assert registered is not None and registered.precision == 8
    # known coins keep their built-in definition
    assert coin_currency("usdt") == USDT


def test_symbol_helpers() -> None:
    iid = instrument_id_for_symbol("BTCUSDT")
    assert iid.value == "BTCUSDT-PERP.BITGET"
    assert symbol_from_instrument_id(iid) == "BTCUSDT"
    assert symbol_from_instrument_id("BTCPERP-PERP.BITGET") == "BTCPERP"
    assert symbol_from_instrument_id("ETHUSD") == "ETHUSD"
    with pytest.raises(ValueError, match="symbol"):
        instrument_id_for_symbol("")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("BTCUSDT", BitgetProductType.USDT_FUTURES),
        ("BTCUSDT-PERP.BITGET", BitgetProductType.USDT_FUTURES),
        ("BTCPERP", BitgetProductType.USDC_FUTURES),
        ("ETHPERP-PERP.BITGET", BitgetProductType.USDC_FUTURES),
        ("BTCUSD", BitgetProductType.COIN_FUTURES),
        ("ETHUSD-PERP.BITGET", BitgetProductType.COIN_FUTURES),
        (InstrumentId.from_str("BTCUSD-PERP.BITGET"), BitgetProductType.COIN_FUTURES),
        ("1000PEPEUSDT", BitgetProductType.USDT_FUTURES),
    ],
)
def test_infer_product_type(value: object, expected: BitgetProductType) -> None:
    assert infer_product_type(value) is expected
