"""Validation of the appointment form: which institution, day and slot; who; which appointment; confirm.

One form serves three modes (slot `appointment_mode`): book, cancel and reschedule. A validator that
must stop the form (service down, nothing free, nothing to cancel) sets `appointment_stop` after telling
the citizen why; `required_slots` then ends the form.
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions.appointment_extract import AppointmentSlotExtraction, entity_of
from bot.actions.appointment_lookups import (
    choose_appointment,
    iso_day,
    look_up_appointments,
    offer_day,
    pending,
)
from bot.actions.appointment_mediators import apply_wish
from bot.actions.appointment_offers import (
    find_by,
    last_bookable_day,
    now_local,
    offer_matching_time,
    preference,
)
from bot.actions.patience import STUCK_SLOT, PatientFormValidation
from textnorm.datetime_zh import format_day, resolve, target_phrase
from textnorm.name import extract_person_name
from textnorm.phone import normalize_mobile

MODE_SLOTS: dict[str, tuple[str, ...]] = {
    "book": (
        "appointment_institution",
        "appointment_day",
        "appointment_slot",
        "applicant_name",
        "applicant_phone",
        "appointment_confirmed",
    ),
    "cancel": ("applicant_phone", "appointment_ref", "appointment_confirmed"),
    "reschedule": (
        "applicant_phone",
        "appointment_ref",
        "appointment_institution",
        "appointment_day",
        "appointment_slot",
        "appointment_confirmed",
    ),
}
_INSTITUTION_CODE = re.compile(r"[a-z][a-z0-9_]{1,63}")


class ValidateAppointmentForm(AppointmentSlotExtraction, PatientFormValidation):
    """Fills and checks the appointment form's slots, looking up free slots and appointments;
    like every form, it never asks the same question a fourth time (``bot.actions.patience``)."""

    def name(self) -> str:
        return "validate_appointment_form"

    async def required_slots(
        self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[str]:
        if tracker.get_slot("appointment_stop") or tracker.get_slot(STUCK_SLOT):
            return []
        return list(MODE_SLOTS.get(tracker.get_slot("appointment_mode") or "book", MODE_SLOTS["book"]))

    async def validate_appointment_institution(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        code = str(slot_value or "")
        if _INSTITUTION_CODE.fullmatch(code):
            updates: dict[str, Any] = {"appointment_institution": code}
            name = entity_of(tracker, "appointment_institution_name")
            if name:
                updates["appointment_institution_name"] = name
        else:
            wish = await apply_wish(dispatcher, tracker, code) if slot_value is not None else {}
            if not wish.get("appointment_institution"):
                if slot_value is not None and not wish:
                    dispatcher.utter_message(response="utter_appointment_invalid_choice")
                return {"appointment_institution": None}
            # "能约王律师吗" instead of a button: the mediator's institution, and their slots only
            code = wish["appointment_institution"]
            tracker.slots.update(wish)
            updates = dict(wish)
        day = iso_day(tracker.get_slot("appointment_day"))
        if day is not None and not pending(tracker, "appointment_day"):
            updates.update(await offer_day(dispatcher, tracker, code, day))
        return updates

    async def validate_appointment_day(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if slot_value is None:
            return {"appointment_day": None}
        now = now_local()
        resolved = resolve(target_phrase(str(slot_value)), now)
        if resolved is None or not resolved.date_explicit:
            dispatcher.utter_message(response="utter_appointment_day_not_understood")
            return {"appointment_day": None}
        today, last_day = now.date(), last_bookable_day(now.date())
        if resolved.date < today:
            dispatcher.utter_message(
                response="utter_appointment_day_past", day_label=format_day(resolved.date)
            )
            return {"appointment_day": None}
        if resolved.date > last_day:
            dispatcher.utter_message(
                response="utter_appointment_day_too_far",
                day_label=format_day(resolved.date),
                last_day_label=format_day(last_day),
            )
            return {"appointment_day": None}
        pref = preference(resolved)
        if pref is None and iso_day(slot_value) is not None:
            pref = tracker.get_slot("appointment_time_pref")  # re-validated day: keep what was said
        updates: dict[str, Any] = {
            "appointment_day": resolved.date.isoformat(),
            "appointment_time_pref": pref,
            "appointment_slot": None,
        }
        institution = tracker.get_slot("appointment_institution")
        if institution:
            tracker.slots["appointment_time_pref"] = pref
            updates.update(await offer_day(dispatcher, tracker, institution, resolved.date))
        return updates

    def validate_appointment_slot(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if slot_value is None:
            return {"appointment_slot": None}
        offers = tracker.get_slot("appointment_offers")
        offer = find_by(offers, "key", slot_value)
        if offer is None:
            resolved = resolve(str(slot_value), now_local())
            if resolved is not None and resolved.start is not None:
                offer = offer_matching_time(offers, resolved.start)
        if offer is None:
            dispatcher.utter_message(response="utter_appointment_invalid_choice")
            return {"appointment_slot": None}
        return {"appointment_slot": offer["key"]}

    def validate_applicant_name(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        name = extract_person_name(str(slot_value or ""))
        if name is None and slot_value is not None:
            dispatcher.utter_message(response="utter_invalid_applicant_name")
        return {"applicant_name": name}

    async def validate_applicant_phone(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        phone = normalize_mobile(str(slot_value or ""))
        if phone is None:
            if slot_value is not None:
                dispatcher.utter_message(response="utter_invalid_applicant_phone")
            return {"applicant_phone": None}
        updates: dict[str, Any] = {"applicant_phone": phone}
        if tracker.get_slot("appointment_mode") in ("cancel", "reschedule"):
            updates.update(await look_up_appointments(dispatcher, tracker, phone))
        return updates

    async def validate_appointment_ref(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        choice = find_by(tracker.get_slot("appointment_choices"), "ref", slot_value)
        if choice is None:
            if slot_value is not None:
                dispatcher.utter_message(response="utter_appointment_invalid_choice")
            return {"appointment_ref": None}
        return await choose_appointment(dispatcher, tracker, choice)

    def validate_appointment_confirmed(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return {"appointment_confirmed": slot_value if isinstance(slot_value, bool) else None}
