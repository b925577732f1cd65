"""VoskStream never lets two threads into one recogniser, even when a caller is cancelled."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from voice.asr.vosk_engine import EndpointConfig, VoskEngine, VoskStream


class GuardedRecognizer:
    """Slow fake KaldiRecognizer that records any concurrent entry (Kaldi would abort)."""

    def __init__(self) -> None:
        self._inside = threading.Lock()
        self.overlaps = 0
        self.calls: list[str] = []

    def _enter(self, name: str) -> None:
        if not self._inside.acquire(blocking=False):
            self.overlaps += 1
            return
        try:
            self.calls.append(name)
            time.sleep(0.05)
        finally:
            self._inside.release()

    def AcceptWaveform(self, chunk: bytes) -> bool:
        self._enter("accept")
        return False

    def PartialResult(self) -> str:
        return json.dumps({"partial": ""})

    def FinalResult(self) -> str:
        self._enter("final")
        return json.dumps({"text": ""})


@pytest.fixture
def stream_and_rec() -> tuple[VoskStream, GuardedRecognizer]:
    engine = VoskEngine(
        model=None, model_path=Path("/nonexistent"), executor=ThreadPoolExecutor(4), endpoint=EndpointConfig()
    )
    rec = GuardedRecognizer()
    return VoskStream(engine, rec), rec


async def test_a_cancelled_feed_keeps_the_recogniser_until_its_thread_is_done(
    stream_and_rec: tuple[VoskStream, GuardedRecognizer],
) -> None:
    stream, rec = stream_and_rec
    feeding = asyncio.create_task(stream.feed(b"\x00" * 3200))
    await asyncio.sleep(0.01)  # the decode thread is inside AcceptWaveform
    feeding.cancel()  # the WebSocket handler is cancelled when the peer hangs up
    with pytest.raises(asyncio.CancelledError):
        await feeding
    await stream.finish()  # what CallSession.end does next
    await stream.close()
    assert rec.calls == ["accept", "final"] and rec.overlaps == 0


async def test_close_waits_for_a_running_decode_and_later_calls_do_nothing(
    stream_and_rec: tuple[VoskStream, GuardedRecognizer],
) -> None:
    stream, rec = stream_and_rec
    feeding = asyncio.create_task(stream.feed(b"\x00" * 3200))
    await asyncio.sleep(0.01)
    await stream.close()
    assert feeding.done() and rec.calls == ["accept"]
    assert await stream.feed(b"\x00" * 3200) == [] and await stream.finish() == []
    assert rec.overlaps == 0
