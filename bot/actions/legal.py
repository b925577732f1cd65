"""Legal questions, answered from the curated knowledge and the statute index with citations."""

from __future__ import annotations

import asyncio
import logging
from functools import lru_cache
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.intake import input_channel
from legal.answerer import LegalAnswerer

logger = logging.getLogger(__name__)


@lru_cache(maxsize=1)
def legal_answerer() -> LegalAnswerer:
    """Load the index once per process (seconds of jieba work: always call it in an executor)."""
    return LegalAnswerer.load()


async def answer_question(question: str) -> Any:
    """Answer off the event loop: loading and ranking are CPU-bound."""
    loop = asyncio.get_running_loop()
    answerer = await loop.run_in_executor(None, legal_answerer)
    return await loop.run_in_executor(None, answerer.answer, question)


class ActionAnswerLegal(Action):
    """Answer with a cited curated entry, quoted articles, or an honest 'cannot answer reliably'."""

    def name(self) -> str:
        return "action_answer_legal"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        question = tracker.latest_message.get("text") or ""
        answer = await answer_question(question)
        logger.info(
            "legal answer for %s: kind=%s entry=%s score=%.2f",
            tracker.sender_id,
            answer.kind,
            answer.entry_id,
            answer.score,
        )
        # On the phone the short spoken form is read out; on screens the full text with citations.
        spoken = input_channel(tracker) == "phone"
        dispatcher.utter_message(text=answer.spoken if spoken else answer.text)
        return []
