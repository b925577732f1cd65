"""Slots and bookings against real databases."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from integration.service.domain.errors import InvalidTransition, SlotTaken, SlotUnavailable
from integration.service.services import appointments
from integration.service.services.context import ServiceContext
from tests.integration.helpers import register

DAY = date(2026, 3, 3)  # Tuesday after the fixture clock's Monday


def _book(ctx: ServiceContext, start: datetime, mediator: str = "m_labour_1",
          case_no: str | None = None) -> dict:  # type: ignore[type-arg]
    with ctx.uow() as uow:
        out = appointments.book(ctx, uow, "labour_arbitration", mediator, start, "张三",
                                "13800138000", case_no, "bot")
        uow.commit()
        return out


def _at(ctx: ServiceContext, hour: int, day: date = DAY) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=ctx.tz)


def test_slots_follow_hours_and_bookings(ctx: ServiceContext) -> None:
    starts = [s["start"][11:16] for s in appointments.slots(ctx, "labour_arbitration", DAY)]
    assert starts == ["09:00", "10:00", "11:00"]  # Tuesday: mornings only
    _book(ctx, _at(ctx, 10))
    starts = [s["start"][11:16] for s in appointments.slots(ctx, "labour_arbitration", DAY)]
    assert starts == ["09:00", "11:00"]
    assert appointments.slots(ctx, "labour_arbitration", DAY + timedelta(days=4)) == []  # Sat


def test_booking_is_exclusive_and_validated(ctx: ServiceContext) -> None:
    no = register(ctx)["case_no"]
    appt = _book(ctx, _at(ctx, 9), case_no=no)
    assert appt["ref"] == "YY-2026-000001" and appt["case_no"] == no
    with pytest.raises(SlotTaken):
        _book(ctx, _at(ctx, 9))
    with pytest.raises(SlotUnavailable):
        _book(ctx, _at(ctx, 15))  # Tuesday afternoon: not a working block
    with pytest.raises(SlotUnavailable):
        _book(ctx, _at(ctx, 9, date(2026, 3, 1)))  # in the past
    with pytest.raises(SlotUnavailable):
        _book(ctx, _at(ctx, 9), mediator="m_family_1")  # other institution


def test_cancel_frees_slot_and_reschedule_moves_atomically(ctx: ServiceContext) -> None:
    first = _book(ctx, _at(ctx, 9))
    other = _book(ctx, _at(ctx, 11))
    with ctx.uow() as uow, pytest.raises(SlotTaken):
        appointments.reschedule(ctx, uow, first["ref"], _at(ctx, 11), None, "bot")
    with ctx.uow() as uow:
        moved = appointments.reschedule(ctx, uow, first["ref"], _at(ctx, 10), None, "bot")
        uow.commit()
    assert moved["start"][11:16] == "10:00"
    states = {a["ref"]: a["status"] for a in appointments.by_phone(ctx, "13800138000")}
    assert states == {first["ref"]: "rescheduled", other["ref"]: "booked",
                      moved["ref"]: "booked"}
    with ctx.uow() as uow:
        with pytest.raises(InvalidTransition):
            appointments.reschedule(ctx, uow, first["ref"], _at(ctx, 9), None, "bot")
        appointments.cancel(ctx, uow, other["ref"], "bot", "有事")
        uow.commit()
    assert _book(ctx, _at(ctx, 11))["status"] == "booked"  # the cancelled slot is free again
