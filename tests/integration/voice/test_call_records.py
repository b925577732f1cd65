"""A finished call's whole record reaches the case-service port; a missed one is re-sent."""

from __future__ import annotations

import json
import time
from pathlib import Path

import websockets

from tests.integration.voice.conftest import CHAT_SECRET, GatewayFactory
from tests.integration.voice.simulator import ulaw_silence, ulaw_tone
from tests.unit.voice.fakes import until, voiced
from tests.unit.voice.test_archive import FakeCases
from voice.asr.scripted import ScriptedAsr
from voice.core.archive import CaseServiceArchive
from voice.core.records import FileRecordStore
from voice.dialogue.base import BotReply
from voice.dialogue.scripted import ScriptedDialogue
from voice.tickets import issue_ticket, new_conversation_id

CALL = "CA" + "d" * 32


async def test_a_phone_call_is_archived_when_it_ends(start_gateway: GatewayFactory, tmp_path: Path) -> None:
    cases = FakeCases()
    dialogue = ScriptedDialogue([("调解", [BotReply(text="好的，请问您怎么称呼？")])])
    gw = await start_gateway(
        dialogue=dialogue,
        asr=ScriptedAsr([["我要申请调解"]]),
        archive=CaseServiceArchive(cases, FileRecordStore(tmp_path)),
    )
    stream = await gw.sim.open_stream((await gw.sim.incoming_call(CALL)).text, CALL)
    await stream.send_audio(ulaw_tone(400) + ulaw_silence(800))
    await gw.rest.next_update(CALL, 2)
    await stream.stop()
    await until(lambda: bool(cases.records), timeout_s=5)
    [record] = cases.records
    assert (record.conversation_id, record.channel) == (f"phone-{CALL}", "phone")
    kinds = [t["kind"] for t in record.turns]
    assert "caller" in kinds and "bot" in kinds and kinds[-1] == "call_end"
    caller = next(t for t in record.turns if t["kind"] == "caller")
    assert caller["text"] == "我要申请调解" and caller["confidence"] > 0
    assert record.ended_at is not None


async def test_push_to_talk_sessions_of_one_page_make_one_record(
    start_gateway: GatewayFactory, tmp_path: Path
) -> None:
    cases = FakeCases()
    gw = await start_gateway(
        dialogue=ScriptedDialogue([], fallback=[BotReply(text="好的。")]),
        asr=ScriptedAsr([["第一句"], ["第二句"]]),
        archive=CaseServiceArchive(cases, FileRecordStore(tmp_path)),
    )
    conversation = new_conversation_id()
    ticket = issue_ticket(CHAT_SECRET, conversation, now=time.time(), ttl_s=60)
    url = gw.base_url.replace("http", "ws") + f"/robot/stream?ticket={ticket}&mode=ptt"
    for expected in (1, 2):  # the page opened push-to-talk twice (e.g. after a network drop)
        async with websockets.connect(url) as ws:
            for _ in range(10):
                await ws.send(voiced(20))
            await ws.send(json.dumps({"type": "end_of_speech"}))
            while json.loads(await ws.recv())["type"] != "reply":
                pass
        await until(lambda n=expected: len(cases.records) == n, timeout_s=5)
    said = [t["text"] for t in cases.records[-1].turns if t["kind"] == "caller"]
    assert said == ["第一句", "第二句"]  # the last record holds both sessions, sent whole each time
    assert {r.conversation_id for r in cases.records} == {conversation}


async def test_records_missed_while_the_case_service_was_down_are_sent_later(
    start_gateway: GatewayFactory, tmp_path: Path
) -> None:
    from integration.client.errors import CaseSystemUnavailable

    cases = FakeCases()
    cases.error = CaseSystemUnavailable("connection refused")
    archive = CaseServiceArchive(cases, FileRecordStore(tmp_path))
    gw = await start_gateway(
        dialogue=ScriptedDialogue([], fallback=[BotReply(text="好的。")]),
        asr=ScriptedAsr([["你好"]]),
        archive=archive,
    )
    stream = await gw.sim.open_stream((await gw.sim.incoming_call(CALL)).text, CALL)
    await stream.send_audio(ulaw_tone(400) + ulaw_silence(800))
    await gw.rest.next_update(CALL, 2)
    await stream.stop()
    await until(lambda: archive.pending() == [(f"phone-{CALL}", "phone")], timeout_s=5)
    cases.error = None
    assert await archive.retry_pending() == 0
    assert [r.conversation_id for r in cases.records] == [f"phone-{CALL}"]
