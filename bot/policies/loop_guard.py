"""Dialogue-level guard: whatever a form or rule misses, the bot never says the same thing a
third time in a row.

When the bot's last two turns were word for word the same and a form was active (or the
citizen's two messages before them had the same intent), the next citizen message gets
``action_break_loop`` instead of a third repetition: it stops the form and offers a person.
It is a safety net under the per-question limits of ``bot.actions.patience``.
"""

from __future__ import annotations

from typing import Any

from rasa.core.policies.policy import Policy, PolicyPrediction
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.generator import TrackerWithCachedStates
from rasa.shared.core.trackers import DialogueStateTracker

BREAK_ACTION = "action_break_loop"
_TRANSPARENT = {ACTION_LISTEN_NAME, "action_extract_slots"}


def _turns(events: list[Any], wanted: int) -> list[tuple[str | None, str]]:
    """The last ``wanted`` complete (citizen intent, bot text) turns, oldest first."""
    turns: list[tuple[str | None, str]] = []
    texts: list[str] = []
    for event in reversed(events):
        if isinstance(event, BotUttered):
            texts.append(event.text or "")
        elif isinstance(event, UserUttered):
            if texts:
                turns.append((event.intent_name, "\n".join(reversed(texts))))
                if len(turns) == wanted:
                    break
            texts = []
    return list(reversed(turns))


def just_heard_citizen(tracker: DialogueStateTracker) -> bool:
    """True right after a citizen message, before any action answered it."""
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            return True
        if isinstance(event, ActionExecuted) and event.action_name not in _TRANSPARENT:
            return False
    return False


def looping(tracker: DialogueStateTracker) -> bool:
    """The bot's last two turns (before the current message) were identical."""
    if not just_heard_citizen(tracker):
        return False
    events = list(tracker.events)
    last_user = max(i for i, e in enumerate(events) if isinstance(e, UserUttered))
    turns = _turns(events[:last_user], 2)
    if len(turns) < 2 or not turns[0][1] or turns[0][1] != turns[1][1]:
        return False
    return bool(tracker.active_loop_name) or turns[0][0] == turns[1][0]


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=False)
class LoopGuardPolicy(Policy):
    """Predicts ``action_break_loop`` (then listening) when the bot is about to repeat itself."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"priority": 7}  # above RulePolicy (6): it must win over a form's next question

    def train(
        self, training_trackers: list[TrackerWithCachedStates], domain: Domain, **kwargs: Any
    ) -> Resource:
        return self._resource

    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        probabilities = self._default_predictions(domain)
        if tracker.latest_action_name == BREAK_ACTION:
            probabilities[domain.index_for_action(ACTION_LISTEN_NAME)] = 1.0
        elif BREAK_ACTION in domain.action_names_or_texts and looping(tracker):
            probabilities[domain.index_for_action(BREAK_ACTION)] = 1.0
        return self._prediction(probabilities)

    def _metadata(self) -> dict[str, Any]:
        return {}

    @classmethod
    def _metadata_filename(cls) -> str:
        return "loop_guard_policy.json"
