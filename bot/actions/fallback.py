"""What to do when the bot did not understand: rephrase once, then a person."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.handoff import request_handoff
from bot.actions.transcript import consecutive_fallbacks

HANDOFF_AFTER = 2  # failed understandings in a row


class ActionFallback(Action):
    """Ask to rephrase after the first miss; hand off after the second in a row."""

    def name(self) -> str:
        return "action_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        if consecutive_fallbacks(tracker) >= HANDOFF_AFTER:
            return await request_handoff(dispatcher, tracker, "not_understood")
        dispatcher.utter_message(response="utter_rephrase")
        return []
