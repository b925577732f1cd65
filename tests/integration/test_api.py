"""HTTP API through Sanic's ASGI test client, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sanic import Sanic
from sqlalchemy import func, select

from integration.service.adapters import orm
from integration.service.api.openapi import PATHS
from integration.service.services.context import ServiceContext
from tests.integration.helpers import BOT, STAFF, call, case_body


def _cases(ctx: ServiceContext) -> int:
    with ctx.uow() as uow:
        return int(uow.session.scalar(select(func.count()).select_from(orm.Case)) or 0)


async def test_health_needs_no_token_but_api_does(app: Sanic) -> None:
    resp = await call(app, "get", "/health", headers={})
    assert resp.status == 200 and resp.json == {"status": "ok", "db": "ok"}
    resp = await call(app, "get", "/api/cases?phone=13800138000", headers={})
    assert resp.status == 401 and resp.json["error"]["code"] == "unauthorized"
    resp = await call(app, "get", "/api/cases?phone=13800138000",
                      headers={"Authorization": "Bearer wrong"})
    assert resp.status == 401


async def test_create_get_find_and_idempotent_retry(app: Sanic, ctx: ServiceContext) -> None:
    headers = {**BOT, "Idempotency-Key": "conv-1:intake"}
    first = await call(app, "post", "/api/cases", headers=headers, json=case_body())
    assert first.status == 201
    case = first.json
    for key in ("case_no", "status", "category", "category_name", "applicant", "respondents",
                "description", "location", "amount_yuan", "channel", "institution",
                "created_at", "due", "conversation_id"):
        assert key in case
    assert case["applicant"] == {"name": "张三", "phone": "13800138000",
                                 "id_number_masked": "110105**********2X"}
    again = await call(app, "post", "/api/cases", headers=headers, json=case_body())
    assert again.status == 201 and again.json["case_no"] == case["case_no"]
    assert again.headers.get("idempotent-replayed") == "true"
    assert _cases(ctx) == 1
    got = await call(app, "get", f"/api/cases/{case['case_no']}")
    assert got.json["case_no"] == case["case_no"]
    found = await call(app, "get", "/api/cases?phone=138-0013-8000")
    assert [c["case_no"] for c in found.json["items"]] == [case["case_no"]]


@pytest.mark.parametrize(("body", "code"), [
    ({**case_body(), "category": "aliens"}, "unknown_category"),
    ({**case_body(), "applicant": {"name": "张三", "phone": "12345"}}, "invalid_phone"),
    ({**case_body(), "applicant": {"name": "张三", "phone": "13800138000",
                                   "id_number": "110105194912310021"}}, "invalid_id_number"),
    ({**case_body(), "amount_yuan": "一万块"}, "invalid_amount"),
    ({**case_body(), "amount_yuan": "-5"}, "invalid_amount"),
    ({**case_body(), "description": "很长" * 3000}, "too_long"),
    ({**case_body(), "description": 42}, "invalid_type"),
    ({**case_body(), "channel": "fax"}, "unknown_channel"),
    ({**case_body(), "respondents": "某公司"}, "invalid_respondents"),
    ([1, 2], "malformed_json"),
])
async def test_bad_input_is_4xx_and_writes_nothing(app: Sanic, ctx: ServiceContext,
                                                   body: Any, code: str) -> None:
    resp = await call(app, "post", "/api/cases", json=body)
    assert resp.status == 422, resp.json
    assert resp.json["error"]["code"] == code
    assert resp.json["error"]["message"]  # Chinese text for the caller
    assert _cases(ctx) == 0


async def test_malformed_json_and_unknown_routes(app: Sanic) -> None:
    resp = await call(app, "post", "/api/cases", content=b"{not json")
    assert resp.status == 422 and resp.json["error"]["code"] == "malformed_json"
    resp = await call(app, "get", "/api/cases/JF-2026-000404")
    assert resp.status == 404 and resp.json["error"]["code"] == "case_not_found"
    resp = await call(app, "get", "/api/nothing")
    assert resp.status == 404 and resp.json["error"]["message"] == "接口不存在"
    resp = await call(app, "get", "/api/cases?phone=abc")
    assert resp.status == 422


async def test_staff_actions_require_staff_token(app: Sanic) -> None:
    no = (await call(app, "post", "/api/cases", json=case_body())).json["case_no"]
    resp = await call(app, "post", f"/api/cases/{no}/transitions", json={"action": "route"})
    assert resp.status == 403
    resp = await call(app, "post", f"/api/cases/{no}/transitions", headers=STAFF,
                      json={"action": "route"})
    assert resp.status == 200 and resp.json["status"] == "routed"
    resp = await call(app, "post", f"/api/cases/{no}/transitions", headers=STAFF,
                      json={"action": "close"})
    assert resp.status == 422 and resp.json["error"]["code"] == "outcome_required"
    resp = await call(app, "post", f"/api/cases/{no}/reroute", headers=STAFF,
                      json={"institution": "lawyer_mediation", "reason": "借贷纠纷"})
    assert resp.json["institution"]["code"] == "lawyer_mediation"
    resp = await call(app, "post", f"/api/cases/{no}/notes", headers=STAFF, json={"text": "备注"})
    assert resp.status == 201
    audit = await call(app, "get", f"/api/cases/{no}/audit", headers=STAFF)
    assert [e["actor"] for e in audit.json["items"]][-1] == "staff:console"
    work = await call(app, "get", "/api/staff/cases", headers=STAFF)
    assert [c["case_no"] for c in work.json["items"]] == [no]


async def test_slots_booking_conflict_and_cancel(app: Sanic) -> None:
    slots = await call(app, "get", "/api/slots?institution=labour_arbitration&date=2026-03-03")
    slot = slots.json["items"][0]
    booking = {"institution": "labour_arbitration", "mediator": slot["mediator"]["code"],
               "start": slot["start"], "name": "张三", "phone": "13800138000"}
    first = await call(app, "post", "/api/appointments",
                       headers={**BOT, "Idempotency-Key": "b1"}, json=booking)
    assert first.status == 201
    replay = await call(app, "post", "/api/appointments",
                        headers={**BOT, "Idempotency-Key": "b1"}, json=booking)
    assert replay.status == 201 and replay.json["ref"] == first.json["ref"]
    clash = await call(app, "post", "/api/appointments", json={**booking, "phone": "13900139000"})
    assert clash.status == 409 and clash.json["error"]["code"] == "slot_taken"
    mine = await call(app, "get", "/api/appointments?phone=13800138000")
    assert [a["ref"] for a in mine.json["items"]] == [first.json["ref"]]
    cancelled = await call(app, "post", f"/api/appointments/{first.json['ref']}/cancel")
    assert cancelled.json["status"] == "cancelled"
    bad = await call(app, "get", "/api/slots?institution=labour_arbitration&date=3月3日")
    assert bad.status == 422


async def test_transcript_and_handoff(app: Sanic) -> None:
    no = (await call(app, "post", "/api/cases", json=case_body())).json["case_no"]
    resp = await call(app, "put", f"/api/cases/{no}/transcript",
                      json={"text": "用户：你好", "conversation_id": "conv-1"})
    assert resp.status == 200 and resp.json["chars"] == 5
    body = {"conversation_id": "conv-1", "reason": "用户要求人工", "case_no": no}
    h1 = await call(app, "post", "/api/handoffs", headers={**BOT, "Idempotency-Key": "h"},
                    json=body)
    h2 = await call(app, "post", "/api/handoffs", headers={**BOT, "Idempotency-Key": "h"},
                    json=body)
    assert h1.status == 201 and h1.json["id"] == h2.json["id"]
    listed = await call(app, "get", "/api/handoffs", headers=STAFF)
    assert [h["case_no"] for h in listed.json["items"]] == [no]


async def test_openapi_documents_every_route(app: Sanic) -> None:
    resp = await call(app, "get", "/api/openapi.json")
    assert resp.status == 200 and resp.json["openapi"].startswith("3.")
    for route in app.router.routes:
        path = "/" + re.sub(r"<(\w+)(?::[^>]*)?>", r"{\1}", route.path)
        for method in route.methods:
            assert method.lower() in PATHS.get(path, {}), f"{method} {path} not documented"
