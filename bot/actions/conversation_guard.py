"""Changing course: the category question with the likeliest options, and the loop breaker."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.handoff import request_handoff
from bot.actions.patience import RETRY_SLOT, bookkeeping_reset
from integration.categories import CATEGORY_NAMES

logger = logging.getLogger(__name__)


class ActionAskCategory(Action):
    """ "听起来是关于…的纠纷，对吗？" with the two or three likeliest categories when the NLU was
    unsure; the full list otherwise (and on a retry)."""

    def name(self) -> str:
        return "action_ask_category"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        candidates = [c for c in tracker.get_slot("category_candidates") or [] if c in CATEGORY_NAMES]
        if not candidates or tracker.get_slot(RETRY_SLOT):
            dispatcher.utter_message(response="utter_ask_category")
            return []
        shown = [*[c for c in candidates if c != "other"][:3], "other"]
        buttons = [{"title": CATEGORY_NAMES[c], "payload": f"/dispute_{c}"} for c in shown]
        options = "、".join(f"“{CATEGORY_NAMES[c]}”" for c in candidates[:2])
        dispatcher.utter_message(response="utter_ask_category_guess", options=options, buttons=buttons)
        return [SlotSet("category_candidates", None)]


class ActionBreakLoop(Action):
    """The bot was about to say the same thing a third time: stop, and offer a way out."""

    def name(self) -> str:
        return "action_break_loop"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        form = (tracker.active_loop or {}).get("name")
        logger.warning("loop guard fired for %s (form=%s)", tracker.sender_id[-6:], form)
        if not form:
            dispatcher.utter_message(response="utter_loop_options")
            return bookkeeping_reset()
        dispatcher.utter_message(response="utter_loop_detected")
        events = await request_handoff(dispatcher, tracker, "loop")
        return [ActiveLoop(None), SlotSet("requested_slot", None), *bookkeeping_reset(), *events]
