"""
Clock skew (40008) and bad user input: unknown symbol, bad credentials, UTA key on classic
endpoints (40085), demo key on live (40099), a position mode that cannot be switched. Bad input
must fail at start-up with a message that says what to change (and never shows the secret).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable
from collections.abc import Callable
from typing import Any

from nautilus_trader.model.enums import OrderSide
from nautilus_trader.model.enums import OrderStatus
from nautilus_trader.model.identifiers import InstrumentId

from nautilus_bitget.constants import SIM_API_KEY
from nautilus_bitget.faults.exec_stack import ExecStack
from nautilus_bitget.faults.harness import BTC
from nautilus_bitget.faults.harness import PRODUCT
from nautilus_bitget.faults.harness import captured_fds
from nautilus_bitget.faults.harness import data_node
from nautilus_bitget.faults.harness import sim_running
from nautilus_bitget.faults.result import Drill
from nautilus_bitget.faults.result import failed


SECRET = "drill-secret-Zq8"  # noqa: S105 - a drill canary
PASSPHRASE = "drill-pass-Kx3"  # noqa: S105 - a drill canary


async def drill_clock_skew() -> Drill:
    """The venue clock jumps 45 s ahead after start-up: 40008 must be fixed without the user."""
    name = "clock skew 45 s (40008)"
    expected = "order placed once after an automatic clock resync"
    start = time.monotonic()
    try:
        async with sim_running() as sim:
            s = ExecStack(sim)
            try:
                await s.start()
                sim.faults.clock_skew(45_000)
                order = s.market(OrderSide.BUY)
                await s.until_status(order, OrderStatus.FILLED, OrderStatus.REJECTED, wait=10.0)
                offset = s.client.http.clock_offset_ms
                cmp = await s.compare()
                status = s.status(order).name
            finally:
                await s.stop()
    except Exception as e:
        return failed(name, expected, e)
    ok = status == "FILLED" and abs(offset - 45_000) < 2_000
    observed = f"order {status}, clock offset now {offset:.0f} ms; {cmp.text()}"
    return Drill(name, expected, observed, cmp.lost, ok, time.monotonic() - start)


async def _startup_error(
    name: str,
    expected: str,
    must_mention: tuple[str, ...],
    build: Callable[[Any], Awaitable[ExecStack]],
) -> Drill:
    """Start an execution client built by ``build(sim)``; it must fail naming what to change."""
    start = time.monotonic()
    try:
        async with sim_running() as sim:
            stack = await build(sim)
            error: BaseException | None = None
            try:
                await stack.start()
            except Exception as e:
                error = e
            finally:
                await stack.stop()
    except Exception as e:
        return failed(name, expected, e)
    if error is None:
        return Drill(name, expected, "start-up succeeded (no error)", 0, False)
    text = str(error)
    missing = [m for m in must_mention if m.lower() not in text.lower()]
    leaked = SECRET in text or PASSPHRASE in text or SECRET in repr(error)
    observed = f"{type(error).__name__}: {text[:260]}"
    if missing:
        observed += f" [does not mention {missing}]"
    if leaked:
        observed += " [SECRET IN MESSAGE]"
    return Drill(name, expected, observed, 0, not missing and not leaked, time.monotonic() - start)


async def drill_bad_credentials() -> Drill:
    """Wrong secret for an existing key."""

    async def build(sim: Any) -> ExecStack:
        return ExecStack(sim, api_secret=SECRET, api_passphrase=PASSPHRASE)

    return await _startup_error(
        "bad credentials",
        "start-up error naming the credential settings",
        ("api_secret",),
        build,
    )


async def drill_uta_on_classic() -> Drill:
    """A Unified Trading Account key on the classic v2 endpoints."""

    async def build(sim: Any) -> ExecStack:
        sim.exchange.create_account("drill-uta-key", SECRET, PASSPHRASE, uta=True)
        return ExecStack(
            sim,
            api_key="drill-uta-key",
            api_secret=SECRET,
            api_passphrase=PASSPHRASE,
            account_mode="classic",
        )

    return await _startup_error(
        "UTA key on classic endpoints (40085)",
        "start-up error: 40085, set account_mode",
        ("40085", "account_mode"),
        build,
    )


async def drill_demo_key_on_live() -> Drill:
    """The simulator's demo key used with environment LIVE."""

    async def build(sim: Any) -> ExecStack:
        return ExecStack(sim, api_key="sim-demo-key")

    return await _startup_error(
        "demo key on live (40099)",
        "start-up error: 40099, set environment",
        ("40099", "environment"),
        build,
    )


async def drill_position_mode_locked() -> Drill:
    """Config wants hedge mode while a one-way position is open (40920)."""

    async def build(sim: Any) -> ExecStack:
        ex = sim.exchange
        ex.set_position_mode(SIM_API_KEY, {"productType": PRODUCT, "posMode": "one_way_mode"})
        ex.place_order(
            SIM_API_KEY,
            {
                "symbol": "BTCUSDT",
                "productType": PRODUCT,
                "marginMode": "crossed",
                "marginCoin": "USDT",
                "size": "0.01",
                "side": "buy",
                "orderType": "market",
                "clientOid": "DRILL-POS-1",
            },
        )
        return ExecStack(sim, "hedge")

    return await _startup_error(
        "position mode cannot be switched (40920)",
        "start-up error: close positions or set position_mode",
        ("40920", "position_mode", "close"),
        build,
    )


async def drill_unknown_symbol() -> Drill:
    """An instrument id that Bitget does not list."""
    name = "unknown symbol"
    expected = "error naming the symbol and what to change; other symbols keep working"
    nope = InstrumentId.from_str("NOPEUSDT-PERP.BITGET")
    start = time.monotonic()
    try:
        with captured_fds() as out:
            async with sim_running() as sim:
                from nautilus_trader.config import InstrumentProviderConfig

                provider = InstrumentProviderConfig(load_ids=frozenset({BTC, nope}))
                async with data_node(sim, instrument_provider=provider) as (_n, watch, client, _r):
                    try:
                        client.instruments.require(nope)
                        subscribe_error = "no error"
                    except ValueError as e:
                        subscribe_error = str(e)
                    btc_ok = watch.book.update_count > 0
    except Exception as e:
        return failed(name, expected, e)
    log = out[0] if out else ""
    logged = [line for line in log.splitlines() if "NOPEUSDT" in line and "ERROR" in line]
    ok = bool(logged) and "NOPEUSDT" in subscribe_error and btc_ok
    observed = (
        f"start-up log: {logged[0].split(']')[-1].strip()[:150] if logged else 'nothing logged'}; "
        f"subscribe: {subscribe_error[:150]}; BTCUSDT book {'flowing' if btc_ok else 'missing'}"
    )
    return Drill(name, expected, observed, 0, ok, time.monotonic() - start)


DRILLS = [
    drill_clock_skew,
    drill_unknown_symbol,
    drill_bad_credentials,
    drill_uta_on_classic,
    drill_demo_key_on_live,
    drill_position_mode_locked,
]
