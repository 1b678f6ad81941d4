"""
Every REST response and WS push the simulator produces has the field names and JSON types of the
official examples in tests/fixtures/bitget for the same endpoint / channel.

Rules: key sets and JSON value types are compared recursively (lists: each produced element
against the sample's first element). A sample value of ``null`` documents a nullable field, so any
produced type is accepted there. Differences the docs allow are listed in ``ALLOWED`` with the
reason (usually: the doc example predates fields the field tables of bitget-protocol.md list).
"""

from __future__ import annotations

import asyncio
import json
import time
from decimal import Decimal
from typing import Any

import aiohttp
import pytest

from nautilus_bitget.constants import SIM_API_KEY
from tests.integration.test_sim_rest import order_body
from tests.integration.test_sim_rest import public
from tests.integration.test_sim_rest import signed
from tests.integration.test_sim_ws import arg
from tests.integration.test_sim_ws import login_args
from tests.integration.test_sim_ws import recv_json
from tests.samples import SAMPLES


USDT = "USDT-FUTURES"
BTC = {"symbol": "BTCUSDT", "productType": USDT}

# sample -> {json path: reason}; "+" extra key produced, "-" sample key not produced, "~" type
ALLOWED: dict[str, dict[str, str]] = {
    "doc_rest_contracts.json": {
        "+data[].deliveryPeriod": "4.2 field table (delivery contracts; '' for perpetuals)",
        "+data[].maxMarketOrderQty": "4.2: newer docs",
        "+data[].maxOrderQty": "4.2: newer docs",
        "+data[].isRwa": "4.2: newer docs",
        "+data[].openTime": "4.2: deprecated but still listed",
    },
    "rest_accounts.json": {
        "+data[].unionTotalMargin": "5.1 field list (multi-asset mode)",
        "+data[].unionAvailable": "5.1 field list",
        "+data[].unionMm": "5.1 field list",
        "+data[].assetList": "5.1 field list",
        "+data[].isolatedMargin": "5.1 field list",
        "+data[].crossedMargin": "5.1 field list",
        "+data[].assetMode": "5.1 field list",
    },
    "rest_orders_plan_pending.json": {
        "+data.entrustedList[].executePrice": "5.11 row fields",
        "+data.entrustedList[].orderSource": "5.11 row fields",
    },
    "rest_orders_plan_history.json": {
        "+data.entrustedList[].executePrice": "5.11 row fields",
        "+data.entrustedList[].orderSource": "5.11 row fields",
        "+data.entrustedList[].executeOrderId": "5.11: history adds executeOrderId",
        "+data.entrustedList[].priceAvg": "5.11: history adds priceAvg",
    },
    "rest_account_bill.json": {"+data.bills[].balance": "5.12 row fields"},
    "rest_account_bill_funding_fee.json": {"+data.bills[].balance": "5.12 row fields"},
    "doc_ws_books5_snapshot.json": {
        "+data[].seq": "6.1: v2 sends seq/pseq (pseq 0 on books1/5/15)",
        "+data[].pseq": "6.1: v2 sends seq/pseq",
    },
    "doc_ws_orders.json": {
        "+data[].stpMode": "6.2 orders field list",
        "+data[].totalProfits": "6.2 orders field list",
        "+data[].presetStopSurplusPrice": "6.2 orders field list",
        "+data[].presetStopLossPrice": "6.2 orders field list",
    },
    "doc_ws_fill.json": {"+data[].clientOid": "6.2 fill field list"},
    "doc_ws_positions.json": {
        "+data[].isolatedMarginRate": "6.2 positions field list",
        "+data[].markPrice": "6.2 positions field list",
        "+data[].cashDividend": "6.2 positions field list",
        "+data[].assetMode": "6.2 positions field list",
    },
    "doc_ws_account.json": {
        "+data[].crossedRiskRate": "6.2 account field list",
        "+data[].unrealizedPL": "6.2 account field list",
        "+data[].assetsMode": "6.2 account field list",
    },
    "doc_ws_orders_algo.json": {
        "+data[].executePrice": "6.2 orders-algo field list",
        "+data[].stopSurplusTriggerPrice": "6.2 orders-algo field list",
        "+data[].stopLossTriggerPrice": "6.2 orders-algo field list",
        "+data[].stpMode": "6.2 orders-algo field list",
    },
}
# Envelope requestTime is a number or a string in real captures (2.4)
ANY_TYPE_PATHS = {"requestTime"}


def _kind(v: Any) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, int | float):
        return "number"
    if isinstance(v, str):
        return "string"
    if isinstance(v, list):
        return "array"
    return "object"


def shape_diffs(sample: Any, actual: Any, path: str = "") -> list[str]:
    """Return the differences in keys and JSON types between ``sample`` and ``actual``."""
    if sample is None or path in ANY_TYPE_PATHS:
        return []
    ks, ka = _kind(sample), _kind(actual)
    if ks != ka:
        return [f"~{path}: sample {ks}, produced {ka}"]
    out: list[str] = []
    if ks == "object":
        prefix = f"{path}." if path else ""
        out += [f"-{prefix}{key}" for key in sample.keys() - actual.keys()]
        out += [f"+{prefix}{key}" for key in actual.keys() - sample.keys()]
        for key in sample.keys() & actual.keys():
            out += shape_diffs(sample[key], actual[key], f"{path + '.' if path else ''}{key}")
    elif ks == "array" and sample:
        if not actual and not path.endswith("failureList"):
            # An empty produced list would make the comparison vacuous
            out.append(f"!{path}: produced an empty list")
        for item in actual:
            out += shape_diffs(sample[0], item, f"{path}[]")
    return sorted(set(out))


async def _rest_outputs(sim) -> dict[str, Any]:
    ex = sim.exchange
    out: dict[str, Any] = {}
    # let the market print some trades and candles
    for _ in range(50):
        if ex.recent_trades("BTCUSDT", 1) and ex.candles("BTCUSDT", "1m", limit=1):
            break
        await asyncio.sleep(0.1)
    ex.settle_funding("BTCUSDT")
    out["rest_server_time.json"] = (await public(sim, "/api/v2/public/time"))[1]
    out["doc_rest_contracts.json"] = (
        await public(sim, "/api/v2/mix/market/contracts", {"productType": USDT})
    )[1]
    out["doc_rest_merge_depth.json"] = (await public(sim, "/api/v2/mix/market/merge-depth", BTC))[1]
    out["rest_ticker_usdt_futures.json"] = (await public(sim, "/api/v2/mix/market/ticker", BTC))[1]
    out["doc_rest_candles.json"] = (
        await public(sim, "/api/v2/mix/market/candles", {**BTC, "granularity": "1m"})
    )[1]
    out["doc_rest_recent_fills.json"] = (await public(sim, "/api/v2/mix/market/fills", BTC))[1]
    out["doc_rest_symbol_price.json"] = (await public(sim, "/api/v2/mix/market/symbol-price", BTC))[
        1
    ]
    out["doc_rest_history_fund_rate.json"] = (
        await public(sim, "/api/v2/mix/market/history-fund-rate", BTC)
    )[1]
    out["rest_current_fund_rate.json"] = (
        await public(sim, "/api/v2/mix/market/current-fund-rate", BTC)
    )[1]
    out["rest_funding_time.json"] = (await public(sim, "/api/v2/mix/market/funding-time", BTC))[1]
    out["rest_open_interest.json"] = (await public(sim, "/api/v2/mix/market/open-interest", BTC))[1]

    pt = {"productType": USDT}
    out["rest_accounts.json"] = (await signed(sim, "GET", "/api/v2/mix/account/accounts", pt))[1]
    out["rest_account_single.json"] = (
        await signed(sim, "GET", "/api/v2/mix/account/account", {**BTC, "marginCoin": "USDT"})
    )[1]
    out["rest_set_leverage.json"] = (
        await signed(
            sim,
            "POST",
            "/api/v2/mix/account/set-leverage",
            body={**BTC, "marginCoin": "USDT", "leverage": "25"},
        )
    )[1]
    out["rest_set_margin_mode.json"] = (
        await signed(
            sim,
            "POST",
            "/api/v2/mix/account/set-margin-mode",
            body={**BTC, "marginCoin": "USDT", "marginMode": "isolated"},
        )
    )[1]
    await signed(
        sim,
        "POST",
        "/api/v2/mix/account/set-margin-mode",
        body={**BTC, "marginCoin": "USDT", "marginMode": "crossed"},
    )
    out["rest_set_position_mode.json"] = (
        await signed(
            sim,
            "POST",
            "/api/v2/mix/account/set-position-mode",
            body={**pt, "posMode": "hedge_mode"},
        )
    )[1]
    await signed(
        sim, "POST", "/api/v2/mix/account/set-position-mode", body={**pt, "posMode": "one_way_mode"}
    )

    out["rest_place_order.json"] = (
        await signed(sim, "POST", "/api/v2/mix/order/place-order", body=order_body(clientOid="c-m"))
    )[1]
    out["doc_rest_batch_place_order.json"] = (
        await signed(
            sim,
            "POST",
            "/api/v2/mix/order/batch-place-order",
            body={
                **BTC,
                "marginCoin": "USDT",
                "marginMode": "crossed",
                "orderList": [
                    {
                        "size": "0.010",
                        "price": "30000.0",
                        "side": "buy",
                        "orderType": "limit",
                        "force": "gtc",
                        "clientOid": "b1",
                    },
                    {
                        "size": "0.010",
                        "price": "30001.0",
                        "side": "buy",
                        "orderType": "limit",
                        "force": "gtc",
                        "clientOid": "b2",
                    },
                    {
                        "size": "0.010",
                        "price": "30002.0",
                        "side": "buy",
                        "orderType": "limit",
                        "force": "gtc",
                        "clientOid": "b3",
                    },
                ],
            },
        )
    )[1]
    out["rest_modify_order.json"] = (
        await signed(
            sim,
            "POST",
            "/api/v2/mix/order/modify-order",
            body={
                **BTC,
                "clientOid": "b1",
                "newClientOid": "b1x",
                "newSize": "0.020",
                "newPrice": "30000.5",
            },
        )
    )[1]
    out["rest_orders_pending.json"] = (
        await signed(sim, "GET", "/api/v2/mix/order/orders-pending", pt)
    )[1]
    out["rest_order_detail.json"] = (
        await signed(sim, "GET", "/api/v2/mix/order/detail", {**BTC, "clientOid": "b2"})
    )[1]
    out["rest_batch_cancel_orders.json"] = (
        await signed(
            sim,
            "POST",
            "/api/v2/mix/order/batch-cancel-orders",
            body={**BTC, "marginCoin": "USDT", "orderIdList": [{"clientOid": "b2"}]},
        )
    )[1]
    out["doc_rest_cancel_all_orders.json"] = (
        await signed(
            sim, "POST", "/api/v2/mix/order/cancel-all-orders", body={**pt, "marginCoin": "USDT"}
        )
    )[1]
    plan = {
        "planType": "normal_plan",
        **BTC,
        "marginMode": "crossed",
        "marginCoin": "USDT",
        "size": "0.010",
        "price": "30000.0",
        "triggerPrice": "31000.0",
        "triggerType": "mark_price",
        "side": "buy",
        "orderType": "limit",
        "clientOid": "p1",
    }
    out["doc_rest_place_plan_order.json"] = (
        await signed(sim, "POST", "/api/v2/mix/order/place-plan-order", body=plan)
    )[1]
    out["rest_orders_plan_pending.json"] = (
        await signed(
            sim, "GET", "/api/v2/mix/order/orders-plan-pending", {**pt, "planType": "normal_plan"}
        )
    )[1]
    out["doc_rest_cancel_plan_order.json"] = (
        await signed(
            sim,
            "POST",
            "/api/v2/mix/order/cancel-plan-order",
            body={
                **BTC,
                "marginCoin": "USDT",
                "planType": "normal_plan",
                "orderIdList": [{"clientOid": "p1"}],
            },
        )
    )[1]
    out["rest_orders_plan_history.json"] = (
        await signed(
            sim, "GET", "/api/v2/mix/order/orders-plan-history", {**pt, "planType": "normal_plan"}
        )
    )[1]
    ex.settle_funding("BTCUSDT", Decimal("0.0001"))  # the open long pays funding
    out["rest_account_bill.json"] = (await signed(sim, "GET", "/api/v2/mix/account/bill", pt))[1]
    out["rest_account_bill_funding_fee.json"] = (
        await signed(
            sim, "GET", "/api/v2/mix/account/bill", {**pt, "businessType": "contract_settle_fee"}
        )
    )[1]
    out["extra_all_position"] = (await signed(sim, "GET", "/api/v2/mix/position/all-position", pt))[
        1
    ]
    out["extra_order_fills"] = (await signed(sim, "GET", "/api/v2/mix/order/fills", pt))[1]
    out["extra_orders_history"] = (
        await signed(sim, "GET", "/api/v2/mix/order/orders-history", pt)
    )[1]
    out["extra_fills_history"] = (await public(sim, "/api/v2/mix/market/fills-history", BTC))[1]
    out["rest_close_positions.json"] = (
        await signed(sim, "POST", "/api/v2/mix/order/close-positions", body=BTC)
    )[1]
    return out


async def _ws_outputs(sim) -> dict[str, Any]:
    out: dict[str, Any] = {}
    async with aiohttp.ClientSession() as s:
        async with s.ws_connect(sim.ws_public_url) as ws:
            await ws.send_str(json.dumps({"op": "subscribe", "args": [arg("books")]}))
            out["probe_ws_subscribe_ack.json"] = await recv_json(ws)
            chans = {
                "books5": "doc_ws_books5_snapshot.json",
                "trade": "doc_ws_trade.json",
                "ticker": "doc_ws_ticker.json",
                "candle12H": "doc_ws_candle.json",
            }
            await ws.send_str(json.dumps({"op": "subscribe", "args": [arg(c) for c in chans]}))
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline and not all(v in out for v in chans.values()):
                f = await recv_json(ws)
                name = chans.get(f.get("arg", {}).get("channel"))
                if "data" in f and name and f["data"]:
                    out.setdefault(name, f)
        async with s.ws_connect(sim.ws_private_url) as ws:
            await ws.send_str(json.dumps(login_args()))
            await recv_json(ws)
            names = {
                "orders": "doc_ws_orders.json",
                "fill": "doc_ws_fill.json",
                "positions": "doc_ws_positions.json",
                "account": "doc_ws_account.json",
                "orders-algo": "doc_ws_orders_algo.json",
                "positions-history": "doc_ws_positions_history.json",
            }
            subs = [arg(c, "default") for c in names if c != "account"]
            subs.append({"instType": USDT, "channel": "account", "coin": "default"})
            await ws.send_str(json.dumps({"op": "subscribe", "args": subs}))

            def take(f: dict) -> None:
                channel = f.get("arg", {}).get("channel")
                if "data" not in f or not f["data"]:
                    return
                if channel == "orders" and "tradeId" not in f["data"][0]:
                    return  # compare the fill message (the sample is one)
                out.setdefault(names[channel], f)

            acks = 0  # every subscription acknowledged before the orders that feed them
            deadline = time.monotonic() + 20
            while acks < len(subs) and time.monotonic() < deadline:
                f = await recv_json(ws)
                if f.get("event") == "subscribe":
                    acks += 1
                else:
                    take(f)
            assert acks == len(subs), f"{acks} of {len(subs)} subscriptions acknowledged"
            await signed(
                sim, "POST", "/api/v2/mix/order/place-order", body=order_body(clientOid="w1")
            )
            plan = {
                "planType": "normal_plan",
                **BTC,
                "marginMode": "crossed",
                "marginCoin": "USDT",
                "size": "0.010",
                "triggerPrice": "40000.0",
                "triggerType": "mark_price",
                "side": "sell",
                "orderType": "market",
                "reduceOnly": "yes",
                "clientOid": "wp",
            }
            await signed(sim, "POST", "/api/v2/mix/order/place-plan-order", body=plan)
            await signed(
                sim,
                "POST",
                "/api/v2/mix/order/place-order",
                body=order_body(side="sell", reduceOnly="YES", clientOid="w2"),
            )
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline and not all(v in out for v in names.values()):
                take(await recv_json(ws))
    return out


@pytest.fixture
async def produced(sim) -> dict[str, Any]:
    out = await _rest_outputs(sim)
    out.update(await _ws_outputs(sim))
    return out


async def test_every_sample_conforms(produced):
    samples = sorted(p.name for p in SAMPLES.glob("*.json"))
    assert samples, "no samples found"
    problems = []
    for name in samples:
        sample = json.loads((SAMPLES / name).read_text())
        if name not in produced:
            problems.append(f"{name}: not produced")
            continue
        actual = produced[name]
        if "code" in actual and actual["code"] != "00000":
            problems.append(f"{name}: error {actual}")
            continue
        allowed = ALLOWED.get(name, {})
        diffs = [d for d in shape_diffs(sample, actual) if d not in allowed]
        problems += [f"{name}: {d}" for d in diffs]
    assert not problems, "\n".join(problems)


def test_allowed_differences_have_reasons():
    for name, entries in ALLOWED.items():
        assert (SAMPLES / name).exists(), name
        assert all(reason for reason in entries.values())


async def test_exchange_truth_matches_rest(sim):
    await signed(sim, "POST", "/api/v2/mix/order/place-order", body=order_body(clientOid="t1"))
    _, js = await signed(sim, "GET", "/api/v2/mix/position/all-position", {"productType": USDT})
    truth = sim.exchange.positions(SIM_API_KEY, USDT)
    assert [(p["symbol"], p["holdSide"], p["total"]) for p in js["data"]] == [
        (p.symbol, p.hold_side, sim.exchange.contracts[p.symbol].fmt_size(p.total)) for p in truth
    ]


def _schema_types() -> dict[str, Any]:
    """Return sample name -> the project's client schema for that payload (REST data / WS push)."""
    from nautilus_bitget.schemas import account as sa
    from nautilus_bitget.schemas import envelope as se
    from nautilus_bitget.schemas import market as sm
    from nautilus_bitget.schemas import trade as st
    from nautilus_bitget.schemas import ws_private as wp
    from nautilus_bitget.schemas import ws_public as wu

    rest = {
        "rest_server_time.json": sm.BitgetServerTime,
        "doc_rest_contracts.json": list[sm.BitgetContract],
        "doc_rest_merge_depth.json": sm.BitgetMergeDepth,
        "rest_ticker_usdt_futures.json": list[sm.BitgetTicker],
        "doc_rest_candles.json": list[sm.BitgetCandleRow],
        "doc_rest_recent_fills.json": list[sm.BitgetRecentTrade],
        "rest_current_fund_rate.json": list[sm.BitgetCurrentFundRate],
        "doc_rest_history_fund_rate.json": list[sm.BitgetHistoryFundRate],
        "rest_funding_time.json": list[sm.BitgetFundingTime],
        "rest_open_interest.json": sm.BitgetOpenInterest,
        "doc_rest_symbol_price.json": list[sm.BitgetSymbolPrice],
        "rest_accounts.json": list[sa.BitgetAccount],
        "rest_account_single.json": sa.BitgetAccount,
        "rest_set_leverage.json": sa.BitgetSetLeverageResult,
        "rest_set_margin_mode.json": sa.BitgetSetMarginModeResult,
        "rest_set_position_mode.json": sa.BitgetPositionModeResult,
        "rest_account_bill.json": sa.BitgetBills,
        "rest_account_bill_funding_fee.json": sa.BitgetBills,
        "rest_place_order.json": st.BitgetOrderId,
        "rest_modify_order.json": st.BitgetOrderId,
        "doc_rest_place_plan_order.json": st.BitgetOrderId,
        "doc_rest_batch_place_order.json": st.BitgetBatchResult,
        "rest_batch_cancel_orders.json": st.BitgetBatchResult,
        "doc_rest_cancel_all_orders.json": st.BitgetBatchResult,
        "doc_rest_cancel_plan_order.json": st.BitgetBatchResult,
        "rest_close_positions.json": st.BitgetBatchResult,
        "rest_order_detail.json": st.BitgetOrderDetail,
        "rest_orders_pending.json": st.BitgetPendingOrders,
        "rest_orders_plan_pending.json": st.BitgetPlanOrders,
        "rest_orders_plan_history.json": st.BitgetPlanOrders,
        "extra_all_position": list[sa.BitgetPosition],
        "extra_order_fills": st.BitgetFills,
        "extra_orders_history": st.BitgetPendingOrders,
        "extra_fills_history": list[sm.BitgetRecentTrade],
    }
    ws = {
        "probe_ws_subscribe_ack.json": se.BitgetWsEvent,
        "doc_ws_books5_snapshot.json": se.BitgetWsPush[wu.BitgetWsBook],
        "doc_ws_trade.json": se.BitgetWsPush[wu.BitgetWsTrade],
        "doc_ws_ticker.json": se.BitgetWsPush[wu.BitgetWsTicker],
        "doc_ws_candle.json": se.BitgetWsPush[list[str]],
        "doc_ws_orders.json": se.BitgetWsPush[wp.BitgetWsOrder],
        "doc_ws_fill.json": se.BitgetWsPush[wp.BitgetWsFill],
        "doc_ws_positions.json": se.BitgetWsPush[wp.BitgetWsPosition],
        "doc_ws_account.json": se.BitgetWsPush[wp.BitgetWsAccount],
        "doc_ws_orders_algo.json": se.BitgetWsPush[wp.BitgetWsAlgoOrder],
        "doc_ws_positions_history.json": se.BitgetWsPush[wp.BitgetWsPositionHistory],
    }
    return {**{k: ("rest", v) for k, v in rest.items()}, **{k: ("ws", v) for k, v in ws.items()}}


async def test_sim_output_decodes_with_client_schemas(produced):
    import msgspec

    from nautilus_bitget.schemas.envelope import BitgetResponse

    problems = []
    for name, (kind, schema) in _schema_types().items():
        raw = json.dumps(produced[name]).encode()
        target = BitgetResponse[schema] if kind == "rest" else schema
        try:
            msgspec.json.decode(raw, type=target)
        except msgspec.ValidationError as e:
            problems.append(f"{name}: {e}")
    assert not problems, "\n".join(problems)


# Field lists of bitget-protocol.md for endpoints without a sample payload
DOC_FIELDS = {
    "all-position": (
        "5.3",
        "marginCoin symbol holdSide openDelegateSize marginSize available locked total leverage "
        "achievedProfits openPriceAvg marginMode posMode unrealizedPL liquidationPrice "
        "keepMarginRate markPrice marginRatio breakEvenPrice totalFee deductedFee cashDividend "
        "assetMode autoMargin grant takeProfit stopLoss takeProfitId stopLossId cTime uTime",
    ),
    "order-fills": (
        "5.10",
        "tradeId symbol orderId price baseVolume feeDetail side quoteVolume profit "
        "enterPointSource tradeSide posMode tradeScope cTime",
    ),
    "fills-history": ("4.6", "tradeId price size side ts symbol"),
}


async def test_endpoints_without_samples_match_doc_field_lists(sim):
    await signed(sim, "POST", "/api/v2/mix/order/place-order", body=order_body(clientOid="f1"))
    pt = {"productType": USDT}
    rows = {
        "all-position": (await signed(sim, "GET", "/api/v2/mix/position/all-position", pt))[1][
            "data"
        ],
        "order-fills": (await signed(sim, "GET", "/api/v2/mix/order/fills", pt))[1]["data"][
            "fillList"
        ],
        "fills-history": (await public(sim, "/api/v2/mix/market/fills-history", BTC))[1]["data"],
    }
    for name, (section, fields) in DOC_FIELDS.items():
        assert rows[name], name
        assert set(rows[name][0]) == set(fields.split()), (name, section)
