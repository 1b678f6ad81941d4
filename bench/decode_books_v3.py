"""
Benchmark: classic v2 vs UTA v3 public streams, as the data client decodes them.

1. Synthetic: the ``decode_books`` payloads (same level strings) as v2 and v3 ``books`` updates,
   decoded through each stream dialect (``api.streams``) and parsed to ``OrderBookDeltas``
   (deltas/s, best of 5).
2. Simulator: both sockets of one simulator subscribed to the same channels for a few seconds;
   the captured frames give bytes per push per channel and the decode+parse rate of real frames.

Merges ``{"decode_books_v3": {...}}`` into ``bench/results.json``. Used to decide which API the
data client reads (see the module docstring of ``nautilus_bitget/data/__init__.py``).
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import aiohttp
import msgspec


ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from decode_books import LEVELS  # noqa: E402
from decode_books import MESSAGES  # noqa: E402
from decode_books import ROUNDS  # noqa: E402
from decode_books import instrument  # noqa: E402
from decode_books import make_levels  # noqa: E402

from nautilus_bitget.api.streams import ClassicStreamDialect  # noqa: E402
from nautilus_bitget.api.streams import UtaStreamDialect  # noqa: E402
from nautilus_bitget.parsing.book import BookContext  # noqa: E402
from nautilus_bitget.parsing.book import parse_books_to_deltas  # noqa: E402
from nautilus_bitget.sim import BitgetSimulator  # noqa: E402
from nautilus_bitget.sim import SimConfig  # noqa: E402


RESULTS = ROOT / "bench" / "results.json"
CAPTURE_SECS = 4.0
V2_ARGS = [
    {"instType": "USDT-FUTURES", "channel": c, "instId": "BTCUSDT"}
    for c in ("books", "books1", "books15", "trade", "ticker")
]
V3_ARGS = [
    {"instType": "usdt-futures", "topic": t, "symbol": "BTCUSDT"}
    for t in ("books", "books1", "books50", "publicTrade", "ticker")
]


def synthetic() -> tuple[list[bytes], list[bytes]]:
    rng = random.Random(42)
    v2, v3 = [], []
    for seq, (bids, asks) in enumerate((make_levels(rng) for _ in range(MESSAGES)), 1_000_000):
        v2.append(
            msgspec.json.encode(
                {
                    "action": "update",
                    "arg": {"instType": "USDT-FUTURES", "channel": "books", "instId": "BTCUSDT"},
                    "data": [
                        {
                            "asks": asks,
                            "bids": bids,
                            "seq": seq + 1,
                            "pseq": seq,
                            "ts": "1695716059516",
                        }
                    ],
                    "ts": 1695716059520,
                },
            ),
        )
        big = 483_415_077_719 + seq  # 4.5: recorded v3 seqs are ~4.8e11 and jump
        v3.append(
            msgspec.json.encode(
                {
                    "action": "update",
                    "arg": {"instType": "usdt-futures", "topic": "books", "symbol": "BTCUSDT"},
                    "data": [
                        {
                            "a": asks,
                            "b": bids,
                            "checksum": -431745958,
                            "pseq": big,
                            "seq": big + 7993,
                            "ts": "1695716059516",
                        }
                    ],
                    "ts": 1695716059520,
                },
            ),
        )
    return v2, v3


def run(dialect: ClassicStreamDialect, payloads: list[bytes], ctx: BookContext) -> float:
    decoder = dialect.frame_decoder
    best = 0.0
    for _ in range(ROUNDS):
        count = 0
        start = time.perf_counter()
        for raw in payloads:
            frame = decoder.decode(raw)
            dialect.route(frame)
            book = dialect.decode_books(frame.data)[0]
            deltas = parse_books_to_deltas(book, ctx, frame.action == "snapshot", 1)
            count += len(deltas.deltas) if deltas is not None else 0
        best = max(best, count / (time.perf_counter() - start))
    return best


async def capture() -> dict[str, list[bytes]]:
    sim = BitgetSimulator(SimConfig(port=0, account_mode="uta", book_rate_hz=20.0, seed=7))
    await sim.start()
    base = sim.http_url.replace("http://", "ws://")
    frames: dict[str, list[bytes]] = defaultdict(list)

    async def listen(api: str, args: list[dict], session: aiohttp.ClientSession) -> None:
        async with session.ws_connect(f"{base}/{api}/ws/public") as ws:
            await ws.send_str(json.dumps({"op": "subscribe", "args": args}))
            deadline = time.monotonic() + CAPTURE_SECS
            while (left := deadline - time.monotonic()) > 0:
                try:
                    msg = await ws.receive(timeout=left)
                except TimeoutError:
                    break
                if msg.type != aiohttp.WSMsgType.TEXT or msg.data == "pong":
                    continue
                frame = json.loads(msg.data)
                arg = frame.get("arg") or {}
                if "action" in frame:
                    channel = arg.get("channel") or arg.get("topic")
                    frames[f"{api}:{channel}:{frame['action']}"].append(msg.data.encode())

    try:
        async with aiohttp.ClientSession() as session:
            await asyncio.gather(listen("v2", V2_ARGS, session), listen("v3", V3_ARGS, session))
    finally:
        await sim.stop()
    return frames


def merge_results(entry: dict) -> None:
    try:
        current = json.loads(RESULTS.read_text())
        if not isinstance(current, dict):
            current = {}
    except (FileNotFoundError, json.JSONDecodeError):
        current = {}
    current["decode_books_v3"] = entry
    fd, tmp = tempfile.mkstemp(dir=RESULTS.parent, prefix=".results.", suffix=".json")
    with os.fdopen(fd, "w") as f:
        json.dump(current, f, indent=2, sort_keys=True)
        f.write("\n")
    os.replace(tmp, RESULTS)


def main() -> int:
    ctx = BookContext(instrument())
    v2_dialect, v3_dialect = ClassicStreamDialect(), UtaStreamDialect()
    v2, v3 = synthetic()
    run(v2_dialect, v2, ctx)  # warm the memo
    synth = {
        "v2_deltas_per_sec": round(run(v2_dialect, v2, ctx)),
        "v3_deltas_per_sec": round(run(v3_dialect, v3, ctx)),
        "v2_bytes_per_update": round(sum(map(len, v2)) / len(v2), 1),
        "v3_bytes_per_update": round(sum(map(len, v3)) / len(v3), 1),
        "levels_per_update": LEVELS,
    }
    frames = asyncio.run(capture())
    sizes = {key: round(sum(map(len, f)) / len(f), 1) for key, f in sorted(frames.items())}
    counts = {key: len(f) for key, f in sorted(frames.items())}
    sim_rates = {}
    for api, dialect in (("v2", v2_dialect), ("v3", v3_dialect)):
        updates = frames.get(f"{api}:books:update", [])
        if updates:
            sim_rates[f"{api}_sim_books_deltas_per_sec"] = round(run(dialect, updates, ctx))
    entry = {
        "synthetic": synth,
        "simulator_bytes_per_push": sizes,
        "simulator_pushes": counts,
        "simulator_decode": sim_rates,
        "capture_secs": CAPTURE_SECS,
        "ts": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    merge_results(entry)
    print(json.dumps(entry, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
