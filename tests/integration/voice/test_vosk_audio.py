"""Real audio through the real Vosk code path (a Korean model: the mechanics, not the words)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.integration.voice.conftest import GatewayFactory
from tests.integration.voice.simulator import ulaw_silence
from tests.integration.voice.speech import deterministic_copy, espeak_ulaw, ko_model_dir
from voice.asr.base import Final, Partial
from voice.asr.vosk_engine import VoskEngine
from voice.audio.mulaw import ulaw_to_pcm16
from voice.audio.resample import Upsampler2x
from voice.dialogue.base import BotReply
from voice.dialogue.scripted import ScriptedDialogue

pytestmark = [pytest.mark.vosk, pytest.mark.slow]
PHRASE = "상담 신청합니다"


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VoskEngine]:
    model = deterministic_copy(ko_model_dir(), tmp_path_factory.mktemp("vosk-ko"))
    with ThreadPoolExecutor(max_workers=2) as pool:
        yield VoskEngine.load(model, pool)


@pytest.fixture(scope="module")
def speech(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return espeak_ulaw(PHRASE, tmp_path_factory.mktemp("speech"))


async def _decode(engine: VoskEngine, ulaw: bytes) -> list[tuple[float, Partial | Final]]:
    """Feed 20 ms phone frames as the gateway does; return (audio seconds, event) pairs."""
    stream, up, events = engine.start_call(), Upsampler2x(), []
    for i in range(0, len(ulaw), 160):
        for event in await stream.feed(up.process(ulaw_to_pcm16(ulaw[i : i + 160]))):
            events.append(((i + 160) / 8000, event))
    events += [(len(ulaw) / 8000, e) for e in await stream.finish()]
    await stream.close()
    return events


async def test_partials_then_finals_with_endpointing(engine: VoskEngine, speech: bytes) -> None:
    lead, pause = ulaw_silence(300), ulaw_silence(1000)
    audio = lead + speech + pause + speech + pause
    events = await _decode(engine, audio)
    finals = [(t, e) for t, e in events if isinstance(e, Final)]
    partials = [(t, e) for t, e in events if isinstance(e, Partial)]
    assert len(finals) == 2, events  # two utterances, each closed by the endpointer during the pause
    assert partials and partials[0][0] < finals[0][0]
    first_end = (2400 + len(speech)) / 8000  # 300 ms lead-in, speech (seconds since call start)
    assert finals[0][0] - first_end < 1.2  # closed within 1.2 s of trailing silence
    for _, final in finals:
        assert final.text and 0 < final.confidence <= 1
    again = await _decode(engine, lead + speech + pause)
    assert [e.text for _, e in again if isinstance(e, Final)] == [finals[0][1].text]  # dither=0: repeatable


async def test_grammar_restricts_words(engine: VoskEngine, speech: bytes) -> None:
    stream = engine.start_call()
    assert engine.supports_grammar
    assert await stream.set_grammar(["안녕", "상담", "[unk]"])  # [unk] is not in this model: dropped
    up = Upsampler2x()
    pcm = up.process(ulaw_to_pcm16(speech + ulaw_silence(1000)))
    events = [e for i in range(0, len(pcm), 3200) for e in await stream.feed(pcm[i : i + 3200])]
    events += await stream.finish()
    words = {w for e in events if isinstance(e, Final) for w in e.text.split()}
    assert words and words <= {"안녕", "상담"}
    assert not await stream.set_grammar(["없는단어xyz"])  # nothing usable: refused, free speech stays


async def test_real_speech_through_a_whole_call(
    start_gateway: GatewayFactory, engine: VoskEngine, speech: bytes
) -> None:
    dialogue = ScriptedDialogue([], fallback=[BotReply(text="好的，请继续说。")])
    gw = await start_gateway(dialogue=dialogue, asr=engine)
    call_sid = "CA" + "c" * 32
    stream = await gw.sim.open_stream((await gw.sim.incoming_call(call_sid)).text, call_sid)
    await stream.send_audio(speech)  # during the greeting: barge-in
    hold = await gw.rest.next_update(call_sid, 1, timeout_s=10)
    assert hold.find("Gather/Pause") is not None
    await stream.send_audio(ulaw_silence(1200), realtime=True)
    # the reply follows the endpoint (how fast is measured in bench/voice_bench.py, not here)
    reply = await gw.rest.next_update(call_sid, 2, timeout_s=20)
    assert reply.findtext("Gather/Say") == "好的，请继续说。"
    assert len(dialogue.received) == 1 and dialogue.received[0][1]
    caller = [e for e in gw.store.transcript(f"phone-{call_sid}") if e["kind"] == "caller"]
    assert caller and caller[0]["confidence"] > 0
    await stream.stop()
    await asyncio.sleep(0)


def test_missing_model_is_reported_not_fatal(tmp_path: Path) -> None:
    from voice.asr.base import AsrUnavailable

    with ThreadPoolExecutor(max_workers=1) as pool, pytest.raises(AsrUnavailable, match="lacks"):
        VoskEngine.load(tmp_path, pool)
