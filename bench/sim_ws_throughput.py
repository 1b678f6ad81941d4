"""
Sustained ``books`` messages/s received by one raw aiohttp client from the simulator.

Starts ``bitget-nt sim`` in a subprocess at a high book rate, subscribes ``books`` for every
default symbol on one public socket and counts update frames for ``--secs`` seconds. Target:
>= 2,000 messages/s in total. Writes ``bench/results.json`` key ``sim_ws_throughput``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from pathlib import Path

import aiohttp


SYMBOLS = {
    "BTCUSDT": "USDT-FUTURES",
    "ETHUSDT": "USDT-FUTURES",
    "BTCPERP": "USDC-FUTURES",
    "BTCUSD": "COIN-FUTURES",
}
RESULTS = Path(__file__).resolve().parent / "results.json"
TARGET = 2000.0


async def _start_sim(rate: float) -> tuple[asyncio.subprocess.Process, str]:
    exe = Path(sys.executable).with_name("bitget-nt")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "nautilus_bitget.cli"]
    proc = await asyncio.create_subprocess_exec(
        *cmd,
        "sim",
        "--port",
        "0",
        "--rate",
        str(rate),
        stdout=asyncio.subprocess.PIPE,
    )
    line = (await asyncio.wait_for(proc.stdout.readline(), 30)).decode()
    if not line.startswith("READY "):
        raise RuntimeError(f"unexpected first line: {line!r}")
    fields = dict(part.split("=", 1) for part in line.split()[1:])
    return proc, fields["ws_public"]


async def measure(rate: float, secs: float) -> dict:
    proc, url = await _start_sim(rate)
    try:
        async with aiohttp.ClientSession() as session, session.ws_connect(url) as ws:
            args = [{"instType": t, "channel": "books", "instId": s} for s, t in SYMBOLS.items()]
            await ws.send_str(json.dumps({"op": "subscribe", "args": args}))
            warmup_end = time.monotonic() + 1.0
            count = 0
            gaps = 0
            last_seq: dict[str, int] = {}
            start = None
            last_ping = time.monotonic()
            while True:
                msg = await ws.receive()
                if msg.type != aiohttp.WSMsgType.TEXT:
                    raise RuntimeError(f"socket closed: {msg}")
                now = time.monotonic()
                if now - last_ping > 20:
                    await ws.send_str("ping")
                    last_ping = now
                if msg.data == "pong" or not msg.data.startswith('{"action"'):
                    continue
                frame = json.loads(msg.data)
                inst = frame["arg"]["instId"]
                data = frame["data"][0]
                if frame["action"] == "update" and last_seq.get(inst) not in (None, data["pseq"]):
                    gaps += 1
                last_seq[inst] = data["seq"]
                if now < warmup_end:
                    continue
                if start is None:
                    start = now
                count += 1
                if now - start >= secs:
                    break
        elapsed = time.monotonic() - start
        rate_out = count / elapsed
        return {
            "msgs_per_sec": round(rate_out, 1),
            "messages": count,
            "seconds": round(elapsed, 2),
            "symbols": len(SYMBOLS),
            "book_rate_hz_per_symbol": rate,
            "seq_gaps": gaps,
            "target_msgs_per_sec": TARGET,
            "passed": rate_out >= TARGET,
        }
    finally:
        proc.terminate()
        await proc.wait()


def _write(result: dict) -> None:
    data = {}
    if RESULTS.exists():
        try:
            data = json.loads(RESULTS.read_text())
        except ValueError:
            data = {}
    data["sim_ws_throughput"] = result
    tmp = RESULTS.with_suffix(f".tmp{os.getpid()}")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    os.replace(tmp, RESULTS)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--secs", type=float, default=5.0)
    parser.add_argument("--rate", type=float, default=1500.0, help="book messages/s per symbol")
    args = parser.parse_args()
    result = asyncio.run(measure(args.rate, args.secs))
    _write(result)
    print(json.dumps(result))
    return 0 if result["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
