"""Sanic app factory of the web service: the chat page, its session and message API."""

from __future__ import annotations

import itertools
import logging
import time
from pathlib import Path
from typing import Any

from sanic import Request, Sanic
from sanic.response import HTTPResponse, file, json

from integration.client.logsafe import short_id
from voice.dialogue.base import DialogueEngine, DialogueUnavailable
from voice.dialogue.rasa_rest import RasaRestDialogue
from voice.tickets import TicketInvalid, issue_ticket, new_conversation_id, verify_ticket
from web.guard import Guards, client_ip, locked_out, security_headers, too_many
from web.hub import MemoryHub, citizen_channel
from web.messages import WAITING_FOR_STAFF, error_text
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
    )
    app.static("/static", STATIC, name="static")
    if settings.staff_console:
        app.blueprint(staff_routes(str(STATIC)))

    @app.before_server_stop
    async def close_clients(app: Sanic) -> None:
        takeovers: Takeovers = app.ctx.takeovers
        for client in (app.ctx.dialogue, takeovers.rasa, takeovers.cases):
            close = getattr(client, "aclose", None)
            if close is not None:
                await close()

    @app.on_response
    async def secure(request: Request, response: HTTPResponse) -> None:
        for name, value in headers.items():
            response.headers.setdefault(name, value)

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
        ip, ticket = client_ip(request), _bearer(request)
        locked = guards.tickets.locked(ip, ticket)
        if locked:
            return locked_out(locked)
        conversation = _verified(settings, ticket)
        if conversation is None:
            guards.tickets.failed(ip)
            return _error("unauthorized", 401, settings)
        guards.tickets.succeeded(ip, ticket)
        wait = guards.chats_by_conversation.hit(conversation) or guards.chats_by_ip.hit(ip)
        if wait:
            return too_many(wait)
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
