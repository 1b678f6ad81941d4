"""
Default contract specifications of the simulated Bitget exchange.

A :class:`ContractSpec` holds the fields of one ``/api/v2/mix/market/contracts`` row
(bitget-protocol.md 4.2) as typed values plus exact formatting helpers for prices and sizes.
``ContractSpec.contract_row()`` returns the documented wire row (all strings).

Internally the simulator works in integer *ticks* (price / tick) and *lots* (size /
sizeMultiplier), so every price and size is exact.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from dataclasses import field
from dataclasses import replace
from decimal import Decimal
from typing import Final


PERPETUAL: Final[str] = "perpetual"
DELIVERY: Final[str] = "delivery"


def format_units(units: int, places: int) -> str:
    """Return ``units * 10**-places`` as a fixed-point string with exactly ``places`` decimals."""
    if places <= 0:
        return str(units)
    sign = "-" if units < 0 else ""
    q, r = divmod(abs(units), 10**places)
    return f"{sign}{q}.{r:0{places}d}"


def format_decimal(value: Decimal, places: int) -> str:
    """Return ``value`` quantized (half-even) to ``places`` decimals as a plain string."""
    return f"{value.quantize(Decimal(1).scaleb(-places)):f}"


@dataclass(frozen=True)
class ContractSpec:
    """
    One simulated contract (bitget-protocol.md 4.2, 9.1).

    Sizes are in base coin for every product type (contract size 1). ``inverse`` contracts
    (COIN-FUTURES) margin and settle in the base coin.
    """

    symbol: str
    product_type: str  # wire value, e.g. "USDT-FUTURES"
    base_coin: str
    quote_coin: str
    margin_coin: str  # settlement / margin coin
    inverse: bool
    price_place: int
    price_end_step: int
    volume_place: int
    size_multiplier: Decimal
    min_trade_num: Decimal
    min_trade_usdt: Decimal
    initial_price: Decimal  # simulator only: starting mid price
    maker_fee_rate: Decimal = Decimal("0.0002")
    taker_fee_rate: Decimal = Decimal("0.0006")
    fund_interval_hours: int = 8
    min_lever: int = 1
    max_lever: int = 125
    symbol_status: str = "normal"
    symbol_type: str = PERPETUAL
    max_order_qty: Decimal = Decimal(1000000)
    max_market_order_qty: Decimal = Decimal(100000)
    delivery_time: str = ""
    delivery_start_time: str = ""
    delivery_period: str = ""
    support_margin_coins: tuple[str, ...] = field(default=())
    keep_margin_rate: Decimal = Decimal("0.004")

    # -- derived -------------------------------------------------------------------------------
    @property
    def tick(self) -> Decimal:
        """Return the price tick ``priceEndStep * 10**-pricePlace`` (bitget-protocol.md 9.1)."""
        return Decimal(self.price_end_step).scaleb(-self.price_place)

    @property
    def is_tradable(self) -> bool:
        """Return whether orders may be placed (``symbolStatus == normal``)."""
        return self.symbol_status == "normal"

    def price_str(self, ticks: int) -> str:
        """Return the wire string of a price given in ticks (``pricePlace`` decimals)."""
        return format_units(ticks * self.price_end_step, self.price_place)

    def size_str(self, lots: int) -> str:
        """Return the wire string of a size given in lots (``volumePlace`` decimals)."""
        units = lots * int(self.size_multiplier.scaleb(self.volume_place))
        return format_units(units, self.volume_place)

    def fmt_price(self, price: Decimal | None) -> str:
        """Return a Decimal price as wire text with ``pricePlace`` decimals ("" for None)."""
        if price is None:
            return ""
        return format_decimal(price, self.price_place)

    def fmt_size(self, size: Decimal | None) -> str:
        """Return a Decimal size as wire text with ``volumePlace`` decimals ("" for None)."""
        if size is None:
            return ""
        return format_decimal(size, self.volume_place)

    def to_ticks(self, price: Decimal) -> int | None:
        """Return ``price`` in ticks, or None when it is not a multiple of the tick."""
        q, r = divmod(price, self.tick)
        return int(q) if r == 0 else None

    def to_lots(self, size: Decimal) -> int | None:
        """Return ``size`` in lots, or None when it is not a multiple of ``sizeMultiplier``."""
        q, r = divmod(size, self.size_multiplier)
        return int(q) if r == 0 else None

    def ticks_to_price(self, ticks: int) -> Decimal:
        """Return the Decimal price of ``ticks``."""
        return ticks * self.tick

    def lots_to_size(self, lots: int) -> Decimal:
        """Return the Decimal size of ``lots``."""
        return lots * self.size_multiplier

    def contract_row(self) -> dict[str, object]:
        """Return the ``/api/v2/mix/market/contracts`` row (bitget-protocol.md 4.2), all strings."""
        coins = list(self.support_margin_coins or (self.margin_coin,))
        return {
            "symbol": self.symbol,
            "baseCoin": self.base_coin,
            "quoteCoin": self.quote_coin,
            "buyLimitPriceRatio": "0.05",
            "sellLimitPriceRatio": "0.05",
            "feeRateUpRatio": "0.005",
            "makerFeeRate": str(self.maker_fee_rate),
            "takerFeeRate": str(self.taker_fee_rate),
            "openCostUpRatio": "0.01",
            "supportMarginCoins": coins,
            "minTradeNum": str(self.min_trade_num),
            "priceEndStep": str(self.price_end_step),
            "volumePlace": str(self.volume_place),
            "pricePlace": str(self.price_place),
            "sizeMultiplier": str(self.size_multiplier),
            "symbolType": self.symbol_type,
            "minTradeUSDT": str(self.min_trade_usdt),
            "maxSymbolOrderNum": "200",
            "maxProductOrderNum": "400",
            "maxPositionNum": "150",
            "symbolStatus": self.symbol_status,
            "offTime": "-1",
            "limitOpenTime": "-1",
            "deliveryTime": self.delivery_time,
            "deliveryStartTime": self.delivery_start_time,
            "deliveryPeriod": self.delivery_period,
            "launchTime": "",
            "fundInterval": str(self.fund_interval_hours),
            "minLever": str(self.min_lever),
            "maxLever": str(self.max_lever),
            "posLimit": "0.05",
            "maintainTime": "",
            "maxMarketOrderQty": str(self.max_market_order_qty),
            "maxOrderQty": str(self.max_order_qty),
            "isRwa": "NO",
            "openTime": "",
        }


def _contract(
    symbol: str,
    product_type: str,
    base_coin: str,
    quote_coin: str,
    price_place: int,
    volume_place: int,
    initial_price: str,
    **extra: object,
) -> ContractSpec:
    # one lot = the size step; COIN-FUTURES are inverse and margin in the base coin (9.1)
    inverse = product_type == "COIN-FUTURES"
    step = Decimal(1).scaleb(-volume_place)
    fields: dict[str, object] = {
        "price_end_step": 1,
        "size_multiplier": step,
        "min_trade_num": step,
        "min_trade_usdt": Decimal(5),
        **extra,
    }
    return ContractSpec(
        symbol=symbol,
        product_type=product_type,
        base_coin=base_coin,
        quote_coin=quote_coin,
        margin_coin=base_coin if inverse else quote_coin,
        inverse=inverse,
        price_place=price_place,
        volume_place=volume_place,
        initial_price=Decimal(initial_price),
        **fields,  # type: ignore[arg-type]
    )


DEFAULT_CONTRACTS: Final[tuple[ContractSpec, ...]] = (
    _contract("BTCUSDT", "USDT-FUTURES", "BTC", "USDT", 1, 3, "60000.0"),
    _contract("ETHUSDT", "USDT-FUTURES", "ETH", "USDT", 2, 2, "3000.00", max_lever=100),
    _contract("BTCPERP", "USDC-FUTURES", "BTC", "USDC", 1, 4, "60010.0"),
    # COIN-M inverse: margin/settle in BTC; priceEndStep 5 gives a 0.5 tick (bitget-protocol.md 9.1)
    _contract(
        "BTCUSD",
        "COIN-FUTURES",
        "BTC",
        "USD",
        1,
        3,
        "59990.0",
        price_end_step=5,
        support_margin_coins=("BTC", "ETH", "USDT", "USDC"),
    ),
    # Listed but not tradable by the client: a quarterly delivery contract and a maintain symbol
    _contract(
        "BTCUSDU26",
        "COIN-FUTURES",
        "BTC",
        "USD",
        1,
        3,
        "61000.0",
        symbol_type=DELIVERY,
        delivery_time="1790409600000",
        delivery_start_time="1790380800000",
        delivery_period="this_quarter",
        fund_interval_hours=0,
    ),
    _contract(
        "XRPUSDT",
        "USDT-FUTURES",
        "XRP",
        "USDT",
        4,
        0,
        "0.5000",
        min_trade_num=Decimal(10),
        symbol_status="maintain",
        max_lever=75,
    ),
)

DEFAULT_SYMBOLS: Final[tuple[str, ...]] = ("BTCUSDT", "ETHUSDT", "BTCPERP", "BTCUSD")


def default_contracts() -> dict[str, ContractSpec]:
    """Return the default contracts keyed by symbol (all listed, only perps get a market)."""
    return {c.symbol: c for c in DEFAULT_CONTRACTS}


# Demo coins (bitget-protocol.md 1.2 (B)): the "S" product types list the same contracts with an
# "S" before base and quote (BTCUSDT -> SBTCSUSDT, base SBTC, quote and margin coin SUSDT)
DEMO_PRODUCT_TYPES: Final[dict[str, str]] = {
    "SUSDT-FUTURES": "USDT-FUTURES",
    "SUSDC-FUTURES": "USDC-FUTURES",
    "SCOIN-FUTURES": "COIN-FUTURES",
}
_REAL_TO_DEMO: Final[dict[str, str]] = {v: k for k, v in DEMO_PRODUCT_TYPES.items()}


def demo_contract(spec: ContractSpec) -> ContractSpec:
    """Return the demo ("S") mirror of a listed contract (bitget-protocol.md 1.2)."""
    quote_part = spec.symbol[len(spec.base_coin) :]
    return replace(
        spec,
        symbol=f"S{spec.base_coin}S{quote_part}",
        product_type=_REAL_TO_DEMO[spec.product_type],
        base_coin="S" + spec.base_coin,
        quote_coin="S" + spec.quote_coin,
        margin_coin="S" + spec.margin_coin,
        support_margin_coins=tuple("S" + c for c in spec.support_margin_coins),
    )


# -- generated contracts (``bitget-nt sim --contracts N``) -----------------------------------------

GENERATED_PREFIX: Final[str] = "GEN"


def generated_contracts(n: int, seed: int = 7) -> dict[str, ContractSpec]:
    """
    Return ``n`` generated USDT-M perpetuals keyed by symbol (``GEN000USDT``, ``GEN001USDT``...).

    Prices are spread log-uniformly from 0.001 to 50 000 USDT; ``pricePlace`` gives a tick of
    about one basis point of the price and ``volumePlace`` a size step worth about 1-10 USDT, as on
    Bitget's listing of small and large coins (bitget-protocol.md 4.2, 9.1). Deterministic from
    ``seed``.
    """
    if n < 0:
        raise ValueError(f"contracts must be >= 0, was {n}")
    rng = random.Random(f"{seed}:generated-contracts")
    width = max(3, len(str(n - 1)))
    out: dict[str, ContractSpec] = {}
    for i in range(n):
        base = f"{GENERATED_PREFIX}{i:0{width}d}"
        price = 10 ** rng.uniform(-3.0, 4.7)
        # tick ~ 1 bp of the price, at least 1e-6
        price_place = min(6, max(0, 4 - _floor_log10(price)))
        # a size step worth about 1-10 USDT
        volume_place = min(4, max(0, _floor_log10(price)))
        initial = format_decimal(Decimal(repr(price)), price_place)
        if Decimal(initial) <= 0:
            initial = format_units(1, price_place)
        out[f"{base}USDT"] = _contract(
            f"{base}USDT",
            "USDT-FUTURES",
            base,
            "USDT",
            price_place,
            volume_place,
            initial,
            max_lever=rng.choice((20, 25, 50, 75, 100)),
        )
    return out


def _floor_log10(x: float) -> int:
    return math.floor(math.log10(x))


# Book message rates of generated contracts: the active share updates every 50-100 ms (bitget-
# protocol.md 6.1: ``books`` every ~100-150 ms on busy symbols), the rest every 0.5-1 s
ACTIVE_PERIOD_MS: Final[tuple[float, float]] = (50.0, 100.0)
QUIET_PERIOD_MS: Final[tuple[float, float]] = (500.0, 1000.0)


def generated_book_rates(
    symbols: list[str], seed: int = 7, active_fraction: float = 0.5
) -> dict[str, float]:
    """
    Return the book messages per second of each generated symbol.

    The first ``active_fraction`` of ``symbols`` (in the given order) is active: one message every
    50-100 ms; the others one every 0.5-1 s. Each symbol's period is drawn once (``seed``).
    """
    if not 0.0 <= active_fraction <= 1.0:
        raise ValueError(f"active fraction must be within [0, 1], was {active_fraction}")
    rng = random.Random(f"{seed}:generated-rates")
    n_active = round(len(symbols) * active_fraction)
    rates = {}
    for i, symbol in enumerate(symbols):
        lo, hi = ACTIVE_PERIOD_MS if i < n_active else QUIET_PERIOD_MS
        rates[symbol] = 1000.0 / rng.uniform(lo, hi)
    return rates
