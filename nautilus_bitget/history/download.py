"""
``bitget-nt download``: Bitget REST history into the catalog, resumable.

Sources (bitget-protocol.md 4.5-4.7, through the ``MarketApi`` seam, which pages within the
venue's per-request limits; the transport's per-endpoint limiters keep every request inside 7.2,
and it retries 429s and transient errors with backoff):

- candles: ``history-candles`` / ``history-mark-candles`` / ``history-index-candles`` (200 per
  page, finished candles only) -> EXTERNAL ``Bar``s built by ``parsing.market.parse_candle_to_bar``
  (``ts_event`` = close time, as live). LAST bars ``<SYMBOL>-PERP.BITGET-1-MINUTE-LAST-EXTERNAL``;
  mark candles ``...-MARK-EXTERNAL``; index candles ``<SYMBOL>-INDEX.BITGET-1-MINUTE-LAST-EXTERNAL``
  (NautilusTrader 1.231 has no INDEX price type: the index gets its own id, priced at the
  perpetual's precision like the live ``IndexPriceUpdate``).
- trades: ``fills-history`` (1000 per page, ``idLessThan`` cursor, windows <= 7 days, the last 90
  days only) -> ``TradeTick`` by ``parse_trade_to_trade_tick``.
- funding: ``history-fund-rate`` (newest first) -> ``FundingRateUpdate`` with the ``interval``.
  A settled rate ``r`` of funding time ``T`` is written as the live ``ticker`` states it just
  before settlement: ``rate=r``, ``next_funding_ns=T``, ``ts_event = ts_init = T - 1 ms``, so the
  backtest's ``FundingSettlementModule`` settles ``r`` at ``T`` (a row stamped ``T`` itself would
  arrive after that settlement and apply one interval late).
- instruments: the ``CryptoPerpetual`` of the contracts endpoint (``history.venue``).

Downloaded rows were not received live: ``ts_init = ts_event`` (as the recorder's backfill).

Resume: for each (type, identifier) the wanted ``ts_init`` window minus the intervals of the files
already in the catalog is what gets fetched; the ``CatalogWriter`` drops anything inside an
existing interval anyway, so nothing is written twice. Each fetched window is written before the
next request pages further back, so an interrupted run keeps what it fetched.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from decimal import Decimal
from typing import Any
from typing import Final

import msgspec
from nautilus_trader.core.datetime import unix_nanos_to_iso8601
from nautilus_trader.model.data import Bar
from nautilus_trader.model.data import BarSpecification
from nautilus_trader.model.data import BarType
from nautilus_trader.model.data import FundingRateUpdate
from nautilus_trader.model.data import TradeTick
from nautilus_trader.model.enums import AggregationSource
from nautilus_trader.model.enums import PriceType
from nautilus_trader.model.identifiers import InstrumentId
from nautilus_trader.model.identifiers import Symbol

from nautilus_bitget.api.market_v2 import FILLS_HISTORY_MAX
from nautilus_bitget.api.market_v2 import HISTORY_CANDLES_MAX
from nautilus_bitget.common.errors import BitgetError
from nautilus_bitget.constants import BITGET_VENUE
from nautilus_bitget.history.sink import HistoryWriter
from nautilus_bitget.history.venue import HistoryInputError
from nautilus_bitget.history.venue import ResolvedInstrument
from nautilus_bitget.parsing.bars import BitgetBarSpecError
from nautilus_bitget.parsing.bars import bar_spec_to_interval
from nautilus_bitget.parsing.book import BookContext
from nautilus_bitget.parsing.market import parse_candle_to_bar
from nautilus_bitget.parsing.market import parse_trade_to_trade_tick
from nautilus_bitget.recorder.actor import parse_interval
from nautilus_bitget.schemas.common import num_str
from nautilus_bitget.schemas.ws_public import BitgetWsTrade


MS: Final[int] = 1_000_000
DAY_MS: Final[int] = 86_400_000
# bitget-protocol.md 4.6: fills-history serves the last 90 days, windows of at most 7 days
TRADES_RETENTION_DAYS: Final[int] = 90
TRADES_WINDOW_MS: Final[int] = 7 * DAY_MS - 1
# fills-history pages chained by the MarketApi per call (bounded memory per call)
TRADES_PER_CALL: Final[int] = 10 * FILLS_HISTORY_MAX
# candles per MarketApi call (20 pages): one catalog file per call
CANDLES_PER_CALL: Final[int] = 20 * HISTORY_CANDLES_MAX
FUNDING_STAMP_BEFORE_NS: Final[int] = MS  # a settled rate is stamped 1 ms before its time
_VALID_FUNDING_MINS: Final[frozenset[int]] = frozenset({60, 120, 240, 480})
_BAR_KINDS: Final[dict[str, str]] = {"bars": "market", "mark-bars": "mark", "index-bars": "index"}
INDEX_SUFFIX: Final[str] = "-INDEX"
SETTLE_NS: Final[int] = 60_000_000_000  # the newest minute is never recorded as fetched
_TYPE_NAMES: Final[dict[type, str]] = {
    Bar: "Bar",
    TradeTick: "TradeTick",
    FundingRateUpdate: "FundingRateUpdate",
}
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class DownloadType:
    """One ``--types`` item: ``bars:1m``, ``mark-bars:1m``, ``index-bars:1m``, ``trades``,
    ``funding``."""

    name: str
    kind: str  # bars | trades | funding
    kline_type: str = ""  # market | mark | index (bars)
    granularity: str = ""  # Bitget interval (bars)
    spec: BarSpecification | None = None

    def bar_type(self, resolved: ResolvedInstrument) -> BarType:
        """Return the bar type of this candle kind for an instrument."""
        assert self.spec is not None
        iid = resolved.instrument.id
        if self.kline_type == "index":
            iid = InstrumentId(Symbol(f"{resolved.symbol}{INDEX_SUFFIX}"), BITGET_VENUE)
        price_type = PriceType.MARK if self.kline_type == "mark" else PriceType.LAST
        spec = BarSpecification(self.spec.step, self.spec.aggregation, price_type)
        return BarType(iid, spec, AggregationSource.EXTERNAL)

    @property
    def duration_ns(self) -> int:
        """Candle length in ns (bars)."""
        assert self.spec is not None
        return int(self.spec.timedelta.total_seconds() * 1_000_000_000)


def parse_types(text: str) -> list[DownloadType]:
    """
    Parse ``--types``.

    Raises
    ------
    HistoryInputError
        For an unknown type or a candle interval Bitget does not have.

    """
    out: list[DownloadType] = []
    for raw in (t.strip() for t in text.split(",")):
        if not raw:
            continue
        name, _, interval = raw.partition(":")
        name = name.lower()
        if name in ("trades", "funding"):
            if interval:
                raise HistoryInputError(f"--types: {raw!r}: {name} takes no interval")
            out.append(DownloadType(name, name))
            continue
        if name not in _BAR_KINDS:
            raise HistoryInputError(
                f"--types: unknown type {raw!r}; use bars:<interval>, mark-bars:<interval>, "
                "index-bars:<interval>, trades, funding",
            )
        if not interval:
            raise HistoryInputError(f"--types: {raw!r} needs an interval, e.g. {name}:1m")
        try:
            spec = parse_interval(interval)
            granularity = bar_spec_to_interval(spec)
        except (BitgetBarSpecError, ValueError):
            raise HistoryInputError(
                f"--types: {raw!r}: Bitget has no {interval} candles; intervals: 1m 3m 5m 15m "
                "30m 1h 4h 6h 12h 1d 3d 1w",
            ) from None
        out.append(
            DownloadType(
                f"{name}:{interval}",
                "bars",
                _BAR_KINDS[name],
                granularity,
                spec,
            ),
        )
    if not out:
        raise HistoryInputError("--types: nothing to download")
    names = [t.name for t in out]
    if len(set(names)) != len(names):
        raise HistoryInputError(f"--types: {text!r} names a type twice")
    return out


def parse_time(text: str, what: str) -> int:
    """Return UNIX ns of a UTC date (``2026-11-01``) or ISO time; raise ``HistoryInputError``."""
    value = text.strip()
    try:
        if _DATE_RE.match(value):
            dt = datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=UTC)
        else:
            dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
            if dt.tzinfo is None:
                dt = dt.replace(tzinfo=UTC)
    except ValueError:
        raise HistoryInputError(
            f"{what}: {text!r} is not a date (2026-11-01) or UTC time (2026-11-01T12:00)",
        ) from None
    return int(dt.timestamp()) * 1_000_000_000 + dt.microsecond * 1_000


def iso_day(ns: int) -> str:
    """Return ``2026-11-01`` of UNIX ns (UTC)."""
    return unix_nanos_to_iso8601(ns)[:10]


def missing_ranges(lo: int, hi: int, covered: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Return the parts of ``[lo, hi]`` outside every closed interval of ``covered``."""
    out: list[tuple[int, int]] = []
    cursor = lo
    for a, b in sorted(covered):
        if b < cursor:
            continue
        if a > hi:
            break
        if a > cursor:
            out.append((cursor, min(a - 1, hi)))
        cursor = max(cursor, b + 1)
        if cursor > hi:
            break
    if cursor <= hi:
        out.append((cursor, hi))
    return out


@dataclass
class TaskState:
    """Progress and outcome of one (symbol, type) task."""

    key: str
    symbol: str
    dtype: DownloadType
    identifier: str = ""
    want_ns: int = 0  # ns of the window still missing at start
    done_ns: int = 0
    rows: int = 0
    first_ns: int = 0
    last_ns: int = 0
    requests: int = 0
    already: bool = False
    finished: bool = False
    error: str = ""

    def seen(self, lo: int, hi: int) -> None:
        """Widen the covered range shown in progress."""
        self.first_ns = lo if not self.first_ns else min(self.first_ns, lo)
        self.last_ns = max(self.last_ns, hi)


Progress = Callable[[TaskState], None]


class Downloader:
    """
    Download one range of history for several symbols and types.

    Parameters
    ----------
    market : MarketApi
        The venue's public market API.
    out : HistoryWriter
        The catalog writer and manifest.
    start_ns, end_ns : int
        The range ``[start, end)``.
    now_ms : callable
        The venue clock (only closed candles; the trades horizon).
    on_progress : callable, optional
        Called with a ``TaskState`` after every write.

    """

    def __init__(
        self,
        market: Any,
        out: HistoryWriter,
        start_ns: int,
        end_ns: int,
        now_ms: Callable[[], int],
        on_progress: Progress | None = None,
    ) -> None:
        self.market = market
        self.out = out
        self.start_ns = start_ns
        self.end_ns = end_ns
        self.now_ms = now_ms
        self.on_progress = on_progress or (lambda _s: None)
        self._write_lock = asyncio.Lock()

    # -- plumbing -----------------------------------------------------------------------------

    async def _write(self, state: TaskState, data_cls: type, rows: list[Any], name: str) -> int:
        if not rows:
            return 0
        async with self._write_lock:
            written = await asyncio.to_thread(
                self.out.write,
                data_cls,
                state.identifier,
                rows,
                name,
            )
        state.rows += written
        self.on_progress(state)
        return written

    def fetched(self, state: TaskState, data_cls: type, lo: int, hi: int) -> None:
        """Record a window as fetched completely (the last minute excepted: late rows)."""
        settled = self.now_ms() * MS - SETTLE_NS
        self.out.mark_fetched(_TYPE_NAMES[data_cls], state.identifier, lo, min(hi, settled))

    def window(self, state: TaskState) -> tuple[int, int]:
        """Return the wanted ``ts_init`` window ``[lo, hi]`` (inclusive) of a task."""
        dtype = state.dtype
        if dtype.kind == "bars":
            return self.start_ns + dtype.duration_ns, self.end_ns
        if dtype.kind == "funding":
            return (
                self.start_ns - FUNDING_STAMP_BEFORE_NS,
                self.end_ns - FUNDING_STAMP_BEFORE_NS - 1,
            )
        return self.start_ns, self.end_ns - 1

    def plan(self, state: TaskState, data_cls: type) -> list[tuple[int, int]]:
        """Return the missing ``ts_init`` ranges of a task, newest first (not in the catalog's
        files, not fetched completely by an earlier download)."""
        lo, hi = self.window(state)
        if hi < lo:
            return []
        covered = self.out.covered(data_cls, state.identifier)
        covered += self.out.fetched_before(_TYPE_NAMES[data_cls], state.identifier)
        missing = missing_ranges(lo, hi, covered)
        state.want_ns = sum(b - a + 1 for a, b in missing)
        state.already = not missing
        return list(reversed(missing))

    # -- candles ------------------------------------------------------------------------------

    async def bars(self, resolved: ResolvedInstrument, state: TaskState) -> None:
        """Download the candles of one kind and interval."""
        dtype = state.dtype
        bar_type = dtype.bar_type(resolved)
        state.identifier = str(bar_type)
        ctx = BookContext(resolved.instrument)
        dur = dtype.duration_ns
        step_ms = dur // MS
        now_ns = self.now_ms() * MS
        for lo, hi in self.plan(state, Bar):
            # bars closing in [lo, hi] open in [lo - dur, hi - dur]
            hi = min(hi, now_ns - now_ns % dur)  # closed candles only
            open_lo_ms = (lo - dur + dur - 1) // dur * dur // MS  # first open on the grid
            cursor_ms = (hi - dur) // dur * dur // MS
            while cursor_ms >= open_lo_ms:
                win_lo_ms = max(open_lo_ms, cursor_ms - (CANDLES_PER_CALL - 1) * step_ms)
                candles = await self.market.history_candles(
                    resolved.symbol,
                    resolved.product_type,
                    dtype.granularity,
                    kline_type=dtype.kline_type,
                    start_ms=win_lo_ms,
                    end_ms=cursor_ms,
                )
                state.requests += 1
                bars: list[Bar] = []
                for candle in candles:
                    row = [num_str(v) for v in msgspec.structs.astuple(candle)]
                    open_ms = int(row[0])
                    if open_ms < win_lo_ms or open_ms > cursor_ms:
                        continue
                    try:
                        bar = parse_candle_to_bar(row, bar_type, ctx, 0)
                    except ValueError:
                        self.out.manifest.skip(f"{dtype.name}: malformed candles")
                        continue
                    if bar.ts_event > now_ns:
                        continue
                    bars.append(_with_ts_init(bar))
                bars.sort(key=lambda b: b.ts_event)
                self._bar_gaps(state, bars, win_lo_ms * MS + dur, cursor_ms * MS + dur, dur)
                await self._write(state, Bar, bars, "Bar")
                self.fetched(state, Bar, win_lo_ms * MS + dur, cursor_ms * MS + dur)
                state.done_ns += (cursor_ms - win_lo_ms + step_ms) * MS
                state.seen(win_lo_ms * MS + dur, cursor_ms * MS + dur)
                self.on_progress(state)
                cursor_ms = win_lo_ms - step_ms

    def _bar_gaps(self, state: TaskState, bars: list[Bar], lo: int, hi: int, dur: int) -> None:
        """Record closes in ``[lo, hi]`` the venue had no candle for (merged spans; intervals up
        to a day, which sit on the epoch grid: weekly candles start on Mondays)."""
        if dur > DAY_MS * MS:
            return
        closes = [b.ts_event for b in bars]
        expected = lo
        for close in [*closes, hi + dur]:
            if close > expected:
                end = min(close - dur, hi)
                if end >= expected:
                    self.out.manifest.add_gap(
                        "Bar",
                        state.identifier,
                        _instrument_of(state.identifier),
                        expected - dur,
                        end,
                        f"history-candles ({state.dtype.kline_type})",
                        note=f"{(end - expected) // dur + 1} candle(s) missing at the venue",
                    )
            expected = max(expected, close + dur)

    # -- trades -------------------------------------------------------------------------------

    async def trades(self, resolved: ResolvedInstrument, state: TaskState) -> None:
        """Download public trades (``fills-history``), newest first, in bounded batches."""
        state.identifier = resolved.instrument.id.value
        ctx = BookContext(resolved.instrument)
        done_before = 0
        for lo, hi in self.plan(state, TradeTick):
            lo_ms, hi_ms = -(-lo // MS), hi // MS

            def advance(
                cursor_ms: int, lo: int = lo, hi: int = hi, base: int = done_before
            ) -> None:
                state.done_ns = base + min(hi - lo + 1, max(0, hi - cursor_ms * MS))
                self.on_progress(state)

            window_hi = hi_ms
            oldest_seen: int | None = None
            while window_hi >= lo_ms:
                window_lo = max(lo_ms, window_hi - TRADES_WINDOW_MS)
                cursor = window_hi
                carry: dict[str, TradeTick] = {}
                while True:
                    rows = await self.market.history_trades(
                        resolved.symbol,
                        resolved.product_type,
                        start_ms=window_lo,
                        end_ms=cursor,
                        limit=TRADES_PER_CALL,
                    )
                    state.requests += 1
                    ticks = [
                        t
                        for t in (self._trade(r, ctx) for r in rows)
                        if t is not None
                        and window_lo * MS <= t.ts_event <= cursor * MS + MS - 1
                        and t.trade_id.value not in carry
                    ]
                    exhausted = len(rows) < TRADES_PER_CALL
                    ticks.extend(carry.values())
                    if not ticks:
                        break
                    ticks.sort(key=_trade_order)
                    oldest = ticks[0].ts_event
                    oldest_seen = oldest if oldest_seen is None else min(oldest_seen, oldest)
                    if exhausted:
                        await self._write(state, TradeTick, ticks, "TradeTick")
                        state.seen(ticks[0].ts_event, ticks[-1].ts_event)
                        carry = {}
                        break
                    # more to come at and before the oldest ms: hold its trades back
                    keep = [t for t in ticks if t.ts_event > oldest]
                    held = [t for t in ticks if t.ts_event == oldest]
                    if not keep:  # a whole call within one ms: cannot page by time here
                        await self._write(state, TradeTick, held, "TradeTick")
                        self.out.manifest.skip(f"{state.key}: ms with > {TRADES_PER_CALL} trades")
                        carry = {}
                        cursor = oldest // MS - 1
                        continue
                    await self._write(state, TradeTick, keep, "TradeTick")
                    state.seen(keep[0].ts_event, keep[-1].ts_event)
                    advance(oldest // MS)
                    carry = {t.trade_id.value: t for t in held}
                    cursor = oldest // MS
                advance(window_lo)
                self.fetched(
                    state, TradeTick, max(lo, window_lo * MS), min(hi, window_hi * MS + MS - 1)
                )
                window_hi = window_lo - 1
            done_before += hi - lo + 1
            if oldest_seen is None or oldest_seen > lo + DAY_MS * MS:
                first = unix_nanos_to_iso8601(oldest_seen) if oldest_seen else "the range end"
                self.out.manifest.add_gap(
                    "TradeTick",
                    state.identifier,
                    state.identifier,
                    lo,
                    (oldest_seen or hi + 1) - 1,
                    "fills-history",
                    note=f"no trades served before {first}",
                )

    def _trade(self, row: Any, ctx: BookContext) -> TradeTick | None:
        try:
            wire = BitgetWsTrade(
                ts=num_str(row.ts),
                price=num_str(row.price),
                size=num_str(row.size),
                side=row.side,
                tradeId=row.tradeId,
            )
            tick = parse_trade_to_trade_tick(wire, ctx, 0)
        except (ValueError, TypeError):
            self.out.manifest.skip("trades: malformed rows")
            return None
        return TradeTick(
            tick.instrument_id,
            tick.price,
            tick.size,
            tick.aggressor_side,
            tick.trade_id,
            tick.ts_event,
            tick.ts_event,  # not received live: ts_init = venue time (as the recorder's backfill)
        )

    # -- funding ------------------------------------------------------------------------------

    async def funding(self, resolved: ResolvedInstrument, state: TaskState) -> None:
        """Download settled funding rates (``history-fund-rate``)."""
        iid = resolved.instrument.id
        state.identifier = iid.value
        plan = self.plan(state, FundingRateUpdate)
        if not plan:
            return
        oldest_lo = min(a for a, _ in plan)
        history = await self.market.funding_history(
            resolved.symbol,
            resolved.product_type,
            start_ms=(oldest_lo + FUNDING_STAMP_BEFORE_NS) // MS,
        )
        state.requests += 1
        times = sorted(
            {int(num_str(r.fundingTime)): num_str(r.fundingRate) for r in history}.items()
        )
        updates: list[FundingRateUpdate] = []
        previous: int | None = None
        for ts_ms, rate in times:
            funding_ns = ts_ms * MS
            stamp = funding_ns - FUNDING_STAMP_BEFORE_NS
            interval = resolved.funding_interval_mins
            if previous is not None and (ts_ms - previous) // 60_000 in _VALID_FUNDING_MINS:
                interval = (ts_ms - previous) // 60_000
            previous = ts_ms
            if not any(a <= stamp <= b for a, b in plan):
                continue
            try:
                updates.append(
                    FundingRateUpdate(
                        iid,
                        Decimal(rate),
                        stamp,
                        stamp,
                        interval=interval,
                        next_funding_ns=funding_ns,
                    ),
                )
            except (ArithmeticError, ValueError):
                self.out.manifest.skip("funding: malformed rows")
        for lo, hi in plan:
            inside = [u.ts_init for u in updates if lo <= u.ts_init <= hi]
            span = hi - lo
            if not inside and span >= 24 * 3600 * 1_000_000_000:
                self.out.manifest.add_gap(
                    "FundingRateUpdate",
                    iid.value,
                    iid.value,
                    lo,
                    hi,
                    "history-fund-rate",
                    note="no funding settlements served in this span",
                )
        await self._write(state, FundingRateUpdate, updates, "FundingRateUpdate")
        for lo, hi in plan:
            self.fetched(state, FundingRateUpdate, lo, hi)
        if updates:
            state.seen(updates[0].ts_init, updates[-1].ts_init)
        state.done_ns = state.want_ns
        self.on_progress(state)

    # -- entry --------------------------------------------------------------------------------

    async def run_task(self, resolved: ResolvedInstrument, state: TaskState) -> None:
        """Run one task; venue failures end the task (recorded), the others go on."""
        try:
            if state.dtype.kind == "bars":
                await self.bars(resolved, state)
            elif state.dtype.kind == "trades":
                await self.trades(resolved, state)
            else:
                await self.funding(resolved, state)
            state.finished = True
        except BitgetError as e:
            state.error = str(e)
        self.on_progress(state)


def _with_ts_init(bar: Bar) -> Bar:
    return Bar(
        bar.bar_type, bar.open, bar.high, bar.low, bar.close, bar.volume, bar.ts_event, bar.ts_event
    )


def _trade_order(tick: TradeTick) -> tuple[int, int, str]:
    value = tick.trade_id.value
    return (tick.ts_event, int(value) if value.isdigit() else 0, value)


def _instrument_of(identifier: str) -> str:
    # a bar type string -> its instrument id (the part before -<step>-<AGG>-<PRICE>-<SOURCE>)
    return identifier.rsplit("-", 4)[0]


def check_range(start_ns: int, end_ns: int, now_ns: int, types: list[DownloadType]) -> int:
    """
    Validate the range against the venue's retention; return the end clamped to now.

    Raises
    ------
    HistoryInputError
        End not after start, a start in the future, or trades older than the venue keeps.

    """
    if end_ns <= start_ns:
        raise HistoryInputError(
            f"--end {iso_day(end_ns)} is not after --start {iso_day(start_ns)}",
        )
    if start_ns >= now_ns:
        raise HistoryInputError(f"--start {iso_day(start_ns)} is in the future: nothing to fetch")
    if any(t.kind == "trades" for t in types):
        earliest = now_ns - TRADES_RETENTION_DAYS * DAY_MS * MS
        if start_ns < earliest:
            day = iso_day(earliest + DAY_MS * MS - earliest % (DAY_MS * MS))
            raise HistoryInputError(
                f"trades: Bitget serves the last {TRADES_RETENTION_DAYS} days of public trades "
                f"(fills-history); the earliest available is {unix_nanos_to_iso8601(earliest)[:19]}"
                f"Z: use --start {day} or later for trades",
            )
    return min(end_ns, now_ns)
