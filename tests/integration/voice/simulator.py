"""A Twilio stand-in: signed webhooks, the Media Streams protocol over a real WebSocket, and a
recorder of live call updates (what the REST API would have received)."""

from __future__ import annotations

import asyncio
import base64
import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

import httpx
import numpy as np
import websockets
from twilio.request_validator import RequestValidator

from voice.audio.mulaw import pcm16_to_ulaw

ACCOUNT_SID = "AC" + "5" * 32
FRAME_BYTES = 160  # 20 ms of 8 kHz μ-law


def ulaw_tone(ms: int, amplitude: int = 3000) -> bytes:
    t = np.arange(8 * ms) / 8000
    return pcm16_to_ulaw((amplitude * np.sin(2 * np.pi * 300 * t)).astype("<i2").tobytes())


def ulaw_silence(ms: int) -> bytes:
    return b"\xff" * (8 * ms)


@dataclass
class FakeTwilioRest:
    """CallUpdater double: keeps every TwiML document the gateway pushed to a live call."""

    updates: dict[str, list[str]] = field(default_factory=dict)
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    async def update(self, call_sid: str, twiml_doc: str) -> None:
        self.updates.setdefault(call_sid, []).append(twiml_doc)
        self.changed.set()

    async def next_update(self, call_sid: str, count: int, timeout_s: float = 5.0) -> ET.Element:
        """Wait until the call has received ``count`` updates; return the last one parsed."""
        async with asyncio.timeout(timeout_s):
            while len(self.updates.get(call_sid, [])) < count:
                self.changed.clear()
                await self.changed.wait()
        return ET.fromstring(self.updates[call_sid][count - 1])


class MediaStream:
    """Twilio's side of one Media Streams WebSocket."""

    def __init__(self, ws: websockets.ClientConnection, call_sid: str, stream_sid: str) -> None:
        self.ws = ws
        self.call_sid = call_sid
        self.stream_sid = stream_sid
        self._seq = 0
        self._chunk = 0
        self._ms = 0

    def _next(self) -> str:
        self._seq += 1
        return str(self._seq)

    async def send_start(self, params: dict[str, str]) -> None:
        await self.ws.send(json.dumps({"event": "connected", "protocol": "Call", "version": "1.0.0"}))
        start = {
            "accountSid": ACCOUNT_SID,
            "streamSid": self.stream_sid,
            "callSid": self.call_sid,
            "tracks": ["inbound"],
            "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000, "channels": 1},
            "customParameters": params,
        }
        await self.ws.send(
            json.dumps(
                {
                    "event": "start",
                    "sequenceNumber": self._next(),
                    "start": start,
                    "streamSid": self.stream_sid,
                }
            )
        )

    async def send_audio(self, ulaw: bytes, realtime: bool = False) -> None:
        for i in range(0, len(ulaw), FRAME_BYTES):
            self._chunk += 1
            media = {
                "track": "inbound",
                "chunk": str(self._chunk),
                "timestamp": str(self._ms),
                "payload": base64.b64encode(ulaw[i : i + FRAME_BYTES]).decode(),
            }
            await self.ws.send(
                json.dumps(
                    {
                        "event": "media",
                        "sequenceNumber": self._next(),
                        "media": media,
                        "streamSid": self.stream_sid,
                    }
                )
            )
            self._ms += 20
            await asyncio.sleep(0.02 if realtime else 0)

    async def send_dtmf(self, digit: str) -> None:
        dtmf = {"track": "inbound_track", "digit": digit}
        msg = {"event": "dtmf", "streamSid": self.stream_sid, "sequenceNumber": self._next(), "dtmf": dtmf}
        await self.ws.send(json.dumps(msg))

    async def stop(self) -> None:
        stop = {"accountSid": ACCOUNT_SID, "callSid": self.call_sid}
        msg = {"event": "stop", "sequenceNumber": self._next(), "streamSid": self.stream_sid, "stop": stop}
        await self.ws.send(json.dumps(msg))
        await self.ws.close()


class CallSimulator:
    """Drives whole calls against a gateway whose PUBLIC_URL is ``base_url``."""

    def __init__(self, base_url: str, auth_token: str) -> None:
        self.base_url = base_url.rstrip("/")
        self._validator = RequestValidator(auth_token)
        self.http = httpx.AsyncClient(timeout=10)

    async def post(self, url: str, params: dict[str, str], sign: bool = True) -> httpx.Response:
        headers = {"X-Twilio-Signature": self._validator.compute_signature(url, params)} if sign else {}
        return await self.http.post(url, data=params, headers=headers)

    async def incoming_call(self, call_sid: str, caller: str = "+8613800138000") -> httpx.Response:
        params = {
            "AccountSid": ACCOUNT_SID,
            "CallSid": call_sid,
            "From": caller,
            "To": "+862012345678",
            "CallStatus": "ringing",
            "Direction": "inbound",
        }
        return await self.post(f"{self.base_url}/twilio/voice", params)

    async def open_stream(self, twiml_doc: str, call_sid: str) -> MediaStream:
        """Do what Twilio does on ``<Start><Stream>``: connect and send connected + start."""
        stream = ET.fromstring(twiml_doc).find("Start/Stream")
        assert stream is not None, twiml_doc
        params = {p.get("name", ""): p.get("value", "") for p in stream.findall("Parameter")}
        ws = await websockets.connect(stream.get("url", ""))
        media = MediaStream(ws, call_sid, "MZ" + call_sid[2:])
        await media.send_start(params)
        return media

    async def follow(self, element: ET.Element, call_sid: str, digits: str | None = None) -> httpx.Response:
        """Finish playing a TwiML document: post its Gather action (with digits) or its Redirect."""
        params = {"AccountSid": ACCOUNT_SID, "CallSid": call_sid, "CallStatus": "in-progress"}
        if digits is not None:
            gather = element.find("Gather")
            assert gather is not None
            return await self.post(gather.get("action", ""), {**params, "Digits": digits})
        redirect = element.find("Redirect")
        assert redirect is not None and redirect.text
        return await self.post(redirect.text, params)

    async def aclose(self) -> None:
        await self.http.aclose()
