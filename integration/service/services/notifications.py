"""Queueing text messages in the transaction of the event they report (registration, routing,
closure, booking, moving, cancelling), and the citizens' refusals of texts.

A message is queued exactly when its event commits, and once: its ``event_key`` is unique and
an idempotent replay of the request never runs the use case again. Every queued, skipped or
declined message is recorded in the case's audit log (the phone masked)."""

from __future__ import annotations

import logging
from datetime import datetime

from integration.service.adapters import orm
from integration.service.adapters.unit_of_work import UnitOfWork
from integration.service.domain.status import OUTCOME_NAMES, Outcome
from integration.service.notify.policy import NotifyPolicy, reminder_at
from integration.service.services.audit import audit
from integration.service.services.context import ServiceContext
from textnorm.mask import mask_phone

log = logging.getLogger(__name__)
ACTOR = "notifier"
CONFIRMATION, WITH_REMINDER = "confirmation", "confirmation_and_reminder"
APPOINTMENT_TEXTS = ("appointment_booked", "appointment_rescheduled", "appointment_reminder")


def enqueue(ctx: ServiceContext, uow: UnitOfWork, *, key: str, kind: str, phone: str | None,
            body: str, case: orm.Case | None = None, ref: str | None = None,
            due: datetime | None = None, expires: datetime | None = None) -> bool:
    """Queue one message; False when there is no provider, no phone, the number opted out
    (audited as skipped) or the event was queued before."""
    notify = ctx.notify
    if notify is None or not phone:
        return False
    now = ctx.clock()
    if uow.repo.opted_out(phone):
        if case is not None:
            audit(uow, case, ACTOR, "sms_skipped", now, kind=kind, to=mask_phone(phone),
                  why="opted_out")
        return False
    new_id = uow.repo.add_notification(
        event_key=key, kind=kind, case_id=case.id if case else None, appointment_ref=ref,
        phone=phone, body=body, status="pending", attempts=0, next_attempt_at=due or now,
        expires_at=expires or (due or now) + notify.max_age, created_at=now, updated_at=now)
    if new_id is None:
        return False
    if case is not None:
        audit(uow, case, ACTOR, "sms_queued", now, kind=kind, to=mask_phone(phone), body=body,
              notification=new_id, due=(due or now).isoformat())
    log.info("sms %s queued (%s) for %s", new_id, kind, mask_phone(phone))
    return True


def decline(ctx: ServiceContext, uow: UnitOfWork, phone: str, source: str,
            case: orm.Case | None = None) -> bool:
    """No more texts to ``phone``; True if it was not opted out already."""
    now = ctx.clock()
    added = uow.repo.add_opt_out(phone, source, now)
    if case is not None:
        audit(uow, case, ACTOR, "sms_declined", now, to=mask_phone(phone), source=source)
    if added:
        log.info("sms opt-out of %s (%s)", mask_phone(phone), source)
    return added


def _applicant_phone(case: orm.Case) -> str | None:
    return next((p.phone for p in case.parties if p.role == "applicant"), None)


def on_registered(ctx: ServiceContext, uow: UnitOfWork, case: orm.Case, wants_sms: bool) -> bool:
    """The case number, by text; a citizen who declined texts is opted out instead."""
    phone = _applicant_phone(case)
    if phone and not wants_sms:
        decline(ctx, uow, phone, "declined_at_intake", case)
        return False
    if ctx.notify is None:
        return False
    body = ctx.notify.templates.case_registered(case.case_no, case.contact_by)
    return enqueue(ctx, uow, key=f"case_registered:{case.case_no}", kind="case_registered",
                   phone=phone, body=body, case=case)


def on_routed(ctx: ServiceContext, uow: UnitOfWork, case: orm.Case, event_id: int) -> bool:
    """Routed or re-routed by staff: who handles it now. ``event_id``: the audit entry."""
    if ctx.notify is None or case.institution is None:
        return False
    body = ctx.notify.templates.case_routed(case.case_no, case.institution.name, case.contact_by)
    return enqueue(ctx, uow, key=f"case_routed:{case.case_no}:{event_id}", kind="case_routed",
                   phone=_applicant_phone(case), body=body, case=case)


def on_closed(ctx: ServiceContext, uow: UnitOfWork, case: orm.Case) -> bool:
    if ctx.notify is None or case.outcome is None:
        return False
    body = ctx.notify.templates.case_closed(case.case_no, OUTCOME_NAMES[Outcome(case.outcome)])
    return enqueue(ctx, uow, key=f"case_closed:{case.case_no}", kind="case_closed",
                   phone=_applicant_phone(case), body=body, case=case)


def _place(notify: NotifyPolicy, appt: orm.Appointment) -> str:
    return f"{appt.institution.name}（{appt.institution.address or notify.center_address}）"


def _reminder(ctx: ServiceContext, uow: UnitOfWork, notify: NotifyPolicy,
              appt: orm.Appointment) -> bool:
    """The day-before reminder, unless that moment is too close to now (just confirmed)."""
    due = reminder_at(appt.start_at, notify.reminder_time, ctx.tz)
    if due < ctx.clock() + notify.reminder_lead:
        return False
    body = notify.templates.appointment_reminder(appt.ref, appt.start_at, _place(notify, appt),
                                                 appt.mediator.name)
    return enqueue(ctx, uow, key=f"appointment_reminder:{appt.ref}", kind="appointment_reminder",
                   phone=appt.phone, body=body, case=appt.case, ref=appt.ref, due=due,
                   expires=appt.start_at)


def on_booked(ctx: ServiceContext, uow: UnitOfWork, appt: orm.Appointment,
              wants_sms: bool) -> str | None:
    """Confirmation (and the reminder); what was queued, for the bot to tell truthfully."""
    if not wants_sms:
        decline(ctx, uow, appt.phone, "declined_at_booking", appt.case)
        return None
    notify = ctx.notify
    if notify is None:
        return None
    body = notify.templates.appointment_booked(appt.ref, appt.start_at, _place(notify, appt),
                                               appt.mediator.name)
    if not enqueue(ctx, uow, key=f"appointment_booked:{appt.ref}", kind="appointment_booked",
                   phone=appt.phone, body=body, case=appt.case, ref=appt.ref,
                   expires=appt.start_at):
        return None
    return WITH_REMINDER if _reminder(ctx, uow, notify, appt) else CONFIRMATION


def _withdraw(ctx: ServiceContext, uow: UnitOfWork, appt: orm.Appointment) -> None:
    """Texts about an appointment that no longer stands are not sent (audited)."""
    now = ctx.clock()
    for row in uow.repo.pending_notifications_of_appointment(appt.ref, APPOINTMENT_TEXTS):
        row.status, row.updated_at = "cancelled", now
        if appt.case is not None:
            audit(uow, appt.case, ACTOR, "sms_cancelled", now, kind=row.kind,
                  notification=row.id, why=f"appointment {appt.status}")


def on_cancelled(ctx: ServiceContext, uow: UnitOfWork, appt: orm.Appointment) -> str | None:
    _withdraw(ctx, uow, appt)
    notify = ctx.notify
    if notify is None:
        return None
    body = notify.templates.appointment_cancelled(appt.ref, appt.start_at)
    queued = enqueue(ctx, uow, key=f"appointment_cancelled:{appt.ref}", kind="appointment_cancelled",
                     phone=appt.phone, body=body, case=appt.case, ref=appt.ref)
    return CONFIRMATION if queued else None


def on_rescheduled(ctx: ServiceContext, uow: UnitOfWork, old: orm.Appointment,
                   new: orm.Appointment) -> str | None:
    _withdraw(ctx, uow, old)
    notify = ctx.notify
    if notify is None:
        return None
    body = notify.templates.appointment_rescheduled(new.ref, new.start_at, _place(notify, new),
                                                    new.mediator.name)
    if not enqueue(ctx, uow, key=f"appointment_rescheduled:{new.ref}",
                   kind="appointment_rescheduled", phone=new.phone, body=body, case=new.case,
                   ref=new.ref, expires=new.start_at):
        return None
    return WITH_REMINDER if _reminder(ctx, uow, notify, new) else CONFIRMATION
