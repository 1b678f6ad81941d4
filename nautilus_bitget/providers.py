"""
``BitgetInstrumentProvider``: Bitget perpetual contracts -> ``CryptoPerpetual`` instruments.

Contract rows come from the market API of the account's family (``api.market.MarketApi``): v2
``contracts`` per product type (bitget-protocol.md 4.2), or on a UTA account v3 ``instruments``
translated by the v3 implementation into the same rows (bitget-protocol-uta.md 2.2), so both build
identical instruments and ``InstrumentId``s: recorded data and strategy configs do not depend on
the account type. Until a client hands over its family (``use_api``), the v2 market API is used.
Delivery contracts and statuses that allow no API trading are excluded (see
``parsing.instruments``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from collections.abc import Sequence
from typing import Any

from nautilus_trader.common.component import LiveClock
from nautilus_trader.common.providers import InstrumentProvider
from nautilus_trader.config import InstrumentProviderConfig
from nautilus_trader.model.identifiers import InstrumentId
from nautilus_trader.model.instruments import CryptoPerpetual
from nautilus_trader.model.instruments import Instrument

from nautilus_bitget.api.family import BitgetApi
from nautilus_bitget.api.family import default_api
from nautilus_bitget.api.market import MarketApi
from nautilus_bitget.common.errors import BitgetError
from nautilus_bitget.common.symbol import infer_product_type
from nautilus_bitget.common.symbol import instrument_id_for_symbol
from nautilus_bitget.common.symbol import symbol_from_instrument_id
from nautilus_bitget.constants import BitgetProductType
from nautilus_bitget.http.client import BitgetHttpClient
from nautilus_bitget.http.market import BitgetMarketHttpAPI
from nautilus_bitget.parsing.instruments import BitgetInstrumentParseError
from nautilus_bitget.parsing.instruments import is_perpetual
from nautilus_bitget.parsing.instruments import is_tradable
from nautilus_bitget.parsing.instruments import parse_contract_to_instrument
from nautilus_bitget.schemas.common import num_int
from nautilus_bitget.schemas.market import BitgetContract


# Above this many requested symbols of one product type, one bulk request beats one per symbol
_BULK_THRESHOLD = 5


class BitgetInstrumentProvider(InstrumentProvider):
    """
    Provide Bitget perpetual instruments (USDT-M, USDC-M, COIN-M).

    Parameters
    ----------
    client : MarketApi, BitgetHttpClient or BitgetMarketHttpAPI
        The market API to load from, or the REST client (or v2 endpoint group) to use the v2
        market API on until ``use_api`` hands over the account's family.
    product_types : Sequence[BitgetProductType], default (USDT_FUTURES,)
        Product types loaded by ``load_all_async``.
    config : InstrumentProviderConfig, optional
        Nautilus provider config (``load_all`` / ``load_ids`` honoured by ``initialize``).
    clock : LiveClock, optional
        Clock for ``ts_init``; a new ``LiveClock`` by default.

    """

    def __init__(
        self,
        client: MarketApi | BitgetHttpClient | BitgetMarketHttpAPI,
        product_types: Sequence[BitgetProductType | str] = (BitgetProductType.USDT_FUTURES,),
        config: InstrumentProviderConfig | None = None,
        clock: LiveClock | None = None,
    ) -> None:
        super().__init__(config=config)
        if isinstance(client, BitgetMarketHttpAPI):
            client = client.client
        self._market: MarketApi = (
            default_api(client).market if isinstance(client, BitgetHttpClient) else client
        )
        self._product_types: tuple[BitgetProductType, ...] = tuple(
            p if isinstance(p, BitgetProductType) else BitgetProductType(p.upper())
            for p in product_types
        )
        if not self._product_types:
            raise ValueError("product_types must name at least one BitgetProductType")
        self._clock = clock or LiveClock()
        self._by_symbol: dict[str, CryptoPerpetual] = {}
        self._product_type_by_symbol: dict[str, BitgetProductType] = {}
        self._funding_interval_hours: dict[str, int] = {}
        self._loaded_all = False
        self._requested_ids: set[InstrumentId] = set()
        self.last_load_summary: str = ""

    @property
    def product_types(self) -> tuple[BitgetProductType, ...]:
        """The product types loaded by ``load_all_async``."""
        return self._product_types

    @property
    def market_api(self) -> MarketApi:
        """The market API instruments and funding intervals are loaded from."""
        return self._market

    @property
    def account_type(self) -> str:
        """``"classic"`` (instruments from API v2) or ``"uta"`` (API v3): the market API's."""
        return self._market.account_type

    def use_api(self, api: BitgetApi) -> None:
        """
        Load from the market API of an API family from now on (``api.family.select_api``).

        Instruments already loaded stay: both families build identical instruments.

        Parameters
        ----------
        api : BitgetApi
            The account's API family.

        """
        self._market = api.market

    async def fetch_contracts(
        self,
        product_type: BitgetProductType,
        symbol: str | None = None,
    ) -> list[BitgetContract]:
        """
        Return the contract rows of a product type (one symbol if given) in the v2 shape.

        Parameters
        ----------
        product_type : BitgetProductType
            The product type.
        symbol : str, optional
            Only this symbol.

        Returns
        -------
        list[BitgetContract]

        """
        return await self._market.contracts(product_type, symbol)

    # -- loading ------------------------------------------------------------------------------

    async def load_all_async(self, filters: dict | None = None) -> None:
        """
        Load every tradable perpetual of the configured product types.

        Parameters
        ----------
        filters : dict, optional
            ``{"symbols": [...]}`` keeps only those Bitget symbols.

        """
        keep = _symbol_filter(filters or self._filters)
        stats: dict[str, Counter] = {}
        for product_type in self._product_types:
            contracts = await self.fetch_contracts(product_type)
            if keep is not None:
                contracts = [c for c in contracts if c.symbol in keep]
            stats[product_type.value] = self._add_contracts(contracts, product_type)
        self._loaded_all = True
        self._log_summary(stats)

    async def load_ids_async(
        self,
        instrument_ids: list[InstrumentId],
        filters: dict | None = None,
    ) -> None:
        """
        Load only the given instruments (product type inferred from each symbol).

        Parameters
        ----------
        instrument_ids : list[InstrumentId]
            Ids of the form ``<symbol>-PERP.BITGET``.
        filters : dict, optional
            Unused (accepted for the Nautilus interface).

        """
        if not instrument_ids:
            return
        by_type: dict[BitgetProductType, set[str]] = {}
        for instrument_id in instrument_ids:
            self._requested_ids.add(instrument_id)
            symbol = symbol_from_instrument_id(instrument_id)
            by_type.setdefault(self.product_type_for(instrument_id), set()).add(symbol)
        stats: dict[str, Counter] = {}
        missing: list[str] = []
        for product_type, symbols in by_type.items():
            contracts = await self._fetch_symbols(product_type, symbols)
            found = {c.symbol for c in contracts}
            missing.extend(sorted(symbols - found))
            stats[product_type.value] = self._add_contracts(contracts, product_type)
        self._log_summary(stats)
        if missing:
            self._log.error(
                f"Instruments not found on Bitget: {', '.join(missing)} "
                "(check the symbol and that its product type is USDT/USDC/COIN-FUTURES)",
            )

    async def load_async(self, instrument_id: InstrumentId, filters: dict | None = None) -> None:
        """
        Load one instrument.

        Parameters
        ----------
        instrument_id : InstrumentId
            The instrument id, e.g. ``BTCUSDT-PERP.BITGET``.
        filters : dict, optional
            Unused.

        """
        await self.load_ids_async([instrument_id], filters)

    async def refresh(self) -> list[Instrument]:
        """
        Reload what was loaded before (all, or the requested ids) and return the instruments that
        are new or whose specification changed, so the clients can re-publish them.

        Returns
        -------
        list[Instrument]

        """
        before = {iid: _spec(inst) for iid, inst in self._instruments.items()}
        if self._loaded_all:
            await self.load_all_async()
        elif self._requested_ids:
            await self.load_ids_async(sorted(self._requested_ids, key=str))
        return [inst for iid, inst in self._instruments.items() if before.get(iid) != _spec(inst)]

    async def refresh_funding_intervals(self) -> dict[str, int]:
        """
        Update funding intervals from ``current-fund-rate`` (``fundingRateInterval``, 4.7).

        Bitget changes intervals by announcement, so the clients should call this periodically.

        Returns
        -------
        dict[str, int]
            Symbol -> interval hours for every loaded symbol.

        """
        by_type: dict[BitgetProductType, list[str]] = {}
        for symbol in sorted(self._by_symbol):
            by_type.setdefault(self._product_type_by_symbol[symbol], []).append(symbol)
        for product_type, symbols in sorted(by_type.items(), key=lambda item: item[0].value):
            for rate in await self._market.current_funding_rates(product_type, symbols):
                self._set_interval(rate.symbol, rate.fundingRateInterval)
        return dict(self._funding_interval_hours)

    def _set_interval(self, symbol: str, interval: Any) -> None:
        hours = num_int(interval)
        if hours and symbol in self._by_symbol:
            self._funding_interval_hours[symbol] = hours

    # -- lookups ------------------------------------------------------------------------------

    def instrument_for_symbol(self, symbol: str) -> CryptoPerpetual | None:
        """Return the loaded instrument of a Bitget symbol (``BTCUSDT``), or ``None``."""
        return self._by_symbol.get(symbol)

    def product_type_for(self, instrument_id: InstrumentId | str) -> BitgetProductType:
        """
        Return the product type of an instrument (as loaded, else inferred from the symbol).

        Parameters
        ----------
        instrument_id : InstrumentId or str
            The instrument id or Bitget symbol.

        Returns
        -------
        BitgetProductType

        """
        symbol = symbol_from_instrument_id(instrument_id)
        known = self._product_type_by_symbol.get(symbol)
        return known if known is not None else infer_product_type(symbol)

    def funding_interval_hours(self, instrument_id: InstrumentId | str) -> int | None:
        """Return the funding interval in hours of a loaded instrument, or ``None``."""
        return self._funding_interval_hours.get(symbol_from_instrument_id(instrument_id))

    # -- internals ----------------------------------------------------------------------------

    def _log_summary(self, stats: dict[str, Counter]) -> None:
        # One line per load: loaded and excluded counts per product type
        self.last_load_summary = _summary(stats)
        self._log.info(f"Instruments: {self.last_load_summary}")

    async def _fetch_symbols(
        self,
        product_type: BitgetProductType,
        symbols: set[str],
    ) -> list[BitgetContract]:
        if len(symbols) > _BULK_THRESHOLD:
            return [c for c in await self.fetch_contracts(product_type) if c.symbol in symbols]
        contracts: list[BitgetContract] = []
        for symbol in sorted(symbols):
            try:
                contracts.extend(await self.fetch_contracts(product_type, symbol))
            except BitgetError as e:
                # bitget-protocol.md 2.4: an unknown symbol answers 40034 "Parameter ... does not
                # exist"
                self._log.warning(f"Contracts {product_type.value} {symbol}: {e}")
        return [c for c in contracts if c.symbol in symbols]

    def _add_contracts(
        self,
        contracts: Iterable[BitgetContract],
        product_type: BitgetProductType,
    ) -> Counter:
        stats: Counter = Counter()
        ts_init = self._clock.timestamp_ns()
        for contract in contracts:
            if not is_perpetual(contract):
                stats["delivery"] += 1
                continue
            if not is_tradable(contract):
                stats[f"status {contract.symbolStatus or 'unknown'}"] += 1
                self._remove_symbol(contract.symbol)
                continue
            try:
                instrument = parse_contract_to_instrument(contract, product_type, ts_init)
            except BitgetInstrumentParseError as e:
                stats["invalid"] += 1
                self._log.warning(f"Skipping contract: {e}")
                continue
            self._add_instrument(instrument, product_type)
            hours = num_int(contract.fundInterval)
            if hours:
                self._funding_interval_hours[contract.symbol] = hours
            stats["loaded"] += 1
        return stats

    def _add_instrument(self, instrument: CryptoPerpetual, product_type: BitgetProductType) -> None:
        for currency in (
            instrument.base_currency,
            instrument.quote_currency,
            instrument.settlement_currency,
        ):
            self.add_currency(currency)
        self.add(instrument)
        symbol = instrument.raw_symbol.value
        self._by_symbol[symbol] = instrument
        self._product_type_by_symbol[symbol] = product_type

    def _remove_symbol(self, symbol: str) -> None:
        # A symbol that stopped trading (maintain/off) is dropped on refresh
        if self._by_symbol.pop(symbol, None) is not None:
            self._instruments.pop(instrument_id_for_symbol(symbol), None)


def _symbol_filter(filters: dict | None) -> set[str] | None:
    if not filters or not filters.get("symbols"):
        return None
    return {str(s) for s in filters["symbols"]}


def _spec(instrument: Instrument) -> dict[str, Any]:
    data = type(instrument).to_dict(instrument)
    data.pop("ts_event", None)
    data.pop("ts_init", None)
    return data


def _summary(stats: dict[str, Counter]) -> str:
    parts = []
    for product_type, counts in stats.items():
        excluded = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()) if k != "loaded")
        part = f"{product_type} loaded {counts.get('loaded', 0)}"
        parts.append(f"{part} (excluded: {excluded})" if excluded else part)
    return "; ".join(parts) if parts else "nothing requested"
