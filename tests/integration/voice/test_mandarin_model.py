"""Checks of a real Mandarin model; they run only when VOSK_MODEL_PATH points at one."""

from __future__ import annotations

import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.integration.voice.simulator import ulaw_silence
from tests.integration.voice.speech import espeak_ulaw
from voice.asr.base import Final
from voice.asr.vosk_engine import VoskEngine
from voice.audio.mulaw import ulaw_to_pcm16
from voice.audio.resample import Upsampler2x
from voice.core.numbers import SPECS, SlotKind

NEEDS_MODEL = "set VOSK_MODEL_PATH to a Mandarin model"
pytestmark = [pytest.mark.vosk, pytest.mark.skipif(not os.environ.get("VOSK_MODEL_PATH"), reason=NEEDS_MODEL)]


@pytest.fixture(scope="module")
def engine() -> Iterator[VoskEngine]:
    with ThreadPoolExecutor(max_workers=2) as pool:
        engine = VoskEngine.load(Path(os.environ["VOSK_MODEL_PATH"]), pool)
        if not engine.known_words(["你好", "调解"]):
            pytest.skip(f"VOSK_MODEL_PATH is not a Mandarin model; {NEEDS_MODEL}")
        yield engine


def test_digit_words_are_in_the_vocabulary(engine: VoskEngine) -> None:
    assert engine.known_words(list("零一二三四五六七八九")) == list("零一二三四五六七八九")


async def test_digit_grammar_yields_only_digit_words(engine: VoskEngine, tmp_path: Path) -> None:
    if not engine.supports_grammar:
        pytest.skip("large models have no runtime grammars")
    stream = engine.start_call()
    assert await stream.set_grammar(list(SPECS[SlotKind.PHONE].grammar))
    ulaw = espeak_ulaw("一三八 零零一三 八零零零", tmp_path, voice="cmn") + ulaw_silence(1200)
    pcm = Upsampler2x().process(ulaw_to_pcm16(ulaw))
    events = [e for i in range(0, len(pcm), 3200) for e in await stream.feed(pcm[i : i + 3200])]
    events += await stream.finish()
    text = "".join(e.text for e in events if isinstance(e, Final))
    assert text and set(text) <= set("".join(SPECS[SlotKind.PHONE].grammar)), text
