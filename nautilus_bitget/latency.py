"""
Order round-trip latency measured by a live node, written to ``latency.json``.

``LatencyRecorder`` listens to the order events on the message bus and times, on the node's own
clock (``ts_init`` of the events):

- ``submit_accepted``: ``OrderSubmitted`` -> ``OrderAccepted``;
- ``cancel_canceled``: ``OrderPendingCancel`` -> ``OrderCanceled``;
- ``modify_updated``: ``OrderPendingUpdate`` -> ``OrderUpdated``.

Rejections end a round trip without a sample. On stop (and again on dispose) it writes the counts
and the p50/p90/mean (milliseconds) of each kind as JSON; ``bitget-nt backtest --latency-from DIR``
reads them back (``nautilus_bitget.backtest.fills``).
"""

from __future__ import annotations

import json
import statistics
from pathlib import Path
from typing import Any

from nautilus_trader.common.actor import Actor
from nautilus_trader.common.config import ActorConfig
from nautilus_trader.model.events import OrderAccepted
from nautilus_trader.model.events import OrderCanceled
from nautilus_trader.model.events import OrderCancelRejected
from nautilus_trader.model.events import OrderModifyRejected
from nautilus_trader.model.events import OrderPendingCancel
from nautilus_trader.model.events import OrderPendingUpdate
from nautilus_trader.model.events import OrderRejected
from nautilus_trader.model.events import OrderSubmitted
from nautilus_trader.model.events import OrderUpdated


LATENCY_FILE = "latency.json"
KINDS = ("submit_accepted", "cancel_canceled", "modify_updated")

# event type -> (kind, True when it starts a round trip, False when it ends one)
_EDGES: dict[type, tuple[str, bool]] = {
    OrderSubmitted: ("submit_accepted", True),
    OrderAccepted: ("submit_accepted", False),
    OrderPendingCancel: ("cancel_canceled", True),
    OrderCanceled: ("cancel_canceled", False),
    OrderPendingUpdate: ("modify_updated", True),
    OrderUpdated: ("modify_updated", False),
}
_ABORTS: dict[type, str] = {
    OrderRejected: "submit_accepted",
    OrderCancelRejected: "cancel_canceled",
    OrderModifyRejected: "modify_updated",
}


class LatencyRecorderConfig(ActorConfig, frozen=True):
    """
    Configuration for ``LatencyRecorder``.

    Parameters
    ----------
    out_path : str
        The JSON file written on stop.

    """

    out_path: str


class LatencyStats:
    """Round-trip samples (ns) per kind, matched by client order id."""

    def __init__(self) -> None:
        self.samples: dict[str, list[int]] = {k: [] for k in KINDS}
        self._open: dict[tuple[str, str], int] = {}

    def on_event(self, event: Any) -> None:
        """Start or end a round trip on one order event (other events are ignored)."""
        edge = _EDGES.get(type(event))
        key_id = event.client_order_id.value if hasattr(event, "client_order_id") else ""
        if edge is None:
            kind = _ABORTS.get(type(event))
            if kind is not None:
                self._open.pop((kind, key_id), None)
            return
        kind, starts = edge
        if starts:
            self._open[(kind, key_id)] = event.ts_init
            return
        t0 = self._open.pop((kind, key_id), None)
        if t0 is not None and event.ts_init >= t0:
            self.samples[kind].append(event.ts_init - t0)

    def summary(self) -> dict[str, Any]:
        """Return ``{kind: {count, p50_ms, p90_ms, mean_ms, max_ms}}``."""
        return {kind: summarize(self.samples[kind]) for kind in KINDS}


def summarize(samples_ns: list[int]) -> dict[str, Any]:
    """Return the count and p50/p90/mean/max (ms, 3 decimals) of ``samples_ns``."""
    if not samples_ns:
        return {"count": 0, "p50_ms": None, "p90_ms": None, "mean_ms": None, "max_ms": None}
    ms = sorted(s / 1e6 for s in samples_ns)
    return {
        "count": len(ms),
        "p50_ms": round(_quantile(ms, 0.5), 3),
        "p90_ms": round(_quantile(ms, 0.9), 3),
        "mean_ms": round(statistics.fmean(ms), 3),
        "max_ms": round(ms[-1], 3),
    }


def _quantile(sorted_values: list[float], q: float) -> float:
    # linear interpolation between closest ranks (numpy's default)
    pos = (len(sorted_values) - 1) * q
    lo = int(pos)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)


class LatencyRecorder(Actor):
    """
    Record the order round trips of every strategy of the node; write them on stop.

    Parameters
    ----------
    config : LatencyRecorderConfig
        The configuration.

    """

    def __init__(self, config: LatencyRecorderConfig) -> None:
        super().__init__(config)
        self.stats = LatencyStats()
        self._out = Path(config.out_path)

    def on_start(self) -> None:
        """Subscribe to every order event."""
        self.msgbus.subscribe(topic="events.order.*", handler=self.stats.on_event)

    def on_stop(self) -> None:
        """Write ``out_path``."""
        self.write()

    def on_dispose(self) -> None:
        """Write ``out_path`` again: the cancels sent on stop complete after ``on_stop``."""
        self.write()

    def write(self) -> Path:
        """Write the summary to ``out_path`` and return it."""
        self._out.parent.mkdir(parents=True, exist_ok=True)
        doc = {"clock": "node ts_init", **self.stats.summary()}
        self._out.write_text(json.dumps(doc, indent=2) + "\n")
        return self._out


def latency_recorder_for(record_path: str | Path) -> LatencyRecorder:
    """Return a ``LatencyRecorder`` writing ``latency.json`` into the folder ``record_path``."""
    return LatencyRecorder(LatencyRecorderConfig(out_path=str(Path(record_path) / LATENCY_FILE)))
