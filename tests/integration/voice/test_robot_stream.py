"""The kiosk / push-to-talk WebSocket: 16 kHz PCM in, text replies out."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import pytest
import websockets

from tests.integration.voice.conftest import CHAT_SECRET, KIOSK_TOKEN, Gateway, GatewayFactory
from tests.unit.voice.fakes import silence, voiced
from voice.asr.scripted import ScriptedAsr
from voice.dialogue.base import BotReply, Button
from voice.dialogue.scripted import ScriptedDialogue
from voice.tickets import issue_ticket, new_conversation_id

CONSENT = BotReply(text="您同意吗？", buttons=(Button("同意", "/affirm"), Button("不同意", "/deny")))


KIOSK = {"Authorization": f"Bearer {KIOSK_TOKEN}"}


def _url(gw: Gateway, query: str = "") -> str:
    return gw.base_url.replace("http", "ws") + "/robot/stream" + query


async def _until(ws: websockets.ClientConnection, kind: str) -> dict[str, Any]:
    async with asyncio.timeout(5):
        while True:
            message: dict[str, Any] = json.loads(await ws.recv())
            if message["type"] == kind:
                return message


async def test_push_to_talk_turn(start_gateway: GatewayFactory) -> None:
    dialogue = ScriptedDialogue([("调解", [CONSENT]), ("/affirm", [BotReply(text="好的。")])])
    gw = await start_gateway(dialogue=dialogue, asr=ScriptedAsr([["我要申请调解"]]))
    async with websockets.connect(_url(gw), additional_headers=KIOSK) as ws:
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
    async with websockets.connect(_url(gw), additional_headers=KIOSK) as ws:
        message = json.loads(await ws.recv())
        assert message["type"] == "error" and "文字" in message["message"]


async def test_chat_ticket_joins_the_pages_conversation_without_silence_prompts(
    start_gateway: GatewayFactory,
) -> None:
    dialogue = ScriptedDialogue([("调解", [BotReply(text="好的，请讲。")])])
    gw = await start_gateway(dialogue=dialogue, asr=ScriptedAsr([["我要申请调解"]]), silence_timeout_s=0.1)
    conversation = new_conversation_id()
    ticket = issue_ticket(CHAT_SECRET, conversation, now=time.time(), ttl_s=60)
    async with websockets.connect(_url(gw, f"?ticket={ticket}&mode=ptt")) as ws:
        assert (await _until(ws, "ready"))["conversation_id"] == conversation
        await asyncio.sleep(0.4)  # several silence timeouts: a push-to-talk page is not prompted
        for _ in range(10):
            await ws.send(voiced(20))
        await ws.send(json.dumps({"type": "end_of_speech"}))
        assert (await _until(ws, "reply"))["text"] == "好的，请讲。"
    assert [(c, m["channel"]) for c, _, m in dialogue.received] == [(conversation, "web")]


@pytest.mark.parametrize(
    ("query", "headers"),
    [
        ("", {}),
        ("?ticket=v1.web-0123456789abcdef01234567.9999999999.00", {}),
        ("", {"Authorization": "Bearer not-a-kiosk-token-at-all"}),
        ("?ticket=" + issue_ticket("another-secret", "web-0123456789abcdef", now=time.time(), ttl_s=60), {}),
        ("?ticket=" + issue_ticket(CHAT_SECRET, "web-0123456789abcdef", now=time.time() - 120, ttl_s=60), {}),
    ],
    ids=["nothing", "forged", "unknown-kiosk", "other-secret", "expired"],
)
async def test_unauthenticated_clients_are_refused(
    start_gateway: GatewayFactory, query: str, headers: dict[str, str]
) -> None:
    dialogue = ScriptedDialogue([])
    gw = await start_gateway(dialogue=dialogue, asr=ScriptedAsr([["我要申请调解"]]))
    async with websockets.connect(_url(gw, query), additional_headers=headers) as ws:
        message = json.loads(await ws.recv())
        assert message == {
            "type": "error",
            "code": "unauthorized",
            "message": "语音连接已失效，请刷新页面后再试。",
        }
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await ws.recv()
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1008
    assert gw.services.robots == {} and dialogue.received == []


async def test_stream_refuses_everyone_when_no_authentication_is_configured(
    start_gateway: GatewayFactory,
) -> None:
    gw = await start_gateway(
        dialogue=ScriptedDialogue([]), asr=ScriptedAsr([]), chat_session_secret="", robot_device_tokens={}
    )
    async with websockets.connect(_url(gw), additional_headers=KIOSK) as ws:
        assert json.loads(await ws.recv())["code"] == "unauthorized"
