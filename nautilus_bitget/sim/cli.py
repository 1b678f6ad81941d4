"""``bitget-nt sim``: run the simulator until SIGINT/SIGTERM (architecture.md section 3)."""

from __future__ import annotations

import asyncio
import signal
import sys
from typing import Any

from nautilus_bitget.sim.config import SimConfig
from nautilus_bitget.sim.faults import parse_fault_spec
from nautilus_bitget.sim.server import BitgetSimulator


def config_from_args(args: Any) -> SimConfig:
    """Return the :class:`SimConfig` described by the parsed ``bitget-nt sim`` arguments."""
    symbols = None
    if getattr(args, "symbols", None):
        symbols = [s.strip().upper() for s in args.symbols.split(",") if s.strip()]
    cfg = SimConfig(
        host=args.host,
        port=args.port,
        symbols=symbols,
        seed=args.seed,
        checksum=bool(args.checksum),
        account_mode=args.account,
        replay=getattr(args, "replay", None),
    )
    if getattr(args, "history_days", None) is not None:
        if args.history_days < 0:
            raise ValueError("--history-days must be >= 0")
        cfg.history_days = float(args.history_days)
    if getattr(args, "funding_interval_secs", None) is not None:
        if args.funding_interval_secs <= 0:
            raise ValueError("--funding-interval-secs must be > 0")
        cfg.funding_interval_secs = float(args.funding_interval_secs)
    if getattr(args, "rate", None):
        cfg.book_rate_hz = float(args.rate)
    contracts = getattr(args, "contracts", None)
    if contracts is not None:
        if contracts < 0:
            raise ValueError("--contracts must be >= 0")
        cfg.contracts = int(contracts)
    return cfg


async def _serve(cfg: SimConfig, faults: list[tuple[str, dict[str, Any], float]]) -> None:
    sim = BitgetSimulator(cfg)
    await sim.start()
    print(
        f"READY http={sim.http_url} ws_public={sim.ws_public_url} ws_private={sim.ws_private_url}",
        flush=True,
    )
    loop = asyncio.get_running_loop()
    for name, fault_args, delay in faults:
        loop.call_later(delay, sim.faults.apply, name, fault_args)
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop.set)
        except (NotImplementedError, RuntimeError):
            signal.signal(sig, lambda *_: loop.call_soon_threadsafe(stop.set))
    try:
        await stop.wait()
    finally:
        await sim.stop()


def run(args: Any) -> int:
    """Run the simulator; print ``READY http=... ws_public=... ws_private=...`` first."""
    try:
        faults = [parse_fault_spec(spec) for spec in getattr(args, "fault", None) or []]
        asyncio.run(_serve(config_from_args(args), faults))
    except KeyboardInterrupt:
        pass
    except OSError as e:
        print(f"bitget-nt sim: cannot bind {args.host}:{args.port}: {e}", file=sys.stderr)
        return 1
    except ValueError as e:
        print(f"bitget-nt sim: {e}", file=sys.stderr)
        return 2
    return 0
