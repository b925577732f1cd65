"""Live takeover over real HTTP and server-sent events, with Rasa and the case service faked."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from tests.integration.web.conftest import WebFactory
from tests.integration.web.sse import events
from tests.unit.web.fakes import STAFF_TOKEN, FakeRasaAdmin, FakeStaffCases
from voice.dialogue.base import BotReply
from voice.dialogue.scripted import ScriptedDialogue

STAFF = {"Authorization": f"Bearer {STAFF_TOKEN}"}


class PausableBot:
    """Rasa's REST channel as seen through a tracker: silent while the conversation is paused."""

    def __init__(self, rasa: FakeRasaAdmin, inner: ScriptedDialogue) -> None:
        self.rasa, self.inner = rasa, inner

    async def respond(self, conversation_id: str, text: str, metadata: dict[str, Any]) -> list[BotReply]:
        await self.rasa.append(conversation_id, [{"event": "user", "text": text}])
        if (await self.rasa.tracker(conversation_id))["paused"]:
            return []
        replies = await self.inner.respond(conversation_id, text, metadata)
        await self.rasa.append(conversation_id, [{"event": "bot", "text": r.text} for r in replies])
        return replies




async def _next(queue: asyncio.Queue[dict[str, Any]]) -> dict[str, Any]:
    return await asyncio.wait_for(queue.get(), 5)


async def test_claim_talk_and_give_back(start_web: WebFactory) -> None:
    rasa, cases = FakeRasaAdmin(), FakeStaffCases()
    bot = PausableBot(rasa, ScriptedDialogue([("转人工", [BotReply(text="已为您转接人工服务。")])]))
    web = await start_web(dialogue=bot, rasa_admin=rasa, staff_cases=cases)
    async with httpx.AsyncClient(base_url=web.base_url, timeout=10) as client:
        session = (await client.post("/api/session", json={})).json()
        conversation, citizen = session["conversation_id"], {"Authorization": f"Bearer {session['ticket']}"}
        assert (await client.post("/api/chat", json={"text": "转人工"}, headers=citizen)).json()[
            "mode"
        ] == "bot"
        cases.add(7, conversation)
        assert (await client.get("/staff/api/handoffs")).status_code == 401
        assert [
            h["id"] for h in (await client.get("/staff/api/handoffs", headers=STAFF)).json()["items"]
        ] == [7]
        page_url = f"/api/events?ticket={session['ticket']}"
        console_url = f"/staff/api/conversations/{conversation}/events?token={STAFF_TOKEN}"
        async with events(client, page_url) as page, events(client, console_url) as console:
            claimed = await client.post("/staff/api/handoffs/7/claim", headers=STAFF)
            assert claimed.status_code == 200 and claimed.json()["status"] == "claimed"
            takeover = await _next(page)
            assert takeover["type"] == "takeover" and "工作人员console已接入" in takeover["text"]
            assert (await _next(console))["type"] == "takeover"
            again = await client.post("/staff/api/handoffs/7/claim", headers=STAFF)
            assert again.status_code == 409 and again.json()["message"]

            quiet = (
                await client.post("/api/chat", json={"text": "我还在，请问怎么办"}, headers=citizen)
            ).json()
            assert quiet["mode"] == "staff" and quiet["messages"] == [] and quiet["notice"]
            assert (await _next(console)) | {"at": 0} == {
                "type": "citizen",
                "text": "我还在，请问怎么办",
                "at": 0,
            }

            said = await client.post(
                "/staff/api/handoffs/7/messages", json={"text": "您好，我是调解员。"}, headers=STAFF
            )
            assert said.status_code == 200
            line = await _next(page)
            assert (line["type"], line["text"], line["staff"]) == ("staff", "您好，我是调解员。", "console")

            detail = (await client.get("/staff/api/handoffs/7", headers=STAFF)).json()
            assert detail["live"] is True
            assert [t["speaker"] for t in detail["turns"]] == ["citizen", "bot", "staff", "citizen", "staff"]

            closed = await client.post("/staff/api/handoffs/7/close", json={"note": "已解答"}, headers=STAFF)
            assert closed.json()["status"] == "closed"
            assert (await _next(page))["type"] == "released"
        back = (await client.post("/api/chat", json={"text": "转人工"}, headers=citizen)).json()
        assert back["mode"] == "bot" and back["messages"][0]["text"] == "已为您转接人工服务。"
    kinds = [e["event"] for e in rasa.events[conversation]]
    assert kinds.count("pause") == 1 and kinds.count("resume") == 1


async def test_refusals(start_web: WebFactory) -> None:
    rasa, cases = FakeRasaAdmin(), FakeStaffCases()
    web = await start_web(
        dialogue=PausableBot(rasa, ScriptedDialogue([])), rasa_admin=rasa, staff_cases=cases
    )
    cases.add(1, "phone-CA0123", channel="phone")
    cases.records["phone-CA0123"] = {
        "turns": [
            {"kind": "bot", "text": "您好，请问有什么可以帮您？"},
            {"kind": "caller", "text": "我要申请调解", "confidence": 0.91},
            {"kind": "timing", "turn": 1},
            {"kind": "dtmf", "digits": "0"},
        ]
    }
    cases.add(2, "web-0123456789abcdef")
    async with httpx.AsyncClient(base_url=web.base_url, timeout=10) as client:
        bad = {"Authorization": "Bearer nope"}
        assert (await client.get("/staff/api/handoffs", headers=bad)).status_code == 401
        assert (await client.get("/staff/api/handoffs?status=whatever", headers=STAFF)).status_code == 400
        assert (await client.get("/staff/api/handoffs/99", headers=STAFF)).status_code == 404
        not_yet = await client.post("/staff/api/handoffs/2/messages", json={"text": "你好"}, headers=STAFF)
        assert (not_yet.status_code, not_yet.json()["code"]) == (409, "not_claimed")
        call = (await client.get("/staff/api/handoffs/1", headers=STAFF)).json()
        assert call["live"] is False
        assert [(t["speaker"], t["text"]) for t in call["turns"]] == [
            ("bot", "您好，请问有什么可以帮您？"),
            ("citizen", "我要申请调解（识别置信度 0.91）"),
            ("citizen", "按键 0"),
        ]
        assert (await client.post("/staff/api/handoffs/1/claim", headers=STAFF)).status_code == 200
        phone = await client.post("/staff/api/handoffs/1/messages", json={"text": "你好"}, headers=STAFF)
        assert (phone.status_code, phone.json()["code"]) == (409, "not_live")
        assert "phone-CA0123" not in rasa.events  # a phone hand-off never pauses a chat
        assert (await client.post("/staff/api/handoffs/2/claim", headers=STAFF)).status_code == 200
        cases.tokens["other-staff-token-0123"] = "staff:zhang"
        other = {"Authorization": "Bearer other-staff-token-0123"}
        theirs = await client.post("/staff/api/handoffs/2/messages", json={"text": "你好"}, headers=other)
        assert (theirs.status_code, theirs.json()["code"]) == (403, "not_yours")
        empty = await client.post("/staff/api/handoffs/2/messages", json={"text": "  "}, headers=STAFF)
        assert empty.status_code == 400
        cases.add(3, "web-fedcba9876543210")
        rasa.down = True
        down = await client.post("/staff/api/handoffs/3/claim", headers=STAFF)
        assert (down.status_code, down.json()["code"]) == (503, "rasa_unavailable")
        stream = await client.get("/staff/api/conversations/x/events?token=nope")
        assert stream.status_code == 401
        assert (await client.get("/api/events?ticket=forged")).status_code == 401
        assert (await client.get("/staff/")).status_code == 200
        me = await client.get("/staff/api/me", headers=STAFF)
        assert {k: me.json()[k] for k in ("actor", "name", "csrf")} == {
            "actor": "staff:console", "name": "console", "csrf": None}  # a token needs no CSRF token
        assert (await client.get("/staff/api/me", headers=bad)).status_code == 401
