"""
Public REST endpoints of the simulator (bitget-protocol.md 4): ``/api/v2/public/time`` and
``/api/v2/mix/market/...``. Each handler takes ``(context, call)`` and returns the envelope's
``data``; it raises :class:`~nautilus_bitget.sim.errors.SimError` to answer with an error
envelope (:mod:`~nautilus_bitget.sim.pipeline` does the rest).
"""

from __future__ import annotations

from typing import Any
from typing import Final

from nautilus_bitget.sim import wire
from nautilus_bitget.sim.context import RestContext
from nautilus_bitget.sim.contracts import DEMO_PRODUCT_TYPES
from nautilus_bitget.sim.contracts import ContractSpec
from nautilus_bitget.sim.contracts import demo_contract
from nautilus_bitget.sim.errors import SimError
from nautilus_bitget.sim.exchange import SimExchange
from nautilus_bitget.sim.pipeline import RestCall
from nautilus_bitget.sim.pipeline import Route


PRODUCT_TYPES = ("USDT-FUTURES", "USDC-FUTURES", "COIN-FUTURES")
GRANULARITIES = {
    "1m",
    "3m",
    "5m",
    "15m",
    "30m",
    "1H",
    "4H",
    "6H",
    "12H",
    "1D",
    "3D",
    "1W",
    "1M",
    "6Hutc",
    "12Hutc",
    "1Dutc",
    "3Dutc",
    "1Wutc",
    "1Mutc",
}
_GRAN_MS = {
    "m": 60_000,
    "H": 3_600_000,
    "D": 86_400_000,
    "W": 7 * 86_400_000,
    "M": 31 * 86_400_000,
}


# -- parameter helpers ------------------------------------------------------------------------
def require(q: Any, name: str) -> str:
    """Return a required parameter or raise 40019."""
    value = q.get(name)
    if value is None or value == "":
        raise SimError("40019", f"Parameter {name} cannot be empty")
    return str(value)


def product_type(q: Any) -> str:
    """Return the (uppercased) ``productType`` parameter; lowercase works too (9.7)."""
    pt = require(q, "productType").upper()
    if pt not in PRODUCT_TYPES:
        raise SimError("40020", "Parameter productType error")
    return pt


def listing_product_type(q: Any) -> str:
    """Return ``productType`` of a listing endpoint: the demo ``S`` types too (1.2 (B))."""
    pt = require(q, "productType").upper()
    if pt not in PRODUCT_TYPES and pt not in DEMO_PRODUCT_TYPES:
        raise SimError("40020", "Parameter productType error")
    return pt


def _demo_listing(ex: SimExchange, demo_pt: str) -> dict[str, tuple[ContractSpec, str]]:
    """Return demo symbol -> (demo contract, real symbol) of a demo product type (1.2 (B))."""
    out = {}
    for spec in ex.contracts_of(DEMO_PRODUCT_TYPES[demo_pt]):
        demo = demo_contract(spec)
        out[demo.symbol] = (demo, spec.symbol)
    return out


def int_param(q: Any, name: str, default: int | None = None, lo: int = 0, hi: int | None = None):
    """Return an int parameter (or ``default``) checked against bounds (40020)."""
    value = q.get(name)
    if value is None or value == "":
        return default
    try:
        out = int(str(value))
    except ValueError:
        raise SimError("40020", f"Parameter {name} error") from None
    if out < lo or (hi is not None and out > hi):
        raise SimError("40020", f"Parameter {name} error")
    return out


def symbol_of(ex: SimExchange, q: Any, pt: str, *, market: bool = True) -> str:
    """Return the ``symbol`` parameter checked against ``pt`` (40034 when unknown)."""
    symbol = require(q, "symbol").upper()
    spec = ex.contracts.get(symbol)
    if spec is None or spec.product_type != pt or (market and symbol not in ex.markets):
        raise SimError("40034", f"Parameter {symbol} does not exist")
    return symbol


def _symbols(ex: SimExchange, q: Any, pt: str) -> list[str]:
    if q.get("symbol"):
        return [symbol_of(ex, q, pt)]
    return [s for s, spec in ex.contracts.items() if spec.product_type == pt and s in ex.markets]


# -- handlers ---------------------------------------------------------------------------------
def server_time(ctx: RestContext, call: RestCall) -> Any:
    """``GET /api/v2/public/time`` (4.1)."""
    return {"serverTime": str(ctx.now_ms())}


def contracts(ctx: RestContext, call: RestCall) -> Any:
    """``GET market/contracts`` (4.2): all listed contracts of the product type."""
    pt = listing_product_type(call.query)
    if pt in DEMO_PRODUCT_TYPES:
        # 1.2 (B): the demo product types list the same contracts under S-prefixed names
        listing = _demo_listing(ctx.exchange, pt)
        wanted = (call.query.get("symbol") or "").upper()
        if wanted and wanted not in listing:
            raise SimError("40034", f"Parameter {wanted} does not exist")
        return [c.contract_row() for s, (c, _) in listing.items() if s == wanted or not wanted]
    if call.query.get("symbol"):
        symbol = symbol_of(ctx.exchange, call.query, pt, market=False)
        return [ctx.exchange.contracts[symbol].contract_row()]
    return [c.contract_row() for c in ctx.exchange.contracts_of(pt)]


def merge_depth(ctx: RestContext, call: RestCall) -> Any:
    """``GET market/merge-depth`` (4.3): levels as JSON numbers."""
    pt = product_type(call.query)
    symbol = symbol_of(ctx.exchange, call.query, pt)
    precision = call.query.get("precision") or "scale0"
    if precision not in ("scale0", "scale1", "scale2", "scale3"):
        raise SimError("40020", "Parameter precision error")
    limit_text = call.query.get("limit") or "100"
    if limit_text == "max":
        limit = 100
    elif limit_text in ("1", "5", "15", "50", "100"):
        limit = int(limit_text)
    else:
        raise SimError("40020", "Parameter limit error")
    spec = ctx.exchange.contracts[symbol]
    bids, asks = ctx.exchange.book(symbol, limit)
    return {
        "asks": [[float(p), float(sz)] for p, sz in asks],
        "bids": [[float(p), float(sz)] for p, sz in bids],
        "ts": str(ctx.exchange.now_ms()),
        "scale": wire.s(spec.tick),
        "precision": precision,
        "isMaxPrecision": "YES" if precision == "scale0" else "NO",
    }


def ticker_row(ex: SimExchange, symbol: str) -> dict:
    """Return one REST ticker row (4.4)."""
    t = ex.ticker(symbol)
    return {
        "symbol": symbol,
        "lastPr": t.last_pr,
        "askPr": t.ask_pr,
        "bidPr": t.bid_pr,
        "bidSz": t.bid_sz,
        "askSz": t.ask_sz,
        "high24h": t.high24h,
        "low24h": t.low24h,
        "ts": str(t.ts),
        "change24h": t.change24h,
        "baseVolume": t.base_volume,
        "quoteVolume": t.quote_volume,
        "usdtVolume": t.usdt_volume,
        "openUtc": t.open_utc,
        "changeUtc24h": t.change_utc24h,
        "indexPrice": t.index_price,
        "fundingRate": t.funding_rate,
        "holdingAmount": t.holding_amount,
        # bitget-protocol.md 4.4: null for perpetuals in the real capture
        "deliveryStartTime": None,
        "deliveryTime": None,
        "deliveryStatus": "",
        "open24h": t.open24h,
        "markPrice": t.mark_price,
    }


def ticker(ctx: RestContext, call: RestCall) -> Any:
    """``GET market/ticker`` (4.4): an array with one row."""
    pt = listing_product_type(call.query)
    if pt in DEMO_PRODUCT_TYPES:
        wanted = require(call.query, "symbol").upper()
        rows = [r for r in _demo_tickers(ctx.exchange, pt) if r["symbol"] == wanted]
        if not rows:
            raise SimError("40034", f"Parameter {wanted} does not exist")
        return rows
    return [ticker_row(ctx.exchange, symbol_of(ctx.exchange, call.query, pt))]


def tickers(ctx: RestContext, call: RestCall) -> Any:
    """``GET market/tickers`` (4.4)."""
    pt = listing_product_type(call.query)
    if pt in DEMO_PRODUCT_TYPES:
        return _demo_tickers(ctx.exchange, pt)
    return [ticker_row(ctx.exchange, s) for s in _symbols(ctx.exchange, {}, pt)]


def _demo_tickers(ex: SimExchange, demo_pt: str) -> list[dict]:
    """Demo tickers (1.2 (B)): the demo market mirrors the real one under the demo name."""
    rows = []
    for demo_symbol, (_, real) in _demo_listing(ex, demo_pt).items():
        if real in ex.markets:
            rows.append({**ticker_row(ex, real), "symbol": demo_symbol})
    return rows


def _granularity(q: Any) -> str:
    gran = require(q, "granularity")
    if gran not in GRANULARITIES:
        raise SimError("40020", "Parameter granularity error")
    return gran


def granularity_ms(gran: str) -> int:
    """Return the length of a granularity in ms (months approximated as 31 days)."""
    base = gran.removesuffix("utc")
    return int(base[:-1]) * _GRAN_MS[base[-1]]


def _candles(ex: SimExchange, q: Any, kline_type: str, history: bool) -> Any:
    pt = product_type(q)
    symbol = symbol_of(ex, q, pt)
    gran = _granularity(q)
    limit = int_param(q, "limit", 100, 1, 200 if history else 1000)
    start = int_param(q, "startTime")
    end = int_param(q, "endTime")
    rows = ex.candles(
        symbol,
        gran,
        start_ms=start,
        end_ms=end,
        limit=limit + 1 if history else limit,
        kline_type=kline_type,
    )
    if history:
        # bitget-protocol.md 4.5: history-candles returns finished candles only
        now = ex.now_ms()
        step = granularity_ms(gran)
        rows = [r for r in rows if int(r[0]) + step <= now][-limit:]
    # bitget-protocol.md 4.5: REST rows have 7 columns
    return [list(r[:7]) for r in rows]


def candles(ctx: RestContext, call: RestCall) -> Any:
    """``GET market/candles`` (4.5): includes the forming candle; ``kLineType``."""
    kline_type = (call.query.get("kLineType") or "market").lower()
    if kline_type not in ("market", "mark", "index"):
        raise SimError("40020", "Parameter kLineType error")
    return _candles(ctx.exchange, call.query, kline_type, history=False)


def history_candles(ctx: RestContext, call: RestCall) -> Any:
    """``GET market/history-candles`` (4.5): closed candles only, limit <= 200."""
    return _candles(ctx.exchange, call.query, "market", history=True)


def history_mark_candles(ctx: RestContext, call: RestCall) -> Any:
    """``GET market/history-mark-candles`` (4.5)."""
    return _candles(ctx.exchange, call.query, "mark", history=True)


def history_index_candles(ctx: RestContext, call: RestCall) -> Any:
    """``GET market/history-index-candles`` (4.5)."""
    return _candles(ctx.exchange, call.query, "index", history=True)


def _trade_rows(trades: list, symbol: str) -> list[dict]:
    return [
        {
            "tradeId": t.trade_id,
            "price": t.price,
            "size": t.size,
            "side": t.side,
            "ts": str(t.ts),
            "symbol": symbol,
        }
        for t in trades
    ]


def fills(ctx: RestContext, call: RestCall) -> Any:
    """``GET market/fills`` (4.6): recent public trades, newest first, limit <= 100."""
    pt = product_type(call.query)
    symbol = symbol_of(ctx.exchange, call.query, pt)
    limit = int_param(call.query, "limit", 100, 1, 100)
    return _trade_rows(ctx.exchange.recent_trades(symbol, limit), symbol)


def fills_history(ctx: RestContext, call: RestCall) -> Any:
    """``GET market/fills-history`` (4.6): ``idLessThan``, ``startTime``/``endTime`` (<= 7 d)."""
    pt = product_type(call.query)
    symbol = symbol_of(ctx.exchange, call.query, pt)
    limit = int_param(call.query, "limit", 500, 1, 1000)
    start = int_param(call.query, "startTime")
    end = int_param(call.query, "endTime")
    if start is not None and end is not None and end - start > 7 * 86_400_000:
        raise SimError("00001", "startTime and endTime interval cannot be greater than 7 days")
    id_less = int_param(call.query, "idLessThan")
    out = ctx.exchange.trade_history(
        symbol, id_less_than=id_less, start_ms=start, end_ms=end, limit=limit
    )
    return _trade_rows(out, symbol)


def current_fund_rate(ctx: RestContext, call: RestCall) -> Any:
    """``GET market/current-fund-rate`` (4.7)."""
    pt = product_type(call.query)
    rows = []
    for symbol in _symbols(ctx.exchange, call.query, pt):
        f = ctx.exchange.funding(symbol)
        rows.append(
            {
                "symbol": symbol,
                "fundingRate": f.funding_rate,
                "fundingRateInterval": str(f.interval_hours),
                "nextUpdate": str(f.next_funding_time),
                "minFundingRate": f.min_funding_rate,
                "maxFundingRate": f.max_funding_rate,
            }
        )
    return rows


def history_fund_rate(ctx: RestContext, call: RestCall) -> Any:
    """``GET market/history-fund-rate`` (4.7): newest first, ``pageSize``/``pageNo``."""
    pt = product_type(call.query)
    symbol = symbol_of(ctx.exchange, call.query, pt)
    size = int_param(call.query, "pageSize", 20, 1, 100)
    page = int_param(call.query, "pageNo", 1, 1)
    hist = ctx.exchange.funding_history(symbol)
    chunk = hist[(page - 1) * size : page * size]
    return [{"symbol": symbol, "fundingRate": r, "fundingTime": str(ts)} for r, ts in chunk]


def funding_time(ctx: RestContext, call: RestCall) -> Any:
    """``GET market/funding-time`` (4.7)."""
    pt = product_type(call.query)
    rows = []
    for symbol in _symbols(ctx.exchange, call.query, pt):
        f = ctx.exchange.funding(symbol)
        rows.append(
            {
                "symbol": symbol,
                "nextFundingTime": str(f.next_funding_time),
                "ratePeriod": str(f.interval_hours),
            }
        )
    return rows


def open_interest(ctx: RestContext, call: RestCall) -> Any:
    """``GET market/open-interest`` (4.8)."""
    pt = product_type(call.query)
    symbol = symbol_of(ctx.exchange, call.query, pt)
    return {
        "openInterestList": [{"symbol": symbol, "size": ctx.exchange.open_interest(symbol)}],
        "ts": str(ctx.exchange.now_ms()),
    }


def symbol_price(ctx: RestContext, call: RestCall) -> Any:
    """``GET market/symbol-price`` (4.9)."""
    pt = product_type(call.query)
    rows = []
    for symbol in _symbols(ctx.exchange, call.query, pt):
        t = ctx.exchange.ticker(symbol)
        rows.append(
            {
                "symbol": symbol,
                "price": t.last_pr,
                "indexPrice": t.index_price,
                "markPrice": t.mark_price,
                "ts": str(t.ts),
            }
        )
    return rows


# (method, path, handler, requests per second per IP, signed) (bitget-protocol.md 7.2)
ROUTES: Final[tuple[Route[RestContext], ...]] = (
    Route("GET", "/api/v2/public/time", server_time, 20, False),
    Route("GET", "/api/v2/mix/market/contracts", contracts, 20, False),
    Route("GET", "/api/v2/mix/market/merge-depth", merge_depth, 20, False),
    Route("GET", "/api/v2/mix/market/ticker", ticker, 20, False),
    Route("GET", "/api/v2/mix/market/tickers", tickers, 20, False),
    Route("GET", "/api/v2/mix/market/candles", candles, 20, False),
    Route("GET", "/api/v2/mix/market/history-candles", history_candles, 20, False),
    Route("GET", "/api/v2/mix/market/history-mark-candles", history_mark_candles, 20, False),
    Route("GET", "/api/v2/mix/market/history-index-candles", history_index_candles, 20, False),
    Route("GET", "/api/v2/mix/market/fills", fills, 20, False),
    Route("GET", "/api/v2/mix/market/fills-history", fills_history, 10, False),
    Route("GET", "/api/v2/mix/market/current-fund-rate", current_fund_rate, 20, False),
    Route("GET", "/api/v2/mix/market/history-fund-rate", history_fund_rate, 20, False),
    Route("GET", "/api/v2/mix/market/funding-time", funding_time, 20, False),
    Route("GET", "/api/v2/mix/market/open-interest", open_interest, 20, False),
    Route("GET", "/api/v2/mix/market/symbol-price", symbol_price, 20, False),
)
