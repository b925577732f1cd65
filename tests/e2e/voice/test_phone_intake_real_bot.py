"""A whole intake by phone, in Mandarin, through the real trained bot and the real case service.

Only the recogniser is a seam (it yields the caller's words as scripted transcripts); everything
else is real: signed webhook, Media Streams over a WebSocket, endpointing, the phone number
collected by the gateway with read-back, Rasa's REST channel, the action server and the case
registered with its number read to the caller.
"""

from __future__ import annotations

import asyncio
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import httpx
import pytest

from integration.client.http import HttpCaseSystem
from launcher.settings import StackSettings
from tests.integration.voice.conftest import GatewayFactory
from tests.integration.voice.simulator import MediaStream, ulaw_silence, ulaw_tone
from tests.unit.voice.fakes import until
from voice.asr.scripted import ScriptedAsr, ScriptedAsrStream
from voice.core.archive import CaseServiceArchive
from voice.core.records import FileRecordStore
from voice.core.speech_text import clean_for_speech
from voice.dialogue.rasa_rest import RasaRestDialogue

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
CALL = "CA" + "e1" * 16
REGISTERED = "案件编号是"
# What the bot's spoken question contains → what the caller says (first match wins).
ANSWERS: list[tuple[str, str]] = [
    ("哪几个字", "三横王，建设的建，国家的国"),  # the gateway asks how the name is written
    ("对吗", "对"),  # the gateway reads the number back
    ("核对", "对，没问题"),  # the bot reads the whole registration back
    ("您同意吗", "同意"),
    ("对方", "宏达建筑公司"),
    ("发生在哪里", "城关镇"),
    ("多少钱", "两万三千元"),
    ("身份证", "跳过"),
    ("称呼", "我叫王建国"),
    ("手机", "幺三八 零零幺三 八零零二"),
]


class Caller:
    """The person on the line: speaks (scripted words behind real audio frames) and listens."""

    def __init__(self, stream: MediaStream, asr: ScriptedAsrStream, updates: dict[str, list[str]]) -> None:
        self.stream, self.asr, self.updates = stream, asr, updates
        self.heard: list[str] = []

    async def say(self, text: str) -> str:
        """Speak one utterance; return the next thing the gateway says on the line."""
        seen = len(self.updates.get(CALL, []))
        self.asr.say(text)
        await self.stream.send_audio(ulaw_tone(600) + ulaw_silence(800))
        for _ in range(300):
            for doc in self.updates.get(CALL, [])[seen:]:
                said = "".join(s.text or "" for s in ET.fromstring(doc).iter("Say"))
                if said:
                    self.heard.append(said)
                    return said
            await self.stream.send_audio(ulaw_silence(100), realtime=True)
        raise AssertionError(f"no reply to {text!r}; heard so far: {self.heard}")


async def test_a_caller_registers_a_wage_dispute_by_voice(
    stack: StackSettings, start_gateway: GatewayFactory, tmp_path: Path
) -> None:
    asr = ScriptedAsr([[]])
    cases = HttpCaseSystem(stack.url(stack.case_port), stack.center_api_token)
    gw = await start_gateway(
        dialogue=RasaRestDialogue(stack.url(stack.rasa_port), timeout_s=60, token=stack.rasa_channel_token),
        asr=asr,
        archive=CaseServiceArchive(cases, FileRecordStore(tmp_path)),  # the store start_gateway uses
    )
    answer = await gw.sim.incoming_call(CALL)
    stream = await gw.sim.open_stream(answer.text, CALL)
    await until(lambda: bool(asr.streams))  # the gateway opens the recogniser on ``start``
    caller = Caller(stream, asr.streams[0], gw.rest.updates)
    said = await caller.say("包工头拖欠我八个月的工资，想申请调解")
    for _ in range(20):
        if REGISTERED in said:
            break
        reply = next((a for marker, a in ANSWERS if marker in said), None)
        assert reply is not None, f"unexpected question: {said}\nwhole call: {caller.heard}"
        said = await caller.say(reply)
    assert REGISTERED in said, caller.heard
    print("\n".join(["the call, as the caller heard it:", *caller.heard]))
    assert not re.search(r"[*_#<>\[\]]|\\n|JF-", said)  # no markup; the number is read out, not spelt
    await caller.stream.stop()
    async with httpx.AsyncClient(base_url=stack.url(stack.case_port), timeout=10) as client:
        found = await client.get(
            "/api/cases",
            params={"phone": "13800138002"},
            headers={"Authorization": f"Bearer {stack.center_api_token}"},
        )
    [case] = [c for c in found.json()["items"] if c["conversation_id"] == f"phone-{CALL}"]
    assert clean_for_speech(f"案件编号是 {case['case_no']}。") in said  # the caller heard this case's number
    assert case["category"] == "labour" and case["channel"] == "phone"
    assert case["applicant"]["name"] == "王建国" and case["applicant"]["phone"] == "13800138002"
    assert "未经本人确认" not in case["description"]  # the caller spelt the name: confirmed
    assert case["conversation_id"] == f"phone-{CALL}"
    slots = [e for e in gw.store.transcript(f"phone-{CALL}") if e["kind"] == "slot"]
    assert [(s["slot"], s["value"], s["source"]) for s in slots] == [("phone", "13800138002", "speech")]

    # The whole call is on record in the case service for staff, linked to the case it created.
    staff = {"Authorization": "Bearer dev-staff-token"}
    async with httpx.AsyncClient(base_url=stack.url(stack.case_port), timeout=10) as client:
        for _ in range(50):
            record = await client.get(f"/api/conversations/phone-{CALL}", headers=staff)
            if record.status_code == 200:
                break
            await asyncio.sleep(0.1)
    await cases.aclose()
    assert record.status_code == 200, record.text
    body = record.json()
    assert body["channel"] == "phone" and body["cases"] == [case["case_no"]] and body["ended_at"]
    heard = [t["text"] for t in body["turns"] if t["kind"] == "caller"]
    assert heard[0] == "包工头拖欠我八个月的工资，想申请调解" and "对，没问题" in heard
