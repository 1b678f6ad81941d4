"""The ``info`` of a parsed instrument, every field, from Bitget's documented contract row (4.2)."""

from __future__ import annotations

from nautilus_bitget.parsing.instruments import contract_info
from nautilus_bitget.parsing.instruments import is_perpetual
from nautilus_bitget.parsing.instruments import is_tradable
from tests.unit.test_parsing_instruments import USDT_M
from tests.unit.test_parsing_instruments import _contract


def test_info_every_field_of_the_documented_row() -> None:
    assert contract_info(_contract(), USDT_M) == {
        "productType": "USDT-FUTURES",
        "symbolStatus": "normal",
        "reduce_only": False,
        "minLever": "1",
        "maxLever": "125",
        "fundInterval": "8",
        "supportMarginCoins": ["USDT"],
        "buyLimitPriceRatio": "0.9",
        "sellLimitPriceRatio": "0.9",
        "minTradeUSDT": "5",
        "maxOrderQty": "",
        "maxMarketOrderQty": "",
        "maxSymbolOrderNum": "999999",
        "isRwa": "",
        "offTime": "-1",
        "limitOpenTime": "-1",
    }
    limited = contract_info(
        _contract(symbolStatus="limit_open", maxOrderQty="100", maxMarketOrderQty="50"), USDT_M
    )
    assert (limited["reduce_only"], limited["maxOrderQty"], limited["maxMarketOrderQty"]) == (
        True,
        "100",
        "50",
    )


def test_perpetual_and_tradable_flags() -> None:
    assert is_perpetual(_contract(symbolType="PERPETUAL"))
    assert not is_perpetual(_contract(symbolType=None))
    assert not is_perpetual(_contract(symbolType="delivery"))
    assert is_tradable(_contract(symbolStatus="limit_open"))
    assert not is_tradable(_contract(symbolStatus=None))
    assert not is_tradable(_contract(symbolStatus="maintain"))
