"""Free appointment slots from a mediator's weekly hours, days off and existing bookings."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class WorkingHours:
    weekday: int  # Monday == 0
    start: time
    end: time


@dataclass(frozen=True)
class Slot:
    start: datetime
    end: datetime


def candidate_slots(day: date, hours: Iterable[WorkingHours], slot: timedelta,
                    tz: ZoneInfo) -> list[Slot]:
    """All slots of `slot` length inside the working hours of `day` (local time, tz-aware)."""
    slots: list[Slot] = []
    for block in hours:
        if block.weekday != day.weekday():
            continue
        cursor = datetime.combine(day, block.start, tzinfo=tz)
        block_end = datetime.combine(day, block.end, tzinfo=tz)
        while cursor + slot <= block_end:
            slots.append(Slot(cursor, cursor + slot))
            cursor += slot
    return sorted(slots, key=lambda s: s.start)


def free_slots(day: date, hours: Iterable[WorkingHours], slot: timedelta, tz: ZoneInfo, *,
               days_off: Iterable[date], booked: Iterable[datetime], now: datetime) -> list[Slot]:
    """Candidate slots minus days off, booked starts and anything not in the future."""
    if day in set(days_off):
        return []
    taken = set(booked)
    return [s for s in candidate_slots(day, hours, slot, tz)
            if s.start > now and s.start not in taken]


def is_bookable(start: datetime, hours: Iterable[WorkingHours], slot: timedelta, tz: ZoneInfo,
                *, days_off: Iterable[date], now: datetime) -> bool:
    """Whether `start` is a real slot boundary on a working day (ignoring existing bookings)."""
    local = start.astimezone(tz)
    return any(s.start == local for s in free_slots(local.date(), hours, slot, tz,
                                                    days_off=days_off, booked=(), now=now))
