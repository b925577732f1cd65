"""Sanic app factory of the web service: the chat page, its session and message API."""

from __future__ import annotations

import itertools
import logging
import time
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from sanic import Request, Sanic
from sanic.response import HTTPResponse, file, json

from integration.client.limits import RateLimiter
from integration.client.logsafe import short_id
from voice.dialogue.base import DialogueEngine, DialogueUnavailable
from voice.dialogue.rasa_rest import RasaRestDialogue
from voice.tickets import TicketInvalid, issue_ticket, new_conversation_id, verify_ticket
from web import cors
from web.evidence import EvidenceClient, EvidenceRefused, read_capped
from web.guard import Guards, client_ip, locked_out, security_headers, too_many
from web.hub import MemoryHub, citizen_channel, staff_channel
from web.messages import EVIDENCE_RECEIVED, WAITING_FOR_STAFF, error_text
from web.rasa_admin import RasaAdmin, RasaAdminUnavailable
from web.relay import InvalidMessage, Outgoing, offered_payloads, outgoing, relay
from web.settings import WebSettings
from web.sse import stream_events
from web.staff_api import staff_routes
from web.staff_cases import StaffCases
from web.takeover import Takeovers

log = logging.getLogger(__name__)
STATIC = Path(__file__).parent / "static"
_app_numbers = itertools.count(1)


def _error(code: str, status: int, settings: WebSettings) -> HTTPResponse:
    message = error_text(code, limit=settings.max_message_chars, hotline=settings.center_hotline)
    return json({"code": code, "message": message}, status=status)


def _bearer(request: Request) -> str:
    header = request.headers.get("authorization", "")
    return header[7:].strip() if header.lower().startswith("bearer ") else ""


def _verified(settings: WebSettings, ticket: str) -> str | None:
    """The conversation a ticket was issued for, or None (malformed, forged or expired)."""
    if not ticket:
        return None
    try:
        return verify_ticket(settings.session_secret, ticket, now=time.time())
    except TicketInvalid:
        return None


def create_app(
    settings: WebSettings,
    *,
    dialogue: DialogueEngine | None = None,
    rasa_admin: RasaAdmin | None = None,
    staff_cases: StaffCases | None = None,
    evidence: EvidenceClient | None = None,
) -> Sanic:
    """Build the web service; the Rasa and case-service clients are injected in tests."""
    number = next(_app_numbers)
    app = Sanic("jiefen_web" if number == 1 else f"jiefen_web_{number}")
    app.config.REQUEST_MAX_SIZE = 64 * 1024  # a 2,000-character message is ~6 KiB of JSON
    app.config.GRACEFUL_SHUTDOWN_TIMEOUT = 3  # open event streams must not hold a stop for 15 s
    app.ctx.dialogue = dialogue or RasaRestDialogue(
        settings.rasa_url,
        settings.rasa_timeout_s,
        token=settings.rasa_channel_token,
        max_chars=settings.max_message_chars,
    )
    app.ctx.hub = MemoryHub()
    app.ctx.guards = guards = Guards.from_settings(settings)
    headers = security_headers(settings)
    app.ctx.takeovers = Takeovers(
        rasa=rasa_admin or RasaAdmin(settings.rasa_url, settings.rasa_jwt_secret, settings.rasa_timeout_s),
        cases=staff_cases or StaffCases(settings.case_service_url),
        hub=app.ctx.hub,
        low_confidence=settings.asr_low_confidence,
    )
    app.ctx.evidence = evidence or EvidenceClient(settings.case_service_url, settings.case_service_token)
    app.static("/static", STATIC, name="static")
    cors.install(app, settings.cors_allowed_origins)  # CORS_ALLOWED_ORIGINS, none by default
    if settings.staff_console:
        app.blueprint(staff_routes(str(STATIC), settings.session_secret, settings.staff_cookie_secure))

    @app.before_server_stop
    async def close_clients(app: Sanic) -> None:
        takeovers: Takeovers = app.ctx.takeovers
        for client in (app.ctx.dialogue, takeovers.rasa, takeovers.cases, app.ctx.evidence):
            close = getattr(client, "aclose", None)
            if close is not None:
                await close()

    @app.on_response
    async def secure(request: Request, response: HTTPResponse) -> None:
        for name, value in headers.items():
            response.headers.setdefault(name, value)

    def admitted(request: Request, per_conversation: RateLimiter) -> tuple[str, HTTPResponse | None]:
        """The conversation of a valid ticket within its limits, or the refusal to send: a
        locked-out address, a bad ticket (counted towards the lock-out), or too many requests
        for this conversation (``per_conversation``) or from this address."""
        ip, ticket = client_ip(request), _bearer(request)
        locked = guards.tickets.locked(ip, ticket)
        if locked:
            return "", locked_out(locked)
        conversation = _verified(settings, ticket)
        if conversation is None:
            guards.tickets.failed(ip)
            return "", _error("unauthorized", 401, settings)
        guards.tickets.succeeded(ip, ticket)
        wait = per_conversation.hit(conversation) or guards.chats_by_ip.hit(ip)
        return conversation, too_many(wait) if wait else None

    @app.get("/")
    async def page(request: Request) -> HTTPResponse:
        return await file(STATIC / "index.html", headers={"Cache-Control": "no-cache"})

    @app.get("/health")
    async def health(request: Request) -> HTTPResponse:
        return json({"status": "ok"})

    @app.post("/api/session")
    async def session(request: Request) -> HTTPResponse:
        """Start a conversation, or renew the ticket of the page's current one (after a reload)."""
        wait = guards.sessions.hit(client_ip(request))
        if wait:
            return too_many(wait)
        body: Any = request.json if request.body else {}
        previous = body.get("ticket") if isinstance(body, dict) else None
        conversation = None
        if isinstance(previous, str):
            try:
                conversation = verify_ticket(settings.session_secret, previous, now=time.time())
            except TicketInvalid:
                conversation = None
        resumed = conversation is not None
        conversation = conversation or new_conversation_id("web")
        ticket = issue_ticket(
            settings.session_secret, conversation, now=time.time(), ttl_s=settings.session_ttl_s
        )
        return json(
            {
                "conversation_id": conversation,
                "ticket": ticket,
                "resumed": resumed,
                "expires_in": settings.session_ttl_s,
                "voice_url": settings.voice_stream_url,
                "max_chars": settings.max_message_chars,
                "hotline": settings.center_hotline,
            }
        )

    @app.post("/api/chat")
    async def chat(request: Request) -> HTTPResponse:
        conversation, refused = admitted(request, guards.chats_by_conversation)
        if refused is not None:
            return refused
        try:
            message = outgoing(request.json, settings.max_message_chars)
        except InvalidMessage as exc:
            return _error(exc.code, 413 if exc.code == "too_long" else 400, settings)
        try:
            refusal = message.clicked and await _option_refused(conversation, message)
            if refusal:
                return _error(refusal, 409, settings)
            messages = await relay(app.ctx.dialogue, conversation, message)
            live = not messages and await _staff_has(conversation)
        except DialogueUnavailable as exc:
            log.error("bot unavailable for %s: %s", short_id(conversation), exc)
            return _error("bot_unavailable", 503, settings)
        if live:  # a person has the conversation: the bot stayed silent, the console hears it
            app.ctx.takeovers.citizen_said(conversation, message.shown)
            return json(
                {"messages": [], "shown": message.shown, "mode": "staff", "notice": WAITING_FOR_STAFF}
            )
        app.ctx.takeovers.active.pop(conversation, None)  # the bot answered: nobody holds it any more
        return json({"messages": messages, "shown": message.shown, "mode": "bot"})

    async def _option_refused(conversation: str, message: Outgoing) -> str | None:
        """Why a clicked option may not reach the bot: a person has the conversation (it stays
        paused until staff give it back), or the bot did not offer it in its last reply."""
        try:
            tracker = await app.ctx.takeovers.rasa.tracker(conversation)
        except RasaAdminUnavailable as exc:
            raise DialogueUnavailable(str(exc)) from exc
        if tracker.get("paused"):
            return "staff_live"
        if message.text not in offered_payloads(tracker):
            log.warning("refused an option the bot did not offer on %s", short_id(conversation))
            return "stale_option"
        return None

    async def _staff_has(conversation: str) -> bool:
        try:
            return await app.ctx.takeovers.is_live(conversation)
        except RasaAdminUnavailable as exc:
            raise DialogueUnavailable(str(exc)) from exc

    @app.post("/api/evidence", stream=True)
    async def upload(request: Request) -> HTTPResponse:
        """A photo or PDF for the conversation: the file is the body, ``Content-Type`` its type,
        ``X-Filename`` its name (percent-encoded). Staff see it with the hand-off and the case."""
        conversation, refused = admitted(request, guards.uploads)
        if refused is not None:
            return refused
        try:
            content = await read_capped(request, settings.evidence_max_bytes)
            stored = await app.ctx.evidence.upload(
                conversation, unquote(request.headers.get("x-filename", ""))[:200],
                request.headers.get("content-type", ""), content,
            )
        except EvidenceRefused as exc:
            if exc.status in (413, 415) and exc.code in ("file_too_large", "unsupported_type"):
                await app.ctx.evidence.report(conversation, exc.code)  # the case service never saw it
            return json({"code": exc.code, "message": exc.message}, status=exc.status)
        notice = EVIDENCE_RECEIVED.format(name=stored.get("filename", ""))
        event = {"type": "evidence", "text": notice, "at": time.time()}
        app.ctx.takeovers.hub.publish(staff_channel(conversation), event)
        return json({"ref": stored.get("ref"), "filename": stored.get("filename"), "size": stored.get("size"),
                     "notice": notice}, status=201)

    @app.get("/api/events")
    async def events(request: Request) -> HTTPResponse | None:
        """Lines staff send while they have the conversation (``EventSource``, ticket in the query)."""
        ip, ticket = client_ip(request), request.args.get("ticket", "")
        locked = guards.tickets.locked(ip, ticket)
        if locked:
            return locked_out(locked)
        conversation = _verified(settings, ticket)
        if conversation is None:
            guards.tickets.failed(ip)
            return _error("unauthorized", 401, settings)
        guards.tickets.succeeded(ip, ticket)
        wait = guards.sessions.hit(ip)  # an event stream is opened once per page, like a session
        if wait:
            return too_many(wait)
        await stream_events(request, app.ctx.hub, citizen_channel(conversation))
        return None

    @app.exception(Exception)
    async def bad_json(request: Request, exc: Exception) -> HTTPResponse:
        # Sanic raises InvalidUsage for a body that is not JSON; anything else is a real 500.
        status = getattr(exc, "status_code", 500)
        if status >= 500:
            log.exception("unhandled error on %s", request.path)
            return json(
                {
                    "code": "internal",
                    "message": error_text("bot_unavailable", hotline=settings.center_hotline),
                },
                status=500,
            )
        return json({"code": "bad_request", "message": error_text("bad_request")}, status=status)

    return app
