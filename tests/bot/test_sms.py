"""Texts in the bot: promised only where queued, declined at any question ("不要短信"),
passed on to the case service, and the case-progress question by receipt number."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher

from bot.actions import progress as progress_module
from bot.actions import sms as sms_module
from bot.actions.appointment_submit import _texts_follow
from bot.actions.intake import ActionStartIntake, ActionSubmitCase
from bot.actions.progress import ActionCaseProgress, parse_query
from bot.actions.sms import ActionDeclineSms, declines_sms, only_declines_sms, without_sms_decline
from integration.client import AppointmentView, CaseSystemUnavailable, CreateOutcome, ReceiptStatus
from integration.client.receipts import FAILED, QUEUED, REGISTERED, UNKNOWN
from tests.bot.conftest import FakeCaseSystem, case_view, make_tracker
from tests.bot.test_intake_actions import CONFIRMED
from tests.bot.test_patience import DETAILS, turn


@pytest.mark.parametrize(("text", "declined", "rest"), [
    ("不要短信", True, ""), ("别给我发短信", True, ""), ("短信就不用了", True, ""),
    ("以后别给我发短信了", True, ""), ("退订", True, ""), ("同意，但不要短信", True, "同意"),
    ("可以，不过不要发短信", True, "可以"), ("13800138000 不要发短信", True, "13800138000"),
    ("同意", False, "同意"), ("收不到短信的话打电话", False, "收不到短信的话打电话"),
    ("商家天天给我发营销短信 回复退订也没用", False, "商家天天给我发营销短信 回复退订也没用"),
    ("别发信息到我手机上", True, ""),
    # refusals of consent, not of texts
    ("我不想给个人信息", False, "我不想给个人信息"), ("不要记录我的信息", False, "不要记录我的信息"),
    ("我不想留信息", False, "我不想留信息"),
    ("催债公司天天给我发短信骚扰我和家里人，我不想再收到这种短信了，能调解吗", False,
     "催债公司天天给我发短信骚扰我和家里人，我不想再收到这种短信了，能调解吗"),
])
def test_declines_are_recognised_and_cut_out(text: str, declined: bool, rest: str) -> None:
    assert declines_sms(text) is declined
    assert without_sms_decline(text) == rest
    assert only_declines_sms(text) is (declined and not rest)


async def test_yes_but_no_texts_at_the_consent_question() -> None:
    """"同意，但不要短信" registers (whatever the classifier made of its 不要) without texts."""
    slots = {"requested_slot": "privacy_consent"}
    after, said = await turn(slots, "同意，但不要短信", intent="deny", mapped={"privacy_consent": False})
    assert after["privacy_consent"] is True and after["sms_declined"] is True
    assert "utter_sms_declined" in said and after["requested_slot"] == "category"


async def test_no_texts_alone_at_the_consent_question_asks_consent_again() -> None:
    slots = {"requested_slot": "privacy_consent"}
    after, said = await turn(slots, "不要短信", intent="deny", mapped={"privacy_consent": False})
    assert after["privacy_consent"] is None and after["sms_declined"] is True
    assert after["requested_slot"] == "privacy_consent" and not after.get("ask_retry")
    assert said == ["utter_sms_declined"]


async def test_no_texts_with_the_phone_number() -> None:
    slots = {**DETAILS, "applicant_name": "张三", "requested_slot": "applicant_phone"}
    after, said = await turn(slots, "13800138000，别给我发短信", intent="decline_sms")
    assert after["applicant_phone"] == "13800138000" and after["sms_declined"] is True
    assert "utter_phone_needed" not in said


async def test_no_texts_instead_of_the_phone_number_asks_for_it_again() -> None:
    slots = {**DETAILS, "applicant_name": "张三", "requested_slot": "applicant_phone"}
    after, said = await turn(slots, "不要发短信", intent="decline_sms")
    assert after.get("applicant_phone") is None and after["sms_declined"] is True
    assert said == ["utter_sms_declined"] and after["requested_slot"] == "applicant_phone"


async def test_refusing_personal_information_is_still_a_refusal_of_consent() -> None:
    slots = {"requested_slot": "privacy_consent"}
    after, said = await turn(slots, "我不想给个人信息", intent="deny", mapped={"privacy_consent": False})
    # the refusal Rasa mapped stands (nothing overrides it) and the form ends
    assert after.get("privacy_consent", False) is False and not after.get("sms_declined")
    assert after["requested_slot"] is None and "utter_sms_declined" not in said


async def test_said_twice_acknowledged_once() -> None:
    slots = {**DETAILS, "sms_declined": True, "requested_slot": "applicant_name"}
    _, said = await turn(slots, "不要短信", intent="decline_sms")
    assert "utter_sms_declined" not in said


@pytest.mark.parametrize(("provider", "available"), [("twilio", True), ("", False), ("none", False)])
async def test_the_intake_knows_whether_texts_are_sent(
    monkeypatch: pytest.MonkeyPatch, provider: str, available: bool
) -> None:
    monkeypatch.setenv("SMS_PROVIDER", provider)
    events = await ActionStartIntake().run(CollectingDispatcher(), make_tracker(text="我要登记"), {})
    assert {"event": "slot", "name": "sms_available", "value": available, "timestamp": None} in events


@pytest.mark.parametrize("queued", [True, False])
async def test_registered_case_promises_a_text_only_when_queued(
    fake_cases: FakeCaseSystem, monkeypatch: pytest.MonkeyPatch, queued: bool
) -> None:
    async def create(intake: Any, idempotency_key: str) -> CreateOutcome:
        return CreateOutcome(registered=True, case=replace(case_view(), sms_queued=queued))

    monkeypatch.setattr(fake_cases, "create_case", create)
    dispatcher = CollectingDispatcher()
    await ActionSubmitCase().run(dispatcher, make_tracker(slots=CONFIRMED), {})
    said = [m["response"] for m in dispatcher.messages]
    expected = ["utter_case_registered", "utter_case_no_by_sms"] if queued else ["utter_case_registered"]
    assert said == expected


class DeclineFake:
    def __init__(self, down: bool = False) -> None:
        self.down = down
        self.declined: list[str] = []

    async def decline_sms(self, phone: str) -> None:
        if self.down:
            raise CaseSystemUnavailable("down")
        self.declined.append(phone)


@pytest.mark.parametrize(("provider", "phone", "down", "utter", "sent"), [
    ("", "13800138000", False, "utter_sms_not_used", []),
    ("twilio", None, False, "utter_sms_decline_how", []),
    ("twilio", "13800138000", False, "utter_sms_declined_phone", ["13800138000"]),
    ("twilio", "13800138000", True, "utter_sms_decline_failed", []),
])
async def test_declining_outside_the_form(
    monkeypatch: pytest.MonkeyPatch, provider: str, phone: str | None, down: bool, utter: str, sent: list[str]
) -> None:
    monkeypatch.setenv("SMS_PROVIDER", provider)
    fake = DeclineFake(down)
    monkeypatch.setattr(sms_module, "case_system", lambda: fake)
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(slots={"applicant_phone": phone}, text="以后别给我发短信了", intent="decline_sms")
    events = await ActionDeclineSms().run(dispatcher, tracker, {})
    assert [m["response"] for m in dispatcher.messages] == [utter]
    assert fake.declined == sent
    assert events[-1]["name"] == "sms_declined" and events[-1]["value"] is True
    if utter == "utter_sms_declined_phone":
        assert dispatcher.messages[0]["phone_masked"] == "138****8000"


def _appointment(sms: str | None) -> AppointmentView:
    start = datetime(2026, 12, 3, 9, tzinfo=timezone(timedelta(hours=8)))
    return AppointmentView("YY-2026-000007", "booked", "人民调解委员会", "郭明理", start,
                           start + timedelta(hours=1), None, sms=sms)


@pytest.mark.parametrize(("sms", "said"), [
    (None, []), ("confirmation", ["utter_appointment_sms_follows"]),
    ("confirmation_and_reminder", ["utter_appointment_sms_and_reminder"]),
])
def test_appointment_texts_are_mentioned_only_when_queued(sms: str | None, said: list[str]) -> None:
    dispatcher = CollectingDispatcher()
    _texts_follow(dispatcher, make_tracker(slots={"applicant_phone": "13800138000"}), _appointment(sms))
    assert [m["response"] for m in dispatcher.messages] == said


def test_a_receipt_number_is_a_progress_query() -> None:
    query = parse_query("我的回执号是 rc-3f2a1b9c0d")
    assert query.usable and query.receipt == "RC-3F2A1B9C0D" and query.case_no is None


class ReceiptLookup:
    def __init__(self, status: ReceiptStatus | None) -> None:
        self.status = status

    async def receipt_status(self, receipt_id: str) -> ReceiptStatus:
        if self.status is None:
            raise CaseSystemUnavailable("down")
        return self.status


@pytest.mark.parametrize(("state", "said"), [
    (REGISTERED, ["utter_receipt_case_no", "utter_progress_registered"]),
    (QUEUED, ["utter_receipt_pending"]),
    (FAILED, ["utter_receipt_failed"]),
    (UNKNOWN, ["utter_case_not_found"]),
    (None, ["utter_progress_unavailable"]),
])
async def test_progress_by_receipt(
    monkeypatch: pytest.MonkeyPatch, state: str | None, said: list[str]
) -> None:
    receipt = "RC-3F2A1B9C0D"
    case = case_view() if state == REGISTERED else None
    status = None if state is None else ReceiptStatus(receipt, state, case)
    monkeypatch.setattr(progress_module, "case_system", lambda: ReceiptLookup(status))
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(slots={"progress_query": f"查进度 {receipt}"}, intent="ask_progress")
    await ActionCaseProgress().run(dispatcher, tracker, {})
    assert [m["response"] for m in dispatcher.messages] == said
    if state == REGISTERED:
        assert dispatcher.messages[0]["case_no"] == "JF-2026-000001"
        assert dispatcher.messages[0]["receipt"] == receipt
