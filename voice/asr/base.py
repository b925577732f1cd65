"""The speech-recognition port: one stream per call, fed 16 kHz PCM, yielding events."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

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


_CJK_SPACE_RE = re.compile(r"(?<=[\u3400-\u9fff])\s+(?=[\u3400-\u9fff])")


def join_words(text: str) -> str:
    """Vosk separates Chinese words with spaces; spoken Chinese text has none."""
    return _CJK_SPACE_RE.sub("", text.strip())
