"""
Bitget contract rows (v2 ``mix/market/contracts``, bitget-protocol.md 4.2) -> ``CryptoPerpetual``.

Mapping (bitget-protocol.md 4.2, 9.1):

- id ``<symbol>-PERP.BITGET``, ``raw_symbol`` = symbol.
- price tick = ``priceEndStep * 10**-pricePlace``, ``price_precision`` = ``pricePlace``.
- size step = ``sizeMultiplier``, ``size_precision`` = ``volumePlace`` (each precision is raised to
  the decimals of its increment if the venue were ever inconsistent, so they always match).
- ``min_quantity`` = ``minTradeNum``; ``max_quantity`` = ``maxOrderQty`` (limit orders) when > 0.
- ``min_notional`` = ``minTradeUSDT`` in USDT for USDT-FUTURES only. Bitget names it in USDT and
  its use for USDC-M / COIN-M is not verified (9.1), so those get no local minimum (the venue
  still rejects with 45110); the raw value stays in ``info``.
- COIN-FUTURES are inverse: quote USD, settlement = base coin. USDT/USDC-M settle in the quote.
- ``margin_init = margin_maint = 1`` (as NT's Binance adapter): the default
  ``LeveragedMarginModel`` divides notional by the account leverage, so 1 gives Bitget's initial
  margin; contracts carry no maintenance rate (it is per position tier), so maintenance is
  reported conservatively equal to initial margin.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from nautilus_trader.model.currencies import USD
from nautilus_trader.model.currencies import register_currency
from nautilus_trader.model.enums import CurrencyType
from nautilus_trader.model.identifiers import Symbol
from nautilus_trader.model.instruments import CryptoPerpetual
from nautilus_trader.model.objects import Currency
from nautilus_trader.model.objects import Money
from nautilus_trader.model.objects import Price
from nautilus_trader.model.objects import Quantity

from nautilus_bitget.common.errors import BitgetError
from nautilus_bitget.common.symbol import instrument_id_for_symbol
from nautilus_bitget.constants import BitgetProductType
from nautilus_bitget.schemas.common import num_decimal
from nautilus_bitget.schemas.common import num_int
from nautilus_bitget.schemas.common import num_str
from nautilus_bitget.schemas.market import BitgetContract


# bitget-protocol.md 4.2 / 9.1: ``normal`` trades; ``limit_open`` only reduces (kept, flagged
# reduce_only in info); ``listed`` is not open yet, ``maintain``/``restrictedAPI``/``off`` allow
# no API trading: those are excluded (a refresh picks a symbol up once it turns ``normal``)
TRADABLE_STATUSES = frozenset({"normal", "limit_open"})
REDUCE_ONLY_STATUSES = frozenset({"limit_open"})
PERPETUAL_SYMBOL_TYPE = "perpetual"

# Precision of coins Nautilus does not know yet (its built-in cryptos use 8)
DEFAULT_COIN_PRECISION = 8


class BitgetInstrumentParseError(BitgetError, ValueError):
    """A contract row cannot be turned into an instrument (the message names the field)."""


def is_perpetual(contract: BitgetContract) -> bool:
    """Return whether the contract is a perpetual (``symbolType == "perpetual"``, 9.1)."""
    return (contract.symbolType or "").lower() == PERPETUAL_SYMBOL_TYPE


def is_tradable(contract: BitgetContract) -> bool:
    """Return whether the contract's status allows API trading (``normal`` or ``limit_open``)."""
    return (contract.symbolStatus or "") in TRADABLE_STATUSES


def _decimals(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def _required_place(contract: BitgetContract, field: str) -> int:
    value = num_int(getattr(contract, field))
    if value is None or value < 0 or value > 16:
        raise BitgetInstrumentParseError(
            f"{contract.symbol}: contract field {field!r} must be an integer 0..16 "
            f"(was {getattr(contract, field)!r})",
        )
    return value


def price_increment_of(contract: BitgetContract) -> tuple[Decimal, int]:
    """
    Return ``(tick, precision)`` of a contract: ``priceEndStep * 10**-pricePlace`` (9.1).

    Parameters
    ----------
    contract : BitgetContract
        The contract row.

    Returns
    -------
    tuple[Decimal, int]

    """
    place = _required_place(contract, "pricePlace")
    step = num_decimal(contract.priceEndStep)
    if step is None or step <= 0:
        step = Decimal(1)
    tick = step.scaleb(-place)
    return tick, max(place, _decimals(tick))


def size_increment_of(contract: BitgetContract) -> tuple[Decimal, int]:
    """
    Return ``(step, precision)`` of a contract: ``sizeMultiplier`` with ``volumePlace`` decimals.

    Parameters
    ----------
    contract : BitgetContract
        The contract row.

    Returns
    -------
    tuple[Decimal, int]

    """
    place = _required_place(contract, "volumePlace")
    step = num_decimal(contract.sizeMultiplier)
    if step is None or step <= 0:
        step = Decimal(1).scaleb(-place)
    return step, max(place, _decimals(step))


def _fixed(value: Decimal, precision: int) -> str:
    return f"{value.quantize(Decimal(1).scaleb(-precision)):f}" if precision else f"{value:.0f}"


def coin_currency(code: str, precision: int = DEFAULT_COIN_PRECISION) -> Currency:
    """
    Return the Nautilus currency of a Bitget coin, registering unknown coins first.

    A coin Nautilus already knows keeps its built-in definition. An unknown coin is built with
    ``precision`` and registered (Cython and PyO3 maps) before anything can call the non-strict
    ``Currency.from_str``, which would silently register it with precision 8 (NautilusTrader 1.231).

    Parameters
    ----------
    code : str
        The coin, e.g. ``BTC``.
    precision : int, default 8
        Precision for a coin Nautilus does not know.

    Returns
    -------
    Currency

    """
    code = code.upper()
    known = Currency.from_str(code, strict=True)
    if known is not None:
        return known
    currency = Currency(code, precision, 0, code, CurrencyType.CRYPTO)
    register_currency(currency, overwrite=True)  # not registered yet, so nothing is replaced
    return currency


def contract_info(contract: BitgetContract, product_type: BitgetProductType) -> dict[str, Any]:
    """
    Return the JSON-able ``info`` dict of an instrument (venue limits the clients need).

    Parameters
    ----------
    contract : BitgetContract
        The contract row.
    product_type : BitgetProductType
        The product type the contract was listed under.

    Returns
    -------
    dict[str, Any]

    """
    status = contract.symbolStatus or ""
    return {
        "productType": product_type.value,
        "symbolStatus": status,
        "reduce_only": status in REDUCE_ONLY_STATUSES,
        "minLever": num_str(contract.minLever),
        "maxLever": num_str(contract.maxLever),
        "fundInterval": num_str(contract.fundInterval),  # hours
        "supportMarginCoins": list(contract.supportMarginCoins or []),
        "buyLimitPriceRatio": num_str(contract.buyLimitPriceRatio),
        "sellLimitPriceRatio": num_str(contract.sellLimitPriceRatio),
        "minTradeUSDT": num_str(contract.minTradeUSDT),
        "maxOrderQty": num_str(contract.maxOrderQty),
        "maxMarketOrderQty": num_str(contract.maxMarketOrderQty),
        "maxSymbolOrderNum": num_str(contract.maxSymbolOrderNum),
        "isRwa": contract.isRwa or "",
        "offTime": num_str(contract.offTime),
        "limitOpenTime": num_str(contract.limitOpenTime),
    }


def parse_contract_to_instrument(
    contract: BitgetContract,
    product_type: BitgetProductType,
    ts_init: int,
    ts_event: int | None = None,
) -> CryptoPerpetual:
    """
    Parse a Bitget perpetual contract row into a ``CryptoPerpetual``.

    Parameters
    ----------
    contract : BitgetContract
        The contract row (a perpetual; filter with ``is_perpetual`` / ``is_tradable``).
    product_type : BitgetProductType
        The product type the contract was listed under.
    ts_init : int
        UNIX ns when the object was initialized.
    ts_event : int, optional
        UNIX ns of the venue data (the contracts endpoint carries none); defaults to ``ts_init``.

    Returns
    -------
    CryptoPerpetual

    Raises
    ------
    BitgetInstrumentParseError
        If a required field is missing or invalid (the message names the field).

    """
    if not is_perpetual(contract):
        raise BitgetInstrumentParseError(
            f"{contract.symbol}: symbolType {contract.symbolType!r} is not a perpetual",
        )
    try:
        return _build_perpetual(contract, product_type, ts_init, ts_event)
    except BitgetInstrumentParseError:
        raise
    except (ValueError, TypeError) as e:
        raise BitgetInstrumentParseError(f"{contract.symbol}: {e}") from None


def _build_perpetual(
    contract: BitgetContract,
    product_type: BitgetProductType,
    ts_init: int,
    ts_event: int | None,
) -> CryptoPerpetual:
    tick, price_precision = price_increment_of(contract)
    step, size_precision = size_increment_of(contract)

    is_inverse = product_type.is_inverse
    base = coin_currency(contract.baseCoin, max(DEFAULT_COIN_PRECISION, size_precision))
    if is_inverse:
        # COIN-M (BTCUSD): quoted in USD, margined and settled in the base coin (9.1)
        quote = USD
        settlement = base
    else:
        quote = coin_currency(contract.quoteCoin)
        settlement = quote

    min_qty = num_decimal(contract.minTradeNum)
    max_qty = num_decimal(contract.maxOrderQty)
    min_notional = num_decimal(contract.minTradeUSDT)
    return CryptoPerpetual(
        instrument_id=instrument_id_for_symbol(contract.symbol),
        raw_symbol=Symbol(contract.symbol),
        base_currency=base,
        quote_currency=quote,
        settlement_currency=settlement,
        is_inverse=is_inverse,
        price_precision=price_precision,
        size_precision=size_precision,
        price_increment=Price.from_str(_fixed(tick, price_precision)),
        size_increment=Quantity.from_str(_fixed(step, size_precision)),
        ts_event=ts_init if ts_event is None else ts_event,
        ts_init=ts_init,
        max_quantity=(
            Quantity.from_str(_fixed(max_qty, size_precision))
            if max_qty is not None and max_qty > 0
            else None
        ),
        min_quantity=(
            Quantity.from_str(_fixed(min_qty, size_precision))
            if min_qty is not None and min_qty > 0
            else None
        ),
        min_notional=(
            Money(min_notional, quote)
            if product_type is BitgetProductType.USDT_FUTURES
            and min_notional is not None
            and min_notional > 0
            else None
        ),
        margin_init=Decimal(1),
        margin_maint=Decimal(1),
        maker_fee=num_decimal(contract.makerFeeRate) or Decimal(0),
        taker_fee=num_decimal(contract.takerFeeRate) or Decimal(0),
        info=contract_info(contract, product_type),
    )
