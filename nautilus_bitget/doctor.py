"""
``bitget-nt doctor``: check, before going live, what ``bitget-nt live`` would meet on connect.

One line per check: credentials present and accepted, account type (classic / UTA), the key's
permissions (a withdrawal permission is warned about), clock offset, the config's instruments,
position mode, margin mode and leverage, balances. The exit code is 1 when a check failed that
would stop ``live``; warnings do not fail.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from typing import Final

import msgspec

from nautilus_bitget.common.credentials import BitgetCredentials
from nautilus_bitget.common.credentials import mask
from nautilus_bitget.common.credentials import resolve_credentials
from nautilus_bitget.common.errors import BitgetAuthenticationError
from nautilus_bitget.common.errors import BitgetError
from nautilus_bitget.constants import ENV_API_KEY
from nautilus_bitget.constants import ENV_API_PASSPHRASE
from nautilus_bitget.constants import ENV_API_SECRET
from nautilus_bitget.constants import PERP_SUFFIX
from nautilus_bitget.constants import SIM_API_KEY
from nautilus_bitget.constants import SIM_API_PASSPHRASE
from nautilus_bitget.constants import SIM_API_SECRET
from nautilus_bitget.constants import BitgetEnvironment
from nautilus_bitget.constants import default_urls


OK: Final = "ok"
WARN: Final = "warn"
FAIL: Final = "FAIL"
SKIP: Final = "skip"

# Larger offsets are corrected in request signatures, but Nautilus's own clock is the machine's
CLOCK_WARN_MS: Final = 1_000.0
# Futures trading needs order and holdings write (bitget-protocol.md 5.14)
V2_TRADE_CODES: Final = ("coow", "cpow")
V2_WITHDRAW: Final = "wwow"
V3_TRADE: Final = "uta_trade"  # bitget-protocol-uta.md 1.4
V3_WITHDRAW: Final = "withdraw"
V2_KEY_INFO: Final = "/api/v2/spot/account/info"
V3_KEY_INFO: Final = "/api/v3/account/info"
V2_ACCOUNT: Final = "/api/v2/mix/account/account"
V3_SETTINGS: Final = "/api/v3/account/settings"


@dataclass(frozen=True)
class Check:
    """One check's outcome: ``status`` is ``ok``, ``warn``, ``FAIL`` or ``skip``."""

    name: str
    status: str
    detail: str

    def line(self) -> str:
        """Return the one-line display."""
        return f"{self.status:<5} {self.name:<14} {self.detail}"


class Doctor:
    """
    Run the checks against one environment.

    Parameters
    ----------
    env : {"sim", "demo", "live"}
        The environment ``live`` would use.
    http_url : str
        The REST host.
    symbols : list[str]
        Bitget symbols of the config (may be empty).
    position_mode : {"one_way", "hedge"}, optional
        The ``--position-mode`` ``live`` would get.
    margin_mode : str, default "crossed"
        The margin mode orders are sent with (``BitgetExecClientConfig.margin_mode``).

    """

    def __init__(
        self,
        env: str,
        http_url: str,
        symbols: list[str],
        position_mode: str | None = None,
        margin_mode: str = "crossed",
    ) -> None:
        self.env = env
        self.http_url = http_url
        self.symbols = symbols
        self.position_mode = position_mode
        self.margin_mode = margin_mode
        self.checks: list[Check] = []
        self._http: Any = None
        self._account_type: str | None = None
        self._routes: dict[str, Any] = {}

    def add(self, name: str, status: str, detail: str) -> None:
        """Record a check and print its line."""
        check = Check(name, status, detail)
        self.checks.append(check)
        print(check.line(), flush=True)

    @property
    def failed(self) -> bool:
        """Return whether a check failed that would stop ``live``."""
        return any(c.status == FAIL for c in self.checks)

    async def run(self) -> None:
        """Run every check in order; later checks are skipped when they cannot run."""
        from nautilus_bitget.http.client import BitgetHttpClient

        credentials = self._credentials()
        environment = BitgetEnvironment.DEMO if self.env == "demo" else BitgetEnvironment.LIVE
        self._http = BitgetHttpClient(
            self.http_url, credentials, environment=environment, max_retries=1
        )
        try:
            await self._clock()
            if credentials is not None:
                await self._account()
            if self._account_type is not None:
                await self._permissions()
            await self._instruments()
            if self._account_type is not None:
                await self._position_mode()
                await self._margin_and_leverage()
                await self._balances()
        finally:
            await self._http.close()

    # -- checks ---------------------------------------------------------------------------------

    def _credentials(self) -> BitgetCredentials | None:
        if self.env == "sim":
            credentials = resolve_credentials(
                SIM_API_KEY, SIM_API_SECRET, SIM_API_PASSPHRASE, required=True
            )
            self.add("credentials", OK, f"simulator key {SIM_API_KEY}")
            return credentials
        credentials = resolve_credentials(None, None, None, required=False)
        if credentials is None:
            names = (ENV_API_KEY, ENV_API_SECRET, ENV_API_PASSPHRASE)
            import os

            missing = ", ".join(n for n in names if not os.environ.get(n))
            self.add(
                "credentials",
                FAIL,
                f"missing: set {missing} ({self.env} key from Bitget's API management page)",
            )
            return None
        self.add("credentials", OK, f"{ENV_API_KEY}={mask(credentials.api_key)} (from environment)")
        return credentials

    async def _clock(self) -> None:
        try:
            await self._http.sync_clock()
        except BitgetError as e:
            self.add("clock", FAIL, f"{self.http_url} did not answer the server time: {e}")
            return
        offset = self._http.clock_offset_ms
        if abs(offset) > CLOCK_WARN_MS:
            self.add(
                "clock",
                WARN,
                f"offset {offset:+.0f} ms to Bitget (request timestamps are corrected; sync this "
                "machine's clock, e.g. NTP: Nautilus timestamps use it)",
            )
        else:
            self.add("clock", OK, f"offset {offset:+.0f} ms to Bitget")

    async def _account(self) -> None:
        from nautilus_bitget.api.detect import probe_account_type

        try:
            self._account_type = await probe_account_type(self._http)
        except BitgetAuthenticationError as e:
            self.add(
                "key", FAIL, f"rejected by Bitget ({self.env}): {e}; check the key, secret, "
                "passphrase and that it is a " + ("demo" if self.env == "demo" else "mainnet")
                + " key",
            )  # fmt: skip
            return
        except BitgetError as e:
            self.add("key", FAIL, f"account type not detected: {e}")
            return
        self.add("key", OK, f"accepted by Bitget ({self.env})")
        if self._account_type == "uta":
            self.add("account", OK, "unified trading account (UTA) detected: API v3")
        else:
            self.add("account", OK, "classic account detected: API v2")

    async def _permissions(self) -> None:
        uta = self._account_type == "uta"
        try:
            raw = await self._http.get(V3_KEY_INFO if uta else V2_KEY_INFO, None, signed=True)
            info = msgspec.json.decode(raw)
        except BitgetError as e:
            self.add("permissions", WARN, f"could not read the key's permissions: {e}")
            return
        granted = set((info.get("permissions") if uta else info.get("authorities")) or [])
        needed = (V3_TRADE,) if uta else V2_TRADE_CODES
        missing = [p for p in needed if p not in granted]
        shown = ",".join(sorted(granted)) or "none"
        if missing or (uta and info.get("permType") == "read-only"):
            self.add(
                "permissions",
                FAIL,
                f"{shown}: the key cannot trade futures (needs {', '.join(needed)} read-and-write)",
            )
        elif (V3_WITHDRAW if uta else V2_WITHDRAW) in granted:
            self.add(
                "permissions",
                WARN,
                f"{shown}: this key can WITHDRAW funds; a trading key does not need it "
                "(create one without withdrawal permission)",
            )
        else:
            self.add("permissions", OK, f"{shown} (trade, no withdrawal)")
        ips = info.get("ips") or ""
        if self.env == "sim":
            return
        if not ips:
            self.add("ip whitelist", WARN, "none: the key works from any IP address")
        else:
            self.add("ip whitelist", OK, ips)

    async def _instruments(self) -> None:
        from nautilus_bitget.api.family import build_api
        from nautilus_bitget.api.trading import Route
        from nautilus_bitget.live import product_type_of

        if not self.symbols:
            self.add("instruments", SKIP, "no --config given (or no <SYMBOL>-PERP.BITGET in it)")
            return
        api = build_api(self._account_type or "classic", self._http)
        for symbol in self.symbols:
            product_type = product_type_of(symbol)
            try:
                rows = await api.market.contracts(product_type, symbol)
            except BitgetError as e:
                self.add("instrument", FAIL, f"{symbol} ({product_type.value}): not found ({e})")
                continue
            row = next((r for r in rows if r.symbol == symbol), None)
            if row is None:
                self.add("instrument", FAIL, f"{symbol} ({product_type.value}): not listed")
                continue
            status = row.symbolStatus or "normal"
            coin = (row.supportMarginCoins or [row.quoteCoin])[0]
            self._routes[symbol] = Route(symbol, product_type.value, coin)
            self.add(
                "instrument",
                OK if status == "normal" else WARN,
                f"{symbol}{PERP_SUFFIX}.BITGET ({product_type.value}, margin {coin}): {status}",
            )

    async def _position_mode(self) -> None:
        from nautilus_bitget.api.family import build_api

        api = build_api(self._account_type or "classic", self._http)
        product_types = sorted({r.product_type for r in self._routes.values()}) or ["USDT-FUTURES"]
        for scope in api.trading.position_mode_scopes(product_types):
            route = next(
                (r for r in self._routes.values() if scope is None or r.product_type == scope),
                None,
            )
            label = scope or "account"
            try:
                current = await api.trading.position_mode(scope, route)
            except BitgetError as e:
                self.add("position mode", FAIL, f"{label}: not readable ({e})")
                continue
            if current is None:
                self.add("position mode", SKIP, f"{label}: no instrument of it in the config")
                continue
            shown = "hedge" if current == "hedge_mode" else "one_way"
            if self.position_mode is None and current == "hedge_mode":
                self.add(
                    "position mode",
                    FAIL,
                    f"{label}: hedge, but live without --position-mode needs one_way: pass "
                    "--position-mode hedge (or one_way to switch the account)",
                )
            elif self.position_mode is not None and self.position_mode != shown:
                self.add(
                    "position mode",
                    WARN,
                    f"{label}: {shown}; live will switch it to {self.position_mode} (refused "
                    "while positions or orders are open)",
                )
            else:
                self.add("position mode", OK, f"{label}: {shown}")

    async def _margin_and_leverage(self) -> None:
        if not self._routes:
            return
        uta = self._account_type == "uta"
        settings: dict[str, Any] = {}
        if uta:
            from nautilus_bitget.schemas.v3.account import BitgetV3AccountSettings

            try:
                data = await self._http.get(
                    V3_SETTINGS, None, signed=True, decoder=BitgetV3AccountSettings
                )
            except BitgetError as e:
                self.add("leverage", WARN, f"account settings not readable: {e}")
                return
            for config in (data.symbolConfigList if data is not None else None) or []:
                settings[config.symbol] = config
        for symbol, route in self._routes.items():
            if uta:
                config = settings.get(symbol)
                margin = config.marginMode if config is not None else None
                leverage = config.leverage if config is not None else None
            else:
                try:
                    raw = await self._http.get(
                        V2_ACCOUNT,
                        {
                            "symbol": symbol,
                            "productType": route.product_type,
                            "marginCoin": route.margin_coin,
                        },
                        signed=True,
                    )
                    row = msgspec.json.decode(raw) or {}
                except BitgetError as e:
                    self.add("leverage", WARN, f"{symbol}: account settings not readable: {e}")
                    continue
                margin = row.get("marginMode")
                leverage = (
                    row.get("crossedMarginLeverage")
                    if margin == "crossed"
                    else row.get("isolatedLongLever")
                )
            detail = (
                f"{symbol}: account {margin or '?'} margin, leverage {leverage or '?'}x; live "
                f"sends {self.margin_mode} orders and changes no leverage"
            )
            if margin and margin != self.margin_mode and not uta:
                self.add("leverage", WARN, f"{detail} (the modes differ: set it on Bitget first)")
            else:
                self.add("leverage", OK, detail)

    async def _balances(self) -> None:
        from nautilus_bitget.api.family import build_api

        api = build_api(self._account_type or "classic", self._http)
        product_types = sorted({r.product_type for r in self._routes.values()}) or ["USDT-FUTURES"]
        try:
            rows = await api.trading.balances(product_types)
        except BitgetError as e:
            self.add("balance", WARN, f"not readable: {e}")
            return
        shown = [f"{coin} {available} available" for _, available, coin in rows if available]
        wanted = {r.margin_coin for r in self._routes.values()}
        funded = {coin for _, available, coin in rows if available and float(available) > 0}
        if wanted - funded:
            self.add(
                "balance",
                WARN,
                f"no available {', '.join(sorted(wanted - funded))} to margin the config's "
                "instruments",
            )
        else:
            self.add("balance", OK, "; ".join(shown) or "(empty)")


def config_symbols(path: str | None) -> list[str]:
    """Return the Bitget symbols named in a strategy JSON config (``ValueError`` if unreadable)."""
    from nautilus_bitget.live import instrument_ids_in

    if not path:
        return []
    try:
        fields = json.loads(Path(path).read_text())
    except FileNotFoundError:
        raise ValueError(f"--config {path}: no such file") from None
    except json.JSONDecodeError as e:
        raise ValueError(f"--config {path}: not valid JSON ({e})") from None
    return [i.split(PERP_SUFFIX)[0] for i in instrument_ids_in(fields)]


def run(args: argparse.Namespace) -> int:
    """Run ``bitget-nt doctor``; return 1 if a check failed that would stop ``live``."""
    from nautilus_bitget.live import SimulatorThread

    symbols = config_symbols(args.config)
    sim = None
    http_url = args.http_url
    if http_url is None and args.env == "sim":
        sim = SimulatorThread(symbols or None)
        http_url = sim.start()[0]
    elif http_url is None:
        env = BitgetEnvironment.DEMO if args.env == "demo" else BitgetEnvironment.LIVE
        http_url = default_urls(env)[0]
    print(f"bitget-nt doctor: {args.env} at {http_url}", flush=True)
    doctor = Doctor(args.env, http_url, symbols, position_mode=args.position_mode)
    try:
        asyncio.run(doctor.run())
    finally:
        if sim is not None:
            sim.stop()
    fails = sum(c.status == FAIL for c in doctor.checks)
    warns = sum(c.status == WARN for c in doctor.checks)
    if fails:
        print(f"{fails} check(s) failed: `bitget-nt live` would stop; fix the FAIL lines")
    else:
        print(f"ready for `bitget-nt live --env {args.env}` ({warns} warning(s))")
    sys.stdout.flush()
    return 1 if fails else 0
