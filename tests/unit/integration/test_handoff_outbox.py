"""Hand-offs through the client: HTTP payload, and the durable outbox when the service is down."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import httpx
import pytest

from integration.client import (
    HANDOFF_QUEUED_NOTICE,
    BufferedCaseSystem,
    CaseRejected,
    CaseSystemError,
    CaseSystemUnavailable,
    FileOutbox,
    HandoffQueued,
    HandoffRequest,
    HttpCaseSystem,
    OutboxDrainer,
)
from integration.client.outbox import receipt_for
from tests.unit.integration.test_client import INTAKE, FakeCaseSystem

HANDOFF = HandoffRequest(
    "conv-7", "群众要求转人工", phone="13800138000", reason_code="requested", category="labour",
    channel="web", collected={"applicant_name": "张三", "applicant_phone": "13800138000"},
    transcript=[{"speaker": "citizen", "text": "我叫张三，电话13800138000", "at": None,
                 "confidence": None}])
URGENT = HandoffRequest("conv-8", "安全风险", reason_code="safety", urgent=True)


class FakeHandoffSystem(FakeCaseSystem):
    """Adds hand-offs (idempotent by key) to the in-memory fake."""

    def __init__(self) -> None:
        super().__init__()
        self.handoffs: dict[str, HandoffRequest] = {}
        self.calls: list[str] = []

    async def request_handoff(self, request: HandoffRequest, key: str) -> int:
        self.calls.append(key)
        if not self.up:
            raise CaseSystemUnavailable("down")
        if self.reject:
            raise CaseRejected(self.reject, "拒绝")
        self.handoffs.setdefault(key, request)
        return list(self.handoffs).index(key) + 1


async def test_http_adapter_sends_the_whole_packet() -> None:
    seen: list[tuple[str | None, dict[str, object]]] = []

    def handler(req: httpx.Request) -> httpx.Response:
        seen.append((req.headers.get("idempotency-key"), json.loads(req.content)))
        return httpx.Response(201, json={"id": 41, "status": "open"})

    client = HttpCaseSystem("http://svc", "tok", transport=httpx.MockTransport(handler))
    assert await client.request_handoff(HANDOFF, "h1") == 41
    ((key, body),) = seen
    assert key == "h1" and body == HANDOFF.to_json()
    assert body["collected"] == {"applicant_name": "张三", "applicant_phone": "13800138000"}


async def test_delivered_handoff_returns_its_id(tmp_path: Path) -> None:
    fake = FakeHandoffSystem()
    system = BufferedCaseSystem(fake, FileOutbox(tmp_path))  # type: ignore[arg-type]
    assert await system.request_handoff(HANDOFF, "h1") == 1
    assert FileOutbox(tmp_path).pending() == []


async def test_service_down_queues_then_drains_exactly_once(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    fake, outbox = FakeHandoffSystem(), FileOutbox(tmp_path)
    system = BufferedCaseSystem(fake, outbox)  # type: ignore[arg-type]
    fake.up = False
    with pytest.raises(HandoffQueued) as first:
        await system.request_handoff(HANDOFF, "h1")
    with pytest.raises(CaseSystemError) as again:  # the caller retries: still one entry
        await system.request_handoff(HANDOFF, "h1")
    receipt = first.value.receipt_id
    assert isinstance(again.value, HandoffQueued) and again.value.receipt_id == receipt
    assert receipt.startswith("HO-") and not first.value.urgent
    assert receipt in HANDOFF_QUEUED_NOTICE.format(receipt=receipt)
    assert [e.kind for e in outbox.pending()] == ["handoff"]
    assert outbox.pending()[0].request == HANDOFF
    assert outbox.status(receipt) == {"state": "pending", "handoff_id": None, "error": None}
    drainer = OutboxDrainer(outbox, fake)  # type: ignore[arg-type]
    assert (await drainer.drain_once()).remaining == 1  # still down: nothing lost
    fake.up = True
    report = await drainer.drain_once()
    assert (report.delivered, report.remaining) == (1, 0)
    assert (await drainer.drain_once()).delivered == 0
    assert list(fake.handoffs) == ["h1"] and fake.handoffs["h1"] == HANDOFF
    assert outbox.status(receipt) == {"state": "delivered", "handoff_id": 1, "error": None}
    (done,) = (tmp_path / "delivered").glob("*.json")
    assert done.stat().st_mode & 0o077 == 0
    assert "13800138000" not in caplog.text and "张三" not in caplog.text


async def test_urgent_handoffs_are_delivered_first_alongside_intakes(tmp_path: Path) -> None:
    fake, outbox = FakeHandoffSystem(), FileOutbox(tmp_path)
    system = BufferedCaseSystem(fake, outbox)  # type: ignore[arg-type]
    fake.up = False
    queued = await system.create_case(INTAKE, "i1")
    with pytest.raises(HandoffQueued):
        await system.request_handoff(HANDOFF, "h1")
    with pytest.raises(HandoffQueued) as urgent:
        await system.request_handoff(URGENT, "h2")
    assert urgent.value.urgent and not queued.registered
    assert [e.key for e in outbox.pending()] == ["h2", "i1", "h1"]
    fake.up, fake.calls = True, []
    report = await OutboxDrainer(outbox, fake).drain_once()  # type: ignore[arg-type]
    assert (report.delivered, report.remaining) == (3, 0)
    assert fake.calls == ["h2", "h1"] and len(fake.cases) == 1


async def test_a_buffered_target_that_queues_again_stops_the_pass(tmp_path: Path) -> None:
    fake, outbox = FakeHandoffSystem(), FileOutbox(tmp_path / "a")
    outbox.put(HANDOFF, "h1")
    fake.up = False
    target = BufferedCaseSystem(fake, FileOutbox(tmp_path / "b"))  # type: ignore[arg-type]
    report = await OutboxDrainer(outbox, target).drain_once()
    assert (report.delivered, report.remaining) == (0, 1)


async def test_rejected_handoff_goes_to_failed(tmp_path: Path) -> None:
    fake, outbox = FakeHandoffSystem(), FileOutbox(tmp_path)
    receipt = outbox.put(HANDOFF, "h1")
    fake.reject = "unknown_category"
    report = await OutboxDrainer(outbox, fake).drain_once()  # type: ignore[arg-type]
    assert (report.rejected, report.remaining) == (1, 0)
    assert outbox.status(receipt) == {"state": "failed", "handoff_id": None,
                                      "error": {"code": "unknown_category", "message": "拒绝"}}


async def test_intake_files_written_before_handoffs_existed_still_drain(tmp_path: Path) -> None:
    outbox = FileOutbox(tmp_path)
    legacy = {"key": "old", "receipt_id": "RC-0123456789", "intake": INTAKE.to_json(),
              "queued_at": "2026-03-01T00:00:00+00:00"}  # no "kind": the old format
    (tmp_path / "pending" / "legacy.json").write_text(json.dumps(legacy, ensure_ascii=False))
    (entry,) = outbox.pending()
    assert entry.kind == "intake" and entry.request == INTAKE
    fake = FakeHandoffSystem()
    assert (await OutboxDrainer(outbox, fake).drain_once()).delivered == 1  # type: ignore[arg-type]
    assert outbox.status("RC-0123456789") == {"state": "delivered",
                                              "case_no": "JF-2026-000001", "error": None}


def test_intakes_and_handoffs_with_one_key_do_not_collide(tmp_path: Path) -> None:
    outbox = FileOutbox(tmp_path)
    assert outbox.put(INTAKE, "k") != outbox.put(HANDOFF, "k")
    assert sorted(e.kind for e in outbox.pending()) == ["handoff", "intake"]
    assert outbox.status(receipt_for("k", "handoff"))["handoff_id"] is None  # type: ignore[index]
