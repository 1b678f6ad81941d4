"""
``bitget-nt record`` and ``bitget-nt catalog info|compact``.

``record`` builds a data-only ``TradingNode`` with the Bitget data client and a ``BitgetRecorder``
and runs until ``--duration`` or SIGINT/SIGTERM (the node's kernel installs the handlers; the
recorder flushes in ``on_stop``). ``--env sim`` without URL overrides starts a simulator
in-process (``BitgetSimulator.start_background``: its own thread and event loop).

Storage options of a remote catalog (S3 endpoint, keys) are read as JSON from the environment
variable ``BITGET_NT_STORAGE_OPTIONS``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

from nautilus_bitget.compat import data_client
from nautilus_bitget.constants import BitgetEnvironment
from nautilus_bitget.constants import BitgetProductType


STORAGE_OPTIONS_ENV = "BITGET_NT_STORAGE_OPTIONS"
STATUS_ENV = "BITGET_NT_STATUS"
RECORDER_CACHE_TICKS = 100
DEFAULT_FLUSH_SECS = 10.0
WHOLE_VENUE_FLUSH_SECS = 60.0


def storage_options_from_env() -> dict[str, Any] | None:
    """Return the storage options in ``$BITGET_NT_STORAGE_OPTIONS`` (JSON object) or ``None``."""
    raw = os.environ.get(STORAGE_OPTIONS_ENV)
    if not raw:
        return None
    try:
        value = json.loads(raw)
    except json.JSONDecodeError as e:
        raise SystemExit(f"{STORAGE_OPTIONS_ENV}: not valid JSON ({e})") from None
    if not isinstance(value, dict):
        raise SystemExit(f"{STORAGE_OPTIONS_ENV}: must be a JSON object")
    return value


def _parse_symbols(text: str) -> tuple[str, ...] | None:
    symbols = tuple(s.strip().upper() for s in text.split(",") if s.strip())
    if not symbols:
        raise SystemExit("--symbols: give e.g. BTCUSDT,ETHUSDT or 'all'")
    if symbols == ("ALL",):
        return None
    return symbols


def _flush_secs(given: float | None, symbols: tuple[str, ...] | None) -> float:
    # A flush writes one file per instrument and type: over a whole venue (hundreds of
    # instruments) a 10 s window is more files than one writer serializes in 10 s
    if given is not None:
        if given <= 0:
            raise SystemExit("bitget-nt record: --flush-secs must be > 0")
        return given
    return WHOLE_VENUE_FLUSH_SECS if symbols is None else DEFAULT_FLUSH_SECS


def _parse_shard_arg(text: str | None) -> str | None:
    if not text:
        return None
    from nautilus_bitget.common.errors import BitgetConfigError
    from nautilus_bitget.recorder.shard import parse_shard

    try:
        index, count = parse_shard(text)
    except BitgetConfigError as e:
        raise SystemExit(f"bitget-nt record: {e}") from None
    return f"{index}/{count}"


def build_node(args: argparse.Namespace, urls: tuple[str | None, str | None, str | None]):
    """Return ``(node, recorder)``: a data-only TradingNode with a ``BitgetRecorder``."""
    from nautilus_trader.config import CacheConfig
    from nautilus_trader.config import InstrumentProviderConfig
    from nautilus_trader.config import TradingNodeConfig
    from nautilus_trader.live.node import TradingNode
    from nautilus_trader.model.identifiers import ClientId
    from nautilus_trader.model.identifiers import TraderId

    from nautilus_bitget.config import BitgetDataClientConfig
    from nautilus_bitget.factories import BitgetLiveDataClientFactory
    from nautilus_bitget.logs import node_logging
    from nautilus_bitget.recorder.actor import BitgetRecorder
    from nautilus_bitget.recorder.actor import BitgetRecorderConfig

    symbols = _parse_symbols(args.symbols)
    product_types = tuple(
        BitgetProductType(p.strip().upper())
        for p in (args.product_types or "USDT-FUTURES").split(",")
        if p.strip()
    )
    environment = BitgetEnvironment.DEMO if args.env == "demo" else BitgetEnvironment.LIVE
    data_config = BitgetDataClientConfig(
        environment=environment,
        base_url_http=urls[0],
        base_url_ws_public=urls[1],
        base_url_ws_private=urls[2],
        product_types=product_types,
        instrument_provider=InstrumentProviderConfig(load_all=True),
    )
    env_status = os.environ.get(STATUS_ENV)
    status = bool(getattr(args, "status", False)) or env_status == "1"
    status = status or (env_status != "0" and sys.stderr.isatty())
    status = status and not getattr(args, "quiet", False)
    recorder_config = BitgetRecorderConfig(
        catalog_path=args.catalog,
        symbols=symbols,
        bar_intervals=tuple(b.strip() for b in (args.bars or "").split(",") if b.strip()),
        depth10_interval_ms=args.depth10_interval_ms or 0,
        flush_interval_secs=_flush_secs(args.flush_secs, symbols),
        storage_options=storage_options_from_env(),
        status=status,
        status_duration_secs=args.duration,
        shard=_parse_shard_arg(getattr(args, "shard", None)),
    )
    node_config = TradingNodeConfig(
        trader_id=TraderId("RECORDER-001"),
        # The recorder reads no cached ticks: the default 10 000 per instrument and type grows
        # to gigabytes over a whole venue
        cache=CacheConfig(tick_capacity=RECORDER_CACHE_TICKS, bar_capacity=RECORDER_CACHE_TICKS),
        logging=node_logging(data_only=True),
        data_clients={"BITGET": data_config},
        timeout_connection=30.0,
        timeout_disconnection=5.0,
        timeout_post_stop=0.5,
    )
    node = TradingNode(config=node_config)
    recorder = BitgetRecorder(recorder_config)
    node.trader.add_actor(recorder)
    node.add_data_client_factory("BITGET", BitgetLiveDataClientFactory)
    node.build()
    client = data_client(node, ClientId("BITGET"))
    if client is not None and hasattr(client, "stats"):
        recorder.attach_client_stats(client.stats.as_dict)
    return node, recorder


def _stop_after_duration(node: Any, loop: Any) -> None:
    """Close the public sockets first, then stop the node: the final flush then writes what was
    received, instead of racing thousands of frames per second still arriving (whole venue)."""
    from nautilus_trader.model.identifiers import ClientId

    client = data_client(node, ClientId("BITGET"))
    pool = getattr(client, "ws", None)

    async def stop() -> None:
        if pool is not None:
            await pool.disconnect()
        node.stop()

    loop.create_task(stop())


def run(args: argparse.Namespace) -> int:
    """Run ``bitget-nt record``; return the exit code."""
    from nautilus_bitget.live import dispose_node

    urls: tuple[str | None, str | None, str | None] = (
        args.http_url,
        args.ws_public_url,
        args.ws_private_url,
    )
    sim = None
    if args.env == "sim" and not args.http_url:
        from nautilus_bitget.sim import BitgetSimulator
        from nautilus_bitget.sim import SimConfig

        symbols = _parse_symbols(args.symbols)
        sim = BitgetSimulator(
            SimConfig(host="127.0.0.1", port=0, symbols=list(symbols) if symbols else None)
        )
        sim.start_background()  # own thread and event loop
        urls = (sim.http_url, sim.ws_public_url, sim.ws_private_url)
        print(f"simulator: http={urls[0]} ws_public={urls[1]}", file=sys.stderr, flush=True)
    elif args.env == "sim":
        http = args.http_url.rstrip("/")
        ws = http.replace("http", "ws", 1)
        urls = (http, args.ws_public_url or f"{ws}/v2/ws/public", args.ws_private_url)
    try:
        node, recorder = build_node(args, urls)
        loop = node.get_event_loop()
        if args.duration:
            loop.call_later(args.duration, _stop_after_duration, node, loop)
        recorder.on_fatal = lambda _: loop.call_later(0.2, node.stop)
        try:
            node.run()
        finally:
            dispose_node(node)
        if recorder.start_error:
            print(f"bitget-nt record: {recorder.start_error}", file=sys.stderr)
            return 2
        stats = recorder.writer.stats
        print(
            f"recorded {stats.rows} rows in {stats.files} files ({stats.bytes} bytes) to "
            f"{args.catalog}; gaps {recorder.gap_count}, resyncs {recorder.resync_count}; "
            f"manifest recorder/sessions/{recorder.session_id}.json",
            file=sys.stderr,
            flush=True,
        )
        return 1 if recorder.flush_errors else 0
    finally:
        if sim is not None:
            sim.stop_background()


def info(args: argparse.Namespace) -> int:
    """Run ``bitget-nt catalog info PATH``."""
    from nautilus_bitget.recorder.catalog_tools import format_info
    from nautilus_bitget.recorder.catalog_tools import info_dict
    from nautilus_bitget.recorder.writer import CatalogWriter

    if "://" not in args.path and not os.path.isdir(args.path):
        raise ValueError(
            f"no catalog at {args.path}: record or download into it first, or try "
            "`bitget-nt catalog info data/sample`"
        )
    writer = CatalogWriter(args.path, storage_options_from_env())
    data = info_dict(writer)
    if getattr(args, "json", False):
        print(json.dumps(data, indent=2))
    else:
        print(format_info(data))
    return 0


def compact(args: argparse.Namespace) -> int:
    """Run ``bitget-nt catalog compact PATH``."""
    from nautilus_bitget.recorder.catalog_tools import compact as compact_catalog
    from nautilus_bitget.recorder.writer import CatalogWriter

    writer = CatalogWriter(args.path, storage_options_from_env())
    result = compact_catalog(writer)
    print(
        f"compacted {args.path}: {result['files_before']} files -> {result['files_after']} "
        f"({result['merged_groups']} day groups merged)",
    )
    return 0
