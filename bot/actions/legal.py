"""Legal questions, answered from the curated knowledge and the statute index with citations,
then (outside a form) the offer to register the dispute the question is about."""

from __future__ import annotations

import asyncio
import json
import logging
from functools import lru_cache
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.channel import input_channel
from bot.actions.intake_story import (
    MAX_DESCRIPTION_CHARS,
    category_said,
    cjk_length,
    dispute_guess,
    story_events,
)
from integration.categories import CATEGORY_NAMES
from legal.answerer import LegalAnswerer

logger = logging.getLogger(__name__)
STORY_CHARS = 15  # a question this long describes the citizen's situation: kept for the intake
# While the consent notice is on screen the citizen is usually still telling the story, in
# pieces ("出了车祸把人撞伤" … "对方家属找我要钱，我要负责吗？"): shorter pieces count then.
CONSENT_STORY_CHARS = 10


@lru_cache(maxsize=1)
def legal_answerer() -> LegalAnswerer:
    """Load the index once per process (seconds of jieba work: always call it in an executor)."""
    return LegalAnswerer.load()


CHOICE_ENTITY = "legal_choice"
NONE_CHOSEN = "none"


async def answer_question(question: str) -> Any:
    """Answer off the event loop: loading and ranking are CPU-bound."""
    loop = asyncio.get_running_loop()
    answerer = await loop.run_in_executor(None, legal_answerer)
    return await loop.run_in_executor(None, answerer.answer, question)


async def answer_choice(entry_id: str) -> Any:
    """The curated answer the citizen chose among a clarification's options."""
    loop = asyncio.get_running_loop()
    answerer = await loop.run_in_executor(None, legal_answerer)
    return answerer.answer_entry(entry_id)


def chosen_entry(tracker: Tracker) -> str | None:
    """The option clicked (or said) after a clarification, from the button's payload."""
    for entity in tracker.latest_message.get("entities") or []:
        if entity.get("entity") == CHOICE_ENTITY and entity.get("value"):
            return str(entity["value"])
    return None


def choice_buttons(options: list[tuple[str, str]], none_title: str) -> list[dict[str, str]]:
    """One button per curated question, and the way out."""
    def payload(value: str) -> str:
        return "/ask_legal" + json.dumps({CHOICE_ENTITY: value}, ensure_ascii=False)

    buttons = [{"title": question, "payload": payload(entry_id)} for entry_id, question in options]
    return [*buttons, {"title": none_title, "payload": payload(NONE_CHOSEN)}]


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
        choice = chosen_entry(tracker)
        if choice == NONE_CHOSEN:
            dispatcher.utter_message(response="utter_legal_none_chosen")
            return []
        question = "" if choice else tracker.latest_message.get("text") or ""
        answer = await (answer_choice(choice) if choice else answer_question(question))
        logger.info(
            "legal answer for %s: kind=%s entry=%s score=%.2f",
            tracker.sender_id[-6:],
            answer.kind,
            answer.entry_id,
            answer.score,
        )
        # On the phone the short spoken form is read out; on screens the full text with citations.
        spoken = input_channel(tracker) == "phone"
        text = answer.spoken if spoken else answer.text
        in_form = bool((tracker.active_loop or {}).get("name"))
        if answer.kind == "clarify":
            none_title = domain_text(domain, "utter_legal_choice_none")
            dispatcher.utter_message(text=text, buttons=choice_buttons(answer.options, none_title))
            return self._keep_story(tracker, question)
        dispatcher.utter_message(text=text)
        if in_form:  # the form resumes, no second offer
            return self._keep_story(tracker, question)
        category = offered_category(tracker, answer)
        offer = f"dispute_{category}" if category else "report_dispute"
        dispatcher.utter_message(response="utter_offer_registration", offer_intent=offer)
        if choice:  # the story (if any) was kept with the question that led to the choice
            return [SlotSet("pending_category", category)]
        return [*self._keep_story(tracker, question), SlotSet("pending_category", category)]


    @staticmethod
    def _keep_story(tracker: Tracker, question: str) -> list[EventType]:
        """A situation told with the question is kept: as part of the story during the intake,
        else for the offer to register (also across a clarification)."""
        loop = (tracker.active_loop or {}).get("name")
        consent_pending = loop == "intake_form" and tracker.get_slot("requested_slot") == "privacy_consent"
        if cjk_length(question) < (CONSENT_STORY_CHARS if consent_pending else STORY_CHARS):
            return []
        if loop == "intake_form":
            if _about_another_dispute(tracker):  # "没签合同能要双倍工资吗" in a neighbour case
                return []
            return story_events(tracker, question)
        if loop:
            return []
        # a story told in pieces, each asked as a question, is kept whole for the offer
        earlier = str(tracker.get_slot("pending_story") or "")
        story = question if not earlier else earlier if question in earlier else f"{earlier}\n{question}"
        return [SlotSet("pending_story", story[:MAX_DESCRIPTION_CHARS])]


def domain_text(domain: dict[str, Any], response: str) -> str:
    """The first text variant of a domain response (Chinese text lives in the domain)."""
    variants = (domain.get("responses") or {}).get(response) or [{}]
    return str(variants[0].get("text") or "")


def _about_another_dispute(tracker: Tracker) -> bool:
    """The question is surely about another kind of dispute than the one being registered."""
    said = category_said(tracker)  # the same "sure category" the intake reads from a story
    registering = tracker.get_slot("category")
    # A sure "other" ("跟他说了他还骂我多管闲事，我能怎么办？" in a neighbour case) names no
    # other kind of dispute: it is the story going on.
    if not said or said == "other":
        return False
    return registering in CATEGORY_NAMES and registering not in (said, "other")
