"""Never trap a citizen in a form: one mechanism shared by every form (intake, appointment, progress).

The rule: no question is asked more than twice in a row in the same words.

- 1st miss (the answer did not fill the slot and nothing else moved on): the question is asked
  again, rephrased with an example or options (``ask_retry`` = "2" selects the domain's
  conditional variation of ``utter_ask_<slot>``).
- 2nd miss: an optional detail is recorded as not given and the form moves on; a required one
  is offered another way (``ask_retry`` = "3": buttons, the phone keypad, typing).
- 3rd miss on a required detail: the form stops (``form_stuck`` names the slot) and the form's
  end action hands the conversation to a person with the reason ("could not capture the phone
  number") in the hand-off packet.

A turn "moves on" when any form slot received a value (a correction of another detail, a story
kept during consent): the count starts again. Interruptions (a person, a legal question, safety)
are not misses: the validation returns nothing for them, so the form is rejected and the
dialogue's rules handle them.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, ClassVar

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions.channel import input_channel

REQUESTED_SLOT = "requested_slot"
MISSES_SLOT = "ask_misses"  # {"slot": <name>, "count": <misses in a row>}
RETRY_SLOT = "ask_retry"  # None | "2" (rephrased) | "3" (another way): picks the wording of the ask
STUCK_SLOT = "form_stuck"  # a required slot that could not be captured: the form ends, a person follows
CHANNEL_SLOT = "conversation_channel"  # web / phone / robot: picks the "another way" wording
BOOKKEEPING_SLOTS = frozenset({REQUESTED_SLOT, MISSES_SLOT, RETRY_SLOT, STUCK_SLOT, CHANNEL_SLOT})
# Intents that interrupt a form rather than answer it; the rules handle them.
INTERRUPTIONS = frozenset({"request_human", "safety_emergency", "ask_legal", "ask_center_info", "chitchat"})
REPHRASE_AFTER, MOVE_ON_AFTER, HAND_OFF_AFTER = 1, 2, 3


def misses_for(tracker: Tracker, slot: str) -> int:
    """How many times in a row the answer to ``slot`` was not usable."""
    state = tracker.get_slot(MISSES_SLOT)
    if isinstance(state, dict) and state.get("slot") == slot:
        return int(state.get("count") or 0)
    return 0


_TRANSPARENT_ACTIONS = {"action_listen", "action_extract_slots"}


def just_answered(tracker: Tracker, form: str) -> bool:
    """True when the form runs on a fresh citizen message (not when it resumes after an
    interruption was answered). Rasa runs the validation on a temporary tracker that ends in
    the form's own ``ActionExecuted``, so the latest action name cannot tell."""
    for event in reversed(tracker.events):
        kind = event.get("event")
        if kind == "user":
            return True
        if kind == "bot":
            return False
        if kind == "action" and event.get("name") not in _TRANSPARENT_ACTIONS | {form}:
            return False
    return False


def stuck_reason(slot: str) -> str:
    """The hand-off reason recorded in the packet when ``slot`` could not be captured."""
    return f"could_not_capture:{slot}"


class PatientFormValidation(FormValidationAction, ABC):
    """A form validation that counts misses per question and never asks a fourth time.

    Subclasses declare ``not_given``: for each optional slot, the value recorded when the
    citizen does not give it; every other requested slot is required.
    """

    not_given: ClassVar[dict[str, Any]] = {}

    @abstractmethod
    def name(self) -> str:
        """The action's name (``validate_<form>``)."""

    async def harvest(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Keep what the citizen said that answers something other than the question (hook)."""
        return []

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        requested = tracker.get_slot(REQUESTED_SLOT)
        before = dict(tracker.slots)
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        answering = (
            bool(requested)
            and (tracker.active_loop or {}).get("name") == self.form_name()
            and just_answered(tracker, self.form_name())
            and intent not in INTERRUPTIONS
        )
        kept: list[EventType] = await self.harvest(dispatcher, tracker, domain) if answering else []
        if answering and tracker.get_slot(CHANNEL_SLOT) != input_channel(tracker):
            kept.append(SlotSet(CHANNEL_SLOT, input_channel(tracker)))
        tracker.add_slots(kept)
        events = kept + await super().run(dispatcher, tracker, domain)
        if not answering:
            return events
        events = [e for e in events if e.get("name") != REQUESTED_SLOT]
        tracker.add_slots(events)
        events += self._patience(dispatcher, tracker, str(requested), _changed(before, events))
        tracker.add_slots(events)
        if tracker.get_slot(STUCK_SLOT):  # ends the form; its end action hands off with the reason
            return [*events, SlotSet(REQUESTED_SLOT, None)]
        required = await self.required_slots(self.domain_slots(domain), dispatcher, tracker, domain)
        following = next((slot for slot in required if tracker.get_slot(slot) is None), None)
        return [*events, SlotSet(REQUESTED_SLOT, following)]

    def _patience(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, slot: str, changed: dict[str, Any]
    ) -> list[EventType]:
        moved_on = any(name not in BOOKKEEPING_SLOTS and value is not None for name, value in changed.items())
        if moved_on or tracker.get_slot(slot) is not None:
            return [SlotSet(MISSES_SLOT, None), SlotSet(RETRY_SLOT, None)]
        count = misses_for(tracker, slot) + 1
        state = SlotSet(MISSES_SLOT, {"slot": slot, "count": count})
        if count >= MOVE_ON_AFTER and slot in self.not_given:
            dispatcher.utter_message(response="utter_detail_not_given")
            return [
                SlotSet(slot, self.not_given[slot]),
                SlotSet(MISSES_SLOT, None),
                SlotSet(RETRY_SLOT, None),
            ]
        if count >= HAND_OFF_AFTER:
            return [SlotSet(STUCK_SLOT, slot), SlotSet(MISSES_SLOT, None), SlotSet(RETRY_SLOT, None)]
        return [state, SlotSet(RETRY_SLOT, str(count + 1))]


def _changed(before: dict[str, Any], events: list[EventType]) -> dict[str, Any]:
    """Slots whose final value after ``events`` differs from ``before``."""
    final = {e.get("name"): e.get("value") for e in events if e.get("event") == "slot"}
    return {name: value for name, value in final.items() if before.get(name) != value}


def bookkeeping_reset() -> list[EventType]:
    """Clear the counters when a form starts or ends."""
    return [SlotSet(MISSES_SLOT, None), SlotSet(RETRY_SLOT, None), SlotSet(STUCK_SLOT, None)]
