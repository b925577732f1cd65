"""End of the appointment form: book, cancel or move the appointment the citizen confirmed."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.appointment_offers import Offer, booking_key, find_by, reschedule_key
from bot.actions.appointments import FLOW_SLOTS, choice_label
from bot.actions.channel import input_channel
from bot.actions.handoff import hand_off_if_stuck
from bot.actions.services import case_system
from bot.actions.settings import settings
from bot.actions.sms import DECLINED_SLOT
from integration.client import AppointmentView, BookingRequest, CaseRejected, CaseSystemUnavailable
from textnorm.datetime_zh import format_day, format_time
from textnorm.mask import mask_phone

logger = logging.getLogger(__name__)

# Refusals that mean "this slot is gone": offer fresh slots instead of giving up.
_SLOT_GONE = {"slot_taken", "slot_unavailable"}


def _clear(**keep: Any) -> list[EventType]:
    return [SlotSet(slot, keep.get(slot)) for slot in FLOW_SLOTS]


def appointment_kwargs(appointment: AppointmentView) -> dict[str, Any]:
    """Variables of `utter_appointment_booked` / `utter_appointment_rescheduled`."""
    return {
        "ref": appointment.ref,
        "day_label": format_day(appointment.start.date()),
        "time_label": format_time(appointment.start.time()),
        "institution_name": appointment.institution_name,
        "mediator_name": appointment.mediator_name,
        "center_address": settings().center_address,
    }


def _texts_follow(dispatcher: CollectingDispatcher, tracker: Tracker, appointment: AppointmentView) -> None:
    """Say a text follows only when the case service queued one (``appointment.sms``)."""
    if appointment.sms is None:
        return
    phone = mask_phone(tracker.get_slot("applicant_phone") or "")
    with_reminder = appointment.sms == "confirmation_and_reminder"
    response = "utter_appointment_sms_and_reminder" if with_reminder else "utter_appointment_sms_follows"
    dispatcher.utter_message(response=response, phone_masked=phone)


class ActionSubmitAppointment(Action):
    """Carry out the confirmed booking, cancellation or move, and report it clearly."""

    def name(self) -> str:
        return "action_submit_appointment"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        if tracker.get_slot("appointment_stop"):
            return _clear()  # the citizen has been told why already
        stuck = await hand_off_if_stuck(dispatcher, tracker)
        if stuck is not None:
            return [*_clear(), *stuck]
        if tracker.get_slot("appointment_confirmed") is not True:
            dispatcher.utter_message(response="utter_appointment_not_done")
            return _clear()
        try:
            if tracker.get_slot("appointment_mode") == "cancel":
                return await self._cancel(dispatcher, tracker)
            return await self._book_or_move(dispatcher, tracker)
        except CaseSystemUnavailable:
            logger.error("appointment %s: case system unavailable at submit", tracker.sender_id)
            dispatcher.utter_message(
                response="utter_appointment_service_down", center_hotline=settings().center_hotline
            )
            return _clear()

    async def _cancel(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        ref = tracker.get_slot("appointment_ref")
        choice = find_by(tracker.get_slot("appointment_choices"), "ref", ref)
        try:
            appointment = await case_system().cancel(ref)
        except CaseRejected as exc:
            return self._rejected(dispatcher, tracker, exc)
        logger.info("appointment %s: cancelled %s", tracker.sender_id, ref)
        label = choice_label(choice) if choice else ""
        dispatcher.utter_message(response="utter_appointment_cancelled", ref=ref, appointment_label=label)
        _texts_follow(dispatcher, tracker, appointment)
        return _clear()

    async def _book_or_move(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        offer: Offer | None = find_by(
            tracker.get_slot("appointment_offers"), "key", tracker.get_slot("appointment_slot")
        )
        if offer is None:
            dispatcher.utter_message(response="utter_appointment_not_done")
            return _clear()
        start = datetime.fromisoformat(offer["start"])
        cases = case_system()
        try:
            if tracker.get_slot("appointment_mode") == "reschedule":
                ref = tracker.get_slot("appointment_ref")
                key = reschedule_key(tracker.sender_id, ref, offer["key"])
                appointment = await cases.reschedule(ref, start, key, mediator=offer["mediator"])
                response = "utter_appointment_rescheduled"
            else:
                booking = self._booking(tracker, offer, start)
                key = booking_key(tracker.sender_id, booking.institution, offer["key"], booking.phone)
                appointment = await cases.book(booking, key)
                response = "utter_appointment_booked"
        except CaseRejected as exc:
            if exc.code in _SLOT_GONE:
                logger.info(
                    "appointment %s: slot %s gone (%s), offering again",
                    tracker.sender_id,
                    offer["key"],
                    exc.code,
                )
                dispatcher.utter_message(response="utter_appointment_slot_taken")
                return [
                    SlotSet("appointment_slot", None),
                    SlotSet("appointment_confirmed", None),
                    SlotSet("appointment_offers", None),
                    FollowupAction("appointment_form"),
                ]
            return self._rejected(dispatcher, tracker, exc)
        logger.info(
            "appointment %s: %s via %s for %s",
            tracker.sender_id,
            appointment.ref,
            input_channel(tracker),
            mask_phone(tracker.get_slot("applicant_phone") or ""),
        )
        dispatcher.utter_message(response=response, **appointment_kwargs(appointment))
        _texts_follow(dispatcher, tracker, appointment)
        return _clear(appointment_ref=appointment.ref)

    @staticmethod
    def _booking(tracker: Tracker, offer: Offer, start: datetime) -> BookingRequest:
        return BookingRequest(
            institution=tracker.get_slot("appointment_institution") or "",
            mediator=offer["mediator"],
            start=start,
            name=tracker.get_slot("applicant_name") or "",
            phone=tracker.get_slot("applicant_phone") or "",
            case_no=tracker.get_slot("case_no"),
            notify_sms=tracker.get_slot(DECLINED_SLOT) is not True,
        )

    @staticmethod
    def _rejected(dispatcher: CollectingDispatcher, tracker: Tracker, exc: CaseRejected) -> list[EventType]:
        logger.warning("appointment %s rejected by case system: %s", tracker.sender_id, exc.code)
        dispatcher.utter_message(
            response="utter_appointment_rejected",
            reason=exc.message,
            center_hotline=settings().center_hotline,
        )
        return _clear()
