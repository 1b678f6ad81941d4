"""
Tardis CSV files of ``bitget-futures`` -> the catalog, exactly as the live client publishes.

Column formats (docs.tardis.dev, "Data types"; timestamps are microseconds since the epoch, UTC;
``timestamp`` is the exchange's, ``local_timestamp`` Tardis's arrival time):

=====================  ==========================================================================
``incremental_book_L2``  ``exchange,symbol,timestamp,local_timestamp,is_snapshot,side,price,amount``
``trades``               ``exchange,symbol,timestamp,local_timestamp,id,side,price,amount``
``book_ticker``          ``exchange,symbol,timestamp,local_timestamp,ask_amount,ask_price,bid_price,
                         bid_amount`` (``quotes`` has the same columns)
``derivative_ticker``    ``exchange,symbol,timestamp,local_timestamp,funding_timestamp,funding_rate,
                         predicted_funding_rate,open_interest,last_price,index_price,mark_price``
``book_snapshot_25``     ``exchange,symbol,timestamp,local_timestamp,asks[0].price,asks[0].amount,
                         bids[0].price,bids[0].amount,...`` (``book_snapshot_5`` likewise)
=====================  ==========================================================================

What each becomes (``ts_event`` = ``timestamp``, ``ts_init`` = ``local_timestamp``, the arrival
time, as ``ts_init`` is the receipt time live):

- ``incremental_book_L2`` -> ``OrderBookDelta`` rows of ``OrderBookDeltas`` messages as
  ``parsing.book.parse_books_to_deltas`` publishes them: a snapshot is ``CLEAR`` + ``ADD``s, all
  ``F_SNAPSHOT``, zero-size snapshot levels left out; an update is ``UPDATE`` / ``DELETE`` (amount
  0); ``F_LAST`` on the last delta of each venue message (rows sharing ``timestamp`` and
  ``local_timestamp``); updates before the file's first snapshot are skipped (Tardis: "skip these
  rows until you encounter the first is_snapshot=true row"; live publishes nothing before a
  snapshot either). Tardis has no venue ``seq``: ``sequence`` is 0.
- ``trades`` -> ``TradeTick`` (taker ``side`` -> aggressor, ``id`` -> trade id).
- ``book_ticker`` / ``quotes`` -> ``QuoteTick``; rows with an empty side are skipped (live
  publishes no quote then either).
- ``derivative_ticker`` -> ``MarkPriceUpdate``, ``IndexPriceUpdate``, ``FundingRateUpdate``
  (``next_funding_ns`` = ``funding_timestamp``, ``interval`` = the contract's ``fundInterval``),
  like the live ``ticker`` channel; empty fields give no update.
- ``book_snapshot_25`` / ``_5`` -> ``OrderBookDepth10`` (best 10 levels, ``F_SNAPSHOT | F_LAST``
  as the live ``books15`` depth).

Book, trade, quote and depth files are read by NautilusTrader's ``TardisCSVDataLoader`` (streamed
in chunks, prices and sizes at the instrument's precisions, instrument id given) and
post-processed where its output differs from the live client's (snapshot flags, message
boundaries, empty quote sides). ``derivative_ticker`` is read here with ``csv`` (the loader has
funding rates only, and mark and index come from the same rows). Memory stays bounded: each file
is streamed, rows are written in chunks of ``StreamSink.chunk_rows``.
"""

from __future__ import annotations

import csv
import gzip
import io
import os
import time
from collections.abc import Callable
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from decimal import Decimal
from decimal import InvalidOperation
from typing import Any
from typing import Final

from nautilus_trader.adapters.tardis.loaders import TardisCSVDataLoader
from nautilus_trader.model.data import FundingRateUpdate
from nautilus_trader.model.data import IndexPriceUpdate
from nautilus_trader.model.data import MarkPriceUpdate
from nautilus_trader.model.data import OrderBookDelta
from nautilus_trader.model.data import OrderBookDepth10
from nautilus_trader.model.data import QuoteTick
from nautilus_trader.model.data import TradeTick
from nautilus_trader.model.enums import BookAction
from nautilus_trader.model.enums import RecordFlag

from nautilus_bitget.history.sink import HistoryWriter
from nautilus_bitget.history.sink import StreamSink
from nautilus_bitget.history.venue import HistoryInputError
from nautilus_bitget.history.venue import ResolvedInstrument
from nautilus_bitget.parsing.book import BookContext


TARDIS_EXCHANGE: Final[str] = "bitget-futures"
# Symbols as Tardis recorded them under Bitget's retired API v1 (bitget-protocol.md 9.1: "the
# _UMCBL suffix was v1"): USDT-M, COIN-M, USDC-M
_V1_SUFFIXES: Final[tuple[str, ...]] = ("_UMCBL", "_DMCBL", "_CMCBL")
# Tardis's grouped files hold many symbols in one file (one precision per load: refused)
_GROUPED: Final[frozenset[str]] = frozenset({"PERPETUALS", "FUTURES", "OPTIONS", "SPOT"})

BOOK = "incremental_book_L2"
TRADES = "trades"
QUOTES = "book_ticker"
DERIVATIVE = "derivative_ticker"
SNAPSHOT25 = "book_snapshot_25"
SNAPSHOT5 = "book_snapshot_5"
KINDS: Final[tuple[str, ...]] = (BOOK, TRADES, QUOTES, DERIVATIVE, SNAPSHOT25, SNAPSHOT5)

_US = 1_000
_CLEAR = BookAction.CLEAR
_ADD = BookAction.ADD
_DELETE = BookAction.DELETE
F_LAST: Final[int] = int(RecordFlag.F_LAST)
F_SNAPSHOT: Final[int] = int(RecordFlag.F_SNAPSHOT)

STREAM_CHUNK = 20_000  # loader records (messages for books) per chunk


@dataclass
class TardisFile:
    """A validated input file: its path, data type, symbol and instrument."""

    path: str
    kind: str
    symbol: str
    resolved: ResolvedInstrument | None


@dataclass
class FileResult:
    """What one file became."""

    path: str
    kind: str
    symbol: str
    rows_read: int = 0
    rows_written: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def skip(self, reason: str, n: int = 1) -> None:
        """Count ``n`` skipped input rows."""
        if n:
            self.skipped[reason] = self.skipped.get(reason, 0) + n


def open_text(path: str) -> io.TextIOBase:
    """Open a ``.csv`` or ``.csv.gz`` file as text."""
    if path.endswith(".gz"):
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8", newline="")
    return open(path, encoding="utf-8", newline="")


def detect_kind(header: list[str]) -> str | None:
    """Return the Tardis data type of a CSV header, or ``None``."""
    cols = set(header)
    base = {"exchange", "symbol", "timestamp", "local_timestamp"}
    if not base <= cols:
        return None
    if {"is_snapshot", "side", "price", "amount"} <= cols:
        return BOOK
    if {"id", "side", "price", "amount"} <= cols:
        return TRADES
    if "asks[24].price" in cols and "bids[24].price" in cols:
        return SNAPSHOT25
    if "asks[4].price" in cols and "bids[4].price" in cols:
        return SNAPSHOT5
    if {"funding_rate", "funding_timestamp", "mark_price", "index_price"} <= cols:
        return DERIVATIVE
    if {"ask_amount", "ask_price", "bid_price", "bid_amount"} <= cols:
        return QUOTES
    return None


def bitget_symbol(tardis_symbol: str) -> str:
    """Return the Bitget v2 symbol of a Tardis ``bitget-futures`` symbol (v1 suffix dropped)."""
    symbol = tardis_symbol.strip().upper()
    for suffix in _V1_SUFFIXES:
        if symbol.endswith(suffix):
            return symbol[: -len(suffix)]
    return symbol


def peek(path: str) -> tuple[list[str], dict[str, str] | None]:
    """Return the header and the first data row of a file (reads only the first lines)."""
    try:
        with open_text(path) as f:
            reader = csv.reader(f)
            header = next(reader, None)
            if header is None:
                return [], None
            first = next(reader, None)
    except (OSError, EOFError, UnicodeDecodeError, csv.Error) as e:
        raise HistoryInputError(f"{path}: cannot read ({type(e).__name__}: {e})") from None
    header = [h.strip() for h in header]
    return header, (dict(zip(header, first, strict=False)) if first else None)


def inspect_file(path: str) -> tuple[str, str | None]:
    """
    Return ``(kind, bitget symbol or None for an empty file)`` of a Tardis file.

    Raises
    ------
    HistoryInputError
        If the file is missing, not a supported Tardis CSV, or of another exchange.

    """
    if not os.path.isfile(path):
        raise HistoryInputError(f"{path}: no such file")
    if not (path.endswith(".csv") or path.endswith(".csv.gz")):
        raise HistoryInputError(f"{path}: expected a Tardis .csv or .csv.gz file")
    header, first = peek(path)
    kind = detect_kind(header)
    if kind is None:
        raise HistoryInputError(
            f"{path}: not a Tardis CSV of {', '.join(KINDS)} (header: {','.join(header[:8])})",
        )
    if first is None:
        return kind, None
    exchange = first.get("exchange", "")
    if exchange != TARDIS_EXCHANGE:
        raise HistoryInputError(
            f"{path}: exchange {exchange!r}, expected {TARDIS_EXCHANGE!r} (Bitget futures)",
        )
    symbol = bitget_symbol(first.get("symbol", ""))
    if symbol in _GROUPED or os.path.basename(path).split(".")[0].rsplit("_", 1)[-1] in _GROUPED:
        if kind != DERIVATIVE:
            raise HistoryInputError(
                f"{path}: a grouped Tardis file (several symbols in one file); download the "
                "per-symbol files for this data type",
            )
    return kind, symbol


class TardisImporter:
    """
    Import validated Tardis files into the catalog.

    Parameters
    ----------
    out : HistoryWriter
        The catalog writer and manifest.
    chunk_rows : int, optional
        Rows per catalog write (memory bound).
    on_progress : callable, optional
        ``on_progress(path, rows_read, rows_written)`` called after every chunk.

    """

    def __init__(
        self,
        out: HistoryWriter,
        chunk_rows: int | None = None,
        on_progress: Callable[[str, int, int], None] | None = None,
    ) -> None:
        self.out = out
        self.chunk_rows = chunk_rows
        self.on_progress = on_progress
        self._instruments_written: set[str] = set()

    # -- entry --------------------------------------------------------------------------------

    def import_file(
        self,
        item: TardisFile,
        resolve_extra: Callable[[str], ResolvedInstrument | None] | None = None,
    ) -> FileResult:
        """
        Import one file; return what it became.

        Parameters
        ----------
        item : TardisFile
            The file (validated, its symbol resolved).
        resolve_extra : callable, optional
            ``symbol -> ResolvedInstrument | None`` for further symbols of a grouped
            ``derivative_ticker`` file (``None``: such rows are skipped and counted).

        """
        result = FileResult(item.path, item.kind, item.symbol)
        t0 = time.perf_counter()
        if item.resolved is None:  # an empty file
            result.seconds = time.perf_counter() - t0
            return result
        self._write_instrument(item.resolved)
        handler = {
            BOOK: self._import_book,
            TRADES: self._import_trades,
            QUOTES: self._import_quotes,
            DERIVATIVE: self._import_derivative,
            SNAPSHOT25: self._import_depth,
            SNAPSHOT5: self._import_depth,
        }[item.kind]
        handler(item, result, resolve_extra)
        result.seconds = time.perf_counter() - t0
        for reason, n in result.skipped.items():
            self.out.manifest.skip(f"{item.kind}: {reason}", n)
        return result

    # -- helpers ------------------------------------------------------------------------------

    def _write_instrument(self, resolved: ResolvedInstrument) -> None:
        iid = resolved.instrument.id.value
        if iid not in self._instruments_written:
            self.out.write_instrument(resolved.instrument)
            self._instruments_written.add(iid)

    def _sink(self, data_cls: type, identifier: str, type_name: str) -> StreamSink:
        if self.chunk_rows:
            return StreamSink(self.out, data_cls, identifier, type_name, self.chunk_rows)
        return StreamSink(self.out, data_cls, identifier, type_name)

    def _loader(self, resolved: ResolvedInstrument) -> TardisCSVDataLoader:
        inst = resolved.instrument
        return TardisCSVDataLoader(
            price_precision=inst.price_precision,
            size_precision=inst.size_precision,
            instrument_id=inst.id,
        )

    def _progress(self, path: str, result: FileResult) -> None:
        if self.on_progress is not None:
            self.on_progress(path, result.rows_read, sum(result.rows_written.values()))

    def _finish(self, result: FileResult, *sinks: StreamSink) -> None:
        for sink in sinks:
            sink.flush(final=True)
            result.rows_written[sink.type_name] = (
                result.rows_written.get(sink.type_name, 0) + sink.written
            )
            result.skip("rows already in the catalog", sink.received - sink.written)
            if sink.out_of_order:
                result.skip("chunks out of local_timestamp order", sink.out_of_order)

    # -- books --------------------------------------------------------------------------------

    def _import_book(self, item: TardisFile, result: FileResult, _extra: Any) -> None:
        resolved = item.resolved
        assert resolved is not None
        iid = resolved.instrument.id
        sink = self._sink(OrderBookDelta, iid.value, "OrderBookDelta")
        fixer = LiveBookShaper()
        loader = self._loader(resolved)
        for chunk in loader.stream_batched_deltas(item.path, chunk_size=STREAM_CHUNK):
            rows: list[OrderBookDelta] = []
            for message in chunk:
                deltas = message.deltas
                result.rows_read += len(deltas)
                for shaped in fixer.shape(deltas):
                    rows.extend(shaped)
            sink.add(rows)
            self._progress(item.path, _with_written(result, sink))
        result.skip("updates before the first snapshot", fixer.skipped_before_snapshot)
        result.skip("zero-size snapshot levels", fixer.skipped_zero_levels)
        self._finish(result, sink)

    def _import_depth(self, item: TardisFile, result: FileResult, _extra: Any) -> None:
        resolved = item.resolved
        assert resolved is not None
        iid = resolved.instrument.id
        levels = 25 if item.kind == SNAPSHOT25 else 5
        sink = self._sink(OrderBookDepth10, iid.value, "OrderBookDepth10")
        loader = self._loader(resolved)
        flags = F_SNAPSHOT | F_LAST
        for chunk in loader.stream_depth10(item.path, levels=levels, chunk_size=STREAM_CHUNK):
            result.rows_read += len(chunk)
            rows = [
                OrderBookDepth10(
                    d.instrument_id,
                    d.bids,
                    d.asks,
                    d.bid_counts,
                    d.ask_counts,
                    flags,
                    d.sequence,
                    d.ts_event,
                    d.ts_init,
                )
                for d in chunk
            ]
            sink.add(rows)
            self._progress(item.path, _with_written(result, sink))
        self._finish(result, sink)

    # -- trades and quotes --------------------------------------------------------------------

    def _import_trades(self, item: TardisFile, result: FileResult, _extra: Any) -> None:
        resolved = item.resolved
        assert resolved is not None
        sink = self._sink(TradeTick, resolved.instrument.id.value, "TradeTick")
        loader = self._loader(resolved)
        for chunk in loader.stream_trades(item.path, chunk_size=STREAM_CHUNK):
            result.rows_read += len(chunk)
            sink.add(chunk)
            self._progress(item.path, _with_written(result, sink))
        self._finish(result, sink)

    def _import_quotes(self, item: TardisFile, result: FileResult, _extra: Any) -> None:
        resolved = item.resolved
        assert resolved is not None
        sink = self._sink(QuoteTick, resolved.instrument.id.value, "QuoteTick")
        loader = self._loader(resolved)
        for chunk in loader.stream_quotes(item.path, chunk_size=STREAM_CHUNK):
            result.rows_read += len(chunk)
            rows = [q for q in chunk if q.bid_size.raw and q.ask_size.raw]
            result.skip("quotes with an empty side", len(chunk) - len(rows))
            sink.add(rows)
            self._progress(item.path, _with_written(result, sink))
        self._finish(result, sink)

    # -- derivative ticker --------------------------------------------------------------------

    def _import_derivative(
        self,
        item: TardisFile,
        result: FileResult,
        resolve_extra: Callable[[str], ResolvedInstrument | None] | None,
    ) -> None:
        assert item.resolved is not None
        per_symbol: dict[str, tuple[ResolvedInstrument, BookContext, tuple[StreamSink, ...]]] = {}
        unknown: set[str] = set()

        def state(symbol: str) -> Any:
            found = per_symbol.get(symbol)
            if found is not None or symbol in unknown:
                return found
            resolved = item.resolved if symbol == item.symbol else None
            if resolved is None and resolve_extra is not None:
                resolved = resolve_extra(symbol)
            if resolved is None:
                unknown.add(symbol)
                return None
            self._write_instrument(resolved)
            iid = resolved.instrument.id.value
            sinks = (
                self._sink(MarkPriceUpdate, iid, "MarkPriceUpdate"),
                self._sink(IndexPriceUpdate, iid, "IndexPriceUpdate"),
                self._sink(FundingRateUpdate, iid, "FundingRateUpdate"),
            )
            found = per_symbol[symbol] = (resolved, BookContext(resolved.instrument), sinks)
            return found

        batch: dict[str, tuple[list[Any], list[Any], list[Any]]] = {}
        n = 0
        for row in iter_rows(item.path):
            result.rows_read += 1
            symbol = bitget_symbol(row["symbol"])
            found = state(symbol)
            if found is None:
                result.skip(f"rows of symbols that are not Bitget perpetuals ({symbol})")
                continue
            resolved, ctx, _sinks = found
            try:
                made = derivative_row_to_updates(row, resolved, ctx)
            except (ValueError, InvalidOperation, KeyError):
                result.skip("malformed rows")
                continue
            lists = batch.get(symbol)
            if lists is None:
                lists = batch[symbol] = ([], [], [])
            for target, obj in zip(lists, made, strict=True):
                if obj is not None:
                    target.append(obj)
            n += 1
            if n >= STREAM_CHUNK:
                self._drain_derivative(batch, per_symbol)
                n = 0
                self._progress(item.path, result)
        self._drain_derivative(batch, per_symbol)
        self._finish(result, *(s for _, _, sinks in per_symbol.values() for s in sinks))

    @staticmethod
    def _drain_derivative(
        batch: dict[str, tuple[list[Any], list[Any], list[Any]]],
        per_symbol: dict[str, Any],
    ) -> None:
        for symbol, lists in batch.items():
            sinks = per_symbol[symbol][2]
            for sink, rows in zip(sinks, lists, strict=True):
                sink.add(rows)
                rows.clear()


def _with_written(result: FileResult, sink: StreamSink) -> FileResult:
    result.rows_written[sink.type_name] = sink.written
    return result


def iter_rows(path: str) -> Iterator[dict[str, str]]:
    """Yield the rows of a CSV file as dicts (streamed)."""
    with open_text(path) as f:
        yield from csv.DictReader(f)


def derivative_row_to_updates(
    row: dict[str, str],
    resolved: ResolvedInstrument,
    ctx: BookContext,
) -> tuple[MarkPriceUpdate | None, IndexPriceUpdate | None, FundingRateUpdate | None]:
    """
    Return the mark, index and funding updates of one ``derivative_ticker`` row.

    The same objects the live client builds from a ``ticker`` push (``parsing.market``): prices
    at the instrument's precision, the rate as a ``Decimal`` of the text, ``interval`` from the
    contract, ``next_funding_ns`` from ``funding_timestamp``.
    """
    iid = resolved.instrument.id
    ts_event = int(row["timestamp"]) * _US
    ts_init = int(row["local_timestamp"]) * _US
    mark_text = (row.get("mark_price") or "").strip()
    index_text = (row.get("index_price") or "").strip()
    rate_text = (row.get("funding_rate") or "").strip()
    mark = MarkPriceUpdate(iid, ctx.price(mark_text), ts_event, ts_init) if mark_text else None
    index = IndexPriceUpdate(iid, ctx.price(index_text), ts_event, ts_init) if index_text else None
    funding = None
    if rate_text:
        next_text = (row.get("funding_timestamp") or "").strip()
        next_ns = int(next_text) * _US if next_text and int(next_text) > 0 else None
        funding = FundingRateUpdate(
            iid,
            Decimal(rate_text),
            ts_event,
            ts_init,
            interval=resolved.funding_interval_mins,
            next_funding_ns=next_ns,
        )
    return mark, index, funding


class LiveBookShaper:
    """
    Turn the loader's per-timestamp ``OrderBookDeltas`` into live-shaped venue messages.

    The loader (NautilusTrader 1.231) groups rows by exchange ``timestamp`` only, flags the
    snapshot's ``ADD``s ``0`` (only its ``CLEAR`` has ``F_SNAPSHOT``), keeps zero-size snapshot
    rows as ``DELETE`` and emits updates that precede the first snapshot. Live
    (``parse_books_to_deltas``): one message per venue push, every snapshot delta ``F_SNAPSHOT``,
    ``F_LAST`` on the last, zero snapshot levels omitted, nothing before a snapshot.
    """

    __slots__ = ("seen_snapshot", "skipped_before_snapshot", "skipped_zero_levels")

    def __init__(self) -> None:
        self.seen_snapshot = False
        self.skipped_before_snapshot = 0
        self.skipped_zero_levels = 0

    def shape(self, deltas: list[OrderBookDelta]) -> list[list[OrderBookDelta]]:
        """Return the live-shaped messages (lists of deltas) of one loader batch."""
        first = deltas[0]
        last = deltas[-1]
        action = first.action
        if first.ts_init == last.ts_init and action != _CLEAR and action != _ADD:
            # one update message (the common case): the loader already flags the last F_LAST
            if not self.seen_snapshot:
                self.skipped_before_snapshot += len(deltas)
                return []
            if last.flags != F_LAST:
                deltas = [*deltas[:-1], with_flags(last, F_LAST)]
            return [deltas]
        out = []
        for group in _split_by_ts_init(deltas):
            shaped = self._shape_message(group)
            if shaped:
                out.append(shaped)
        return out

    def _shape_message(self, deltas: list[OrderBookDelta]) -> list[OrderBookDelta]:
        snapshot = any(d.action == _CLEAR or d.action == _ADD for d in deltas)
        if not snapshot:
            if not self.seen_snapshot:
                self.skipped_before_snapshot += len(deltas)
                return []
            out = [with_flags(d, 0) if d.flags else d for d in deltas[:-1]]
            tail = deltas[-1]
            out.append(tail if tail.flags == F_LAST else with_flags(tail, F_LAST))
            return out
        self.seen_snapshot = True
        first = deltas[0]
        out = [
            OrderBookDelta(
                first.instrument_id, _CLEAR, None, F_SNAPSHOT, 0, first.ts_event, first.ts_init
            )
            if first.action != _CLEAR
            else with_flags(first, F_SNAPSHOT),
        ]
        for d in deltas:
            if d.action == _ADD:
                out.append(with_flags(d, F_SNAPSHOT))
            elif d.action == _DELETE:
                self.skipped_zero_levels += 1  # an amount-0 snapshot row: no level
        out[-1] = with_flags(out[-1], F_SNAPSHOT | F_LAST)
        return out


def _split_by_ts_init(deltas: list[OrderBookDelta]) -> list[list[OrderBookDelta]]:
    groups: list[list[OrderBookDelta]] = []
    current: list[OrderBookDelta] = []
    ts = None
    for d in deltas:
        if d.ts_init != ts and current:
            groups.append(current)
            current = []
        ts = d.ts_init
        current.append(d)
    if current:
        groups.append(current)
    return groups


def with_flags(delta: OrderBookDelta, flags: int) -> OrderBookDelta:
    """Return ``delta`` with ``flags`` (``CLEAR`` keeps its null order)."""
    if delta.flags == flags:
        return delta
    if delta.action == _CLEAR:
        return OrderBookDelta(
            delta.instrument_id,
            _CLEAR,
            None,
            flags,
            delta.sequence,
            delta.ts_event,
            delta.ts_init,
        )
    order = delta.order
    return OrderBookDelta.from_raw(
        delta.instrument_id,
        delta.action,
        order.side,
        order.price.raw,
        order.price.precision,
        order.size.raw,
        order.size.precision,
        order.order_id,
        flags,
        delta.sequence,
        delta.ts_event,
        delta.ts_init,
    )
