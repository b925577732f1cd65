"""The case service against issue 12's probe: one open hand-off per conversation, lock-out of
guessed tokens, ids beyond 64 bits, lone surrogates, complete OpenAPI path parameters, private
SQLite files."""

from __future__ import annotations

import json
import re
import stat
from dataclasses import replace
from pathlib import Path
from typing import Any

from sanic import Sanic
from sqlalchemy import func, select

from integration.client.limits import LockPolicy
from integration.service.adapters import orm
from integration.service.adapters.db import make_engine
from integration.service.api.app import create_app
from integration.service.api.openapi import DOCUMENT
from integration.service.services.context import ServiceContext
from integration.service.settings import Settings
from tests.integration.helpers import BOT, STAFF, call, case_body


def _handoff(conversation: str = "web-0123456789abcdef01234567", **overrides: Any) -> dict[str, Any]:
    return {
        "conversation_id": conversation,
        "reason": "两次没有听懂",
        "reason_code": "not_understood",
        "channel": "web",
        "transcript": [{"speaker": "citizen", "text": "啊啊啊"}],
        **overrides,
    }


def _count(ctx: ServiceContext) -> int:
    with ctx.uow() as uow:
        return int(uow.session.scalar(select(func.count()).select_from(orm.Handoff)) or 0)


async def test_one_open_handoff_per_conversation(app: Sanic, ctx: ServiceContext) -> None:
    first = await call(app, "post", "/api/handoffs", json=_handoff())
    assert first.status == 201
    later = [
        await call(
            app,
            "post",
            "/api/handoffs",
            json=_handoff(transcript=[{"speaker": "citizen", "text": f"第{i}句"}]),
        )
        for i in range(18)
    ]
    assert {r.status for r in later} == {200} and {r.json["id"] for r in later} == {first.json["id"]}
    assert all(r.json["merged"] for r in later) and _count(ctx) == 1
    safety = await call(
        app,
        "post",
        "/api/handoffs",
        json=_handoff(
            reason="群众说有人要打他", reason_code="safety", collected={"applicant_phone": "13800138000"}
        ),
    )
    merged = safety.json
    assert merged["id"] == first.json["id"] and merged["urgent"] and merged["reason_code"] == "safety"
    assert merged["reason"] == "两次没有听懂；群众说有人要打他"  # each reason once, in order
    assert merged["collected"] == {"applicant_phone": "13800138000"}
    assert merged["transcript"][-1]["text"] == "啊啊啊"  # the newest packet's transcript

    hid = first.json["id"]
    assert (await call(app, "post", f"/api/handoffs/{hid}/claim", headers=STAFF)).status == 200
    claimed = await call(app, "post", "/api/handoffs", json=_handoff(reason="转人工"))
    assert claimed.status == 200 and claimed.json["id"] == hid  # staff already have it
    await call(app, "post", f"/api/handoffs/{hid}/close", headers=STAFF, json={})
    fresh = await call(app, "post", "/api/handoffs", json=_handoff())
    assert fresh.status == 201 and fresh.json["id"] != hid and _count(ctx) == 2
    other = await call(app, "post", "/api/handoffs", json=_handoff("web-ffffffffffffffffffffffff"))
    assert other.status == 201


async def test_guessed_tokens_lock_the_address_but_not_the_bot(
    settings: Settings, ctx: ServiceContext
) -> None:
    app = create_app(replace(settings, lock_policy=LockPolicy(3, 60, 300)), name="case_lockout", service=ctx)
    assert (
        await call(app, "get", "/api/institutions")
    ).status == 200  # the bot, from the same address as the guesser
    guesses = [
        await call(app, "get", "/api/institutions", headers={"Authorization": f"Bearer guess-{i}"})
        for i in range(4)
    ]
    assert [r.status for r in guesses] == [401, 401, 401, 429]
    assert (
        guesses[-1].json["error"]["code"] == "locked_out"
        and "分钟后再试" in guesses[-1].json["error"]["message"]
    )
    assert (await call(app, "get", "/api/institutions")).status == 200
    assert (await call(app, "get", "/api/staff/me", headers=STAFF)).status == 429  # first seen while locked


async def test_ids_beyond_64_bits_name_no_handoff(app: Sanic) -> None:
    for hid in (2**63, 2**64 + 7, 10**30, 0, -1):
        for method, path in (("get", ""), ("post", "/claim"), ("post", "/close")):
            response = await call(app, method, f"/api/handoffs/{hid}{path}", headers=STAFF)
            assert response.status == 404, (hid, path, response.json)


async def test_lone_surrogates_are_refused_not_stored(app: Sanic) -> None:
    bodies = [
        ("post", "/api/cases", case_body(description="工资\ud800拖欠")),
        ("post", "/api/handoffs", _handoff(reason="\udfff")),
        ("post", "/api/handoffs", _handoff(collected={"\ud800": "x"})),
        ("put", "/api/conversations/web-0123", {"channel": "web", "turns": [{"text": "\ud800"}]}),
    ]
    for method, path, body in bodies:
        raw = re.sub(r"[\ud800-\udfff]", lambda m: f"\\u{ord(m.group()):04x}", _dumps(body)).encode()
        response = await call(
            app, method, path, content=raw, headers={**BOT, "Content-Type": "application/json"}
        )
        assert response.status == 422 and response.json["error"]["code"] == "invalid_text", (
            path,
            response.json,
        )


def _dumps(body: object) -> str:
    return json.dumps(body, ensure_ascii=False)


def test_every_path_parameter_is_declared() -> None:
    missing = []
    for template, item in DOCUMENT["paths"].items():
        declared = {p["name"] for p in item.get("parameters", []) if p["in"] == "path"}
        for operation in item.values():
            if isinstance(operation, dict):
                declared |= {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
        missing += [f"{template}: {n}" for n in re.findall(r"\{(\w+)\}", template) if n not in declared]
    assert not missing, missing


async def test_responses_are_never_sniffed_or_framed(app: Sanic) -> None:
    response = await call(app, "get", "/api/institutions")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_the_sqlite_file_is_private(tmp_path: Path) -> None:
    db = tmp_path / "data" / "cases.db"
    engine = make_engine(f"sqlite:///{db}")
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (x TEXT)")
        conn.exec_driver_sql("INSERT INTO t VALUES ('13800138000')")
        paths = [db.parent, *db.parent.iterdir()]  # the -wal and -shm files exist while connected
        modes = {p.name: stat.filemode(p.stat().st_mode) for p in paths}
    engine.dispose()
    assert len(paths) >= 3 and not any(p.stat().st_mode & 0o077 for p in paths if p.exists()), modes


async def test_no_cross_origin_access(app: Sanic) -> None:
    """A machine API: browsers reach it only through the web service, never cross-origin."""
    evil = {"Origin": "https://evil.example"}
    preflight = await call(app, "options", "/api/cases", {**evil, "Access-Control-Request-Method": "GET"})
    answers = [preflight, await call(app, "get", "/api/cases?phone=13800138000", {**STAFF, **evil})]
    for answer in answers:
        assert not [h for h in answer.headers if h.lower().startswith("access-control-")], answer.headers
