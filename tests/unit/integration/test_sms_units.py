"""Text messages without a database: templates, quiet hours, backoff, reminder time, settings,
receipt numbers, and the client's receipt look-up over the outbox (with fakes)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from integration.client import (
    BufferedCaseSystem,
    CaseSystemUnavailable,
    CaseView,
    CreateOutcome,
    FileOutbox,
    IntakeRequest,
    OutboxDrainer,
    find_receipt,
)
from integration.client.outbox.records import receipt_for
from integration.client.receipts import FAILED, QUEUED, REGISTERED, UNKNOWN, ReceiptStatus
from integration.envparse import SettingsError
from integration.service.notify.config import NotifySettings
from integration.service.notify.policy import QuietHours, backoff, reminder_at
from integration.service.notify.port import mask_numbers
from integration.service.notify.templates import MAX_CHARS, Templates, when
from integration.service.notify.twilio_sms import delivery_update, inbound_sms, twiml_reply
from tests.unit.integration.test_client import CASE_JSON, INTAKE

TZ = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 12, 3, 1, 0, tzinfo=UTC)  # Thursday 09:00 in Shanghai
LONG_NAME = "示范县非诉讼纠纷化解中心"


def _all_texts(t: Templates) -> dict[str, str]:
    place = "医疗纠纷人民调解委员会（示范县人民路100号公共法律服务中心一楼）"
    return {
        "registered": t.case_registered("JF-2026-000123", START),
        "routed": t.case_routed("JF-2026-000123", "劳动人事争议调解仲裁院", START),
        "closed": t.case_closed("JF-2026-000123", "转仲裁"),
        "booked": t.appointment_booked("YY-2026-000045", START, place, "欧阳春风"),
        "rescheduled": t.appointment_rescheduled("YY-2026-000046", START, place, "欧阳春风"),
        "cancelled": t.appointment_cancelled("YY-2026-000045", START),
        "reminder": t.appointment_reminder("YY-2026-000046", START, place, "欧阳春风"),
        "opted_out": t.opted_out(),
    }


@pytest.mark.parametrize("replies", [True, False])
def test_every_text_is_signed_short_and_names_what_matters(replies: bool) -> None:
    texts = _all_texts(Templates(LONG_NAME, "0539-12348", TZ, replies_handled=replies))
    for kind, text in texts.items():
        assert text.startswith(f"【{LONG_NAME}】"), kind
        assert len(text) <= MAX_CHARS, (kind, len(text))
    assert "JF-2026-000123" in texts["registered"] and "12月3日（周四）09:00" in texts["registered"]
    assert ("退订" in texts["registered"]) is replies  # offered only where replies are handled
    assert all(w in texts["booked"] for w in ("YY-2026-000045", "欧阳春风", "医疗纠纷", "09:00"))
    assert "提醒" in texts["reminder"] and "转仲裁" in texts["closed"]


def test_center_time_in_texts() -> None:
    assert when(datetime(2026, 12, 31, 16, 30, tzinfo=UTC), TZ) == "1月1日（周五）00:30"


def test_quiet_hours_over_midnight() -> None:
    quiet = QuietHours.parse("SMS_QUIET_HOURS", "21:00-08:00", TZ)
    assert quiet is not None
    local = lambda h, m=0: datetime(2026, 12, 1, h, m, tzinfo=TZ)  # noqa: E731
    assert quiet.contains(local(21)) and quiet.contains(local(3)) and quiet.contains(local(7, 59))
    assert not quiet.contains(local(8)) and not quiet.contains(local(20, 59))
    assert quiet.ends_after(local(22)) == datetime(2026, 12, 2, 8, tzinfo=TZ)
    assert quiet.ends_after(local(3)) == datetime(2026, 12, 1, 8, tzinfo=TZ)
    assert quiet.ends_after(local(12)) == local(12)
    day = QuietHours.parse("X", "12:00-13:30", TZ)
    assert day is not None and day.contains(local(12, 45)) and not day.contains(local(13, 30))
    assert QuietHours.parse("X", " ", TZ) is None


@pytest.mark.parametrize("spec", ["21-8", "25:00-08:00", "08:00-08:00", "晚上"])
def test_malformed_quiet_hours_name_the_variable(spec: str) -> None:
    with pytest.raises(SettingsError, match="SMS_QUIET_HOURS"):
        NotifySettings.from_env({"SMS_QUIET_HOURS": spec})


def test_backoff_doubles_up_to_the_cap() -> None:
    base, cap = timedelta(seconds=30), timedelta(minutes=30)
    assert [backoff(n, base, cap).total_seconds() for n in (1, 2, 3, 6, 7, 20)] == [
        30, 60, 120, 960, 1800, 1800]


def test_reminder_is_the_day_before_in_center_time() -> None:
    early = datetime(2026, 12, 2, 16, 30, tzinfo=UTC)  # 00:30 on 12-03 in Shanghai
    assert reminder_at(early, time(10), TZ) == datetime(2026, 12, 2, 10, tzinfo=TZ)


def test_settings_default_to_no_texts() -> None:
    settings = NotifySettings.from_env({})
    assert not settings.enabled and settings.status_callback_url is None


def test_twilio_needs_its_credentials() -> None:
    with pytest.raises(SettingsError, match=r"TWILIO_AUTH_TOKEN.*TWILIO_SMS_FROM"):
        NotifySettings.from_env({"SMS_PROVIDER": "twilio", "TWILIO_ACCOUNT_SID": "AC1"})
    with pytest.raises(SettingsError, match="SMS_PROVIDER"):
        NotifySettings.from_env({"SMS_PROVIDER": "aliyun"})
    ok = NotifySettings.from_env({"SMS_PROVIDER": "Twilio", "TWILIO_ACCOUNT_SID": "AC1",
                                  "TWILIO_AUTH_TOKEN": "t", "TWILIO_MESSAGING_SERVICE_SID": "MG1",
                                  "PUBLIC_URL": "https://center.example.cn/"})
    assert ok.enabled and ok.status_callback_url == "https://center.example.cn/twilio/sms/status"
    assert NotifySettings.from_env({"SMS_PROVIDER": "none"}).enabled is False


def test_provider_messages_are_masked() -> None:
    assert mask_numbers("The 'To' number +8613800138000 is not valid") == \
        "The 'To' number +86138****8000 is not valid"
    assert mask_numbers("13800138000") == "138****8000"


def test_twilio_webhook_parameters() -> None:
    update = delivery_update({"MessageSid": "SM1", "MessageStatus": "undelivered",
                              "ErrorCode": "30003"})
    assert update is not None and (update.status, update.error_code) == ("undelivered", "30003")
    assert delivery_update({"MessageSid": "SM1", "MessageStatus": "weird"}) is None
    assert inbound_sms({"From": "+8613800138000", "Body": "退订"}).phone == "13800138000"
    assert inbound_sms({"From": "+15005550006", "Body": "STOP"}).phone is None
    assert "<Message>好</Message>" in twiml_reply("好") and "<Message" not in twiml_reply(None)


@pytest.mark.parametrize(("text", "receipt"), [
    ("查进度 RC-3F2A1B9C0D", "RC-3F2A1B9C0D"),
    ("回执号rc3f2a1b9c0d", "RC-3F2A1B9C0D"),
    ("RC－3F2A 1B9C 0D 登记了吗", "RC-3F2A1B9C0D"),
    ("JF-2026-000123", None),
    ("RC-3F2A1B9C0", None),  # one digit short
    ("RC-3F2A1B9C0D1", None),  # one too many
])
def test_receipt_numbers_as_citizens_type_them(text: str, receipt: str | None) -> None:
    assert find_receipt(text) == receipt


def test_receipts_of_the_outbox_are_found_by_the_parser() -> None:
    assert find_receipt(f"我的回执号是{receipt_for('any-key')}") == receipt_for("any-key")


class ReceiptFake:
    """The case service's side: registers intakes by key and finds them by receipt."""

    def __init__(self) -> None:
        self.up = True
        self.sent: list[IntakeRequest] = []
        self.by_receipt: dict[str, CaseView] = {}

    async def create_case(self, intake: IntakeRequest, key: str) -> CreateOutcome:
        self.sent.append(intake)
        if not self.up:
            raise CaseSystemUnavailable("down")
        case = CaseView.from_json({**CASE_JSON, "case_no": f"JF-2026-{len(self.sent):06d}"})
        if intake.receipt_id:
            self.by_receipt[intake.receipt_id] = case
        return CreateOutcome(registered=True, case=case)

    async def receipt_status(self, receipt: str) -> ReceiptStatus:
        if not self.up:
            raise CaseSystemUnavailable("down")
        case = self.by_receipt.get(receipt)
        return ReceiptStatus(receipt, REGISTERED, case) if case else ReceiptStatus(receipt, UNKNOWN)


async def test_the_receipt_goes_with_the_first_attempt_and_finds_the_case(tmp_path: Path) -> None:
    fake = ReceiptFake()
    system = BufferedCaseSystem(fake, FileOutbox(tmp_path))  # type: ignore[arg-type]
    fake.up = False
    queued = await system.create_case(INTAKE, "k1")
    assert queued.receipt_id == receipt_for("k1")
    assert fake.sent[0].receipt_id == queued.receipt_id  # same request as the redelivery
    assert (await system.receipt_status(queued.receipt_id)).state == QUEUED  # service down
    fake.up = True
    assert (await system.receipt_status(queued.receipt_id)).state == QUEUED
    await OutboxDrainer(system.outbox, fake).drain_once()  # type: ignore[arg-type]
    found = await system.receipt_status(queued.receipt_id)
    assert found.state == REGISTERED and found.case is not None
    assert fake.sent[-1].receipt_id == queued.receipt_id
    assert (await system.receipt_status("RC-0000000000")).state == UNKNOWN
    fake.up = False
    with pytest.raises(CaseSystemUnavailable):  # delivered, and nobody to ask: not "unknown"
        await system.receipt_status(queued.receipt_id)


async def test_old_outbox_entries_get_their_receipt_on_delivery(tmp_path: Path) -> None:
    outbox = FileOutbox(tmp_path)
    receipt = outbox.put(INTAKE, "old-key")  # written as before intakes carried receipts
    raw: dict[str, Any] = json.loads(next((tmp_path / "pending").glob("*.json")).read_text())
    assert "intake_receipt" not in raw["intake"]
    fake = ReceiptFake()
    await OutboxDrainer(outbox, fake).drain_once()  # type: ignore[arg-type]
    assert fake.sent[0].receipt_id == receipt


async def test_a_refused_queued_intake_is_told_as_such(tmp_path: Path) -> None:
    outbox = FileOutbox(tmp_path)
    receipt = outbox.put(INTAKE, "bad-key")
    (entry,) = outbox.pending()
    outbox.settle(entry, "failed", error={"code": "invalid_phone"})
    system = BufferedCaseSystem(ReceiptFake(), outbox)  # type: ignore[arg-type]
    assert (await system.receipt_status(receipt)).state == FAILED


def test_the_refusal_of_texts_travels_with_the_intake() -> None:
    declined = IntakeRequest.from_json({**INTAKE.to_json(), "sms": False})
    assert declined.notify_sms is False
    assert "sms" not in INTAKE.to_json()  # the default says nothing (older services accept it)
