"""Hand the conversation to a person, with everything collected so nobody has to ask again."""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.channel import input_channel
from bot.actions.patience import STUCK_SLOT, bookkeeping_reset
from bot.actions.services import case_system
from bot.actions.settings import settings
from bot.actions.transcript import consecutive_fallbacks, transcript_turns
from integration.client import CaseSystemError, HandoffQueued, HandoffRequest
from integration.handoff_vocab import SLOT_LABELS

logger = logging.getLogger(__name__)

COLLECTED_SLOTS = (
    "category", "description", "respondent", "location", "amount_yuan", "applicant_name",
    "applicant_phone", "case_no",
)


class ActionRequestHandoff(Action):
    """Flag the conversation for staff with a hand-off packet and tell the citizen what happens next."""

    def name(self) -> str:
        return "action_request_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        return await request_handoff(dispatcher, tracker, handoff_reason(tracker))


async def request_handoff(
    dispatcher: CollectingDispatcher, tracker: Tracker, reason: str, detail: str | None = None
) -> list[EventType]:
    """Send the packet to the case system and answer the citizen (shared by fallback and safety).

    ``detail``: the form question that could not be captured (reason ``not_captured``)."""
    center = settings()
    now = datetime.now(ZoneInfo(center.timezone))
    in_hours = center.hours.is_open(now)
    request = build_handoff(tracker, reason, callback=not in_hours, detail=detail)
    try:
        handoff_id = await case_system().request_handoff(
            request, idempotency_key=handoff_key(tracker, reason)
        )
    except HandoffQueued as queued:
        # Kept on disk and delivered when the case system is back: say so, never pretend a person is there.
        logger.warning("handoff for %s queued as %s", tracker.sender_id, queued.receipt_id)
        dispatcher.utter_message(response="utter_handoff_queued", center_hotline=center.center_hotline)
        return [SlotSet("handoff_status", "queued")]
    except CaseSystemError as exc:
        logger.error("handoff for %s failed: %s", tracker.sender_id, type(exc).__name__)
        dispatcher.utter_message(
            response="utter_handoff_failed",
            center_hotline=center.center_hotline,
            center_address=center.center_address,
        )
        return [SlotSet("handoff_status", "failed")]
    logger.info("handoff %s for %s (%s, urgent=%s)", handoff_id, tracker.sender_id, reason, request.urgent)
    if in_hours:
        dispatcher.utter_message(
            response="utter_handoff_in_hours",
            wait_minutes=center.handoff_wait_minutes,
            center_hotline=center.center_hotline,
        )
    else:
        phone = tracker.get_slot("applicant_phone")
        dispatcher.utter_message(
            response="utter_handoff_after_hours",
            office_hours=center.office_hours,
            callback_hint="回电给您" if phone else "通过本页面回复您（留下手机号可以电话回访）",
        )
    return [SlotSet("handoff_status", "requested")]


async def hand_off_if_stuck(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType] | None:
    """When a form ended because a required detail could not be captured, tell the citizen and
    hand off with that detail named in the packet; None when the form ended normally."""
    slot = tracker.get_slot(STUCK_SLOT)
    if not slot:
        return None
    logger.info("form for %s stopped: could not capture %s", tracker.sender_id, slot)
    dispatcher.utter_message(response="utter_not_captured")
    events = await request_handoff(dispatcher, tracker, "not_captured", detail=str(slot))
    return [*bookkeeping_reset(), *events]


def handoff_reason(tracker: Tracker) -> str:
    """safety / requested / not_understood, from what the citizen just said."""
    intent = (tracker.latest_message.get("intent") or {}).get("name")
    if intent == "safety_emergency":
        return "safety"
    if intent == "nlu_fallback" or consecutive_fallbacks(tracker) >= 2:
        return "not_understood"
    return "requested"


def build_handoff(
    tracker: Tracker, reason: str, callback: bool, detail: str | None = None
) -> HandoffRequest:
    """The packet staff see: reason, urgency, category, collected details and the transcript."""
    collected = {
        slot: str(value) for slot in COLLECTED_SLOTS if (value := tracker.get_slot(slot)) not in (None, "")
    }
    summary: str | None = collected.get("description")
    text = _REASON_TEXT[reason]
    if detail:
        collected["not_captured"] = detail
        text = f"{text}：{SLOT_LABELS.get(detail, detail)}"
    return HandoffRequest(
        conversation_id=tracker.sender_id,
        reason=text,
        summary=summary,
        phone=tracker.get_slot("applicant_phone"),
        case_no=tracker.get_slot("case_no"),
        reason_code=reason,
        urgent=reason == "safety",
        category=tracker.get_slot("category"),
        channel=input_channel(tracker),
        collected=collected,
        transcript=transcript_turns(tracker),
        callback_requested=callback,
    )


def handoff_key(tracker: Tracker, reason: str) -> str:
    """One hand-off per citizen message: a retried action call never makes a second one."""
    last_user: dict[str, Any] = next((e for e in reversed(tracker.events) if e.get("event") == "user"), {})
    material = f"{tracker.sender_id}\x1f{reason}\x1f{last_user.get('timestamp')}\x1f{last_user.get('text')}"
    return hashlib.sha256(material.encode("utf-8")).hexdigest()[:40]


_REASON_TEXT = {
    "safety": "安全风险：暴力、自伤或群体性事件苗头",
    "requested": "群众要求转人工",
    "not_understood": "连续两次未能理解群众的表达",
    "not_captured": "多次未能取得必要信息",
    "loop": "对话出现重复，机器人已停止追问",
}
