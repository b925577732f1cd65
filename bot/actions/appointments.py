"""Actions of the appointment dialogue: start it, ask with buttons, read back before anything changes.

The form's validation is in `appointment_form`, the booking / cancelling / moving in `appointment_submit`.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.appointment_mediators import WISH_SLOTS, apply_wish
from bot.actions.appointment_offers import Choice, find_by, now_local, short_label
from bot.actions.services import case_system
from bot.actions.settings import settings
from integration.client import CaseRejected, CaseSystemUnavailable
from textnorm.datetime_zh import format_day, format_time, resolve, target_phrase
from textnorm.phone import normalize_mobile

logger = logging.getLogger(__name__)

# Every slot of one appointment flow; cleared when a flow starts and when it ends.
FLOW_SLOTS = (
    "appointment_mode",
    "appointment_institution",
    "appointment_institution_name",
    "appointment_day",
    "appointment_time_pref",
    "appointment_offers",
    "appointment_slot",
    "appointment_choices",
    "appointment_ref",
    "appointment_confirmed",
    "appointment_stop",
    *WISH_SLOTS,
)
_MODES = {"book_appointment": "book", "cancel_appointment": "cancel", "reschedule_appointment": "reschedule"}


def _payload(entity: str, value: str) -> str:
    return f'/inform{{"{entity}":"{value}"}}'


def choice_label(choice: Choice) -> str:
    """12月3日 上午9:00 人民调解委员会 郭明理"""
    return f"{short_label(choice['start'])} {choice['institution_name']} {choice['mediator_name']}"


class ActionStartAppointment(Action):
    """Set the mode from the intent and prefill what is already known (case, phone, a day in the message)."""

    def name(self) -> str:
        return "action_start_appointment"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        intent = (tracker.latest_message.get("intent") or {}).get("name") or ""
        mode = _MODES.get(intent, "book")
        text = tracker.latest_message.get("text") or ""
        events: list[EventType] = [SlotSet(slot, None) for slot in FLOW_SLOTS]
        events.append(SlotSet("appointment_mode", mode))
        phone = normalize_mobile(text)
        if phone:
            events.append(SlotSet("applicant_phone", phone))
        day_text = target_phrase(text)
        resolved = resolve(day_text, now_local())
        if mode != "cancel" and resolved is not None and resolved.date_explicit:
            events.append(SlotSet("appointment_day", day_text))  # validated when the form starts
        case_no = tracker.get_slot("case_no")
        if mode == "book" and case_no:
            events.extend(await self._from_case(tracker, case_no, known_phone=phone is not None))
        if mode == "book":  # a mediator asked for by name or specialty outweighs the case's institution
            wish = await apply_wish(dispatcher, tracker, text)
            events.extend(SlotSet(slot, value) for slot, value in wish.items())
        return events

    async def _from_case(self, tracker: Tracker, case_no: str, known_phone: bool) -> list[EventType]:
        """The citizen's case names the competent institution, and who they are."""
        try:
            case = await case_system().get_case(case_no)
        except (CaseRejected, CaseSystemUnavailable) as exc:
            logger.warning("appointment %s: case %s not read: %s", tracker.sender_id, case_no, exc)
            return []
        events: list[EventType] = []
        if case.institution_code:
            events.append(SlotSet("appointment_institution", case.institution_code))
            events.append(SlotSet("appointment_institution_name", case.institution_name))
        if not tracker.get_slot("applicant_name"):
            events.append(SlotSet("applicant_name", case.applicant_name))
        if not tracker.get_slot("applicant_phone") and not known_phone:
            events.append(SlotSet("applicant_phone", case.applicant_phone))
        return events


class ActionAskAppointmentSlot(Action):
    """Offer the free slots found for the day as buttons."""

    def name(self) -> str:
        return "action_ask_appointment_slot"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        offers = tracker.get_slot("appointment_offers") or []
        if not offers:
            dispatcher.utter_message(response="utter_ask_appointment_day")
            return [SlotSet("appointment_day", None), SlotSet("requested_slot", "appointment_day")]
        buttons = [
            {
                "title": f"{short_label(o['start'])} {o['mediator_name']}",
                "payload": _payload("appointment_slot", o["key"]),
            }
            for o in offers
        ]
        first = datetime.fromisoformat(offers[0]["start"])
        dispatcher.utter_message(
            response="utter_ask_appointment_slot", day_label=format_day(first.date()), buttons=buttons
        )
        return []


class ActionAskAppointmentRef(Action):
    """Which of the citizen's appointments to cancel or move, as buttons."""

    def name(self) -> str:
        return "action_ask_appointment_ref"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        choices: list[Choice] = tracker.get_slot("appointment_choices") or []
        buttons = [
            {"title": choice_label(c), "payload": _payload("appointment_ref", c["ref"])} for c in choices
        ]
        mode = tracker.get_slot("appointment_mode")
        response = (
            "utter_ask_appointment_ref_reschedule"
            if mode == "reschedule"
            else "utter_ask_appointment_ref_cancel"
        )
        dispatcher.utter_message(response=response, buttons=buttons)
        return []


class ActionAskAppointmentPhone(Action):
    """A phone to confirm a booking, or the phone the appointments were booked with."""

    def name(self) -> str:
        return "action_ask_appointment_form_applicant_phone"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        booking = tracker.get_slot("appointment_mode") in (None, "book")
        dispatcher.utter_message(
            response="utter_ask_appointment_phone_book" if booking else "utter_ask_appointment_phone_lookup"
        )
        return []


class ActionAskAppointmentConfirmed(Action):
    """Read back what will be booked, cancelled or moved, and ask for an explicit yes."""

    def name(self) -> str:
        return "action_ask_appointment_confirmed"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        mode = tracker.get_slot("appointment_mode") or "book"
        choice = find_by(tracker.get_slot("appointment_choices"), "ref", tracker.get_slot("appointment_ref"))
        if mode == "cancel" and choice is not None:
            dispatcher.utter_message(
                response="utter_appointment_confirm_cancel",
                appointment_label=choice_label(choice),
                ref=choice["ref"],
            )
            return []
        offer = find_by(tracker.get_slot("appointment_offers"), "key", tracker.get_slot("appointment_slot"))
        if offer is None:  # nothing chosen any more: choose again
            events = await ActionAskAppointmentSlot().run(dispatcher, tracker, domain)
            return [SlotSet("appointment_slot", None), SlotSet("requested_slot", "appointment_slot"), *events]
        start = datetime.fromisoformat(offer["start"])
        chosen = {
            "day_label": format_day(start.date()),
            "time_label": format_time(start.time()),
            "mediator_name": offer["mediator_name"],
        }
        if mode == "reschedule" and choice is not None:
            dispatcher.utter_message(
                response="utter_appointment_confirm_reschedule",
                old_label=choice_label(choice),
                ref=choice["ref"],
                **chosen,
            )
            return []
        center = settings()
        dispatcher.utter_message(
            response="utter_appointment_confirm_book",
            institution_name=tracker.get_slot("appointment_institution_name") or center.center_name,
            center_address=center.center_address,
            applicant_name=tracker.get_slot("applicant_name") or "",
            applicant_phone=tracker.get_slot("applicant_phone") or "",
            **chosen,
        )
        return []
