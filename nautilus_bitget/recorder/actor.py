"""
``BitgetRecorder``: a Nautilus Actor that records what the Bitget data client publishes.

It subscribes to books (``OrderBookDeltas`` exactly as published), quotes, trades, closed bars,
mark/index prices and funding rates, buffers them per (type, instrument) and flushes every
``flush_interval_secs`` on a single writer thread (``CatalogWriter``: disjoint intervals,
temp-then-rename). Instruments are written explicitly. Gaps and resyncs become
``BitgetGapMarker`` rows plus a session manifest. ``on_stop`` flushes everything.
"""

from __future__ import annotations

import re
import time
import uuid
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pandas as pd
from nautilus_trader.common.actor import Actor
from nautilus_trader.config import ActorConfig
from nautilus_trader.core.data import Data
from nautilus_trader.model.book import OrderBook
from nautilus_trader.model.data import Bar
from nautilus_trader.model.data import BarSpecification
from nautilus_trader.model.data import BarType
from nautilus_trader.model.data import BookOrder
from nautilus_trader.model.data import FundingRateUpdate
from nautilus_trader.model.data import IndexPriceUpdate
from nautilus_trader.model.data import MarkPriceUpdate
from nautilus_trader.model.data import OrderBookDelta
from nautilus_trader.model.data import OrderBookDeltas
from nautilus_trader.model.data import OrderBookDepth10
from nautilus_trader.model.data import QuoteTick
from nautilus_trader.model.data import TradeTick
from nautilus_trader.model.enums import AggregationSource
from nautilus_trader.model.enums import BarAggregation
from nautilus_trader.model.enums import BookType
from nautilus_trader.model.enums import OrderSide
from nautilus_trader.model.enums import PriceType
from nautilus_trader.model.enums import RecordFlag
from nautilus_trader.model.identifiers import ClientId
from nautilus_trader.model.identifiers import InstrumentId
from nautilus_trader.model.instruments import Instrument
from nautilus_trader.model.objects import Price
from nautilus_trader.model.objects import Quantity

from nautilus_bitget.common.errors import BitgetConfigError
from nautilus_bitget.constants import BITGET_VENUE
from nautilus_bitget.constants import PERP_SUFFIX
from nautilus_bitget.recorder.catalog_tools import recover_compaction
from nautilus_bitget.recorder.manifest import SessionManifest
from nautilus_bitget.recorder.manifest import write_manifest
from nautilus_bitget.recorder.markers import GAP_TOPIC
from nautilus_bitget.recorder.markers import BitgetGapMarker
from nautilus_bitget.recorder.markers import coerce_marker
from nautilus_bitget.recorder.markers import make_marker
from nautilus_bitget.recorder.shard import parse_shard
from nautilus_bitget.recorder.shard import select
from nautilus_bitget.recorder.status import StatusLine
from nautilus_bitget.recorder.status import format_status
from nautilus_bitget.recorder.writer import CatalogWriter
from nautilus_bitget.recorder.writer import flatten


ALL_TYPES = ("book", "quote", "trade", "bar", "mark", "index", "funding")
_TYPE_CLASSES: dict[str, type] = {
    "book": OrderBookDelta,
    "depth10": OrderBookDepth10,
    "quote": QuoteTick,
    "trade": TradeTick,
    "bar": Bar,
    "mark": MarkPriceUpdate,
    "index": IndexPriceUpdate,
    "funding": FundingRateUpdate,
}
_INTERVAL_RE = re.compile(r"^(\d+)([smhHdDwW])$")
_AGGREGATIONS = {
    "s": BarAggregation.SECOND,
    "m": BarAggregation.MINUTE,
    "h": BarAggregation.HOUR,
    "H": BarAggregation.HOUR,
    "d": BarAggregation.DAY,
    "D": BarAggregation.DAY,
    "w": BarAggregation.WEEK,
    "W": BarAggregation.WEEK,
}
_BACKFILL_REASONS = ("disconnect", "stale")
_SEEN_TRADE_IDS = 20_000
# data client counters of frames that never became data (malformed, unknown, unsynced book)
_SKIPPED_KEYS = ("malformed", "unknown_channel", "unknown_symbol", "dropped_unsynced")


class BitgetRecorderConfig(ActorConfig, frozen=True):
    """
    Configuration of ``BitgetRecorder``.

    Parameters
    ----------
    catalog_path : str
        Catalog path or fsspec URI (``s3://bucket/path``).
    symbols : tuple[str, ...], optional
        Bitget symbols (``BTCUSDT``) or instrument ids (``BTCUSDT-PERP.BITGET``); ``None`` or
        ``("all",)`` records every BITGET instrument in the cache at start.
    types : tuple[str, ...]
        Subset of ``book, quote, trade, bar, mark, index, funding``.
    bar_intervals : tuple[str, ...], default ("1m",)
        Candle intervals (``1m``, ``5m``, ``1H``, ``1D`` ...), recorded as EXTERNAL LAST bars.
    depth10_interval_ms : int, default 0
        Also record ``OrderBookDepth10`` snapshots of the book at this interval (0 = off).
    flush_interval_secs : float, default 10.0
        Seconds between flushes; a crash loses at most this window.
    storage_options : dict, optional
        fsspec storage options of the catalog (S3 endpoint, keys ...).
    client_id : str, default "BITGET"
        The data client to subscribe through.
    backfill : bool, default True
        After a disconnect, request candles and trades of the gap and write them marked
        backfilled.
    backfill_min_gap_secs : float, default 1.0
        A resync of unknown cause (a fresh snapshot nobody announced) is backfilled like a
        disconnect when its span is at least this long (a reconnect; a seq-gap resync is
        sub-second). Backfilled rows never duplicate recorded ones (trade ids, bar times).
    session_id : str, optional
        Session id (manifest file name); a new one by default.
    status : bool, default False
        Print a live status line on stderr every second.
    status_duration_secs : float, optional
        The recording's planned duration: the status line shows the time left.
    max_buffered : int, default 2_000_000
        Buffered messages at which the recorder stops taking data until the writer has caught
        up (backpressure on the event loop instead of unbounded memory).
    shard : str, optional
        ``"I/N"``: record only shard I of N of the resolved symbols (shard.py has the rule), so N
        recorders write disjoint instruments into one catalog; each keeps its temp files apart.

    """

    catalog_path: str
    symbols: tuple[str, ...] | None = None
    types: tuple[str, ...] = ALL_TYPES
    bar_intervals: tuple[str, ...] = ("1m",)
    depth10_interval_ms: int = 0
    flush_interval_secs: float = 10.0
    storage_options: dict[str, Any] | None = None
    client_id: str = "BITGET"
    backfill: bool = True
    backfill_min_gap_secs: float = 1.0
    session_id: str | None = None
    status: bool = False
    status_duration_secs: float | None = None
    max_buffered: int = 2_000_000
    shard: str | None = None

    def __post_init__(self) -> None:
        if self.shard is not None:
            parse_shard(self.shard)
        unknown = [t for t in self.types if t not in ALL_TYPES]
        if unknown:
            raise BitgetConfigError(
                f"BitgetRecorderConfig.types: unknown {unknown}; use {ALL_TYPES}"
            )
        for interval in self.bar_intervals:
            parse_interval(interval)
        if self.flush_interval_secs <= 0:
            raise BitgetConfigError("BitgetRecorderConfig.flush_interval_secs: must be > 0")
        if self.depth10_interval_ms < 0:
            raise BitgetConfigError("BitgetRecorderConfig.depth10_interval_ms: must be >= 0")
        if self.max_buffered < 1:
            raise BitgetConfigError("BitgetRecorderConfig.max_buffered: must be >= 1")


def parse_interval(interval: str) -> BarSpecification:
    """
    Return the ``BarSpecification`` (LAST) of a Bitget-style candle interval such as ``5m``.

    Raises
    ------
    ValueError
        If the interval is not ``<int><s|m|h|H|d|D|w|W>``.

    """
    match = _INTERVAL_RE.match(interval.strip())
    if not match:
        raise BitgetConfigError(f"bar interval {interval!r}: expected e.g. 1m, 5m, 1H, 4H, 1D, 1W")
    return BarSpecification(int(match.group(1)), _AGGREGATIONS[match.group(2)], PriceType.LAST)


def to_instrument_id(symbol: str) -> InstrumentId:
    """Return the instrument id of a Bitget symbol (``BTCUSDT`` -> ``BTCUSDT-PERP.BITGET``)."""
    symbol = symbol.strip()
    if "." in symbol:
        return InstrumentId.from_str(symbol)
    return InstrumentId.from_str(f"{symbol.upper()}{PERP_SUFFIX}.{BITGET_VENUE.value}")


class BitgetRecorder(Actor):
    """
    Record Bitget market data into a Nautilus Parquet catalog that backtests trust.

    Parameters
    ----------
    config : BitgetRecorderConfig
        The configuration.

    """

    def __init__(self, config: BitgetRecorderConfig) -> None:
        super().__init__(config)
        self._cfg = config
        self._client_id = ClientId(config.client_id)
        # Set when start-up fails on user input (e.g. an unknown symbol); ``on_fatal`` lets the
        # runner (the CLI) stop the node instead of idling with nothing to record
        self.start_error: str | None = None
        self.on_fatal: Callable[[str], None] | None = None
        self._shard = parse_shard(config.shard) if config.shard else None
        temp_name = f"shard-{self._shard[0]}-of-{self._shard[1]}" if self._shard else None
        self.writer = CatalogWriter(config.catalog_path, config.storage_options, temp_name)
        self.session_id = config.session_id or (
            time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()) + "-" + uuid.uuid4().hex[:8]
        )
        self.manifest = SessionManifest(
            session_id=self.session_id, catalog=config.catalog_path, shard=config.shard
        )
        self.instrument_ids: list[InstrumentId] = []
        self.bar_types: list[BarType] = []
        # (data class, identifier) -> list of segments; a gap starts a new segment so that the
        # hole between them stays free for backfilled rows.
        self._buffers: dict[tuple[type, str], list[list[Any]]] = {}
        self._keys_by_iid: dict[InstrumentId, set[tuple[type, str]]] = {}
        self._markers: list[BitgetGapMarker] = []
        self._buffered = 0
        self.backpressure_waits = 0
        self._retry: list[tuple[dict, list[BitgetGapMarker]]] = []
        self._client_stats: Callable[[], dict[str, int]] | None = None
        self._executor: ThreadPoolExecutor | None = None
        self._inflight: Future | None = None
        self._last_book_ts: dict[InstrumentId, int] = {}
        self._last_ts: dict[InstrumentId, int] = {}
        self._pending_reason: dict[InstrumentId, BitgetGapMarker] = {}
        self._backfill_windows: dict[InstrumentId, list[tuple[int, int]]] = {}
        self._seen_trade_ids: dict[InstrumentId, deque[str]] = {}
        self._seen_trade_set: dict[InstrumentId, set[str]] = {}
        self._live_bar_ts: dict[BarType, set[int]] = {}
        self._pending_backfill: dict[Any, BitgetGapMarker] = {}
        # counters (messages received by type name, markers)
        self.counts: dict[str, int] = {}
        self.gap_count = 0
        self.resync_count = 0
        self.flush_errors = 0
        self._status: StatusLine | None = None
        self._status_prev: tuple[float, dict[str, int]] = (0.0, {})
        self._started_mono = 0.0

    # -- lifecycle --------------------------------------------------------------------------------

    def on_start(self) -> None:
        """Resolve instruments, write them, subscribe, start the flush timer."""
        self._started_mono = time.monotonic()
        self.manifest.started_ns = self.clock.timestamp_ns()
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="bitget-recorder")
        recover_compaction(self.writer)
        self.manifest.temp_files_cleaned = self.writer.cleanup_temp_files()

        try:
            instruments = self._resolve_instruments()
        except ValueError as e:
            self.start_error = str(e)
            self.log.error(self.start_error)
            if self.on_fatal is not None:
                self.on_fatal(self.start_error)
            return
        self.instrument_ids = [i.id for i in instruments]
        types = set(self._cfg.types)
        self.manifest.symbols = [i.raw_symbol.value for i in instruments]
        self.manifest.types = [_TYPE_CLASSES[t].__name__ for t in sorted(types)]
        if self._cfg.depth10_interval_ms:
            self.manifest.types.append("OrderBookDepth10")
        for instrument in instruments:
            self._executor.submit(self._write_instrument, instrument)

        cid = self._client_id
        for iid in self.instrument_ids:
            if "book" in types:
                self.subscribe_order_book_deltas(iid, BookType.L2_MBP, client_id=cid)
            if self._cfg.depth10_interval_ms:
                self.subscribe_order_book_at_interval(
                    iid,
                    BookType.L2_MBP,
                    depth=10,
                    interval_ms=self._cfg.depth10_interval_ms,
                    client_id=cid,
                )
            if "quote" in types:
                self.subscribe_quote_ticks(iid, client_id=cid)
            if "trade" in types:
                self.subscribe_trade_ticks(iid, client_id=cid)
            if "mark" in types:
                self.subscribe_mark_prices(iid, client_id=cid)
            if "index" in types:
                self.subscribe_index_prices(iid, client_id=cid)
            if "funding" in types:
                self.subscribe_funding_rates(iid, client_id=cid)
            if "bar" in types:
                for interval in self._cfg.bar_intervals:
                    bar_type = BarType(iid, parse_interval(interval), AggregationSource.EXTERNAL)
                    self.bar_types.append(bar_type)
                    self.subscribe_bars(bar_type, client_id=cid)
        self.manifest.bar_types = [str(b) for b in self.bar_types]
        self.subscribe_instruments(BITGET_VENUE, client_id=cid)  # refreshed definitions
        self.msgbus.subscribe(topic=GAP_TOPIC, handler=self._on_gap_published)

        self.clock.set_timer(
            "bitget-recorder-flush",
            timedelta(seconds=self._cfg.flush_interval_secs),
            callback=self._on_flush_timer,
        )
        if self._cfg.status:
            self._status = StatusLine()
            self.clock.set_timer(
                "bitget-recorder-status",
                timedelta(seconds=1),
                callback=self._on_status_timer,
            )
        self.log.info(
            f"Recording {len(self.instrument_ids)} instrument(s) {sorted(types)} to "
            f"{self._cfg.catalog_path} every {self._cfg.flush_interval_secs}s "
            f"(session {self.session_id})",
        )

    def on_stop(self) -> None:
        """Flush every buffer and the manifest before the node stops."""
        for name in ("bitget-recorder-flush", "bitget-recorder-status"):
            if name in self.clock.timer_names:
                self.clock.cancel_timer(name)
        try:
            self.msgbus.unsubscribe(topic=GAP_TOPIC, handler=self._on_gap_published)
        except Exception:  # noqa: S110 - never subscribed
            pass
        self.flush(wait=True, final=True)
        if self._executor is not None:
            self._executor.shutdown(wait=True)
            self._executor = None
        if self._status is not None:
            self._status.close()
        self.log.info(
            f"Recorder stopped: {self.writer.stats.rows} rows in {self.writer.stats.files} "
            f"files ({self.writer.stats.bytes} bytes), gaps {self.gap_count}, "
            f"resyncs {self.resync_count}",
        )

    # -- data handlers ----------------------------------------------------------------------------

    def on_order_book_deltas(self, deltas: OrderBookDeltas) -> None:
        """Buffer one published book message; a fresh snapshot on a live instrument is a resync."""
        iid = deltas.instrument_id
        ts = deltas.ts_init
        if deltas.is_snapshot:
            last = self._last_book_ts.get(iid)
            if last is not None:
                self._resync(iid, last, ts)
        self._last_book_ts[iid] = ts
        self._buffer(OrderBookDelta, iid.value, iid, deltas)
        self.counts["OrderBookDelta"] = self.counts.get("OrderBookDelta", 0) + 1

    def on_order_book(self, order_book: OrderBook) -> None:
        """Record an ``OrderBookDepth10`` snapshot of the managed book."""
        depth = self._to_depth10(order_book)
        if depth is not None:
            self._add(OrderBookDepth10, depth.instrument_id, depth)

    def on_quote_tick(self, tick: QuoteTick) -> None:
        """Buffer a quote."""
        self._add(QuoteTick, tick.instrument_id, tick)

    def on_trade_tick(self, tick: TradeTick) -> None:
        """Buffer a trade (its id is remembered so backfilled trades never duplicate it)."""
        iid = tick.instrument_id
        self._remember_trade(iid, tick.trade_id.value)
        self._add(TradeTick, iid, tick)

    def on_bar(self, bar: Bar) -> None:
        """Buffer a closed bar."""
        self._live_bar_ts.setdefault(bar.bar_type, set()).add(bar.ts_event)
        iid = bar.bar_type.instrument_id
        self._buffer(Bar, str(bar.bar_type), iid, bar)
        self._last_ts[iid] = bar.ts_init
        self.counts["Bar"] = self.counts.get("Bar", 0) + 1

    def on_mark_price(self, mark_price: MarkPriceUpdate) -> None:
        """Buffer a mark price."""
        self._add(MarkPriceUpdate, mark_price.instrument_id, mark_price)

    def on_index_price(self, index_price: IndexPriceUpdate) -> None:
        """Buffer an index price."""
        self._add(IndexPriceUpdate, index_price.instrument_id, index_price)

    def on_funding_rate(self, funding_rate: FundingRateUpdate) -> None:
        """Buffer a funding rate."""
        self._add(FundingRateUpdate, funding_rate.instrument_id, funding_rate)

    def on_instrument(self, instrument: Instrument) -> None:
        """Write a changed instrument definition."""
        if instrument.id in self.instrument_ids and self._executor is not None:
            self._executor.submit(self._write_instrument, instrument)

    def _write_instrument(self, instrument: Instrument) -> None:
        try:
            self.writer.write_instrument(instrument)
        except Exception as e:
            self.flush_errors += 1
            self.log.error(f"Recorder could not write {instrument.id}: {type(e).__name__}: {e}")

    def attach_client_stats(self, stats: Callable[[], dict[str, int]]) -> None:
        """
        Report the data client's counters in the manifest (``frames_skipped``, ``data_client``).

        Parameters
        ----------
        stats : Callable[[], dict[str, int]]
            Returns the client's counters, e.g. ``BitgetDataClient.stats.as_dict``.

        """
        self._client_stats = stats

    def on_data(self, data: Any) -> None:
        """Accept gap markers delivered as custom data."""
        self._on_gap_published(data)

    def on_historical_data(self, data: Any) -> None:
        """Keep backfilled bars and trades that fall inside a recorded gap."""
        if isinstance(data, TradeTick):
            self._backfill_trade(data)
        elif isinstance(data, Bar):
            self._backfill_bar(data)

    # -- buffering --------------------------------------------------------------------------------

    def _add(self, cls: type, iid: InstrumentId, item: Data) -> None:
        self._buffer(cls, iid.value, iid, item)
        self._last_ts[iid] = item.ts_init
        name = cls.__name__
        self.counts[name] = self.counts.get(name, 0) + 1

    def _buffer(self, cls: type, identifier: str, iid: InstrumentId, item: Any) -> None:
        key = (cls, identifier)
        segments = self._buffers.get(key)
        if segments is None:
            segments = self._buffers[key] = [[]]
            self._keys_by_iid.setdefault(iid, set()).add(key)
        segments[-1].append(item)
        self._buffered += 1
        if self._buffered >= self._cfg.max_buffered:
            self.backpressure_waits += 1
            if self.backpressure_waits == 1:
                self.log.warning("Recorder writer is behind: waiting for it (backpressure)")
            self.flush(wait=True)

    def _cut(self, iid: InstrumentId) -> None:
        for key in self._keys_by_iid.get(iid, ()):
            segments = self._buffers.get(key)
            if segments and segments[-1]:
                segments.append([])

    # -- gaps and resyncs -------------------------------------------------------------------------

    def _on_gap_published(self, obj: Any) -> None:
        """
        Take a gap announced by the data client (``GAP_TOPIC``).

        A closed gap (``end`` set) is written at once (and backfilled for a disconnect or a
        stale stream); the next fresh snapshot then adds no second marker. An open gap
        (``end == 0``) is held until that snapshot closes it, so each fault is one marker.
        """
        marker = coerce_marker(obj, self.clock.timestamp_ns())
        if marker is None or marker.instrument_id not in self.instrument_ids:
            return
        iid = marker.instrument_id
        self._cut(iid)
        self._pending_reason[iid] = marker
        if marker.end:
            self._count(marker)
            self._emit(marker)

    def _resync(self, iid: InstrumentId, last_ts: int, ts: int) -> None:
        self._cut(iid)
        published = self._pending_reason.pop(iid, None)
        if published is not None and published.end:
            return  # already written when it was announced
        if published is None:
            marker = make_marker(
                iid,
                last_ts,
                ts,
                "snapshot",
                kind="resync",
                channel="books",
                ts_init=self.clock.timestamp_ns(),
            )
        else:  # an open announced gap, closed by this snapshot
            published.end = ts
            marker = published
        self._count(marker)
        self._emit(marker)

    def _count(self, marker: BitgetGapMarker) -> None:
        if marker.kind == "resync":
            self.resync_count += 1
        else:
            self.gap_count += 1

    def _emit(self, marker: BitgetGapMarker) -> None:
        if marker.reason == "snapshot":  # unexplained: a long one is a reconnect
            wanted = marker.end - marker.start >= self._cfg.backfill_min_gap_secs * 1_000_000_000
        else:
            wanted = marker.reason in _BACKFILL_REASONS
        if self._cfg.backfill and wanted and marker.end:
            self._request_backfill(marker)
        else:
            self._markers.append(marker)

    def _request_backfill(self, marker: BitgetGapMarker) -> None:
        iid = marker.instrument_id
        self._backfill_windows.setdefault(iid, []).append((marker.start, marker.end))
        start = pd.Timestamp(marker.start, tz="UTC")
        end = pd.Timestamp(marker.end, tz="UTC")
        self._pending_backfill[id(marker)] = marker
        outstanding = {"n": 0}

        def done(_request_id: Any) -> None:
            outstanding["n"] -= 1
            if outstanding["n"] <= 0 and self._pending_backfill.pop(id(marker), None) is not None:
                marker.backfilled = True
                self._markers.append(marker)

        try:
            if "trade" in self._cfg.types:
                outstanding["n"] += 1
                self.request_trade_ticks(iid, start, end, client_id=self._client_id, callback=done)
            if "bar" in self._cfg.types:
                for bar_type in self.bar_types:
                    if bar_type.instrument_id == iid:
                        outstanding["n"] += 1
                        self.request_bars(
                            bar_type,
                            start,
                            end,
                            client_id=self._client_id,
                            callback=done,
                        )
        except Exception as e:
            self.log.warning(f"Backfill request for {iid} failed: {e}")
        if outstanding["n"] == 0 and self._pending_backfill.pop(id(marker), None) is not None:
            self._markers.append(marker)

    def _in_window(self, iid: InstrumentId, ts: int) -> bool:
        return any(a < ts < b for a, b in self._backfill_windows.get(iid, ()))

    def _remember_trade(self, iid: InstrumentId, trade_id: str) -> None:
        ids = self._seen_trade_ids.get(iid)
        if ids is None:
            ids = self._seen_trade_ids[iid] = deque()
            self._seen_trade_set[iid] = set()
        seen = self._seen_trade_set[iid]
        ids.append(trade_id)
        seen.add(trade_id)
        if len(ids) > _SEEN_TRADE_IDS:
            seen.discard(ids.popleft())

    def _backfill_trade(self, tick: TradeTick) -> None:
        iid = tick.instrument_id
        if not self._in_window(iid, tick.ts_event):
            return
        if tick.trade_id.value in self._seen_trade_set.get(iid, ()):
            return
        self._remember_trade(iid, tick.trade_id.value)
        historical = TradeTick(
            iid,
            tick.price,
            tick.size,
            tick.aggressor_side,
            tick.trade_id,
            tick.ts_event,
            tick.ts_event,  # we were not there to receive it: ts_init = venue time
        )
        self._buffer(TradeTick, iid.value, iid, historical)
        self.counts["TradeTick(backfill)"] = self.counts.get("TradeTick(backfill)", 0) + 1

    def _backfill_bar(self, bar: Bar) -> None:
        iid = bar.bar_type.instrument_id
        seen = self._live_bar_ts.setdefault(bar.bar_type, set())
        if not self._in_window(iid, bar.ts_event) or bar.ts_event in seen:
            return
        seen.add(bar.ts_event)
        historical = Bar(
            bar.bar_type,
            bar.open,
            bar.high,
            bar.low,
            bar.close,
            bar.volume,
            bar.ts_event,
            bar.ts_event,
        )
        self._buffer(Bar, str(bar.bar_type), iid, historical)
        self.counts["Bar(backfill)"] = self.counts.get("Bar(backfill)", 0) + 1

    # -- flushing ---------------------------------------------------------------------------------

    def _on_flush_timer(self, _event: Any) -> None:
        self.flush(wait=False)

    def flush(self, wait: bool = False, final: bool = False) -> None:
        """
        Hand the buffers to the writer thread.

        Parameters
        ----------
        wait : bool, default False
            Block until everything handed over so far is written.
        final : bool, default False
            Also write pending markers (backfill not answered) and mark the manifest as stopped.

        """
        if self._inflight is not None and not self._inflight.done():
            if not wait:
                return  # the writer is behind: take more next time, never pile up
            self._inflight.result()
        if final:
            self._markers.extend(self._pending_backfill.values())
            self._pending_backfill.clear()
            for marker in self._pending_reason.values():
                if not marker.end:  # announced, never closed by a snapshot
                    self._count(marker)
                    self._markers.append(marker)
            self._pending_reason.clear()
        self._take_retry()
        batch, self._buffers, self._keys_by_iid = self._buffers, {}, {}
        self._buffered = 0
        markers, self._markers = self._markers, []
        if final:
            self.manifest.stopped_ns = self.clock.timestamp_ns()
            self.manifest.clean_stop = True
        if self._executor is None:
            self._write_batch(batch, markers)
            return
        self._inflight = self._executor.submit(self._write_batch, batch, markers)
        if wait:
            self._inflight.result()

    def _write_batch(
        self,
        batch: dict[tuple[type, str], list[list[Any]]],
        markers: list[BitgetGapMarker],
    ) -> None:
        pending = {key: list(segments) for key, segments in batch.items()}
        try:
            coverage: list[tuple[str, str, int, int, int]] = []
            # one group commit for the batch's files (writer.py: thousands per flush at venue
            # scale); a failed commit keeps the whole batch for the next flush
            with self.writer.group():
                for (cls, identifier), segments in batch.items():
                    for segment in segments:
                        if segment:
                            rows = flatten(segment) if cls is OrderBookDelta else segment
                            self._write_rows(cls, identifier, rows, coverage)
            pending.clear()
            for entry in coverage:
                self.manifest.record_rows(*entry)
            by_iid: dict[str, list[BitgetGapMarker]] = {}
            for marker in markers:
                by_iid.setdefault(marker.instrument_id.value, []).append(marker)
            for identifier, rows in by_iid.items():
                self.writer.write(BitgetGapMarker, identifier, rows)
                for marker in rows:
                    self.manifest.record_marker(marker)
                    markers.remove(marker)
            stats = self.writer.stats
            self.manifest.rows_dropped_overlap = stats.dropped_overlap
            self.manifest.files_written = stats.files
            self.manifest.bytes_written = stats.bytes
            if self._client_stats is not None:
                client = dict(self._client_stats())
                self.manifest.data_client = client
                self.manifest.frames_skipped = sum(client.get(k, 0) for k in _SKIPPED_KEYS)
            write_manifest(self.writer.fs, self.writer.root, self.manifest)
        except Exception as e:
            self.flush_errors += 1
            self.log.error(f"Recorder flush failed: {type(e).__name__}: {e}")
            # keep what was not written for the next flush: a failing disk loses nothing
            # while memory lasts (rows already written are dropped there as overlap)
            self._retry.append((pending, list(markers)))

    def _take_retry(self) -> None:
        """Put batches of failed flushes back in front of the buffers (loop thread)."""
        while self._retry:
            pending, markers = self._retry.pop(0)
            for key, segments in pending.items():
                if not any(segments):
                    continue
                current = self._buffers.get(key)
                self._buffers[key] = segments + (current or [[]])
            self._markers[:0] = markers

    def _write_rows(
        self,
        cls: type,
        identifier: str,
        rows: list[Any],
        coverage: list[tuple[str, str, int, int, int]],
    ) -> None:
        before = self.writer.stats.dropped_overlap
        self.writer.write(cls, identifier, rows)
        written = len(rows) - (self.writer.stats.dropped_overlap - before)
        if written:
            first = min(r.ts_init for r in rows)
            last = max(r.ts_init for r in rows)
            type_name = "Bar" if cls is Bar else cls.__name__
            coverage.append((type_name, identifier, written, first, last))

    # -- helpers ----------------------------------------------------------------------------------

    def _resolve_instruments(self) -> list[Instrument]:
        instruments = self._resolve_all()
        if self._shard is None:
            return instruments
        index, count = self._shard
        by_symbol = {i.raw_symbol.value: i for i in instruments}
        mine = [by_symbol[s] for s in select(by_symbol, index, count)]
        self.log.info(f"Shard {index}/{count}: {len(mine)} of {len(instruments)} instruments")
        return mine

    def _resolve_all(self) -> list[Instrument]:
        symbols = self._cfg.symbols
        if not symbols or tuple(s.lower() for s in symbols) == ("all",):
            instruments = list(self.cache.instruments(venue=BITGET_VENUE))
            if not instruments:
                self.log.warning("No BITGET instruments in the cache to record")
            return sorted(instruments, key=lambda i: i.id.value)
        out = []
        for symbol in symbols:
            iid = to_instrument_id(symbol)
            instrument = self.cache.instrument(iid)
            if instrument is None:
                raise BitgetConfigError(
                    f"BitgetRecorderConfig.symbols: {symbol!r} ({iid}) is not a loaded Bitget "
                    "instrument; check the symbol and the data client's product_types",
                )
            out.append(instrument)
        return out

    def _to_depth10(self, book: OrderBook) -> OrderBookDepth10 | None:
        instrument = self.cache.instrument(book.instrument_id)
        if instrument is None:
            return None
        bids = list(book.bids())[:10]
        asks = list(book.asks())[:10]
        if not bids and not asks:
            return None
        p0 = Price(0, instrument.price_precision)
        q0 = Quantity(0, instrument.size_precision)
        null = BookOrder(OrderSide.NO_ORDER_SIDE, p0, q0, 0)
        bid_orders = [
            BookOrder(OrderSide.BUY, lv.price, Quantity(lv.size(), q0.precision), 0) for lv in bids
        ]
        ask_orders = [
            BookOrder(OrderSide.SELL, lv.price, Quantity(lv.size(), q0.precision), 0) for lv in asks
        ]
        bid_counts = [len(lv.orders()) for lv in bids]
        ask_counts = [len(lv.orders()) for lv in asks]
        for orders, counts in ((bid_orders, bid_counts), (ask_orders, ask_counts)):
            while len(orders) < 10:
                orders.append(null)
                counts.append(0)
        ts = self.clock.timestamp_ns()
        return OrderBookDepth10(
            book.instrument_id,
            bid_orders,
            ask_orders,
            bid_counts,
            ask_counts,
            RecordFlag.F_SNAPSHOT,
            book.sequence,
            book.ts_last,
            ts,
        )

    def _on_status_timer(self, _event: Any) -> None:
        if self._status is None:
            return
        now = time.monotonic()
        prev_t, prev_counts = self._status_prev
        dt = now - prev_t if prev_t else now - self._started_mono
        rates = {k: (v - prev_counts.get(k, 0)) / dt for k, v in self.counts.items()} if dt else {}
        self._status_prev = (now, dict(self.counts))
        self._status.show(
            format_status(
                rates,
                self.gap_count,
                self.resync_count,
                self.writer.stats.bytes,
                now - self._started_mono,
                rows=sum(self.counts.values()),
                remaining_secs=(
                    max(0.0, self.config.status_duration_secs - (now - self._started_mono))
                    if self.config.status_duration_secs
                    else None
                ),
            ),
        )
