"""Validation of the intake form: consent, category, description, the other party, place,
amount, name, phone, optional ID number, confirmation."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any, ClassVar

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions.intake_story import (
    MAX_DESCRIPTION_CHARS,
    STORY_MIN_CHARS,
    cjk_length,
    explicit_no,
    explicit_yes,
    harvest_story,
)
from bot.actions.patience import INTERRUPTIONS, STUCK_SLOT, PatientFormValidation
from bot.actions.settings import settings
from bot.actions.sms import DECLINED_SLOT, declines_sms, only_declines_sms, without_sms_decline
from textnorm.amount import parse_amount_yuan
from textnorm.mask import mask_id, mask_phone
from textnorm.name import extract_person_name
from textnorm.nonanswer import classify_nonanswer, form_remark, looks_like_number
from textnorm.phone import normalize_mobile
from textnorm.resident_id import normalize_resident_id
from textnorm.script import to_simplified

logger = logging.getLogger(__name__)

MIN_DESCRIPTION_CHARS = 6
_NAME_CORRECTION_MARKERS = ("姓名", "名字", "我叫", "叫我")
# Intents that interrupt the form rather than answer the question it asked.
_NOT_AN_ANSWER = INTERRUPTIONS
# Categories where money is usually at stake: the amount is asked; elsewhere only kept if said.
MONEY_CATEGORIES = {"labour", "contract", "consumer", "traffic", "medical", "property"}
# Sentinels: no money involved; ID not given; a detail the citizen does not know or did not give.
NO_AMOUNT, ID_SKIPPED, NOT_GIVEN = "none", "skipped", "unknown"
ABSENT = (None, "", NO_AMOUNT, ID_SKIPPED, NOT_GIVEN)
_NO_MONEY_WORDS = ("没有", "不涉及", "没钱", "无", "不是钱", "没涉及", "不要钱", "不为钱")
MAX_PARTY_CHARS, MAX_PLACE_CHARS = 100, 200
PHONE_DIGITS, ID_DIGITS = 7, 15  # fewer digit-like characters: not an attempt at the number


# "不对，地点是…": a detail corrected out of turn, e.g. after the read-back.
_CORRECTION_MARKERS = {
    "respondent": ("对方是", "对方叫", "对方应该是", "对方改成", "对方改为"),
    "location": ("地点是", "地址是", "地点应该是", "地点改成", "地点改为"),
    "amount_yuan": ("金额是", "金额应该是", "金额改成", "金额改为", "钱数是"),
    "description": ("情况是", "经过是", "纠纷情况改成", "描述改成", "描述改为"),
}
_CORRECTION_RE = {
    slot: re.compile(rf"(?:{'|'.join(markers)})[:：\s]*(?P<value>.+?)[。.!！]*$")
    for slot, markers in _CORRECTION_MARKERS.items()
}


# "哈哈哈" (a greeting or chit-chat to the classifier) is laughter, not a person called 哈哈哈.
_OFF_TOPIC_INTENTS = frozenset({"greet", "chitchat", "out_of_scope"})


def _off_topic_name(tracker: Tracker) -> bool:
    """The answer to the name question is small talk: no person entity, no 我叫 / 姓名是."""
    message = tracker.latest_message
    intent = (message.get("intent") or {}).get("name")
    text = message.get("text") or ""
    has_person = any(e.get("entity") == "person" for e in message.get("entities") or [])
    return (intent in _OFF_TOPIC_INTENTS and not has_person
            and not any(marker in text for marker in _NAME_CORRECTION_MARKERS))


def corrected(tracker: Tracker, slot: str) -> str | None:
    """The new value when the citizen corrects `slot` while the form asks about something else."""
    if tracker.get_slot("requested_slot") == slot:
        return None
    match = _CORRECTION_RE[slot].search(tracker.latest_message.get("text") or "")
    return match.group("value").strip() if match else None


def answer_to(tracker: Tracker, slot: str) -> str | None:
    """The latest message when it answers the form's question for `slot` (not an interruption)."""
    intent = (tracker.latest_message.get("intent") or {}).get("name")
    if tracker.get_slot("requested_slot") != slot or intent in _NOT_AN_ANSWER:
        return None
    text = (tracker.latest_message.get("text") or "").strip()
    if only_declines_sms(text):
        return None  # "不要短信" answers no question; the form keeps it and asks again
    return without_sms_decline(text) if declines_sms(text) else text


OFF_TOPIC_CONFIDENCE = 0.9


def off_topic(tracker: Tracker, slot: str) -> bool:
    """The answer to ``slot``'s question is a sure request for something else ("帮我订个外卖",
    "帮我查一下快递") with no party or place in it: not an answer, so it is re-asked (and counted
    by the patience rule) instead of registered as the other party or the place."""
    message = tracker.latest_message
    intent = message.get("intent") or {}
    return (
        tracker.get_slot("requested_slot") == slot
        and intent.get("name") == "out_of_scope"
        and float(intent.get("confidence") or 0.0) >= OFF_TOPIC_CONFIDENCE
        and not message.get("entities")
    )


def asks_about_the_form(tracker: Tracker, text: str) -> bool:
    """The answer to a free-text question ("对方是谁", "在哪里") is a short question about the
    centre instead ("谁来调解 是律师吗"): never registered as the other party or the place. A
    real answer the NLU tagged (an entity) is kept."""
    return form_remark(text) == "about_form" and not tracker.latest_message.get("entities")


def free_text_detail(
    dispatcher: CollectingDispatcher, tracker: Tracker, slot: str, slot_value: Any, limit: int
) -> dict[str, Any]:
    """The other party or the place as said: "不知道" is recorded as not given; a request for
    something else or a question about the centre is re-asked, never recorded."""
    text = to_simplified(str(slot_value or "").strip())
    if text == NOT_GIVEN or classify_nonanswer(text):
        return {slot: NOT_GIVEN}
    if off_topic(tracker, slot):
        return {slot: None}
    if asks_about_the_form(tracker, text):
        dispatcher.utter_message(response="utter_question_after_intake")
        return {slot: None}
    return {slot: text[:limit] or None}


def found_or_answer(tracker: Tracker, slot: str, find: Callable[[str], str | None]) -> dict[str, Any]:
    """A value ``find`` recognises anywhere in the message (also out of turn, as a correction);
    else the raw answer when the form asks for ``slot``, which validation re-asks if it is bad."""
    value = find(tracker.latest_message.get("text") or "")
    if value:
        return {slot: value}
    answer = answer_to(tracker, slot)
    return {slot: answer} if answer is not None else {}


def answer_or_correction(tracker: Tracker, slot: str) -> dict[str, Any]:
    """The answer when the form asks for ``slot``, or "<slot>是…" said after the read-back."""
    value = answer_to(tracker, slot) or corrected(tracker, slot)
    return {slot: value} if value else {}


class ValidateIntakeForm(PatientFormValidation):
    """Fills and checks the intake form's slots; re-asks helpfully, never more than twice."""

    # optional details: what is recorded when the citizen does not give them
    # (the category falls back to "other": staff re-route it; the read-back still shows it)
    not_given: ClassVar[dict[str, Any]] = {
        "category": "other", "respondent": NOT_GIVEN, "location": NOT_GIVEN,
        "amount_yuan": NOT_GIVEN, "id_number": ID_SKIPPED,
    }

    def name(self) -> str:
        return "validate_intake_form"

    async def harvest(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """A story told during consent, mixed into an answer or given to another question is
        kept; so is "不要短信", said at any question (the intake then asks for no texts)."""
        events = harvest_story(dispatcher, tracker)
        text = tracker.latest_message.get("text") or ""
        if not declines_sms(text):
            return events
        if not tracker.get_slot(DECLINED_SLOT):
            dispatcher.utter_message(response="utter_sms_declined", center_hotline=settings().center_hotline)
            events.append(SlotSet(DECLINED_SLOT, True))
        if tracker.get_slot("requested_slot") == "privacy_consent":
            # "同意，但不要短信" is a yes to registering, whatever the classifier made of its
            # "不要"; "不要短信" alone answers nothing, so consent is asked again.
            yes = explicit_yes(without_sms_decline(text))
            events.append(SlotSet("privacy_consent", True if yes else None))
        return events

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        # A citizen who refuses consent gives no personal data: the form ends at once. Only a
        # refusal in words that say no: rasa-sdk asks this method which slots to validate *before*
        # validating, so a classifier's "no" ("通意", a misheard 同意) would otherwise end the form
        # without ever reaching validate_privacy_consent, which asks again.
        if tracker.get_slot(STUCK_SLOT):
            return []
        if tracker.get_slot("privacy_consent") is False and explicit_no(
            without_sms_decline(tracker.latest_message.get("text") or "")
        ):
            return []
        money = tracker.get_slot("category") in MONEY_CATEGORIES or tracker.get_slot("amount_yuan")
        return [slot for slot in domain_slots if money or slot != "amount_yuan"]

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
        return found_or_answer(tracker, "applicant_phone", normalize_mobile)

    async def extract_respondent(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return answer_or_correction(tracker, "respondent")

    async def extract_location(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return answer_or_correction(tracker, "location")

    async def extract_amount_yuan(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        answer = answer_to(tracker, "amount_yuan")
        if answer is None:
            answer = corrected(tracker, "amount_yuan")
        return {"amount_yuan": answer} if answer is not None else {}

    async def extract_description(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Only corrections: the direct answer is taken by the slot's from_text mapping."""
        value = corrected(tracker, "description")
        return {"description": value} if value else {}

    async def extract_id_number(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """An ID number given at any moment (also as a correction), or the answer when asked."""
        return found_or_answer(tracker, "id_number", normalize_resident_id)

    def validate_respondent(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return free_text_detail(dispatcher, tracker, "respondent", slot_value, MAX_PARTY_CHARS)

    def validate_location(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return free_text_detail(dispatcher, tracker, "location", slot_value, MAX_PLACE_CHARS)

    def validate_amount_yuan(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = to_simplified(str(slot_value or "").strip())
        if text in (NO_AMOUNT, NOT_GIVEN):
            return {"amount_yuan": text}
        # a story told at this question is read as one: only money counts, not 一块二一平
        amount = parse_amount_yuan(text, money_only=cjk_length(text) >= STORY_MIN_CHARS)
        if amount is not None:
            return {"amount_yuan": str(amount)}
        kind = classify_nonanswer(text)
        if kind in ("dont_know", "later"):
            return {"amount_yuan": NOT_GIVEN}
        if any(word in text for word in _NO_MONEY_WORDS) and len(text) <= 12:
            return {"amount_yuan": NO_AMOUNT}
        if kind == "decline":
            return {"amount_yuan": NOT_GIVEN}
        dispatcher.utter_message(response="utter_invalid_amount_yuan")
        return {"amount_yuan": None}

    def validate_id_number(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = to_simplified(str(slot_value or "").strip())
        if text == ID_SKIPPED or classify_nonanswer(text):
            return {"id_number": ID_SKIPPED}
        number = normalize_resident_id(text)
        if number is None:
            # Free text is never "an ID that fails the checksum": only a digit run is checked.
            digits = looks_like_number(text, ID_DIGITS)
            reply = "utter_invalid_id_number" if digits else "utter_id_number_optional"
            dispatcher.utter_message(response=reply)
            return {"id_number": None}
        logger.info("intake %s: ID accepted %s", tracker.sender_id, mask_id(number))
        return {"id_number": number}

    def validate_description(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = to_simplified(str(slot_value or "").strip())
        partial = tracker.get_slot("description_partial")
        remark = form_remark(text)
        if remark == "declines_id":  # "身份证号不想给" before it is asked: noted, not the story
            dispatcher.utter_message(response="utter_id_number_optional")
            return {"description": None, "id_number": ID_SKIPPED}
        if remark == "about_form":  # "一定要填吗", "需要我本人去现场吗": say why it is asked, keep nothing
            dispatcher.utter_message(response="utter_description_needed")
            return {"description": None}
        if partial and partial not in text:
            text = f"{partial}，{text}" if text else str(partial)
        if len(text) < MIN_DESCRIPTION_CHARS and not partial:
            # A short answer ("邻居家") is kept and completed by the next one, never thrown away.
            dispatcher.utter_message(response="utter_description_more")
            return {"description": None, "description_partial": text or None}
        return {"description": text[:MAX_DESCRIPTION_CHARS], "description_partial": None}

    def validate_applicant_name(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        name = extract_person_name(to_simplified(str(slot_value or "")))
        if name is None or _off_topic_name(tracker):
            dispatcher.utter_message(response="utter_invalid_applicant_name")
            return {"applicant_name": None}
        return {"applicant_name": name}

    def validate_applicant_phone(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = str(slot_value or "")
        phone = normalize_mobile(text)
        if phone is None:
            digits = looks_like_number(text, PHONE_DIGITS)
            reply = "utter_invalid_applicant_phone" if digits else "utter_phone_needed"
            dispatcher.utter_message(response=reply)
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
        if slot_value is None:  # "不要短信" alone: not an answer to the consent question
            return {"privacy_consent": None}
        text = without_sms_decline(tracker.latest_message.get("text") or "")
        if slot_value is True and not explicit_yes(text):
            return {"privacy_consent": None}  # not a clear yes: asked again (rephrased), never assumed
        if slot_value is False and not explicit_no(text):
            return {"privacy_consent": None}  # not a clear no either ("同一", a misheard 同意): asked again
        return {"privacy_consent": bool(slot_value)}
