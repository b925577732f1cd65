"""Verify a Vosk model before deploying it: ``python -m voice.asr.check MODEL_DIR [speech.wav]``.

Loads the model exactly as the gateway does (never ``Model(lang=…)``), reports whether runtime
grammars work, checks the digit words the phone-number grammar needs, and decodes a 16-bit mono
WAV file when one is given. Exit status 0 means the gateway can use the model.
"""

from __future__ import annotations

import asyncio
import sys
import time
import wave
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from voice.asr.base import SAMPLE_RATE, AsrUnavailable, Final
from voice.asr.vosk_engine import VoskEngine
from voice.core.numbers import SPECS, SlotKind


async def _decode(engine: VoskEngine, wav_path: Path) -> list[str]:
    with wave.open(str(wav_path)) as wav:
        if wav.getsampwidth() != 2 or wav.getnchannels() != 1 or wav.getframerate() != SAMPLE_RATE:
            raise SystemExit(
                "the WAV file must be 16-bit mono at 16 kHz (sox in.wav -r 16000 -c 1 -b 16 out.wav)"
            )
        pcm = wav.readframes(wav.getnframes())
    stream = engine.start_call()
    events = [e for i in range(0, len(pcm), 3200) for e in await stream.feed(pcm[i : i + 3200])]
    events += await stream.finish()
    return [f"{e.text} (confidence {e.confidence:.2f})" for e in events if isinstance(e, Final)]


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__)
        return 2
    model = Path(argv[0])
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
        if len(argv) > 1:
            for line in asyncio.run(_decode(engine, Path(argv[1]))):
                print(f"heard: {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
