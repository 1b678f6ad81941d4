"""
The venue side of the history commands: a public market API for ``--env live|demo|sim`` (an
in-process simulator when ``--env sim`` has no ``--http-url``) and the instrument of a symbol.

Instruments are built exactly as the live instrument provider builds them: the contract row from
``MarketApi.contracts`` (bitget-protocol.md 4.2) through ``parse_contract_to_instrument``, so ids
and precisions match live data.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from dataclasses import dataclass
from typing import Any

from nautilus_trader.model.instruments import CryptoPerpetual

from nautilus_bitget.api.family import default_api
from nautilus_bitget.api.market import MarketApi
from nautilus_bitget.common.errors import BitgetConfigError
from nautilus_bitget.common.errors import BitgetSymbolError
from nautilus_bitget.common.symbol import infer_product_type
from nautilus_bitget.constants import HTTP_URL_LIVE
from nautilus_bitget.constants import BitgetEnvironment
from nautilus_bitget.constants import BitgetProductType
from nautilus_bitget.http.client import BitgetHttpClient
from nautilus_bitget.parsing.book import BookContext
from nautilus_bitget.parsing.instruments import is_perpetual
from nautilus_bitget.parsing.instruments import parse_contract_to_instrument
from nautilus_bitget.schemas.common import num_int


ENVS = ("live", "demo", "sim")
# Downloads page through thousands of requests: ride out a 429 or 5xx burst instead of failing
# (the transport backs off between attempts, common/backoff.py)
HTTP_MAX_RETRIES = 8
HTTP_TIMEOUT_SECS = 15.0
# The transport logs each retry and failure; the commands report failures themselves (one line)
_QUIET = logging.getLogger("nautilus_bitget.history.transport")
_QUIET.setLevel(logging.ERROR)


class HistoryInputError(BitgetConfigError):
    """Bad user input to ``download`` / ``import-tardis``: one line, exit code 2."""


@dataclass(frozen=True)
class ResolvedInstrument:
    """
    A Bitget perpetual as the live client knows it.

    Attributes
    ----------
    symbol : str
        The Bitget symbol (``BTCUSDT``).
    product_type : BitgetProductType
        Its product type.
    instrument : CryptoPerpetual
        The instrument (``BTCUSDT-PERP.BITGET``), built like the live provider's.
    funding_interval_mins : int or None
        The contract's funding interval (``fundInterval`` hours, in minutes).

    """

    symbol: str
    product_type: BitgetProductType
    instrument: CryptoPerpetual
    funding_interval_mins: int | None

    def context(self) -> BookContext:
        """Return a parsing context (prices and sizes exactly as the live parsers make them)."""
        return BookContext(self.instrument)


class Venue:
    """
    A public Bitget REST market API for one environment, and the simulator behind it if any.

    Parameters
    ----------
    env : {"live", "demo", "sim"}
        The environment.
    http_url : str, optional
        REST base URL override (required to reach a simulator started elsewhere).
    sim_symbols : list[str], optional
        Symbols of an in-process simulator (``--env sim`` without ``--http-url``).

    """

    def __init__(
        self,
        env: str,
        http_url: str | None = None,
        sim_symbols: list[str] | None = None,
    ) -> None:
        if env not in ENVS:
            raise HistoryInputError(f"--env: {env!r} is not one of {', '.join(ENVS)}")
        self.env = env
        self._http_url = http_url
        self._sim_symbols = sim_symbols
        self.sim: Any = None
        self.http: BitgetHttpClient | None = None
        self.market: MarketApi | None = None
        self._resolved: dict[str, ResolvedInstrument] = {}

    async def start(self) -> None:
        """Start the in-process simulator if needed and open the REST client."""
        url = self._http_url
        if self.env == "sim" and not url:
            from nautilus_bitget.sim import BitgetSimulator
            from nautilus_bitget.sim import SimConfig

            fields = {f.name for f in dataclasses.fields(SimConfig)}
            kwargs: dict[str, Any] = {"host": "127.0.0.1", "port": 0}
            if self._sim_symbols and "symbols" in fields:
                kwargs["symbols"] = list(self._sim_symbols)
            self.sim = BitgetSimulator(SimConfig(**kwargs))
            await self.sim.start()
            url = self.sim.http_url
        environment = BitgetEnvironment.DEMO if self.env == "demo" else BitgetEnvironment.LIVE
        self.http = BitgetHttpClient(
            url or HTTP_URL_LIVE,
            environment=environment,
            timeout_secs=HTTP_TIMEOUT_SECS,
            max_retries=HTTP_MAX_RETRIES,
            logger=_QUIET,
        )
        self.market = default_api(self.http).market
        # "now" is the venue's (closed candles, the trades horizon), not this machine's clock
        await self.http.sync_clock()

    async def close(self) -> None:
        """Close the REST client and stop the in-process simulator."""
        if self.http is not None:
            await self.http.close()
        if self.sim is not None:
            await self.sim.stop()
            self.sim = None

    async def __aenter__(self) -> Venue:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def now_ms(self) -> int:
        """Return the venue's time estimate in ms (the transport's clock offset applied)."""
        assert self.http is not None
        return self.http.timestamp_ms()

    async def resolve(self, symbol: str) -> ResolvedInstrument:
        """
        Return the perpetual of a Bitget symbol.

        Raises
        ------
        HistoryInputError
            If no product type lists the symbol, or it is not a perpetual.

        """
        symbol = symbol.strip().upper()
        known = self._resolved.get(symbol)
        if known is not None:
            return known
        assert self.market is not None, "call start() first"
        inferred = infer_product_type(symbol)
        order = [inferred, *(p for p in BitgetProductType if p is not inferred)]
        for product_type in order:
            try:
                rows = await self.market.contracts(product_type, symbol)
            except BitgetSymbolError:
                continue
            row = next((r for r in rows if r.symbol == symbol), None)
            if row is None:
                continue
            if not is_perpetual(row):
                raise HistoryInputError(
                    f"{symbol} is a {row.symbolType or 'non-perpetual'} contract on "
                    f"{product_type.value}, not a perpetual: only perpetuals "
                    "(<symbol>-PERP.BITGET) are supported",
                )
            instrument = parse_contract_to_instrument(row, product_type, time.time_ns())
            hours = num_int(row.fundInterval)
            resolved = ResolvedInstrument(
                symbol=symbol,
                product_type=product_type,
                instrument=instrument,
                funding_interval_mins=hours * 60 if hours and hours > 0 else None,
            )
            self._resolved[symbol] = resolved
            return resolved
        where = f"simulator {self._http_url or 'in-process'}" if self.env == "sim" else self.env
        raise HistoryInputError(
            f"unknown symbol {symbol}: no Bitget USDT-, USDC- or COIN-FUTURES contract has it "
            f"({where})",
        )
