"""Recogniser settings (``ASR_ENGINE``, ``VOSK_*``, ``WHISPER_*``), read with the gateway's settings."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from integration.envparse import SettingsError, env_bool, env_float, env_int, env_str

ENGINES = ("vosk", "whisper")


@dataclass(frozen=True)
class AsrSettings:
    """Which recogniser the gateway builds and how (see voice/README.md, "Speech recognition")."""

    engine: str = "vosk"  # ASR_ENGINE: vosk | whisper
    vosk_model_path: Path | None = None  # VOSK_MODEL_PATH: unpacked Vosk model folder
    whisper_model_path: Path | None = None  # WHISPER_MODEL_PATH: CTranslate2 Whisper folder
    # A model whose vocabulary lacks the Chinese digit words is refused at start (wrong language).
    # Off only for the tests that drive the Korean test model through the gateway.
    language_check: bool = True  # ASR_LANGUAGE_CHECK
    decode_timeout_s: float = 15.0  # ASR_DECODE_TIMEOUT_S: a decode running longer fails the call
    decode_workers: int = 2  # ASR_DECODE_WORKERS: Whisper decodes at once (and CTranslate2 workers)
    whisper_compute_type: str = "int8"  # WHISPER_COMPUTE_TYPE: int8 on CPU; float16 on a GPU
    whisper_device: str = "cpu"  # WHISPER_DEVICE: cpu | cuda
    whisper_cpu_threads: int = 1  # WHISPER_CPU_THREADS: threads per decode
    whisper_beam_size: int = 1  # WHISPER_BEAM_SIZE: 1 is greedy (fastest); 5 is Whisper's default
    end_silence_ms: int = 700  # ASR_END_SILENCE_MS: silence that ends a short answer
    narrative_silence_ms: int = 1200  # ASR_NARRATIVE_SILENCE_MS: ... while a story is expected
    # WHISPER_PARTIAL_INTERVAL_MS: re-decode rate for partials (barge-in); 0, the default: none.
    # Each partial is a full decode: on CPU they slowed every final (bench/whisper_speed.py).
    partial_interval_ms: int = 0
    early_final_ms: int = 400  # WHISPER_EARLY_FINAL_MS: start the final decode this long before the endpoint

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> AsrSettings:
        env = os.environ if env is None else env
        engine = (env_str(env, "ASR_ENGINE", "vosk") or "vosk").lower()
        if engine not in ENGINES:
            raise SettingsError(f"ASR_ENGINE must be one of {', '.join(ENGINES)}, not {engine!r}")
        vosk = env.get("VOSK_MODEL_PATH", "").strip()
        whisper = env.get("WHISPER_MODEL_PATH", "").strip()
        settings = cls(
            engine=engine,
            vosk_model_path=Path(vosk) if vosk else None,
            whisper_model_path=Path(whisper) if whisper else None,
            language_check=env_bool(env, "ASR_LANGUAGE_CHECK", True),
            decode_timeout_s=env_float(env, "ASR_DECODE_TIMEOUT_S", 15.0),
            decode_workers=env_int(env, "ASR_DECODE_WORKERS", 2),
            whisper_compute_type=env_str(env, "WHISPER_COMPUTE_TYPE", "int8"),
            whisper_device=env_str(env, "WHISPER_DEVICE", "cpu"),
            whisper_cpu_threads=env_int(env, "WHISPER_CPU_THREADS", 1),
            whisper_beam_size=env_int(env, "WHISPER_BEAM_SIZE", 1),
            end_silence_ms=env_int(env, "ASR_END_SILENCE_MS", 700),
            narrative_silence_ms=env_int(env, "ASR_NARRATIVE_SILENCE_MS", 1200),
            partial_interval_ms=env_int(env, "WHISPER_PARTIAL_INTERVAL_MS", 0),
            early_final_ms=env_int(env, "WHISPER_EARLY_FINAL_MS", 400),
        )
        if settings.decode_timeout_s <= 0 or settings.decode_workers < 1 or settings.whisper_beam_size < 1:
            raise SettingsError(
                "ASR_DECODE_TIMEOUT_S, ASR_DECODE_WORKERS and WHISPER_BEAM_SIZE must be positive"
            )
        return settings

    @property
    def model_path(self) -> Path | None:
        """The folder of the chosen engine's model."""
        return self.vosk_model_path if self.engine == "vosk" else self.whisper_model_path

    @property
    def model_variable(self) -> str:
        return "VOSK_MODEL_PATH" if self.engine == "vosk" else "WHISPER_MODEL_PATH"
