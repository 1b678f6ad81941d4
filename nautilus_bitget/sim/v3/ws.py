"""
The simulator's v3 sockets ``/v3/ws/public`` and ``/v3/ws/private`` (bitget-protocol-uta.md 4).

Selectors are ``{"instType", "topic", "symbol"}``: lower-case product ``instType`` on the public
socket (plus ``interval`` for ``kline``), ``instType: "UTA"`` and a ``topic`` on the private one.
Connection handling (ping/pong, limits, idle sweep) is the v2 servers' (the same rules, 4.1).
"""

from __future__ import annotations

from typing import Any
from typing import Final

from nautilus_bitget.sim import wire
from nautilus_bitget.sim.auth import AuthError
from nautilus_bitget.sim.auth import SimApiKey
from nautilus_bitget.sim.context import WsContext
from nautilus_bitget.sim.events import AccountChanged
from nautilus_bitget.sim.events import BookChanged
from nautilus_bitget.sim.events import CandleUpdated
from nautilus_bitget.sim.events import FillEvent
from nautilus_bitget.sim.events import OrderEvent
from nautilus_bitget.sim.events import PlanEvent
from nautilus_bitget.sim.events import PositionClosed
from nautilus_bitget.sim.events import PositionsChanged
from nautilus_bitget.sim.events import TickerChanged
from nautilus_bitget.sim.events import Trades
from nautilus_bitget.sim.v3 import rows
from nautilus_bitget.sim.v3.orders import V3Orders
from nautilus_bitget.sim.v3.rows import FUTURES
from nautilus_bitget.sim.v3.rows import account_summary
from nautilus_bitget.sim.ws_private import PrivateWsBase
from nautilus_bitget.sim.ws_public import PublicWsServer
from nautilus_bitget.sim.ws_public import SubKey
from nautilus_bitget.sim.ws_public import WsConn


INST_TYPES: Final[dict[str, str]] = {pt.lower(): pt for pt in FUTURES}
DEPTH_TOPICS: Final[dict[str, int]] = {"books1": 1, "books5": 5, "books50": 50}  # no books15 in v3
KLINE_INTERVALS: Final[tuple[str, ...]] = ("1m", "3m", "5m", "15m", "30m", "1H", "4H", "6H", "12H",
                                           "1D", "1W")  # fmt: skip
PUBLIC_TOPICS: Final[frozenset[str]] = frozenset(
    {"books", "publicTrade", "ticker", "kline", *DEPTH_TOPICS},
)
PRIVATE_TOPICS: Final[frozenset[str]] = frozenset(
    {"order", "fill", "fast-fill", "position", "account", "strategy-order", "adl-notification"},
)


class V3PublicWs(PublicWsServer):
    """Public v3 topics: books, books1/5/50, publicTrade, ticker, kline (4.4)."""

    def __init__(self, ctx: WsContext) -> None:
        super().__init__(ctx)
        self.seq_as_string = False  # send books seq/pseq as JSON strings (4.5: both occur)

    def _validate(self, conn: WsConn, arg: Any, op: str) -> SubKey | None:
        if not isinstance(arg, dict):
            self._arg_error(conn, arg, 30016, "Param error", op)
            return None
        inst_type = str(arg.get("instType", "")).lower()
        topic = arg.get("topic")
        symbol = str(arg.get("symbol") or "").upper()
        if topic in PRIVATE_TOPICS or inst_type == "uta":
            self._arg_error(conn, arg, 30004, "User needs to log in", op)
            return None
        if topic not in PUBLIC_TOPICS or inst_type not in INST_TYPES:
            self._arg_error(conn, arg, 30016, "Param error", op)
            return None
        if topic == "kline":
            interval = arg.get("interval")
            if interval not in KLINE_INTERVALS:
                self._arg_error(conn, arg, 30016, "Param error: interval", op)
                return None
            topic = f"kline:{interval}"
        if symbol not in self.ctx.exchange.markets:
            msg = f"instType:{inst_type},topic:{arg.get('topic')},symbol:{symbol} doesn't exist"
            self._arg_error(conn, arg, 30001, msg, op)
            return None
        return (inst_type, topic, symbol)

    def _echo_arg(self, key: SubKey) -> dict:
        topic, _, interval = key[1].partition(":")
        echo = {"instType": key[0], "topic": topic, "symbol": key[2]}
        if interval:
            echo["interval"] = interval
        return echo

    _echo = _echo_arg  # the base class names it either way

    def _matches(self, key: SubKey) -> bool:
        spec = self.ctx.exchange.contracts.get(key[2])
        return spec is not None and spec.product_type == INST_TYPES[key[0]]

    def _seq(self, value: int) -> int | str:
        return str(value) if self.seq_as_string else value

    def _book(self, msg: BookChanged, *, snapshot: bool, checksum: int = 0) -> dict:
        return {
            "a": [list(lv) for lv in msg.asks],
            "b": [list(lv) for lv in msg.bids],
            "checksum": checksum,
            "pseq": self._seq(0 if snapshot else msg.pseq),
            "seq": self._seq(msg.seq),
            "ts": str(msg.ts),
        }

    def _initial_push(self, conn: WsConn, key: SubKey, arg: dict) -> None:
        if not self._matches(key):
            return
        _, topic, symbol = key
        ex = self.ctx.exchange
        echo = self._echo_arg(key)
        if topic == "books":
            conn.send(
                wire.push("snapshot", echo, [self._book(ex.book_snapshot(symbol), snapshot=True)])
            )
        elif topic in DEPTH_TOPICS:
            snap = ex.book_snapshot(symbol, DEPTH_TOPICS[topic])
            conn.send(wire.push("snapshot", echo, [self._book(snap, snapshot=True)]))
        elif topic == "publicTrade":
            data = [_trade(t) for t in ex.recent_trades(symbol, 50)]
            conn.send(wire.push("snapshot", echo, data))
        elif topic == "ticker":
            conn.send(wire.push("snapshot", echo, [rows.ws_ticker_row(ex, symbol)]))
        else:
            interval = topic.partition(":")[2]
            data = [_kline(r) for r in ex.candles(symbol, interval, limit=100)]
            conn.send(wire.push("snapshot", echo, data))

    def on_event(self, event: Any) -> None:
        """Route one exchange market event to v3 subscribers."""
        kind = type(event)
        if kind is BookChanged:
            self._on_book(event)
        elif kind is Trades:
            key = (event.product_type.lower(), "publicTrade", event.symbol)
            if key in self.subscribers and event.trades:
                data = [_trade(t) for t in reversed(event.trades)]
                self.broadcast(key, wire.push("update", self._echo_arg(key), data))
        elif kind is TickerChanged:
            self._dirty_tickers.add(event.symbol)
        elif kind is CandleUpdated:
            self._dirty_candles.add(event.symbol)

    def _on_book(self, event: BookChanged) -> None:
        symbol = event.symbol
        inst_type = event.product_type.lower()
        faults = self.ctx.faults
        key = (inst_type, "books", symbol)
        if key in self.subscribers:
            # 4.5: v3 updates always carry the signed crc32 of the top 25 levels (recorded
            # traffic: non-zero on every update; the v2 algorithm, bitget-protocol.md 6.1), with
            # or without ``--checksum``: a present 0 would fail any verifying client. The mirror
            # is kept only while someone listens (it resyncs from the book on a gap).
            self._mirror_apply(event)
            if faults.skip_seq and faults.take_skip_seq(symbol):
                pass  # the update is lost: the next pseq will not match
            else:
                checksum = self._mirror_checksum(symbol)
                if faults.bad_checksum_next and faults.take_bad_checksum(symbol):
                    checksum = (checksum ^ 0x5A5A5A5) or 1
                row = self._book(event, snapshot=False, checksum=checksum)
                self.broadcast(key, wire.push("update", self._echo_arg(key), [row]))
        for topic, depth in DEPTH_TOPICS.items():
            dkey = (inst_type, topic, symbol)
            if dkey in self.subscribers:
                bids, asks = self.ctx.exchange.book(symbol, depth)
                msg = BookChanged(symbol, event.product_type, event.seq, 0, bids, asks, event.ts)
                row = self._book(msg, snapshot=True)
                self.broadcast(dkey, wire.push("snapshot", self._echo_arg(dkey), [row]))

    def flush(self) -> None:
        """Push throttled topics (ticker, kline) that changed since the last flush."""
        ex = self.ctx.exchange
        for symbol in self._dirty_tickers:
            spec = ex.contracts.get(symbol)
            key = (spec.product_type.lower(), "ticker", symbol) if spec else None
            if key in self.subscribers:
                push = wire.push("update", self._echo_arg(key), [rows.ws_ticker_row(ex, symbol)])
                self.broadcast(key, push)
        self._dirty_tickers.clear()
        for symbol in self._dirty_candles:
            spec = ex.contracts.get(symbol)
            if spec is None:
                continue
            for interval in KLINE_INTERVALS:
                key = (spec.product_type.lower(), f"kline:{interval}", symbol)
                if key not in self.subscribers:
                    continue
                data = ex.candles(symbol, interval, limit=2)
                if not data:
                    continue
                last = self._candle_last_ts.get((symbol, key[1]))
                self._candle_last_ts[(symbol, key[1])] = data[-1][0]
                send = data if last is not None and last != data[-1][0] else data[-1:]
                self.broadcast(
                    key, wire.push("update", self._echo_arg(key), [_kline(r) for r in send])
                )
        self._dirty_candles.clear()


def _trade(t: Any) -> dict:
    return {"i": t.trade_id, "p": t.price, "v": t.size, "S": t.side, "T": str(t.ts),
            "L": t.trade_id, "isRPI": "no"}  # fmt: skip


def _kline(r: Any) -> dict:
    return {"start": r[0], "open": r[1], "high": r[2], "low": r[3], "close": r[4],
            "volume": r[5], "turnover": r[6]}  # fmt: skip


class V3PrivateWs(PrivateWsBase):
    """Private v3 topics with ``instType: "UTA"`` (4.6); login as on v2 (4.2), UTA keys only."""

    login_ok_code = "0"

    def __init__(self, ctx: WsContext, orders: V3Orders) -> None:
        super().__init__(ctx)
        self.orders = orders

    def _check_account(self, entry: SimApiKey) -> None:
        if entry.account_mode != "uta":
            raise AuthError(
                "30005",
                "You are in Classic Account mode, and the Unified Account API is not supported at "
                "this time",
            )

    def _validate_channel(self, conn: WsConn, arg: dict, op: str) -> SubKey | None:
        if str(arg.get("instType", "")).upper() != "UTA" or arg.get("topic") not in PRIVATE_TOPICS:
            self._arg_error(conn, arg, 30016, "Param error", op)
            return None
        return ("UTA", arg["topic"], "")

    def _echo(self, key: SubKey) -> dict:
        return {"instType": "UTA", "topic": key[1]}

    def _initial_push(self, conn: WsConn, key: SubKey, arg: dict) -> None:
        api_key = conn.api_key
        if api_key is None:
            return
        if key[1] == "position":
            conn.send(self._positions(api_key, FUTURES))
        elif key[1] == "account":
            conn.send(self._account(api_key))

    def _positions(self, api_key: str, categories: tuple[str, ...]) -> bytes:
        ex = self.ctx.exchange
        data = [
            rows.position_row(ex, p, ws=True)
            for pt in categories
            for p in ex.positions(api_key, pt)
        ]
        return wire.push("snapshot", self._echo(("UTA", "position", "")), data)

    def _account(self, api_key: str) -> bytes:
        t, views = account_summary(self.ctx.exchange, api_key)
        row = {
            "unrealisedPnL": wire.money(t["upl"]),
            "totalEquity": wire.money(t["equity"]),
            "positionMgnRatio": "0",
            "mmr": wire.money(t["mmr"]),
            "effEquity": wire.money(t["equity"]),
            "imr": wire.money(t["imr"]),
            "mgnRatio": wire.money(t["mmr"] / t["equity"]) if t["equity"] else "0",
            "coin": [
                {
                    "debts": "0",
                    "balance": wire.money(v.balance),
                    "available": wire.money(v.available),
                    "borrow": "0",
                    "locked": wire.money(v.locked),
                    "equity": wire.money(v.equity),
                    "coin": v.margin_coin,
                    "usdValue": wire.money(v.equity * px),
                }
                for v, px in views
            ],
        }
        return wire.push("snapshot", self._echo(("UTA", "account", "")), [row])

    def on_event(self, event: Any) -> None:
        """Route one exchange private event to the account's logged-in v3 sockets."""
        api_key = getattr(event, "api_key", "")
        conns = self.by_key.get(api_key)
        if not conns:
            return
        ex = self.ctx.exchange
        orders = self.orders
        kind = type(event)
        out: list[tuple[str, bytes]] = []
        if kind is OrderEvent:
            if orders.suppressed(event.order):
                return
            row = rows.order_row(ex, event.order, orders.public_id, ws=True,
                                 request_id=orders.request_id(event.order.order_id))  # fmt: skip
            out.append(("order", wire.push("snapshot", self._echo(("UTA", "order", "")), [row])))
        elif kind is FillEvent:
            fill = rows.fill_row(event.fill, orders.public_id, ws=True)
            fast = rows.fill_row(event.fill, orders.public_id, ws=True, fast=True)
            out.append(("fill", wire.push("snapshot", self._echo(("UTA", "fill", "")), [fill])))
            out.append(
                ("fast-fill", wire.push("snapshot", self._echo(("UTA", "fast-fill", "")), [fast]))
            )
        elif kind is PositionsChanged:
            out.append(("position", self._positions(api_key, (event.product_type,))))
        elif kind is PositionClosed:
            row = rows.ended_position_row(event.record)
            out.append(
                ("position", wire.push("snapshot", self._echo(("UTA", "position", "")), [row]))
            )
        elif kind is AccountChanged:
            out.append(("account", self._account(api_key)))
        elif kind is PlanEvent and event.plan.plan_type in ("normal_plan", *rows.TPSL_PLAN_TYPES):
            row = rows.strategy_row(ex, event.plan, str, ws=True)
            out.append(
                (
                    "strategy-order",
                    wire.push("snapshot", self._echo(("UTA", "strategy-order", "")), [row]),
                )
            )
        for topic, data in out:
            key = ("UTA", topic, "")
            for conn in list(conns):
                if key in conn.subs:
                    self._deliver(conn, data)
