"""The web service over real HTTP: sessions, typed and clicked turns, every refusal."""

from __future__ import annotations

import time

import httpx

from tests.integration.web.conftest import SECRET, WebFactory
from tests.unit.web.fakes import FakeRasaAdmin
from voice.dialogue.base import BotReply, Button
from voice.dialogue.scripted import ScriptedDialogue
from voice.tickets import issue_ticket, verify_ticket

CONSENT = BotReply(
    text="登记前需要您同意……您同意吗？", buttons=(Button("同意", "/affirm"), Button("不同意", "/deny"))
)


def _dialogue() -> ScriptedDialogue:
    return ScriptedDialogue(
        [
            ("/greet", [BotReply(text="您好，我是解纷助手。")]),
            ("调解", [CONSENT, BotReply(custom={"voice": {"expect": "phone"}})]),
            ("/affirm", [BotReply(text="好的，请问怎么称呼您？")]),
        ]
    )


async def _session(client: httpx.AsyncClient, ticket: str | None = None) -> dict[str, object]:
    response = await client.post("/api/session", json={"ticket": ticket})
    assert response.status_code == 200
    body: dict[str, object] = response.json()
    return body


async def test_a_conversation_typed_and_clicked(start_web: WebFactory) -> None:
    dialogue, rasa = _dialogue(), FakeRasaAdmin()
    web = await start_web(dialogue=dialogue, rasa_admin=rasa, voice_stream_url="ws://voice.example/robot/stream")
    async with httpx.AsyncClient(base_url=web.base_url) as client:
        session = await _session(client)
        assert session["resumed"] is False and session["voice_url"] == "ws://voice.example/robot/stream"
        conversation, ticket = session["conversation_id"], str(session["ticket"])
        assert verify_ticket(SECRET, ticket, now=time.time()) == conversation
        auth = {"Authorization": f"Bearer {ticket}"}
        typed = await client.post("/api/chat", json={"text": " 我要申请调解 "}, headers=auth)
        assert typed.status_code == 200
        assert typed.json() == {
            "messages": [
                {
                    "text": CONSENT.text,
                    "buttons": [
                        {"title": "同意", "payload": "/affirm"},
                        {"title": "不同意", "payload": "/deny"},
                    ],
                }
            ],
            "shown": "我要申请调解",
            "mode": "bot",
        }
        offered = [{"title": b.title, "payload": b.payload} for b in CONSENT.buttons]
        rasa.events[str(conversation)] = [
            {"event": "user", "text": "我要申请调解"},
            {"event": "bot", "text": CONSENT.text, "data": {"buttons": offered}},
        ]  # what Rasa's tracker holds after that turn: the options the page may click
        clicked = await client.post("/api/chat", json={"payload": "/affirm", "title": "同意"}, headers=auth)
        assert clicked.json()["shown"] == "同意"
        assert clicked.json()["messages"][0]["text"] == "好的，请问怎么称呼您？"
        resumed = await _session(client, ticket)  # the page was reloaded
        assert resumed["resumed"] is True and resumed["conversation_id"] == conversation
    assert dialogue.received == [
        (conversation, "我要申请调解", {"channel": "web"}),
        (conversation, "/affirm", {"channel": "web"}),
    ]


async def test_refusals_carry_a_code_and_a_chinese_message(start_web: WebFactory) -> None:
    dialogue = _dialogue()
    web = await start_web(dialogue=dialogue, max_message_chars=50)
    async with httpx.AsyncClient(base_url=web.base_url) as client:
        ticket = str((await _session(client))["ticket"])
        auth = {"Authorization": f"Bearer {ticket}"}
        cases = [
            ({}, {"text": "你好"}, 401, "unauthorized"),
            (
                {"Authorization": "Bearer v1.web-0123456789abcdef.9999999999.00"},
                {"text": "你好"},
                401,
                "unauthorized",
            ),
            (auth, {"text": ""}, 400, "empty_message"),
            (auth, {"text": "长" * 51}, 413, "too_long"),
            (auth, {"payload": "我是按钮"}, 400, "bad_request"),
            (auth, ["你好"], 400, "bad_request"),
        ]
        for headers, body, status, code in cases:
            response = await client.post("/api/chat", json=body, headers=headers)
            assert (response.status_code, response.json()["code"]) == (status, code), body
            assert response.json()["message"]
        assert (
            "50" in (await client.post("/api/chat", json={"text": "长" * 51}, headers=auth)).json()["message"]
        )
        not_json = await client.post(
            "/api/chat", content=b"{oops", headers={**auth, "Content-Type": "application/json"}
        )
        assert not_json.status_code == 400 and not_json.json()["code"] == "bad_request"
        expired = issue_ticket(SECRET, "web-0123456789abcdef", now=time.time() - 100, ttl_s=10)
        fresh = await _session(client, expired)  # an expired page gets a new conversation
        assert fresh["resumed"] is False and fresh["conversation_id"] != "web-0123456789abcdef"
    assert dialogue.received == []  # nothing refused reached the bot


async def test_bot_outage_is_a_503_with_the_hotline(start_web: WebFactory) -> None:
    dialogue = _dialogue()
    dialogue.down = True
    web = await start_web(dialogue=dialogue, center_hotline="0539-12348")
    async with httpx.AsyncClient(base_url=web.base_url) as client:
        ticket = str((await _session(client))["ticket"])
        response = await client.post(
            "/api/chat", json={"text": "你好"}, headers={"Authorization": f"Bearer {ticket}"}
        )
    assert response.status_code == 503
    assert response.json()["code"] == "bot_unavailable" and "0539-12348" in response.json()["message"]


async def test_page_and_assets_are_served(start_web: WebFactory) -> None:
    web = await start_web(dialogue=_dialogue())
    async with httpx.AsyncClient(base_url=web.base_url) as client:
        page = await client.get("/")
        assert page.status_code == 200 and 'lang="zh-CN"' in page.text and "按住说话" in page.text
        for asset in ("chat.js", "chat.css", "pcm-worklet.js"):
            assert (await client.get(f"/static/{asset}")).status_code == 200
        assert (await client.get("/static/../settings.py")).status_code == 404
        assert (await client.get("/health")).json() == {"status": "ok"}


async def test_a_public_process_can_leave_the_staff_console_out(start_web: WebFactory) -> None:
    web = await start_web(dialogue=_dialogue(), staff_console=False)
    async with httpx.AsyncClient(base_url=web.base_url) as client:
        assert (await client.get("/staff/")).status_code == 404
        assert (await client.get("/staff/api/handoffs")).status_code == 404
        assert (await client.get("/")).status_code == 200
