"""Conversation records over HTTP on SQLite and PostgreSQL: store, replace, read with the linked
cases and hand-offs, authorisation, validation and size limits."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sanic import Sanic
from sqlalchemy import func, select

from integration.conversation_vocab import MAX_BODY_BYTES, MAX_TURNS
from integration.service.adapters import orm
from integration.service.services.context import ServiceContext
from tests.integration.conftest import Clock
from tests.integration.helpers import BOT, STAFF, call, case_body

CID = "CA0123456789abcdef:1"
PATH = f"/api/conversations/{CID}"
SAID = "我要申请调解，老板欠我三个月工资"
TURNS: list[dict[str, Any]] = [
    {"at": "2026-03-02T02:00:01.123+00:00", "t_ms": 1120, "kind": "bot", "text": "您好，这里是解纷助手"},
    {"at": "2026-03-02T02:00:05.000+00:00", "t_ms": 5120, "kind": "caller", "text": SAID, "confidence": 0.91},
    {"at": "2026-03-02T02:00:06.000+00:00", "t_ms": 6000, "kind": "dtmf", "digits": "1"},
    {"kind": "timing", "asr_ms": 312, "nlu": {"intent": "apply", "ranking": [0.9, 0.1]}, "emoji": "🙂"},
]


def record(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "channel": "phone",
        "started_at": "2026-03-02T02:00:00+00:00",
        "ended_at": "2026-03-02T02:05:00+00:00",
        "turns": TURNS,
    }
    body.update(overrides)
    return body


def _rows(ctx: ServiceContext) -> int:
    with ctx.uow() as uow:
        return int(uow.session.scalar(select(func.count()).select_from(orm.Conversation)) or 0)


async def test_put_then_staff_read_it_with_linked_cases_and_handoffs(
    app: Sanic, ctx: ServiceContext, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    mine = (await call(app, "post", "/api/cases", json=case_body(conversation_id=CID))).json["case_no"]
    await call(app, "post", "/api/cases", json=case_body(conversation_id="other"))
    handoff = await call(app, "post", "/api/handoffs", json={"conversation_id": CID, "reason": "人工"})
    hid = handoff.json["id"]
    await call(app, "post", "/api/handoffs", json={"conversation_id": "other", "reason": "人工"})

    put = await call(app, "put", PATH, json=record())
    assert put.status == 200, put.json
    assert put.json == {"conversation_id": CID, "turns": 4, "updated_at": "2026-03-02T10:00:00+08:00"}
    got = await call(app, "get", PATH, headers=STAFF)
    assert got.status == 200
    assert got.json == {
        "conversation_id": CID,
        "channel": "phone",
        "started_at": "2026-03-02T10:00:00+08:00",
        "ended_at": "2026-03-02T10:05:00+08:00",
        "updated_at": "2026-03-02T10:00:00+08:00",
        "turns": TURNS,  # stored exactly as sent, whatever the kind
        "cases": [mine],
        "handoffs": [hid],
    }
    assert "turns=4" in caplog.text and SAID not in caplog.text  # counts in the log, never words


async def test_put_replaces_the_record_and_retries_are_harmless(
    app: Sanic, ctx: ServiceContext, clock: Clock
) -> None:
    first = await call(app, "put", PATH, json=record(ended_at=None))
    again = await call(app, "put", PATH, json=record(ended_at=None))  # a retry
    assert first.status == again.status == 200 and _rows(ctx) == 1
    clock.advance(minutes=5)
    final = await call(app, "put", PATH, headers=STAFF, json=record(channel="robot", turns=TURNS[:1]))
    assert final.status == 200 and final.json["turns"] == 1
    got = (await call(app, "get", PATH, headers=STAFF)).json
    assert (got["channel"], got["turns"]) == ("robot", TURNS[:1])
    assert got["updated_at"] == "2026-03-02T10:05:00+08:00" and (got["cases"], got["handoffs"]) == ([], [])
    emptied = await call(app, "put", PATH, json=record(turns=[], started_at=None, ended_at=None))
    assert emptied.status == 200 and emptied.json["turns"] == 0
    got = (await call(app, "get", PATH, headers=STAFF)).json
    assert (got["turns"], got["started_at"], got["ended_at"]) == ([], None, None) and _rows(ctx) == 1


async def test_naive_times_are_center_local_and_percent_encoded_ids_match(app: Sanic) -> None:
    resp = await call(
        app,
        "put",
        "/api/conversations/CA0123456789abcdef%3A1",
        json=record(started_at="2026-03-02T10:00:00", ended_at="2026-03-02T10:05:00Z"),
    )
    assert resp.status == 200 and resp.json["conversation_id"] == CID
    got = (await call(app, "get", PATH, headers=STAFF)).json
    assert (got["started_at"], got["ended_at"]) == ("2026-03-02T10:00:00+08:00", "2026-03-02T18:05:00+08:00")


async def test_read_is_staff_only_and_both_need_a_token(app: Sanic) -> None:
    assert (await call(app, "put", PATH, json=record())).status == 200
    bot_read = await call(app, "get", PATH)
    assert bot_read.status == 403 and bot_read.json["error"] == {
        "code": "forbidden",
        "message": "仅工作人员可以执行该操作",
    }
    for method, kw in (("get", {}), ("put", {"json": record()})):
        for headers in ({}, {"Authorization": "Bearer wrong"}):
            resp = await call(app, method, PATH, headers=headers, **kw)
            assert resp.status == 401 and resp.json["error"]["code"] == "unauthorized", (method, headers)


async def test_unknown_conversation_is_404(app: Sanic) -> None:
    resp = await call(app, "get", "/api/conversations/nobody-called", headers=STAFF)
    assert resp.status == 404
    assert resp.json["error"] == {"code": "conversation_not_found", "message": "未找到该对话记录"}


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({"turns": TURNS}, "missing_field", "channel"),
        (record(channel="fax"), "unknown_channel", "channel"),
        (record(channel="walk-in"), "unknown_channel", "channel"),
        (record(channel=["phone"]), "unknown_channel", "channel"),
        ({"channel": "phone"}, "missing_field", "turns"),
        (record(turns="你好"), "invalid_turns", "turns"),
        (record(turns={"0": {}}), "invalid_turns", "turns"),
        (record(turns=[TURNS[0], "你好"]), "invalid_turns", "turns[1]"),
        (record(turns=[[TURNS[0]]]), "invalid_turns", "turns[0]"),
        (record(turns=[None]), "invalid_turns", "turns[0]"),
        (record(started_at="昨天下午"), "invalid_datetime", "started_at"),
        (record(ended_at=1764200000), "invalid_datetime", "ended_at"),
        (record(ended_at="2026-03-02T01:59:59+00:00"), "invalid_period", "ended_at"),
        (record(conversation_id="CA-other"), "conversation_id_mismatch", "conversation_id"),
        ([record()], "malformed_json", None),
    ],
)
async def test_invalid_records_are_422_and_store_nothing(
    app: Sanic, ctx: ServiceContext, body: Any, code: str, field: str | None
) -> None:
    resp = await call(app, "put", PATH, json=body)
    assert resp.status == 422, resp.json
    assert resp.json["error"]["code"] == code and resp.json["error"].get("field") == field
    assert resp.json["error"]["message"] and SAID not in resp.json["error"]["message"]
    assert _rows(ctx) == 0


@pytest.mark.parametrize(
    "raw",
    [
        b"{not json",
        b'{"channel": "phone", "turns": [{"p": NaN}]}',
        b'{"channel": "phone", "turns": [{"p": Infinity}]}',
        b"[" * 100_000,
        b"\xff\xfe",
    ],
)
async def test_malformed_json_is_422(app: Sanic, ctx: ServiceContext, raw: bytes) -> None:
    resp = await call(app, "put", PATH, content=raw)
    assert resp.status == 422 and resp.json["error"]["code"] == "malformed_json"
    assert _rows(ctx) == 0


@pytest.mark.parametrize("cid", ["x" * 129, "a%20b", "a%2Fb", "%E9%80%9A%E8%AF%9D", "a;b", "a%0A"])
async def test_malformed_conversation_ids_are_422(app: Sanic, ctx: ServiceContext, cid: str) -> None:
    for method, headers, kw in (("put", BOT, {"json": record()}), ("get", STAFF, {})):
        resp = await call(app, method, f"/api/conversations/{cid}", headers=headers, **kw)
        assert resp.status == 422, (method, cid, resp.status)
        assert resp.json["error"]["code"] == "invalid_conversation_id"
    assert _rows(ctx) == 0


async def test_longest_id_and_most_turns_are_accepted(app: Sanic) -> None:
    cid = "A-z_0.9:" * 16  # 128 characters of every allowed kind
    turns = [{"kind": "caller", "text": "嗯", "t_ms": i} for i in range(MAX_TURNS)]
    resp = await call(app, "put", f"/api/conversations/{cid}", json=record(turns=turns))
    assert resp.status == 200 and resp.json["turns"] == MAX_TURNS
    got = await call(app, "get", f"/api/conversations/{cid}", headers=STAFF)
    assert got.json["turns"] == turns


async def test_one_turn_too_many_is_422(app: Sanic, ctx: ServiceContext) -> None:
    resp = await call(app, "put", PATH, json=record(turns=[{}] * (MAX_TURNS + 1)))
    assert resp.status == 422 and resp.json["error"]["code"] == "too_many_turns"
    assert str(MAX_TURNS) in resp.json["error"]["message"] and _rows(ctx) == 0


def _body_of(size: int) -> bytes:
    """A valid record whose JSON is exactly `size` bytes (ASCII padding in one turn)."""
    empty = json.dumps(record(turns=[{"text": ""}])).encode()
    return json.dumps(record(turns=[{"text": "x" * (size - len(empty))}])).encode()


async def test_body_size_limit(app: Sanic, ctx: ServiceContext) -> None:
    at_limit = await call(app, "put", PATH, content=_body_of(MAX_BODY_BYTES))
    assert at_limit.status == 200, at_limit.json
    over = await call(app, "put", PATH, content=_body_of(MAX_BODY_BYTES + 1))
    assert over.status == 413
    assert over.json["error"] == {"code": "payload_too_large", "message": "请求内容过大（最多 2 MB）"}

    async def chunked() -> AsyncIterator[bytes]:  # no Content-Length: counted while reading
        body = _body_of(MAX_BODY_BYTES + 1)
        for start in range(0, len(body), 65_536):
            yield body[start : start + 65_536]

    streamed = await call(app, "put", PATH, content=chunked())
    assert streamed.status == 413 and streamed.json["error"]["code"] == "payload_too_large"
    got = (await call(app, "get", PATH, headers=STAFF)).json
    assert len(got["turns"][0]["text"]) > MAX_BODY_BYTES - 1000  # the accepted one is kept
