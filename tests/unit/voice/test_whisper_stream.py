"""WhisperStream with a fake decoder and a loudness VAD: endpointing, partials, hints, failures."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.unit.voice.fakes import silence, voiced
from voice.asr.base import AsrFailure, Final, Partial, engine_health, expect
from voice.asr.whisper_engine import WhisperConfig, WhisperEngine, WhisperStream, clean_text


@dataclass
class Segment:
    text: str
    avg_logprob: float = -0.2
    no_speech_prob: float = 0.01


class FakeWhisper:
    """Stands in for faster_whisper.WhisperModel: answers by the audio's length, records calls."""

    def __init__(self, answer: str = "我要申请调解") -> None:
        self.answer = answer
        self.calls: list[dict[str, Any]] = []
        self.gate: threading.Event | None = None  # set: decodes block until it is released
        self.error: Exception | None = None

    def transcribe(self, audio: np.ndarray, **options: Any) -> tuple[Iterator[Segment], object]:
        self.calls.append({"seconds": audio.size / 16_000, **options})
        if self.gate is not None:
            self.gate.wait(10)
        if self.error is not None:
            raise self.error
        return iter([Segment(self.answer)]), object()


class LoudnessVad:
    """Stands in for Silero's ONNX session: a window is speech when it is loud."""

    def run(self, _outputs: None, feeds: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        windows = feeds["input"][:, 64:]
        rms = np.sqrt(np.mean(windows**2, axis=1))
        return np.where(rms > 0.02, 0.95, 0.02).astype(np.float32), feeds["h"], feeds["c"]


def engine(model: FakeWhisper, **config: Any) -> WhisperEngine:
    cfg = WhisperConfig(**{"timeout_s": 2.0, "partial_interval_ms": 0, **config})
    return WhisperEngine(model, LoudnessVad(), cfg, Path("/fake"))


async def speak(stream: WhisperStream, speech_ms: int, silence_ms: int, pause: bool = False) -> list[Any]:
    events: list[Any] = []
    for _ in range(speech_ms // 20):
        events += await stream.feed(voiced(20))
        if pause:
            await asyncio.sleep(0.005)  # let partial decodes finish, as real time would
    for _ in range(silence_ms // 20):
        events += await stream.feed(silence(20))
    return events


async def test_an_utterance_ends_after_the_silence_and_is_decoded_once_in_mandarin() -> None:
    model = FakeWhisper()
    stream = engine(model).start_call()
    events = await speak(stream, 1000, 600)
    assert events == []  # 600 ms of silence is not yet the end (700 ms)
    events = await speak(stream, 0, 200)
    assert len(events) == 1 and isinstance(events[0], Final) and events[0].text == "我要申请调解"
    assert 0.8 < events[0].confidence < 0.85 and events[0].audio_end_s == pytest.approx(
        1.72, abs=0.05
    )  # 1 s + 700 ms
    (call,) = model.calls
    assert call["language"] == "zh" and call["temperature"] == 0.0 and call["hotwords"] is None
    assert 1.1 <= call["seconds"] <= 1.6  # pre-roll + speech + at most 200 ms of the silence


async def test_the_final_decode_starts_in_the_pause_before_the_endpoint() -> None:
    from tests.unit.voice.fakes import until

    model = FakeWhisper()
    stream = engine(model).start_call()
    assert await speak(stream, 1000, 400) == []  # 300 ms before the 700 ms endpoint
    await until(lambda: len(model.calls) == 1)  # already decoding while the caller is silent
    events = await speak(stream, 0, 400)
    assert [e.text for e in events] == ["我要申请调解"] and len(model.calls) == 1  # that decode is the final


async def test_silence_and_clicks_are_never_sent_to_the_decoder() -> None:
    model = FakeWhisper()
    stream = engine(model).start_call()
    assert await speak(stream, 0, 3000) == []
    assert await speak(stream, 100, 1000) == []  # 100 ms is shorter than min_speech_ms
    assert await stream.finish() == [] and model.calls == []


async def test_a_story_gets_a_longer_silence_before_it_is_closed() -> None:
    model = FakeWhisper("事情是这样的")
    stream = engine(model).start_call()
    await expect(stream, "narrative")
    assert await speak(stream, 800, 900) == []  # a breath inside the story
    events = await speak(stream, 800, 1300)
    assert [e.text for e in events if isinstance(e, Final)] == ["事情是这样的"]
    # The early decode started in the breath was dropped when she went on; the final has both halves.
    assert len(model.calls) == 2 and model.calls[-1]["seconds"] > 2.4


async def test_partials_arrive_while_speaking_at_a_bounded_rate() -> None:
    model = FakeWhisper("我要")
    stream = engine(model, partial_interval_ms=500, partial_first_ms=400).start_call()
    events = await speak(stream, 2000, 800, pause=True)
    partials = [e for e in events if isinstance(e, Partial)]
    assert partials and partials[0] == Partial("我要")  # the same text again is not repeated
    decodes = len(model.calls)
    assert 2 <= decodes <= 1 + 4 + 1  # the final + at most one partial per 500 ms of 2 s of speech
    assert isinstance(events[-1], Final)


async def test_no_partial_decode_while_the_pool_is_full() -> None:
    model = FakeWhisper()
    whisper = engine(model, partial_interval_ms=300, partial_first_ms=300)
    whisper.pool.has_room = lambda: False  # type: ignore[method-assign]
    events = await speak(whisper.start_call(), 1500, 800, pause=True)
    assert len(model.calls) == 1 and not [e for e in events if isinstance(e, Partial)]


async def test_a_number_biases_the_decoder_to_digits_and_vosk_style_grammars_say_unsupported() -> None:
    model = FakeWhisper("幺三八零零幺三八零零零")
    stream = engine(model).start_call()
    assert await stream.set_grammar(["幺", "一", "二", "三", "[unk]"]) is False  # a bias, not a constraint
    await speak(stream, 1000, 800)
    await expect(stream, "resident_id")
    await speak(stream, 1000, 800)
    await stream.set_grammar(None)
    await speak(stream, 1000, 800)
    hotwords = [call["hotwords"] for call in model.calls]
    assert "幺" in hotwords[0] and "九" in hotwords[0] and hotwords[1].endswith("X") and hotwords[2] is None
    await expect(stream, "yes_no")
    await stream.set_grammar(None)  # the end of a number capture leaves a yes/no hint alone
    await speak(stream, 1000, 800)
    assert "不对" in model.calls[3]["hotwords"]


async def test_a_decoder_that_raises_fails_the_call_and_the_health_check_says_why() -> None:
    model = FakeWhisper()
    model.error = RuntimeError("CUDA failed with error out of memory")
    whisper = engine(model)
    with pytest.raises(AsrFailure, match="RuntimeError: CUDA failed"):
        await speak(whisper.start_call(), 1000, 800)
    health = engine_health(whisper)
    assert health.status == "degraded" and "out of memory" in health.detail


async def test_a_decoder_that_hangs_times_out_and_other_calls_go_on() -> None:
    model = FakeWhisper()
    model.gate = threading.Event()
    whisper = engine(model, timeout_s=0.3, workers=2)
    stuck = whisper.start_call()
    try:
        with pytest.raises(AsrFailure, match=r"longer than 0\.3 s"):
            await speak(stuck, 1000, 800)
        health = engine_health(whisper)
        assert health.status == "degraded" and "1 decode(s) still running" in health.detail
        model.gate.set()  # the decoder recovers: a second call is decoded on the free worker
        model.gate = None
        events = await speak(whisper.start_call(), 1000, 800)
        assert [e.text for e in events] == ["我要申请调解"]
    finally:
        model.gate = None
        whisper.close()


def test_output_is_simplified_without_loops_or_subtitle_credits() -> None:
    assert clean_text("對，我姓劉") == "对，我姓刘"
    assert clean_text("我又看山,我又看山,我又看山,我又看山,") == "我又看山,"
    assert clean_text("幺二幺二幺二幺二") == "幺二幺二幺二幺二"  # a number, not a loop
    assert clean_text("字幕由Amara.org社区提供") == ""
    assert clean_text("请不吝点赞 订阅 转发 打赏支持明镜与点点栏目") == ""
    assert clean_text("视频网站自动续费订阅不给退") == "视频网站自动续费订阅不给退"  # a real complaint
    assert clean_text(" 我要 申请 调解 ") == "我要申请调解"


async def test_a_segment_whisper_itself_calls_non_speech_is_dropped() -> None:
    model = FakeWhisper()
    stream = engine(model).start_call()
    model.transcribe = lambda audio, **o: (iter([Segment("谢谢观看", -1.5, 0.9)]), object())  # type: ignore[method-assign]
    assert await speak(stream, 1000, 800) == []


async def test_a_closed_stream_ignores_audio_and_finish_flushes_speech() -> None:
    model = FakeWhisper()
    stream = engine(model).start_call()
    await speak(stream, 800, 0)
    assert [e.text for e in await stream.finish()] == ["我要申请调解"]
    await stream.close()
    assert await stream.feed(voiced(500)) == [] and await stream.finish() == []


def test_an_english_only_model_is_refused_at_load(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import faster_whisper

    from voice.asr.base import AsrUnavailable

    for name in ("model.bin", "config.json", "tokenizer.json", "vocabulary.json"):
        (tmp_path / name).write_text("{}")

    class EnglishOnly:
        def __init__(self, path: str, **options: Any) -> None:
            assert options["local_files_only"] is True  # never a hub download
            self.model = type("Ct2", (), {"is_multilingual": False})()

    monkeypatch.setattr(faster_whisper, "WhisperModel", EnglishOnly)
    with pytest.raises(AsrUnavailable, match="English-only"):
        WhisperEngine.load(tmp_path)
