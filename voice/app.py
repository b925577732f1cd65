"""Sanic app factory of the voice gateway; dependencies are injected, nothing runs at import."""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from sanic import Request, Sanic
from sanic.response import HTTPResponse, json

from voice.asr.base import AsrEngine, AsrUnavailable, engine_health
from voice.asr.factory import build_engine
from voice.core.archive import ArchiveSink, CaseServiceArchive, NoArchive
from voice.core.handoff import CaseServiceHandoffs, HandoffSink, NoHandoffSink
from voice.core.records import CallTranscript, FileRecordStore, RecordStore
from voice.core.session import CallOutput, CallSession, SessionPolicy
from voice.dialogue.base import DialogueEngine
from voice.dialogue.rasa_rest import RasaRestDialogue
from voice.guard import VoiceGuards
from voice.registry import CallRegistry
from voice.settings import VoiceSettings
from voice.twilio.control import CallUpdater, TwilioRestUpdater
from voice.twilio.signature import WebhookAuth

log = logging.getLogger(__name__)
_app_numbers = itertools.count(1)
SECURITY_HEADERS = {  # the gateway serves no pages; nothing of it may be framed or sniffed
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",
}


@dataclass
class Services:
    """Everything a request handler needs, kept on ``app.ctx.voice`` (never in globals)."""

    settings: VoiceSettings
    auth: WebhookAuth
    dialogue: DialogueEngine
    updater: CallUpdater
    store: RecordStore
    office_open: Callable[[], bool]
    handoffs: HandoffSink = field(default_factory=NoHandoffSink)
    archive: ArchiveSink = field(default_factory=NoArchive)
    asr: AsrEngine | None = None
    asr_error: str = ""
    calls: CallRegistry = field(default_factory=CallRegistry)
    robots: dict[str, CallSession] = field(default_factory=dict)
    owns_asr: bool = False  # the engine was built here (and is closed at stop)
    background: set[asyncio.Task[None]] = field(default_factory=set)
    guards: VoiceGuards = field(init=False)  # limits and lock-outs, from the settings
    pending_streams: int = 0  # Media Streams open but not yet started (unauthenticated)

    def __post_init__(self) -> None:
        self.guards = VoiceGuards.from_settings(self.settings)

    async def finish_safely(self, coro: Coroutine[Any, Any, None]) -> None:
        """Run clean-up to the end even if the handler is cancelled (Sanic cancels a WebSocket
        handler as soon as the peer closes, which Twilio does right after ``stop``)."""
        task = asyncio.create_task(coro)
        self.background.add(task)
        task.add_done_callback(self.background.discard)
        await asyncio.shield(task)

    def policy(self, *, push_to_talk: bool = False) -> SessionPolicy:
        return SessionPolicy(
            silence_timeout_s=None if push_to_talk else self.settings.silence_timeout_s,
            staff_number=self.settings.staff_phone_number,
            office_open=self.office_open,
        )

    def new_session(
        self,
        conversation_id: str,
        caller: str,
        channel: str,
        output: CallOutput,
        *,
        push_to_talk: bool = False,
    ) -> CallSession:
        assert self.asr is not None
        return CallSession(
            conversation_id=conversation_id,
            caller=caller,
            channel=channel,
            asr=self.asr.start_call(),
            dialogue=self.dialogue,
            output=output,
            transcript=CallTranscript(self.store, conversation_id, channel),
            policy=self.policy(push_to_talk=push_to_talk),
            handoffs=self.handoffs,
            archive=self.archive,
        )

    @property
    def at_capacity(self) -> bool:
        """True when another call would make decoding fall behind real time."""
        load = len(self.calls.active) + len(self.calls.pending) + len(self.robots)
        return load >= self.settings.max_calls

    def spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        """Background work that outlives a request (awaited at server stop)."""
        task = asyncio.create_task(coro)
        self.background.add(task)
        task.add_done_callback(self.background.discard)


def create_app(
    settings: VoiceSettings,
    *,
    dialogue: DialogueEngine | None = None,
    asr: AsrEngine | None = None,
    updater: CallUpdater | None = None,
    store: RecordStore | None = None,
    office_open: Callable[[], bool] | None = None,
    handoffs: HandoffSink | None = None,
    archive: ArchiveSink | None = None,
) -> Sanic:
    """Build the gateway. Without ``asr`` the engine ASR_ENGINE names loads at server start
    (``build_engine``: Vosk from VOSK_MODEL_PATH, Whisper from WHISPER_MODEL_PATH).

    Hand-offs and call records go to the case service when VOICE_HANDOFF_TO_CASE_SERVICE is on
    (the default in settings from the environment) unless sinks are injected.
    """
    from voice.robot.routes import robot_routes
    from voice.twilio.routes import twilio_routes

    number = next(_app_numbers)
    app = Sanic("jiefen_voice" if number == 1 else f"jiefen_voice_{number}")
    app.config.WEBSOCKET_MAX_SIZE = 65_536  # Twilio frames are ~400 bytes; kiosk chunks a few KiB
    app.config.WEBSOCKET_PING_INTERVAL = 20
    store = store or FileRecordStore(settings.data_dir)
    if handoffs is None or archive is None:
        default_handoffs, default_archive = _case_service_sinks(settings, store)
        handoffs, archive = handoffs or default_handoffs, archive or default_archive
    services = Services(
        settings=settings,
        auth=WebhookAuth(settings.twilio_auth_token),
        dialogue=dialogue
        or RasaRestDialogue(
            settings.rasa_url,
            settings.rasa_timeout_s,
            token=settings.rasa_channel_token,
            max_chars=settings.max_utterance_chars,
        ),
        updater=updater or TwilioRestUpdater(settings.twilio_account_sid, settings.twilio_auth_token),
        store=store,
        office_open=office_open or (lambda: settings.office_hours.is_open(datetime.now(timezone.utc))),
        asr=asr,
        handoffs=handoffs,
        archive=archive,
    )
    app.ctx.voice = services
    app.blueprint(twilio_routes())
    app.blueprint(robot_routes())

    @app.on_response
    async def secure(request: Request, response: HTTPResponse) -> None:
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)

    @app.before_server_start
    async def load_asr(app: Sanic) -> None:
        if services.asr is None:
            loop = asyncio.get_running_loop()
            try:  # seconds of blocking work (model files, a trial decode): off the event loop
                services.asr = await loop.run_in_executor(None, build_engine, settings.asr)
                services.owns_asr = True
            except AsrUnavailable as exc:
                services.asr_error = str(exc)
            if services.asr is None:
                log.error(
                    "speech recognition unavailable (%s): calls get an apology and a transfer",
                    services.asr_error,
                )
            else:
                log.info("%s speech recognition loaded from %s", services.asr.name, settings.asr.model_path)
        if not settings.robot_stream_enabled:
            log.warning("/robot/stream refuses everyone: set CHAT_SESSION_SECRET and/or ROBOT_DEVICE_TOKENS")

    @app.after_server_start
    async def retry_archives(app: Sanic) -> None:
        if isinstance(services.archive, CaseServiceArchive) and settings.archive_retry_s > 0:
            retry = services.archive.keep_retrying(settings.archive_retry_s)
            app.ctx.archive_retry = asyncio.create_task(retry)

    @app.before_server_stop
    async def close_calls(app: Sanic) -> None:
        retry = getattr(app.ctx, "archive_retry", None)
        if retry is not None:
            retry.cancel()
        for session in [*services.calls.active.values(), *services.robots.values()]:
            await session.end("server_stop")
        await asyncio.gather(*services.background, return_exceptions=True)
        for client in (services.dialogue, services.handoffs):
            close = getattr(client, "aclose", None)
            if close is not None:
                await close()
        close_asr = getattr(services.asr, "close", None)
        if services.owns_asr and close_asr is not None:
            close_asr()

    @app.get("/health")
    async def health(request: Request) -> HTTPResponse:
        # "status" is the gateway's (it answers calls either way); "asr_status" is the recogniser's:
        # ok, degraded (decodes failing or stuck: those calls are transferred) or unavailable.
        asr_health = engine_health(services.asr) if services.asr else None
        return json(
            {
                "status": "ok",
                "asr": services.asr.name if services.asr else "unavailable",
                "asr_status": asr_health.status if asr_health else "unavailable",
                "asr_detail": (asr_health.detail if asr_health else services.asr_error) or None,
                "twilio": "configured" if services.auth.configured else "unconfigured",
                "public_url": bool(settings.public_url),
                "active_calls": len(services.calls.active),
                "robot_sessions": len(services.robots),
                "robot_stream": "enabled" if settings.robot_stream_enabled else "disabled",
            }
        )

    return app


def _case_service_sinks(settings: VoiceSettings, store: RecordStore) -> tuple[HandoffSink, ArchiveSink]:
    """Hand-offs and call records to the case service (CASE_SERVICE_URL, CENTER_API_TOKEN,
    CASE_OUTBOX_DIR), sharing one client."""
    if not settings.handoff_to_case_service:
        return NoHandoffSink(), NoArchive()
    from integration.client.factory import case_system_from_env

    cases = case_system_from_env()
    archive: ArchiveSink = NoArchive()
    if isinstance(store, FileRecordStore):  # records are re-read from their files to be sent
        archive = CaseServiceArchive(cases, store)
    return CaseServiceHandoffs(cases), archive
