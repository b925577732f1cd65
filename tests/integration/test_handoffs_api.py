"""Hand-offs over HTTP on SQLite and PostgreSQL: packet, ordering, claim/close, idempotency."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sanic import Sanic
from sqlalchemy import func, select

from integration.client import HandoffRequest
from integration.service.adapters import orm
from integration.service.domain.errors import HandoffAlreadyClaimed
from integration.service.domain.handoff import parse_new_handoff
from integration.service.services import handoffs
from integration.service.services.context import ServiceContext
from tests.integration.conftest import Clock
from tests.integration.helpers import BOT, STAFF, call, case_body

PHONE, NAME = "13900139000", "李四"
TRANSCRIPT: list[dict[str, Any]] = [
    {"speaker": "citizen", "text": f"我叫{NAME}，电话{PHONE}，我要找人工",
     "at": "2026-03-02T10:00:00+08:00", "confidence": 0.91},
    {"speaker": "bot", "text": "好的，正在为您转接", "at": None, "confidence": None},
]


def packet(**overrides: Any) -> dict[str, Any]:
    request = HandoffRequest(
        "conv-42", "群众要求转人工", summary="工资拖欠", phone=PHONE, reason_code="requested",
        category="labour", channel="web",
        collected={"applicant_name": NAME, "applicant_phone": PHONE, "amount_yuan": "12000"},
        transcript=TRANSCRIPT)
    return {**request.to_json(), **overrides}


def _count(ctx: ServiceContext) -> int:
    with ctx.uow() as uow:
        return int(uow.session.scalar(select(func.count()).select_from(orm.Handoff)) or 0)


async def test_create_returns_the_full_packet_and_retries_are_idempotent(
        app: Sanic, ctx: ServiceContext, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    headers = {**BOT, "Idempotency-Key": "conv-42:handoff"}
    first = await call(app, "post", "/api/handoffs", headers=headers, json=packet())
    again = await call(app, "post", "/api/handoffs", headers=headers, json=packet())
    assert first.status == 201 and again.status == 201
    assert again.json == first.json and again.headers.get("idempotent-replayed") == "true"
    assert _count(ctx) == 1
    h = first.json
    assert h == {
        "id": h["id"], "status": "open", "urgent": False, "reason_code": "requested",
        "reason_name": "群众要求转人工", "reason": "群众要求转人工", "conversation_id": "conv-42",
        "channel": "web", "category": "labour", "category_name": "劳动争议/欠薪/工伤",
        "case_no": None, "case_found": False, "summary": "工资拖欠", "phone": PHONE,
        "callback_requested": False,
        "collected": {"applicant_name": NAME, "applicant_phone": PHONE, "amount_yuan": "12000"},
        "transcript": TRANSCRIPT, "created_at": "2026-03-02T10:00:00+08:00",
        "claimed_by": None, "claimed_at": None, "closed_by": None, "closed_at": None,
        "close_note": None}
    got = await call(app, "get", f"/api/handoffs/{h['id']}", headers=STAFF)
    assert got.status == 200 and {k: got.json[k] for k in h} == h  # plus the desk's fields
    assert {"tags", "institution", "overdue", "waiting_s"} <= set(got.json)
    assert HandoffRequest.from_json(got.json) == HandoffRequest.from_json(packet())
    assert PHONE not in caplog.text and NAME not in caplog.text  # personal data stays out of logs


async def test_list_is_urgent_first_then_oldest_first(app: Sanic, clock: Clock) -> None:
    ids = {}
    for name, extra in (("old", {}), ("safety", {"reason_code": "safety"}),
                        ("newer", {"reason_code": "not_understood"}),
                        ("urgent", {"urgent": True, "reason_code": "phone_transfer"})):
        resp = await call(app, "post", "/api/handoffs", json=packet(conversation_id=f"conv-{name}", **extra))
        assert resp.status == 201, resp.json
        ids[name] = resp.json["id"]
        clock.advance(minutes=5)
    listed = await call(app, "get", "/api/handoffs", headers=STAFF)
    assert [h["id"] for h in listed.json["items"]] == [
        ids["safety"], ids["urgent"], ids["old"], ids["newer"]]
    assert listed.json["items"][0]["urgent"] is True  # safety is always urgent
    assert (await call(app, "get", "/api/handoffs?status=gone", headers=STAFF)).status == 422


async def test_claim_once_then_409_then_close(app: Sanic, clock: Clock) -> None:
    no = (await call(app, "post", "/api/cases", json=case_body())).json["case_no"]
    hid = (await call(app, "post", "/api/handoffs", json=packet(case_no=no))).json["id"]
    clock.advance(minutes=3)
    claimed = await call(app, "post", f"/api/handoffs/{hid}/claim", headers=STAFF)
    assert claimed.status == 200 and claimed.json["status"] == "claimed"
    assert claimed.json["claimed_by"] == "staff:console"
    assert claimed.json["claimed_at"] == "2026-03-02T10:03:00+08:00"
    assert claimed.json["case_no"] == no and claimed.json["case_found"] is True
    twice = await call(app, "post", f"/api/handoffs/{hid}/claim", headers=STAFF)
    assert twice.status == 409 and twice.json["error"]["code"] == "handoff_already_claimed"
    assert "console" in twice.json["error"]["message"] and "接手" in twice.json["error"]["message"]
    open_now = await call(app, "get", "/api/handoffs", headers=STAFF)
    assert open_now.json["items"] == []
    mine = await call(app, "get", "/api/handoffs?status=claimed", headers=STAFF)
    assert [h["id"] for h in mine.json["items"]] == [hid]
    closed = await call(app, "post", f"/api/handoffs/{hid}/close", headers=STAFF,
                        json={"note": "已电话联系"})
    assert closed.status == 200 and closed.json["status"] == "closed"
    assert (closed.json["closed_by"], closed.json["close_note"]) == ("staff:console", "已电话联系")
    again = await call(app, "post", f"/api/handoffs/{hid}/close", headers=STAFF)
    assert again.status == 409 and again.json["error"]["code"] == "handoff_closed"
    late = await call(app, "post", f"/api/handoffs/{hid}/claim", headers=STAFF)
    assert late.status == 409 and late.json["error"]["code"] == "handoff_closed"
    audit = await call(app, "get", f"/api/cases/{no}/audit", headers=STAFF)
    trail = [(e["actor"], e["action"]) for e in audit.json["items"]][-3:]
    assert trail == [("bot", "handoff_requested"), ("staff:console", "handoff_claimed"),
                     ("staff:console", "handoff_closed")]


async def test_staff_only_and_not_found(app: Sanic) -> None:
    hid = (await call(app, "post", "/api/handoffs", json=packet())).json["id"]
    for method, path in (("get", "/api/handoffs"), ("get", f"/api/handoffs/{hid}"),
                         ("post", f"/api/handoffs/{hid}/claim"),
                         ("post", f"/api/handoffs/{hid}/close")):
        resp = await call(app, method, path)
        assert resp.status == 403 and resp.json["error"]["code"] == "forbidden", path
    missing = await call(app, "post", "/api/handoffs/9999/claim", headers=STAFF)
    assert missing.status == 404 and missing.json["error"]["code"] == "handoff_not_found"
    assert (await call(app, "get", "/api/handoffs/9999", headers=STAFF)).status == 404


async def test_unknown_case_number_is_kept_unlinked(app: Sanic) -> None:
    resp = await call(app, "post", "/api/handoffs", json=packet(case_no="JF-2026-999999"))
    assert resp.status == 201
    assert (resp.json["case_no"], resp.json["case_found"]) == ("JF-2026-999999", False)


@pytest.mark.parametrize(("overrides", "code"), [
    ({"reason_code": "bored"}, "unknown_reason_code"),
    ({"category": "aliens"}, "unknown_category"),
    ({"transcript": [{"speaker": "citizen", "text": "x", "confidence": "high"}]},
     "invalid_transcript"),
    ({"collected": {"applicant_name": ["李四"]}}, "invalid_type"),
    ({"urgent": "true"}, "invalid_type"),
])
async def test_malformed_packets_are_422_and_store_nothing(
        app: Sanic, ctx: ServiceContext, overrides: dict[str, Any], code: str) -> None:
    resp = await call(app, "post", "/api/handoffs", json=packet(**overrides))
    assert resp.status == 422 and resp.json["error"]["code"] == code
    assert resp.json["error"]["message"] and PHONE not in resp.json["error"]["message"]
    assert _count(ctx) == 0


def test_parallel_claims_have_one_winner(ctx: ServiceContext) -> None:
    new = parse_new_handoff(packet())
    with ctx.uow() as uow:
        hid = handoffs.request(ctx, uow, new, "bot")["id"]
        uow.commit()

    def attempt(i: int) -> str:
        try:
            with ctx.uow() as uow:
                handoffs.claim(ctx, uow, hid, f"staff:s{i}")
                uow.commit()
                return "won"
        except HandoffAlreadyClaimed:
            return "409"

    with ThreadPoolExecutor(max_workers=10) as pool:
        outcomes = list(pool.map(attempt, range(10)))
    assert outcomes.count("won") == 1 and outcomes.count("409") == 9
    assert handoffs.get(ctx, hid)["claimed_by"] == f"staff:s{outcomes.index('won')}"


async def test_staff_tokens_say_who_they_belong_to(app: Sanic) -> None:
    """The staff console asks before it speaks for a claim."""
    me = await call(app, "get", "/api/staff/me", headers=STAFF)
    assert me.status == 200
    assert {k: me.json[k] for k in ("actor", "name", "kind", "role")} == {
        "actor": "staff:console", "name": "console", "kind": "token", "role": "supervisor"}
    assert (await call(app, "get", "/api/staff/me", headers=BOT)).status == 403
    assert (await call(app, "get", "/api/staff/me")).status in (401, 403)
