"""HTTP adapter (with a mock transport) and the outbox (with an in-memory fake CaseSystem)."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from integration.client import (
    BufferedCaseSystem,
    CaseNotFound,
    CaseRejected,
    CaseSystemUnavailable,
    CaseView,
    CreateOutcome,
    FileOutbox,
    HttpCaseSystem,
    IntakeRequest,
    OutboxDrainer,
)
from integration.client.types import Due

INTAKE = IntakeRequest(category="labour", description="欠薪", applicant_name="张三",
                       applicant_phone="13800138000", conversation_id="c1")
CASE_JSON = {
    "case_no": "JF-2026-000001", "status": "registered", "status_name": "已登记",
    "category": "labour", "category_name": "劳动争议/欠薪/工伤",
    "applicant": {"name": "张三", "phone": "13800138000"}, "respondents": [{"name": "某公司"}],
    "description": "欠薪", "location": None, "amount_yuan": "100.50", "channel": "robot",
    "institution": {"code": "labour_arbitration", "name": "劳动人事争议调解仲裁院"},
    "created_at": "2026-03-02T10:00:00+08:00", "conversation_id": "c1",
    "due": {"route_by": "a", "contact_by": "b", "close_by": "c", "follow_up_by": "d"},
}


def _client(handler: object) -> HttpCaseSystem:
    return HttpCaseSystem("http://svc", "tok", retries=2, backoff_s=0,
                          transport=httpx.MockTransport(handler))  # type: ignore[arg-type]


async def test_retries_5xx_and_timeouts_with_the_same_key() -> None:
    seen: list[tuple[str | None, str | None]] = []

    def handler(req: httpx.Request) -> httpx.Response:
        seen.append((req.headers.get("idempotency-key"), req.headers.get("authorization")))
        if len(seen) == 1:
            raise httpx.ConnectTimeout("slow")
        if len(seen) == 2:
            return httpx.Response(503, json={})
        assert json.loads(req.content)["applicant"]["phone"] == "13800138000"
        return httpx.Response(201, json=CASE_JSON)

    outcome = await _client(handler).create_case(INTAKE, "k1")
    assert outcome.registered and outcome.case_no == "JF-2026-000001"
    assert outcome.case is not None and str(outcome.case.amount_yuan) == "100.50"
    assert seen == [("k1", "Bearer tok")] * 3


async def test_gives_up_as_unavailable() -> None:
    def handler(req: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("down")

    with pytest.raises(CaseSystemUnavailable) as err:
        await _client(handler).create_case(INTAKE, "k")
    assert isinstance(err.value.__cause__, httpx.ConnectError)


async def test_maps_4xx_to_domain_errors_without_retrying() -> None:
    calls = 0

    def handler(req: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        if req.url.path.endswith("/cases"):
            return httpx.Response(422, json={"error": {"code": "invalid_phone",
                                                       "message": "手机号码格式不正确"}})
        return httpx.Response(404, json={"error": {"code": "case_not_found", "message": "未找到"}})

    client = _client(handler)
    with pytest.raises(CaseRejected) as err:
        await client.create_case(INTAKE, "k")
    assert (err.value.code, err.value.message, calls) == ("invalid_phone", "手机号码格式不正确", 1)
    with pytest.raises(CaseNotFound):
        await client.get_case("JF-2026-000009")


class FakeCaseSystem:
    """In-memory stand-in honouring idempotency keys; can be switched off."""

    def __init__(self) -> None:
        self.up = True
        self.cases: dict[str, CaseView] = {}
        self.reject: str | None = None

    async def create_case(self, intake: IntakeRequest, key: str) -> CreateOutcome:
        if not self.up:
            raise CaseSystemUnavailable("down")
        if self.reject:
            raise CaseRejected(self.reject, "拒绝")
        if key not in self.cases:
            self.cases[key] = CaseView.from_json(
                {**CASE_JSON, "case_no": f"JF-2026-{len(self.cases) + 1:06d}"})
        return CreateOutcome(registered=True, case=self.cases[key])


async def test_outbox_queues_when_down_and_drains_once(tmp_path: Path) -> None:
    fake, outbox = FakeCaseSystem(), FileOutbox(tmp_path)
    system = BufferedCaseSystem(fake, outbox)  # type: ignore[arg-type]
    fake.up = False
    first = await system.create_case(INTAKE, "k1")
    second = await system.create_case(INTAKE, "k1")
    await system.create_case(replace(INTAKE, description="另一件"), "k2")
    assert not first.registered and first.receipt_id == second.receipt_id
    assert len(outbox.pending()) == 2
    drainer = OutboxDrainer(outbox, fake)  # type: ignore[arg-type]
    assert (await drainer.drain_once()).remaining == 2  # still down: nothing lost
    fake.up = True
    report = await drainer.drain_once()
    assert (report.delivered, report.remaining) == (2, 0)
    assert len(fake.cases) == 2 and outbox.pending() == []
    assert (tmp_path / "pending").stat().st_mode & 0o777  # directory exists
    files = list((tmp_path / "delivered").glob("*.json"))
    assert len(files) == 2 and all(f.stat().st_mode & 0o077 == 0 for f in files)


async def test_rejected_entries_go_to_failed(tmp_path: Path) -> None:
    fake, outbox = FakeCaseSystem(), FileOutbox(tmp_path)
    receipt = outbox.put(INTAKE, "k1")
    fake.reject = "unknown_category"
    report = await OutboxDrainer(outbox, fake).drain_once()  # type: ignore[arg-type]
    assert (report.rejected, report.remaining) == (1, 0)
    assert outbox.status(receipt) == {"state": "failed", "case_no": None,
                                      "error": {"code": "unknown_category", "message": "拒绝"}}


def test_intake_round_trips_through_json() -> None:
    from decimal import Decimal
    intake = replace(INTAKE, amount_yuan=Decimal("0.10"), id_number="11010519491231002X",
                     respondents=["甲", "乙"])
    assert IntakeRequest.from_json(json.loads(json.dumps(intake.to_json()))) == intake
    assert Due(**CASE_JSON["due"]).close_by == "c"  # type: ignore[arg-type]


def test_client_package_is_python310_clean() -> None:
    """The bot's env is Python 3.10 without sanic/sqlalchemy: compile for 3.10 features and
    make sure importing the client pulls in neither."""
    code = ("import sys, integration.client; "
            "bad = [m for m in ('sanic', 'sqlalchemy') if m in sys.modules]; "
            "sys.exit(1 if bad else 0)")
    assert subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).parents[3]
                          ).returncode == 0
    for path in (Path(__file__).parents[3] / "integration" / "client").rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        for forbidden in ("typing import Self", "datetime.UTC", "from datetime import UTC",
                          "import tomllib"):
            assert forbidden not in source, f"{path.name} uses {forbidden}"
