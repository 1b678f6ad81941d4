"""
Chunked catalog streaming for backtests at history scale.

``StreamingBacktestNode`` is NautilusTrader's ``BacktestNode`` in streaming mode
(``BacktestRunConfig.chunk_size``): the catalog is read ``chunk_size`` records at a time through one
Rust ``DataBackendSession``, so memory stays bounded whatever the history length. Two gaps of the
1.231 streaming loop are closed here, so a streamed run sees the same data as a one-shot run:

- ``FundingRateUpdate`` cannot go through the Rust session (no Arrow schema registered for it):
  those configs are loaded whole (a few records per day) and merged into the chunk that reaches
  their timestamp;
- streamed order book deltas arrive one by one: they are batched again into ``OrderBookDeltas``
  at each ``F_LAST`` (a batch cut by a chunk boundary is carried to the next chunk), so the
  simulated venue applies a whole update before matching, as in a one-shot run.
"""

from __future__ import annotations

from typing import Any

from nautilus_trader.backtest.engine import BacktestEngine
from nautilus_trader.backtest.node import BacktestNode
from nautilus_trader.backtest.node import get_instrument_ids
from nautilus_trader.common.component import is_backtest_force_stop
from nautilus_trader.config import BacktestDataConfig
from nautilus_trader.core.datetime import max_date
from nautilus_trader.core.datetime import min_date
from nautilus_trader.core.nautilus_pyo3 import DataBackendSession
from nautilus_trader.core.nautilus_pyo3 import drop_cvec_pycapsule
from nautilus_trader.model.data import Bar
from nautilus_trader.model.data import FundingRateUpdate
from nautilus_trader.model.data import OrderBookDelta
from nautilus_trader.model.data import OrderBookDeltas
from nautilus_trader.model.data import capsule_to_list
from nautilus_trader.model.data import pyo3_list_to_data_list
from nautilus_trader.model.enums import RecordFlag


DEFAULT_CHUNK_SIZE = 500_000
# loaded whole and merged into the stream: the Rust session cannot read these (NautilusTrader 1.231)
SIDE_LOADED_TYPES = (FundingRateUpdate,)
_F_LAST = int(RecordFlag.F_LAST)


class ChunkAssembler:
    """
    Turn streamed chunks into what a one-shot run would replay, in the same order.

    - ``OrderBookDelta`` records are regrouped into ``OrderBookDeltas`` at each ``F_LAST``
      (deltas of an unfinished batch wait for the next chunk);
    - records with the same ``ts_init`` are ordered by the data config they come from, as a
      one-shot run's stable sort does (the Rust session merges ties in no fixed order), and the
      records at a chunk's last timestamp wait for the next chunk, which may hold more of them.

    Parameters
    ----------
    ranks : dict
        ``(data class, instrument id)`` -> position of its data config.

    """

    def __init__(self, ranks: dict[tuple[type, Any], int]) -> None:
        self._ranks = ranks
        books = [iid for cls, iid in ranks if cls is OrderBookDelta]
        # one book instrument (the usual case): no per-delta instrument id lookup
        self._only_book = books[0] if len(books) == 1 else None
        self._pending: dict[Any, list[OrderBookDelta]] = {}
        self._carry: list = []

    def _rank(self, item) -> int:
        cls = type(item)
        if cls is OrderBookDeltas:
            return self._ranks.get((OrderBookDelta, item.instrument_id), 0)
        if cls is Bar:
            return self._ranks.get((Bar, item.bar_type.instrument_id), 0)
        return self._ranks.get((cls, item.instrument_id), 0)

    def feed(self, data: list, final: bool = False) -> list:
        """Return the records of ``data`` (plus any carried) ready to replay, in replay order."""
        out: list = self._carry
        pending = self._pending
        rank = self._rank
        ties_matter = len(self._ranks) > 1
        prev = out[-1] if out else None
        prev_ts = prev.ts_init if prev is not None else -1
        prev_rank: int | None = None
        need_sort = False
        only_book = self._only_book
        for item in data:
            if type(item) is OrderBookDelta:
                iid = only_book if only_book is not None else item.instrument_id
                batch = pending.get(iid)
                if batch is None:
                    batch = pending[iid] = []
                batch.append(item)
                if not item.flags & _F_LAST:
                    continue
                item = OrderBookDeltas(iid, batch)
                pending[iid] = []
            ts = item.ts_init
            if ts < prev_ts:
                need_sort = True
            elif ts == prev_ts and ties_matter and not need_sort:
                if prev_rank is None:
                    prev_rank = rank(prev)
                r = rank(item)
                need_sort = r < prev_rank
                prev_rank = r
            else:
                prev_rank = None
            prev, prev_ts = item, ts
            out.append(item)
        if final:
            out.extend(OrderBookDeltas(iid, b) for iid, b in pending.items() if b)
            pending.clear()
            need_sort = True
        if need_sort:
            out.sort(key=lambda d: (d.ts_init, rank(d)))
        self._carry = []
        if not final and out:
            last = out[-1].ts_init
            cut = len(out)
            while cut > 0 and out[cut - 1].ts_init == last:
                cut -= 1
            self._carry = out[cut:]
            del out[cut:]
        return out


class StreamingBacktestNode(BacktestNode):
    """A ``BacktestNode`` whose streaming runs carry funding updates and batched book deltas."""

    def _run_streaming(
        self,
        run_config_id: str,
        engine: BacktestEngine,
        data_configs: list[BacktestDataConfig],
        chunk_size: int,
        start: str | int | None = None,
        end: str | int | None = None,
    ) -> None:
        streamed = [c for c in data_configs if c.data_type not in SIDE_LOADED_TYPES]
        side: list = []
        for config in data_configs:
            if config.data_type in SIDE_LOADED_TYPES:
                side.extend(self.load_data_config(config, start, end).data)
        side.sort(key=lambda d: d.ts_init)
        assembler = ChunkAssembler(_config_ranks(data_configs))
        for chunk in self._session(streamed, chunk_size, start, end).to_query_result():
            if isinstance(chunk, list):
                data = pyo3_list_to_data_list(chunk)
            else:
                data = capsule_to_list(chunk)
                drop_cvec_pycapsule(chunk)  # the capsule's destructor is a no-op (as in NT)
            if side and data:
                last_ts = data[-1].ts_init
                cut = next((i for i, d in enumerate(side) if d.ts_init > last_ts), len(side))
                data.extend(side[:cut])
                side = side[cut:]
            if not self._run_chunk(engine, assembler.feed(data), run_config_id, start, end):
                return
        rest = assembler.feed(side, final=True)
        if rest and not self._run_chunk(engine, rest, run_config_id, start, end):
            return
        engine.end()

    @staticmethod
    def _run_chunk(engine: BacktestEngine, data: list, run_config_id: str, start, end) -> bool:
        if not data:  # all carried to the next chunk; an empty run would restart the clock
            return True
        engine.add_data(data=data, validate=False, sort=True)
        engine.run(start=start, end=end, run_config_id=run_config_id, streaming=True)
        engine.clear_data()
        return not is_backtest_force_stop()

    def _session(
        self,
        data_configs: list[BacktestDataConfig],
        chunk_size: int,
        start: str | int | None,
        end: str | int | None,
    ) -> DataBackendSession:
        # as NautilusTrader's BacktestNode._run_streaming builds it
        session = DataBackendSession(chunk_size=chunk_size)
        for config in data_configs:
            catalog = self.load_catalog(config)
            used_start, used_end = config.start_time, config.end_time
            if used_start is not None or start is not None:
                lo = max_date(used_start, start)
                used_start = lo.isoformat() if lo else None
            if used_end is not None or end is not None:
                hi = min_date(used_end, end)
                used_end = hi.isoformat() if hi else None
            identifiers: list = (
                list(config.bar_types or []) if config.data_type == Bar else []
            ) or get_instrument_ids(config)
            files = catalog.get_file_list_from_data_cls(config.data_type)
            files = catalog.filter_files(
                data_cls=config.data_type,
                file_paths=files,
                identifiers=identifiers,
                start=used_start,
                end=used_end,
            )
            session = catalog.backend_session(
                data_cls=config.data_type,
                identifiers=identifiers,
                start=used_start,
                end=used_end,
                session=session,
                files=files,
                optimize_file_loading=config.optimize_file_loading,
            )
        return session


def _config_ranks(data_configs: list[BacktestDataConfig]) -> dict[tuple[type, Any], int]:
    ranks: dict[tuple[type, Any], int] = {}
    for i, config in enumerate(data_configs):
        cls = OrderBookDelta if config.data_type is OrderBookDeltas else config.data_type
        for iid in get_instrument_ids(config):
            ranks.setdefault((cls, iid), i)
    return ranks
