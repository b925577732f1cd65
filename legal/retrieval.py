"""BM25 ranking (rank-bm25) plus an interpretable confidence in [0, 1].

A query is a list of term groups: one group per content word of the question (filler
words removed), holding the word and its synonym expansions. BM25 ranks documents over
all terms. Confidence is the IDF-weighted share of the question's groups that a candidate
covers (a group is covered when the candidate contains any of its terms).

Two corpora use this:

- :class:`Bm25Corpus` (statute articles): an owner's confidence is that of its best
  document; a word the corpus has never seen weighs as much as a median word.
- :class:`EntryCorpus` (curated entries): an entry is judged as a whole -- its questions,
  topic and keywords give full credit, its answer text partial credit -- and weights are
  entry-level IDF. Words no entry knows (place names, people, small talk) weigh only a
  fraction of a median word, so that long colloquial questions are not punished for their
  context, while a question made only of such words still scores low.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Collection, Sequence
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

    @property
    def word(self) -> str:
        return self.full[0]


Query = list[Group]
PARTIAL_CREDIT = 0.5
COVERAGE_WEIGHT = 1.0  # ranking = coverage * weight + BM25 / best BM25 (tuned on dev)
CANDIDATES = 200  # owners (by BM25) whose coverage is computed


@dataclass(frozen=True)
class Scored:
    """A document owner (entry id or article id) with its best raw score and confidence."""

    owner: str
    score: float
    confidence: float
    rank: float = 0.0  # the ranking key (confidence + relative BM25 terms)


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
        self.vocabulary: Collection[str] = idf.keys()
        self._unknown_idf = statistics.median(idf.values()) if idf else 1.0

    def _weight(self, group: Group) -> float:
        return max(max(self._idf.get(group.word, self._unknown_idf), 0.0), 1e-3)

    def weight_of(self, group: Group) -> float:
        """The IDF weight of one question word in this corpus."""
        return self._weight(group)

    def coverage_of(self, owner: str, query: Query, weights: list[float] | None = None) -> float:
        """The best coverage of the question among the owner's documents."""
        if not hasattr(self, "_docs_of"):
            docs: dict[str, list[int]] = {}
            for doc, name in enumerate(self._owners):
                docs.setdefault(name, []).append(doc)
            self._docs_of = docs
        return max((self.coverage(query, d, weights) for d in self._docs_of.get(owner, [])), default=0.0)

    def _credit(self, group: Group, doc: int) -> float:
        terms = self._sets[doc]
        if any(t in terms for t in group.full):
            return 1.0
        return PARTIAL_CREDIT if any(t in terms for t in group.partial) else 0.0

    def coverage(self, query: Query, doc: int, weights: list[float] | None = None) -> float:
        """IDF-weighted share of query groups the document covers."""
        weights = weights if weights is not None else [self._weight(g) for g in query]
        covered = sum(w * self._credit(g, doc) for g, w in zip(query, weights, strict=True))
        return covered / sum(weights) if weights else 0.0

    def raw_scores(self, query: Query) -> dict[str, tuple[float, int]]:
        """Best BM25 score and document per owner (owners with a positive score)."""
        terms = list(dict.fromkeys(t for group in query for t in group.terms))
        if not terms:
            return {}
        scores = self._bm25.get_scores(terms)
        best: dict[str, tuple[float, int]] = {}
        for doc, (owner, score) in enumerate(zip(self._owners, scores, strict=True)):
            if score > best.get(owner, (0.0, -1))[0]:
                best[owner] = (float(score), doc)
        return best

    def search(self, query: Query, k: int) -> list[Scored]:
        """Top ``k`` owners by coverage and relative BM25, best first (coverage is computed
        for the :data:`CANDIDATES` best owners by BM25 only)."""
        best = self.raw_scores(query)
        top = max((s for s, _ in best.values()), default=1.0) or 1.0
        weights = [self._weight(g) for g in query]
        pool = sorted(best.items(), key=lambda x: (-x[1][0], x[0]))[:CANDIDATES]
        scored = [Scored(o, s, self.coverage(query, d, weights)) for o, (s, d) in pool]
        scored.sort(key=lambda x: (-(COVERAGE_WEIGHT * x.confidence + x.score / top), x.owner))
        return scored[:k]


@dataclass(frozen=True)
class EntryScoring:
    """Knobs of :class:`EntryCorpus` (tuned on the two dev sets, see bench/legal_eval.py)."""

    answer_credit: float = 0.5  # a word found only in the entry's answer text
    unknown_weight: float = 0.35  # a word no entry contains, as a share of the median IDF
    statute_word_weight: float = 1.0  # … unless the statutes use it (a legal concept no entry covers)
    single_char_weight: float = 0.5  # one-character words are ambiguous (打, 借, 退 …)
    bm25_weight: float = 1.0  # ranking = confidence + bm25_weight * BM25 / best BM25
    answer_bm25_weight: float = 0.3  # BM25 over answer texts, relative, added to ranking
    synonym_min_idf: bool = True  # weigh 老板 like 公司/用人单位, not like a rare word
    keyword_weight: float = 0.5  # share of the entry's own keywords the question mentions


@dataclass(frozen=True)
class EntryDoc:
    """What an entry offers for matching."""

    owner: str
    questions: tuple[list[str], ...]  # one token list per curated question, plus keywords
    answer: list[str]
    keywords: tuple[tuple[list[str], list[str]], ...] = ()  # (words, sub-words) per keyword


class EntryCorpus:
    """Curated entries ranked by BM25 and judged by whole-entry weighted coverage."""

    def __init__(
        self,
        docs: Sequence[EntryDoc],
        scoring: EntryScoring | None = None,
        statute_words: Collection[str] = frozenset(),
    ) -> None:
        if not docs:
            raise ValueError("no entries")
        self.scoring = scoring or EntryScoring()
        self._statute_words = statute_words
        self._owners = [d.owner for d in docs]
        self._questions = Bm25Corpus(
            [d.owner for d in docs for _ in d.questions], [q for d in docs for q in d.questions]
        )
        self._answers = BM25Okapi([d.answer or ["<empty>"] for d in docs])
        self._main = [frozenset(t for q in d.questions for t in q) for d in docs]
        self._text = [frozenset(d.answer) for d in docs]
        self._keywords = [d.keywords for d in docs]
        n = len(docs)
        df: dict[str, int] = {}
        for main, text in zip(self._main, self._text, strict=True):
            for term in main | text:
                df[term] = df.get(term, 0) + 1
        self._idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}
        self._median_idf = statistics.median(self._idf.values())

    def weight(self, group: Group) -> float:
        """How much a question word counts: entry-level IDF, damped for unknown/short words."""
        sc = self.scoring
        known = [self._idf[t] for t in group.full if t in self._idf]
        if known:  # a colloquial word weighs like its most common legal expansion
            idf = min(known) if sc.synonym_min_idf else known[0]
        else:
            share = sc.statute_word_weight if group.word in self._statute_words else sc.unknown_weight
            idf = share * self._median_idf
        if len(group.word) == 1:
            idf *= sc.single_char_weight
        return max(idf, 1e-3)

    def credit(self, group: Group, entry: int) -> float:
        """1 for a word in the entry's questions/keywords, less for sub-words or answer text."""
        main, text = self._main[entry], self._text[entry]
        if any(t in main for t in group.full):
            return 1.0
        best = PARTIAL_CREDIT if any(t in main for t in group.partial) else 0.0
        if any(t in text for t in group.full):
            best = max(best, self.scoring.answer_credit)
        elif any(t in text for t in group.partial):
            best = max(best, self.scoring.answer_credit * PARTIAL_CREDIT)
        return best

    def confidence(self, query: Query, entry: int, weights: list[float] | None = None) -> float:
        """Weighted share of the question's words the entry covers, in [0, 1]."""
        weights = weights if weights is not None else [self.weight(g) for g in query]
        total = sum(weights)
        covered = sum(w * self.credit(g, entry) for g, w in zip(query, weights, strict=True))
        return covered / total if total else 0.0

    def confidence_of(self, owner: str, query: Query, weights: list[float] | None = None) -> float:
        """:meth:`confidence` of the entry called ``owner`` (0 for an unknown owner)."""
        if not hasattr(self, "_index_of"):
            self._index_of = {name: i for i, name in enumerate(self._owners)}
        index = self._index_of.get(owner)
        return 0.0 if index is None else self.confidence(query, index, weights)

    def keyword_share(self, query: Query, entry: int) -> float:
        """Share of the entry's keywords the question mentions (the other direction of
        coverage: it separates sibling entries that cover the same question words)."""
        keywords = [k for k in self._keywords[entry] if k[0]]
        if not keywords:
            return 0.0
        full = {t for g in query for t in g.full}
        every = full | {t for g in query for t in g.partial}
        total = 0.0
        for words, subwords in keywords:
            if all(w in full for w in words):
                total += 1.0
            elif any(t in every for t in (*words, *subwords)):
                total += PARTIAL_CREDIT
        return total / len(keywords)

    def search(self, query: Query, k: int) -> list[Scored]:
        """Top ``k`` entries by confidence plus relative BM25, best first."""
        terms = list(dict.fromkeys(t for group in query for t in group.terms))
        if not terms:
            return []
        best = self._questions.raw_scores(query)
        top = max((s for s, _ in best.values()), default=0.0) or 1.0
        answer_scores = self._answers.get_scores(terms)
        top_answer = float(max(answer_scores)) or 1.0
        sc = self.scoring
        weights = [self.weight(g) for g in query]
        ranked: list[Scored] = []
        for i, owner in enumerate(self._owners):
            raw = best.get(owner, (0.0, -1))[0]
            answer_rel = float(answer_scores[i]) / top_answer
            if raw <= 0 and answer_rel <= 0:
                continue
            conf = self.confidence(query, i, weights)
            key = conf + sc.bm25_weight * raw / top + sc.answer_bm25_weight * answer_rel
            if sc.keyword_weight:
                key += sc.keyword_weight * self.keyword_share(query, i)
            ranked.append(Scored(owner, raw, conf, key))
        ranked.sort(key=lambda x: (-x.rank, x.owner))
        return ranked[:k]
