"""
Gap and resync markers: custom Nautilus data saying where a recording is not trustworthy.

A marker is written to the catalog next to the market data
(``data/bitget_gap_marker/<instrument_id>/``) and read back with
``catalog.query(BitgetGapMarker, identifiers=[...])`` (``CustomData`` wrappers).

How the recorder learns of gaps
-------------------------------
1. The data client publishes a ``BitgetGapMarker`` (or a plain ``dict`` with the same keys) on the
   message bus topic ``GAP_TOPIC`` whenever it notices a disconnect, a sequence gap, a checksum
   failure or a stale stream: ``msgbus.publish(GAP_TOPIC, marker)``.
2. Independently, a fresh book snapshot (``F_SNAPSHOT``) for an instrument that is already being
   recorded is a resync: the recorder writes a ``kind="resync"`` marker covering the time between
   the last book message before it and the snapshot.
"""

# no `from __future__ import annotations`: customdataclass reads real annotations

from typing import Any

from nautilus_trader.core.data import Data
from nautilus_trader.model.custom import customdataclass
from nautilus_trader.model.identifiers import InstrumentId


GAP_TOPIC = "bitget.data.gap"

REASONS = ("disconnect", "seq_gap", "checksum", "stale", "snapshot")
KINDS = ("gap", "resync")


@customdataclass
class BitgetGapMarker(Data):
    """
    A span of time in which recorded data of one instrument is missing or was resynchronised.

    Parameters
    ----------
    instrument_id : InstrumentId
        The instrument affected.
    start : int
        First nanosecond (UNIX) of the untrustworthy span (last good data before it).
    end : int
        Last nanosecond of the span (when good data resumed; 0 if still open).
    reason : str
        ``disconnect``, ``seq_gap``, ``checksum``, ``stale`` or ``snapshot`` (an unexplained
        fresh snapshot).
    kind : str
        ``gap`` (data missing) or ``resync`` (the book was rebuilt from a new snapshot).
    channel : str
        The Bitget channel affected (``books``, ``trade``, ...) or ``""`` for all.
    backfilled : bool
        Whether candles/trades of the span were backfilled over REST.

    """

    instrument_id: InstrumentId = InstrumentId.from_str("BTCUSDT-PERP.BITGET")
    start: int = 0
    end: int = 0
    reason: str = "snapshot"
    kind: str = "gap"
    channel: str = ""
    backfilled: bool = False


def make_marker(
    instrument_id: InstrumentId,
    start: int,
    end: int,
    reason: str,
    *,
    kind: str = "gap",
    channel: str = "",
    backfilled: bool = False,
    ts_init: int | None = None,
) -> BitgetGapMarker:
    """
    Return a ``BitgetGapMarker`` with ``ts_event = end`` (or ``start`` if open) and ``ts_init``.

    Raises
    ------
    ValueError
        If ``reason`` or ``kind`` is unknown.

    """
    if reason not in REASONS:
        raise ValueError(f"reason {reason!r} is not one of {REASONS}")
    if kind not in KINDS:
        raise ValueError(f"kind {kind!r} is not one of {KINDS}")
    ts_event = end or start
    return BitgetGapMarker(
        ts_event=ts_event,
        ts_init=ts_init if ts_init is not None else ts_event,
        instrument_id=instrument_id,
        start=int(start),
        end=int(end),
        reason=reason,
        kind=kind,
        channel=channel,
        backfilled=backfilled,
    )


def coerce_marker(obj: Any, ts_now: int) -> BitgetGapMarker | None:
    """
    Return ``obj`` as a ``BitgetGapMarker`` (accepts the class itself, ``CustomData`` or a dict).

    A dict needs ``instrument_id`` and ``reason``; ``start`` defaults to ``ts_now``, ``end`` to 0
    (open: closed by the next fresh snapshot); ``kind`` defaults to ``resync`` for ``seq_gap``
    and ``checksum`` (the book was rebuilt) and ``gap`` otherwise (data missing).
    Unknown shapes return ``None``.
    """
    inner = getattr(obj, "data", obj)
    if isinstance(inner, BitgetGapMarker):
        return inner
    if isinstance(inner, dict) and "instrument_id" in inner:
        iid = inner["instrument_id"]
        if not isinstance(iid, InstrumentId):
            iid = InstrumentId.from_str(str(iid))
        reason = str(inner.get("reason", "snapshot"))
        if reason not in REASONS:
            reason = "snapshot"
        return make_marker(
            iid,
            int(inner.get("start") or ts_now),
            int(inner.get("end") or 0),
            reason,
            kind=str(inner["kind"]) if inner.get("kind") in KINDS else _default_kind(reason),
            channel=str(inner.get("channel", "")),
            backfilled=bool(inner.get("backfilled", False)),
            ts_init=ts_now,
        )
    return None


def _default_kind(reason: str) -> str:
    return "resync" if reason in ("seq_gap", "checksum") else "gap"
