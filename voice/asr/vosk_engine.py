"""Vosk (Kaldi) adapter: one shared Model per process, one KaldiRecognizer per call.

Every blocking Kaldi call runs in the engine's thread pool, never on the event loop, with a
deadline (``DecodePool``); calls for one stream are serialised by a lock (a recogniser is not
thread-safe). A recogniser that raised or hung is never entered again: the stream answers
``AsrFailure`` from then on and the session transfers the caller. ``vosk.Model(lang=…)`` is never
used: it downloads a model and ``sys.exit``s when that fails.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from voice.asr.base import (
    SAMPLE_RATE,
    AsrEvent,
    AsrFailure,
    AsrHealth,
    AsrUnavailable,
    Final,
    Partial,
    join_words,
)
from voice.asr.decode_pool import DecodePool

log = logging.getLogger(__name__)

_REQUIRED = ("am/final.mdl", "conf/mfcc.conf", "conf/model.conf")
# Words every Mandarin model knows; a model lacking most of them is another language's (the
# Korean test model, an English one copied into the wrong folder).
MANDARIN_PROBE = ("一", "二", "三", "四", "五", "六", "七", "八", "九", "零")


@dataclass(frozen=True)
class EndpointConfig:
    """Telephone endpointing on top of the model's own rules (``conf/model.conf``).

    ``stable_partial_ms``: close an utterance when the partial text has not changed for this much
    audio (Kaldi's trailing-silence rule misses line noise on phone lines).
    ``max_utterance_ms``: close an utterance that runs this long regardless.
    """

    chunk_ms: int = 100
    stable_partial_ms: int = 900
    max_utterance_ms: int = 15_000


def check_model_dir(path: Path) -> None:
    """Raise AsrUnavailable unless ``path`` looks like an unpacked Vosk model."""
    if not path.is_dir():
        raise AsrUnavailable(f"VOSK_MODEL_PATH {path} is not a directory")
    missing = [name for name in _REQUIRED if not (path / name).is_file()]
    graph = path / "graph"
    if not ((graph / "HCLG.fst").is_file() or (graph / "HCLr.fst").is_file()):
        missing.append("graph/HCLG.fst or graph/HCLr.fst")
    if missing:
        raise AsrUnavailable(f"Vosk model at {path} lacks {', '.join(missing)}")


class VoskEngine:
    name = "vosk"

    def __init__(
        self,
        model: Any,
        model_path: Path,
        executor: ThreadPoolExecutor,
        endpoint: EndpointConfig,
        *,
        timeout_s: float | None = None,
    ) -> None:
        self._model = model
        self.model_path = model_path
        self._executor = executor
        self.pool = DecodePool(executor, workers=executor._max_workers, timeout_s=timeout_s)
        self.endpoint = endpoint
        # Runtime grammars need the lookahead graph of the small models; the large cn model lacks it.
        self.supports_grammar = (model_path / "graph" / "Gr.fst").is_file()

    @classmethod
    def load(
        cls,
        model_path: Path,
        executor: ThreadPoolExecutor,
        endpoint: EndpointConfig | None = None,
        *,
        timeout_s: float | None = None,
        require_words: Sequence[str] = (),
    ) -> VoskEngine:
        """Load the model (blocking, seconds); raise AsrUnavailable on any failure.

        ``require_words``: most of them must be in the vocabulary (the gateway passes
        ``MANDARIN_PROBE``, so a model of another language is refused at start-up, not mid-call).
        """
        check_model_dir(model_path)
        import vosk  # local: importing vosk loads a native library

        vosk.SetLogLevel(-1)
        try:
            model = vosk.Model(model_path=str(model_path))
        except Exception as exc:  # vosk raises a bare Exception("Failed to create a model")
            raise AsrUnavailable(f"Vosk could not load {model_path}: {exc}") from exc
        engine = cls(model, model_path, executor, endpoint or EndpointConfig(), timeout_s=timeout_s)
        if require_words:
            known = engine.known_words(list(require_words))
            if len(known) * 2 < len(require_words):
                raise AsrUnavailable(
                    f"Vosk model at {model_path} is not a Mandarin model: its vocabulary lacks "
                    f"{len(require_words) - len(known)} of {len(require_words)} Chinese digit words"
                )
        return engine

    def health(self) -> AsrHealth:
        return self.pool.health()

    def close(self) -> None:
        """Stop the decoding threads (the gateway calls it for the engine it built)."""
        self._executor.shutdown(wait=False, cancel_futures=True)

    def known_words(self, words: list[str]) -> list[str]:
        """The subset of ``words`` in the model's vocabulary."""
        return [w for w in words if self._model.vosk_model_find_word(w) >= 0]

    def start_call(self) -> VoskStream:
        import vosk

        recognizer = vosk.KaldiRecognizer(self._model, SAMPLE_RATE)
        recognizer.SetWords(True)  # word confidences for Final.confidence
        recognizer.SetPartialWords(False)  # partial text is enough for barge-in, and cheaper
        return VoskStream(self, recognizer)


class VoskStream:
    """Per-call recogniser state; feed() buffers to ``chunk_ms`` blocks before decoding."""

    def __init__(self, engine: VoskEngine, recognizer: Any) -> None:
        self._engine = engine
        self._rec = recognizer
        self._lock = asyncio.Lock()
        self._pending = bytearray()
        self._chunk_bytes = SAMPLE_RATE * 2 * engine.endpoint.chunk_ms // 1000
        self._audio_ms = 0.0
        self._partial = ""
        self._partial_since_ms = 0.0
        self._utterance_start_ms: float | None = None
        self._closed = False
        self._broken = ""  # why the recogniser may no longer be entered

    async def feed(self, pcm16k: bytes) -> list[AsrEvent]:
        self._pending.extend(pcm16k)
        if len(self._pending) < self._chunk_bytes:
            return []
        chunk, self._pending = bytes(self._pending), bytearray()
        return await self._run(self._decode, chunk)

    async def finish(self) -> list[AsrEvent]:
        chunk, self._pending = bytes(self._pending), bytearray()
        return await self._run(self._flush, chunk)

    async def set_grammar(self, phrases: list[str] | None) -> bool:
        if not self._engine.supports_grammar:
            return False
        if phrases is None:
            await self._run(self._set_grammar, "[]")
            return True
        usable = [p for p in phrases if len(self._engine.known_words(p.split())) == len(p.split())]
        if not usable:
            return False
        await self._run(self._set_grammar, json.dumps(usable, ensure_ascii=False))  # Vosk ignores \u escapes
        return True

    async def close(self) -> None:
        async with self._lock:  # never free the recogniser under a running decode
            self._closed = True
            self._rec = None

    async def _run(self, fn: Any, arg: Any) -> list[AsrEvent]:
        async with self._lock:
            if self._closed:
                return []
            if self._broken:
                raise AsrFailure(self._broken)
            try:
                # A cancelled caller (a hang-up mid-chunk) keeps the lock until the thread is
                # done, or the next call would run beside it and Kaldi aborts the whole process;
                # a thread still inside after the deadline leaves the recogniser unusable.
                events: list[AsrEvent] = await self._engine.pool.run(
                    "Vosk decoding", fn, arg, wait_on_cancel=True, on_abandoned=self._abandon
                )
            except AsrFailure as exc:
                self._broken = self._broken or f"recogniser unusable after: {exc}"
                raise
            return events

    def _abandon(self) -> None:
        self._broken = "recogniser unusable: a decode is still running inside it"

    # --- blocking helpers (executor thread) ---

    def _set_grammar(self, grammar: str) -> list[AsrEvent]:
        self._rec.SetGrammar(grammar)
        return []

    def _decode(self, chunk: bytes) -> list[AsrEvent]:
        cfg = self._engine.endpoint
        self._audio_ms += len(chunk) / (SAMPLE_RATE * 2) * 1000
        try:
            if self._rec.AcceptWaveform(chunk):
                return self._final(self._rec.Result())
            partial = join_words(json.loads(self._rec.PartialResult()).get("partial", ""))
        except (ValueError, RuntimeError) as exc:
            raise AsrFailure(f"Vosk decoding failed: {exc}") from exc
        if not partial:
            return []
        if self._utterance_start_ms is None:
            self._utterance_start_ms = self._audio_ms
        if partial != self._partial:
            self._partial, self._partial_since_ms = partial, self._audio_ms
            return [Partial(partial)]
        stable = self._audio_ms - self._partial_since_ms >= cfg.stable_partial_ms
        too_long = self._audio_ms - self._utterance_start_ms >= cfg.max_utterance_ms
        if stable or too_long:
            return self._final(self._rec.FinalResult())
        return []

    def _flush(self, chunk: bytes) -> list[AsrEvent]:
        if chunk:
            self._audio_ms += len(chunk) / (SAMPLE_RATE * 2) * 1000
            self._rec.AcceptWaveform(chunk)
        return self._final(self._rec.FinalResult())

    def _final(self, raw: str) -> list[AsrEvent]:
        self._partial, self._utterance_start_ms = "", None
        try:
            result = json.loads(raw)
        except ValueError as exc:
            raise AsrFailure("Vosk returned malformed JSON") from exc
        text = join_words(result.get("text", ""))
        if not text:
            return []
        words = result.get("result") or []
        confidence = sum(float(w.get("conf", 0.0)) for w in words) / len(words) if words else 0.0
        return [Final(text, round(confidence, 3), self._audio_ms / 1000)]
