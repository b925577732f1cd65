"""The chat page in a real headless Chromium: typed turns, buttons, reload, outage, push-to-talk.

The servers run in this test's event loop, so every blocking Selenium call goes to a thread.
Push-to-talk speaks a WAV file (espeak-ng, Korean) through Chromium's fake microphone into the
real gateway and the real Vosk code path (Korean model): the mechanics, not Mandarin accuracy.
"""

from __future__ import annotations

import asyncio
import subprocess
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver

from tests.e2e.web.browser import chromium, console
from tests.integration.voice.conftest import GatewayFactory
from tests.integration.voice.speech import deterministic_copy, espeak_ulaw, ko_model_dir
from tests.integration.web.conftest import SECRET, WebFactory
from voice.asr.vosk_engine import VoskEngine
from voice.dialogue.base import BotReply, Button
from voice.dialogue.scripted import ScriptedDialogue

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
GREETING = "您好，我是解纷助手。"
CONSENT = BotReply(
    text="登记前需要您同意记录信息，您同意吗？",
    buttons=(Button("同意", "/affirm"), Button("不同意", "/deny")),
)


def _dialogue() -> ScriptedDialogue:
    return ScriptedDialogue(
        [
            ("/greet", [BotReply(text=GREETING)]),
            ("调解", [CONSENT]),
            ("/affirm", [BotReply(text="好的，请问怎么称呼您？")]),
        ],
        fallback=[BotReply(text="好的，请继续说。")],
    )


async def _js(chrome: WebDriver, script: str) -> Any:
    return await asyncio.to_thread(chrome.execute_script, script)


async def _wait(chrome: WebDriver, script: str, timeout_s: float = 10) -> Any:
    """Poll a JS expression until it is truthy."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = await _js(chrome, f"return {script};")
        if value:
            return value
        await asyncio.sleep(0.1)
    log = await _js(chrome, "return document.getElementById('log').innerText;")
    raise AssertionError(f"timed out waiting for {script!r}; page shows:\n{log}\nconsole:\n{console(chrome)}")


def _bubbles(kind: str) -> str:
    return f"[...document.querySelectorAll('#log li.{kind}')].map((li) => li.textContent)"


async def _type(chrome: WebDriver, text: str) -> None:
    box = await asyncio.to_thread(chrome.find_element, By.ID, "text")
    await asyncio.to_thread(box.send_keys, text + Keys.ENTER)


@pytest.fixture
def browser() -> Iterator[WebDriver]:
    chrome = chromium()
    yield chrome
    chrome.quit()


async def test_typed_conversation_buttons_reload_and_outage(
    start_web: WebFactory, browser: WebDriver
) -> None:
    dialogue = _dialogue()
    web = await start_web(dialogue=dialogue, center_hotline="0539-12348")
    await asyncio.to_thread(browser.get, web.base_url + "/")
    await _wait(browser, f"{_bubbles('bot')}.includes({GREETING!r})")
    await _type(browser, "我要申请调解")
    await _wait(browser, f"{_bubbles('bot')}.some((t) => t.includes('您同意吗'))")
    assert await _js(browser, f"return {_bubbles('me')};") == ["我要申请调解"]
    options = await _js(
        browser, "return [...document.querySelectorAll('#options button')].map((b) => b.textContent);"
    )
    assert options == ["同意", "不同意"]
    await _js(browser, "document.querySelector('#options button').click();")
    await _wait(browser, f"{_bubbles('bot')}.includes('好的，请问怎么称呼您？')")
    assert await _js(browser, f"return {_bubbles('me')};") == ["我要申请调解", "同意"]
    conversation = {c for c, _, _ in dialogue.received}
    assert len(conversation) == 1 and [t for _, t, _ in dialogue.received] == [
        "/greet",
        "我要申请调解",
        "/affirm",
    ]

    await asyncio.to_thread(browser.refresh)  # the transcript and the conversation survive a reload
    await _wait(browser, f"{_bubbles('bot')}.length === 3")
    await _type(browser, "我叫林小梅")
    await _wait(browser, f"{_bubbles('me')}.includes('我叫林小梅')")
    assert {c for c, _, _ in dialogue.received} == conversation
    assert [t for _, t, _ in dialogue.received][-1] == "我叫林小梅"  # no second greeting after the reload

    dialogue.down = True  # the bot is unreachable: the citizen is told, and keeps what was typed
    await _type(browser, "还在吗")
    await _wait(browser, "document.querySelector('#log li.error')?.textContent.includes('0539-12348')")
    assert await _js(browser, "return document.getElementById('text').value;") == "还在吗"


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VoskEngine]:
    model = deterministic_copy(ko_model_dir(), tmp_path_factory.mktemp("vosk-ko"))
    with ThreadPoolExecutor(max_workers=2) as pool:
        yield VoskEngine.load(model, pool)


def _speech_wav(workdir: Path) -> tuple[Path, float]:
    """Korean speech padded with silence, as the fake microphone's file; returns (file, seconds)."""
    espeak_ulaw("상담 신청합니다", workdir)  # skips (or fails in CI) when espeak-ng/sox are missing
    padded = workdir / "microphone.wav"
    subprocess.run(
        ["sox", str(workdir / "speech.wav"), "-r", "48000", str(padded), "pad", "0.6", "0.8"], check=True
    )
    seconds = float(
        subprocess.run(["soxi", "-D", str(padded)], check=True, capture_output=True, text=True).stdout
    )
    return padded, seconds


async def test_push_to_talk_through_the_real_recogniser(
    start_web: WebFactory,
    start_gateway: GatewayFactory,
    engine: VoskEngine,
    tmp_path: Path,
) -> None:
    voice_dialogue = ScriptedDialogue(
        [],
        fallback=[
            BotReply(text="好的，请继续说。", buttons=(Button("是", "/affirm"), Button("否", "/deny")))
        ],
    )
    gw = await start_gateway(dialogue=voice_dialogue, asr=engine, chat_session_secret=SECRET)
    web = await start_web(
        dialogue=_dialogue(), voice_stream_url=gw.base_url.replace("http", "ws") + "/robot/stream"
    )
    wav, seconds = _speech_wav(tmp_path)
    chrome = await asyncio.to_thread(chromium, wav)
    try:
        await asyncio.to_thread(chrome.get, web.base_url + "/")
        await _wait(chrome, f"{_bubbles('bot')}.includes({GREETING!r})")
        talk = await asyncio.to_thread(chrome.find_element, By.ID, "talk")
        assert await asyncio.to_thread(talk.is_displayed)
        await asyncio.to_thread(ActionChains(chrome).click_and_hold(talk).perform)
        await _wait(chrome, "document.getElementById('talk').getAttribute('aria-pressed') === 'true'")
        await asyncio.sleep(seconds + 0.5)  # hold the button while the "citizen" speaks
        released = time.monotonic()
        await asyncio.to_thread(ActionChains(chrome).release(talk).perform)
        heard = await _wait(chrome, f"{_bubbles('me.voice')}[0]", timeout_s=15)
        await _wait(chrome, f"{_bubbles('bot')}.some((t) => t.startsWith('好的，请继续说。'))", timeout_s=15)
        reply_s = time.monotonic() - released
        spoken = await _wait(chrome, "window.__spoken.length && window.__spoken")
        options = await _js(
            chrome, "return [...document.querySelectorAll('#options button')].map((b) => b.textContent);"
        )
        ticket = await _js(chrome, "return JSON.parse(sessionStorage.getItem('jiefen.chat')).ticket;")
    finally:
        await asyncio.to_thread(chrome.quit)
    assert heard.strip(), "the recogniser heard nothing"
    print(f"\npush-to-talk: button released → reply on the page in {reply_s * 1000:.0f} ms (heard {heard!r})")
    assert reply_s < 5, reply_s
    assert spoken[0]["lang"] == "zh-CN" and spoken[0]["text"].startswith("好的，请继续说。")
    assert options == ["是", "否"]
    conversation = ticket.split(".")[1]
    assert [(c, m["channel"]) for c, _, m in voice_dialogue.received] == [(conversation, "web")]
    assert voice_dialogue.received[0][1].replace(" ", "") == heard.replace(" ", "")
    caller = [e for e in gw.store.transcript(conversation) if e["kind"] == "caller"]
    assert caller and caller[0]["confidence"] > 0
