"""Validation of the intake form: consent, category, description, name, phone, confirmation."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from textnorm.mask import mask_phone
from textnorm.name import extract_person_name
from textnorm.phone import normalize_mobile

logger = logging.getLogger(__name__)

MIN_DESCRIPTION_CHARS = 6
MAX_DESCRIPTION_CHARS = 2000
_NAME_CORRECTION_MARKERS = ("姓名", "名字", "我叫", "叫我")
# Intents that interrupt the form rather than answer the question it asked.
_NOT_AN_ANSWER = {"request_human", "safety_emergency", "ask_legal", "ask_center_info", "chitchat"}


class ValidateIntakeForm(FormValidationAction):
    """Fills and checks the intake form's slots; re-asks helpfully on bad input."""

    def name(self) -> str:
        return "validate_intake_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        # A citizen who refuses consent gives no personal data: the form ends at once.
        if tracker.get_slot("privacy_consent") is False:
            return []
        return domain_slots

    async def extract_applicant_name(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Accept a name given out of turn (我叫… / 姓名是…), e.g. as a correction."""
        if tracker.get_slot("requested_slot") == "applicant_name":
            return {}  # the from_text mapping handles the direct answer
        text = tracker.latest_message.get("text") or ""
        if not any(marker in text for marker in _NAME_CORRECTION_MARKERS):
            return {}
        name = extract_person_name(text)
        return {"applicant_name": name} if name else {}

    async def extract_applicant_phone(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A mobile number anywhere in the message (spaces, dashes, spoken digits) fills the slot."""
        text = tracker.latest_message.get("text") or ""
        phone = normalize_mobile(text)
        if phone:
            return {"applicant_phone": phone}
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if tracker.get_slot("requested_slot") == "applicant_phone" and intent not in _NOT_AN_ANSWER:
            return {"applicant_phone": text}  # invalid: validation explains and asks again
        return {}

    def validate_description(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = str(slot_value or "").strip()
        if len(text) < MIN_DESCRIPTION_CHARS:
            dispatcher.utter_message(response="utter_invalid_description")
            return {"description": None}
        return {"description": text[:MAX_DESCRIPTION_CHARS]}

    def validate_applicant_name(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        name = extract_person_name(str(slot_value or ""))
        if name is None:
            dispatcher.utter_message(response="utter_invalid_applicant_name")
            return {"applicant_name": None}
        return {"applicant_name": name}

    def validate_applicant_phone(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        phone = normalize_mobile(str(slot_value or ""))
        if phone is None:
            dispatcher.utter_message(response="utter_invalid_applicant_phone")
            return {"applicant_phone": None}
        logger.info("intake %s: phone accepted %s", tracker.sender_id, mask_phone(phone))
        return {"applicant_phone": phone}

    def validate_intake_confirmed(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if slot_value is True:
            return {"intake_confirmed": True}
        # "No" means something is wrong: ask what, and read the summary back again afterwards.
        dispatcher.utter_message(response="utter_ask_correction")
        return {"intake_confirmed": None}

    def validate_privacy_consent(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return {"privacy_consent": bool(slot_value)}
