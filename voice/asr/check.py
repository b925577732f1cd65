"""Verify a speech model before deploying it: ``python -m voice.asr.check MODEL_DIR [speech.wav]``.

Loads the model exactly as the gateway does (never ``Model(lang=…)``, never a hub download):
a Vosk folder (``am/``, ``graph/``) or a CTranslate2 Whisper folder (``model.bin``,
``config.json``). For Vosk it reports whether runtime grammars work and which digit words the
phone-number grammar needs are missing; for both it decodes a 16-bit mono 16 kHz WAV file when
one is given. Exit status 0 means the gateway can use the model.
"""

from __future__ import annotations

import asyncio
import sys
import time
import wave
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from voice.asr.base import SAMPLE_RATE, AsrFailure, AsrStream, AsrUnavailable, Final
from voice.asr.vosk_engine import MANDARIN_PROBE, VoskEngine
from voice.core.numbers import SPECS, SlotKind


async def _decode(stream: AsrStream, wav_path: Path) -> list[str]:
    with wave.open(str(wav_path)) as wav:
        if wav.getsampwidth() != 2 or wav.getnchannels() != 1 or wav.getframerate() != SAMPLE_RATE:
            raise SystemExit(
                "the WAV file must be 16-bit mono at 16 kHz (sox in.wav -r 16000 -c 1 -b 16 out.wav)"
            )
        pcm = wav.readframes(wav.getnframes()) + bytes(SAMPLE_RATE * 2)  # a second of silence after
    events = [e for i in range(0, len(pcm), 3200) for e in await stream.feed(pcm[i : i + 3200])]
    events += await stream.finish()
    return [f"{e.text} (confidence {e.confidence:.2f})" for e in events if isinstance(e, Final)]


def _check_whisper(model: Path, wav: Path | None) -> int:
    from voice.asr.whisper_engine import WhisperConfig, WhisperEngine

    started = time.perf_counter()
    try:
        engine = WhisperEngine.load(model, WhisperConfig(timeout_s=120))  # a check, not a live call
    except AsrUnavailable as exc:
        print(f"NOT USABLE: {exc}")
        return 1
    took = time.perf_counter() - started
    print(f"loaded Whisper model {model} in {took:.1f} s (multilingual, trial decode ok)")
    try:
        if wav is not None:
            for line in asyncio.run(_decode(engine.start_call(), wav)):
                print(f"heard: {line}")
    except AsrFailure as exc:
        print(f"NOT USABLE: decoding failed: {exc}")
        return 1
    finally:
        engine.close()
    return 0


def _check_vosk(model: Path, wav: Path | None) -> int:
    with ThreadPoolExecutor(max_workers=1) as pool:
        started = time.perf_counter()
        try:
            engine = VoskEngine.load(model, pool)
        except AsrUnavailable as exc:
            print(f"NOT USABLE: {exc}")
            return 1
        print(f"loaded {model} in {time.perf_counter() - started:.1f} s")
        print(f"runtime grammars (SetGrammar): {'yes' if engine.supports_grammar else 'no (large model)'}")
        digits = [w for w in SPECS[SlotKind.PHONE].grammar if not w.startswith("[")]
        missing = sorted(set(digits) - set(engine.known_words(digits)))
        print(f"digit words missing from the vocabulary: {' '.join(missing) or 'none'}")
        if len(engine.known_words(list(MANDARIN_PROBE))) * 2 < len(MANDARIN_PROBE):
            print("NOT USABLE: this is not a Mandarin model (the gateway refuses it)")
            return 1
        if wav is not None:
            for line in asyncio.run(_decode(engine.start_call(), wav)):
                print(f"heard: {line}")
    return 0


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__)
        return 2
    model = Path(argv[0])
    wav = Path(argv[1]) if len(argv) > 1 else None
    if (model / "model.bin").is_file():
        return _check_whisper(model, wav)
    return _check_vosk(model, wav)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
