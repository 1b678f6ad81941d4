"""
Execution-client state under a long soak: what the client keeps per order, trade id or bill
must not grow with the number of orders it has seen.

A ``BitgetExecutionClient`` (real Nautilus engines, ``faults.exec_stack.ExecStack``) trades
against the simulator. Each round exercises every per-order map of ``OrderRegistry``:

* a list of resting limit orders (batch place); a tenth of them modified (v2: replaced under a
  clientOid alias; v3: amended in place, confirmed by the requestId echo); all canceled
  (cancel-all, batch cancel);
* a post-only order that would take (rejected, ``due_post_only``);
* a list of market orders that fill (buy / sell alternately);
* a trigger order that fires (stop-market or stop-limit, alternately) when the market is moved;
* a bracket (market entry + venue TP/SL): the TP fires, the SL is canceled (OCO).

After each round the entry count of every map (``BitgetExecutionClient.state_sizes``) and the
memory are sampled: the bytes of the client's own maps (``OrderRegistry.memory_bytes`` and the
fill de-duplicator; their keys are ids shared with Nautilus' cache) and the whole Python heap
(tracemalloc; it also holds the in-process simulator and Nautilus' cache, which both keep every
order, so it grows).
The registry keeps the identity of the last ``--retain`` closed orders (client default 10 000;
1 000 here) and the fill de-duplicator the last ``--fill-memory`` trade ids (client default
100 000), so the plateau is reached within the run.

Pass: after the last round there are no open orders and no in-flight modifies / deferred rows /
waiting plans; the registry holds at most ``(retain + prune batch) * maps`` entries; every map,
the registry total and the maps' memory stop growing once more than twice the retention window
of orders was seen (the maximum over the second half of that stretch is within 10 % of the
maximum over its first half); orders were forgotten; the fill de-duplicator holds at most its
capacity.

Writes to bench/results.json under "exec_state_soak" (or "exec_state_soak_uta").

Run: ``.venv/bin/python bench/exec_state_soak.py [--rounds 60] [--per-round 50] [--retain 1000]
[--fill-memory 500] [--account-mode classic|uta]``
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any


sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nautilus_trader.model.enums import OrderSide
from nautilus_trader.model.enums import OrderStatus
from nautilus_trader.model.objects import Quantity

from nautilus_bitget.faults.exec_stack import ExecStack
from nautilus_bitget.faults.harness import BTC
from nautilus_bitget.faults.harness import SYMBOL
from nautilus_bitget.sim import BitgetSimulator
from nautilus_bitget.sim import SimConfig


RESULTS = Path(__file__).with_name("results.json")
QTY = Quantity.from_str("0.001")
DONE = (OrderStatus.CANCELED, OrderStatus.FILLED, OrderStatus.REJECTED)
TRANSIENT = ("pending_modify", "modify_requests", "bracket_deferred", "triggered_plans")


async def _until(stack: ExecStack, predicate: Any, what: str, wait: float = 20.0) -> None:
    deadline = stack.loop.time() + wait
    while not predicate():
        if stack.loop.time() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


async def _until_status(stack: ExecStack, orders: list, *statuses: OrderStatus) -> None:
    await _until(
        stack,
        lambda: all(stack.status(o) in statuses for o in orders),
        f"{len(orders)} orders in {statuses}",
    )


def _move_market(stack: ExecStack, factor: str) -> None:
    """Move last and mark price (plans are checked at once; the book generator moves back)."""
    price = str(stack.px(factor))
    stack.sim.exchange.set_last_price(SYMBOL, price)
    stack.sim.exchange.set_mark_price(SYMBOL, price)


async def _round(stack: ExecStack, r: int, per_round: int) -> int:
    """Run one soak round; return the number of orders it submitted."""
    f = stack.strategy.order_factory
    buy = r % 2 == 0
    side = OrderSide.BUY if buy else OrderSide.SELL
    # resting list (batch place), a tenth modified, all canceled (cancel-all)
    resting = [f.limit(BTC, OrderSide.BUY, QTY, stack.px("0.50")) for _ in range(per_round)]
    stack.strategy.submit_order_list(f.create_list(resting))
    await _until_status(stack, resting, OrderStatus.ACCEPTED)
    modified = resting[: max(per_round // 10, 1)]
    new_price = stack.px("0.51")
    for order in modified:
        stack.strategy.modify_order(order, price=new_price)
    await _until(
        stack,
        lambda: all(
            stack.cache.order(o.client_order_id).price == new_price
            and stack.status(o) == OrderStatus.ACCEPTED
            for o in modified
        ),
        "modifies",
    )
    stack.strategy.cancel_all_orders(BTC)
    await _until_status(stack, resting, *DONE)
    # post-only that would take: rejected
    post = f.limit(BTC, OrderSide.BUY, QTY, stack.px("1.02"), post_only=True)
    stack.strategy.submit_order(post)
    await _until_status(stack, [post], OrderStatus.REJECTED)
    # market list (batch place), filled
    takers = [f.market(BTC, side, QTY) for _ in range(max(per_round // 5, 1))]
    stack.strategy.submit_order_list(f.create_list(takers))
    await _until_status(stack, takers, *DONE)
    # a trigger order that fires (and, for stop-limit, crosses)
    if buy:
        trigger = f.stop_market(BTC, OrderSide.BUY, QTY, stack.px("1.01"))
    else:
        trigger = f.stop_limit(BTC, OrderSide.SELL, QTY, stack.px("0.96"), stack.px("0.99"))
    stack.strategy.submit_order(trigger)
    await _until_status(stack, [trigger], OrderStatus.ACCEPTED)
    _move_market(stack, "1.03" if buy else "0.97")
    await _until_status(stack, [trigger], OrderStatus.FILLED)
    # bracket: the TP fires, the SL is canceled
    tp_px, sl_px, move = ("1.10", "0.90", "1.12") if buy else ("0.90", "1.10", "0.88")
    bracket = f.bracket(BTC, side, QTY, tp_price=stack.px(tp_px), sl_trigger_price=stack.px(sl_px))
    stack.strategy.submit_order_list(bracket)
    entry, sl, tp = bracket.orders
    await _until_status(stack, [entry], OrderStatus.FILLED)
    await _until_status(stack, [sl, tp], OrderStatus.ACCEPTED)
    registry = stack.client.registry
    await _until(
        stack,
        lambda: (
            tp.client_order_id in registry.bracket_plans
            and sl.client_order_id in registry.bracket_plans
        ),
        "venue TP/SL plans linked",
    )
    _move_market(stack, move)
    await _until_status(stack, [tp], OrderStatus.FILLED)
    await _until_status(stack, [sl], OrderStatus.CANCELED)
    return len(resting) + 1 + len(takers) + 1 + len(bracket.orders)


async def soak(
    rounds: int,
    per_round: int,
    retain: int,
    fill_memory: int,
    account_mode: str,
) -> dict:
    sim = BitgetSimulator(
        SimConfig(host="127.0.0.1", port=0, book_rate_hz=5.0, account_mode=account_mode),
    )
    await sim.start()
    stack = ExecStack(sim, account_mode=account_mode)
    registry = stack.client.registry
    registry.retain_closed = retain
    registry.prune_batch = max(retain // 10, 1)
    stack.client.fill_ids.capacity = fill_memory
    tracemalloc.start()
    samples: list[dict[str, Any]] = []
    seen = 0
    t0 = time.perf_counter()
    try:
        await stack.start()
        for r in range(rounds):
            seen += await _round(stack, r, per_round)
            heap, _ = tracemalloc.get_traced_memory()
            sizes = stack.client.state_sizes()
            samples.append(
                {
                    "round": r + 1,
                    "orders": seen,
                    "registry": registry.size(),
                    "state_kb": (registry.memory_bytes() + stack.client.fill_ids.memory_bytes())
                    // 1024,
                    "heap_kb": heap // 1024,
                    "sizes": sizes,
                },
            )
            if (r + 1) % 10 == 0:
                s = samples[-1]
                print(
                    f"round {s['round']:>3}: orders seen {s['orders']:>5}, registry entries "
                    f"{s['registry']:>5}, fill ids {sizes['fill_ids']:>4}, "
                    f"state {s['state_kb']:>4} kB, process heap {s['heap_kb']:>6} kB",
                    flush=True,
                )
        open_orders = len(stack.cache.orders_open(instrument_id=BTC))
        api = stack.client.api
    finally:
        await stack.stop()
        await sim.stop()
        tracemalloc.stop()
    last = samples[-1]["sizes"]
    maps = len(registry.sizes())
    bound = (retain + registry.prune_batch) * maps
    warm = 2 * (retain + registry.prune_batch)

    def grows(series: list[tuple[int, int]]) -> bool:
        """Whether values past the warm-up keep rising: 2nd-half max > 1.1 x 1st-half max."""
        plateau = [value for orders, value in series if orders > warm]
        half = len(plateau) // 2
        if half == 0:
            return True  # too short to tell
        return max(plateau[half:]) > max(plateau[:half]) * 1.1 + 1

    growing = [n for n in last if grows([(s["orders"], s["sizes"][n]) for s in samples])]
    if grows([(s["orders"], s["registry"]) for s in samples]):
        growing.append("registry total")
    if grows([(s["orders"], s["state_kb"]) for s in samples]):
        growing.append("state memory")
    transient = {name: last[name] for name in TRANSIENT if last[name]}
    print("\nentries per map after the last round:")
    for name, count in sorted(last.items(), key=lambda kv: -kv[1]):
        peak = max(s["sizes"][name] for s in samples)
        print(f"  {name:<18} {count:>6}  (peak {peak})")
    return {
        "api": api,
        "orders": seen,
        "rounds": rounds,
        "retain_closed": retain,
        "fill_memory": fill_memory,
        "forgotten": registry.forgotten,
        "entries_last": samples[-1]["registry"],
        "entries_max": max(s["registry"] for s in samples),
        "entries_bound": bound,
        "sizes_last": last,
        "sizes_peak": {name: max(s["sizes"][name] for s in samples) for name in last},
        "growing": growing,
        "open_orders_last": open_orders,
        "state_kb_max": max(s["state_kb"] for s in samples),
        "state_kb_last": samples[-1]["state_kb"],
        "heap_kb_first": samples[0]["heap_kb"],
        "heap_kb_last": samples[-1]["heap_kb"],
        "seconds": round(time.perf_counter() - t0, 1),
        "passed": samples[-1]["registry"] <= bound
        and not growing
        and not transient
        and open_orders == 0
        and registry.forgotten > 0
        and last["fill_ids"] <= fill_memory,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=60)
    parser.add_argument("--per-round", type=int, default=50)
    parser.add_argument("--retain", type=int, default=1000)
    parser.add_argument("--fill-memory", type=int, default=500)
    parser.add_argument("--account-mode", choices=("classic", "uta"), default="classic")
    args = parser.parse_args()
    result = asyncio.run(
        soak(args.rounds, args.per_round, args.retain, args.fill_memory, args.account_mode),
    )
    print(json.dumps({k: v for k, v in result.items() if not k.startswith("sizes")}, indent=2))
    data = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    key = "exec_state_soak" if args.account_mode == "classic" else "exec_state_soak_uta"
    data[key] = result
    RESULTS.write_text(json.dumps(data, indent=2) + "\n")
    return 0 if result["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
