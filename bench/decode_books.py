"""
Benchmark: order book update decode + parse throughput (deltas/s, single core).

Our path: one ``books`` frame -> envelope decode (data as msgspec.Raw) -> ``list[BitgetWsBook]``
-> ``parse_books_to_deltas`` (fixed-point fast path). Reference, measured in the same run on an
equivalent payload (same level strings): NautilusTrader's Binance Python path
(``BinanceOrderBookMsg`` decode + ``parse_to_order_book_deltas``).

Prints deltas/s for both and the ratio, and merges ``{"decode_books": {...}}`` into
``bench/results.json`` (read-modify-write: other benches share the file).
"""

from __future__ import annotations

import json
import os
import platform
import random
import sys
import tempfile
import time
from pathlib import Path

import msgspec
from nautilus_trader.adapters.binance.common.schemas.market import BinanceOrderBookMsg
from nautilus_trader.model.currencies import BTC
from nautilus_trader.model.currencies import USDT
from nautilus_trader.model.identifiers import InstrumentId
from nautilus_trader.model.identifiers import Symbol
from nautilus_trader.model.instruments import CryptoPerpetual
from nautilus_trader.model.objects import Price
from nautilus_trader.model.objects import Quantity


ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from nautilus_bitget.parsing.book import BookContext  # noqa: E402
from nautilus_bitget.parsing.book import parse_books_to_deltas  # noqa: E402
from nautilus_bitget.schemas.ws_public import BitgetWsBook  # noqa: E402
from nautilus_bitget.schemas.ws_public import BitgetWsFrame  # noqa: E402


LEVELS = 20  # levels per update message: 10 bids + 10 asks
MESSAGES = 2_000  # distinct messages (sizes vary, prices move within a band)
ROUNDS = 5
TARGET_DELTAS_PER_SEC = 1_000_000
TARGET_RATIO = 8.0
RESULTS = ROOT / "bench" / "results.json"


def instrument() -> CryptoPerpetual:
    return CryptoPerpetual(
        instrument_id=InstrumentId.from_str("BTCUSDT-PERP.BITGET"),
        raw_symbol=Symbol("BTCUSDT"),
        base_currency=BTC,
        quote_currency=USDT,
        settlement_currency=USDT,
        is_inverse=False,
        price_precision=1,
        size_precision=3,
        price_increment=Price.from_str("0.1"),
        size_increment=Quantity.from_str("0.001"),
        ts_event=0,
        ts_init=0,
    )


def make_levels(rng: random.Random) -> tuple[list[list[str]], list[list[str]]]:
    mid = 27_000.0 + rng.randint(-200, 200) * 0.1
    half = LEVELS // 2
    bids = []
    asks = []
    for i in range(half):
        size = "0" if rng.random() < 0.1 else f"{rng.random() * 20:.3f}"
        bids.append([f"{mid - 0.1 * (i + rng.randint(0, 30)):.1f}", size])
        size = "0" if rng.random() < 0.1 else f"{rng.random() * 20:.3f}"
        asks.append([f"{mid + 0.1 * (i + 1 + rng.randint(0, 30)):.1f}", size])
    return bids, asks


def bitget_payloads(levels: list) -> list[bytes]:
    out = []
    for seq, (bids, asks) in enumerate(levels, start=1_000_000):
        frame = {
            "action": "update",
            "arg": {"instType": "USDT-FUTURES", "channel": "books", "instId": "BTCUSDT"},
            "data": [
                {
                    "asks": asks,
                    "bids": bids,
                    "seq": seq + 1,
                    "pseq": seq,
                    "ts": "1695716059516",
                },
            ],
            "ts": 1695716059520,
        }
        out.append(msgspec.json.encode(frame))
    return out


def binance_payloads(levels: list) -> list[bytes]:
    out = []
    for seq, (bids, asks) in enumerate(levels, start=1_000_000):
        msg = {
            "stream": "btcusdt@depth@0ms",
            "data": {
                "e": "depthUpdate",
                "E": 1695716059520,
                "T": 1695716059516,
                "s": "BTCUSDT",
                "U": seq,
                "u": seq + 1,
                "pu": seq - 1,
                "b": bids,
                "a": asks,
            },
        }
        out.append(msgspec.json.encode(msg))
    return out


def run_bitget(payloads: list[bytes], ctx: BookContext) -> tuple[float, int]:
    frame_decoder = msgspec.json.Decoder(BitgetWsFrame)
    books_decoder = msgspec.json.Decoder(list[BitgetWsBook])
    count = 0
    start = time.perf_counter()
    for raw in payloads:
        frame = frame_decoder.decode(raw)
        book = books_decoder.decode(frame.data)[0]
        deltas = parse_books_to_deltas(book, ctx, False, 1)
        count += LEVELS if deltas is not None else 0
    return time.perf_counter() - start, count


def run_binance(payloads: list[bytes], instrument_id: InstrumentId) -> tuple[float, int]:
    decoder = msgspec.json.Decoder(BinanceOrderBookMsg)
    count = 0
    start = time.perf_counter()
    for raw in payloads:
        msg = decoder.decode(raw)
        msg.data.parse_to_order_book_deltas(instrument_id, 1)
        count += LEVELS
    return time.perf_counter() - start, count


def best_rate(fn, *args) -> float:
    rates = []
    for _ in range(ROUNDS):
        elapsed, count = fn(*args)
        rates.append(count / elapsed)
    return max(rates)


def merge_results(entry: dict) -> None:
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    try:
        current = json.loads(RESULTS.read_text())
        if not isinstance(current, dict):
            current = {}
    except (FileNotFoundError, json.JSONDecodeError):
        current = {}
    current["decode_books"] = entry
    fd, tmp = tempfile.mkstemp(dir=RESULTS.parent, prefix=".results.", suffix=".json")
    with os.fdopen(fd, "w") as f:
        json.dump(current, f, indent=2, sort_keys=True)
        f.write("\n")
    os.replace(tmp, RESULTS)


def main() -> int:
    rng = random.Random(42)
    levels = [make_levels(rng) for _ in range(MESSAGES)]
    inst = instrument()
    ctx = BookContext(inst)
    ours_payloads = bitget_payloads(levels)
    theirs_payloads = binance_payloads(levels)
    # warm up both (memo of the fast path fills as it would on a live stream)
    run_bitget(ours_payloads, ctx)
    run_binance(theirs_payloads[:200], inst.id)

    ours = best_rate(run_bitget, ours_payloads, ctx)
    theirs = best_rate(run_binance, theirs_payloads, inst.id)
    ratio = ours / theirs
    entry = {
        "levels_per_message": LEVELS,
        "messages": MESSAGES,
        "ours_deltas_per_sec": round(ours),
        "binance_python_deltas_per_sec": round(theirs),
        "ratio": round(ratio, 2),
        "target_deltas_per_sec": TARGET_DELTAS_PER_SEC,
        "target_ratio": TARGET_RATIO,
        "meets_targets": ours >= TARGET_DELTAS_PER_SEC and ratio >= TARGET_RATIO,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "ts": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    merge_results(entry)
    print(f"decode_books: {LEVELS}-level updates, {MESSAGES} distinct messages, best of {ROUNDS}")
    print(f"  nautilus-bitget : {ours:>12,.0f} deltas/s")
    print(f"  binance python  : {theirs:>12,.0f} deltas/s")
    print(f"  ratio           : {ratio:>12.2f}x (target >= {TARGET_RATIO}x)")
    print(f"  target 1M/s     : {'met' if ours >= TARGET_DELTAS_PER_SEC else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
