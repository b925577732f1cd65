"""``build_engine(settings)``: the recogniser the settings choose, loaded and checked (blocking).

Used by the gateway at start-up (in an executor) and by benchmarks; it raises AsrUnavailable with
a sentence staff can act on, and never downloads anything.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from voice.asr.base import AsrEngine, AsrUnavailable
from voice.asr.config import AsrSettings
from voice.settings import VoiceSettings

if TYPE_CHECKING:
    from voice.asr.whisper_engine import WhisperConfig


def whisper_config(settings: AsrSettings) -> WhisperConfig:
    from voice.asr.whisper_engine import WhisperConfig

    return WhisperConfig(
        compute_type=settings.whisper_compute_type,
        device=settings.whisper_device,
        cpu_threads=settings.whisper_cpu_threads,
        workers=settings.decode_workers,
        beam_size=settings.whisper_beam_size,
        timeout_s=settings.decode_timeout_s,
        end_silence_ms=settings.end_silence_ms,
        narrative_silence_ms=settings.narrative_silence_ms,
        partial_interval_ms=settings.partial_interval_ms,
        early_final_ms=settings.early_final_ms,
    )


def build_engine(settings: AsrSettings | VoiceSettings) -> AsrEngine:
    """Load the engine named by ASR_ENGINE from its model folder; AsrUnavailable if impossible."""
    asr = settings.asr if isinstance(settings, VoiceSettings) else settings
    path = asr.model_path
    if path is None:
        hint = (
            "`make run` downloads vosk-model-small-cn-0.22 (see voice/README.md)"
            if asr.engine == "vosk"
            else "`python -m voice.asr.whisper_model var/models/whisper-base` builds one"
        )
        raise AsrUnavailable(f"{asr.model_variable} is not set ({hint})")
    if asr.engine == "whisper":
        from voice.asr.whisper_engine import WhisperEngine

        return WhisperEngine.load(path, whisper_config(asr))
    from voice.asr.vosk_engine import MANDARIN_PROBE, VoskEngine

    # One Kaldi recogniser uses one core: a thread per core decodes that many calls at once.
    executor = ThreadPoolExecutor(max_workers=os.cpu_count() or 2, thread_name_prefix="vosk")
    try:
        return VoskEngine.load(
            path,
            executor,
            timeout_s=asr.decode_timeout_s,
            require_words=MANDARIN_PROBE if asr.language_check else (),
        )
    except AsrUnavailable:
        executor.shutdown(wait=False)
        raise
