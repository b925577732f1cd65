"""A scripted AsrEngine for dialogue tests: turns audio *volume* into scripted transcripts.

Each utterance in the script is "spoken" by sending non-silent audio; the utterance ends after
``end_silence_ms`` of silence, like a real endpointer. This keeps the whole call path (frames,
decoding, endpointing, barge-in) real while the words are known in advance.
"""

from __future__ import annotations

import numpy as np

from voice.asr.base import AsrEvent, Final, Partial

_VOICE_RMS = 500.0


class ScriptedAsrStream:
    def __init__(self, script: list[str], end_silence_ms: int, confidence: float) -> None:
        self._script = list(script)
        self._end_silence_ms = end_silence_ms
        self._confidence = confidence
        self._speaking = False
        self._silence_ms = 0.0
        self._voiced_ms = 0.0
        self._audio_s = 0.0
        self.grammars: list[list[str] | None] = []

    def say(self, text: str) -> None:
        """Queue what the caller's next utterance will be heard as (tests that answer as they go)."""
        self._script.append(text)

    def _current(self) -> str:
        return self._script[0] if self._script else ""

    async def feed(self, pcm16k: bytes) -> list[AsrEvent]:
        samples = np.frombuffer(pcm16k[: len(pcm16k) // 2 * 2], dtype="<i2").astype(np.float64)
        if samples.size == 0:
            return []
        ms = samples.size / 16.0
        self._audio_s += ms / 1000
        loud = float(np.sqrt(np.mean(samples**2))) > _VOICE_RMS
        if loud:
            self._speaking, self._silence_ms = True, 0.0
            self._voiced_ms += ms
            text = self._current()
            shown = text[: max(1, int(len(text) * min(1.0, self._voiced_ms / 600)))]
            return [Partial(shown)] if text else []
        if not self._speaking:
            return []
        self._silence_ms += ms
        if self._silence_ms < self._end_silence_ms:
            return []
        return self._close()

    def _close(self) -> list[AsrEvent]:
        self._speaking, self._silence_ms, self._voiced_ms = False, 0.0, 0.0
        text = self._script.pop(0) if self._script else ""
        return [Final(text, self._confidence, self._audio_s)] if text else []

    async def finish(self) -> list[AsrEvent]:
        return self._close() if self._speaking else []

    async def set_grammar(self, phrases: list[str] | None) -> bool:
        self.grammars.append(phrases)
        return True

    async def close(self) -> None:
        return None


class ScriptedAsr:
    """Hands each new call the next script (a list of utterances)."""

    name = "scripted"

    def __init__(self, scripts: list[list[str]], end_silence_ms: int = 600, confidence: float = 0.9) -> None:
        self._scripts = list(scripts)
        self._end_silence_ms = end_silence_ms
        self._confidence = confidence
        self.streams: list[ScriptedAsrStream] = []

    def start_call(self) -> ScriptedAsrStream:
        script = self._scripts.pop(0) if self._scripts else []
        stream = ScriptedAsrStream(script, self._end_silence_ms, self._confidence)
        self.streams.append(stream)
        return stream
