"""
The simulated key-permission reads: ``GET /api/v2/spot/account/info`` (bitget-protocol.md 5.14)
and ``GET /api/v3/account/info`` (bitget-protocol-uta.md 1.4). A simulated key may trade futures
(read and write); ``SimAccount.withdraw_permission`` adds the withdrawal permission.
"""

from __future__ import annotations

from typing import Any
from typing import Final

from nautilus_bitget.sim.auth import uid_of
from nautilus_bitget.sim.pipeline import RestCall
from nautilus_bitget.sim.pipeline import Route


REGISTERED_MS: Final[str] = "1704067200000"


def _account(ctx: Any, call: RestCall) -> Any:
    return ctx.exchange.account(call.api_key)


def v2_account_info(ctx: Any, call: RestCall) -> dict[str, Any]:
    """``GET /api/v2/spot/account/info`` (bitget-protocol.md 5.14)."""
    acct = _account(ctx, call)
    authorities = ["coow", "cpow"] + (["wwow"] if acct.withdraw_permission else [])
    return {
        "userId": uid_of(call.api_key),
        "inviterId": "",
        "ips": "",
        "authorities": authorities,
        "parentId": uid_of(call.api_key),
        "traderType": "not_trader",
        "channelCode": "",
        "channel": "",
        "regisTime": REGISTERED_MS,
    }


def v3_account_info(ctx: Any, call: RestCall) -> dict[str, Any]:
    """``GET /api/v3/account/info`` (bitget-protocol-uta.md 1.4)."""
    acct = _account(ctx, call)
    permissions = ["uta_mgt", "uta_trade"] + (["withdraw"] if acct.withdraw_permission else [])
    return {
        "userId": uid_of(call.api_key),
        "inviterId": "",
        "parentId": "",
        "channelCode": "",
        "channel": "",
        "ips": "",
        "permType": "read-and-write",
        "permissions": permissions,
        "regisTime": REGISTERED_MS,
    }


# (method, path, handler, requests per second per UID, signed)
V2_ROUTES: Final[tuple[Route[Any], ...]] = (
    Route("GET", "/api/v2/spot/account/info", v2_account_info, 1, True),
)
V3_ROUTES: Final[tuple[Route[Any], ...]] = (
    Route("GET", "/api/v3/account/info", v3_account_info, 5, True),
)
