"""Rasa's REST channel behind a token, a size cap and a language-processing thread.

Registered in bot/credentials.yml in place of Rasa's own ``rest`` (and of socket.io, which has no
way to bind a client to its conversations): same URL (``POST /webhooks/rest/webhook``), same
``{"sender", "message", "metadata"}`` body and list of bot messages in reply, plus

- ``Authorization: Bearer <token>`` and the sender rules of ``bot.channels.access``;
- a body cap (``RASA_MAX_BODY_BYTES``, read as a stream, so a 10 MB body is refused before it is
  buffered) and a message cap (``RASA_MAX_MESSAGE_CHARS``) before any language processing;
- lock-out after repeated wrong tokens, a per-sender limit for integrators;
- language understanding off the event loop: Rasa runs the NLU graph synchronously on its loop,
  so one slow message stalled every conversation (50,000 characters: 35 s). Here the parse runs
  in a worker thread — long messages in a lane of their own — and Rasa receives the message
  already parsed (``UserMessage.parse_data``), so other conversations' parsing, dialogue,
  actions and replies go on meanwhile.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import threading
from collections.abc import AsyncIterable, Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, cast

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.access import (
    GATEWAY,
    Accepted,
    ChannelSettings,
    Client,
    Refused,
    accept,
    bearer,
    identify,
)
from integration.client import logsafe
from integration.client.limits import LockOut, Rate, RateLimiter

logger = logging.getLogger(__name__)


class NluLanes:
    """Runs ``MessageProcessor.parse_message`` off Rasa's event loop, in two lanes of one thread
    each: messages up to ``long_chars`` in one, longer ones in the other, so a long message (a
    2,000-character story takes seconds) never delays a short one of another citizen; long ones
    queue behind each other only. Each thread has its own event loop (the parse awaits nothing of
    the server's loop when no HTTP interpreter is configured)."""

    def __init__(self, long_chars: int) -> None:
        self._long_chars = long_chars
        self._lanes: dict[bool, ThreadPoolExecutor] = {}
        self._local = threading.local()

    async def parse(self, agent: Any, message: UserMessage) -> dict[str, Any] | None:
        processor = getattr(agent, "processor", None)
        if processor is None or getattr(processor, "http_interpreter", None) is not None:
            return None  # not loaded yet (Rasa ignores the message), or parsing is remote anyway
        long = len(message.text or "") > self._long_chars
        if long not in self._lanes:
            self._lanes[long] = ThreadPoolExecutor(1, thread_name_prefix="nlu-long" if long else "nlu")
        lane = self._lanes[long]
        parsed: dict[str, Any] = await asyncio.get_running_loop().run_in_executor(
            lane, self._parse, processor, message
        )
        return parsed

    def _parse(self, processor: Any, message: UserMessage) -> dict[str, Any]:
        loop = getattr(self._local, "loop", None)
        if loop is None:
            loop = self._local.loop = asyncio.new_event_loop()
        parsed: dict[str, Any] = loop.run_until_complete(processor.parse_message(message))
        return parsed


class GuardedRestInput(RestInput):
    """``rest`` channel for authenticated clients only (see the module docstring)."""

    @classmethod
    def name(cls) -> str:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> GuardedRestInput:
        logsafe.install()  # Rasa's own log lines (user texts, sender ids) are masked from here on
        return cls(ChannelSettings.from_env())

    def __init__(self, settings: ChannelSettings | None = None) -> None:
        self.settings = settings or ChannelSettings()
        self.lockout = LockOut(self.settings.lock_policy)
        self.integrator_limit = RateLimiter(Rate(self.settings.integrator_messages_per_min, 60.0))
        self.nlu = NluLanes(self.settings.nlu_long_chars)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        bp = Blueprint("guarded_rest_webhook")

        @bp.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @bp.route("/webhook", methods=["POST"], stream=True)
        async def receive(request: Request) -> HTTPResponse:
            try:
                client = self._authenticate(request)
                accepted = accept(self.settings, client, await self._read_json(request))
                self._check_rate(client, accepted)
            except Refused as exc:
                return _refusal(exc)
            collector = CollectingOutputChannel()
            message = UserMessage(
                accepted.text,
                collector,
                accepted.sender,
                input_channel=self.name(),
                metadata=accepted.metadata,
            )
            try:
                message.parse_data = await self.nlu.parse(request.app.ctx.agent, message)
                await on_new_message(message)
            except asyncio.CancelledError:
                logger.error("message from %s cancelled (response timeout)", accepted.sender)
            except Exception:
                logger.exception("message from %s failed", accepted.sender)
            if not collector.messages:
                collector.messages.extend(await _no_reply(request.app.ctx.agent, accepted.sender))
            return response.json(collector.messages)

        return bp

    def _authenticate(self, request: Request) -> Client:
        """Every client here comes from 127.0.0.1, so a lock-out after guessed tokens must not
        stop our own relay and gateway: their token is always taken; an integrator's only if it
        already worked before the lock."""
        source = request.remote_addr or request.ip or "?"
        token = bearer(request.headers.get("authorization"))
        client = identify(self.settings, token)
        locked = self.lockout.locked(source, token) if token and client != GATEWAY else 0.0
        if locked:
            raise Refused(429, "locked_out", minutes=math.ceil(locked / 60))
        if client is None:
            self.lockout.failed(source)
            raise Refused(401, "unauthorized")
        if token:
            self.lockout.succeeded(source, token)
        return client

    async def _read_json(self, request: Request) -> object:
        limit = self.settings.max_body_bytes
        declared = request.headers.get("content-length", "")
        if declared.isascii() and declared.isdigit() and int(declared) > limit:
            raise Refused(413, "payload_too_large")
        chunks, size = [], 0
        async for chunk in cast(AsyncIterable[bytes], request.stream):
            size += len(chunk)
            if size > limit:
                raise Refused(413, "payload_too_large")
            chunks.append(chunk)
        try:
            return json.loads(b"".join(chunks))
        except (ValueError, RecursionError) as exc:
            raise Refused(400, "bad_request") from exc

    def _check_rate(self, client: Client, accepted: Accepted) -> None:
        if client.kind != "integrator":
            return  # the relay and the gateway limit citizens themselves
        wait = self.integrator_limit.hit(accepted.sender)
        if wait:
            raise Refused(429, "rate_limited", seconds=math.ceil(wait))


TURN_FAILED = "utter_turn_failed"


async def _no_reply(agent: Any, sender: str) -> list[dict[str, Any]]:
    """What a citizen gets for a turn that produced nothing. Every turn of ours replies, except
    while a person has paused the bot (a takeover); anything else means an action or a service
    failed (Rasa logs the action server's error and goes on silently), so the citizen is told
    so and asked to send the message again — the form's state is on the tracker."""
    try:
        tracker = await agent.tracker_store.retrieve(sender)
    except Exception:  # the tracker store itself is down: still tell the citizen
        logger.exception("no reply for %s, and its tracker could not be read", logsafe.short_id(sender))
        tracker = None
    if tracker is not None and tracker.is_paused():
        return []
    logger.error("no reply for %s: a custom action or service failed (see above)", logsafe.short_id(sender))
    variants = agent.domain.responses.get(TURN_FAILED) or [{}]
    text = variants[0].get("text")
    return [{"recipient_id": sender, "text": text}] if text else []


def _refusal(exc: Refused) -> HTTPResponse:
    headers = {"Retry-After": "60"} if exc.status == 429 else None
    return response.json({"code": exc.code, "message": exc.message}, status=exc.status, headers=headers)
