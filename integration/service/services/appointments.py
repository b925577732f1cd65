"""Appointments with mediators: free slots, atomic booking, cancel, reschedule."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from integration.service.adapters import orm
from integration.service.adapters.unit_of_work import UnitOfWork
from integration.service.domain.case_number import APPOINTMENT_PREFIX, format_number
from integration.service.domain.errors import InvalidTransition, SlotUnavailable
from integration.service.domain.slots import WorkingHours, free_slots, is_bookable
from integration.service.services import notifications
from integration.service.services.audit import audit
from integration.service.services.context import ServiceContext
from integration.service.services.views import appointment_json


def _hours(m: orm.Mediator) -> list[WorkingHours]:
    return [WorkingHours(h.weekday, h.start, h.end) for h in m.hours]


def slots(ctx: ServiceContext, institution_code: str, day: date) -> list[dict[str, Any]]:
    """Free slots of every active mediator of the institution on `day` (local date)."""
    now = ctx.clock()
    if not now.astimezone(ctx.tz).date() <= day <= (now + ctx.booking_horizon).date():
        return []
    with ctx.uow() as uow:
        institution = uow.repo.institution(institution_code)
        mediators = uow.repo.mediators_of(institution.id)
        start = datetime.combine(day, datetime.min.time(), tzinfo=ctx.tz)
        taken = uow.repo.booked_starts([m.id for m in mediators], start, start + timedelta(days=1))
        items = []
        for m in mediators:
            for s in free_slots(day, _hours(m), ctx.slot_length, ctx.tz,
                                days_off=[d.day for d in m.days_off], booked=taken[m.id], now=now):
                items.append({"institution": institution.code,
                              "mediator": {"code": m.code, "name": m.name},
                              "start": s.start.isoformat(), "end": s.end.isoformat()})
        return sorted(items, key=lambda i: (i["start"], i["mediator"]["code"]))


def _check_slot(ctx: ServiceContext, mediator: orm.Mediator, start: datetime) -> None:
    now = ctx.clock()
    if start > now + ctx.booking_horizon or not is_bookable(
            start, _hours(mediator), ctx.slot_length, ctx.tz,
            days_off=[d.day for d in mediator.days_off], now=now):
        raise SlotUnavailable()


def _new(ctx: ServiceContext, uow: UnitOfWork, mediator: orm.Mediator, start: datetime,
         name: str, phone: str, case: orm.Case | None) -> orm.Appointment:
    now = ctx.clock()
    year = now.astimezone(ctx.tz).year
    ref = format_number(APPOINTMENT_PREFIX, year, uow.repo.next_number(APPOINTMENT_PREFIX, year))
    appt = orm.Appointment(ref=ref, mediator=mediator, institution=mediator.institution,
                           case=case, start_at=start, end_at=start + ctx.slot_length,
                           status="booked", name=name, phone=phone, created_at=now)
    uow.repo.add_appointment(appt)  # raises SlotTaken if another booking won the slot
    return appt


def book(ctx: ServiceContext, uow: UnitOfWork, institution_code: str, mediator_code: str,
         start: datetime, name: str, phone: str, case_no: str | None,
         actor: str, wants_sms: bool = True) -> dict[str, Any]:
    institution = uow.repo.institution(institution_code)
    mediator = uow.repo.mediator(mediator_code)
    if mediator.institution_id != institution.id:
        raise SlotUnavailable("该调解员不属于所选机构")
    _check_slot(ctx, mediator, start)
    case = uow.repo.get_case(case_no) if case_no else None
    appt = _new(ctx, uow, mediator, start, name, phone, case)
    if case is not None:
        audit(uow, case, actor, "appointment_booked", ctx.clock(), ref=appt.ref,
              start=start.isoformat())
    sms = notifications.on_booked(ctx, uow, appt, wants_sms)
    return {**appointment_json(appt, ctx.tz), "sms": sms}


def cancel(ctx: ServiceContext, uow: UnitOfWork, ref: str, actor: str,
           reason: str | None) -> dict[str, Any]:
    """Cancelling twice is harmless: the second call returns the cancelled appointment."""
    appt = uow.repo.appointment(ref)
    sms = None
    if appt.status == "booked":
        appt.status, appt.cancelled_at = "cancelled", ctx.clock()
        if appt.case is not None:
            audit(uow, appt.case, actor, "appointment_cancelled", ctx.clock(), reason, ref=ref)
        sms = notifications.on_cancelled(ctx, uow, appt)
    return {**appointment_json(appt, ctx.tz), "sms": sms}


def reschedule(ctx: ServiceContext, uow: UnitOfWork, ref: str, start: datetime,
               mediator_code: str | None, actor: str) -> dict[str, Any]:
    """Release the old slot and take the new one in one transaction: both or neither."""
    old = uow.repo.appointment(ref)
    if old.status != "booked":
        raise InvalidTransition("该预约已取消或已改约，不能再改约")
    mediator = uow.repo.mediator(mediator_code) if mediator_code else old.mediator
    if mediator.institution_id != old.institution_id:
        raise SlotUnavailable("改约只能选择同一机构的调解员")
    _check_slot(ctx, mediator, start)
    old.status, old.cancelled_at = "rescheduled", ctx.clock()
    uow.session.flush()  # free the old slot before the new insert is checked by the index
    new = _new(ctx, uow, mediator, start, old.name, old.phone, old.case)
    old.replaced_by = new.ref
    if old.case is not None:
        audit(uow, old.case, actor, "appointment_rescheduled", ctx.clock(), ref=ref,
              new_ref=new.ref)
    sms = notifications.on_rescheduled(ctx, uow, old, new)
    return {**appointment_json(new, ctx.tz), "sms": sms}


def by_phone(ctx: ServiceContext, phone: str) -> list[dict[str, Any]]:
    with ctx.uow() as uow:
        return [appointment_json(a, ctx.tz) for a in uow.repo.appointments_by_phone(phone)]
