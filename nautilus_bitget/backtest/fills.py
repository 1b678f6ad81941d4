"""
How the backtest venue fills resting orders and how long orders take to reach it.

Fill models (``--fill-model``):

- ``queue``: NautilusTrader's queue-position tracking on the L2 book
  (``BacktestVenueConfig.queue_position``): a limit order joins the back of its price level, the
  size shown there when it arrives is ahead of it, recorded trades at that price consume that
  queue first, and the order fills only from what is left (or when the level is deleted, or the
  book crosses it). ``liquidity_consumption`` is on too, so two fills cannot take the same recorded
  size. Needs recorded order book deltas and trades; the default when the catalog has both.
- ``touch``: Nautilus's default, a resting order fills as soon as the book or a trade touches its
  price (optimistic for a maker: it is always first in the queue). The default otherwise.
- ``fifo``: strict price-time priority (``queue.py``): like ``queue``, but a level shrinking below
  the size ahead moves the order up and a trade through its price fills it (Nautilus's tracking
  keeps both from happening, bitget-protocol.md 9.8). Needs the same data as ``queue``.

Latency (``--latency-ms``, ``--latency-file``, ``--latency-from``): NautilusTrader's
``LatencyModel`` delays each submit / modify / cancel by the measured live round trip
(``latency.json`` of a live run, ``nautilus_bitget.latency``). The full round trip is used, not
half of it: the recording is stamped when the live node *received* the data (one venue->node hop
after the venue's own time) and the order reaches the venue one node->venue hop after the decision,
so in the recording's time base an order acts on the venue's book one round trip after the data
that caused it.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from pathlib import Path

import msgspec
from nautilus_trader.config import BacktestVenueConfig
from nautilus_trader.config import ImportableActorConfig
from nautilus_trader.config import ImportableFillModelConfig
from nautilus_trader.config import ImportableLatencyModelConfig
from nautilus_trader.model.identifiers import InstrumentId

from nautilus_bitget.backtest.arrivals import CommandArrivals
from nautilus_bitget.backtest.arrivals import CommandArrivalsConfig
from nautilus_bitget.backtest.venue import CatalogContents
from nautilus_bitget.common.errors import BitgetConfigError
from nautilus_bitget.latency import LATENCY_FILE


FILL_MODELS = ("queue", "touch", "fifo")


@dataclass(frozen=True)
class LatencyProfile:
    """One-way delays (ms) applied to order commands in the backtest."""

    insert_ms: float = 0.0
    update_ms: float = 0.0
    cancel_ms: float = 0.0
    source: str = ""

    @classmethod
    def constant(cls, ms: float) -> LatencyProfile:
        """Return the same delay for every command."""
        if ms < 0:
            raise BitgetConfigError(f"--latency-ms must be >= 0, was {ms}")
        return cls(ms, ms, ms, source=f"{ms} ms")

    @classmethod
    def from_file(cls, path: str | Path, quantile: str = "p50_ms") -> LatencyProfile:
        """
        Read a ``latency.json`` written by a live run (a file, or the folder holding it).

        Kinds without samples take the submit figure (or 0).
        """
        p = Path(path)
        if p.is_dir():
            p = p / LATENCY_FILE
        try:
            doc = json.loads(p.read_text())
        except (OSError, ValueError) as e:
            raise BitgetConfigError(
                f"latency file {p}: cannot read it ({type(e).__name__}); give a live run's "
                f"folder holding {LATENCY_FILE} or the file itself",
            ) from None

        def pick(kind: str) -> float | None:
            v = doc.get(kind, {}).get(quantile) if isinstance(doc.get(kind), dict) else None
            return float(v) if v is not None else None

        insert = pick("submit_accepted")
        if insert is None and "latency_ms" in doc:
            return cls.constant(float(doc["latency_ms"]))
        base = insert or 0.0
        return cls(
            base,
            pick("modify_updated") or base,
            pick("cancel_canceled") or base,
            source=str(p),
        )

    def to_config(self) -> ImportableLatencyModelConfig:
        """Return the Nautilus ``LatencyModel`` config (no base latency, per-command delays)."""
        return ImportableLatencyModelConfig(
            latency_model_path="nautilus_trader.backtest.models:LatencyModel",
            config_path="nautilus_trader.backtest.config:LatencyModelConfig",
            config={
                "base_latency_nanos": 0,
                "insert_latency_nanos": int(self.insert_ms * 1e6),
                "update_latency_nanos": int(self.update_ms * 1e6),
                "cancel_latency_nanos": int(self.cancel_ms * 1e6),
            },
        )

    def as_dict(self) -> dict[str, object]:
        """Return the profile for ``results.json``."""
        return {
            "insert_ms": self.insert_ms,
            "update_ms": self.update_ms,
            "cancel_ms": self.cancel_ms,
            "source": self.source,
        }


@dataclass(frozen=True)
class FillOptions:
    """
    Fill model and latency of a backtest.

    Parameters
    ----------
    model : {"auto", "queue", "touch"}, default "auto"
        ``auto``: ``queue`` when the catalog has order book deltas and trades for every traded
        instrument, else ``touch``.
    latency : LatencyProfile, optional
        Command delays; none by default.

    """

    model: str = "auto"
    latency: LatencyProfile | None = None

    def __post_init__(self) -> None:
        if self.model not in ("auto", *FILL_MODELS):
            raise BitgetConfigError(
                f"fill model {self.model!r} is not one of {FILL_MODELS} (or 'auto')"
            )


def has_queue_data(contents: CatalogContents, instrument_ids: list[InstrumentId]) -> bool:
    """Return whether every traded instrument has recorded order book deltas and trades."""
    return bool(instrument_ids) and all(
        contents.has("order_book_deltas", str(i)) and contents.has("trade_tick", str(i))
        for i in instrument_ids
    )


def resolve_model(
    options: FillOptions, contents: CatalogContents, instrument_ids: list[InstrumentId]
) -> str:
    """Return ``queue`` or ``touch`` for this catalog; ``queue`` without the data fails."""
    queue_ok = has_queue_data(contents, instrument_ids)
    if options.model == "auto":
        return "queue" if queue_ok else "touch"
    if options.model in ("queue", "fifo") and not queue_ok:
        raise BitgetConfigError(
            f"--fill-model {options.model} needs recorded order book deltas and trades for "
            f"{', '.join(map(str, instrument_ids))}; use --fill-model touch",
        )
    return options.model


def apply_fill_options(
    venue: BacktestVenueConfig,
    options: FillOptions | None,
    contents: CatalogContents,
    instrument_ids: list[InstrumentId],
) -> tuple[BacktestVenueConfig, dict[str, object]]:
    """
    Return ``venue`` with the fill model and latency of ``options``, and their description.

    Parameters
    ----------
    venue : BacktestVenueConfig
        The venue config from ``build_venue_config``.
    options : FillOptions, optional
        ``None`` is ``FillOptions()`` (auto model, no latency).
    contents : CatalogContents
        What the catalog holds.
    instrument_ids : list[InstrumentId]
        The traded instruments.

    Returns
    -------
    tuple[BacktestVenueConfig, dict]

    """
    options = options or FillOptions()
    model = resolve_model(options, contents, instrument_ids)
    changes: dict[str, object] = {}
    if model == "queue":
        changes.update(trade_execution=True, queue_position=True, liquidity_consumption=True)
    elif model == "fifo":
        changes.update(_fifo_queue(venue))
    if options.latency is not None:
        changes["latency_model"] = options.latency.to_config()
    described: dict[str, object] = {
        "fill_model": model,
        "latency": options.latency.as_dict() if options.latency is not None else None,
    }
    return msgspec.structs.replace(venue, **changes), described


def fill_options(args: object) -> FillOptions:
    """
    Return the ``FillOptions`` of parsed ``bitget-nt backtest`` arguments.

    ``--fill-model``, and at most one of ``--latency-ms``, ``--latency-file``, ``--latency-from``.
    """
    latency = None
    ms = getattr(args, "latency_ms", None)
    path = getattr(args, "latency_file", None) or getattr(args, "latency_from", None)
    if ms is not None:
        latency = LatencyProfile.constant(float(ms))
    elif path:
        latency = LatencyProfile.from_file(path)
    return FillOptions(model=getattr(args, "fill_model", None) or "auto", latency=latency)


def arrival_actors(options: FillOptions | None) -> list[ImportableActorConfig]:
    """Return the ``CommandArrivals`` actor config when ``options`` delays commands (else none)."""
    lat = options.latency if options is not None else None
    if lat is None or max(lat.insert_ms, lat.update_ms, lat.cancel_ms) <= 0:
        return []
    return [
        ImportableActorConfig(
            actor_path=f"{CommandArrivals.__module__}:{CommandArrivals.__name__}",
            config_path=f"{CommandArrivalsConfig.__module__}:{CommandArrivalsConfig.__name__}",
            config={
                "insert_ns": int(lat.insert_ms * 1e6),
                "update_ns": int(lat.update_ms * 1e6),
                "cancel_ns": int(lat.cancel_ms * 1e6),
            },
        ),
    ]


def _fifo_queue(venue: BacktestVenueConfig) -> dict[str, object]:
    """Return the venue changes of the ``fifo`` model: the FIFO module and its fill model."""
    from nautilus_bitget.backtest.queue import FifoQueueFillModel
    from nautilus_bitget.backtest.queue import FifoQueueFillModelConfig
    from nautilus_bitget.backtest.queue import FifoQueueModule
    from nautilus_bitget.backtest.queue import FifoQueueModuleConfig

    key = uuid.uuid4().hex
    module = ImportableActorConfig(
        actor_path=f"{FifoQueueModule.__module__}:{FifoQueueModule.__name__}",
        config_path=f"{FifoQueueModuleConfig.__module__}:{FifoQueueModuleConfig.__name__}",
        config={"key": key},
    )
    fill_model = ImportableFillModelConfig(
        fill_model_path=f"{FifoQueueFillModel.__module__}:{FifoQueueFillModel.__name__}",
        config_path=f"{FifoQueueFillModelConfig.__module__}:{FifoQueueFillModelConfig.__name__}",
        config={"key": key},
    )
    return {
        "trade_execution": True,
        "queue_position": False,
        "liquidity_consumption": True,
        "fill_model": fill_model,
        "modules": [*(venue.modules or []), module],
    }
