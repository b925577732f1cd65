"""``/robot/stream``: 16 kHz PCM from a kiosk microphone or the web page's push-to-talk button.

Client → gateway: binary frames of little-endian 16-bit mono PCM at 16 kHz; text frames
``{"type": "end_of_speech"}`` (button released), ``{"type": "spoken", "turn": n}`` (the browser
finished speaking a reply), ``{"type": "keys", "digits": "1"}`` (an on-screen option), ``{"type": "stop"}``.
Gateway → client: ``ready``, ``partial``/``final`` (what was heard), ``reply`` (text, options, turn;
the browser speaks it with the Web Speech API in zh-CN), ``stop_speaking`` (barge-in), ``handoff``, ``end``.
"""

from __future__ import annotations

import json
import logging
import secrets
from typing import Any

from sanic import Blueprint, Request
from sanic.server.websockets.impl import WebsocketImplProtocol
from websockets.exceptions import ConnectionClosed

from voice.app import Services
from voice.core.session import CallSession, KeypadSpec

log = logging.getLogger(__name__)
MAX_CHUNK_BYTES = 32_000  # one second of 16 kHz audio per frame at most
MAX_BAD_FRAMES = 20


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
        await self._send({"type": "reply", "text": text, "turn": turn, "lang": "zh-CN", "options": options})

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
        if services.asr is None or services.at_capacity:
            await ws.send(
                json.dumps(
                    {"type": "error", "message": "语音识别暂不可用，请使用文字输入。"}, ensure_ascii=False
                )
            )
            await ws.close(code=1011, reason="asr unavailable")
            return
        conversation_id = f"robot-{secrets.token_hex(8)}"
        output = RobotOutput(ws)
        session = services.new_session(conversation_id, caller="", channel="robot", output=output)
        services.robots[conversation_id] = session
        session.start(greeting_playing=False)
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
            services.robots.pop(conversation_id, None)
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
    elif kind == "keys" and isinstance(msg.get("digits"), str) and msg["digits"].isdigit():
        await session.on_keypad(msg["digits"][:20])
    elif kind == "stop":
        session.ended = True
    else:
        return False
    return True
