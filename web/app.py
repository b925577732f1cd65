"""Sanic app factory of the web service: the chat page, its session and message API."""

from __future__ import annotations

import itertools
import logging
import time
from pathlib import Path
from typing import Any

from sanic import Request, Sanic
from sanic.response import HTTPResponse, file, json

from voice.dialogue.base import DialogueEngine, DialogueUnavailable
from voice.dialogue.rasa_rest import RasaRestDialogue
from voice.tickets import TicketInvalid, issue_ticket, new_conversation_id, verify_ticket
from web.messages import error_text
from web.relay import InvalidMessage, outgoing, relay
from web.settings import WebSettings

log = logging.getLogger(__name__)
STATIC = Path(__file__).parent / "static"
_app_numbers = itertools.count(1)


def _error(code: str, status: int, settings: WebSettings) -> HTTPResponse:
    message = error_text(code, limit=settings.max_message_chars, hotline=settings.center_hotline)
    return json({"code": code, "message": message}, status=status)


def _conversation(request: Request, settings: WebSettings) -> str | None:
    header = request.headers.get("authorization", "")
    if not header.lower().startswith("bearer "):
        return None
    try:
        return verify_ticket(settings.session_secret, header[7:].strip(), now=time.time())
    except TicketInvalid:
        return None


def create_app(settings: WebSettings, *, dialogue: DialogueEngine | None = None) -> Sanic:
    """Build the web service; the Rasa client is injected in tests."""
    number = next(_app_numbers)
    app = Sanic("jiefen_web" if number == 1 else f"jiefen_web_{number}")
    app.config.REQUEST_MAX_SIZE = 64 * 1024  # a 2,000-character message is ~6 KiB of JSON
    app.ctx.dialogue = dialogue or RasaRestDialogue(settings.rasa_url, settings.rasa_timeout_s)
    app.static("/static", STATIC, name="static")

    @app.before_server_stop
    async def close_clients(app: Sanic) -> None:
        close = getattr(app.ctx.dialogue, "aclose", None)
        if close is not None:
            await close()

    @app.get("/")
    async def page(request: Request) -> HTTPResponse:
        return await file(STATIC / "index.html", headers={"Cache-Control": "no-cache"})

    @app.get("/health")
    async def health(request: Request) -> HTTPResponse:
        return json({"status": "ok"})

    @app.post("/api/session")
    async def session(request: Request) -> HTTPResponse:
        """Start a conversation, or renew the ticket of the page's current one (after a reload)."""
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
        conversation = _conversation(request, settings)
        if conversation is None:
            return _error("unauthorized", 401, settings)
        try:
            message = outgoing(request.json, settings.max_message_chars)
        except InvalidMessage as exc:
            return _error(exc.code, 413 if exc.code == "too_long" else 400, settings)
        try:
            messages = await relay(app.ctx.dialogue, conversation, message)
        except DialogueUnavailable as exc:
            log.error("bot unavailable for %s: %s", conversation, exc)
            return _error("bot_unavailable", 503, settings)
        return json({"messages": messages, "shown": message.shown})

    @app.exception(Exception)
    async def bad_json(request: Request, exc: Exception) -> HTTPResponse:
        # Sanic raises InvalidUsage for a body that is not JSON; anything else is a real 500.
        status = getattr(exc, "status_code", 500)
        if status == 500:
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
