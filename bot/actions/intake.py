"""Actions around the intake form: start it with what the citizen already said, read back, submit."""

from __future__ import annotations

import hashlib
import logging
from decimal import Decimal
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.channel import input_channel
from bot.actions.handoff import hand_off_if_stuck
from bot.actions.intake_form import ABSENT
from bot.actions.intake_story import category_said, details_said, dispute_guess
from bot.actions.patience import bookkeeping_reset
from bot.actions.presenters import case_registered_kwargs, summary_kwargs
from bot.actions.services import case_system
from bot.actions.settings import settings
from bot.actions.sms import AVAILABLE_SLOT, DECLINED_SLOT, sms_enabled
from integration.client import CaseRejected, CaseSystemUnavailable, IntakeRequest
from textnorm.mask import mask_phone
from textnorm.name import extract_person_name
from textnorm.phone import normalize_mobile
from textnorm.script import to_simplified
from textnorm.speech_act import content_chars

logger = logging.getLogger(__name__)

# Callers and kiosk users cannot attach a photo of an IOU: they are told how materials reach the case.
_NO_UPLOAD_CHANNELS = ("phone", "robot")

_PER_INTAKE_SLOTS = ("intake_confirmed", "case_no", "intake_receipt")
# Details of one dispute: cleared after registration so a second dispute starts clean.
_PER_DISPUTE_SLOTS = ("category", "description", "respondent", "location", "amount_yuan")
# On voice channels a recogniser writes the sound of a name, not its characters (周建华 → 周健华):
# unless the caller spelt it ("建设的建", see voice/core/names.py), the case says so for staff.
NAME_UNCONFIRMED_NOTE = "（来电人姓名系语音识别所得，未经本人确认写法，首次联系时请核对。）"


class ActionStartIntake(Action):
    """Prefill the form from the message that opened it, so nothing is asked twice."""

    def name(self) -> str:
        return "action_start_intake"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        text = to_simplified((tracker.latest_message.get("text") or "").strip())
        intent = (tracker.latest_message.get("intent") or {}).get("name") or ""
        events: list[EventType] = [SlotSet(slot, None) for slot in _PER_INTAKE_SLOTS]
        events += bookkeeping_reset()
        events.append(SlotSet(AVAILABLE_SLOT, sms_enabled()))  # the consent notice's wording
        # "老板欠我工资三个月了" is a story, short as it is; "帮我登记一个纠纷" says nothing about it
        narrative = intent.startswith(("dispute_", "report_dispute")) and content_chars(text) >= 4
        # A story told with a legal question before the citizen accepted the offer to register.
        story = text if narrative else tracker.get_slot("pending_story")
        events.append(SlotSet("description", story))
        events.append(SlotSet("pending_story", None))
        events.append(SlotSet("description_partial", None))
        guess = dispute_guess(tracker)
        category = category_said(tracker) or tracker.get_slot("pending_category")
        if category:
            events.append(SlotSet("category", category))
        events.append(SlotSet("pending_category", None))
        events.append(SlotSet("category_candidates", guess.get("candidates") if not category else None))
        events.extend(SlotSet(slot, value) for slot, value in details_said(tracker, text, category).items())
        phone = normalize_mobile(text)
        if phone:
            events.append(SlotSet("applicant_phone", phone))
        if any(marker in text for marker in ("我叫", "我是", "姓名", "免贵姓")):
            name = extract_person_name(text.split("，")[0].split(",")[0])
            if name:
                events.append(SlotSet("applicant_name", name))
        return events


class ActionAskIntakeConfirmed(Action):
    """Read the collected details back before anything is created."""

    def name(self) -> str:
        return "action_ask_intake_confirmed"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        if tracker.get_slot("ask_retry"):  # asked again: say how to answer, never the same turn thrice
            dispatcher.utter_message(response="utter_intake_confirm_retry")
        dispatcher.utter_message(response="utter_intake_summary", **summary_kwargs(tracker))
        return []


class ActionSubmitCase(Action):
    """End of the intake form: register the case, or respect a refusal of consent."""

    def name(self) -> str:
        return "action_submit_case"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        if tracker.get_slot("privacy_consent") is False:
            center = settings()
            dispatcher.utter_message(
                response="utter_consent_refused",
                center_address=center.center_address,
                center_hotline=center.center_hotline,
            )
            return [SlotSet("privacy_consent", None)]
        stuck = await hand_off_if_stuck(dispatcher, tracker)
        if stuck is not None:
            return stuck
        if tracker.get_slot("intake_confirmed") is not True:
            dispatcher.utter_message(response="utter_intake_cancelled")
            return [SlotSet("intake_confirmed", None)]
        intake = build_intake(tracker)
        key = idempotency_key(tracker.sender_id, intake)
        try:
            outcome = await case_system().create_case(intake, idempotency_key=key)
        except CaseRejected as exc:
            logger.warning("intake %s rejected by case system: %s", tracker.sender_id, exc.code)
            dispatcher.utter_message(response="utter_case_rejected", reason=exc.message)
            return [SlotSet("intake_confirmed", None)]
        except CaseSystemUnavailable:
            logger.error("intake %s: case system and outbox both unavailable", tracker.sender_id)
            dispatcher.utter_message(response="utter_case_not_saved")
            return [SlotSet("intake_confirmed", None)]
        reset = [SlotSet(slot, None) for slot in (*_PER_DISPUTE_SLOTS, "intake_confirmed")]
        phone_masked = mask_phone(intake.applicant_phone)
        if outcome.case is not None:
            logger.info("intake %s registered as %s", tracker.sender_id, outcome.case.case_no)
            dispatcher.utter_message(response="utter_case_registered", **case_registered_kwargs(outcome.case))
            if outcome.case.sms_queued:  # the case service said so: never promised otherwise
                dispatcher.utter_message(response="utter_case_no_by_sms", phone_masked=phone_masked)
            if input_channel(tracker) in _NO_UPLOAD_CHANNELS:  # the web page has its own upload
                dispatcher.utter_message(
                    response="utter_evidence_without_upload",
                    case_no=outcome.case.case_no,
                    center_address=settings().center_address,
                )
            return [*reset, SlotSet("case_no", outcome.case.case_no)]
        logger.warning("intake %s queued in outbox as %s", tracker.sender_id, outcome.receipt_id)
        # Not registered yet: a text will follow only where the center sends texts and the citizen
        # did not decline them; the receipt number and the hotline always lead to the case number.
        texted = sms_enabled() and intake.notify_sms
        dispatcher.utter_message(
            response="utter_case_queued" if texted else "utter_case_queued_no_sms",
            intake_receipt=outcome.receipt_id,
            phone_masked=phone_masked,
            center_hotline=settings().center_hotline,
        )
        return [*reset, SlotSet("intake_receipt", outcome.receipt_id)]


def build_intake(tracker: Tracker) -> IntakeRequest:
    """The confirmed form as the case system's intake request."""
    description = tracker.get_slot("description") or ""
    if name_unconfirmed(tracker):
        description += NAME_UNCONFIRMED_NOTE
    return IntakeRequest(
        category=tracker.get_slot("category") or "other",
        description=description,
        applicant_name=tracker.get_slot("applicant_name") or "",
        applicant_phone=tracker.get_slot("applicant_phone") or "",
        respondents=[respondent] if (respondent := _given(tracker.get_slot("respondent"))) else [],
        location=_given(tracker.get_slot("location")),
        amount_yuan=_amount(tracker.get_slot("amount_yuan")),
        id_number=_id_number(tracker.get_slot("id_number")),
        channel=input_channel(tracker),
        conversation_id=tracker.sender_id,
        notify_sms=tracker.get_slot(DECLINED_SLOT) is not True,
    )


def name_unconfirmed(tracker: Tracker) -> bool:
    """True when the name came from speech and the caller did not spell its characters.

    The voice gateway marks every spoken turn ``metadata.input == "voice"`` and a spelt name
    ``metadata.voice_name.confirmed``; the message that last set the name decides.
    """
    name = tracker.get_slot("applicant_name")
    if not name:
        return False
    last_user: dict[str, Any] | None = None
    source: dict[str, Any] | None = None
    for event in tracker.events:
        if event.get("event") == "user":
            last_user = event
        elif event.get("event") == "slot" and event.get("name") == "applicant_name":
            source = last_user if event.get("value") == name else source
    metadata = (source or {}).get("metadata") or {}
    if not isinstance(metadata, dict) or metadata.get("input") != "voice":
        return False
    spelt = metadata.get("voice_name")
    return not (isinstance(spelt, dict) and spelt.get("confirmed") is True and spelt.get("name") == name)


def _amount(value: str | None) -> Decimal | None:
    return None if value in ABSENT else Decimal(str(value))


def _id_number(value: str | None) -> str | None:
    return None if value in ABSENT else value


def _given(value: str | None) -> str | None:
    """A detail as the case system stores it: None when the citizen did not give it."""
    return None if value in ABSENT else value


def idempotency_key(conversation_id: str, intake: IntakeRequest) -> str:
    """Same conversation and same confirmed content → same key, so a retry never makes two cases."""
    material = "\x1f".join(
        [conversation_id, intake.category, intake.description, intake.applicant_name, intake.applicant_phone]
    )
    return hashlib.sha256(material.encode("utf-8")).hexdigest()[:40]
