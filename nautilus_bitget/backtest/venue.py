"""
Backtest venue and data configuration from what a Parquet catalog holds.

Works on any Nautilus catalog with ``-PERP.BITGET`` instruments (not only ours):

- venue: ``BITGET``, MARGIN account, OMS from the position mode (one_way -> NETTING,
  hedge -> HEDGING), fees from each instrument (``MakerTakerFeeModel``), leverage from the caller,
  funding settled by ``FundingSettlementModule``;
- book type: ``L2_MBP`` when the catalog has order book deltas (or depth10) for a traded instrument,
  so orders match against the recorded book; otherwise ``L1_MBP``, where quotes, trades and bars
  move the simulated market;
- data: one ``BacktestDataConfig`` per recorded type present for the traded instruments:
  ``OrderBookDeltas`` (batched by ``F_LAST``), ``OrderBookDepth10``, ``QuoteTick``, ``TradeTick``,
  every recorded bar type, ``MarkPriceUpdate`` and ``FundingRateUpdate``. ``IndexPriceUpdate`` is
  left out: 1.231 cannot read it back from a catalog (``NotImplementedError`` in the Arrow
  deserializer) and the simulated venue does not use it.
  Runs stream the catalog in chunks (``streaming.py``, which also carries ``FundingRateUpdate``
  and re-batches the streamed deltas).
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from typing import Any
from typing import cast

from nautilus_trader.config import BacktestDataConfig
from nautilus_trader.config import BacktestVenueConfig
from nautilus_trader.config import ImportableActorConfig
from nautilus_trader.config import ImportableFeeModelConfig
from nautilus_trader.config import ImportableFillModelConfig
from nautilus_trader.model.data import Bar
from nautilus_trader.model.data import FundingRateUpdate
from nautilus_trader.model.data import MarkPriceUpdate
from nautilus_trader.model.data import OrderBookDeltas
from nautilus_trader.model.data import OrderBookDepth10
from nautilus_trader.model.data import QuoteTick
from nautilus_trader.model.data import TradeTick
from nautilus_trader.model.identifiers import InstrumentId
from nautilus_trader.model.instruments import Instrument
from nautilus_trader.persistence.catalog import ParquetDataCatalog

from nautilus_bitget.common.errors import BitgetConfigError
from nautilus_bitget.constants import BITGET


# catalog directory name -> data class (per-instrument identifiers)
INSTRUMENT_DATA_TYPES: dict[str, type] = {
    "order_book_deltas": OrderBookDeltas,
    "order_book_depth10": OrderBookDepth10,
    "quote_tick": QuoteTick,
    "trade_tick": TradeTick,
    "mark_price_update": MarkPriceUpdate,
    "funding_rate_update": FundingRateUpdate,
}
BOOK_TYPES = ("order_book_deltas", "order_book_depth10")
POSITION_MODES = {"one_way": "NETTING", "hedge": "HEDGING"}


@dataclass
class CatalogContents:
    """
    What a catalog holds for the venue.

    Attributes
    ----------
    instruments : dict[InstrumentId, Instrument]
        Latest version of every ``-PERP.BITGET`` instrument.
    identifiers : dict[str, set[str]]
        Data directory name (``quote_tick``, ``bar`` ...) -> identifiers present.

    """

    instruments: dict[InstrumentId, Instrument]
    identifiers: dict[str, set[str]] = field(default_factory=dict)

    def has(self, type_name: str, identifier: str) -> bool:
        """Return whether data of ``type_name`` exists for ``identifier``."""
        return identifier in self.identifiers.get(type_name, set())

    def bar_types(self, instrument_id: InstrumentId) -> list[str]:
        """Return the recorded bar types of ``instrument_id``, sorted (MARK bars left out: the
        1.231 matching engine raises on a MARK bar of an L1 venue, and does not trade on them)."""
        return sorted(
            b
            for b in self.identifiers.get("bar", set())
            if b.startswith(f"{instrument_id}-") and "-MARK-" not in b
        )


def inspect_catalog(catalog: ParquetDataCatalog) -> CatalogContents:
    """
    Return the BITGET perpetual instruments and the data identifiers in ``catalog``.

    Parameters
    ----------
    catalog : ParquetDataCatalog
        The catalog.

    Returns
    -------
    CatalogContents

    """
    instruments: dict[InstrumentId, Instrument] = {}
    for instrument in sorted(catalog.instruments(), key=lambda i: i.ts_init):
        iid = instrument.id
        if iid.venue.value == BITGET and iid.symbol.value.endswith("-PERP"):
            instruments[iid] = instrument  # the latest version wins
    identifiers: dict[str, set[str]] = {}
    for type_name in catalog.list_data_types():
        base = f"{catalog.path.rstrip('/')}/data/{type_name}"
        try:
            entries = catalog.fs.ls(base, detail=True)
        except FileNotFoundError:
            continue
        names = {
            e["name"].rstrip("/").rsplit("/", 1)[-1] for e in entries if e["type"] == "directory"
        }
        identifiers[type_name] = names
    return CatalogContents(instruments=instruments, identifiers=identifiers)


def referenced_instruments(config_fields: dict, contents: CatalogContents) -> list[InstrumentId]:
    """
    Return the catalog instruments a strategy config refers to (all of them if none is named).

    Any string value (also inside lists) equal to an instrument id, or a bar type of one, counts.
    """
    known = {str(i): i for i in contents.instruments}
    found: dict[str, InstrumentId] = {}

    def visit(value) -> None:
        if isinstance(value, str):
            if value in known:
                found[value] = known[value]
            elif "-PERP.BITGET-" in value:
                key = value.split("-PERP.BITGET-")[0] + "-PERP.BITGET"
                if key in known:
                    found[key] = known[key]
        elif isinstance(value, list | tuple):
            for v in value:
                visit(v)
        elif isinstance(value, dict):
            for v in value.values():
                visit(v)

    visit(config_fields)
    return [found[k] for k in sorted(found)] or sorted(contents.instruments, key=str)


def book_type_for(contents: CatalogContents, instrument_ids: list[InstrumentId]) -> str:
    """Return ``L2_MBP`` when any traded instrument has recorded book data, else ``L1_MBP``."""
    for iid in instrument_ids:
        if any(contents.has(t, str(iid)) for t in BOOK_TYPES):
            return "L2_MBP"
    return "L1_MBP"


def build_venue_config(
    contents: CatalogContents,
    instrument_ids: list[InstrumentId],
    *,
    starting_balance: str = "10000 USDT",
    leverage: float | None = None,
    position_mode: str = "one_way",
    fill_model: ImportableFillModelConfig | None = None,
    settle_funding: bool = True,
) -> BacktestVenueConfig:
    """
    Return the ``BITGET`` venue config for a backtest of ``instrument_ids``.

    Parameters
    ----------
    contents : CatalogContents
        What the catalog holds.
    instrument_ids : list[InstrumentId]
        The traded instruments.
    starting_balance : str, default "10000 USDT"
        Starting margin balance (its currency is the account's base currency).
    leverage : float, optional
        Leverage for every traded instrument (default 10, Bitget's usual default).
    position_mode : {"one_way", "hedge"}, default "one_way"
        Bitget position mode: one-way -> NETTING, hedge -> HEDGING.
    fill_model : ImportableFillModelConfig, optional
        A fill model (default: Nautilus's, which fills at the touch).
    settle_funding : bool, default True
        Add ``FundingSettlementModule``.

    Returns
    -------
    BacktestVenueConfig

    """
    if position_mode not in POSITION_MODES:
        raise BitgetConfigError(
            f"position_mode {position_mode!r} is not one of {tuple(POSITION_MODES)}"
        )
    lev = float(leverage) if leverage is not None else 10.0
    if lev <= 0:
        raise BitgetConfigError(f"leverage must be > 0, was {leverage}")
    currency = starting_balance.split()[-1]
    modules = None
    if settle_funding:
        modules = [
            ImportableActorConfig(
                actor_path="nautilus_bitget.backtest.funding:FundingSettlementModule",
                config_path="nautilus_bitget.backtest.funding:FundingSettlementModuleConfig",
                config={},
            ),
        ]
    return BacktestVenueConfig(
        name=BITGET,
        oms_type=POSITION_MODES[position_mode],
        account_type="MARGIN",
        base_currency=currency,
        starting_balances=[starting_balance],
        default_leverage=lev,
        leverages={str(i): lev for i in instrument_ids},
        book_type=book_type_for(contents, instrument_ids),
        fee_model=ImportableFeeModelConfig(
            fee_model_path="nautilus_trader.backtest.models:MakerTakerFeeModel",
            config_path="nautilus_trader.backtest.config:MakerTakerFeeModelConfig",
            config={},
        ),
        fill_model=fill_model,
        modules=modules,
        use_reduce_only=True,
        bar_execution=True,
        trade_execution=True,
    )


def build_data_configs(
    catalog: ParquetDataCatalog,
    contents: CatalogContents,
    instrument_ids: list[InstrumentId],
    *,
    start_time: str | int | None = None,
    end_time: str | int | None = None,
) -> list[BacktestDataConfig]:
    """
    Return one data config per recorded data type (and bar type) of ``instrument_ids``.

    Parameters
    ----------
    catalog : ParquetDataCatalog
        The catalog (its location and storage options go into each config, so whoever runs the
        configs reads the catalog itself).
    contents : CatalogContents
        What the catalog holds.
    instrument_ids : list[InstrumentId]
        The traded instruments.
    start_time, end_time : str or int, optional
        Time range (ISO string or UNIX ns).

    Returns
    -------
    list[BacktestDataConfig]

    """
    where: dict[str, Any] = {
        "catalog_path": catalog.path,
        "catalog_fs_protocol": catalog.fs_protocol,
        "catalog_fs_storage_options": catalog.fs_storage_options or None,
        "catalog_fs_rust_storage_options": catalog.fs_rust_storage_options or None,
    }
    configs: list[BacktestDataConfig] = []
    for iid in instrument_ids:
        for type_name, data_cls in INSTRUMENT_DATA_TYPES.items():
            if contents.has(type_name, str(iid)):
                configs.append(
                    BacktestDataConfig(
                        **where,
                        data_cls=cast(Any, data_cls),  # NT annotates str, takes the class too
                        instrument_id=iid,
                        start_time=start_time,
                        end_time=end_time,
                    ),
                )
        bar_types = contents.bar_types(iid)
        if bar_types:
            configs.append(
                BacktestDataConfig(
                    **where,
                    data_cls=Bar,
                    bar_types=bar_types,
                    start_time=start_time,
                    end_time=end_time,
                ),
            )
    return configs
