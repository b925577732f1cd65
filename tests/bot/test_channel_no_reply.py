"""A turn that produced nothing tells the citizen the truth, unless a person paused the bot."""

from __future__ import annotations

from typing import Any

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ConversationPaused
from rasa.shared.core.trackers import DialogueStateTracker

from bot.channels.guarded_rest import TURN_FAILED, _no_reply

DOMAIN = Domain.load("bot/domain")


class Store:
    def __init__(self, tracker: DialogueStateTracker | None, broken: bool = False) -> None:
        self.tracker, self.broken = tracker, broken

    async def retrieve(self, sender: str) -> DialogueStateTracker | None:
        if self.broken:
            raise ConnectionError("tracker store down")
        return self.tracker


class Agent:
    def __init__(self, store: Store) -> None:
        self.tracker_store, self.domain = store, DOMAIN


def tracker(*events: Any) -> DialogueStateTracker:
    return DialogueStateTracker.from_events("web-abcdef123456", list(events), DOMAIN.slots)


def test_the_failure_text_is_in_the_domain() -> None:
    assert "出了点问题" in DOMAIN.responses[TURN_FAILED][0]["text"]


@pytest.mark.asyncio
async def test_silence_after_a_failed_action_is_an_apology() -> None:
    replies = await _no_reply(Agent(Store(tracker())), "web-abcdef123456")
    assert replies == [{"recipient_id": "web-abcdef123456", "text": DOMAIN.responses[TURN_FAILED][0]["text"]}]


@pytest.mark.asyncio
async def test_a_paused_conversation_stays_silent_for_the_person_who_took_it_over() -> None:
    assert await _no_reply(Agent(Store(tracker(ConversationPaused()))), "web-abcdef123456") == []


@pytest.mark.asyncio
async def test_a_broken_tracker_store_still_tells_the_citizen() -> None:
    replies = await _no_reply(Agent(Store(None, broken=True)), "web-abcdef123456")
    assert "出了点问题" in replies[0]["text"]
