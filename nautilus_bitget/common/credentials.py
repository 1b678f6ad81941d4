"""API credentials that never print themselves."""

from __future__ import annotations

import os
from dataclasses import dataclass
from dataclasses import field

from nautilus_bitget.common.errors import BitgetConfigError
from nautilus_bitget.constants import ENV_API_KEY
from nautilus_bitget.constants import ENV_API_PASSPHRASE
from nautilus_bitget.constants import ENV_API_SECRET


@dataclass(frozen=True, slots=True)
class BitgetCredentials:
    """
    A Bitget API key, secret and passphrase.

    The secret and passphrase are excluded from ``repr`` and ``str`` so they can never reach a
    log line by accident; the key is shown masked.

    """

    api_key: str
    api_secret: str = field(repr=False)
    api_passphrase: str = field(repr=False)

    def __repr__(self) -> str:
        return f"BitgetCredentials(api_key={mask(self.api_key)!r})"

    __str__ = __repr__


def mask(value: str) -> str:
    """Return ``value`` masked for display: the first 4 characters, then ``***``."""
    if not value:
        return ""
    return value[:4] + "***" if len(value) > 8 else "***"


def resolve_credentials(
    api_key: str | None,
    api_secret: str | None,
    api_passphrase: str | None,
    *,
    required: bool,
) -> BitgetCredentials | None:
    """
    Resolve credentials from config values, falling back to the environment.

    Parameters
    ----------
    api_key, api_secret, api_passphrase : str, optional
        Values from config; ``None`` reads ``BITGET_API_KEY``, ``BITGET_API_SECRET`` and
        ``BITGET_API_PASSPHRASE``.
    required : bool
        Whether missing credentials are an error (execution) or mean "public only" (data).

    Returns
    -------
    BitgetCredentials or None

    Raises
    ------
    ValueError
        If ``required`` and any of the three is missing; the message names the missing field
        and its environment variable, never a value.

    """
    values = {
        "api_key": (api_key if api_key is not None else os.environ.get(ENV_API_KEY), ENV_API_KEY),
        "api_secret": (
            api_secret if api_secret is not None else os.environ.get(ENV_API_SECRET),
            ENV_API_SECRET,
        ),
        "api_passphrase": (
            api_passphrase if api_passphrase is not None else os.environ.get(ENV_API_PASSPHRASE),
            ENV_API_PASSPHRASE,
        ),
    }
    missing = [f"{name} (or ${env})" for name, (value, env) in values.items() if not value]
    if missing:
        if required:
            raise BitgetConfigError(f"Bitget credentials missing: {', '.join(missing)}")
        return None
    return BitgetCredentials(
        api_key=values["api_key"][0],  # type: ignore[arg-type]
        api_secret=values["api_secret"][0],  # type: ignore[arg-type]
        api_passphrase=values["api_passphrase"][0],  # type: ignore[arg-type]
    )
