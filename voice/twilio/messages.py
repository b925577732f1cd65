"""Twilio Media Streams WebSocket messages ↔ typed events (the only Twilio-JSON-aware module).

Reference: https://www.twilio.com/docs/voice/media-streams/websocket-messages
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

MAX_MESSAGE_CHARS = 16_384  # a 20 ms frame is ~400 characters; anything this big is not Twilio
MAX_PAYLOAD_BYTES = 8_000  # one second of 8 kHz μ-law


class ProtocolError(ValueError):
    """A message that does not follow the Media Streams protocol."""


@dataclass(frozen=True)
class MediaFormat:
    encoding: str
    sample_rate: int
    channels: int


@dataclass(frozen=True)
class Connected:
    protocol: str
    version: str


@dataclass(frozen=True)
class StreamStarted:
    stream_sid: str
    call_sid: str
    account_sid: str
    tracks: tuple[str, ...]
    media_format: MediaFormat
    custom_parameters: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class AudioChunk:
    stream_sid: str
    track: str
    chunk: int
    timestamp_ms: int
    payload: bytes  # raw μ-law, 8 kHz mono


@dataclass(frozen=True)
class Dtmf:
    stream_sid: str
    digit: str


@dataclass(frozen=True)
class Mark:
    stream_sid: str
    name: str


@dataclass(frozen=True)
class StreamStopped:
    stream_sid: str
    call_sid: str
    account_sid: str


@dataclass(frozen=True)
class UnknownEvent:
    event: str


TwilioEvent = Connected | StreamStarted | AudioChunk | Dtmf | Mark | StreamStopped | UnknownEvent


def parse_message(raw: str | bytes) -> TwilioEvent:
    """Parse one WebSocket text message from Twilio; raise ProtocolError when it is malformed."""
    if isinstance(raw, bytes):
        raise ProtocolError("Twilio sends text frames only")
    if len(raw) > MAX_MESSAGE_CHARS:
        raise ProtocolError(f"message of {len(raw)} characters is too large")
    try:
        msg = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ProtocolError("not JSON") from exc
    if not isinstance(msg, dict):
        raise ProtocolError("not a JSON object")
    event = _str(msg, "event")
    try:
        parser = _PARSERS.get(event)
        return parser(msg) if parser is not None else UnknownEvent(event)
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, ProtocolError):
            raise
        raise ProtocolError(f"malformed {event!r} message: {exc}") from exc


def _str(obj: dict[str, Any], key: str) -> str:
    value = obj.get(key)
    if not isinstance(value, str):
        raise ProtocolError(f"field {key!r} missing or not a string")
    return value


def _obj(obj: dict[str, Any], key: str) -> dict[str, Any]:
    value = obj.get(key)
    if not isinstance(value, dict):
        raise ProtocolError(f"field {key!r} missing or not an object")
    return value


def _connected(msg: dict[str, Any]) -> Connected:
    return Connected(protocol=_str(msg, "protocol"), version=_str(msg, "version"))


def _start(msg: dict[str, Any]) -> StreamStarted:
    start = _obj(msg, "start")
    fmt = _obj(start, "mediaFormat")
    params = start.get("customParameters") or {}
    if not isinstance(params, dict) or not all(isinstance(v, str) for v in params.values()):
        raise ProtocolError("customParameters must map names to strings")
    return StreamStarted(
        stream_sid=_str(msg, "streamSid"),
        call_sid=_str(start, "callSid"),
        account_sid=_str(start, "accountSid"),
        tracks=tuple(str(t) for t in start.get("tracks", ["inbound"])),
        media_format=MediaFormat(
            encoding=_str(fmt, "encoding"), sample_rate=int(fmt["sampleRate"]), channels=int(fmt["channels"])
        ),
        custom_parameters=dict(params),
    )


def _media(msg: dict[str, Any]) -> AudioChunk:
    media = _obj(msg, "media")
    encoded = _str(media, "payload")
    if len(encoded) > MAX_PAYLOAD_BYTES * 4 // 3 + 4:
        raise ProtocolError("media payload too large")
    try:
        payload = base64.b64decode(encoded, validate=True)
    except binascii.Error as exc:
        raise ProtocolError("media payload is not base64") from exc
    return AudioChunk(
        stream_sid=_str(msg, "streamSid"),
        track=str(media.get("track", "inbound")),
        chunk=int(media.get("chunk", 0)),
        timestamp_ms=int(media.get("timestamp", 0)),
        payload=payload,
    )


def _dtmf(msg: dict[str, Any]) -> Dtmf:
    digit = _str(_obj(msg, "dtmf"), "digit")
    if len(digit) != 1 or digit not in "0123456789*#ABCD":
        raise ProtocolError(f"bad DTMF digit {digit!r}")
    return Dtmf(stream_sid=_str(msg, "streamSid"), digit=digit)


def _mark(msg: dict[str, Any]) -> Mark:
    return Mark(stream_sid=_str(msg, "streamSid"), name=_str(_obj(msg, "mark"), "name"))


def _stop(msg: dict[str, Any]) -> StreamStopped:
    stop = _obj(msg, "stop")
    return StreamStopped(
        stream_sid=_str(msg, "streamSid"),
        call_sid=_str(stop, "callSid"),
        account_sid=_str(stop, "accountSid"),
    )


_PARSERS: dict[str, Callable[[dict[str, Any]], TwilioEvent]] = {
    "connected": _connected,
    "start": _start,
    "media": _media,
    "dtmf": _dtmf,
    "mark": _mark,
    "stop": _stop,
}


# --- messages to Twilio (bidirectional <Connect><Stream> only) ---


def media_message(stream_sid: str, ulaw: bytes) -> str:
    """Audio to play to the caller: raw μ-law 8 kHz, base64 without a file header."""
    payload = base64.b64encode(ulaw).decode("ascii")
    return json.dumps({"event": "media", "streamSid": stream_sid, "media": {"payload": payload}})


def mark_message(stream_sid: str, name: str) -> str:
    """Ask Twilio to echo ``name`` back once the audio sent before it has played."""
    return json.dumps({"event": "mark", "streamSid": stream_sid, "mark": {"name": name}})


def clear_message(stream_sid: str) -> str:
    """Drop the audio Twilio has buffered (barge-in); pending marks are echoed back."""
    return json.dumps({"event": "clear", "streamSid": stream_sid})
