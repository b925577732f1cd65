"""Drive a synthesised caller through the real gateway: by phone (signed webhook, Media Streams
carrying 8 kHz μ-law) or at the kiosk (``/robot/stream``, 16 kHz PCM).

The caller listens to each prompt (the TwiML ``<Say>`` Twilio would play, or the kiosk's
``reply``), decides with ``Caller.answer``, and speaks the synthesised clip frame by frame. Audio
is paced at ``pace`` × real time (1.0 in the benchmark, where latency is measured); between
utterances the line carries silence, as a real one does, until the next prompt arrives. Every
wait is on an event (a TwiML update, a WebSocket message), bounded by a deadline.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Any

import websockets

from tests.integration.voice.simulator import CallSimulator, FakeTwilioRest, MediaStream
from tests.speech.audio import phone_ulaw, silence16k
from tests.speech.callers import Action, Caller, spoken_digits
from tests.speech.synth import Synthesiser, Voice

FRAME_MS = 20
PAD_MS = 150  # silence the synthesiser puts around each clip
TURN_TIMEOUT_S = 60.0
MAX_TURNS = 40


@dataclass
class Outcome:
    """What happened on one call: the prompts heard, the answers given, the timings."""

    caller: str
    channel: str
    finished: bool = False  # the caller heard a case number
    reason: str = ""  # why not, when not
    heard: list[str] = field(default_factory=list)
    said: list[str] = field(default_factory=list)
    latencies_ms: list[float] = field(default_factory=list)  # end of caller speech → reply sent
    keyed: bool = False
    transferred: bool = False

    def log(self) -> str:
        lines = []
        for i, prompt in enumerate(self.heard):
            lines.append(f"  line: {prompt}")
            if i < len(self.said):
                lines.append(f"  {self.caller}: {self.said[i]}")
        return "\n".join(lines)


async def open_stream(twiml_doc: str, call_sid: str) -> MediaStream:
    """What Twilio does on ``<Start><Stream>`` (it sends no keep-alive pings of its own)."""
    stream = ET.fromstring(twiml_doc).find("Start/Stream")
    assert stream is not None, twiml_doc
    params = {p.get("name", ""): p.get("value", "") for p in stream.findall("Parameter")}
    ws = await websockets.connect(stream.get("url", ""), ping_interval=None)
    media = MediaStream(ws, call_sid, "MZ" + call_sid[2:])
    await media.send_start(params)
    return media


async def rehearse(caller: Caller, synth: Synthesiser) -> None:
    """Synthesise what the caller will probably say before the call (a person does not pause
    seconds to think of their own name): the latency measured is the gateway's, not the TTS's."""
    lines = [caller.story, f"我叫{caller.name}。", caller.spelling, caller.respondent, caller.location,
             caller.amount, caller.yes, "同意。", "对，没问题。", "跳过。", "不对。", "对。", "不是。",
             *"一二三四五六七八九", spoken_digits(caller.phone), spoken_digits(caller.phone, careful=True),
             *(spoken_digits(g, (len(g),), True) for g in caller.groups)]
    for line in lines:
        await synth.asynthesise(line, caller.voice, PAD_MS)


def _say_text(doc: ET.Element) -> str:
    return "".join(s.text or "" for s in doc.iter("Say"))


class PhoneLine:
    """One call through the Twilio stand-in."""

    def __init__(self, sim: CallSimulator, rest: FakeTwilioRest, synth: Synthesiser, call_sid: str,
                 pace: float = 1.0) -> None:
        self.sim, self.rest, self.synth, self.call_sid, self.pace = sim, rest, synth, call_sid, pace
        self.stream: MediaStream | None = None
        self._seen = 0
        self.voice = Voice()

    async def _send(self, ulaw: bytes) -> None:
        assert self.stream is not None
        step = 8 * FRAME_MS
        started = time.monotonic()
        for i in range(0, len(ulaw), step):
            await self.stream.send_audio(ulaw[i : i + step])
            due = started + (i + step) / 8000 / self.pace
            delay = due - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)

    async def _next_prompt(self) -> tuple[ET.Element, float]:
        """Send silence until the gateway pushes a document that speaks or ends the call."""
        deadline = time.monotonic() + TURN_TIMEOUT_S
        silence = b"\xff" * (8 * FRAME_MS)
        while time.monotonic() < deadline:
            docs = self.rest.updates.get(self.call_sid, [])
            while self._seen < len(docs):
                doc = ET.fromstring(docs[self._seen])
                self._seen += 1
                if _say_text(doc) or doc.find("Dial") is not None or doc.find("Hangup") is not None:
                    return doc, time.monotonic()
            await self._send(silence)
        raise TimeoutError("no prompt from the gateway")

    async def run(self, caller: Caller) -> Outcome:
        outcome = Outcome(caller.key, "phone")
        self.voice = caller.voice
        answer = await self.sim.incoming_call(self.call_sid, caller="+86" + caller.phone)
        doc = ET.fromstring(answer.text)
        self.stream = await open_stream(answer.text, self.call_sid)
        try:
            for _ in range(MAX_TURNS):
                prompt = _say_text(doc)
                outcome.heard.append(prompt)
                if doc.find("Dial") is not None or doc.find("Hangup") is not None:
                    outcome.transferred = doc.find("Dial") is not None
                    outcome.reason = "transferred" if outcome.transferred else "hung up"
                    break
                action = caller.answer(prompt)
                if action.kind in ("done", "stuck"):
                    outcome.finished = action.kind == "done"
                    outcome.reason = "" if outcome.finished else f"stuck at: {prompt}"
                    break
                doc, spoke_until = await self._act(doc, action)
                outcome.said.append(action.text)
                outcome.keyed |= action.kind == "keys"
                if doc is None:
                    break
                outcome.latencies_ms.append((time.monotonic() - spoke_until) * 1000)
        except TimeoutError as exc:
            outcome.reason = str(exc)
        finally:
            with contextlib.suppress(websockets.ConnectionClosed):
                await self.stream.stop()
        return outcome

    async def _act(self, doc: ET.Element, action: Action) -> tuple[ET.Element, float]:
        if action.kind == "keys":
            await self.sim.follow(doc, self.call_sid, digits=action.text)
            ended = time.monotonic()
        else:
            await self.sim.follow(doc, self.call_sid)  # the prompt finished playing
            speech = asyncio.create_task(self.synth.asynthesise(action.text, self.voice, PAD_MS))
            while not speech.done():  # the line is live while the caller gathers their words
                await self._send(b"\xff" * (8 * FRAME_MS))
            await self._send(phone_ulaw(speech.result()))
            ended = time.monotonic() - PAD_MS / 1000 / self.pace  # the clip ends with padding
        new_doc, arrived = await self._next_prompt()
        return new_doc, min(ended, arrived)


class KioskLine:
    """One conversation at a kiosk: 16 kHz PCM frames over ``/robot/stream``."""

    def __init__(self, url: str, headers: dict[str, str], synth: Synthesiser, pace: float = 1.0) -> None:
        self.url, self.headers, self.synth, self.pace = url, headers, synth, pace
        self.conversation_id = ""

    async def run(self, caller: Caller) -> Outcome:
        outcome = Outcome(caller.key, "robot")
        async with websockets.connect(
            self.url, additional_headers=self.headers, max_size=2**20, ping_interval=None
        ) as ws:
            ready = await self._message(ws, ("ready",))
            self.conversation_id = ready["conversation_id"]
            prompt, spoke_until = "请问有什么可以帮您？", time.monotonic()  # the kiosk's own greeting
            try:
                for _ in range(MAX_TURNS):
                    outcome.heard.append(prompt)
                    action = caller.answer(prompt)
                    if action.kind in ("done", "stuck"):
                        outcome.finished = action.kind == "done"
                        outcome.reason = "" if outcome.finished else f"stuck at: {prompt}"
                        break
                    outcome.said.append(action.text)
                    if action.kind == "keys":
                        outcome.keyed = True
                        await ws.send(json.dumps({"type": "keys", "digits": action.text}))
                        spoke_until = time.monotonic()
                    else:
                        making = self.synth.asynthesise(action.text, caller.voice, PAD_MS)
                        speech = asyncio.create_task(making)
                        while not speech.done():  # the microphone is live meanwhile
                            await self._send(ws, silence16k(FRAME_MS))
                        await self._send(ws, speech.result())
                        spoke_until = time.monotonic() - PAD_MS / 1000 / self.pace
                    message = await self._reply(ws)
                    outcome.latencies_ms.append((time.monotonic() - spoke_until) * 1000)
                    if message["type"] in ("handoff", "end"):
                        outcome.heard.append(message.get("text", ""))
                        outcome.transferred = message["type"] == "handoff"
                        outcome.reason = message["type"]
                        break
                    prompt = message["text"]
                    await ws.send(json.dumps({"type": "spoken", "turn": message["turn"]}))
            except TimeoutError as exc:
                outcome.reason = str(exc)
        return outcome

    async def _send(self, ws: websockets.ClientConnection, pcm: bytes) -> None:
        step = 32 * FRAME_MS
        started = time.monotonic()
        for i in range(0, len(pcm), step):
            await ws.send(pcm[i : i + step])
            delay = started + (i + step) / 32000 / self.pace - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)

    async def _reply(self, ws: websockets.ClientConnection) -> dict[str, Any]:
        """Send silence (a live microphone) until the gateway replies or ends the conversation."""
        deadline = time.monotonic() + TURN_TIMEOUT_S
        while time.monotonic() < deadline:
            try:
                return await self._message(ws, ("reply", "handoff", "end"), timeout_s=FRAME_MS / 1000)
            except TimeoutError:
                await self._send(ws, silence16k(FRAME_MS))
        raise TimeoutError("no reply from the kiosk stream")

    async def _message(self, ws: websockets.ClientConnection, kinds: tuple[str, ...],
                       timeout_s: float = TURN_TIMEOUT_S) -> dict[str, Any]:
        async with asyncio.timeout(timeout_s):
            while True:
                message: dict[str, Any] = json.loads(await ws.recv())
                if message["type"] in kinds:
                    return message
                if message["type"] == "error":
                    raise TimeoutError(f"kiosk error: {message}")
