"""BM25 ranking (rank-bm25) plus an interpretable confidence in [0, 1].

A query is a list of term groups: one group per content word of the question, holding
the word and its synonym expansions. BM25 ranks documents over all terms. Confidence of
a document is the IDF-weighted share of groups it covers (a group is covered when the
document contains any of its terms). A word the corpus has never seen weighs as much as
a median word, so off-topic questions get a low confidence.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from rank_bm25 import BM25Okapi


@dataclass(frozen=True)
class Group:
    """One content word of a question: full-credit terms (the word, its synonyms) and
    half-credit terms (dictionary sub-words of the word)."""

    full: tuple[str, ...]
    partial: tuple[str, ...] = ()

    @property
    def terms(self) -> tuple[str, ...]:
        return self.full + self.partial


Query = list[Group]
PARTIAL_CREDIT = 0.5
COVERAGE_WEIGHT = 1.0  # ranking = coverage * weight + BM25 / best BM25 (tuned on dev)


@dataclass(frozen=True)
class Scored:
    """A document owner (entry id or article id) with its best raw score and confidence."""

    owner: str
    score: float
    confidence: float


class Bm25Corpus:
    """Documents that belong to owners; an owner's score is its best document's score."""

    def __init__(self, owners: Sequence[str], docs: Sequence[list[str]]) -> None:
        if len(owners) != len(docs) or not docs:
            raise ValueError("owners and docs must be non-empty and aligned")
        self._owners = list(owners)
        self._sets = [frozenset(d) for d in docs]
        self._bm25 = BM25Okapi([d or ["<empty>"] for d in docs])
        idf: dict[str, float] = self._bm25.idf
        self._idf = idf
        self._unknown_idf = statistics.median(idf.values()) if idf else 1.0

    def _weight(self, group: Group) -> float:
        return max(max(self._idf.get(group.full[0], self._unknown_idf), 0.0), 1e-3)

    def _credit(self, group: Group, doc: int) -> float:
        terms = self._sets[doc]
        if any(t in terms for t in group.full):
            return 1.0
        return PARTIAL_CREDIT if any(t in terms for t in group.partial) else 0.0

    def coverage(self, query: Query, doc: int) -> float:
        """IDF-weighted share of query groups the document covers."""
        weights = [self._weight(g) for g in query]
        covered = sum(w * self._credit(g, doc) for g, w in zip(query, weights, strict=True))
        return covered / sum(weights) if weights else 0.0

    def search(self, query: Query, k: int) -> list[Scored]:
        """Top ``k`` owners by coverage and relative BM25, best first."""
        terms = list(dict.fromkeys(t for group in query for t in group.terms))
        if not terms:
            return []
        scores = self._bm25.get_scores(terms)
        best: dict[str, tuple[float, int]] = {}
        for doc, (owner, score) in enumerate(zip(self._owners, scores, strict=True)):
            if score > best.get(owner, (0.0, -1))[0]:
                best[owner] = (float(score), doc)
        top = max((s for s, _ in best.values()), default=1.0) or 1.0
        scored = [Scored(o, s, self.coverage(query, d)) for o, (s, d) in best.items()]
        scored.sort(key=lambda x: (-(COVERAGE_WEIGHT * x.confidence + x.score / top), x.owner))
        return scored[:k]
