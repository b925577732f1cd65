"""faster-whisper (CTranslate2, int8 on CPU) behind the ASR port, with Silero VAD endpointing.

Whisper decodes whole utterances, not a stream of frames, so this adapter supplies what Vosk has
built in: Silero VAD (the model faster-whisper ships) marks speech in 32 ms windows; an utterance
starts after ``min_speech_ms`` of speech (with ``pre_roll_ms`` of audio before it) and ends after
``end_silence_ms`` of silence (longer while a story is expected), or at ``max_utterance_ms``. The
finished utterance is decoded once for the ``Final``; while the caller speaks, the growing buffer
is re-decoded at most every ``partial_interval_ms`` for ``Partial`` results (barge-in, the kiosk's
echo), only when a decode slot is free, so partials never delay anyone's final.

Decoding runs in a bounded pool (``DecodePool``: a deadline per decode; a raise or a hang becomes
``AsrFailure``); VAD runs in a one-thread executor of its own, so a busy decoder never stalls
endpointing. Output is Simplified Chinese (``textnorm.script``) with repetition loops collapsed.
"""

from __future__ import annotations

import asyncio
import logging
import math
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from textnorm.script import to_simplified
from voice.asr.base import (
    SAMPLE_RATE,
    AsrEvent,
    AsrFailure,
    AsrHealth,
    AsrUnavailable,
    Final,
    InputKind,
    Partial,
    join_words,
)
from voice.asr.decode_pool import DECODER_ERRORS, DecodePool

log = logging.getLogger(__name__)

WINDOW = 512  # Silero VAD window at 16 kHz (32 ms)
_CONTEXT = 64  # samples of the previous window Silero v6 sees with each window
_WINDOW_MS = WINDOW * 1000 / SAMPLE_RATE
_REQUIRED = ("model.bin", "config.json", "tokenizer.json")
DIGIT_WORDS = "零 幺 一 二 三 四 五 六 七 八 九"
# Hints per expected input: hotwords go before the prompt (faster-whisper's ``hotwords``). No
# example numbers: Whisper copies a prompt's digits into an unclear answer.
_HOTWORDS: dict[str, str] = {
    "digits": DIGIT_WORDS,
    "phone": DIGIT_WORDS,
    "resident_id": DIGIT_WORDS + " X",
    "amount": DIGIT_WORDS + " 十 百 千 万 块 元",
    "yes_no": "对 不对 是的 不是 没错 好的",
}
# Credits Whisper invents from subtitle training data when it hears noise.
# Only whole credit lines: a citizen may well complain about a 订阅 (subscription) or 字幕 (subtitles).
_HALLUCINATIONS = re.compile(
    r"字幕(由|制作|提供|志愿者|组)|Amara\.org|请不吝点赞|点赞.{0,8}订阅.{0,8}(转发|打赏)|明镜与点点",
    re.IGNORECASE,
)
_REPEAT = re.compile(r"(.{2,16}?)\1{2,}")
_DIGITS = set("零〇幺一二两三四五六七八九十0123456789")
_NUMERIC = ("digits", "phone", "resident_id", "amount")


@dataclass(frozen=True)
class WhisperConfig:
    """Tunables of the engine; the gateway fills them from ``AsrSettings``."""

    compute_type: str = "int8"
    device: str = "cpu"
    cpu_threads: int = 1
    workers: int = 2
    beam_size: int = 1
    timeout_s: float = 15.0
    vad_threshold: float = 0.5
    min_speech_ms: int = 200
    pre_roll_ms: int = 300
    end_silence_ms: int = 700
    narrative_silence_ms: int = 1200
    max_utterance_ms: int = 15_000
    partial_first_ms: int = 600
    partial_interval_ms: int = 0  # 0: no partial results (see AsrSettings)
    early_final_ms: int = 400  # start the final decode this long before the endpoint; 0: never


def check_model_dir(path: Path) -> None:
    """Raise AsrUnavailable unless ``path`` holds a CTranslate2 Whisper model.

    faster-whisper treats anything that is not a folder as a model *name* and downloads it from a
    model hub, and fetches a tokenizer when ``tokenizer.json`` is missing: both are checked first.
    """
    if not path.is_dir():
        raise AsrUnavailable(f"WHISPER_MODEL_PATH {path} is not a directory")
    missing = [name for name in _REQUIRED if not (path / name).is_file()]
    if not any((path / name).is_file() for name in ("vocabulary.json", "vocabulary.txt")):
        missing.append("vocabulary.json")
    if missing:
        raise AsrUnavailable(f"Whisper model at {path} lacks {', '.join(missing)}")


def clean_text(raw: str) -> str:
    """Simplified characters, no spaces between Chinese words, loops and credits removed."""
    text = join_words(to_simplified(raw.strip()))

    def collapse(match: re.Match[str]) -> str:
        unit = match.group(1)
        return unit if set(unit) - _DIGITS - set("，,、 ") else match.group(0)  # 一二一二一二 is a number

    text = _REPEAT.sub(collapse, text)
    return "" if _HALLUCINATIONS.search(text) else text


class WhisperEngine:
    name = "whisper"

    def __init__(self, model: Any, vad: Any, config: WhisperConfig, model_path: Path) -> None:
        self._model = model
        self._vad_session = vad
        self.config = config
        self.model_path = model_path
        self._decoder = ThreadPoolExecutor(max_workers=config.workers, thread_name_prefix="whisper")
        self._vad_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="vad")
        self.pool = DecodePool(self._decoder, workers=config.workers, timeout_s=config.timeout_s)
        self.vad_pool = DecodePool(
            self._vad_executor, workers=1, timeout_s=config.timeout_s, failures=self.pool.failures
        )

    @classmethod
    def load(cls, model_path: Path, config: WhisperConfig | None = None) -> WhisperEngine:
        """Load model and VAD and decode a short silence (blocking, seconds); AsrUnavailable on failure.

        The trial decode catches weights that load but cannot run (a truncated ``model.bin``).
        """
        config = config or WhisperConfig()
        check_model_dir(model_path)
        try:
            from faster_whisper import WhisperModel
            from faster_whisper.utils import get_assets_path
            from faster_whisper.vad import SileroVADModel
        except ImportError as exc:
            raise AsrUnavailable(
                f"faster-whisper is not installed ({exc}): pip install faster-whisper"
            ) from exc
        try:
            model = WhisperModel(
                str(model_path),
                device=config.device,
                compute_type=config.compute_type,
                cpu_threads=config.cpu_threads,
                num_workers=config.workers,
                local_files_only=True,
            )
            vad = SileroVADModel(str(Path(get_assets_path()) / "silero_vad_v6.onnx"))
        except DECODER_ERRORS as exc:
            raise AsrUnavailable(f"Whisper could not load {model_path}: {exc}") from exc
        if not model.model.is_multilingual:
            raise AsrUnavailable(f"Whisper model at {model_path} is English-only: use a multilingual model")
        engine = cls(model, vad.session, config, model_path)
        try:
            engine.transcribe(np.zeros(SAMPLE_RATE // 2, dtype=np.float32), None, 1)
        except DECODER_ERRORS as exc:
            engine.close()
            raise AsrUnavailable(f"Whisper model at {model_path} fails to decode: {exc}") from exc
        return engine

    def start_call(self) -> WhisperStream:
        return WhisperStream(self)

    def health(self) -> AsrHealth:
        return self.pool.health()

    def close(self) -> None:
        self._decoder.shutdown(wait=False, cancel_futures=True)
        self._vad_executor.shutdown(wait=False, cancel_futures=True)

    # --- blocking (executor threads) ---

    def transcribe(self, audio: np.ndarray, kind: InputKind | None, beam_size: int) -> tuple[str, float]:
        """Text and confidence (exp of the mean token log-probability) of one utterance."""
        seconds = audio.size / SAMPLE_RATE
        segments, _info = self._model.transcribe(
            audio,
            language="zh",
            task="transcribe",
            beam_size=beam_size,
            best_of=1,
            temperature=0.0,  # no fallback re-decodes: latency is bounded, loops are collapsed
            condition_on_previous_text=False,
            without_timestamps=True,
            vad_filter=False,  # our own VAD already cut the utterance
            hotwords=_HOTWORDS.get(kind or ""),
            max_new_tokens=min(200, int(seconds * 12) + 16),
            suppress_blank=True,
        )
        texts: list[str] = []
        logprobs: list[float] = []
        for segment in segments:
            if segment.no_speech_prob > 0.6 and segment.avg_logprob < -1.0:
                continue  # Whisper's own rule for "this was not speech"
            texts.append(segment.text)
            logprobs.append(segment.avg_logprob)
        text = clean_text("".join(texts))
        confidence = math.exp(sum(logprobs) / len(logprobs)) if logprobs and text else 0.0
        return text, round(min(1.0, confidence), 3)

    def speech_probabilities(self, state: VadState, samples: np.ndarray) -> np.ndarray:
        """Silero VAD over ``samples`` (whole windows), carrying the state between calls."""
        windows = samples.reshape(-1, WINDOW)
        context = np.concatenate([state.context[None, :], windows[:-1, -_CONTEXT:]])
        batch = np.concatenate([context, windows], axis=1).astype(np.float32)
        out, state.h, state.c = self._vad_session.run(None, {"input": batch, "h": state.h, "c": state.c})
        state.context = windows[-1, -_CONTEXT:].copy()
        return np.asarray(out, dtype=np.float32).reshape(-1)


@dataclass
class VadState:
    h: np.ndarray
    c: np.ndarray
    context: np.ndarray

    @classmethod
    def fresh(cls) -> VadState:
        zeros = np.zeros((1, 1, 128), dtype=np.float32)
        return cls(zeros, zeros.copy(), np.zeros(_CONTEXT, dtype=np.float32))


class WhisperStream:
    """One call: VAD state, the utterance being spoken, the partial decode in flight."""

    def __init__(self, engine: WhisperEngine) -> None:
        self._engine = engine
        self._cfg = engine.config
        self._vad = VadState.fresh()
        self._lock = asyncio.Lock()  # feed/finish of one call one at a time
        self._rest = np.zeros(0, dtype=np.float32)  # samples short of a whole VAD window
        self._pre: list[np.ndarray] = []  # recent windows before speech (pre-roll)
        self._utterance: list[np.ndarray] = []
        self._speaking = False
        self._voiced_ms = 0.0  # speech run before an utterance starts
        self._silence_ms = 0.0  # silence run inside an utterance
        self._utterance_id = 0
        self._last_partial_ms = 0.0
        self._partial_task: asyncio.Task[tuple[int, str]] | None = None
        self._early: asyncio.Task[tuple[str, float]] | None = None  # the final, started in the pause
        self._partial_text = ""
        self._samples = 0  # audio received so far (for Final.audio_end_s)
        self._kind: InputKind | None = None
        self._closed = False

    # --- the port ---

    async def feed(self, pcm16k: bytes) -> list[AsrEvent]:
        async with self._lock:
            if self._closed:
                return []
            samples = np.frombuffer(pcm16k[: len(pcm16k) // 2 * 2], dtype="<i2").astype(np.float32) / 32768.0
            self._samples += samples.size
            audio = np.concatenate([self._rest, samples])
            whole = audio.size // WINDOW * WINDOW
            self._rest = audio[whole:]
            events = self._ready_partial()
            if whole == 0:
                return events
            windows = audio[:whole]
            probs = await self._engine.vad_pool.run(
                "voice activity detection", self._engine.speech_probabilities, self._vad, windows
            )
            for index, prob in enumerate(probs):
                window = windows[index * WINDOW : (index + 1) * WINDOW]
                if self._step(window, float(prob)):
                    events += await self._final()
            if self._speaking:
                self._maybe_start_partial()
            return events

    async def finish(self) -> list[AsrEvent]:
        async with self._lock:
            if self._closed or not self._speaking:
                self._reset()
                return []
            return await self._final()

    async def set_grammar(self, phrases: list[str] | None) -> bool:
        """Whisper cannot be constrained: digit phrases become a bias (hotwords); False says so."""
        numeric = self._kind in _NUMERIC
        if phrases is None:
            self._kind = None if numeric else self._kind  # a story or yes/no hint stays
        elif any(set(p) & _DIGITS for p in phrases) and not numeric:
            self._kind = "digits"
        return False

    async def expect(self, kind: InputKind | None) -> None:
        self._kind = kind

    async def close(self) -> None:
        async with self._lock:
            self._closed = True
            self._drop_partial()
            self._drop_early()

    # --- endpointing (event loop; cheap arithmetic per 32 ms window) ---

    def _step(self, window: np.ndarray, prob: float) -> bool:
        """Advance by one window; True when the utterance just ended."""
        cfg = self._cfg
        if not self._speaking:
            self._pre.append(window)
            del self._pre[: max(0, len(self._pre) - math.ceil(cfg.pre_roll_ms / _WINDOW_MS))]
            self._voiced_ms = self._voiced_ms + _WINDOW_MS if prob >= cfg.vad_threshold else 0.0
            if self._voiced_ms >= cfg.min_speech_ms:
                self._speaking, self._silence_ms = True, 0.0
                self._utterance, self._pre = self._pre, []
                self._utterance_id += 1
                self._last_partial_ms = 0.0
            return False
        self._utterance.append(window)
        quiet = prob < max(0.01, cfg.vad_threshold - 0.15)
        self._silence_ms = self._silence_ms + _WINDOW_MS if quiet else 0.0
        end = cfg.narrative_silence_ms if self._kind == "narrative" else cfg.end_silence_ms
        if not quiet:
            self._drop_early()  # the caller went on: the early decode missed words
        elif self._early is None and self._silence_ms >= end - min(cfg.early_final_ms, end / 2):
            self._start_early()
        return self._silence_ms >= end or self._utterance_ms() >= cfg.max_utterance_ms

    def _utterance_ms(self) -> float:
        return len(self._utterance) * _WINDOW_MS

    def _utterance_audio(self) -> np.ndarray:
        """The utterance so far with at most 200 ms of its trailing silence."""
        keep = max(1, len(self._utterance) - int(max(0.0, self._silence_ms - 200) / _WINDOW_MS))
        return np.concatenate(self._utterance[:keep]) if self._utterance else np.zeros(0, np.float32)

    async def _decode_final(self, audio: np.ndarray, kind: InputKind | None) -> tuple[str, float]:
        return await self._engine.pool.run(
            "Whisper decoding", self._engine.transcribe, audio, kind, self._cfg.beam_size
        )

    def _start_early(self) -> None:
        """Start the final decode in the pause before the endpoint (only if a decoder is free):
        when the silence holds, the caller waits that much less for the reply."""
        if self._cfg.early_final_ms <= 0 or not self._engine.pool.has_room():
            return
        audio = self._utterance_audio()
        if audio.size >= SAMPLE_RATE // 10:
            self._early = asyncio.create_task(self._decode_final(audio, self._kind))

    def _drop_early(self) -> None:
        task, self._early = self._early, None
        if task is not None and not task.done():
            task.cancel()  # a queued decode is dropped; a running one finishes unseen
        elif task is not None and not task.cancelled():
            task.exception()

    async def _final(self) -> list[AsrEvent]:
        audio, early, kind = self._utterance_audio(), self._early, self._kind
        self._early = None  # kept from _reset: it is this utterance's final
        self._reset()
        if audio.size < SAMPLE_RATE // 10:
            if early is not None:
                early.cancel()
            return []
        text, confidence = await (early if early is not None else self._decode_final(audio, kind))
        if not text:
            return []
        return [Final(text, confidence, self._samples / SAMPLE_RATE)]

    def _reset(self) -> None:
        self._drop_partial()
        self._drop_early()
        self._speaking, self._utterance, self._silence_ms, self._voiced_ms = False, [], 0.0, 0.0
        self._partial_text = ""

    # --- partial results (background decodes, delivered with the next feed) ---

    def _maybe_start_partial(self) -> None:
        cfg = self._cfg
        spoken = self._utterance_ms()
        if (
            cfg.partial_interval_ms <= 0
            or self._silence_ms >= 200  # a pause: the early final decodes it, not a partial
            or self._partial_task is not None
            or spoken < cfg.partial_first_ms
            or (self._last_partial_ms and spoken - self._last_partial_ms < cfg.partial_interval_ms)
            or not self._engine.pool.has_room()
        ):
            return
        self._last_partial_ms = spoken
        audio = np.concatenate(self._utterance)
        self._partial_task = asyncio.create_task(self._decode_partial(self._utterance_id, audio))

    async def _decode_partial(self, utterance_id: int, audio: np.ndarray) -> tuple[int, str]:
        text, _ = await self._engine.pool.run(
            "Whisper partial decoding", self._engine.transcribe, audio, self._kind, 1
        )
        return utterance_id, text

    def _ready_partial(self) -> list[AsrEvent]:
        task = self._partial_task
        if task is None or not task.done():
            return []
        self._partial_task = None
        if task.cancelled():
            return []
        if task.exception() is not None:  # a failing decoder fails the final too; say it there
            raise AsrFailure(str(task.exception()))
        utterance_id, text = task.result()
        if utterance_id != self._utterance_id or not self._speaking or not text or text == self._partial_text:
            return []
        self._partial_text = text
        return [Partial(text)]

    def _drop_partial(self) -> None:
        task, self._partial_task = self._partial_task, None
        if task is not None and not task.done():
            task.cancel()  # the thread finishes on its own; its result is ignored
        elif task is not None and not task.cancelled():
            task.exception()  # retrieved: no "exception was never retrieved" warning
