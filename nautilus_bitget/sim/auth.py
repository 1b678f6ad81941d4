"""
Signature verification for the simulator, exactly as Bitget documents it.

REST (bitget-protocol.md 2.2): ``prehash = ACCESS-TIMESTAMP + METHOD + path + ("?" + raw query) +
body``,
``sign = base64(HMAC_SHA256(secret, prehash))``; timestamp window 30 s (2.1, code ``40008``).
WS login (3.2): ``sign = base64(HMAC_SHA256(secret, ts_seconds + "GET" + "/user/verify"))``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


TIMESTAMP_WINDOW_MS = 30_000


@dataclass(frozen=True)
class SimApiKey:
    """
    One API key known to the simulator.

    Parameters
    ----------
    api_key : str
        The public key.
    secret : str
        The HMAC secret.
    passphrase : str
        The passphrase.
    uid : str
        The account (user id) the key belongs to.
    demo : bool
        Whether this is a demo-trading key (must be used with the ``paptrading: 1`` header).
    account_mode : str
        ``"classic"`` or ``"uta"`` (UTA accounts get ``40085`` on classic endpoints).

    """

    api_key: str
    secret: str
    passphrase: str
    uid: str
    demo: bool = False
    account_mode: str = "classic"

    def __repr__(self) -> str:
        return f"SimApiKey(api_key={self.api_key!r}, uid={self.uid!r}, demo={self.demo})"


class AuthError(Exception):
    """A failed authentication, carrying the Bitget error code and message."""

    def __init__(self, code: str, msg: str) -> None:
        super().__init__(f"{code} {msg}")
        self.code = code
        self.msg = msg


def uid_of(api_key: str) -> str:
    """Return the account uid the simulator derives for a key (stable across runs)."""
    return str(int(hashlib.sha256(api_key.encode()).hexdigest()[:10], 16))


def sign(secret: str, prehash: str) -> str:
    """Return ``base64(HMAC_SHA256(secret, prehash))``."""
    digest = hmac.new(secret.encode(), prehash.encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


class SimAuthenticator:
    """
    Verify REST and WS-login signatures against the simulator's keys.

    Parameters
    ----------
    lookup : callable
        ``lookup(api_key) -> SimApiKey | None``.
    now_ms : callable
        Returns the server's current time in ms (includes any configured clock skew).

    """

    def __init__(
        self,
        lookup: Callable[[str], SimApiKey | None],
        now_ms: Callable[[], int],
    ) -> None:
        self._lookup = lookup
        self._now_ms = now_ms

    def verify_rest(
        self,
        headers: Mapping[str, str],
        method: str,
        path: str,
        raw_query: str,
        body: bytes,
    ) -> SimApiKey:
        """
        Verify a signed REST request and return the key it used.

        Raises
        ------
        AuthError
            With the documented code (bitget-protocol.md 8.2) when verification fails.

        """
        key = headers.get("ACCESS-KEY")
        signature = headers.get("ACCESS-SIGN")
        timestamp = headers.get("ACCESS-TIMESTAMP")
        passphrase = headers.get("ACCESS-PASSPHRASE")
        if not key:
            raise AuthError("40001", "ACCESS_KEY cannot be empty")
        if not signature:
            raise AuthError("40002", "ACCESS_SIGN cannot be empty")
        if not timestamp:
            raise AuthError("40003", "ACCESS_TIMESTAMP cannot be empty")
        if not passphrase:
            raise AuthError("40011", "ACCESS_PASSPHRASE cannot be empty")
        if not timestamp.isdigit():
            raise AuthError("40005", "Invalid ACCESS_TIMESTAMP")
        if abs(self._now_ms() - int(timestamp)) > TIMESTAMP_WINDOW_MS:
            raise AuthError("40008", "Request timestamp expired")
        entry = self._lookup(key)
        if entry is None:
            raise AuthError("40006", "Invalid ACCESS_KEY")
        if not hmac.compare_digest(passphrase.encode(), entry.passphrase.encode()):
            raise AuthError("40012", "apikey/password is incorrect")
        prehash = timestamp + method.upper() + path
        if raw_query:
            prehash += "?" + raw_query
        # The body is signed as the exact bytes received (bitget-protocol.md 2.2)
        expected = sign(entry.secret, prehash + body.decode("utf-8", errors="surrogateescape"))
        if not hmac.compare_digest(expected.encode(), signature.encode()):
            raise AuthError("40009", "sign signature error")
        demo_header = headers.get("paptrading", "").strip() == "1"
        if demo_header != entry.demo:
            raise AuthError("40099", "exchange environment is incorrect")
        return entry

    def verify_login(self, args: Any) -> SimApiKey:
        """
        Verify one WS login arg (bitget-protocol.md 3.2) and return the key.

        Raises
        ------
        AuthError
            With the WS code (bitget-protocol.md 8.3): 30011 key, 30012 passphrase, 30013 timestamp,
            30014 expired, 30015 sign, 30005 other.

        """
        if not isinstance(args, dict):
            raise AuthError("30005", "Login failed")
        key = args.get("apiKey")
        passphrase = args.get("passphrase")
        timestamp = args.get("timestamp")
        signature = args.get("sign")
        if not key or not isinstance(key, str):
            raise AuthError("30011", "Invalid ACCESS_KEY")
        if not isinstance(timestamp, str | int) or not str(timestamp).isdigit():
            raise AuthError("30013", "Invalid ACCESS_TIMESTAMP")
        if not isinstance(signature, str) or not signature:
            raise AuthError("30015", "Invalid sign")
        timestamp = str(timestamp)
        # Seconds per the wire example; milliseconds also accepted live (3.2)
        ts_ms = int(timestamp) * 1000 if len(timestamp) <= 11 else int(timestamp)
        if abs(self._now_ms() - ts_ms) > TIMESTAMP_WINDOW_MS:
            raise AuthError("30014", "Request timestamp expired")
        entry = self._lookup(key)
        if entry is None:
            raise AuthError("30011", "Invalid ACCESS_KEY")
        if not isinstance(passphrase, str) or not hmac.compare_digest(
            passphrase.encode(), entry.passphrase.encode()
        ):
            raise AuthError("30012", "Invalid ACCESS_PASSPHRASE")
        expected = sign(entry.secret, timestamp + "GET" + "/user/verify")
        if not hmac.compare_digest(expected.encode(), signature.encode()):
            raise AuthError("30015", "Invalid sign")
        return entry
