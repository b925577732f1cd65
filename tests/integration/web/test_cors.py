"""CORS: the public chat API answers cross-origin requests of configured origins only."""

from __future__ import annotations

import httpx
import pytest

from tests.integration.web.conftest import WebFactory
from voice.dialogue.base import BotReply
from voice.dialogue.scripted import ScriptedDialogue
from web.settings import SettingsError, WebSettings

SITE = "https://www.example.gov.cn"
EVIL = "https://evil.example"


def _preflight(origin: str) -> dict[str, str]:
    return {"Origin": origin, "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type"}


def _bot() -> ScriptedDialogue:
    return ScriptedDialogue([("调解", [BotReply(text="好的")])])


async def test_no_origin_is_allowed_by_default(start_web: WebFactory) -> None:
    web = await start_web(dialogue=_bot())
    async with httpx.AsyncClient(base_url=web.base_url, timeout=10) as client:
        for path in ("/api/chat", "/api/session", "/api/evidence", "/api/events"):
            answer = await client.options(path, headers=_preflight(SITE))
            assert "access-control-allow-origin" not in answer.headers, path
        session = await client.post("/api/session", json={}, headers={"Origin": SITE})
    assert session.status_code == 200
    assert not [h for h in session.headers if h.startswith("access-control-")]


async def test_a_configured_origin_is_allowed_and_no_other(start_web: WebFactory) -> None:
    web = await start_web(dialogue=_bot(), cors_allowed_origins=frozenset({SITE}))
    async with httpx.AsyncClient(base_url=web.base_url, timeout=10) as client:
        allowed = await client.options("/api/chat", headers=_preflight(SITE))
        refused = await client.options("/api/chat", headers=_preflight(EVIL))
        session = await client.post("/api/session", json={}, headers={"Origin": SITE})
        ticket = session.json()["ticket"]
        chat = await client.post("/api/chat", json={"text": "我想调解"},
                                 headers={"Origin": SITE, "Authorization": f"Bearer {ticket}"})
        foreign = await client.post("/api/session", json={}, headers={"Origin": EVIL})
        console = await client.get("/staff/", headers={"Origin": SITE})
    assert allowed.status_code == 204
    assert allowed.headers["access-control-allow-origin"] == SITE
    assert "authorization" in allowed.headers["access-control-allow-headers"].lower()
    assert "access-control-allow-credentials" not in allowed.headers
    assert refused.status_code == 204 and "access-control-allow-origin" not in refused.headers
    assert session.headers["access-control-allow-origin"] == SITE
    assert session.headers["vary"] == "Origin"
    assert chat.status_code == 200 and chat.headers["access-control-allow-origin"] == SITE
    assert "access-control-allow-origin" not in foreign.headers
    assert "access-control-allow-origin" not in console.headers  # the console: same origin only


@pytest.mark.parametrize("raw", ["*", "https://*.example.gov.cn", "null", "www.example.gov.cn",
                                 "https://www.example.gov.cn/chat"])
def test_a_wildcard_or_anything_but_an_origin_is_refused(raw: str) -> None:
    with pytest.raises(SettingsError, match="CORS_ALLOWED_ORIGINS"):
        WebSettings.from_env({"CHAT_SESSION_SECRET": "s" * 32, "CORS_ALLOWED_ORIGINS": raw})
    origins = WebSettings.from_env(
        {"CHAT_SESSION_SECRET": "s" * 32, "CORS_ALLOWED_ORIGINS": f" {SITE}/, http://127.0.0.1:8081"}
    ).cors_allowed_origins
    assert origins == {SITE, "http://127.0.0.1:8081"}
