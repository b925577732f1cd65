"""The NLU safety backstop overrides the classifier only on danger patterns."""

from __future__ import annotations

from rasa.shared.nlu.training_data.message import Message

from bot.nlu.safety_override import SafetyOverride


def classified(text: str, intent: str) -> Message:
    ranking = [{"name": intent, "confidence": 0.8}, {"name": "safety_emergency", "confidence": 0.1}]
    return Message(
        data={"text": text, "intent": {"name": intent, "confidence": 0.8}, "intent_ranking": ranking}
    )


def test_danger_overrides_a_confident_wrong_intent() -> None:
    (message,) = SafetyOverride().process([classified("他现在拿着刀在砸我家门", "dispute_neighbour")])
    assert message.get("intent") == {"name": "safety_emergency", "confidence": 1.0}
    assert [r["name"] for r in message.get("intent_ranking")] == ["safety_emergency", "dispute_neighbour"]


def test_ordinary_messages_are_left_alone() -> None:
    (message,) = SafetyOverride().process([classified("楼上装修太吵了", "dispute_neighbour")])
    assert message.get("intent")["name"] == "dispute_neighbour"
