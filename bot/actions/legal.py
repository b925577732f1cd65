"""Legal questions, answered from the curated knowledge and the statute index with citations,
then (outside a form) the offer to register the dispute the question is about."""

from __future__ import annotations

import asyncio
import logging
from functools import lru_cache
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.channel import input_channel
from bot.actions.intake_story import cjk_length, dispute_guess, story_events
from integration.categories import CATEGORY_NAMES
from legal.answerer import LegalAnswerer

logger = logging.getLogger(__name__)
STORY_CHARS = 15  # a question this long describes the citizen's situation: kept for the intake


@lru_cache(maxsize=1)
def legal_answerer() -> LegalAnswerer:
    """Load the index once per process (seconds of jieba work: always call it in an executor)."""
    return LegalAnswerer.load()


async def answer_question(question: str) -> Any:
    """Answer off the event loop: loading and ranking are CPU-bound."""
    loop = asyncio.get_running_loop()
    answerer = await loop.run_in_executor(None, legal_answerer)
    return await loop.run_in_executor(None, answerer.answer, question)


def offered_category(tracker: Tracker, answer: Any) -> str | None:
    """The dispute the question is about: the NLU's confident guess, else the answer's topic."""
    guess = dispute_guess(tracker)
    if guess.get("confident") and guess.get("category") in CATEGORY_NAMES:
        return str(guess["category"])
    category = getattr(answer, "category", "") or ""
    return category if category in CATEGORY_NAMES and category != "other" else None


class ActionAnswerLegal(Action):
    """Answer with a cited curated entry, quoted articles, or an honest 'cannot answer reliably';
    then offer to register the dispute for mediation (question first, then the offer)."""

    def name(self) -> str:
        return "action_answer_legal"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        question = tracker.latest_message.get("text") or ""
        answer = await answer_question(question)
        logger.info(
            "legal answer for %s: kind=%s entry=%s score=%.2f",
            tracker.sender_id[-6:],
            answer.kind,
            answer.entry_id,
            answer.score,
        )
        # On the phone the short spoken form is read out; on screens the full text with citations.
        spoken = input_channel(tracker) == "phone"
        dispatcher.utter_message(text=answer.spoken if spoken else answer.text)
        if (tracker.active_loop or {}).get("name"):
            # in the middle of a form: the form resumes, no second offer; a situation told with
            # the question during the intake is kept as part of the story
            intake = (tracker.active_loop or {}).get("name") == "intake_form"
            return story_events(tracker, question) if intake and cjk_length(question) >= STORY_CHARS else []
        category = offered_category(tracker, answer)
        offer = f"dispute_{category}" if category else "report_dispute"
        dispatcher.utter_message(response="utter_offer_registration", offer_intent=offer)
        story = question if cjk_length(question) >= STORY_CHARS else None
        return [SlotSet("pending_story", story), SlotSet("pending_category", category)]
