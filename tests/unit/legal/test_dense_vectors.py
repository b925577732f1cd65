"""The shipped e5 vectors match the shipped knowledge and statutes (rebuild with legal.build)."""

from __future__ import annotations

import numpy as np

from legal.answerer import article_passages, entry_texts
from legal.dense import DenseIndex, load_vectors
from legal.index import StatuteIndex
from legal.knowledge import load_knowledge
from legal.paths import ARTICLE_VECTORS_FILE, DATA_DIR, ENTRY_VECTORS_FILE, KNOWLEDGE_FILE, STATUTES_FILE


def test_shipped_vectors_match_their_inputs() -> None:
    _, texts = entry_texts(load_knowledge(DATA_DIR / KNOWLEDGE_FILE))
    assert load_vectors(DATA_DIR / ENTRY_VECTORS_FILE, texts) is not None, "run python -m legal.build"
    _, passages = article_passages(StatuteIndex.read(DATA_DIR / STATUTES_FILE))
    assert load_vectors(DATA_DIR / ARTICLE_VECTORS_FILE, passages) is not None, "run python -m legal.build"


def test_an_owner_scores_its_best_row() -> None:
    vectors = np.array([[1.0, 0.0], [0.0, 1.0], [0.6, 0.8]], dtype=np.float32)
    index = DenseIndex(["a", "a", "b"], vectors)
    assert index.scores(np.array([0.0, 1.0])) == {"a": 1.0, "b": 0.800000011920929}
    assert [owner for owner, _ in index.search(np.array([1.0, 0.0]), 1)] == ["a"]
