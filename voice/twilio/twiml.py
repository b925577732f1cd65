"""TwiML documents for the phone line (``<Start><Stream>`` fork + ``<Say>`` in Mandarin)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from urllib.parse import urlencode

from twilio.twiml.voice_response import VoiceResponse


@dataclass(frozen=True)
class Voice:
    name: str = "Polly.Zhiyu"
    language: str = "cmn-CN"


@dataclass(frozen=True)
class Urls:
    """Absolute URLs Twilio calls back; every action URL carries a nonce (see replay guard)."""

    base: str  # https://public.example
    stream: str  # wss://public.example/twilio/stream

    def action(self, path: str, **params: str | int) -> str:
        query = urlencode({**{k: str(v) for k, v in params.items()}, "n": secrets.token_hex(6)})
        return f"{self.base.rstrip('/')}{path}?{query}"


def _gather_say(
    response: VoiceResponse, text: str, voice: Voice, urls: Urls, turn: int, max_digits: int, timeout_s: int
) -> None:
    gather = response.gather(
        input="dtmf",
        action=urls.action("/twilio/keys", turn=turn),
        method="POST",
        timeout=timeout_s,
        finish_on_key="#",
        num_digits=max_digits,
        action_on_empty_result=False,
    )
    gather.say(text, voice=voice.name, language=voice.language)


def answer_call(
    *, text: str, voice: Voice, urls: Urls, call_sid: str, caller: str, token: str, record: bool
) -> str:
    """Fork the caller's audio to our WebSocket, then play the notice and greeting (turn 0)."""
    response = VoiceResponse()
    start = response.start()
    stream = start.stream(url=urls.stream, track="inbound_track", name=f"asr-{call_sid}")
    stream.parameter(name="callSid", value=call_sid)
    stream.parameter(name="caller", value=caller)
    stream.parameter(name="token", value=token)
    if record:
        start.recording(recording_status_callback=urls.action("/twilio/recording"), track="both")
    _gather_say(response, text, voice, urls, 0, 1, 1)
    response.redirect(urls.action("/twilio/prompt", turn=0), method="POST")
    return str(response)


def speak(*, text: str, voice: Voice, urls: Urls, turn: int, max_digits: int = 1, timeout_s: int = 1) -> str:
    """Play one reply (keys interrupt it), then report the end of playback and hold."""
    response = VoiceResponse()
    _gather_say(response, text, voice, urls, turn, max_digits, timeout_s)
    response.redirect(urls.action("/twilio/prompt", turn=turn), method="POST")
    return str(response)


def hold(*, urls: Urls, seconds: int = 30, max_digits: int = 1) -> str:
    """Keep the line open (the audio fork keeps running) and accept keys (a whole entry ended by #)."""
    response = VoiceResponse()
    gather = response.gather(
        input="dtmf",
        action=urls.action("/twilio/keys", turn=-1),
        method="POST",
        timeout=1 if max_digits == 1 else 5,
        num_digits=max_digits,
        finish_on_key="#",
    )
    gather.pause(length=seconds)
    response.redirect(urls.action("/twilio/hold"), method="POST")
    return str(response)


def transfer(*, text: str, voice: Voice, urls: Urls, number: str, record: bool) -> str:
    """Announce, then dial the staff line; if nobody answers, apologise and hang up."""
    response = VoiceResponse()
    if text:
        response.say(text, voice=voice.name, language=voice.language)
    response.dial(
        number,
        timeout=30,
        action=urls.action("/twilio/dial-done"),
        method="POST",
        record="record-from-answer" if record else "do-not-record",
    )
    return str(response)


def goodbye(*, text: str, voice: Voice) -> str:
    response = VoiceResponse()
    if text:
        response.say(text, voice=voice.name, language=voice.language)
    response.hangup()
    return str(response)


def reject() -> str:
    """For requests about calls we do not know: end the call without a word."""
    response = VoiceResponse()
    response.hangup()
    return str(response)
