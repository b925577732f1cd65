"""Twilio webhooks and the Media Streams WebSocket, mapped onto provider-neutral call sessions."""

from __future__ import annotations

import asyncio
import functools
import logging
import re
from collections.abc import Awaitable, Callable

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, text
from sanic.server.websockets.impl import WebsocketImplProtocol
from websockets.exceptions import ConnectionClosed

from textnorm.mask import mask_phone
from voice.app import Services
from voice.audio.mulaw import ulaw_to_pcm16
from voice.audio.resample import Upsampler2x
from voice.core import prompts
from voice.core.records import CallTranscript
from voice.core.session import CallSession
from voice.guard import client_ip
from voice.twilio import twiml
from voice.twilio.control import TwilioCallOutput
from voice.twilio.messages import (
    AudioChunk,
    Dtmf,
    Mark,
    ProtocolError,
    StreamStarted,
    StreamStopped,
    parse_message,
)
from voice.twilio.twiml import Urls, Voice

log = logging.getLogger(__name__)
MAX_BAD_FRAMES = 20
_SID_RE = re.compile(r"^CA[0-9a-fA-F]{32}$")
_TURN_RE = re.compile(r"^-?[0-9]{1,9}$")


def turn_number(raw: str) -> int:
    """The prompt number of ``?turn=`` or a ``turn-<n>`` mark; -1 (no such prompt) when malformed."""
    return int(raw) if _TURN_RE.match(raw) else -1


def _xml(doc: str, status: int = 200) -> HTTPResponse:
    return text(doc, status=status, content_type="application/xml")


def _services(request: Request) -> Services:
    services: Services = request.app.ctx.voice
    return services


def _urls(services: Services, request: Request) -> Urls:
    base = services.settings.public_url or f"{request.scheme}://{request.host}"
    stream = (
        services.settings.public_wss("/twilio/stream")
        if services.settings.public_url
        else (f"{'wss' if request.scheme == 'https' else 'ws'}://{request.host}/twilio/stream")
    )
    return Urls(base=base, stream=stream)


def _voice(services: Services) -> Voice:
    return Voice(services.settings.tts_voice, services.settings.tts_language)


def _signed_params(services: Services, request: Request) -> dict[str, str] | None:
    """The POST parameters of a correctly signed, first-seen webhook; else None (a wrong
    signature also counts towards the address's lock-out)."""
    params = {key: values[0] for key, values in (request.form or {}).items()}
    base = services.settings.public_url.rstrip("/") or f"{request.scheme}://{request.host}"
    url = base + request.path + (f"?{request.query_string}" if request.query_string else "")
    verdict = services.auth.check(url, params, request.headers.get("X-Twilio-Signature"))
    if verdict != "ok":
        if verdict == "bad":
            services.guards.signatures.failed(client_ip(request))
        log.warning("refused %s webhook %s", "replayed" if verdict == "replay" else "unsigned", request.path)
        return None
    return params


SignedHandler = Callable[[Request, Services, dict[str, str]], Awaitable[HTTPResponse]]


def _signed(handler: SignedHandler) -> Callable[[Request], Awaitable[HTTPResponse]]:
    """Every Twilio webhook: refuse (403) unless signed and first seen, then hand over the params."""

    @functools.wraps(handler)
    async def checked(request: Request) -> HTTPResponse:
        services, ip = _services(request), client_ip(request)
        if services.guards.signatures.locked(ip) or services.guards.webhooks.hit(ip):
            return text("too many requests", status=429, headers={"Retry-After": "60"})
        params = _signed_params(services, request)
        if params is None:
            return text("forbidden", status=403)
        return await handler(request, services, params)

    return checked


def _hold(services: Services, request: Request, session: CallSession | None) -> HTTPResponse:
    """Keep the call waiting for the next prompt, accepting the keys the session expects."""
    keys = session.expected_keys if session is not None else 1
    return _xml(twiml.hold(urls=_urls(services, request), max_digits=keys))


def twilio_routes() -> Blueprint:
    bp = Blueprint("twilio", url_prefix="/twilio")

    @bp.post("/voice")
    @_signed
    async def incoming_call(request: Request, services: Services, params: dict[str, str]) -> HTTPResponse:
        call_sid, caller = params.get("CallSid", ""), params.get("From", "")
        if not _SID_RE.match(call_sid) or services.calls.known(call_sid):
            return text("unknown or repeated call", status=400)
        settings = services.settings
        log.info("incoming call %s from %s", call_sid, mask_phone(caller.removeprefix("+86")))
        if services.asr is None or services.at_capacity:
            reason = "asr_unavailable" if services.asr is None else "line_busy"
            return _xml(_no_asr_answer(services, request, call_sid, caller, reason))
        services.calls.expect(call_sid, caller)
        return _xml(
            twiml.answer_call(
                text=prompts.opening(settings.recording_enabled),
                voice=_voice(services),
                urls=_urls(services, request),
                call_sid=call_sid,
                caller=caller,
                token=services.auth.stream_token(call_sid),
                record=settings.recording_enabled,
            )
        )

    @bp.post("/keys")
    @_signed
    async def keys(request: Request, services: Services, params: dict[str, str]) -> HTTPResponse:
        session = services.calls.active.get(params.get("CallSid", ""))
        if session is None:
            return _xml(_unknown_call(services, params))
        await session.on_keypad(params.get("Digits", ""))
        return _hold(services, request, session)

    @bp.post("/prompt")
    @_signed
    async def prompt_done(request: Request, services: Services, params: dict[str, str]) -> HTTPResponse:
        call_sid, number = params.get("CallSid", ""), turn_number(request.args.get("turn", ""))
        session = services.calls.active.get(call_sid)
        if session is not None:
            session.on_prompt_done(number)
        elif not services.calls.note_early_prompt(call_sid, number):
            return _xml(_unknown_call(services, params))
        return _hold(services, request, session)

    @bp.post("/hold")
    @_signed
    async def hold(request: Request, services: Services, params: dict[str, str]) -> HTTPResponse:
        call_sid = params.get("CallSid", "")
        session = services.calls.active.get(call_sid)
        if session is None and call_sid not in services.calls.pending:
            return _xml(_unknown_call(services, params))
        return _hold(services, request, session)

    @bp.post("/dial-done")
    @_signed
    async def dial_done(request: Request, services: Services, params: dict[str, str]) -> HTTPResponse:
        status = params.get("DialCallStatus", "")
        services.store.append(f"phone-{params.get('CallSid', '')}", {"kind": "staff_dial", "status": status})
        if status == "completed":
            return _xml(twiml.goodbye(text="", voice=_voice(services)))
        return _xml(twiml.goodbye(text=prompts.STAFF_NO_ANSWER, voice=_voice(services)))

    @bp.post("/recording")
    @_signed
    async def recording(request: Request, services: Services, params: dict[str, str]) -> HTTPResponse:
        services.store.append(
            f"phone-{params.get('CallSid', '')}",
            {"kind": "recording", "sid": params.get("RecordingSid"), "url": params.get("RecordingUrl")},
        )
        return text("", status=204)

    @bp.websocket("/stream")
    async def stream(request: Request, ws: WebsocketImplProtocol) -> None:
        await _run_stream(_services(request), request, ws)

    return bp


def _no_asr_answer(services: Services, request: Request, call_sid: str, caller: str, reason: str) -> str:
    """Never a dead line: apologise, then transfer (office hours) or take a callback request."""
    transcript = CallTranscript(services.store, f"phone-{call_sid}", "phone")
    in_hours = services.office_open() and bool(services.settings.staff_phone_number)
    services.spawn(services.handoffs.deliver(transcript.handoff(reason, caller, callback=not in_hours)))
    services.calls.close(call_sid)
    if in_hours:
        return twiml.transfer(
            text=prompts.NO_ASR_IN_HOURS,
            voice=_voice(services),
            urls=_urls(services, request),
            number=services.settings.staff_phone_number,
            record=services.settings.recording_enabled,
        )
    return twiml.goodbye(text=prompts.NO_ASR_AFTER_HOURS, voice=_voice(services))


def _unknown_call(services: Services, params: dict[str, str]) -> str:
    log.warning("webhook for a call without a live session: %s", params.get("CallSid", "?"))
    return twiml.goodbye(text=prompts.STAFF_NO_ANSWER, voice=_voice(services))


async def _run_stream(services: Services, request: Request, ws: WebsocketImplProtocol) -> None:
    """Read Twilio's messages until ``stop`` or the socket closes; one session per stream.

    Until a ``start`` with the call's stream token arrives the socket is unauthenticated: it gets
    VOICE_STREAM_START_TIMEOUT_S to send one, and at most VOICE_MAX_PENDING_STREAMS such sockets
    are open at once."""
    settings, ip = services.settings, client_ip(request)
    if services.guards.credentials.locked(ip) or services.guards.streams.hit(ip):
        await ws.close(code=1008, reason="too many attempts")
        return
    if services.pending_streams >= settings.max_pending_streams:
        log.warning("stream refused: %d streams already wait for their start", services.pending_streams)
        await ws.close(code=1013, reason="try again later")
        return
    services.pending_streams += 1
    waiting = True  # counted in pending_streams until a session starts
    started = asyncio.Event()
    watchdog = asyncio.create_task(_close_unless_started(ws, started, settings.stream_start_timeout_s))
    session: CallSession | None = None
    call_sid = ""
    upsampler = Upsampler2x()
    bad = 0
    reason = "stream_lost"
    try:
        async for raw in ws:
            try:
                event = parse_message(raw)
            except ProtocolError as exc:
                bad += 1
                log.warning("bad Media Streams frame on %s: %s", call_sid or "?", exc)
                if bad > MAX_BAD_FRAMES:
                    reason = "protocol_errors"
                    break
                continue
            if isinstance(event, StreamStarted) and session is None:
                session = _start_session(services, request, event)
                if session is None:
                    services.guards.credentials.failed(ip)
                    await ws.close(code=1008, reason="unknown call")
                    return
                services.pending_streams -= 1
                waiting = False
                started.set()
                call_sid = event.call_sid
            elif isinstance(event, AudioChunk) and session is not None:
                if event.track in ("inbound", "inbound_track"):
                    await session.on_audio(upsampler.process(ulaw_to_pcm16(event.payload)))
            elif isinstance(event, Dtmf) and session is not None:
                await session.on_key(event.digit)
            elif isinstance(event, Mark) and session is not None and event.name.startswith("turn-"):
                session.on_prompt_done(turn_number(event.name.removeprefix("turn-")))
            elif isinstance(event, StreamStopped):
                reason = "stream_stopped"
                break
    except ConnectionClosed:
        pass
    finally:
        watchdog.cancel()
        if waiting:
            services.pending_streams -= 1
        if session is not None:
            await services.finish_safely(_finish(services, session, call_sid, reason))


async def _close_unless_started(ws: WebsocketImplProtocol, started: asyncio.Event, timeout_s: float) -> None:
    """An unauthenticated socket that sends no valid ``start`` in time is closed."""
    try:
        await asyncio.wait_for(started.wait(), timeout_s)
    except TimeoutError:
        log.warning("stream closed: no start within %.0f s", timeout_s)
        await ws.close(code=1008, reason="no start")


def _start_session(services: Services, request: Request, event: StreamStarted) -> CallSession | None:
    call_sid = event.call_sid
    token = event.custom_parameters.get("token", "")
    if not services.auth.check_stream_token(call_sid, token):
        log.warning("stream for %s refused: bad token", call_sid)
        return None
    caller = services.calls.claim(call_sid)
    if caller is None or services.asr is None:
        log.warning("stream for unknown or finished call %s refused", call_sid)
        return None
    output = TwilioCallOutput(
        call_sid,
        services.updater,
        _voice(services),
        _urls(services, request),
        services.settings.recording_enabled,
    )
    session = services.new_session(f"phone-{call_sid}", caller, "phone", output)
    services.calls.active[call_sid] = session
    session.transcript.add("call_start", caller=caller, stream_sid=event.stream_sid)
    session.start(greeting_playing=True)
    early = services.calls.early_prompts.pop(call_sid, None)
    if early is not None:
        session.on_prompt_done(early)
    return session


async def _finish(services: Services, session: CallSession, call_sid: str, reason: str) -> None:
    if reason != "stream_stopped" and not session.ended:
        await session.abort(reason)  # the call may still be up: transfer or say goodbye, not silence
    await session.end(reason)
    services.calls.close(call_sid)
