"""Rasa's HTTP API with a JWT in a header (never a token in a URL), and the options a page may click."""

from __future__ import annotations

import httpx
import jwt
import pytest

from web.rasa_admin import RasaAdmin, RasaAdminUnavailable
from web.relay import offered_payloads

SECRET = "jwt-secret-0123456789abcdef"


async def test_the_api_token_travels_in_a_header_never_in_the_url() -> None:
    seen: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"events": [], "paused": False})

    admin = RasaAdmin(
        "http://rasa:5005", SECRET, client=httpx.AsyncClient(transport=httpx.MockTransport(handle))
    )
    await admin.tracker("web-0123456789abcdef")
    await admin.pause("web-0123456789abcdef")
    for request in seen:
        assert not request.url.query and "token" not in str(request.url)
        scheme, token = request.headers["Authorization"].split()
        claims = jwt.decode(token, SECRET, algorithms=["HS256"])
        assert scheme == "Bearer" and claims["user"]["role"] == "admin" and claims["exp"] > claims["iat"]


async def test_without_a_secret_the_api_is_unavailable() -> None:
    admin = RasaAdmin(
        "http://rasa:5005",
        "",
        client=httpx.AsyncClient(transport=httpx.MockTransport(lambda r: httpx.Response(200))),
    )
    with pytest.raises(RasaAdminUnavailable, match="RASA_JWT_SECRET"):
        await admin.tracker("web-0123456789abcdef")


def test_only_the_last_replys_options_may_be_clicked() -> None:
    def bot(*payloads: str) -> dict[str, object]:
        return {
            "event": "bot",
            "text": "?",
            "data": {"buttons": [{"title": p, "payload": p} for p in payloads]},
        }

    assert offered_payloads({"events": []}) == {"/greet"}
    tracker = {
        "events": [bot("/a"), {"event": "user", "text": "x"}, bot("/b"), bot("/c"), {"event": "action"}]
    }
    assert offered_payloads(tracker) == {"/b", "/c"}
    assert (
        offered_payloads({"events": [{"event": "user", "text": "x"}, {"event": "bot", "text": "staff"}]})
        == set()
    )
