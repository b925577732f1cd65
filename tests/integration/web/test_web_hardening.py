"""Hostile input to the web service (issue 12): clicked options the bot never offered, a paused
conversation, forged tickets, floods and guessed staff tokens, security headers; never a 5xx."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import httpx

from integration.client.limits import LockPolicy, Rate
from tests.integration.web.conftest import SECRET, WebFactory
from tests.unit.web.fakes import STAFF_TOKEN, FakeRasaAdmin, FakeStaffCases
from voice.dialogue.base import BotReply, Button
from voice.dialogue.scripted import ScriptedDialogue
from voice.tickets import issue_ticket

CONSENT = BotReply(text="您同意吗？", buttons=(Button("同意", "/affirm"), Button("不同意", "/deny")))


class TrackedBot:
    """Rasa as the relay sees it: every turn lands in the (fake) tracker, options included, and a
    paused conversation gets no answer."""

    def __init__(self, rasa: FakeRasaAdmin) -> None:
        self.rasa = rasa
        self.inner = ScriptedDialogue(
            [("调解", [CONSENT]), ("/affirm", [BotReply(text="好的，请问怎么称呼您？")]), ("/greet", [])]
        )

    async def respond(self, conversation_id: str, text: str, metadata: dict[str, Any]) -> list[BotReply]:
        await self.rasa.append(conversation_id, [{"event": "user", "text": text}])
        if (await self.rasa.tracker(conversation_id))["paused"]:
            return []
        replies = await self.inner.respond(conversation_id, text, metadata)
        for reply in replies:
            buttons = [{"title": b.title, "payload": b.payload} for b in reply.buttons]
            await self.rasa.append(
                conversation_id, [{"event": "bot", "text": reply.text, "data": {"buttons": buttons}}]
            )
        return replies


async def _start(client: httpx.AsyncClient) -> tuple[str, dict[str, str]]:
    session = (await client.post("/api/session", json={})).json()
    return session["conversation_id"], {"Authorization": f"Bearer {session['ticket']}"}


async def test_only_options_the_bot_offered_reach_it(start_web: WebFactory) -> None:
    rasa = FakeRasaAdmin()
    bot = TrackedBot(rasa)
    web = await start_web(dialogue=bot, rasa_admin=rasa)
    async with httpx.AsyncClient(base_url=web.base_url, timeout=10) as client:
        _, auth = await _start(client)
        assert (
            await client.post("/api/chat", json={"payload": "/greet", "title": ""}, headers=auth)
        ).status_code == 200
        restart = await client.post("/api/chat", json={"payload": "/restart", "title": "x"}, headers=auth)
        assert restart.status_code == 409 and restart.json()["code"] == "stale_option"
        assert "选项已失效" in restart.json()["message"]
        await client.post("/api/chat", json={"text": "我要申请调解"}, headers=auth)
        forged = await client.post(
            "/api/chat", json={"payload": '/affirm{"category": "labour"}', "title": "同意"}, headers=auth
        )
        assert forged.status_code == 409
        clicked = await client.post("/api/chat", json={"payload": "/affirm", "title": "同意"}, headers=auth)
        assert (
            clicked.status_code == 200 and clicked.json()["messages"][0]["text"] == "好的，请问怎么称呼您？"
        )
        again = await client.post("/api/chat", json={"payload": "/affirm", "title": "同意"}, headers=auth)
        assert again.status_code == 409  # offered one turn ago, not in the last reply
    sent = [text for _, text, _ in bot.inner.received]
    assert sent == ["/greet", "我要申请调解", "/affirm"]


async def test_a_paused_conversation_stays_paused(start_web: WebFactory) -> None:
    rasa = FakeRasaAdmin()
    bot = TrackedBot(rasa)
    web = await start_web(dialogue=bot, rasa_admin=rasa, staff_cases=FakeStaffCases())
    async with httpx.AsyncClient(base_url=web.base_url, timeout=10) as client:
        conversation, auth = await _start(client)
        await client.post("/api/chat", json={"text": "我要申请调解"}, headers=auth)  # options offered
        await rasa.pause(conversation)  # a staff member claimed it
        for payload in ("/affirm", "/restart", "/greet"):
            refused = await client.post("/api/chat", json={"payload": payload, "title": "同意"}, headers=auth)
            assert refused.status_code == 409 and refused.json()["code"] == "staff_live", payload
        typed = await client.post("/api/chat", json={"text": "/restart"}, headers=auth)
        assert typed.json()["mode"] == "staff"
    assert (await rasa.tracker(conversation))["paused"]
    assert [text for _, text, _ in bot.inner.received] == ["我要申请调解"]


async def test_forged_and_odd_tickets_are_401_not_500(start_web: WebFactory) -> None:
    web = await start_web(dialogue=ScriptedDialogue([]))
    forged = [
        "v1.web-0123456789abcdef.³.00",
        "v1.web-0123456789abcdef.٣٣٣.00",
        "v1.web-0123456789abcdef." + "9" * 400 + ".00",
        "v1..1.2",
        "\ud800",
    ]
    async with httpx.AsyncClient(base_url=web.base_url, timeout=10) as client:
        for ticket in forged:
            raw = ticket.encode("utf-8", "surrogatepass")
            chat = await client.post(
                "/api/chat", json={"text": "你好"}, headers={"Authorization": b"Bearer " + raw}
            )
            events = await client.get(
                "/api/events", params={"ticket": ticket.encode("utf-8", "surrogatepass")}
            )
            renewed = await client.post(
                "/api/session",
                content=json.dumps({"ticket": ticket}),
                headers={"Content-Type": "application/json"},
            )
            assert (chat.status_code, events.status_code, renewed.status_code) == (401, 401, 200), ticket


async def test_hostile_bodies_never_get_a_server_error(start_web: WebFactory) -> None:
    dialogue = ScriptedDialogue([])
    web = await start_web(dialogue=dialogue, rasa_admin=FakeRasaAdmin())
    async with httpx.AsyncClient(base_url=web.base_url, timeout=10) as client:
        _, auth = await _start(client)
        json_headers = {**auth, "Content-Type": "application/json"}
        bodies = [
            b"[]",
            b"null",
            b"0",
            b'"text"',
            b"{",
            b'{"text": "\\ud800"}',
            b'{"text": "a\\ud800b"}',
            b'{"text": ["x"]}',
            b'{"payload": 1}',
            b'{"payload": "/a", "title": "\\udfff"}',
            b'{"text": "' + b"x" * 70_000 + b'"}',
            b'{"text": "' + "字".encode() * 2001 + b'"}',
            b"[" * 5000,
            b"\xff\xfe",
        ]
        for body in bodies:
            response = await client.post("/api/chat", content=body, headers=json_headers)
            assert response.status_code < 500, (body[:40], response.status_code, response.text)
            assert response.status_code == 200 or response.json()["message"], (body[:40], response.text)
        for body in (b"[]", b"{", b'{"ticket": 5}', b'{"ticket": "\\ud800"}'):
            response = await client.post(
                "/api/session", content=body, headers={"Content-Type": "application/json"}
            )
            assert response.status_code < 500, (body, response.text)
    assert [text for _, text, _ in dialogue.received] == ["ab"]  # the lone surrogate is dropped


async def test_floods_are_limited_with_a_chinese_message(start_web: WebFactory) -> None:
    web = await start_web(
        dialogue=ScriptedDialogue([]),
        sessions_per_ip=Rate(3),
        chats_per_conversation=Rate(2),
        chats_per_ip=Rate(5),
    )
    async with httpx.AsyncClient(base_url=web.base_url, timeout=10) as client:
        sessions = [await client.post("/api/session", json={}) for _ in range(4)]
        assert [s.status_code for s in sessions] == [200, 200, 200, 429]
        assert "秒后再试" in sessions[-1].json()["message"] and sessions[-1].headers["Retry-After"]
        now = time.time()
        tickets = [issue_ticket(SECRET, f"web-{i:024x}", now=now, ttl_s=600) for i in range(3)]
        codes = [
            (
                await client.post(
                    "/api/chat", json={"text": "你好"}, headers={"Authorization": f"Bearer {t}"}
                )
            ).status_code
            for t in (tickets[0], tickets[0], tickets[0], tickets[1], tickets[1], tickets[2], tickets[2])
        ]
        assert codes == [200, 200, 429, 200, 200, 200, 429]  # 2 per conversation, then 5 per address


async def test_wrong_tickets_and_staff_tokens_lock_the_address_out(start_web: WebFactory) -> None:
    web = await start_web(
        dialogue=ScriptedDialogue([]),
        staff_cases=FakeStaffCases(),
        rasa_admin=FakeRasaAdmin(),
        lock_policy=LockPolicy(3, 60, 300),
    )
    async with httpx.AsyncClient(base_url=web.base_url, timeout=10) as client:
        _, good = await _start(client)
        assert (await client.post("/api/chat", json={"text": "你好"}, headers=good)).status_code == 200
        bad = {"Authorization": "Bearer v1.web-0123456789abcdef.9999999999." + "0" * 32}
        codes = [
            (await client.post("/api/chat", json={"text": "你好"}, headers=bad)).status_code for _ in range(4)
        ]
        assert codes == [401, 401, 401, 429]
        locked = await client.post("/api/chat", json={"text": "你好"}, headers=bad)
        assert "分钟后再试" in locked.json()["message"]
        assert (await client.post("/api/chat", json={"text": "你好"}, headers=good)).status_code == 200

        staff = {"Authorization": f"Bearer {STAFF_TOKEN}"}
        assert (await client.get("/staff/api/handoffs", headers=staff)).status_code == 200
        guesses = [
            (
                await client.get("/staff/api/handoffs", headers={"Authorization": f"Bearer guess-{i}"})
            ).status_code
            for i in range(4)
        ]
        assert guesses == [401, 401, 401, 429]
        assert (await client.get("/staff/api/handoffs", headers=staff)).status_code == 200


async def test_pages_carry_security_headers(start_web: WebFactory) -> None:
    web = await start_web(dialogue=ScriptedDialogue([]), voice_stream_url="wss://voice.example/robot/stream")
    async with httpx.AsyncClient(base_url=web.base_url, timeout=10) as client:
        for path in ("/", "/staff/", "/static/chat.js", "/health"):
            response = await client.get(path)
            policy = response.headers["Content-Security-Policy"]
            assert "frame-ancestors 'none'" in policy and "script-src 'self'" in policy, path
            assert "connect-src 'self' wss://voice.example" in policy
            assert response.headers["X-Content-Type-Options"] == "nosniff"
            assert response.headers["X-Frame-Options"] == "DENY"
        session = await client.post("/api/session", json={})
        assert session.headers["X-Content-Type-Options"] == "nosniff"
    await asyncio.sleep(0)
