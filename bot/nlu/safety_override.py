"""NLU component: messages that signal immediate danger are always classified as safety_emergency."""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from textnorm.safety import signals_danger

SAFETY_INTENT = "safety_emergency"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class SafetyOverride(GraphComponent):
    """Runs after the trained classifier; overrides it only when a danger pattern matches."""

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SafetyOverride:
        return cls()

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            current = (message.get(INTENT) or {}).get("name")
            if current == SAFETY_INTENT or not signals_danger(text):
                continue
            override = {"name": SAFETY_INTENT, "confidence": 1.0}
            ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != SAFETY_INTENT]
            message.set(INTENT, override, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [override, *ranking], add_to_output=True)
        return messages
