"""
Order book parsing: ``books`` -> ``OrderBookDeltas``, ``books15`` -> ``OrderBookDepth10``,
``books1`` -> ``QuoteTick``, REST ``merge-depth`` -> snapshot deltas.

Prices and sizes go through ``FixedPointParser``, a fast path proven equal to
``instrument.make_price`` / ``instrument.make_qty`` (tests/unit/test_precision_fast_path.py):
the wire string is turned into the fixed-point raw integer with integer arithmetic, memoised per
string, and every case the integer path cannot prove equal falls back to ``make_price`` /
``make_qty``.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Sequence
from typing import Any

from nautilus_trader.model.data import BookOrder
from nautilus_trader.model.data import OrderBookDelta
from nautilus_trader.model.data import OrderBookDeltas
from nautilus_trader.model.data import OrderBookDepth10
from nautilus_trader.model.data import QuoteTick
from nautilus_trader.model.enums import BookAction
from nautilus_trader.model.enums import OrderSide
from nautilus_trader.model.enums import RecordFlag
from nautilus_trader.model.identifiers import InstrumentId
from nautilus_trader.model.instruments import Instrument
from nautilus_trader.model.objects import FIXED_PRECISION
from nautilus_trader.model.objects import PRICE_MAX
from nautilus_trader.model.objects import QUANTITY_MAX
from nautilus_trader.model.objects import Price
from nautilus_trader.model.objects import Quantity

from nautilus_bitget.schemas.ws_public import BitgetWsBook


_POW10 = [10**i for i in range(FIXED_PRECISION + 1)]
# Scaled integers below 2**50 survive make_price's float round trip exactly: float(s) is within
# 2**-53 relative of the decimal, so (float * 10**p).round() and round(float, p) both land on it.
_EXACT_LIMIT = 2**50
_CACHE_MAX = 65_536

F_LAST = int(RecordFlag.F_LAST)
F_SNAPSHOT = int(RecordFlag.F_SNAPSHOT)
_F_SNAPSHOT_LAST = F_SNAPSHOT | F_LAST
_ADD = BookAction.ADD
_UPDATE = BookAction.UPDATE
_DELETE = BookAction.DELETE
_CLEAR = BookAction.CLEAR
_BUY = OrderSide.BUY
_SELL = OrderSide.SELL


class FixedPointParser:
    """
    Convert decimal wire strings to fixed-point raw integers at one precision.

    The result equals ``fallback(s).raw`` for every input (``fallback`` is ``instrument.make_price``
    or ``instrument.make_qty``): plain decimal strings with at most ``max_decimals`` decimals
    (after dropping surplus trailing zeros) whose scaled value is below 2**50 use integers;
    anything else (more decimals, exponents, signs, huge values) is delegated to ``fallback``.

    Parameters
    ----------
    precision : int
        The precision of the objects built from the raw values.
    max_decimals : int
        Decimals the integer path accepts: ``min(precision, increment precision)`` because
        ``make_price``/``make_qty`` round to the increment's precision first.
    fallback : Callable[[str], Price | Quantity]
        The reference constructor.
    max_value : float
        The largest value the object type accepts.

    """

    __slots__ = (
        "_cache",
        "_fallback",
        "_limit",
        "_max_decimals",
        "_max_raw",
        "_max_value",
        "precision",
    )

    def __init__(
        self,
        precision: int,
        max_decimals: int,
        fallback: Callable[[str], Any],
        max_value: float,
    ) -> None:
        self.precision = precision
        self._max_decimals = max(0, min(precision, max_decimals))
        self._fallback = fallback
        self._limit = _EXACT_LIMIT
        self._max_value = float(max_value)
        # Strictly below the limit: at the limit itself make_* may panic (see _fallback_raw).
        self._max_raw = int(max_value) * _POW10[FIXED_PRECISION] - 1
        self._cache: dict[str, int] = {}

    @property
    def cache(self) -> dict[str, int]:
        """Return the memo of wire string -> raw value (read it for the hot path's ``.get``)."""
        return self._cache

    def raw(self, value: str) -> int:
        """
        Return the fixed-point raw integer of ``value``.

        Raises
        ------
        ValueError
            If the fallback rejects the value (e.g. a positive size rounding to zero).

        """
        raw = self._cache.get(value)
        if raw is None:
            raw = self.parse(value)
        return raw

    def parse(self, value: str) -> int:
        """Parse ``value`` (no memo lookup) and memoise the result."""
        raw = self._integer_raw(value)
        if raw is None:
            raw = self._fallback_raw(value)
        cache = self._cache
        if len(cache) >= _CACHE_MAX:
            cache.clear()
        cache[value] = raw
        return raw

    def _fallback_raw(self, value: str) -> int:
        # make_price/make_qty abort the process (Rust panic) for values within float rounding of
        # the type's limit instead of raising; refuse those (and anything larger) with ValueError.
        number = float(value)
        if not abs(number) < self._max_value:
            raise ValueError(f"value {value!r} is out of range (max {self._max_value})")
        return self._fallback(value).raw

    def _integer_raw(self, value: str) -> int | None:
        point = value.find(".")
        if point < 0:
            digits = value
            decimals = 0
        else:
            digits = value[:point] + value[point + 1 :]
            decimals = len(value) - point - 1
        if decimals > self._max_decimals:
            stripped = digits.rstrip("0")
            surplus = min(len(digits) - len(stripped), decimals - self._max_decimals)
            digits = digits[: len(digits) - surplus]
            decimals -= surplus
            if decimals > self._max_decimals:
                return None
        if not digits or not digits.isascii() or not digits.isdigit():
            return None
        number = int(digits)
        if number * _POW10[self.precision - decimals] >= self._limit:
            return None
        raw = number * _POW10[FIXED_PRECISION - decimals]
        if raw > self._max_raw:
            return None
        return raw

    def to_price(self, value: str) -> Price:
        """Return a ``Price`` of ``value`` at this precision."""
        return Price.from_raw(self.raw(value), self.precision)

    def to_quantity(self, value: str) -> Quantity:
        """Return a ``Quantity`` of ``value`` at this precision."""
        return Quantity.from_raw(self.raw(value), self.precision)


def _increment_precision(increment: Any) -> int:
    # Mirrors Nautilus' min_increment_precision_from_cstr (which make_price/make_qty round to):
    # trailing zeros of a non-zero fraction don't count ("0.50" -> 1), an all-zero fraction keeps
    # its length ("1.00" -> 2). Proven against make_price in test_precision_fast_path.py.
    text = str(increment)
    if "." not in text:
        return 0
    fraction = text.split(".", 1)[1]
    stripped = fraction.rstrip("0")
    return len(stripped) if stripped else len(fraction)


class BookContext:
    """
    Per-instrument parsing state: the instrument id and the price/size fast-path parsers.

    Parameters
    ----------
    instrument : Instrument
        The instrument whose precisions the parsed objects carry.

    """

    __slots__ = (
        "instrument",
        "instrument_id",
        "price_precision",
        "prices",
        "size_precision",
        "sizes",
    )

    def __init__(self, instrument: Instrument) -> None:
        self.instrument = instrument
        self.instrument_id: InstrumentId = instrument.id
        self.price_precision: int = instrument.price_precision
        self.size_precision: int = instrument.size_precision
        self.prices = FixedPointParser(
            instrument.price_precision,
            _increment_precision(instrument.price_increment),
            instrument.make_price,
            PRICE_MAX,
        )
        self.sizes = FixedPointParser(
            instrument.size_precision,
            _increment_precision(instrument.size_increment),
            instrument.make_qty,
            QUANTITY_MAX,
        )

    def price(self, value: str) -> Price:
        """Return ``value`` as a ``Price`` equal to ``instrument.make_price(value)``."""
        return self.prices.to_price(value)

    def quantity(self, value: str) -> Quantity:
        """Return ``value`` as a ``Quantity`` equal to ``instrument.make_qty(value)``."""
        return self.sizes.to_quantity(value)


def parse_books_to_deltas(
    book: BitgetWsBook,
    ctx: BookContext,
    snapshot: bool,
    ts_init: int,
) -> OrderBookDeltas | None:
    """
    Return the ``OrderBookDeltas`` of one ``books`` push (bitget-protocol.md 6.1).

    A snapshot is ``CLEAR`` + ``ADD``s, all flagged ``F_SNAPSHOT``; an update is ``UPDATE`` (size
    > 0) or ``DELETE`` (size ``"0"``). The last delta carries ``F_LAST``; ``sequence`` is the venue
    ``seq``. An update without levels returns ``None`` (nothing to publish; the caller still
    advances the seq chain).

    Parameters
    ----------
    book : BitgetWsBook
        The decoded ``data[0]``.
    ctx : BookContext
        The instrument's parsing context.
    snapshot : bool
        Whether the push's ``action`` is ``snapshot``.
    ts_init : int
        UNIX nanoseconds of receipt.

    Returns
    -------
    OrderBookDeltas or None

    Raises
    ------
    ValueError
        If a price or size is invalid for the instrument.

    """
    instrument_id = ctx.instrument_id
    sequence = book.seq or 0
    ts_event = int(book.ts) * 1_000_000
    bids = book.bids
    asks = book.asks
    price_get = ctx.prices._cache.get
    price_parse = ctx.prices.parse
    size_get = ctx.sizes._cache.get
    size_parse = ctx.sizes.parse
    pprec = ctx.price_precision
    sprec = ctx.size_precision
    from_raw = OrderBookDelta.from_raw
    deltas: list[OrderBookDelta] = []
    append = deltas.append
    if snapshot:
        append(OrderBookDelta(instrument_id, _CLEAR, None, F_SNAPSHOT, sequence, ts_event, ts_init))
        for side, levels in ((_BUY, bids), (_SELL, asks)):
            for price, size in levels:
                size_raw = size_get(size)
                if size_raw is None:
                    size_raw = size_parse(size)
                if not size_raw:
                    continue  # a zero level in a snapshot carries no information
                price_raw = price_get(price)
                if price_raw is None:
                    price_raw = price_parse(price)
                append(
                    from_raw(
                        instrument_id,
                        _ADD,
                        side,
                        price_raw,
                        pprec,
                        size_raw,
                        sprec,
                        0,
                        F_SNAPSHOT,
                        sequence,
                        ts_event,
                        ts_init,
                    ),
                )
        last = deltas.pop()
        deltas.append(_with_flags(last, _F_SNAPSHOT_LAST))
        return OrderBookDeltas(instrument_id, deltas)

    body: tuple[tuple[Any, list[tuple[str, str]]], ...]
    if asks:
        last_side, (last_price, last_size) = _SELL, asks[-1]
        body = ((_BUY, bids), (_SELL, asks[:-1]))
    elif bids:
        last_side, (last_price, last_size) = _BUY, bids[-1]
        body = ((_BUY, bids[:-1]),)
    else:
        return None
    for side, levels in body:
        for price, size in levels:
            size_raw = size_get(size)
            if size_raw is None:
                size_raw = size_parse(size)
            price_raw = price_get(price)
            if price_raw is None:
                price_raw = price_parse(price)
            append(
                from_raw(
                    instrument_id,
                    _UPDATE if size_raw else _DELETE,
                    side,
                    price_raw,
                    pprec,
                    size_raw,
                    sprec,
                    0,
                    0,
                    sequence,
                    ts_event,
                    ts_init,
                ),
            )
    size_raw = size_get(last_size)
    if size_raw is None:
        size_raw = size_parse(last_size)
    price_raw = price_get(last_price)
    if price_raw is None:
        price_raw = price_parse(last_price)
    append(
        from_raw(
            instrument_id,
            _UPDATE if size_raw else _DELETE,
            last_side,
            price_raw,
            pprec,
            size_raw,
            sprec,
            0,
            F_LAST,
            sequence,
            ts_event,
            ts_init,
        ),
    )
    return OrderBookDeltas(instrument_id, deltas)


def _with_flags(delta: OrderBookDelta, flags: int) -> OrderBookDelta:
    order = delta.order
    if delta.action == _CLEAR or order is None:
        return OrderBookDelta(
            delta.instrument_id,
            delta.action,
            None,
            flags,
            delta.sequence,
            delta.ts_event,
            delta.ts_init,
        )
    return OrderBookDelta.from_raw(
        delta.instrument_id,
        delta.action,
        order.side,
        order.price.raw,
        order.price.precision,
        order.size.raw,
        order.size.precision,
        0,
        flags,
        delta.sequence,
        delta.ts_event,
        delta.ts_init,
    )


def parse_books1_to_quote(book: BitgetWsBook, ctx: BookContext, ts_init: int) -> QuoteTick | None:
    """
    Return the ``QuoteTick`` of a ``books1`` push, or ``None`` when a side is empty.

    ``books1`` is pushed every ~10 ms (bitget-protocol.md 6.1), the fastest top-of-book source.
    """
    if not book.bids or not book.asks:
        return None
    bid_price, bid_size = book.bids[0]
    ask_price, ask_size = book.asks[0]
    return _quote(ctx, bid_price, bid_size, ask_price, ask_size, int(book.ts) * 1_000_000, ts_init)


def parse_top_to_quote(
    ctx: BookContext,
    bid_price: str,
    bid_size: str,
    ask_price: str,
    ask_size: str,
    ts_event: int,
    ts_init: int,
) -> QuoteTick:
    """Return a ``QuoteTick`` from top-of-book wire strings (e.g. the ``ticker`` channel)."""
    return _quote(ctx, bid_price, bid_size, ask_price, ask_size, ts_event, ts_init)


def _quote(
    ctx: BookContext,
    bid_price: str,
    bid_size: str,
    ask_price: str,
    ask_size: str,
    ts_event: int,
    ts_init: int,
) -> QuoteTick:
    prices = ctx.prices
    sizes = ctx.sizes
    return QuoteTick.from_raw(
        ctx.instrument_id,
        prices.raw(bid_price),
        prices.raw(ask_price),
        ctx.price_precision,
        ctx.price_precision,
        sizes.raw(bid_size),
        sizes.raw(ask_size),
        ctx.size_precision,
        ctx.size_precision,
        ts_event,
        ts_init,
    )


def parse_books15_to_depth10(
    book: BitgetWsBook,
    ctx: BookContext,
    ts_init: int,
) -> OrderBookDepth10:
    """
    Return the ``OrderBookDepth10`` (best 10 levels per side) of a ``books15`` push.

    Both sides are padded to the same length with empty orders (count 0), as the Nautilus
    constructor requires equal lengths; real levels have count 1 (Bitget sends no order counts).
    """
    bids = [
        BookOrder(_BUY, ctx.price(p), ctx.quantity(s), 0) for p, s in book.bids[:10] if s != "0"
    ]
    asks = [
        BookOrder(_SELL, ctx.price(p), ctx.quantity(s), 0) for p, s in book.asks[:10] if s != "0"
    ]
    bid_counts = [1] * len(bids)
    ask_counts = [1] * len(asks)
    # pad whenever the sides differ: a full side next to one that lost a zero-size level too
    depth = max(len(bids), len(asks))
    null = BookOrder(
        OrderSide.NO_ORDER_SIDE,
        Price.from_raw(0, ctx.price_precision),
        Quantity.from_raw(0, ctx.size_precision),
        0,
    )
    for orders, counts in ((bids, bid_counts), (asks, ask_counts)):
        missing = depth - len(orders)
        orders.extend([null] * missing)
        counts.extend([0] * missing)
    return OrderBookDepth10(
        ctx.instrument_id,
        bids,
        asks,
        bid_counts,
        ask_counts,
        _F_SNAPSHOT_LAST,
        book.seq or 0,
        int(book.ts) * 1_000_000,
        ts_init,
    )


def parse_levels_to_snapshot(
    bids: Sequence[tuple[str, str]],
    asks: Sequence[tuple[str, str]],
    ctx: BookContext,
    ts_ms: str,
    ts_init: int,
    sequence: int = 0,
) -> OrderBookDeltas:
    """
    Return a snapshot ``OrderBookDeltas`` from level strings (REST ``merge-depth``, section 4.3).

    Parameters
    ----------
    bids, asks : Sequence[tuple[str, str]]
        ``(price, size)`` strings, best first.
    ctx : BookContext
        The instrument's parsing context.
    ts_ms : str
        Venue millisecond timestamp.
    ts_init : int
        UNIX nanoseconds of receipt.
    sequence : int, default 0
        The sequence to stamp (REST depth has none).

    """
    book = BitgetWsBook(asks=list(asks), bids=list(bids), ts=ts_ms, seq=sequence)
    deltas = parse_books_to_deltas(book, ctx, snapshot=True, ts_init=ts_init)
    assert deltas is not None  # a snapshot always has at least its CLEAR
    return deltas
