"""The case desk, statistics, exports, evidence and mediator profiles against real SQLite and
PostgreSQL, through the case service's HTTP API."""

from __future__ import annotations

import csv
import io
import os
import stat
from pathlib import Path
from typing import Any

import pytest
from sanic import Sanic

from integration.service.services.context import ServiceContext
from integration.service.settings import Settings
from tests.integration.conftest import Clock
from tests.integration.helpers import BOT, call, case_body
from tests.integration.test_staff_accounts import make, session

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 200 + b"\xff\xd9"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF\n"


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    return Settings(
        db_url=db_url,
        scheduler_interval_s=0,
        evidence_dir=tmp_path / "evidence",
        evidence_max_bytes=64 * 1024,
        evidence_per_conversation=3,
    )


async def upload(
    app: Sanic, conversation: str, content: bytes, media_type: str, name: str = "借条.jpg"
) -> Any:
    from urllib.parse import quote

    return await call(
        app,
        "post",
        f"/api/conversations/{conversation}/evidence",
        content=content,
        headers={**BOT, "Content-Type": media_type, "X-Filename": quote(name)},
    )


async def test_case_list_masks_searches_and_orders_by_the_clock(
    app: Sanic, ctx: ServiceContext, clock: Clock
) -> None:
    make(ctx, "lin", "clerk")
    make(ctx, "wang", "mediator", "labour_arbitration")
    first = (await call(app, "post", "/api/cases", json=case_body(category="labour"))).json
    clock.advance(hours=1)
    second = (
        await call(
            app,
            "post",
            "/api/cases",
            json=case_body(category="family", applicant={"name": "李四", "phone": "13900139000"}),
        )
    ).json
    clock.advance(hours=13)  # both past their routing deadline
    lin, wang = await session(app, "lin"), await session(app, "wang")
    listed = (await call(app, "get", "/api/desk/cases?status=open", headers=lin)).json["items"]
    assert [i["case_no"] for i in listed] == [first["case_no"], second["case_no"]]
    assert listed[0]["applicant_masked"] == "张*" and listed[0]["phone_masked"] == "138****8000"
    assert "13800138000" not in str(listed)
    by_phone = await call(app, "get", "/api/desk/cases?q=13900139000", headers=lin)
    assert [i["case_no"] for i in by_phone.json["items"]] == [second["case_no"]]
    by_name = await call(app, "get", "/api/desk/cases?q=张三", headers=lin)
    assert [i["case_no"] for i in by_name.json["items"]] == [first["case_no"]]
    by_no = await call(app, "get", f"/api/desk/cases?q={first['case_no'][:-1]}", headers=lin)
    assert first["case_no"] in [i["case_no"] for i in by_no.json["items"]]
    theirs = await call(app, "get", "/api/desk/cases", headers=wang)
    assert [i["case_no"] for i in theirs.json["items"]] == [first["case_no"]]  # their institution
    opened = await call(app, "get", f"/api/cases/{first['case_no']}/desk", headers=lin)
    assert opened.status == 200 and opened.json["applicant"]["phone"] == "13800138000"
    assert [e["action"] for e in opened.json["audit"]] == ["register"]
    refused = await call(app, "get", f"/api/cases/{second['case_no']}/desk", headers=wang)
    assert refused.status == 403


async def test_case_from_a_handoff_then_through_its_states(
    app: Sanic, ctx: ServiceContext, clock: Clock
) -> None:
    make(ctx, "lin", "clerk")
    make(ctx, "wang", "mediator", "labour_arbitration")
    hid = (
        await call(
            app,
            "post",
            "/api/handoffs",
            json={
                "conversation_id": "web-abc",
                "reason": "转人工",
                "category": "labour",
                "collected": {"applicant_name": "张山"},
            },
        )
    ).json["id"]
    assert (await upload(app, "web-abc", JPEG, "image/jpeg")).status == 201
    lin, wang = await session(app, "lin"), await session(app, "wang")
    assert (await call(app, "post", f"/api/desk/from-handoff/{hid}", headers=wang, json={})).status == 403
    bad = await call(
        app,
        "post",
        f"/api/desk/from-handoff/{hid}",
        headers=lin,
        json={"category": "labour", "description": "拖欠工资", "applicant": {"name": "张三", "phone": "123"}},
    )
    assert bad.status == 422 and bad.json["error"]["field"] == "applicant.phone"
    made = await call(
        app,
        "post",
        f"/api/desk/from-handoff/{hid}",
        headers=lin,
        json={
            "category": "labour",
            "description": "公司拖欠三个月工资",
            "location": "十字路街道",
            "applicant": {"name": "张三", "phone": "13800138000"},
            "respondents": ["某建筑公司"],
        },
    )
    assert made.status == 201, made.json
    case_no = made.json["case_no"]
    assert made.json["conversation_id"] == "web-abc" and made.json["channel"] == "web"
    again = await call(app, "post", f"/api/desk/from-handoff/{hid}", headers=lin, json={})
    assert again.status == 409
    path = f"/api/cases/{case_no}"
    steps = [
        ("transitions", {"action": "route"}),
        ("contact", {"note": "已电话联系申请人"}),
        ("transitions", {"action": "start_mediation"}),
        ("notes", {"text": "双方同意下周面谈"}),
        ("transitions", {"action": "close", "outcome": "settled"}),
        ("follow-up", {"result": "回访满意", "satisfied": True}),
    ]
    for kind, payload in steps:
        response = await call(app, "post", f"{path}/{kind}", headers=wang, json=payload)
        assert response.status in (200, 201), (kind, response.json)
        clock.advance(minutes=20)  # within the session's idle limit
    opened = (await call(app, "get", f"{path}/desk", headers=wang)).json
    assert opened["status"] == "followed_up" and opened["outcome"] == "settled"
    assert [n["reason"] for n in opened["notes"]] == ["双方同意下周面谈"]
    assert opened["handoffs"][0]["id"] == hid and len(opened["evidence"]) == 1
    assert opened["follow_up"]["satisfied"] is True
    actions = [e["action"] for e in opened["audit"]]
    assert actions[:2] == ["register", "case_from_handoff"] and actions[-1] == "record_follow_up"
    second = (
        await call(
            app,
            "post",
            "/api/handoffs",
            json={"conversation_id": "phone-again", "reason": "又来电", "channel": "phone"},
        )
    ).json["id"]
    lin = await session(app, "lin")  # the earlier session went idle meanwhile
    attached = await call(app, "post", f"/api/desk/attach/{second}", headers=lin, json={"case_no": case_no})
    assert attached.status == 200


async def test_statistics_and_exports(app: Sanic, ctx: ServiceContext, clock: Clock) -> None:
    make(ctx, "boss", "supervisor")
    make(ctx, "root", "admin")
    make(ctx, "lin", "clerk")
    labour = (
        await call(app, "post", "/api/cases", json=case_body(conversation_id="web-1", channel="web"))
    ).json
    await call(
        app,
        "post",
        "/api/cases",
        json=case_body(
            category="family",
            channel="phone",
            conversation_id="phone-2",
            applicant={"name": "李四", "phone": "13900139000", "id_number": "110105199003071511"},
        ),
    )
    await call(
        app,
        "post",
        "/api/handoffs",
        json={"conversation_id": "phone-2", "reason": "转人工", "reason_code": "safety", "urgent": True},
    )
    boss, root, lin = (await session(app, "boss"), await session(app, "root"), await session(app, "lin"))
    clock.advance(minutes=25)
    await call(
        app, "post", f"/api/cases/{labour['case_no']}/transitions", headers=boss, json={"action": "route"}
    )
    await call(app, "post", f"/api/cases/{labour['case_no']}/contact", headers=boss, json={})
    data = (await call(app, "get", "/api/desk/stats?from=2026-03-01&to=2026-03-03", headers=boss)).json
    assert data["cases"] == 2 and data["handoffs"] == 1
    day = next(d for d in data["intakes_per_day"] if d["day"] == "2026-03-02")
    assert (day["网页"], day["电话"]) == (1, 1)
    assert data["without_person"] == {"intakes_by_assistant": 2, "completed": 1, "share": 0.5}
    assert {r["name"]: r["count"] for r in data["by_gender"]} == {
        "男": 1,
        "女": 1,
    }  # a man of 36, a woman of 76
    assert {r["name"] for r in data["by_age_band"]} == {"60岁及以上", "30-39岁"}
    assert data["first_contact"]["count"] == 1 and data["first_contact"]["within_deadline"] == 1
    assert data["handoff_reasons"][0]["count"] == 1
    assert (await call(app, "get", "/api/desk/stats", headers=lin)).status == 403
    bad = await call(app, "get", "/api/desk/stats?from=2026-03-05&to=2026-03-01", headers=boss)
    assert bad.status == 422
    csv_text = (
        await call(app, "get", "/api/desk/stats.csv?from=2026-03-01&to=2026-03-03", headers=root)
    ).text
    assert "智能助手独立完成比例" in csv_text and "50.0%" in csv_text
    full = (await call(app, "get", "/api/desk/cases.csv?from=2026-03-01&to=2026-03-03", headers=boss)).text
    masked = (await call(app, "get", "/api/desk/cases.csv?from=2026-03-01&to=2026-03-03", headers=root)).text
    assert "13800138000" in full and "13800138000" not in masked and "138****8000" in masked
    rows = list(csv.reader(io.StringIO(masked.lstrip("\ufeff"))))
    assert rows[0][0] == "案件编号" and len(rows) == 3
    exported = await call(
        app, "get", "/api/desk/transcripts.json?from=2026-03-01&to=2026-03-03", headers=root
    )
    assert exported.status == 200 and exported.json["conversations"][0]["conversation_id"] == "phone-2"


async def test_evidence_is_checked_by_content_stored_privately_and_shown_to_staff(
    app: Sanic, ctx: ServiceContext, settings: Settings
) -> None:
    make(ctx, "lin", "clerk")
    make(ctx, "wang", "mediator", "family_mediation")
    stored = await upload(app, "web-ev", JPEG, "image/jpeg", "../../etc/借条 照片.jpg")
    assert stored.status == 201 and stored.json["filename"] == "借条 照片.jpg"
    refusals = {
        "disguised": (b"MZ\x90\x00" + b"\x00" * 100, "image/jpeg", 415, "dangerous_file"),
        "html": (b"<html><script>alert(1)</script></html>", "image/png", 415, "dangerous_file"),
        "lying": (JPEG, "application/pdf", 415, "type_mismatch"),
        "script": (JPEG[:-2] + b"<script>x</script>\xff\xd9", "image/jpeg", 415, "dangerous_file"),
        "pdfjs": (
            PDF.replace(b"/Catalog", b"/Catalog /OpenAction << /S /JavaScript /JS (x) >>"),
            "application/pdf",
            415,
            "dangerous_file",
        ),
        "gif": (b"GIF89a" + b"\x00" * 20, "image/gif", 415, "unsupported_type"),
        "huge": (JPEG + b"\x00" * (65 * 1024), "image/jpeg", 413, "file_too_large"),
    }
    for name, (content, media_type, status, code) in refusals.items():
        response = await upload(app, "web-ev", content, media_type)
        assert (response.status, response.json["error"]["code"]) == (status, code), name
        assert response.json["error"]["message"]  # a Chinese reason for the citizen
    assert (await upload(app, "web-ev", PDF, "application/pdf", "事故认定书.pdf")).status == 201
    assert (await upload(app, "web-ev", JPEG, "image/jpeg")).status == 201
    assert (await upload(app, "web-ev", JPEG, "image/jpeg")).status == 415  # per-conversation limit
    folder = settings.evidence_dir
    files = list(folder.iterdir())
    assert len(files) == 3 and stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert all(stat.S_IMODE(os.stat(f).st_mode) == 0o600 for f in files)
    lin, wang = await session(app, "lin"), await session(app, "wang")
    ref = stored.json["ref"]
    served = await call(app, "get", f"/api/evidence/{ref}/file", headers=lin)
    assert served.status == 200 and served.body == JPEG
    assert (
        served.headers["content-type"] == "image/jpeg"
        and "sandbox" in served.headers["content-security-policy"]
    )
    assert (await call(app, "get", f"/api/evidence/{ref}/file", headers=wang)).status == 403
    assert (await call(app, "get", f"/api/evidence/{ref}/file", headers={})).status == 401
    case = await call(app, "post", "/api/cases", json=case_body(category="family", conversation_id="web-ev"))
    assert (await call(app, "get", f"/api/evidence/{ref}/file", headers=wang)).status == 200  # now their case
    opened = await call(app, "get", f"/api/cases/{case.json['case_no']}/desk", headers=wang)
    assert [e["filename"] for e in opened.json["evidence"]] == ["借条 照片.jpg", "事故认定书.pdf", "借条.jpg"]


async def test_mediators_chosen_by_name_or_specialty(app: Sanic, ctx: ServiceContext, clock: Clock) -> None:
    make(ctx, "root", "admin")
    make(ctx, "lin", "clerk")
    family = (await call(app, "get", "/api/mediators?specialty=family")).json["items"]
    assert {m["code"] for m in family} == {"m_people_1", "m_family_1", "m_lawyer_1"}
    lawyer = (await call(app, "get", "/api/mediators?name=陈律师")).json["items"]
    assert [m["code"] for m in lawyer] == ["m_lawyer_1"]
    assert (await call(app, "get", "/api/mediators?name=王律师")).json["items"] == []
    free = (await call(app, "get", "/api/mediators/m_family_1/slots?from=2026-03-02&days=3")).json
    assert free["items"] and all(s["mediator"]["code"] == "m_family_1" for s in free["items"])
    root, lin = await session(app, "root"), await session(app, "lin")
    assert (await call(app, "put", "/api/mediators/m_family_1", headers=lin, json={"bio": "x"})).status == 403
    away = await call(
        app,
        "put",
        "/api/mediators/m_family_1",
        headers=root,
        json={
            "days_off": [{"day": "2026-03-02", "reason": "培训"}, "2026-03-04"],
            "languages": ["普通话", "沂蒙方言"],
            "specialties": ["family", "neighbour"],
        },
    )
    assert away.status == 200 and away.json["languages"] == ["普通话", "沂蒙方言"]
    none = (await call(app, "get", "/api/mediators/m_family_1/slots?from=2026-03-02&days=1")).json
    assert none["items"] == [] and "没有空闲时段" in none["none_reason"]
    made = await call(
        app,
        "post",
        "/api/mediators",
        headers=root,
        json={
            "code": "m_wang_lawyer",
            "name": "王明",
            "title": "律师",
            "institution": "lawyer_mediation",
            "specialties": ["contract"],
            "hours": [{"weekday": 0, "start": "09:00", "end": "11:00"}],
        },
    )
    assert made.status == 201
    assert [m["code"] for m in (await call(app, "get", "/api/mediators?name=王律师")).json["items"]] == [
        "m_wang_lawyer"
    ]
    bad = await call(
        app,
        "put",
        "/api/mediators/m_wang_lawyer",
        headers=root,
        json={"hours": [{"weekday": 9, "start": "09:00", "end": "08:00"}]},
    )
    assert bad.status == 422
