"""Look-ups in the case system for the appointment form: free slots, and the citizen's appointments.

Each returns slot updates for a validator; on failure it tells the citizen and sets `appointment_stop`.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.appointment_offers import (
    Choice,
    as_part,
    choice_json,
    find_offers,
    institution_code_of,
    last_bookable_day,
    now_local,
)
from bot.actions.services import case_system
from bot.actions.settings import settings
from integration.client import CaseRejected, CaseSystemUnavailable
from textnorm.datetime_zh import format_day, part_name
from textnorm.mask import mask_phone

logger = logging.getLogger(__name__)


def iso_day(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


def pending(tracker: Tracker, slot: str) -> bool:
    """The slot is validated in this same run (so it will do its own look-up)."""
    return slot in tracker.slots_to_validate()


async def offer_day(
    dispatcher: CollectingDispatcher, tracker: Tracker, institution: str, day: date
) -> dict[str, Any]:
    """Offers for the day, or for the next day with free slots (said so); stops if none at all."""
    pref = tracker.get_slot("appointment_time_pref")
    last_day = last_bookable_day(now_local().date())
    wished = tracker.get_slot("appointment_mediators") or None
    updates: dict[str, Any] = {}
    try:
        found = await find_offers(case_system(), institution, day, pref, last_day, wished)
        if found is None and wished:
            # The mediator asked for has no free time: said plainly, then the others' slots.
            dispatcher.utter_message(
                response="utter_appointment_mediator_busy",
                mediator_names=tracker.get_slot("appointment_mediator_names") or "",
                institution_name=tracker.get_slot("appointment_institution_name") or "",
            )
            updates = {"appointment_mediators": None, "appointment_mediator_names": None}
            found = await find_offers(case_system(), institution, day, pref, last_day)
    except CaseSystemUnavailable:
        return _unavailable(dispatcher, tracker)
    except CaseRejected as exc:
        logger.warning("appointment %s: slots of %s refused: %s", tracker.sender_id, institution, exc.code)
        dispatcher.utter_message(response="utter_appointment_invalid_choice")
        return {"appointment_institution": None, "appointment_institution_name": None}
    if found is None:
        dispatcher.utter_message(
            response="utter_appointment_no_slots", center_hotline=settings().center_hotline
        )
        return {"appointment_stop": "no_slots"}
    if found.day != day:
        dispatcher.utter_message(
            response="utter_appointment_day_full",
            day_label=format_day(day),
            next_day_label=format_day(found.day),
        )
    elif found.part_missed and (part := as_part(pref)) is not None:
        dispatcher.utter_message(
            response="utter_appointment_part_full", day_label=format_day(day), part_label=part_name(part)
        )
    return {**updates, "appointment_day": found.day.isoformat(), "appointment_offers": found.offers}


async def look_up_appointments(
    dispatcher: CollectingDispatcher, tracker: Tracker, phone: str
) -> dict[str, Any]:
    try:
        appointments = await case_system().find_appointments(phone)
    except CaseSystemUnavailable:
        return _unavailable(dispatcher, tracker)
    now = now_local()
    upcoming = sorted(
        (a for a in appointments if a.status == "booked" and a.start >= now), key=lambda a: a.start
    )
    logger.info("appointment %s: %d upcoming for %s", tracker.sender_id, len(upcoming), mask_phone(phone))
    if not upcoming:
        dispatcher.utter_message(
            response="utter_appointment_none_found",
            phone_masked=mask_phone(phone),
            center_hotline=settings().center_hotline,
        )
        return {"appointment_stop": "none_found"}
    choices = [choice_json(a, institution_code_of(a)) for a in upcoming]
    tracker.slots["appointment_choices"] = choices
    updates: dict[str, Any] = {"appointment_choices": choices}
    if len(choices) == 1 and not pending(tracker, "appointment_ref"):
        updates.update(await choose_appointment(dispatcher, tracker, choices[0]))
    return updates


async def choose_appointment(
    dispatcher: CollectingDispatcher, tracker: Tracker, choice: Choice
) -> dict[str, Any]:
    """The appointment to cancel or move; for a move, its institution and (if known) new offers."""
    updates: dict[str, Any] = {"appointment_ref": choice["ref"]}
    if tracker.get_slot("appointment_mode") != "reschedule":
        return updates
    code = choice.get("institution") or await _institution_of_case(choice.get("case_no"))
    if not code:
        return updates  # the form asks for the institution
    updates.update(appointment_institution=code, appointment_institution_name=choice["institution_name"])
    day = iso_day(tracker.get_slot("appointment_day"))
    if day is not None and not pending(tracker, "appointment_day"):
        updates.update(await offer_day(dispatcher, tracker, code, day))
    return updates


async def _institution_of_case(case_no: str | None) -> str | None:
    if not case_no:
        return None
    try:
        return (await case_system().get_case(case_no)).institution_code
    except (CaseRejected, CaseSystemUnavailable):
        return None


def _unavailable(dispatcher: CollectingDispatcher, tracker: Tracker) -> dict[str, Any]:
    logger.error("appointment %s: case system unavailable", tracker.sender_id)
    dispatcher.utter_message(
        response="utter_appointment_service_down", center_hotline=settings().center_hotline
    )
    return {"appointment_stop": "unavailable"}
