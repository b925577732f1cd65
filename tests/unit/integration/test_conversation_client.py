"""Conversation records through the client: the HTTP adapter (mock transport), its retries and
error wrapping, the buffered pass-through, and the record's JSON."""

from __future__ import annotations

import json
import math
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import httpx
import pytest

from integration.client import (
    BufferedCaseSystem,
    CaseRejected,
    CaseSystemUnavailable,
    ConversationRecord,
    FileOutbox,
    HttpCaseSystem,
)
from integration.client.types import ConversationRecord as FromTypes
from integration.conversation_vocab import MAX_BODY_BYTES

UTC8 = timezone(timedelta(hours=8))
TURNS: list[dict[str, Any]] = [
    {
        "at": "2026-11-26T15:24:15.123+00:00",
        "t_ms": 5120,
        "kind": "caller",
        "text": "我要申请调解",
        "confidence": 0.91,
    },
    {"at": "2026-11-26T15:24:16.000+00:00", "t_ms": 6000, "kind": "dtmf", "digits": "1"},
]
RECORD = ConversationRecord(
    "CA0123456789abcdef:1", "phone", TURNS, started_at=datetime(2026, 11, 26, 23, 24, tzinfo=UTC8)
)
ANSWER = {"conversation_id": RECORD.conversation_id, "turns": 2, "updated_at": "2026-11-26T23:30:00+08:00"}
Handler = Any


def _client(handler: Handler, retries: int = 2) -> HttpCaseSystem:
    return HttpCaseSystem(
        "http://svc", "tok", retries=retries, backoff_s=0, transport=httpx.MockTransport(handler)
    )


async def test_puts_the_whole_record_under_its_id() -> None:
    seen: list[httpx.Request] = []

    def handler(req: httpx.Request) -> httpx.Response:
        seen.append(req)
        return httpx.Response(200, json=ANSWER)

    await _client(handler).put_conversation(RECORD)
    ((req,),) = [seen]
    assert (req.method, req.url.raw_path) == ("PUT", b"/api/conversations/CA0123456789abcdef:1")
    assert req.headers["content-type"] == "application/json"
    assert req.headers["authorization"] == "Bearer tok" and "idempotency-key" not in req.headers
    assert json.loads(req.content) == {
        "conversation_id": "CA0123456789abcdef:1",
        "channel": "phone",
        "started_at": "2026-11-26T23:24:00+08:00",
        "ended_at": None,
        "turns": TURNS,
    }
    assert "我要申请调解".encode() in req.content  # UTF-8, not \\u escapes: half the bytes


async def test_an_id_that_is_not_a_path_segment_stays_one_segment() -> None:
    paths: list[bytes] = []

    def handler(req: httpx.Request) -> httpx.Response:
        paths.append(req.url.raw_path)
        return httpx.Response(
            422, json={"error": {"code": "invalid_conversation_id", "message": "对话编号格式不正确"}}
        )

    with pytest.raises(CaseRejected):
        await _client(handler).put_conversation(ConversationRecord("../cases/x?y", "web", []))
    assert paths == [b"/api/conversations/..%2Fcases%2Fx%3Fy"]


async def test_retries_timeouts_and_5xx_with_the_same_body() -> None:
    bodies: list[bytes] = []

    def handler(req: httpx.Request) -> httpx.Response:
        bodies.append(req.content)
        if len(bodies) == 1:
            raise httpx.ReadTimeout("slow")  # may have been stored: the PUT is repeated whole
        if len(bodies) == 2:
            return httpx.Response(503, json={})
        return httpx.Response(200, json=ANSWER)

    await _client(handler).put_conversation(RECORD)
    assert len(bodies) == 3 and len(set(bodies)) == 1


async def test_gives_up_as_unavailable() -> None:
    calls = 0

    def handler(req: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        raise httpx.ConnectError("down")

    with pytest.raises(CaseSystemUnavailable) as err:
        await _client(handler, retries=1).put_conversation(RECORD)
    assert calls == 2 and isinstance(err.value.__cause__, httpx.ConnectError)


@pytest.mark.parametrize(("status", "code"), [(422, "too_many_turns"), (413, "payload_too_large")])
async def test_refusals_are_case_rejected_without_retrying(status: int, code: str) -> None:
    calls = 0

    def handler(req: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        return httpx.Response(status, json={"error": {"code": code, "message": "拒绝", "field": "turns"}})

    with pytest.raises(CaseRejected) as err:
        await _client(handler).put_conversation(RECORD)
    assert (err.value.status, err.value.code, err.value.field, calls) == (status, code, "turns", 1)


async def test_a_refused_token_is_unavailable_not_rejected() -> None:
    def handler(req: httpx.Request) -> httpx.Response:
        return httpx.Response(403, json={"error": {"code": "forbidden", "message": "无权"}})

    with pytest.raises(CaseSystemUnavailable):
        await _client(handler).put_conversation(RECORD)


@pytest.mark.parametrize("turn", [{"confidence": math.nan}, {"at": datetime(2026, 1, 1)}, {"text": "\ud800"}])
async def test_turns_that_are_not_json_are_rejected_before_sending(turn: dict[str, Any]) -> None:
    def handler(req: httpx.Request) -> httpx.Response:
        raise AssertionError("nothing may be sent")

    with pytest.raises(CaseRejected) as err:
        await _client(handler).put_conversation(ConversationRecord("c1", "phone", [turn]))
    assert (err.value.code, err.value.status, err.value.field) == ("invalid_turns", 422, "turns")
    assert err.value.message == "对话记录中有无法转换为 JSON 的内容"


async def test_a_record_over_the_body_limit_is_rejected_before_sending() -> None:
    def handler(req: httpx.Request) -> httpx.Response:
        raise AssertionError("nothing may be sent")

    huge = ConversationRecord("c1", "phone", [{"text": "x" * MAX_BODY_BYTES}])
    with pytest.raises(CaseRejected) as err:
        await _client(handler).put_conversation(huge)
    assert (err.value.code, err.value.status) == ("payload_too_large", 413)
    assert err.value.message == "请求内容过大（最多 2 MB）"


async def test_buffered_passes_through_and_never_queues(tmp_path: Path) -> None:
    calls: list[str] = []

    def handler(req: httpx.Request) -> httpx.Response:
        calls.append(req.url.path)
        if len(calls) > 1:
            raise httpx.ConnectError("down")
        return httpx.Response(200, json=ANSWER)

    outbox = FileOutbox(tmp_path)
    system = BufferedCaseSystem(_client(handler, retries=0), outbox)
    await system.put_conversation(RECORD)
    with pytest.raises(CaseSystemUnavailable):
        await system.put_conversation(RECORD)  # the caller keeps its copy and sends it again
    assert len(calls) == 2 and outbox.pending() == []


def test_record_round_trips_and_keeps_its_own_turns() -> None:
    turns = [dict(TURNS[0])]
    record = ConversationRecord("c1", "robot", turns, ended_at=datetime(2026, 1, 1, tzinfo=UTC8))
    turns.append({"kind": "bot"})  # the caller keeps appending to its own list
    assert len(record.turns) == 1
    assert ConversationRecord.from_json(json.loads(json.dumps(record.to_json()))) == record
    service_answer = {**record.to_json(), "updated_at": "x", "cases": ["JF-2026-000001"], "handoffs": [3]}
    assert ConversationRecord.from_json(service_answer) == record
    assert FromTypes is ConversationRecord
