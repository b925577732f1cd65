"""The console's CSRF rule and the call transcript's doubtful lines, without a server."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from web.staff_auth import COOKIE, csrf_refusal, csrf_token
from web.takeover import call_turns

SECRET = "web-test-secret-0123456789"


@dataclass
class FakeRequest:
    method: str
    headers: dict[str, str] = field(default_factory=dict)
    cookies: dict[str, str] = field(default_factory=dict)
    host: str = "desk.example:8080"
    path: str = "/staff/api/handoffs/1/claim"


def test_a_cookie_state_change_needs_the_sessions_own_csrf_token_from_this_site() -> None:
    session = {COOKIE: "sess_abc"}
    token = csrf_token(SECRET, "sess_abc")
    assert token != csrf_token(SECRET, "sess_other") and token != csrf_token(
        "another-secret-0123", "sess_abc"
    )

    def refusal(method: str, headers: dict[str, str], cookies: dict[str, str] = session) -> str | None:
        return csrf_refusal(FakeRequest(method, headers, cookies), SECRET)  # type: ignore[arg-type]

    assert refusal("GET", {}) is None  # reading needs no token
    assert refusal("POST", {}) == "csrf_missing"
    assert refusal("POST", {"x-csrf-token": "0" * 40}) == "csrf_wrong"
    assert refusal("POST", {"x-csrf-token": token}) is None
    assert refusal("POST", {"x-csrf-token": token, "origin": "http://desk.example:8080"}) is None
    assert refusal("POST", {"x-csrf-token": token, "origin": "https://evil.example"}) == "csrf_cross_site"
    assert refusal("POST", {"x-csrf-token": token, "sec-fetch-site": "cross-site"}) == "csrf_cross_site"
    assert refusal("POST", {"x-csrf-token": token, "origin": "null"}) == "csrf_cross_site"
    # A machine client's Bearer token is not sent by browsers on their own: no CSRF token needed.
    assert refusal("POST", {"authorization": "Bearer staff-token"}, {}) is None


def test_doubtful_recognition_is_marked_and_times_are_kept() -> None:
    turns = call_turns(
        [
            {"at": "2026-12-01T10:00:00+08:00", "kind": "bot", "text": "您好"},
            {"at": "2026-12-01T10:00:05+08:00", "kind": "caller", "text": "我要调解", "confidence": 0.92},
            {"at": "2026-12-01T10:00:09+08:00", "kind": "caller", "text": "一三八", "confidence": 0.41},
            {"at": "bad", "kind": "dtmf", "digits": "1"},
        ],
        low_confidence=0.6,
    )
    assert [t.get("low_confidence") for t in turns] == [None, False, True, None]
    assert turns[0]["at"] == datetime(2026, 12, 1, 2, 0, tzinfo=UTC).timestamp() and turns[3]["at"] == 0.0
    assert turns[2]["text"] == "一三八（识别置信度 0.41）"


def test_a_stale_cookie_does_not_block_a_new_login_from_this_site() -> None:
    stale = {COOKIE: "sess_expired"}
    login = FakeRequest("POST", {}, stale, path="/staff/api/login")
    assert csrf_refusal(login, SECRET) is None  # type: ignore[arg-type]
    cross = FakeRequest("POST", {"origin": "https://evil.example"}, stale, path="/staff/api/login")
    assert csrf_refusal(cross, SECRET) == "csrf_cross_site"  # type: ignore[arg-type]


def test_the_desk_passes_on_only_the_staff_desks_own_paths() -> None:
    from web.staff_api import DESK_PATHS

    allowed = ["desk/cases", "cases/JF-2026-000001/desk", "cases/JF-2026-000001/follow-up",
               "desk/from-handoff/3", "desk/stats.csv", "desk/transcripts.json", "evidence/EV-ABC/file",
               "handoffs/3/tags", "mediators/m_family_1/slots", "staff/accounts/lin.fang/disable",
               "staff/colleagues", "institutions", "specialties"]
    refused = ["cases", "cases/JF-2026-000001/transcript", "conversations/web-1", "handoffs",
               "handoffs/3/claim", "staff/login", "staff/accounts/lin/delete", "desk/../cases",
               "evidence/EV-1/../../x", "openapi.json", "desk/stats.csv/x"]
    assert all(DESK_PATHS.match(p) for p in allowed)
    assert not any(DESK_PATHS.match(p) for p in refused)
