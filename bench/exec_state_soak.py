"""
Execution-client per-order state under a long soak: memory must not grow with the number of
orders the client has seen (``execution.registry.OrderRegistry`` prunes closed orders).

A ``BitgetExecutionClient`` (real Nautilus engines, ``faults.exec_stack.ExecStack``) trades
against the simulator: each round submits one list of resting limit orders (batch place), cancels
them (batch cancel) and sends a list of market orders that fill (buy/sell alternately). After
each round the registry's entry count and the Python heap (tracemalloc) are sampled.

The registry keeps the identity of the last ``--retain`` closed orders (default here 1000, the
client default is 10 000) so the plateau is reached within the run.

Pass: entries after the last round <= the bound (open orders 0 + retain + prune batch, times the
maps an order touches), and entries stop growing once more than ``retain`` orders were seen.

Writes to bench/results.json under "exec_state_soak" (read-modify-write).

Run: ``.venv/bin/python bench/exec_state_soak.py [--rounds 60] [--per-round 50] [--retain 1000]``
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
import tracemalloc
from pathlib import Path


sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nautilus_trader.model.enums import OrderSide
from nautilus_trader.model.enums import OrderStatus
from nautilus_trader.model.objects import Quantity

from nautilus_bitget.faults.exec_stack import ExecStack
from nautilus_bitget.faults.harness import BTC
from nautilus_bitget.sim import BitgetSimulator
from nautilus_bitget.sim import SimConfig


RESULTS = Path(__file__).with_name("results.json")
QTY = Quantity.from_str("0.001")
DONE = (OrderStatus.CANCELED, OrderStatus.FILLED, OrderStatus.REJECTED)


async def _until_done(stack: ExecStack, orders: list, wait: float = 20.0) -> None:
    deadline = stack.loop.time() + wait
    while any(stack.status(o) not in DONE for o in orders):
        if stack.loop.time() > deadline:
            stuck = [o for o in orders if stack.status(o) not in DONE]
            raise TimeoutError(f"{len(stuck)} orders not done after {wait}s")
        await asyncio.sleep(0.02)


async def _until_open(stack: ExecStack, orders: list, wait: float = 20.0) -> None:
    deadline = stack.loop.time() + wait
    while any(stack.status(o) != OrderStatus.ACCEPTED for o in orders):
        if stack.loop.time() > deadline:
            raise TimeoutError("limit orders not accepted")
        await asyncio.sleep(0.02)


async def soak(rounds: int, per_round: int, retain: int) -> dict:
    sim = BitgetSimulator(SimConfig(host="127.0.0.1", port=0, book_rate_hz=5.0))
    await sim.start()
    stack = ExecStack(sim)
    registry = stack.client.registry
    registry.retain_closed = retain
    registry.prune_batch = max(retain // 10, 1)
    tracemalloc.start()
    samples = []
    seen = 0
    t0 = time.perf_counter()
    try:
        await stack.start()
        factory = stack.strategy.order_factory
        for r in range(rounds):
            low = stack.px("0.5")
            resting = [factory.limit(BTC, OrderSide.BUY, QTY, low) for _ in range(per_round)]
            stack.strategy.submit_order_list(factory.create_list(resting))
            await _until_open(stack, resting)
            stack.strategy.cancel_all_orders(BTC)
            await _until_done(stack, resting)
            side = OrderSide.BUY if r % 2 == 0 else OrderSide.SELL
            takers = [factory.market(BTC, side, QTY) for _ in range(per_round // 5)]
            stack.strategy.submit_order_list(factory.create_list(takers))
            await _until_done(stack, takers)
            seen += len(resting) + len(takers)
            heap, _ = tracemalloc.get_traced_memory()
            samples.append(
                {
                    "round": r + 1,
                    "orders": seen,
                    "entries": registry.size(),
                    "heap_kb": heap // 1024,
                }
            )
            if (r + 1) % 10 == 0:
                print(samples[-1], flush=True)
    finally:
        await stack.stop()
        await sim.stop()
        tracemalloc.stop()
    # an order touches at most ~8 maps (ids, alias, emitted flags, filled, qty, ...)
    bound = (retain + registry.prune_batch) * 8
    plateau = [s["entries"] for s in samples if s["orders"] > 2 * (retain + registry.prune_batch)]
    result = {
        "orders": seen,
        "rounds": rounds,
        "retain_closed": retain,
        "forgotten": registry.forgotten,
        "entries_last": samples[-1]["entries"],
        "entries_max": max(s["entries"] for s in samples),
        "entries_bound": bound,
        "heap_kb_first": samples[0]["heap_kb"],
        "heap_kb_last": samples[-1]["heap_kb"],
        "seconds": round(time.perf_counter() - t0, 1),
        "passed": samples[-1]["entries"] <= bound
        and (not plateau or max(plateau) <= bound)
        and registry.forgotten > 0,
    }
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=60)
    parser.add_argument("--per-round", type=int, default=50)
    parser.add_argument("--retain", type=int, default=1000)
    args = parser.parse_args()
    result = asyncio.run(soak(args.rounds, args.per_round, args.retain))
    print(json.dumps(result, indent=2))
    data = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    data["exec_state_soak"] = result
    RESULTS.write_text(json.dumps(data, indent=2) + "\n")
    return 0 if result["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
