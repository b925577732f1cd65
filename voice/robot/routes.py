"""``/robot/stream``: 16 kHz PCM from a kiosk microphone or the web page's push-to-talk button.

Client → gateway: binary frames of little-endian 16-bit mono PCM at 16 kHz; text frames
``{"type": "end_of_speech"}`` (button released), ``{"type": "spoken", "turn": n}`` (the browser
finished speaking a reply), ``{"type": "keys", "digits": "1"}`` (an on-screen option), ``{"type": "stop"}``.
Gateway → client: ``ready``, ``partial``/``final`` (what was heard), ``reply`` (text, options, turn,
and ``keypad: {"max_digits": n}`` while a number is expected; the browser speaks it with the Web
Speech API in zh-CN), ``stop_speaking`` (barge-in), ``handoff``, ``end``,
``error`` (then the socket closes).

Who may connect: a chat page with ``?ticket=`` from the web service (the spoken turns join that
page's conversation, channel ``web``), or a kiosk sending ``Authorization: Bearer <device token>``
(a new conversation per connection, channel ``robot``). ``?mode=ptt`` turns the silence prompts
off: a push-to-talk page only listens while the button is held.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import time
from dataclasses import dataclass
from typing import Any

from sanic import Blueprint, Request
from sanic.server.websockets.impl import WebsocketImplProtocol
from websockets.exceptions import ConnectionClosed

from voice.app import Services
from voice.core.session import CallSession, KeypadSpec
from voice.guard import BUSY, LOCKED, client_ip
from voice.tickets import TicketInvalid, verify_ticket

log = logging.getLogger(__name__)
MAX_CHUNK_BYTES = 32_000  # one second of 16 kHz audio per frame at most
MAX_BAD_FRAMES = 20
_KEYS_RE = re.compile(r"^[0-9*#]{1,20}$")  # ASCII keypad keys ("³".isdigit() is True)
UNAVAILABLE = "语音识别暂不可用，请使用文字输入。"
UNAUTHORIZED = "语音连接已失效，请刷新页面后再试。"


@dataclass(frozen=True)
class Client:
    conversation_id: str
    channel: str  # web (a chat page's push-to-talk) or robot (a kiosk)
    who: str  # for logs: the kiosk's name or "web"


def credential(request: Request) -> str:
    """The chat ticket (``?ticket=``) or kiosk device token (``Authorization: Bearer``) presented."""
    ticket = request.args.get("ticket")
    if ticket:
        return ticket
    header = request.headers.get("authorization", "")
    return header[7:].strip() if header.lower().startswith("bearer ") else ""


def authenticate(services: Services, request: Request) -> Client | None:
    """Who is connecting, from a chat ticket or a kiosk token; None when neither is valid."""
    settings = services.settings
    ticket = request.args.get("ticket")
    if ticket and settings.chat_session_secret:
        try:
            conversation_id = verify_ticket(settings.chat_session_secret, ticket, now=time.time())
        except TicketInvalid as exc:
            log.warning("kiosk stream refused: %s", exc)
            return None
        return Client(conversation_id, "web", "web")
    token = credential(request)
    device = settings.robot_device_tokens.get(token) if token and not ticket else None
    if device is None:
        log.warning("kiosk stream refused: no valid ticket or device token")
        return None
    return Client(f"robot-{secrets.token_hex(8)}", "robot", device)


async def _refuse(ws: WebsocketImplProtocol, code: str, message: str, close_code: int) -> None:
    await ws.send(json.dumps({"type": "error", "code": code, "message": message}, ensure_ascii=False))
    await ws.close(code=close_code, reason=code)


class RobotOutput:
    """CallOutput that sends JSON to the kiosk; speech synthesis happens in the browser."""

    def __init__(self, ws: WebsocketImplProtocol) -> None:
        self._ws = ws

    async def _send(self, message: dict[str, Any]) -> None:
        try:
            await self._ws.send(json.dumps(message, ensure_ascii=False))
        except ConnectionClosed:
            log.info("kiosk socket closed before a message could be sent")

    async def speak(self, text: str, turn: int, keypad: KeypadSpec) -> None:
        options = [{"key": str(i), "title": title} for i, title in enumerate(keypad.options, 1)]
        message: dict[str, Any] = {"type": "reply", "text": text, "turn": turn, "lang": "zh-CN"}
        message["options"] = options
        if keypad.max_digits > 1:  # a number is expected: the screen shows its digit keypad
            message["keypad"] = {"max_digits": keypad.max_digits}
        await self._send(message)

    async def stop_speaking(self) -> None:
        await self._send({"type": "stop_speaking"})

    async def transfer(self, text: str, number: str) -> None:
        await self._send({"type": "handoff", "text": text})

    async def hangup(self, text: str) -> None:
        await self._send({"type": "end", "text": text})

    async def heard(self, text: str, final: bool) -> None:
        await self._send({"type": "final" if final else "partial", "text": text})


def robot_routes() -> Blueprint:
    bp = Blueprint("robot", url_prefix="/robot")

    @bp.websocket("/stream")
    async def stream(request: Request, ws: WebsocketImplProtocol) -> None:
        services: Services = request.app.ctx.voice
        guards, ip, presented = services.guards, client_ip(request), credential(request)
        if guards.credentials.locked(ip, presented):
            await _refuse(ws, "locked_out", LOCKED, 1008)
            return
        if guards.streams.hit(ip):
            await _refuse(ws, "rate_limited", BUSY, 1013)
            return
        client = authenticate(services, request)
        if client is None:
            guards.credentials.failed(ip)
            await _refuse(ws, "unauthorized", UNAUTHORIZED, 1008)
            return
        guards.credentials.succeeded(ip, presented)
        if guards.conversations.hit(client.conversation_id):
            await _refuse(ws, "rate_limited", BUSY, 1013)
            return
        if services.asr is None or services.at_capacity:
            await _refuse(ws, "asr_unavailable", UNAVAILABLE, 1011)
            return
        if client.conversation_id in services.robots:  # a second tab of the same page
            await services.robots[client.conversation_id].end("replaced")
        conversation_id = client.conversation_id
        session = services.new_session(
            conversation_id,
            caller="",
            channel=client.channel,
            output=RobotOutput(ws),
            push_to_talk=request.args.get("mode") == "ptt",
        )
        services.robots[conversation_id] = session
        session.start(greeting_playing=False)
        log.info("voice stream opened for %s (%s, %s)", conversation_id, client.channel, client.who)
        await ws.send(json.dumps({"type": "ready", "conversation_id": conversation_id}))
        bad = 0
        try:
            async for raw in ws:
                if isinstance(raw, bytes):
                    if len(raw) > MAX_CHUNK_BYTES or len(raw) % 2:
                        bad += 1
                    else:
                        await session.on_audio(raw)
                else:
                    bad += 0 if await _control(session, raw) else 1
                if bad > MAX_BAD_FRAMES or session.ended:
                    break
        except ConnectionClosed:
            pass
        finally:
            if services.robots.get(conversation_id) is session:
                services.robots.pop(conversation_id)
            await services.finish_safely(session.end("kiosk_closed"))

    return bp


async def _control(session: CallSession, raw: str) -> bool:
    """Apply one control message; False when it is malformed."""
    try:
        msg = json.loads(raw)
    except ValueError:
        return False
    if not isinstance(msg, dict):
        return False
    kind = msg.get("type")
    if kind == "end_of_speech":
        await session.end_of_speech()
    elif kind == "spoken" and isinstance(msg.get("turn"), int):
        session.on_prompt_done(msg["turn"])
    elif kind == "keys" and isinstance(msg.get("digits"), str) and _KEYS_RE.match(msg["digits"]):
        await session.on_keypad(msg["digits"][:20])
    elif kind == "stop":
        session.ended = True
    else:
        return False
    return True
