"""Case progress by case number, or by phone and name (never by phone alone)."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions.handoff import hand_off_if_stuck
from bot.actions.patience import STUCK_SLOT, PatientFormValidation
from bot.actions.presenters import chinese_datetime
from bot.actions.services import case_system
from bot.actions.settings import settings
from integration.client import CaseNotFound, CaseSystemError, CaseView
from textnorm.case_no import find_case_no
from textnorm.name import extract_person_name
from textnorm.phone import normalize_mobile

logger = logging.getLogger(__name__)

# Pieces of "我叫张三，电话13800138000" that may hold a name: split at digits, punctuation, phone words.
_SEGMENT_RE = re.compile(r"[\s,，、;；。:：0-9]+|电话号码|手机号码|手机号|电话|手机|号码")



@dataclass(frozen=True)
class ProgressQuery:
    """What identifies the citizen's case."""

    case_no: str | None = None
    phone: str | None = None
    name: str | None = None

    @property
    def usable(self) -> bool:
        return bool(self.case_no or (self.phone and self.name))


def parse_query(
    text: str, known_phone: str | None = None, known_name: str | None = None
) -> ProgressQuery:
    """A case number, or a phone and a name, from free text (slots fill what the text lacks)."""
    case_no = find_case_no(text)
    if case_no:
        return ProgressQuery(case_no=case_no)
    phone = normalize_mobile(text) or known_phone
    name = next(filter(None, (extract_person_name(part) for part in _SEGMENT_RE.split(text) if part)), None)
    return ProgressQuery(phone=phone, name=name or known_name)


def query_from(tracker: Tracker) -> ProgressQuery:
    text = tracker.get_slot("progress_query") or tracker.latest_message.get("text") or ""
    return parse_query(text, tracker.get_slot("applicant_phone"), tracker.get_slot("applicant_name"))


class ValidateProgressForm(PatientFormValidation):
    """Skip the question when the citizen already said enough; re-ask when the answer is unusable."""

    def name(self) -> str:
        return "validate_progress_form"

    async def required_slots(
        self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[str]:
        if tracker.get_slot(STUCK_SLOT):
            return []
        if tracker.get_slot("progress_query") is None and query_from(tracker).usable:
            return []
        return domain_slots

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


class ActionCaseProgress(Action):
    """Tell the status, the institution and the next deadline of the citizen's case(s)."""

    def name(self) -> str:
        return "action_case_progress"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        stuck = await hand_off_if_stuck(dispatcher, tracker)
        if stuck is not None:
            return [SlotSet("progress_query", None), *stuck]
        query = query_from(tracker)
        try:
            cases = await find(query)
        except CaseSystemError as exc:
            logger.error("progress lookup for %s failed: %s", tracker.sender_id, type(exc).__name__)
            dispatcher.utter_message(
                response="utter_progress_unavailable", center_hotline=settings().center_hotline
            )
            return [SlotSet("progress_query", None)]
        if not cases:
            dispatcher.utter_message(response="utter_case_not_found")
        for case in cases[:3]:
            status = "registered" if case.status == "received" else case.status
            dispatcher.utter_message(response=f"utter_progress_{status}", **progress_kwargs(case))
        return [SlotSet("progress_query", None)]


async def find(query: ProgressQuery) -> list[CaseView]:
    """Cases matching the query; a phone only finds the cases registered under the same name."""
    if query.case_no:
        try:
            return [await case_system().get_case(query.case_no)]
        except CaseNotFound:
            return []
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
