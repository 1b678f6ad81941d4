"""
Account type detection: classic (API v2) or Unified Trading Account (API v3).

bitget-protocol-uta.md 1.2: a UTA key gets ``40085`` on v2 endpoints and a classic key gets
``40084``
on v3 endpoints, so the process must pick one API for its whole life. The probe is
``GET /api/v3/account/settings``:

- success -> ``uta``;
- ``40084`` (or ``25245``, treated the same by passivbot) -> ``classic``;
- anything else (bad key / signature / passphrase, timeouts, 5xx) -> the error is raised: the
  adapter never guesses, so a UTA key is never silently routed to v2.

A hand-configured mode that contradicts the key fails at start-up with a message that says what
to change. The result is logged once and cached per (host, key) for the process.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING
from typing import Any
from typing import Final
from typing import Literal

from nautilus_bitget.common.errors import BitgetAuthenticationError
from nautilus_bitget.common.errors import BitgetClassicAccountError
from nautilus_bitget.common.errors import BitgetError
from nautilus_bitget.common.errors import BitgetRequestError
from nautilus_bitget.common.errors import BitgetUtaAccountError


if TYPE_CHECKING:
    from nautilus_bitget.http.client import BitgetHttpClient


AccountType = Literal["classic", "uta"]

ACCOUNT_MODES: Final[tuple[str, ...]] = ("auto", "classic", "uta")
PROBE_PATH: Final[str] = "/api/v3/account/settings"
# A cheap signed v2 read used to confirm a classic verdict (a UTA key gets 40085 there)
V2_CONFIRM_PATH: Final[str] = "/api/v2/mix/account/accounts"
CLASSIC_CODES: Final[frozenset[str]] = frozenset({"40084", "25245"})

_CACHE: dict[tuple[str, str], AccountType] = {}
_log = logging.getLogger(__name__)


class BitgetAccountModeError(BitgetError):
    """
    The configured ``account_mode`` contradicts the API key's account type (start-up error).

    The message names the setting to change.
    """


def clear_account_mode_cache() -> None:
    """Forget every cached detection result (tests, or after switching keys)."""
    _CACHE.clear()


def _cache_key(http_client: BitgetHttpClient) -> tuple[str, str] | None:
    api_key = http_client.api_key
    if api_key is None:
        return None
    return (http_client.base_url, api_key)


async def probe_account_type(http_client: Any, *, confirm_v2: bool = True) -> AccountType:
    """
    Probe the key's account type (no caching, no configuration check).

    Parameters
    ----------
    http_client : BitgetHttpClient
        A REST client with credentials.
    confirm_v2 : bool, default True
        Confirm a ``classic`` verdict with a signed v2 read that must not answer ``40085``.

    Returns
    -------
    {"classic", "uta"}

    Raises
    ------
    BitgetError
        Authentication, network or any other inconclusive failure (never guessed away).

    """
    try:
        await http_client.get(PROBE_PATH, None, signed=True)
    except BitgetError as e:
        if not (isinstance(e, BitgetClassicAccountError) or (e.code or "") in CLASSIC_CODES):
            raise
    else:
        return "uta"
    if confirm_v2:
        try:
            await http_client.get(
                V2_CONFIRM_PATH,
                {"productType": "USDT-FUTURES"},
                signed=True,
            )
        except BitgetUtaAccountError:
            raise BitgetError(
                f"{PROBE_PATH} answered 40084 (classic) but {V2_CONFIRM_PATH} answered 40085 "
                "(UTA): the account may be switching modes; retry later",
            ) from None
        except BitgetAuthenticationError:
            raise
        except BitgetRequestError:
            pass  # any other venue answer still proves the key works on v2
    return "classic"


async def detect_account_mode(
    http_client: Any,
    configured: str = "auto",
    *,
    logger: Any = None,
    confirm_v2: bool = True,
    use_cache: bool = True,
) -> AccountType:
    """
    Return the API family to use for the life of the process: ``"classic"`` or ``"uta"``.

    Parameters
    ----------
    http_client : BitgetHttpClient
        The REST client (credentials needed to probe).
    configured : {"auto", "classic", "uta"}, default "auto"
        The ``account_mode`` setting.
    logger : Logger or logging.Logger, optional
        Where the choice is logged (defaults to this module's logger).
    confirm_v2 : bool, default True
        See ``probe_account_type``.
    use_cache : bool, default True
        Reuse an earlier result for the same host and key (the choice holds for the process).

    Returns
    -------
    {"classic", "uta"}

    Raises
    ------
    ValueError
        If ``configured`` is not one of ``ACCOUNT_MODES``.
    BitgetAccountModeError
        If ``configured`` contradicts the key's account type.
    BitgetError
        If the probe is inconclusive (auth or network failure): nothing is guessed.

    """
    log = logger or _log
    mode = (configured or "").strip().lower()
    if mode not in ACCOUNT_MODES:
        raise ValueError(f"account_mode must be one of {ACCOUNT_MODES}, was {configured!r}")
    key = _cache_key(http_client)
    if key is None:
        # Public data only: both APIs serve public endpoints to anyone
        chosen: AccountType = "uta" if mode == "uta" else "classic"
        log.info(f"Bitget account mode: {chosen} (no credentials, account_mode={mode!r})")
        return chosen
    if use_cache and key in _CACHE:
        detected = _CACHE[key]
    else:
        try:
            detected = await probe_account_type(http_client, confirm_v2=confirm_v2)
        except BitgetError as e:
            log.error(
                f"Bitget account type detection failed ({type(e).__name__}: {e}); "
                "not guessing between classic (v2) and UTA (v3)",
            )
            raise
        _CACHE[key] = detected
    _check_configured(mode, detected)
    how = "detected" if mode == "auto" else "configured and confirmed"
    kind = "unified trading account (UTA)" if detected == "uta" else "classic account"
    api = "API v3" if detected == "uta" else "API v2"
    log.info(f"Bitget {kind} {how}: using {api} for this process")
    return detected


def _check_configured(mode: str, detected: AccountType) -> None:
    if mode == "classic" and detected == "uta":
        raise BitgetAccountModeError(
            "account_mode='classic' but this API key belongs to a Unified Trading Account, "
            "which only works on API v3 (classic endpoints answer 40085): "
            "set account_mode='uta' or 'auto'",
            code="40085",
        )
    if mode == "uta" and detected == "classic":
        raise BitgetAccountModeError(
            "account_mode='uta' but this API key belongs to a classic account, which only "
            "works on API v2 (UTA endpoints answer 40084): set account_mode='classic' or 'auto'",
            code="40084",
        )
