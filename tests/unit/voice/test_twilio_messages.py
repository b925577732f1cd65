"""Parsing and serialising Twilio Media Streams messages."""

from __future__ import annotations

import json

import pytest

from tests.unit.voice import fixtures as fx
from voice.twilio.messages import (
    AudioChunk,
    Connected,
    Dtmf,
    Mark,
    ProtocolError,
    StreamStarted,
    StreamStopped,
    UnknownEvent,
    clear_message,
    mark_message,
    media_message,
    parse_message,
)


def test_connected() -> None:
    assert parse_message(fx.CONNECTED) == Connected(protocol="Call", version="1.0.0")


def test_start_carries_call_and_parameters() -> None:
    event = parse_message(fx.START)
    assert isinstance(event, StreamStarted)
    assert event.call_sid == fx.CALL_SID and event.stream_sid == fx.STREAM_SID
    assert event.account_sid == fx.ACCOUNT_SID
    assert event.media_format.encoding == "audio/x-mulaw" and event.media_format.sample_rate == 8000
    assert event.custom_parameters["caller"] == "+8613800138000"
    assert event.tracks == ("inbound",)


def test_media_payload_is_decoded_base64() -> None:
    event = parse_message(fx.MEDIA)
    assert isinstance(event, AudioChunk)
    assert event.payload == b"\xff" * 162  # '/' * 216 decodes to 0xff bytes
    assert (event.chunk, event.timestamp_ms, event.track) == (1, 5, "inbound")


def test_dtmf_mark_stop() -> None:
    assert parse_message(fx.DTMF) == Dtmf(stream_sid=fx.STREAM_SID, digit="1")
    assert parse_message(fx.MARK) == Mark(stream_sid=fx.STREAM_SID, name="turn-3")
    assert parse_message(fx.STOP) == StreamStopped(fx.STREAM_SID, fx.CALL_SID, fx.ACCOUNT_SID)


def test_unknown_event_is_not_an_error() -> None:
    assert parse_message('{"event":"transcription","streamSid":"MZ1"}') == UnknownEvent("transcription")


@pytest.mark.parametrize(
    "raw",
    [
        "not json",
        "[1, 2]",
        '{"no_event": 1}',
        '{"event":"start","streamSid":"MZ1"}',
        '{"event":"media","streamSid":"MZ1","media":{"payload":"***"}}',
        '{"event":"media","streamSid":"MZ1","media":{"payload":"' + "A" * 12_000 + '"}}',
        '{"event":"dtmf","streamSid":"MZ1","dtmf":{"digit":"12"}}',
        '{"event":"dtmf","streamSid":"MZ1","dtmf":{"digit":"x"}}',
        '{"event":"stop","streamSid":"MZ1","stop":{}}',
        '{"event":"start","streamSid":"MZ1","start":{"callSid":"CA1","accountSid":"AC1",'
        '"mediaFormat":{"encoding":"audio/x-mulaw","sampleRate":"x","channels":1}}}',
        "x" * 20_000,
    ],
)
def test_malformed_messages_raise_protocol_error(raw: str) -> None:
    with pytest.raises(ProtocolError):
        parse_message(raw)


def test_binary_frames_are_refused() -> None:
    with pytest.raises(ProtocolError):
        parse_message(fx.CONNECTED.encode())


def test_outgoing_messages() -> None:
    assert json.loads(clear_message("MZ1")) == {"event": "clear", "streamSid": "MZ1"}
    assert json.loads(mark_message("MZ1", "turn-2")) == {
        "event": "mark",
        "streamSid": "MZ1",
        "mark": {"name": "turn-2"},
    }
    media = json.loads(media_message("MZ1", b"\xff\x7f"))
    assert media == {"event": "media", "streamSid": "MZ1", "media": {"payload": "/38="}}
