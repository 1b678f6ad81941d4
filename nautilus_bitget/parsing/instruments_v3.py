"""
UTA instrument rows (v3 ``market/instruments``, bitget-protocol-uta.md 2.2) -> ``CryptoPerpetual``.

The same contract must give the same instrument on both APIs (ids, precisions, increments,
limits), so a v3 row is translated into the classic contract row (by the v3 market API,
``api.market_v3``) and built by the classic parser (``parsing.instruments``): one place for
currency, precision and increment logic.

Mapping (bitget-protocol-uta.md 2.2, 6):

- tick = ``priceMultiplier`` (``pricePlace`` = ``pricePrecision``, ``priceEndStep`` =
  ``priceMultiplier * 10**pricePrecision``; the place is raised to the multiplier's decimals if the
  venue were ever inconsistent);
- step = ``quantityMultiplier`` (``volumePlace`` = ``quantityPrecision``);
- ``minOrderQty`` -> ``minTradeNum``; ``minOrderAmount`` -> ``minTradeUSDT``;
- ``status`` ``online`` -> ``normal`` (tradable), ``limit_open`` kept (reduce only); every other
  status is not tradable;
- ``minLeverage``/``maxLeverage``, ``fundInterval``, fee rates, order caps carried over.

``info`` therefore uses the classic keys (``productType``, ``symbolStatus`` ...), so code reading
it works for both account types; ``info["symbolStatus"]`` holds the translated status.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Final

from nautilus_trader.model.instruments import CryptoPerpetual

from nautilus_bitget.constants import BitgetProductType
from nautilus_bitget.parsing.instruments import BitgetInstrumentParseError
from nautilus_bitget.parsing.instruments import parse_contract_to_instrument
from nautilus_bitget.schemas.common import num_decimal
from nautilus_bitget.schemas.common import num_int
from nautilus_bitget.schemas.market import BitgetContract
from nautilus_bitget.schemas.v3.common import norm_category
from nautilus_bitget.schemas.v3.market import BitgetV3Instrument


# bitget-protocol-uta.md 2.2: v3 status -> classic symbolStatus
_STATUS_TO_CLASSIC: Final[dict[str, str]] = {
    "online": "normal",
    "normal": "normal",  # CCXT also accepts "normal"
    "limit_open": "limit_open",
    "listed": "listed",
    "offline": "off",
    "limit_close": "restrictedAPI",
    "restrictedapi": "restrictedAPI",
}


def is_v3_perpetual(instrument: BitgetV3Instrument) -> bool:
    """Return whether the row is a perpetual (``type``, falling back to ``symbolType``)."""
    return instrument.contract_type == "perpetual"


def is_v3_tradable(instrument: BitgetV3Instrument) -> bool:
    """Return whether the status allows API trading (``online``; ``limit_open`` reduce-only)."""
    return _STATUS_TO_CLASSIC.get((instrument.status or "").lower()) in ("normal", "limit_open")


def _settle_coin(instrument: BitgetV3Instrument, product_type: BitgetProductType) -> str:
    # bitget-protocol-uta.md 2.2: USDT-M settles in USDT, USDC-M in USDC, COIN-M in the base coin
    if product_type is BitgetProductType.COIN_FUTURES:
        return instrument.baseCoin
    return "USDC" if product_type is BitgetProductType.USDC_FUTURES else "USDT"


def _place_and_step(
    instrument: BitgetV3Instrument,
    precision_field: str,
    multiplier_field: str,
) -> tuple[int, Decimal]:
    precision = num_int(getattr(instrument, precision_field))
    multiplier = num_decimal(getattr(instrument, multiplier_field))
    if precision is None or not 0 <= precision <= 16:
        raise BitgetInstrumentParseError(
            f"{instrument.symbol}: instrument field {precision_field!r} must be an integer "
            f"0..16 (was {getattr(instrument, precision_field)!r})",
        )
    if multiplier is None or multiplier <= 0:
        return precision, Decimal(1).scaleb(-precision)
    exponent = multiplier.normalize().as_tuple().exponent
    decimals = max(0, -exponent) if isinstance(exponent, int) else 0
    return max(precision, decimals), multiplier


def v3_to_classic_contract(
    instrument: BitgetV3Instrument,
    product_type: BitgetProductType,
) -> BitgetContract:
    """
    Return the classic contract row equivalent to a v3 instrument row.

    Parameters
    ----------
    instrument : BitgetV3Instrument
        The v3 row.
    product_type : BitgetProductType
        The category it was listed under.

    Returns
    -------
    BitgetContract

    Raises
    ------
    BitgetInstrumentParseError
        If a precision field is missing or invalid (the message names the field).

    """
    price_place, tick = _place_and_step(instrument, "pricePrecision", "priceMultiplier")
    volume_place, step = _place_and_step(instrument, "quantityPrecision", "quantityMultiplier")
    end_step = tick.scaleb(price_place)
    status = (instrument.status or "").lower()
    return BitgetContract(
        symbol=instrument.symbol,
        baseCoin=instrument.baseCoin,
        quoteCoin=instrument.quoteCoin,
        buyLimitPriceRatio=instrument.buyLimitPriceRatio,
        sellLimitPriceRatio=instrument.sellLimitPriceRatio,
        feeRateUpRatio=instrument.feeRateUpRatio,
        makerFeeRate=instrument.makerFeeRate,
        takerFeeRate=instrument.takerFeeRate,
        openCostUpRatio=instrument.openCostUpRatio,
        supportMarginCoins=[_settle_coin(instrument, product_type)],
        minTradeNum=instrument.minOrderQty,
        priceEndStep=f"{end_step.normalize():f}",
        volumePlace=str(volume_place),
        pricePlace=str(price_place),
        sizeMultiplier=f"{step.normalize():f}",
        symbolType=instrument.contract_type,
        minTradeUSDT=instrument.minOrderAmount,
        maxSymbolOrderNum=instrument.maxSymbolOrderNum,
        maxProductOrderNum=instrument.maxProductOrderNum,
        maxPositionNum=instrument.maxPositionNum,
        symbolStatus=_STATUS_TO_CLASSIC.get(status, status),
        offTime=instrument.offTime,
        limitOpenTime=instrument.limitOpenTime,
        deliveryTime=instrument.deliveryTime,
        deliveryStartTime=instrument.deliveryStartTime,
        deliveryPeriod=instrument.deliveryPeriod,
        launchTime=instrument.launchTime,
        fundInterval=instrument.fundInterval,
        minLever=instrument.minLeverage,
        maxLever=instrument.maxLeverage,
        maintainTime=instrument.maintainTime,
        maxMarketOrderQty=instrument.maxMarketOrderQty,
        maxOrderQty=instrument.maxOrderQty,
        isRwa=instrument.isRwa,
    )


def parse_v3_instrument(
    instrument: BitgetV3Instrument,
    ts_init: int,
    product_type: BitgetProductType | None = None,
    ts_event: int | None = None,
) -> CryptoPerpetual:
    """
    Parse a v3 perpetual instrument row into the same ``CryptoPerpetual`` as the classic path.

    Parameters
    ----------
    instrument : BitgetV3Instrument
        The row (a perpetual; filter with ``is_v3_perpetual`` / ``is_v3_tradable``).
    ts_init : int
        UNIX ns when the object was initialized.
    product_type : BitgetProductType, optional
        The category it was requested with (default: the row's ``category``, any case).
    ts_event : int, optional
        UNIX ns of the venue data; defaults to ``ts_init``.

    Returns
    -------
    CryptoPerpetual

    Raises
    ------
    BitgetInstrumentParseError
        If the row is not a perpetual or a required field is invalid.

    """
    if product_type is None:
        try:
            product_type = BitgetProductType(norm_category(instrument.category))
        except ValueError:
            raise BitgetInstrumentParseError(
                f"{instrument.symbol}: category {instrument.category!r} is not a futures category",
            ) from None
    if not is_v3_perpetual(instrument):
        raise BitgetInstrumentParseError(
            f"{instrument.symbol}: type {instrument.contract_type!r} is not a perpetual",
        )
    contract = v3_to_classic_contract(instrument, product_type)
    return parse_contract_to_instrument(contract, product_type, ts_init, ts_event)
