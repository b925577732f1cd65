"""Turn slots and case-system records into the variables of the domain's responses."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from rasa_sdk import Tracker

from bot.actions.intake_form import ABSENT
from integration.categories import CATEGORY_NAMES
from integration.client import CaseView
from textnorm.mask import mask_id


def summary_kwargs(tracker: Tracker) -> dict[str, Any]:
    """Variables of `utter_intake_summary`."""
    category = tracker.get_slot("category") or "other"
    return {
        "category_name": CATEGORY_NAMES.get(category, CATEGORY_NAMES["other"]),
        "applicant_name": tracker.get_slot("applicant_name") or "",
        "applicant_phone": tracker.get_slot("applicant_phone") or "",
        "description": tracker.get_slot("description") or "",
        "respondent": _shown(tracker.get_slot("respondent"), str),
        "location": _shown(tracker.get_slot("location"), str),
        "amount_yuan": _shown(tracker.get_slot("amount_yuan"), str),
        "id_number": _shown(tracker.get_slot("id_number"), mask_id),
    }


def _shown(value: str | None, show: Callable[[str], str]) -> str:
    """A slot for the read-back: '—' when not given, else shown (ID numbers masked)."""
    return "—" if value in ABSENT else show(str(value))


def case_registered_kwargs(case: CaseView) -> dict[str, Any]:
    """Variables of `utter_case_registered`."""
    return {
        "case_no": case.case_no,
        "institution_name": case.institution_name or "中心",
        "contact_by": chinese_datetime(case.due.contact_by),
    }


def chinese_datetime(value: str) -> str:
    """'2026-11-27T00:30:00+08:00' → '11月27日 00:30' (the center's local time is in the value)."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    return f"{moment.month}月{moment.day}日 {moment:%H:%M}"
