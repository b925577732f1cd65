"""Settings of the legal answerer, read from environment variables through ``integration.envparse``.

The answerer runs inside the action server and the benchmarks; both read these once, when the
answerer or its encoder is first built (never at import).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from integration.envparse import SettingsError, env_bool, env_int, env_str


@dataclass(frozen=True)
class LegalSettings:
    """``LEGAL_DENSE``: dense retrieval (e5) on; off on a CPU without AVX2 (lexical ranking only).
    ``LEGAL_ENCODER_THREADS``: threads of the e5 encoder. Two halve a long question's encoding on
    two cores (about 130 → 70 ms); the encoder waits passively (``OMP_WAIT_POLICY=PASSIVE``), so
    under contention it does not spin against Rasa. ``LEGAL_LAWS_DIR``: the statute sources read
    by ``python -m legal.build`` (default ``<repo>/../shared/laws``)."""

    dense: bool = True
    encoder_threads: int = 2
    laws_dir: Path | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> LegalSettings:
        env = os.environ if env is None else env
        threads = env_int(env, "LEGAL_ENCODER_THREADS", cls.encoder_threads)
        if not 1 <= threads <= 64:
            raise SettingsError(f"LEGAL_ENCODER_THREADS={threads} must be between 1 and 64")
        laws = env_str(env, "LEGAL_LAWS_DIR", "")
        return cls(
            dense=env_bool(env, "LEGAL_DENSE", cls.dense),
            encoder_threads=threads,
            laws_dir=Path(laws) if laws else None,
        )
