"""The kiosk / push-to-talk WebSocket: 16 kHz PCM in, text replies out."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import websockets

from tests.integration.voice.conftest import GatewayFactory
from tests.unit.voice.fakes import silence, voiced
from voice.asr.scripted import ScriptedAsr
from voice.dialogue.base import BotReply, Button
from voice.dialogue.scripted import ScriptedDialogue

CONSENT = BotReply(text="您同意吗？", buttons=(Button("同意", "/affirm"), Button("不同意", "/deny")))


async def _until(ws: websockets.ClientConnection, kind: str) -> dict[str, Any]:
    async with asyncio.timeout(5):
        while True:
            message: dict[str, Any] = json.loads(await ws.recv())
            if message["type"] == kind:
                return message


async def test_push_to_talk_turn(start_gateway: GatewayFactory) -> None:
    dialogue = ScriptedDialogue([("调解", [CONSENT]), ("/affirm", [BotReply(text="好的。")])])
    gw = await start_gateway(dialogue=dialogue, asr=ScriptedAsr([["我要申请调解"]]))
    async with websockets.connect(gw.base_url.replace("http", "ws") + "/robot/stream") as ws:
        ready = await _until(ws, "ready")
        assert ready["conversation_id"].startswith("robot-")
        for _ in range(20):
            await ws.send(voiced(20))
        assert (await _until(ws, "partial"))["text"]
        await ws.send(json.dumps({"type": "end_of_speech"}))  # button released: no need to wait for silence
        assert (await _until(ws, "final"))["text"] == "我要申请调解"
        reply = await _until(ws, "reply")
        assert reply["lang"] == "zh-CN" and reply["text"].startswith("您同意吗？")
        assert reply["options"] == [{"key": "1", "title": "同意"}, {"key": "2", "title": "不同意"}]
        await ws.send(json.dumps({"type": "spoken", "turn": reply["turn"]}))
        await ws.send(json.dumps({"type": "keys", "digits": "1"}))
        assert (await _until(ws, "reply"))["text"] == "好的。"
        assert [m[2]["channel"] for m in dialogue.received] == ["robot", "robot"]
        await ws.send(b"\x00" * 40_001)  # oversized / odd frames are counted, not fatal
        await ws.send(silence(20))


async def test_kiosk_without_recogniser_is_told_to_type(start_gateway: GatewayFactory) -> None:
    gw = await start_gateway(dialogue=ScriptedDialogue([]), asr=None)
    async with websockets.connect(gw.base_url.replace("http", "ws") + "/robot/stream") as ws:
        message = json.loads(await ws.recv())
        assert message["type"] == "error" and "文字" in message["message"]
