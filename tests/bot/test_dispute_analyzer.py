"""The dispute analyzer's decisions, with a stand-in category model (no training needed)."""

from __future__ import annotations

from typing import Any

import pytest
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.dispute_analyzer import DisputeAnalyzer


class FixedModel:
    """Always the same ranking; ``threshold`` as calibrated."""

    def __init__(self, ranking: list[tuple[str, float]], threshold: float = 0.5) -> None:
        self.ranking, self.threshold = ranking, threshold

    def rank(self, text: str) -> list[tuple[str, float]]:
        return self.ranking


def analysed(
    text: str, intent: str, confidence: float, ranking: list[tuple[str, float]], fallback: bool = False
) -> dict[str, Any]:
    analyzer = DisputeAnalyzer({}, None, None, FixedModel(ranking))  # type: ignore[arg-type]
    ranked = [{"name": intent, "confidence": confidence}, {"name": "inform", "confidence": 0.1}]
    if fallback:
        ranked.insert(0, {"name": "nlu_fallback", "confidence": 0.55})
    message = Message(data={"text": text, "intent": ranked[0], "intent_ranking": ranked})
    analyzer.process([message])
    return {"intent": message.get("intent")["name"], **message.get("dispute")}


SURE = [("labour", 0.8), ("medical", 0.1), ("contract", 0.05)]
UNSURE = [("consumer", 0.35), ("contract", 0.3), ("property", 0.2)]


def test_a_narrative_thrown_away_by_the_fallback_is_rescued_with_its_category() -> None:
    result = analysed(
        "在工地上从脚手架上摔下来了，包工头不管医药费", "dispute_medical", 0.4, SURE, fallback=True
    )
    assert result["intent"] == "dispute_labour" and result["confident"]


def test_an_unsure_story_asks_with_the_likeliest_categories() -> None:
    result = analysed(
        "买车交了五千块定金，现在车行不退也不给车", "dispute_contract", 0.3, UNSURE, fallback=True
    )
    assert result["intent"] == "report_dispute"
    assert result["candidates"] == ["consumer", "contract", "property"]


def test_a_question_about_the_situation_goes_to_the_legal_answer() -> None:
    result = analysed("离婚后孩子归谁、抚养费怎么算", "dispute_family", 0.9, SURE)
    assert result["intent"] == "ask_legal" and result["kind"] == "question"


def test_a_clear_request_goes_to_intake_even_with_a_question_in_it() -> None:
    result = analysed("老板拖欠工资怎么办，我要申请调解", "ask_legal", 0.7, SURE)
    assert result["intent"] == "dispute_labour"


@pytest.mark.parametrize("intent", ["greet", "book_appointment", "ask_progress", "safety_emergency"])
def test_other_intents_are_left_alone(intent: str) -> None:
    assert analysed("我想预约下周三上午的调解员", intent, 0.9, SURE)["intent"] == intent


@pytest.mark.parametrize("text", ["🙂🙂🙂", "Hello, I have a problem with my landlord"])
def test_no_chinese_is_not_understood_in_chinese(text: str) -> None:
    assert analysed(text, "greet", 0.9, SURE)["intent"] == "nlu_fallback"


def test_button_payloads_are_untouched() -> None:
    assert analysed("/dispute_labour", "dispute_labour", 1.0, UNSURE)["intent"] == "dispute_labour"
