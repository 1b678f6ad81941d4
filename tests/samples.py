"""Where the vendored Bitget example payloads live: ``tests/fixtures/bitget`` (v2) and ``uta/``."""

from __future__ import annotations

from pathlib import Path


SAMPLES = Path(__file__).resolve().parent / "fixtures" / "bitget"
UTA_SAMPLES = SAMPLES / "uta"
