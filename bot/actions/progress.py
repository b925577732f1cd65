"""Case progress by case number and the phone's last four digits, by intake receipt number, or
by phone and name.

Case numbers are sequential (JF-2026-000123), so a number alone would tell anyone's progress:
it must come with the last four digits of the phone the case was registered with (or the
whole phone). A receipt number (RC- and 10 random hex digits, given when the intake was queued)
cannot be guessed and is enough by itself. A phone alone is never enough either. A mismatch
looks exactly like an unknown case, and repeated misses end in a hand-off through the shared
patience mechanism.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, replace
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions.handoff import hand_off_if_stuck
from bot.actions.patience import STUCK_SLOT, PatientFormValidation
from bot.actions.presenters import chinese_datetime
from bot.actions.receipts import tell_receipt
from bot.actions.services import case_system
from bot.actions.settings import settings
from integration.client import CaseNotFound, CaseSystemError, CaseView, find_receipt
from textnorm._numerals import to_halfwidth
from textnorm.case_no import CASE_NO_RE as _CASE_NO_TEXT_RE
from textnorm.case_no import find_case_no
from textnorm.name import extract_person_name
from textnorm.phone import normalize_mobile

logger = logging.getLogger(__name__)

# Pieces of "我叫张三，电话13800138000" that may hold a name: split at digits, punctuation, phone words.
_SEGMENT_RE = re.compile(r"[\s,，、;；。:：0-9]+|电话号码|手机号码|手机号|电话|手机|号码")
_TAIL_RE = re.compile(r"(?<!\d)(\d{4})(?!\d)")
TAIL_SLOT = "progress_phone_tail"



@dataclass(frozen=True)
class ProgressQuery:
    """What identifies the citizen's case."""

    case_no: str | None = None
    phone: str | None = None
    name: str | None = None
    phone_tail: str | None = None  # last four digits of the phone, with a case number
    receipt: str | None = None  # RC-…, given when the intake was queued

    @property
    def usable(self) -> bool:
        """Enough to start: a case number (its check digits may follow), a receipt, or phone and name."""
        return bool(self.case_no or self.receipt or (self.phone and self.name))

    @property
    def verifiable(self) -> bool:
        """Enough to tell the progress: the case number comes with the phone's last four."""
        if self.case_no:
            return bool(self.phone_tail)
        return bool(self.receipt or (self.phone and self.name))


def phone_tail(text: str) -> str | None:
    """The phone's last four digits in an answer: "0489", "尾号0489", or a whole mobile number."""
    digits = to_halfwidth(text)
    mobile = normalize_mobile(digits)
    if mobile:
        return mobile[-4:]
    found = _TAIL_RE.findall(digits)
    return found[-1] if len(found) == 1 else None


def parse_query(
    text: str, known_phone: str | None = None, known_name: str | None = None
) -> ProgressQuery:
    """A case number, or a phone and a name, from free text (slots fill what the text lacks)."""
    case_no = find_case_no(text)
    if case_no:
        rest = _CASE_NO_TEXT_RE.sub(" ", to_halfwidth(text))
        tail = phone_tail(rest) or (known_phone[-4:] if known_phone else None)
        return ProgressQuery(case_no=case_no, phone_tail=tail)
    receipt = find_receipt(text)
    if receipt:
        return ProgressQuery(receipt=receipt)
    phone = normalize_mobile(text) or known_phone
    name = next(filter(None, (extract_person_name(part) for part in _SEGMENT_RE.split(text) if part)), None)
    return ProgressQuery(phone=phone, name=name or known_name)


def query_from(tracker: Tracker) -> ProgressQuery:
    """The query from the form's slots (or the question itself when the form was skipped)."""
    text = tracker.get_slot("progress_query") or tracker.latest_message.get("text") or ""
    query = parse_query(text, tracker.get_slot("applicant_phone"), tracker.get_slot("applicant_name"))
    tail = tracker.get_slot(TAIL_SLOT)
    if query.case_no and not query.phone_tail and tail:
        return replace(query, phone_tail=str(tail))
    return query


class ValidateProgressForm(PatientFormValidation):
    """Skip the question when the citizen already said enough; re-ask when the answer is unusable."""

    def name(self) -> str:
        return "validate_progress_form"

    async def required_slots(
        self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[str]:
        if tracker.get_slot(STUCK_SLOT):
            return []
        query = query_from(tracker)
        if query.verifiable and (tracker.get_slot("progress_query") is None or query.case_no):
            return []
        if query.case_no and query.usable:
            return [slot for slot in domain_slots if slot != "progress_query"] or [TAIL_SLOT]
        return [slot for slot in domain_slots if slot != TAIL_SLOT]

    def validate_progress_query(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        query = parse_query(
            str(slot_value or ""), tracker.get_slot("applicant_phone"), tracker.get_slot("applicant_name")
        )
        if not query.usable:
            dispatcher.utter_message(response="utter_invalid_progress_query")
            return {"progress_query": None}
        return {"progress_query": str(slot_value)}

    def validate_progress_phone_tail(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        tail = phone_tail(str(slot_value or ""))
        if tail is None:
            dispatcher.utter_message(response="utter_invalid_progress_phone_tail")
            return {TAIL_SLOT: None}
        return {TAIL_SLOT: tail}


class ActionCaseProgress(Action):
    """Tell the status, the institution and the next deadline of the citizen's case(s)."""

    def name(self) -> str:
        return "action_case_progress"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        stuck = await hand_off_if_stuck(dispatcher, tracker)
        if stuck is not None:
            return [*_cleared(), *stuck]
        query = query_from(tracker)
        try:
            if query.receipt:
                found = await case_system().receipt_status(query.receipt)
                cases = [found.case] if tell_receipt(dispatcher, found) and found.case else []
                if not cases:
                    return _cleared()
            else:
                cases = await find(query)
        except CaseSystemError as exc:
            logger.error("progress lookup for %s failed: %s", tracker.sender_id, type(exc).__name__)
            dispatcher.utter_message(
                response="utter_progress_unavailable", center_hotline=settings().center_hotline
            )
            return _cleared()
        if not cases:
            dispatcher.utter_message(response="utter_case_not_found")
        for case in cases[:3]:
            status = "registered" if case.status == "received" else case.status
            dispatcher.utter_message(response=f"utter_progress_{status}", **progress_kwargs(case))
        return _cleared()


def _cleared() -> list[EventType]:
    return [SlotSet("progress_query", None), SlotSet(TAIL_SLOT, None)]


async def find(query: ProgressQuery) -> list[CaseView]:
    """Cases matching the query; a phone only finds the cases registered under the same name."""
    if query.case_no:
        if not query.phone_tail:
            return []
        try:
            case = await case_system().get_case(query.case_no)
        except CaseNotFound:
            return []
        if not case.applicant_phone.endswith(query.phone_tail):
            logger.info("progress of %s asked with a phone tail that does not match", case.case_no)
            return []
        return [case]
    if not (query.phone and query.name):
        return []
    cases = await case_system().find_cases(query.phone)
    return [c for c in cases if c.applicant_name == query.name]


def progress_kwargs(case: CaseView) -> dict[str, Any]:
    """Variables of the utter_progress_* responses."""
    return {
        "case_no": case.case_no,
        "category_name": case.category_name,
        "institution_name": case.institution_name or "中心",
        "contact_by": chinese_datetime(case.due.contact_by),
        "close_by": chinese_datetime(case.due.close_by),
        "follow_up_by": chinese_datetime(case.due.follow_up_by),
        "outcome_name": case.outcome_name or "",
    }
