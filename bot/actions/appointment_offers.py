"""Free-slot offers, appointment choices and their labels for the appointment dialogue.

Slots hold plain JSON: an offer is {"key", "mediator", "mediator_name", "start"}, a choice (an existing
appointment) is {"ref", "institution", "institution_name", "mediator_name", "start", "case_no"}.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.actions.settings import settings
from integration.client import AppointmentView, CaseSystem, SlotView
from textnorm.datetime_zh import PartOfDay, ResolvedTime, format_moment, in_part_of_day

# How many days after a full or closed day are searched for the next free one.
SEARCH_AHEAD_DAYS = 14
MAX_OFFERS = 4
_PARTS: tuple[PartOfDay, ...] = ("morning", "noon", "afternoon", "evening")

Offer = dict[str, Any]
Choice = dict[str, Any]


@dataclass(frozen=True)
class DayOffers:
    """Offers on the first day (from the asked one) that has any; `part_missed` if none fit the preference."""

    day: date
    offers: list[Offer]
    part_missed: bool = False


def now_local() -> datetime:
    """The current time in the center's time zone (monkeypatched in tests)."""
    return datetime.now(ZoneInfo(settings().timezone))


def last_bookable_day(today: date) -> date:
    """The booking horizon shared with the case service (CASE_BOOKING_HORIZON_DAYS), which enforces it too."""
    return today + timedelta(days=settings().booking_horizon_days)


def preference(resolved: ResolvedTime) -> str | None:
    """What the citizen said about the time: "14:00", a part of day, or nothing."""
    if resolved.start is not None:
        return resolved.start.strftime("%H:%M")
    return resolved.part_of_day


def as_part(pref: str | None) -> PartOfDay | None:
    """The part of day a preference names, if it names one (not a clock time)."""
    return next((part for part in _PARTS if part == pref), None)


def pick_offers(slots: list[SlotView], pref: str | None) -> tuple[list[SlotView], bool]:
    """Up to MAX_OFFERS slots fitting the preference (all slots if none fit), in time order."""
    part = as_part(pref)
    if part is not None:
        fitting = [s for s in slots if in_part_of_day(s.start.time(), part)]
        chosen, missed = (fitting, False) if fitting else (slots, True)
    elif pref:
        wanted = time.fromisoformat(pref)
        minutes = wanted.hour * 60 + wanted.minute
        chosen = sorted(slots, key=lambda s: abs(s.start.hour * 60 + s.start.minute - minutes))
        missed = False
    else:
        chosen, missed = slots, False
    return sorted(chosen[:MAX_OFFERS], key=lambda s: (s.start, s.mediator_code)), missed


def offer_json(slot: SlotView) -> Offer:
    return {
        "key": f"{slot.mediator_code}@{slot.start.isoformat()}",
        "mediator": slot.mediator_code,
        "mediator_name": slot.mediator_name,
        "start": slot.start.isoformat(),
    }


def choice_json(appointment: AppointmentView, institution_code: str | None) -> Choice:
    return {
        "ref": appointment.ref,
        "institution": institution_code,
        "institution_name": appointment.institution_name,
        "mediator_name": appointment.mediator_name,
        "start": appointment.start.isoformat(),
        "case_no": appointment.case_no,
    }


def institution_code_of(appointment: AppointmentView) -> str | None:
    """The institution's code, once AppointmentView carries it (see the report of issue 4, item 7)."""
    code = getattr(appointment, "institution_code", None)
    return code if isinstance(code, str) and code else None


async def find_offers(
    cases: CaseSystem,
    institution: str,
    day: date,
    pref: str | None,
    last_day: date,
    mediators: list[str] | None = None,
) -> DayOffers | None:
    """Free slots on `day`, else on the next day that has any (within the horizon); None if none.
    With `mediators` (the ones the citizen asked for), only their slots count."""
    current = day
    while current <= min(day + timedelta(days=SEARCH_AHEAD_DAYS), last_day):
        slots = await cases.free_slots(institution, current)
        if mediators:
            slots = [s for s in slots if s.mediator_code in mediators]
        if slots:
            chosen, missed = pick_offers(slots, pref)
            return DayOffers(current, [offer_json(s) for s in chosen], missed and current == day)
        current += timedelta(days=1)
    return None


def find_by(items: list[dict[str, Any]] | None, field: str, value: Any) -> dict[str, Any] | None:
    return next((item for item in items or [] if item.get(field) == value), None)


def offer_matching_time(offers: list[Offer] | None, wanted: time) -> Offer | None:
    """The offer starting at the time the citizen typed instead of pressing a button."""
    for offer in offers or []:
        start = datetime.fromisoformat(offer["start"])
        if (start.hour, start.minute) == (wanted.hour, wanted.minute):
            return offer
    return None


def short_label(start_iso: str) -> str:
    """The date and time of a slot as shown on a button."""
    return format_moment(datetime.fromisoformat(start_iso))


def booking_key(conversation_id: str, institution: str, offer_key: str, phone: str) -> str:
    """Same conversation, slot and phone → same key, so a retried request never books twice."""
    return _digest(conversation_id, "book", institution, offer_key, phone)


def reschedule_key(conversation_id: str, ref: str, offer_key: str) -> str:
    return _digest(conversation_id, "reschedule", ref, offer_key)


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:40]
