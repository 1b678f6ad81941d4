"""Where the official example payloads live: ``shared/samples`` beside the repository."""

from __future__ import annotations

import os
from pathlib import Path


REPO = Path(__file__).resolve().parents[1]
# ``BITGET_NT_SAMPLES`` points elsewhere when the repository is not checked out beside shared/
SAMPLES = Path(os.environ.get("BITGET_NT_SAMPLES") or REPO.parent / "shared" / "samples")
UTA_SAMPLES = SAMPLES / "uta"
