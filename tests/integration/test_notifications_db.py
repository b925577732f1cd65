"""The text-message queue against real SQLite and PostgreSQL: queued in the event's
transaction exactly once, sent with backoff while the provider is down, held in quiet hours,
expired when too late, skipped after an opt-out; every step in the case's audit log."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from integration.service.adapters import orm
from integration.service.domain.status import Outcome
from integration.service.notify.port import DeliveryUpdate, InboundSms, ProviderRejected
from integration.service.services import appointments, cases, sms_dispatch
from integration.service.services.context import ServiceContext
from integration.service.services.idempotency import run_idempotent
from tests.integration.conftest import Clock
from tests.integration.helpers import register
from tests.integration.sms_helpers import CENTER, FakeSender, with_sms

PHONE = "13800138000"


def _rows(ctx: ServiceContext) -> list[orm.Notification]:
    with ctx.uow() as uow:
        rows = list(uow.session.scalars(select(orm.Notification).order_by(orm.Notification.id)))
        uow.session.expunge_all()  # readable after the unit of work ends
        return rows


def _audit(ctx: ServiceContext, case_no: str, prefix: str = "sms_") -> list[dict[str, Any]]:
    return [e for e in cases.audit_log(ctx, case_no) if e["action"].startswith(prefix)]


def test_registration_texts_the_case_number_once(ctx: ServiceContext) -> None:
    sms = with_sms(ctx)
    first = register(sms, key="intake-1")
    again = register(sms, key="intake-1")  # the bot's retry: replayed, not run again
    assert first["sms_queued"] is True and again == first
    sender = FakeSender()
    report = sms_dispatch.dispatch_once(sms, sender)
    assert report.sent == 1
    (message,) = sender.sent
    assert message.to == "+86" + PHONE
    assert first["case_no"] in message.body and message.body.startswith(f"【{CENTER}】")
    assert sms_dispatch.dispatch_once(sms, sender).sent == 0  # nothing sent twice
    actions = [e["action"] for e in _audit(sms, first["case_no"])]
    assert actions == ["sms_queued", "sms_sent"]
    queued = _audit(sms, first["case_no"])[0]["detail"]
    assert queued["to"] == "138****8000" and first["case_no"] in queued["body"]


def test_no_provider_queues_nothing_and_says_so(ctx: ServiceContext) -> None:
    body = register(ctx)
    assert body["sms_queued"] is False
    assert _rows(ctx) == []


def test_provider_down_then_up_sends_exactly_once(ctx: ServiceContext, clock: Clock) -> None:
    sms = with_sms(ctx)
    case_no = register(sms)["case_no"]
    sender = FakeSender(down=True)
    waits = []
    for _ in range(4):
        report = sms_dispatch.dispatch_once(sms, sender)
        assert report.provider_down and report.retried == 1
        (row,) = _rows(sms)
        assert row.status == "pending"
        assert sms_dispatch.dispatch_once(sms, sender).retried == 0  # not due yet: not tried
        waits.append(row.next_attempt_at - clock.now)
        clock.now = row.next_attempt_at
    assert waits == [timedelta(seconds=s) for s in (30, 60, 120, 240)]
    sender.down = False
    assert sms_dispatch.dispatch_once(sms, sender).sent == 1
    (row,) = _rows(sms)
    assert (row.status, row.attempts, row.provider_id) == ("sent", 5, "FAKE1")
    assert len(sender.sent) == 1 and sender.attempts == 5
    actions = [e["action"] for e in _audit(sms, case_no)]
    assert actions == ["sms_queued", "sms_delayed", "sms_sent"]  # the first delay only
    assert "138****8000" not in (row.last_error or "") and row.last_error is None


def test_backoff_is_capped(ctx: ServiceContext, clock: Clock) -> None:
    sms = with_sms(ctx)
    register(sms)
    sender = FakeSender(down=True)
    for _ in range(12):
        sms_dispatch.dispatch_once(sms, sender)
        clock.now = _rows(sms)[0].next_attempt_at
    (row,) = _rows(sms)
    sms_dispatch.dispatch_once(sms, sender)
    assert _rows(sms)[0].next_attempt_at - clock.now == timedelta(minutes=30)
    assert row.status == "pending"


def test_a_message_not_sent_in_time_expires_and_staff_see_it(ctx: ServiceContext,
                                                              clock: Clock) -> None:
    sms = with_sms(ctx, max_age=timedelta(hours=1))
    case_no = register(sms)["case_no"]
    sender = FakeSender(down=True)
    sms_dispatch.dispatch_once(sms, sender)
    clock.advance(hours=2)
    report = sms_dispatch.dispatch_once(sms, sender)
    assert report.failed == 1 and report.retried == 0
    (row,) = _rows(sms)
    assert row.status == "expired"
    failed = _audit(sms, case_no)[-1]
    assert failed["action"] == "sms_failed" and failed["detail"]["why"] == "expired"


def test_quiet_hours_hold_messages_until_morning(ctx: ServiceContext, clock: Clock) -> None:
    clock.now = datetime(2026, 3, 2, 14, 30, tzinfo=UTC)  # 22:30 in Shanghai
    sms = with_sms(ctx, quiet="21:00-08:00")
    register(sms)
    sender = FakeSender()
    assert sms_dispatch.dispatch_once(sms, sender).quiet
    clock.now = datetime(2026, 3, 2, 23, 59, tzinfo=UTC)  # 07:59
    assert sms_dispatch.dispatch_once(sms, sender).quiet and sender.sent == []
    clock.now = datetime(2026, 3, 3, 0, 0, tzinfo=UTC)  # 08:00
    assert sms_dispatch.dispatch_once(sms, sender).sent == 1


def test_declining_texts_at_intake_opts_the_number_out(ctx: ServiceContext) -> None:
    sms = with_sms(ctx)
    body = register(sms, sms=False)
    assert body["sms_queued"] is False and _rows(sms) == []
    assert [e["action"] for e in _audit(sms, body["case_no"])] == ["sms_declined"]
    second = register(sms, description="另一件事：邻居漏水")  # later events: skipped, audited
    assert second["sms_queued"] is False and _rows(sms) == []
    skipped = _audit(sms, second["case_no"])
    assert [(e["action"], e["detail"]["why"]) for e in skipped] == [("sms_skipped", "opted_out")]


def test_reply_stop_opts_out_and_pending_texts_are_skipped(ctx: ServiceContext) -> None:
    sms = with_sms(ctx)
    case_no = register(sms)["case_no"]
    reply = sms_dispatch.handle_inbound(sms, InboundSms(phone=PHONE, body=" 退订！"))
    assert reply is not None and CENTER in reply and "退订" in reply
    assert sms_dispatch.handle_inbound(sms, InboundSms(phone=PHONE, body="谢谢")) is None
    sender = FakeSender()
    report = sms_dispatch.dispatch_once(sms, sender)
    assert (report.sent, report.skipped) == (0, 1) and sender.sent == []
    assert _rows(sms)[0].status == "skipped"
    actions = [e["action"] for e in _audit(sms, case_no)]
    assert actions == ["sms_queued", "sms_opt_out", "sms_skipped"]


@pytest.mark.parametrize("word", ["退订", "TD", "t", "STOP", "取消订阅"])
def test_stop_words(word: str) -> None:
    assert sms_dispatch.is_stop(word)


def test_routing_and_closing_are_texted(ctx: ServiceContext) -> None:
    sms = with_sms(ctx)
    case_no = register(sms)["case_no"]
    for action, outcome in (("route", None), ("start_mediation", None),
                            ("close", Outcome.SETTLED)):
        run_idempotent(sms, "staff:console", None, {}, lambda uow, a=action, o=outcome: (
            200, cases.transition(sms, uow, case_no, a, "staff:console", None, o)))
    run_idempotent(sms, "staff:console", None, {}, lambda uow: (
        200, cases.add_note(sms, uow, case_no, "staff:console", "备注")))
    kinds = [r.kind for r in _rows(sms)]
    assert kinds == ["case_registered", "case_routed", "case_closed"]
    closed = _rows(sms)[-1].body
    assert case_no in closed and "调解成功" in closed


def test_rerouting_texts_each_change(ctx: ServiceContext) -> None:
    sms = with_sms(ctx)
    case_no = register(sms)["case_no"]
    for code in ("people_mediation", "labour_arbitration"):
        run_idempotent(sms, "staff:console", None, {}, lambda uow, c=code: (
            200, cases.reroute(sms, uow, case_no, c, "staff:console", "改派")))
    routed = [r.body for r in _rows(sms) if r.kind == "case_routed"]
    assert len(routed) == 2 and "人民调解委员会" in routed[0] and "劳动人事争议" in routed[1]


def _book(ctx: ServiceContext, start: datetime, case_no: str | None = None,
          wants_sms: bool = True) -> dict[str, Any]:
    return run_idempotent(ctx, "bot", None, {}, lambda uow: (201, appointments.book(
        ctx, uow, "people_mediation", "m_people_1", start, "张三", PHONE, case_no, "bot",
        wants_sms))).body


def test_appointment_confirmation_reminder_move_and_cancel(ctx: ServiceContext,
                                                           clock: Clock) -> None:
    sms = with_sms(ctx)
    case_no = register(sms)["case_no"]
    start = datetime(2026, 3, 4, 1, 0, tzinfo=UTC)  # Wednesday 09:00 in Shanghai
    booked = _book(sms, start, case_no)
    assert booked["sms"] == "confirmation_and_reminder"
    reminder = next(r for r in _rows(sms) if r.kind == "appointment_reminder")
    assert reminder.next_attempt_at == datetime(2026, 3, 3, 2, 0, tzinfo=UTC)  # Tue 10:00
    assert reminder.expires_at == start
    sender = FakeSender()
    sms_dispatch.dispatch_once(sms, sender)
    assert [m.body for m in sender.sent if "提醒" in m.body] == []  # not due yet
    assert any(booked["ref"] in m.body and "郭明理" in m.body for m in sender.sent)

    moved = run_idempotent(sms, "bot", None, {}, lambda uow: (200, appointments.reschedule(
        sms, uow, booked["ref"], start + timedelta(hours=1), None, "bot"))).body
    assert moved["sms"] == "confirmation_and_reminder"
    assert reminder.id in [r.id for r in _rows(sms) if r.status == "cancelled"]

    cancelled = run_idempotent(sms, "bot", None, {}, lambda uow: (200, appointments.cancel(
        sms, uow, moved["ref"], "bot", None))).body
    assert cancelled["sms"] == "confirmation"
    by_kind = {(r.kind, r.appointment_ref): r.status for r in _rows(sms)}
    assert by_kind[("appointment_reminder", moved["ref"])] == "cancelled"
    assert by_kind[("appointment_cancelled", moved["ref"])] == "pending"
    clock.now = datetime(2026, 3, 3, 2, 0, tzinfo=UTC)
    sms_dispatch.dispatch_once(sms, sender)
    assert not any("提醒" in m.body for m in sender.sent)  # the withdrawn reminders never go
    assert any("已取消" in m.body for m in sender.sent)
    withdrawn = [e for e in _audit(sms, case_no) if e["action"] == "sms_cancelled"]
    assert len(withdrawn) == 3  # reminder of the first booking; its move; the reminder of the move


def test_reminder_is_sent_the_day_before(ctx: ServiceContext, clock: Clock) -> None:
    sms = with_sms(ctx)
    start = datetime(2026, 3, 4, 1, 0, tzinfo=UTC)
    _book(sms, start)
    sender = FakeSender()
    sms_dispatch.dispatch_once(sms, sender)
    clock.now = datetime(2026, 3, 3, 2, 0, tzinfo=UTC)
    sms_dispatch.dispatch_once(sms, sender)
    assert "提醒" in sender.sent[-1].body and "3月4日（周三）09:00" in sender.sent[-1].body


def test_no_reminder_when_booked_for_tomorrow_morning_late(ctx: ServiceContext,
                                                           clock: Clock) -> None:
    clock.now = datetime(2026, 3, 3, 3, 0, tzinfo=UTC)  # Tuesday 11:00, after the reminder time
    sms = with_sms(ctx)
    assert _book(sms, datetime(2026, 3, 4, 1, 0, tzinfo=UTC))["sms"] == "confirmation"


def test_booking_without_texts(ctx: ServiceContext) -> None:
    sms = with_sms(ctx)
    assert _book(sms, datetime(2026, 3, 4, 1, 0, tzinfo=UTC), wants_sms=False)["sms"] is None
    assert _rows(sms) == []


def test_refused_message_fails_for_good_and_unsubscribed_number_opts_out(
        ctx: ServiceContext) -> None:
    sms = with_sms(ctx)
    case_no = register(sms)["case_no"]
    sender = FakeSender(refuse=[ProviderRejected("21610", "unsubscribed +8613800138000",
                                                 opted_out=True)])
    report = sms_dispatch.dispatch_once(sms, sender)
    assert report.failed == 1
    (row,) = _rows(sms)
    assert row.status == "failed" and "13800138000" not in (row.last_error or "")
    assert sms_dispatch.dispatch_once(sms, sender).sent == 0
    with sms.uow() as uow:
        assert uow.repo.opted_out(PHONE)
    assert [e["action"] for e in _audit(sms, case_no)] == ["sms_queued", "sms_failed",
                                                          "sms_declined"]


def test_a_claim_left_by_a_crashed_process_is_sent_again(ctx: ServiceContext,
                                                         clock: Clock) -> None:
    sms = with_sms(ctx)
    register(sms)
    with sms.uow() as uow:  # what a dispatcher that died mid-send leaves behind
        row = uow.session.scalars(select(orm.Notification)).one()
        row.status, row.locked_until, row.attempts = "sending", clock.now + timedelta(minutes=5), 1
        uow.commit()
    sender = FakeSender()
    assert sms_dispatch.dispatch_once(sms, sender).sent == 0  # the claim still holds
    clock.advance(minutes=6)
    assert sms_dispatch.dispatch_once(sms, sender).sent == 1
    assert _rows(sms)[0].attempts == 2


def test_delivery_reports_are_audited_once_and_never_go_backwards(ctx: ServiceContext) -> None:
    sms = with_sms(ctx)
    case_no = register(sms)["case_no"]
    sms_dispatch.dispatch_once(sms, FakeSender())
    for status in ("sent", "delivered", "delivered", "sent"):
        assert sms_dispatch.record_delivery(sms, "fake", DeliveryUpdate("FAKE1", status))
    assert not sms_dispatch.record_delivery(sms, "fake", DeliveryUpdate("FAKE9", "delivered"))
    assert _rows(sms)[0].status == "delivered"
    statuses = [e["detail"]["status"] for e in _audit(sms, case_no) if e["action"] == "sms_status"]
    assert statuses == ["delivered"]


def test_receipt_finds_the_case(ctx: ServiceContext) -> None:
    case_no = register(ctx, intake_receipt="RC-3F2A1B9C0D")["case_no"]
    assert [c["case_no"] for c in cases.find_by_receipt(ctx, "RC-3F2A1B9C0D")] == [case_no]
    assert cases.find_by_receipt(ctx, "RC-0000000000") == []
