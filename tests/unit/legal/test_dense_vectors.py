"""The shipped e5 vectors match the shipped knowledge and statutes (rebuild with legal.build)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from integration.envparse import SettingsError
from legal.answerer import article_passages, entry_texts
from legal.dense import DenseIndex, load_vectors
from legal.hybrid import query_texts, question_tail
from legal.index import StatuteIndex
from legal.knowledge import load_knowledge
from legal.paths import ARTICLE_VECTORS_FILE, DATA_DIR, ENTRY_VECTORS_FILE, KNOWLEDGE_FILE, STATUTES_FILE
from legal.settings import LegalSettings


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


def test_a_long_story_is_embedded_twice_with_the_legal_terms_beside_its_last_sentence() -> None:
    story = "我在工地干了三个月，包工头一直说月底结算，到了月底又说甲方没给钱，现在人都找不到了。" * 2
    story += "工资还能要回来吗"
    texts = query_texts(story, ["劳动报酬", "拖欠工资"])
    assert texts[0] == story and len(texts) == 2
    assert texts[1].endswith("（劳动报酬 拖欠工资）") and len(texts[1]) < 80  # within 128 tokens
    assert query_texts("押金不退怎么办", ["押金"]) == ["押金不退怎么办", "押金不退怎么办（押金）"]
    assert query_texts("押金不退怎么办", []) == ["押金不退怎么办"]
    assert query_texts(story, []) == [story, question_tail(story)]


def test_legal_settings_are_read_by_the_shared_parser() -> None:
    assert LegalSettings.from_env({}) == LegalSettings(dense=True, encoder_threads=2, laws_dir=None)
    env = {"LEGAL_DENSE": "off", "LEGAL_ENCODER_THREADS": "1", "LEGAL_LAWS_DIR": "/x"}
    custom = LegalSettings.from_env(env)
    assert custom == LegalSettings(dense=False, encoder_threads=1, laws_dir=Path("/x"))
    for bad in ({"LEGAL_DENSE": "maybe"}, {"LEGAL_ENCODER_THREADS": "two"}, {"LEGAL_ENCODER_THREADS": "0"}):
        with pytest.raises(SettingsError):
            LegalSettings.from_env(bad)
