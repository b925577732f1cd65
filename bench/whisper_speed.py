"""Whisper base on this machine: model load time, memory, decode speed (``python bench/whisper_speed.py``).

Decodes synthesised citizen turns (tests/speech, Kokoro; cached) with the gateway's own engine
(``build_engine``) in two layouts: one decode at a time with 2 threads (lowest latency for one
caller), and 2 workers × 1 thread decoding two callers at once (the gateway default). Prints the
real-time factor (decode seconds per second of speech: below 1 keeps up), per-utterance decode
time (what the caller waits after they stop speaking, on top of the end-of-speech silence), and
the load average, because other work on the machine slows every figure.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from voice.asr.base import Final
from voice.asr.config import AsrSettings
from voice.asr.factory import build_engine
from voice.asr.whisper_engine import WhisperEngine
from voice.asr.whisper_model import assemble

DEFAULT = Path("var/models/whisper-base")
TURNS = [
    "老板拖欠我三个月工资不给，我想申请调解",
    "同意",
    "我叫王大伟",
    "我的电话是一三八零零一三八零零零",
    "对",
    "邻居装修把我家墙震裂了，他不肯赔",
    "大概两万三千块",
    "在城东街道",
]


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def clips() -> list[np.ndarray]:
    from tests.speech.synth import Synthesiser

    synth = Synthesiser()
    return [
        np.frombuffer(synth.synthesise(t, pad_ms=0), dtype="<i2").astype(np.float32) / 32768 for t in TURNS
    ]


async def decode_all(
    engine: WhisperEngine, audio: list[np.ndarray], parallel: int
) -> tuple[float, list[float]]:
    """Decode every clip, ``parallel`` callers at once; wall time and per-clip decode times."""
    queue = list(audio)
    times: list[float] = []

    async def caller() -> None:
        while queue:
            clip = queue.pop()
            started = time.perf_counter()
            await engine.pool.run("bench", engine.transcribe, clip, None, engine.config.beam_size)
            times.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(caller() for _ in range(parallel)))
    return time.perf_counter() - started, times


async def stream_latency(engine: WhisperEngine, audio: list[np.ndarray]) -> list[float]:
    """Feed each turn in real time (20 ms frames) and time end of speech → Final."""
    latencies: list[float] = []
    for clip in audio:
        stream = engine.start_call()
        pcm = (np.clip(clip, -1, 1) * 32767).astype("<i2").tobytes() + bytes(32_000 * 2)
        speech_end = len(pcm) - 32_000 * 2
        loop = asyncio.get_running_loop()
        start = loop.time()
        ended_at = None
        for i in range(0, len(pcm), 640):
            await asyncio.sleep(max(0.0, start + i / 32_000 - loop.time()))  # the caller's pace
            if ended_at is None and i >= speech_end:
                ended_at = time.perf_counter()
            if any(isinstance(e, Final) for e in await stream.feed(pcm[i : i + 640])):
                latencies.append(time.perf_counter() - (ended_at or time.perf_counter()))
                break
        await stream.close()
    return latencies


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--model", type=Path, default=DEFAULT, help="a CTranslate2 Whisper folder (small, medium …)"
    )
    parser.add_argument("--beam", type=int, default=1)
    args = parser.parse_args()
    model = assemble(DEFAULT) if args.model == DEFAULT else args.model  # base: built from its packages
    audio = clips()
    speech_s = sum(a.size for a in audio) / 16_000
    print(
        f"{len(audio)} synthesised turns, {speech_s:.1f} s of speech; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    for workers, threads, parallel in ((1, 2, 1), (2, 1, 2)):
        before = rss_mb()
        started = time.perf_counter()
        settings = AsrSettings(
            engine="whisper",
            whisper_model_path=model,
            decode_workers=workers,
            whisper_cpu_threads=threads,
            whisper_beam_size=args.beam,
            decode_timeout_s=120,
        )
        engine = build_engine(settings)
        assert isinstance(engine, WhisperEngine)
        loaded = time.perf_counter() - started
        wall, times = asyncio.run(decode_all(engine, audio, parallel))
        times.sort()
        p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
        print(
            f"workers={workers} threads={threads} callers={parallel} beam={args.beam}: load {loaded:.1f} s, "
            f"memory +{rss_mb() - before:.0f} MB, real-time factor {wall / speech_s:.2f} "
            f"({speech_s / wall:.1f} s of speech per second), decode per turn "
            f"p50 {statistics.median(times):.2f} s p95 {p95:.2f} s; load average now {os.getloadavg()[0]:.1f}"
        )
        if parallel == 2:  # the gateway's default layout, one caller speaking in real time
            for early, partial in ((400, 1000), (0, 1000), (400, 0), (0, 0)):
                engine.config = replace(engine.config, early_final_ms=early, partial_interval_ms=partial)
                lat = sorted(asyncio.run(stream_latency(engine, audio)))
                top = lat[min(len(lat) - 1, int(len(lat) * 0.95))]
                print(
                    f"  real time, early final {early} ms, partials every {partial} ms: "
                    f"end of speech -> final p50 {statistics.median(lat):.2f} s p95 {top:.2f} s "
                    f"({len(lat)}/{len(audio)} heard; with the {engine.config.end_silence_ms} ms silence); "
                    f"load average {os.getloadavg()[0]:.1f}"
                )
        engine.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
