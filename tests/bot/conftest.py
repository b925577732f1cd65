"""Helpers for action tests: trackers as Rasa sends them, and a fake case system."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa_sdk import Tracker

from bot.actions.settings import settings
from integration.client import (
    CaseRejected,
    CaseSystemUnavailable,
    CaseView,
    CreateOutcome,
    IntakeRequest,
)
from integration.client.types import Due


def make_tracker(
    slots: dict[str, Any] | None = None,
    text: str = "",
    intent: str = "inform",
    entities: list[dict[str, Any]] | None = None,
    requested_slot: str | None = None,
    sender_id: str = "conv-1",
    channel: str = "rest",
) -> Tracker:
    """A tracker like the one the Rasa server sends to the action server."""
    all_slots: dict[str, Any] = {"requested_slot": requested_slot, **(slots or {})}
    latest = {"text": text, "intent": {"name": intent, "confidence": 0.99}, "entities": entities or []}
    events = [{"event": "user", "text": text, "input_channel": channel, "parse_data": latest}]
    return Tracker(
        sender_id,
        all_slots,
        latest,
        events,
        False,
        None,
        {"name": "intake_form"} if requested_slot else {},
        "action_listen",
    )


def domain_dict() -> dict[str, Any]:
    """The real domain (every file of bot/domain merged), as the Rasa server sends it."""
    merged: dict[str, Any] = {"slots": {}, "forms": {}, "responses": {}}
    for path in sorted(Path(__file__).resolve().parents[2].joinpath("bot", "domain").glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for key in merged:
            merged[key].update(data.get(key) or {})
    return merged


def case_view(case_no: str = "JF-2026-000001") -> CaseView:
    return CaseView(
        case_no=case_no,
        status="registered",
        status_name="已登记",
        category="labour",
        category_name="劳动争议/欠薪/工伤",
        applicant_name="张三",
        applicant_phone="13800138000",
        respondents=[],
        description="老板拖欠工资",
        location=None,
        amount_yuan=Decimal("23000"),
        channel="web",
        institution_code="labour-arb",
        institution_name="劳动人事争议调解仲裁院",
        created_at="2026-11-26T20:00:00+08:00",
        due=Due(
            route_by="2026-11-27T08:00:00+08:00",
            contact_by="2026-11-27T08:00:00+08:00",
            close_by="2026-12-11T20:00:00+08:00",
            follow_up_by="2027-01-10T20:00:00+08:00",
        ),
        conversation_id="conv-1",
    )


class FakeCaseSystem:
    """Records intakes; behaves as told: register, queue, reject or fail."""

    def __init__(self, mode: str = "register") -> None:
        self.mode = mode
        self.calls: list[tuple] = []

    async def create_case(self, intake: IntakeRequest, idempotency_key: str) -> CreateOutcome:
        self.calls.append((intake, idempotency_key))
        if self.mode == "queue":
            return CreateOutcome(registered=False, receipt_id="R-20261126-0001")
        if self.mode == "reject":
            raise CaseRejected("invalid_phone", "手机号码格式不正确")
        if self.mode == "down":
            raise CaseSystemUnavailable("disk full")
        return CreateOutcome(registered=True, case=case_view())


@pytest.fixture
def fake_cases(monkeypatch: pytest.MonkeyPatch) -> FakeCaseSystem:
    fake = FakeCaseSystem()
    monkeypatch.setattr("bot.actions.intake.case_system", lambda: fake)
    return fake


@pytest.fixture(autouse=True)
def fresh_settings() -> Iterator[None]:
    """Settings are read once per process; a test that sets an environment variable sees it."""
    settings.cache_clear()
    yield
    settings.cache_clear()
