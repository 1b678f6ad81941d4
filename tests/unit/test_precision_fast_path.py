"""The fixed-point fast path equals ``instrument.make_price`` / ``make_qty`` on every input."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest
from nautilus_trader.model.instruments import CryptoPerpetual
from nautilus_trader.model.objects import PRICE_MAX
from nautilus_trader.model.objects import QUANTITY_MAX
from nautilus_trader.model.objects import Price
from nautilus_trader.model.objects import Quantity

from nautilus_bitget.parsing.book import BookContext
from tests.instruments import btcusdt_perp


def make_instrument(
    price_precision: int,
    size_precision: int,
    price_increment: str | None = None,
    size_increment: str | None = None,
) -> CryptoPerpetual:
    """Return a BTCUSDT-PERP.BITGET perpetual with the given precisions."""
    p_inc = price_increment or (f"{Decimal(1).scaleb(-price_precision):f}")
    s_inc = size_increment or (f"{Decimal(1).scaleb(-size_precision):f}")
    return btcusdt_perp(
        price_precision,
        size_precision,
        price_increment=Price.from_str(p_inc),
        size_increment=Quantity.from_str(s_inc),
    )


def _reference(fn, value: str):
    try:
        return fn(value)
    except (ValueError, OverflowError) as e:
        return type(e)


def _fast(fn, value: str):
    try:
        return fn(value)
    except (ValueError, OverflowError) as e:
        return type(e)


def _at_or_beyond_limit(value: str, limit: float) -> bool:
    try:
        return not abs(float(value)) < limit
    except ValueError:
        return False


def assert_equal_everywhere(ctx: BookContext, values: list[str]) -> None:
    inst = ctx.instrument
    for value in values:
        for fast, ref, limit in (
            (ctx.price, inst.make_price, PRICE_MAX),
            (ctx.quantity, inst.make_qty, QUANTITY_MAX),
        ):
            if _at_or_beyond_limit(value, limit):
                # make_price/make_qty raise, or abort the process (Rust panic) right at the
                # limit; the fast path refuses all of these with ValueError.
                assert _fast(fast, value) is ValueError, value
                continue
            expected = _reference(ref, value)
            got = _fast(fast, value)
            if isinstance(expected, type):
                assert got is expected, (value, got, expected)
                continue
            assert type(got) is type(expected), value
            assert got.raw == expected.raw, (value, got.raw, expected.raw)
            assert got.precision == expected.precision, value
            assert got == expected, value
            # and again through the memo
            assert fast(value).raw == expected.raw, value


EDGE_VALUES = [
    "0",
    "0.0",
    "0.00000000",
    "1",
    "113.40",
    "113.4",
    "27000",
    "27000.",
    ".5",
    "27000.5",
    "27000.50",
    "27000.500000000",
    "0.00000001",
    "0.000000001",
    "0.123456789",
    "0.5",
    "0.05",
    "0.005",
    "1.005",
    "2.675",
    "0.145",
    "1e-5",
    "1E3",
    "-1",
    "-0.5",
    "+1",
    "",
    ".",
    "abc",
    "1.2.3",
    " 1",
    "١٢٣",  # non-ASCII digits
    "999999999",
    "9999999999",
    "17014118346045",
    "17014118346046",
    "17014118346047",
    "34028236692093",
    "34028236692094",
    "99999999999999.9",
    "123456789.12345678",
    "1234567.12345678",
    "12345678.12345678",
    "0000123.4500",
]


@pytest.mark.parametrize("precision", range(9))
def test_edge_values_equal_make_price_and_make_qty(precision: int) -> None:
    ctx = BookContext(make_instrument(precision, precision))
    assert_equal_everywhere(ctx, EDGE_VALUES)


@pytest.mark.parametrize(
    ("price_precision", "size_precision", "price_increment", "size_increment"),
    [
        (1, 3, "0.5", "0.001"),  # Bitget BTCUSDT: priceEndStep 5 -> increment 0.5
        (2, 0, "0.05", "1"),
        (4, 2, "0.0005", "0.01"),
        (1, 3, "10.0", "0.001"),  # increment coarser than the precision
        (0, 4, "5", "0.0005"),
        (2, 3, "0.50", "0.010"),  # increments with trailing zeros
        (3, 2, "0.100", "0.10"),
        (2, 2, "1.00", "1.00"),
        (4, 3, "0.0050", "0.020"),
    ],
)
def test_increments_other_than_precision(
    price_precision: int,
    size_precision: int,
    price_increment: str,
    size_increment: str,
) -> None:
    inst = make_instrument(price_precision, size_precision, price_increment, size_increment)
    ctx = BookContext(inst)
    rng = random.Random(11)
    values = [*EDGE_VALUES]
    for _ in range(2000):
        whole = rng.randint(0, 10 ** rng.randint(0, 9))
        decimals = rng.randint(0, 9)
        frac = "".join(rng.choice("0123456789") for _ in range(decimals))
        values.append(f"{whole}.{frac}" if decimals else str(whole))
    assert_equal_everywhere(ctx, values)


@pytest.mark.parametrize("precision", range(9))
def test_fuzz_thousands_of_values(precision: int) -> None:
    rng = random.Random(1000 + precision)
    ctx = BookContext(make_instrument(precision, precision))
    values: list[str] = []
    for _ in range(3000):
        kind = rng.random()
        decimals = rng.randint(0, precision)
        if kind < 0.1:
            decimals = rng.randint(precision + 1, precision + 4)  # more than the precision
        magnitude = rng.choice([0, 1, 2, 3, 5, 7, 9, 11, 13, 14, 15])
        whole = rng.randint(0, 10**magnitude)
        frac = "".join(rng.choice("0123456789") for _ in range(decimals))
        text = f"{whole}.{frac}" if decimals else str(whole)
        if rng.random() < 0.1:
            text += "0" * rng.randint(1, 3) if "." in text else ".000"  # trailing zeros
        if rng.random() < 0.05:
            text = f"0.{'0' * rng.randint(0, 9)}{rng.randint(1, 99)}"  # tiny values
        values.append(text)
    assert_equal_everywhere(ctx, values)


def test_largest_sizes_and_prices() -> None:
    ctx = BookContext(make_instrument(1, 3))
    values = [
        "1000000",
        "9999999.999",
        "99999999.999",
        "999999999.999",
        "1000000000000",
        "17014118346045.9",
        "34028236692093.000",
    ]
    assert_equal_everywhere(ctx, values)


def test_memo_is_bounded() -> None:
    ctx = BookContext(make_instrument(2, 2))
    for i in range(70_000):
        ctx.prices.raw(f"{i}.01")
    assert len(ctx.prices.cache) <= 65_536
    assert ctx.price("113.40") == Price.from_str("113.40")
