"""
Pure signing helpers for Bitget REST requests and WebSocket login (bitget-protocol.md sections 2,
3.2).

Nothing here logs or stores a secret; every function takes the secret and returns the signature.

"""

from __future__ import annotations

import binascii
import hashlib
import hmac
from collections.abc import Mapping
from typing import Any
from typing import Final
from urllib.parse import quote


# bitget-protocol.md 3.2: a constant string, not a URL
WS_LOGIN_PATH: Final[str] = "/user/verify"

# Characters left unescaped in query values; everything else is percent-encoded once, and the
# encoded string is both signed and sent (bitget-protocol.md 2.2: sign exactly what is in the URL)
_QUERY_SAFE: Final[str] = "-_.~,"


def sign(secret: str, prehash: str) -> str:
    """
    Return ``base64(HMAC_SHA256(secret, prehash))``.

    Parameters
    ----------
    secret : str
        The API secret.
    prehash : str
        The string to sign.

    Returns
    -------
    str

    """
    # one-shot C HMAC (hmac.digest): several times cheaper than an hmac.new object per request
    digest = hmac.digest(secret.encode(), prehash.encode(), "sha256")
    return binascii.b2a_base64(digest, newline=False).decode()


class RestSigner:
    """
    Signs REST requests with one secret (bitget-protocol.md 2.2), reusing the keyed HMAC state.

    The keyed SHA-256 state is built once and copied per request: no per-request key schedule or
    digest lookup (the lookup alone measured tens of microseconds inside a running node). Holds the
    secret's HMAC state only; never logged (no secret in ``repr``).

    Parameters
    ----------
    secret : str
        The API secret.

    """

    __slots__ = ("_keyed",)

    def __init__(self, secret: str) -> None:
        self._keyed = hmac.new(secret.encode(), digestmod=hashlib.sha256)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"

    def sign(self, timestamp: str, method: str, path: str, query: str = "", body: str = "") -> str:
        """Return the ``ACCESS-SIGN`` value of a request (same result as ``sign_rest``)."""
        mac = self._keyed.copy()
        mac.update(rest_prehash(timestamp, method, path, query, body).encode())
        return binascii.b2a_base64(mac.digest(), newline=False).decode()


def rest_prehash(timestamp: str, method: str, path: str, query: str = "", body: str = "") -> str:
    """
    Return the REST prehash string (bitget-protocol.md 2.2).

    Parameters
    ----------
    timestamp : str
        The ``ACCESS-TIMESTAMP`` header value (milliseconds).
    method : str
        ``GET`` or ``POST`` (upper-cased here).
    path : str
        The request path without host, e.g. ``/api/v2/mix/order/place-order``.
    query : str, default ""
        The query string exactly as sent, without the leading ``?``.
    body : str, default ""
        The exact JSON body text sent.

    Returns
    -------
    str

    """
    return f"{timestamp}{method.upper()}{path}{'?' + query if query else ''}{body}"


def sign_rest(
    secret: str,
    timestamp: str,
    method: str,
    path: str,
    query: str = "",
    body: str = "",
) -> str:
    """
    Return the ``ACCESS-SIGN`` value of a REST request (bitget-protocol.md 2.2).

    Parameters
    ----------
    secret : str
        The API secret.
    timestamp : str
        The ``ACCESS-TIMESTAMP`` header value (milliseconds).
    method : str
        ``GET`` or ``POST``.
    path : str
        The request path.
    query : str, default ""
        The query string as sent, without ``?``.
    body : str, default ""
        The body text as sent.

    Returns
    -------
    str

    """
    return sign(secret, rest_prehash(timestamp, method, path, query, body))


def sign_ws_login(secret: str, timestamp_secs: str) -> str:
    """
    Return the WebSocket login signature (bitget-protocol.md 3.2).

    Parameters
    ----------
    secret : str
        The API secret.
    timestamp_secs : str
        The login timestamp in seconds, as sent in the login args.

    Returns
    -------
    str

    """
    return sign(secret, f"{timestamp_secs}GET{WS_LOGIN_PATH}")


def build_query(params: Mapping[str, Any] | None) -> str:
    """
    Return the query string of ``params``: keys sorted, ``None`` values dropped.

    Booleans become ``true``/``false``; other values ``str(value)``; values are
    percent-encoded once. The result is put in the URL unchanged and signed unchanged.

    Parameters
    ----------
    params : Mapping[str, Any], optional
        The query parameters.

    Returns
    -------
    str
        The query string without a leading ``?`` (empty when there are no parameters).

    """
    if not params:
        return ""
    parts = []
    for key in sorted(params):
        value = params[key]
        if value is None:
            continue
        if isinstance(value, bool):
            text = "true" if value else "false"
        elif isinstance(value, bytes):
            text = value.decode()
        else:
            text = str(value)
        parts.append(f"{quote(str(key), safe=_QUERY_SAFE)}={quote(text, safe=_QUERY_SAFE)}")
    return "&".join(parts)
