"""Reading the citizen's answers for the appointment form: button entities, typed text, yes / no.

Choices arrive as button payloads carrying entities named like the slots. An answer to the question the
form asked is passed on as text for validation to judge; a refusal (deny) stops the form; an intent
that interrupts the form (a legal question, a request for a person…) is left to the rules.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions.appointment_offers import now_local
from textnorm.datetime_zh import resolve
from textnorm.phone import normalize_mobile

# Intents that interrupt the form (rules answer them) rather than answer its question.
NOT_AN_ANSWER = {
    "request_human",
    "safety_emergency",
    "ask_legal",
    "ask_center_info",
    "chitchat",
    "out_of_scope",
    "goodbye",
}


def intent_of(tracker: Tracker) -> str:
    return str((tracker.latest_message.get("intent") or {}).get("name") or "")


def text_of(tracker: Tracker) -> str:
    return str(tracker.latest_message.get("text") or "")


def entity_of(tracker: Tracker, name: str) -> str | None:
    value = next(tracker.get_latest_entity_values(name), None)
    return str(value) if value else None


class AppointmentSlotExtraction:
    """The `extract_<slot>` methods of the appointment form's validation action (a plain mixin)."""

    def _answer(self, tracker: Tracker, slot: str) -> dict[str, Any]:
        """A button's entity, else the typed text when this slot was asked; a refusal stops the form."""
        value = entity_of(tracker, slot)
        if value:
            return {slot: value}
        if tracker.get_slot("requested_slot") != slot or intent_of(tracker) in NOT_AN_ANSWER:
            return {}
        stops = intent_of(tracker) == "deny" or (
            intent_of(tracker) == "cancel_appointment" and tracker.get_slot("appointment_mode") == "book"
        )
        if stops:
            return {slot: None, "appointment_stop": "declined"}
        return {slot: text_of(tracker)}

    def _names_a_day(self, tracker: Tracker) -> bool:
        resolved = resolve(text_of(tracker), now_local())
        return resolved is not None and resolved.date_explicit

    async def extract_appointment_institution(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._answer(tracker, "appointment_institution")

    async def extract_appointment_ref(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._answer(tracker, "appointment_ref")

    async def extract_appointment_day(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """The asked day, or a new day said while choosing a slot or confirming (改到周四吧)."""
        requested = tracker.get_slot("requested_slot")
        if requested == "appointment_day":
            return self._answer(tracker, "appointment_day")
        if (
            requested in ("appointment_slot", "appointment_confirmed")
            and intent_of(tracker) not in NOT_AN_ANSWER | {"affirm", "deny"}
            and not entity_of(tracker, "appointment_slot")
            and self._names_a_day(tracker)
        ):
            return {
                "appointment_day": text_of(tracker),
                "appointment_slot": None,
                "appointment_confirmed": None,
            }
        return {}

    async def extract_appointment_slot(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if (
            tracker.get_slot("requested_slot") == "appointment_slot"
            and not entity_of(tracker, "appointment_slot")
            and self._names_a_day(tracker)
        ):
            return {}  # a new day: extract_appointment_day took it
        return self._answer(tracker, "appointment_slot")

    async def extract_applicant_name(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._answer(tracker, "applicant_name")

    async def extract_applicant_phone(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        phone = normalize_mobile(text_of(tracker))
        if phone and tracker.get_slot("requested_slot") == "applicant_phone":
            return {"applicant_phone": phone}
        return self._answer(tracker, "applicant_phone")

    async def extract_appointment_confirmed(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Yes / no / another time (the 换个时间 button sends /reschedule_appointment)."""
        if tracker.get_slot("requested_slot") != "appointment_confirmed":
            return {}
        intent = intent_of(tracker)
        if intent in NOT_AN_ANSWER or (intent not in ("affirm", "deny") and self._names_a_day(tracker)):
            return {}
        if intent == "reschedule_appointment" and tracker.get_slot("appointment_mode") != "cancel":
            return {"appointment_day": None, "appointment_slot": None, "appointment_confirmed": None}
        return {"appointment_confirmed": {"affirm": True, "deny": False}.get(intent)}
