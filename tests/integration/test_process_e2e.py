"""The real server process and the real HttpCaseSystem client, including the outbox."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from integration.client import (
    BufferedCaseSystem,
    CaseRejected,
    CaseSystemUnavailable,
    ConversationRecord,
    FileOutbox,
    HandoffQueued,
    HandoffRequest,
    HttpCaseSystem,
    IntakeRequest,
    OutboxDrainer,
)
from integration.conversation_vocab import MAX_BODY_BYTES
from tests.integration.pg import free_port

REPO = Path(__file__).resolve().parents[2]
INTAKE = IntakeRequest(category="traffic", description="电动车与轿车相撞，协商赔偿",
                       applicant_name="王五", applicant_phone="13700137000",
                       respondents=["赵六"], location="莒南县", conversation_id="conv-e2e")


class ServiceProcess:
    def __init__(self, db: Path, port: int) -> None:
        self.env = {**os.environ, "CASE_DB_URL": f"sqlite:///{db}", "CASE_SERVICE_PORT": str(port),
                    "CASE_SCHEDULER_INTERVAL_S": "0"}
        self.url = f"http://127.0.0.1:{port}"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", "integration.service"], cwd=REPO,
                                     env=self.env, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/health", timeout=0.5).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.1)
        raise RuntimeError("case service did not become healthy")

    def kill(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait(timeout=10)
            self.proc = None


@pytest.fixture
def service(tmp_path: Path) -> Iterator[ServiceProcess]:
    svc = ServiceProcess(tmp_path / "cases.db", free_port())
    yield svc
    svc.kill()


def _client(svc: ServiceProcess) -> HttpCaseSystem:
    return HttpCaseSystem(svc.url, "dev-bot-token", timeout_s=2.0, retries=1, backoff_s=0.05)


async def test_client_against_real_server(service: ServiceProcess) -> None:
    service.start()
    client = _client(service)
    try:
        outcome = await client.create_case(INTAKE, "e2e-1")
        assert outcome.registered and outcome.case is not None
        assert outcome.case.institution_name == "道路交通事故调处中心"
        found = await client.find_cases("13700137000")
        assert [c.case_no for c in found] == [outcome.case_no]
        with pytest.raises(CaseRejected) as err:
            await client.create_case(IntakeRequest(**{**INTAKE.__dict__, "category": "x"}), "e2")
        assert err.value.code == "unknown_category" and err.value.message == "纠纷类别不正确"
    finally:
        await client.aclose()


async def test_outbox_delivers_exactly_once_after_restart(service: ServiceProcess,
                                                          tmp_path: Path) -> None:
    service.start()
    service.kill()  # the service goes down while the citizen is confirming
    http = _client(service)
    outbox = FileOutbox(tmp_path / "outbox")
    system = BufferedCaseSystem(http, outbox)
    try:
        queued = await system.create_case(INTAKE, "conv-e2e:intake")
        assert not queued.registered and queued.receipt_id
        again = await system.create_case(INTAKE, "conv-e2e:intake")  # citizen retries
        assert again.receipt_id == queued.receipt_id and len(outbox.pending()) == 1
        service.start()
        report = await OutboxDrainer(outbox, http).drain_once()
        assert (report.delivered, report.remaining) == (1, 0)
        assert (await OutboxDrainer(outbox, http).drain_once()).delivered == 0
        retried = await system.create_case(INTAKE, "conv-e2e:intake")  # a late retry
        cases = await http.find_cases("13700137000")
        assert len(cases) == 1 and retried.case_no == cases[0].case_no
        status = outbox.status(queued.receipt_id or "")
        assert status == {"state": "delivered", "case_no": cases[0].case_no, "error": None}
    finally:
        await http.aclose()


async def test_handoff_queued_while_down_is_delivered_once(service: ServiceProcess,
                                                           tmp_path: Path) -> None:
    handoff = HandoffRequest("conv-e2e", "安全风险：家暴", phone="13700137000",
                             reason_code="safety", category="family", channel="phone",
                             collected={"applicant_name": "王五"},
                             transcript=[{"speaker": "citizen", "text": "他又打我了",
                                          "at": None, "confidence": 0.7}])
    http = _client(service)
    outbox = FileOutbox(tmp_path / "outbox")
    system = BufferedCaseSystem(http, outbox)
    try:
        with pytest.raises(HandoffQueued) as queued:  # the service is not running
            await system.request_handoff(handoff, "conv-e2e:handoff:safety")
        with pytest.raises(HandoffQueued):  # the action is retried: still one entry
            await system.request_handoff(handoff, "conv-e2e:handoff:safety")
        assert queued.value.urgent and len(outbox.pending()) == 1
        service.start()
        report = await OutboxDrainer(outbox, http).drain_once()
        assert (report.delivered, report.remaining) == (1, 0)
        late = await system.request_handoff(handoff, "conv-e2e:handoff:safety")  # a late retry
        staff = httpx.get(f"{service.url}/api/handoffs",
                          headers={"Authorization": "Bearer dev-staff-token"}).json()["items"]
        assert [h["id"] for h in staff] == [late]
        assert staff[0]["urgent"] and staff[0]["transcript"][0]["text"] == "他又打我了"
        assert outbox.status(queued.value.receipt_id) == {"state": "delivered",
                                                          "handoff_id": late, "error": None}
    finally:
        await http.aclose()


async def test_conversation_records_through_the_real_server(service: ServiceProcess,
                                                           tmp_path: Path) -> None:
    """Over the app-wide 1 MB body limit but within the record's 2 MB: stored; over 2 MB: 413
    (refused by the client before sending, and by the server); service down:
    CaseSystemUnavailable and nothing queued."""
    cid = "CA0123456789abcdef:1"
    turn = {"at": "2026-11-26T15:24:15.123+00:00", "t_ms": 5120, "kind": "caller",
            "text": "我要申请调解" * 50, "confidence": 0.91}
    big = ConversationRecord(cid, "phone", [turn] * 1500)  # about 1.5 MB
    staff = {"Authorization": "Bearer dev-staff-token"}
    service.start()
    http = _client(service)
    system = BufferedCaseSystem(http, FileOutbox(tmp_path / "outbox"))
    try:
        case_no = (await http.create_case(replace(INTAKE, conversation_id=cid), "conv")).case_no
        await system.put_conversation(big)
        await system.put_conversation(big)  # a repeat replaces, never duplicates
        got = httpx.get(f"{service.url}/api/conversations/{cid}", headers=staff).json()
        assert (got["turns"], got["cases"], got["handoffs"]) == (big.turns, [case_no], [])
        with pytest.raises(CaseRejected) as bad:
            await system.put_conversation(ConversationRecord(cid, "fax", []))
        assert (bad.value.status, bad.value.code) == (422, "unknown_channel")
        huge = ConversationRecord(cid, "phone", [{"text": "x" * MAX_BODY_BYTES}])
        with pytest.raises(CaseRejected) as too_big:
            await system.put_conversation(huge)
        assert (too_big.value.status, too_big.value.code) == (413, "payload_too_large")
        raw = httpx.put(f"{service.url}/api/conversations/{cid}", json=huge.to_json(),
                        headers={"Authorization": "Bearer dev-bot-token"})
        assert raw.status_code == 413 and raw.json()["error"]["code"] == "payload_too_large"
        assert httpx.get(f"{service.url}/api/conversations/{cid}",
                         headers=staff).json()["turns"] == big.turns  # the refused ones changed nothing
        service.kill()
        with pytest.raises(CaseSystemUnavailable):
            await system.put_conversation(big)
        assert FileOutbox(tmp_path / "outbox").pending() == []
    finally:
        await http.aclose()
