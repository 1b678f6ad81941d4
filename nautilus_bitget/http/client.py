"""
The Bitget REST client: signing, envelope, typed errors, retries, rate limits, clock offset.

Knows nothing of Nautilus objects; endpoint groups build on ``get``/``post``.

"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Mapping
from typing import Any
from typing import Final

import aiohttp
import msgspec
import yarl

from nautilus_bitget.common.backoff import backoff_secs
from nautilus_bitget.common.credentials import BitgetCredentials
from nautilus_bitget.common.errors import BitgetAuthenticationError
from nautilus_bitget.common.errors import BitgetClassicAccountError
from nautilus_bitget.common.errors import BitgetError
from nautilus_bitget.common.errors import BitgetRateLimitError
from nautilus_bitget.common.errors import BitgetServerError
from nautilus_bitget.common.errors import BitgetTimestampError
from nautilus_bitget.common.errors import BitgetTransportError
from nautilus_bitget.common.errors import BitgetUtaAccountError
from nautilus_bitget.common.errors import error_from_response
from nautilus_bitget.constants import BitgetEnvironment
from nautilus_bitget.http.ratelimit import BitgetRateLimiter
from nautilus_bitget.http.signing import RestSigner
from nautilus_bitget.http.signing import build_query


SUCCESS_CODE: Final[str] = "00000"
_NULL: Final[bytes] = b"null"


class _Envelope(msgspec.Struct, frozen=True):
    # bitget-protocol.md 2.4: code is a string; requestTime a number or a string; data may be null
    code: str | int | None = None
    msg: str | None = None
    requestTime: int | str | None = None
    data: msgspec.Raw = msgspec.Raw(_NULL)


class _ServerTime(msgspec.Struct, frozen=True):
    serverTime: str | int


_ENVELOPE_DECODER: Final = msgspec.json.Decoder(_Envelope)
_SERVER_TIME_DECODER: Final = msgspec.json.Decoder(_ServerTime)


class _NotSentError(BitgetTransportError):
    """The connection failed before the request was written: always safe to send again."""


class BitgetHttpClient:
    """
    An aiohttp client for the Bitget REST API v2.

    Parameters
    ----------
    base_url : str
        The REST host, e.g. ``https://api.bitget.com`` or a simulator URL.
    credentials : BitgetCredentials, optional
        Needed for signed requests.
    environment : BitgetEnvironment, default LIVE
        ``DEMO`` adds the ``paptrading: 1`` header (bitget-protocol.md 1.2 A).
    timeout_secs : float, default 10.0
        Total timeout of one request.
    max_retries : int, default 3
        Retries of a retryable failure (GETs and ``post(..., retry=True)`` only).
    api_version_prefix : str, default "/api/v2"
        Prefix of the server-time endpoint used by ``sync_clock``.
    logger : Logger or logging.Logger, optional
        Nautilus or stdlib logger; defaults to ``logging.getLogger(__name__)``.

    Notes
    -----
    The aiohttp session is created lazily inside the running loop and closed by ``close``.

    """

    retry_delay_initial_secs: float = 0.25
    retry_delay_max_secs: float = 5.0
    rate_limit_delay_initial_secs: float = 0.5

    def __init__(
        self,
        base_url: str,
        credentials: BitgetCredentials | None = None,
        *,
        environment: BitgetEnvironment = BitgetEnvironment.LIVE,
        timeout_secs: float = 10.0,
        max_retries: int = 3,
        api_version_prefix: str = "/api/v2",
        logger: Any = None,
    ) -> None:
        if timeout_secs <= 0:
            raise ValueError(f"timeout_secs must be > 0, was {timeout_secs}")
        if max_retries < 0:
            raise ValueError(f"max_retries must be >= 0, was {max_retries}")
        self._base_url = base_url.rstrip("/")
        self._credentials = credentials
        self._signer = RestSigner(credentials.api_secret) if credentials is not None else None
        self._environment = environment
        self._timeout = aiohttp.ClientTimeout(total=timeout_secs)
        self._max_retries = max_retries
        self._time_path = f"{api_version_prefix.rstrip('/')}/public/time"
        self._log = logger or logging.getLogger(__name__)
        self._session: aiohttp.ClientSession | None = None
        self._offset_ms: float = 0.0
        self._decoders: dict[Any, msgspec.json.Decoder] = {}
        self._limiter = BitgetRateLimiter(
            host=yarl.URL(self._base_url).host or self._base_url,
            api_key=credentials.api_key if credentials else None,
        )
        base_headers = {"Content-Type": "application/json", "locale": "en-US"}
        if environment is BitgetEnvironment.DEMO:
            base_headers["paptrading"] = "1"
        self._base_headers: Final[dict[str, str]] = base_headers

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(base_url={self._base_url!r}, "
            f"environment={self._environment.name}, credentials={self._credentials!r})"
        )

    @property
    def base_url(self) -> str:
        """The REST host."""
        return self._base_url

    @property
    def api_key(self) -> str | None:
        """The API key requests are signed with (``None`` for a public-only client)."""
        return self._credentials.api_key if self._credentials is not None else None

    @property
    def has_credentials(self) -> bool:
        """Whether requests can be signed."""
        return self._credentials is not None

    @property
    def clock_offset_ms(self) -> float:
        """Server time minus local time, in milliseconds, as last measured by ``sync_clock``."""
        return self._offset_ms

    def timestamp_ms(self) -> int:
        """Return the current server time estimate in milliseconds (local clock + offset)."""
        return int(time.time() * 1000 + self._offset_ms)

    async def get(
        self,
        path: str,
        params: Mapping[str, Any] | None = None,
        *,
        signed: bool = False,
        decoder: Any = None,
    ) -> Any:
        """
        Send a GET request and return the envelope's ``data``.

        Parameters
        ----------
        path : str
            The full path, e.g. ``/api/v2/mix/market/contracts``.
        params : Mapping[str, Any], optional
            Query parameters (sorted; ``None`` values dropped).
        signed : bool, default False
            Whether to sign the request (private endpoints).
        decoder : type, optional
            A msgspec type to decode ``data`` into; ``None`` returns the ``msgspec.Raw``.

        Returns
        -------
        Any
            Decoded ``data`` (``None`` when it is JSON null and a decoder is given).

        Raises
        ------
        BitgetError
            The typed error of the failure, after retries of transient failures.

        """
        query = build_query(params)
        return await self._request("GET", path, query, b"", signed, decoder, retry=True)

    async def post(
        self,
        path: str,
        body: Any = None,
        *,
        decoder: Any = None,
        retry: bool = False,
        resend_rate_limited: bool = False,
    ) -> Any:
        """
        Send a signed POST request and return the envelope's ``data``.

        Parameters
        ----------
        path : str
            The full path, e.g. ``/api/v2/mix/order/place-order``.
        body : dict or msgspec.Struct, optional
            The JSON body, serialized once; the same bytes are signed and sent.
        decoder : type, optional
            A msgspec type to decode ``data`` into; ``None`` returns the ``msgspec.Raw``.
        retry : bool, default False
            Whether the call is safe to repeat (settings such as set-leverage). With ``False``
            (order placement) a request whose outcome is unknown (timeout, reset after send,
            5xx) is never sent again: the error is raised so the caller resolves by clientOid.
        resend_rate_limited : bool, default False
            Whether a non-repeatable request refused with 429 is sent again (with backoff, at
            most ``max_retries`` times): a 429 is refused before processing (bitget-protocol.md
            7.1), so resending cannot duplicate an order.

        Returns
        -------
        Any

        Raises
        ------
        BitgetError

        """
        raw_body = b"" if body is None else msgspec.json.encode(body)
        return await self._request(
            "POST",
            path,
            "",
            raw_body,
            True,
            decoder,
            retry=retry,
            resend_rate_limited=resend_rate_limited,
        )

    async def sync_clock(self) -> None:
        """
        Measure the offset to the server clock (``GET /api/v2/public/time``).

        The offset is the server time minus the midpoint of the request's round trip and is
        applied to every ``ACCESS-TIMESTAMP`` afterwards.

        """
        path = self._time_path
        await self._limiter.acquire(path)
        t0 = time.time() * 1000
        raw = await self._send_once("GET", path, "", b"", signed=False)
        t1 = time.time() * 1000
        try:
            server_ms = int(_SERVER_TIME_DECODER.decode(raw).serverTime)
        except (msgspec.DecodeError, msgspec.ValidationError, ValueError) as e:
            raise BitgetServerError(f"bad server time: {e}", endpoint=path) from None
        self._offset_ms = server_ms - (t0 + t1) / 2
        self._log.debug(f"Bitget clock offset {self._offset_ms:.1f} ms (rtt {t1 - t0:.1f} ms)")

    async def close(self) -> None:
        """Close the aiohttp session (a later request opens a new one)."""
        session, self._session = self._session, None
        if session is not None and not session.closed:
            await session.close()

    # -- internals ----------------------------------------------------------------------------

    def _get_session(self) -> aiohttp.ClientSession:
        session = self._session
        if session is None or session.closed:
            session = aiohttp.ClientSession(timeout=self._timeout)
            self._session = session
        return session

    def _backoff(self, attempt: int, rate_limited: bool) -> float:
        initial = (
            self.rate_limit_delay_initial_secs if rate_limited else self.retry_delay_initial_secs
        )
        return backoff_secs(attempt, initial, self.retry_delay_max_secs)

    async def _request(
        self,
        method: str,
        path: str,
        query: str,
        body: bytes,
        signed: bool,
        decoder: Any,
        retry: bool,
        resend_rate_limited: bool = False,
    ) -> Any:
        if signed and self._credentials is None:
            raise BitgetAuthenticationError(
                "no credentials configured for a signed endpoint",
                endpoint=path,
            )
        attempt = 0
        resynced = False
        while True:
            await self._limiter.acquire(path)
            try:
                raw = await self._send_once(method, path, query, body, signed)
            except BitgetTimestampError:
                # bitget-protocol.md 2.1: 40008 means the request was rejected, so resync and resend
                if resynced:
                    raise
                resynced = True
                self._log.warning(f"{method} {path}: timestamp expired, resyncing clock")
                await self.sync_clock()
                continue
            except BitgetError as e:
                rate_limited = isinstance(e, BitgetRateLimitError)
                may_retry = (
                    retry or isinstance(e, _NotSentError) or (resend_rate_limited and rate_limited)
                )
                if not (may_retry and e.is_retryable) or attempt >= self._max_retries:
                    # An account-type answer (40084 / 40085) is the expected outcome of the
                    # account-mode probe; callers that did not expect it say what to change
                    if isinstance(e, BitgetClassicAccountError | BitgetUtaAccountError):
                        kind = "classic" if isinstance(e, BitgetClassicAccountError) else "UTA"
                        self._log.debug(f"{method} {path}: code {e.code}, a {kind} account")
                    else:
                        self._log.warning(
                            f"{method} {path} failed: {type(e).__name__} "
                            f"status={e.status} code={e.code}",
                        )
                    if isinstance(e, _NotSentError):
                        raise BitgetTransportError(
                            e.message,
                            status=e.status,
                            endpoint=e.endpoint,
                        ) from None
                    raise
                attempt += 1
                delay = self._backoff(attempt, rate_limited)
                self._log.info(
                    f"{method} {path}: {type(e).__name__} code={e.code}, "
                    f"retry {attempt}/{self._max_retries} in {delay:.2f}s",
                )
                await asyncio.sleep(delay)
                continue
            return self._decode_data(raw, decoder, path)

    def _headers(self, method: str, path: str, query: str, body: bytes) -> dict[str, str]:
        credentials = self._credentials
        signer = self._signer
        assert credentials is not None and signer is not None  # checked by _request
        timestamp = str(self.timestamp_ms())
        signature = signer.sign(timestamp, method, path, query, body.decode() if body else "")
        return {
            **self._base_headers,
            "ACCESS-KEY": credentials.api_key,
            "ACCESS-SIGN": signature,
            "ACCESS-TIMESTAMP": timestamp,
            "ACCESS-PASSPHRASE": credentials.api_passphrase,
        }

    async def _send_once(
        self,
        method: str,
        path: str,
        query: str,
        body: bytes,
        signed: bool,
    ) -> msgspec.Raw:
        # Build the URL text ourselves and forbid re-encoding: the bytes sent are the bytes signed
        url = yarl.URL(f"{self._base_url}{path}{'?' + query if query else ''}", encoded=True)
        headers = self._headers(method, path, query, body) if signed else self._base_headers
        session = self._get_session()
        try:
            async with session.request(
                method,
                url,
                data=body if method == "POST" else None,
                headers=headers,
            ) as response:
                status = response.status
                content = await response.read()
        except aiohttp.ClientConnectorError as e:
            raise _NotSentError(f"cannot connect: {type(e).__name__}", endpoint=path) from None
        except TimeoutError:
            raise BitgetTransportError("request timed out", endpoint=path) from None
        except aiohttp.ClientError as e:
            raise BitgetTransportError(f"transport error: {e!r}", endpoint=path) from None
        return self._parse_envelope(status, content, path)

    @staticmethod
    def _parse_envelope(status: int, content: bytes, path: str) -> msgspec.Raw:
        try:
            envelope = _ENVELOPE_DECODER.decode(content)
        except (msgspec.DecodeError, msgspec.ValidationError):
            snippet = content[:120].decode(errors="replace").strip()
            message = f"non-JSON response: {snippet!r}"
            if status == 429:
                raise BitgetRateLimitError(message, status=status, endpoint=path) from None
            if 400 <= status < 500:
                raise error_from_response(status, None, message, path) from None
            raise BitgetServerError(message, status=status, endpoint=path) from None
        code = None if envelope.code is None else str(envelope.code)
        if status >= 400 or code != SUCCESS_CODE:
            raise error_from_response(status, code, envelope.msg or "", path)
        return envelope.data

    def _decode_data(self, raw: msgspec.Raw, decoder: Any, path: str) -> Any:
        if decoder is None:
            return raw
        if bytes(raw) == _NULL:
            return None
        dec = self._decoders.get(decoder)
        if dec is None:
            dec = msgspec.json.Decoder(decoder)
            self._decoders[decoder] = dec
        try:
            return dec.decode(raw)
        except (msgspec.DecodeError, msgspec.ValidationError) as e:
            raise BitgetError(f"cannot decode response data: {e}", endpoint=path) from None
