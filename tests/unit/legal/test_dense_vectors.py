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


def test_top_takes_each_owners_best_row_over_every_query() -> None:
    vectors = np.array([[1.0, 0.0], [0.0, 1.0], [0.6, 0.8], [0.8, 0.6]], dtype=np.float32)
    index = DenseIndex(["a", "a", "b", "c"], vectors)
    queries = np.array([[1.0, 0.0], [0.0, 1.0]], dtype=np.float32)
    assert [o for o, _ in index.top(queries, 3)] == ["a", "b", "c"]
    assert index.top(queries[0], 2) == [("a", 1.0), ("c", 0.800000011920929)]


def test_top_breaks_ties_by_owner_like_search() -> None:
    vectors = np.ones((5, 2), dtype=np.float32) / np.sqrt(2)
    index = DenseIndex(["e", "d", "c", "b", "a"], vectors)
    query = np.array([1.0, 0.0], dtype=np.float32)
    assert index.top(query, 2) == index.search(query, 2)
    assert [o for o, _ in index.top(query, 2)] == ["a", "b"]
