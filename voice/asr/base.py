"""The speech-recognition port: one stream per call, fed 16 kHz PCM, yielding events."""

from __future__ import annotations

import re
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, Protocol, runtime_checkable

SAMPLE_RATE = 16_000


class AsrUnavailable(RuntimeError):
    """No recogniser can be built (no model, or it failed to load)."""


class AsrFailure(RuntimeError):
    """The recogniser failed while decoding one call."""


@dataclass(frozen=True)
class Partial:
    """Words heard so far in the current utterance (may still change)."""

    text: str


@dataclass(frozen=True)
class Final:
    """The end of an utterance; ``confidence`` is the mean word confidence (0–1)."""

    text: str
    confidence: float
    audio_end_s: float = 0.0  # position in the call's audio where the utterance was closed


AsrEvent = Partial | Final


class AsrStream(Protocol):
    async def feed(self, pcm16k: bytes) -> list[AsrEvent]:
        """Decode more audio (little-endian 16-bit mono at 16 kHz)."""
        ...

    async def finish(self) -> list[AsrEvent]:
        """Flush the utterance in progress (end of stream)."""
        ...

    async def set_grammar(self, phrases: list[str] | None) -> bool:
        """Constrain recognition to these phrases (None: free speech). False if unsupported."""
        ...

    async def close(self) -> None: ...


class AsrEngine(Protocol):
    name: str

    def start_call(self) -> AsrStream:
        """A fresh recogniser for one call."""
        ...


# What the caller is expected to say next. Optional hints: an engine may bias recognition to
# digits (Whisper: prompt and hotwords) or wait longer before closing a story; Vosk already gets
# a digits grammar through ``set_grammar`` and ignores them.
InputKind = Literal["digits", "phone", "resident_id", "amount", "yes_no", "narrative", "name"]


@runtime_checkable
class ExpectingStream(Protocol):
    async def expect(self, kind: InputKind | None) -> None:
        """Hint what the next utterance is (None: free speech)."""
        ...


async def expect(stream: AsrStream, kind: InputKind | None) -> None:
    """Pass the hint to streams that take it; a no-op for the others (Vosk, the scripted fake)."""
    if isinstance(stream, ExpectingStream):
        await stream.expect(kind)


@dataclass(frozen=True)
class AsrHealth:
    """What ``/health`` says about the recogniser: ``ok`` or ``degraded`` with the reason."""

    status: Literal["ok", "degraded"]
    detail: str = ""


class FailureLog:
    """Recent decoding failures of one engine (thread-safe): the health check reports them, so
    staff see a recogniser that crashes or hangs even while the gateway keeps serving calls."""

    def __init__(self, window_s: float = 600.0, clock: Callable[[], float] = time.monotonic) -> None:
        self._window_s = window_s
        self._clock = clock
        self._events: deque[tuple[float, str]] = deque(maxlen=100)
        self._lock = threading.Lock()

    def record(self, reason: str) -> None:
        with self._lock:
            self._events.append((self._clock(), reason))

    def health(self, stuck: int = 0) -> AsrHealth:
        """``degraded`` while a failure is younger than the window or a decode is still stuck."""
        with self._lock:
            horizon = self._clock() - self._window_s
            recent = [reason for at, reason in self._events if at >= horizon]
        parts = []
        if stuck:
            parts.append(f"{stuck} decode(s) still running past the timeout")
        if recent:
            minutes = f"{self._window_s / 60:.0f} min"
            parts.append(f"{len(recent)} decoding failure(s) in the last {minutes}, last: {recent[-1]}")
        return AsrHealth("degraded", "; ".join(parts)) if parts else AsrHealth("ok")


def engine_health(engine: object) -> AsrHealth:
    """The engine's own health if it reports one (the scripted fake does not)."""
    health = getattr(engine, "health", None)
    return health() if callable(health) else AsrHealth("ok")


_CJK_SPACE_RE = re.compile(r"(?<=[\u3400-\u9fff])\s+(?=[\u3400-\u9fff])")


def join_words(text: str) -> str:
    """Vosk separates Chinese words with spaces; spoken Chinese text has none."""
    return _CJK_SPACE_RE.sub("", text.strip())
