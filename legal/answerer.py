"""LegalAnswerer: curated answer, else quoted articles, else an honest abstention.

Nothing is built at import time. ``LegalAnswerer.load()`` reads the shipped data and
builds the BM25 indexes (about a second); ``answer()`` is then a few milliseconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from legal import render
from legal.guards import check_question
from legal.index import StatuteIndex
from legal.knowledge import load_knowledge
from legal.model import Article, Hit, KnowledgeEntry, LegalAnswer
from legal.paths import (
    DATA_DIR,
    KNOWLEDGE_FILE,
    STATUTES_FILE,
    SYNONYMS_FILE,
    USERDICT_FILE,
)
from legal.retrieval import Bm25Corpus, Scored
from legal.textproc import TextProcessor


@dataclass(frozen=True)
class Thresholds:
    """Minimum confidence to answer; tuned on dev_questions.yml only."""

    entry: float = 0.4
    article: float = 0.8
    max_articles: int = 2


def article_id(article: Article) -> str:
    return f"{article.law}#{article.article}"


class LegalAnswerer:
    """Answers legal questions from curated entries and statute articles."""

    def __init__(
        self,
        entries: list[KnowledgeEntry],
        index: StatuteIndex,
        text: TextProcessor,
        thresholds: Thresholds | None = None,
    ) -> None:
        self.entries = {e.id: e for e in entries}
        self.index = index
        self.text = text
        self.thresholds = thresholds or Thresholds()
        self._articles = {article_id(a): a for a in index}
        self._entry_corpus = self._build_entry_corpus(entries)
        self._article_corpus = Bm25Corpus(
            list(self._articles),
            [text.tokens(f"{a.short} {a.chapter} {a.text}") for a in self._articles.values()],
        )

    @classmethod
    def load(cls, data_dir: Path | None = None, thresholds: Thresholds | None = None) -> LegalAnswerer:
        """Read the shipped data (default ``legal/data``) and build the indexes."""
        root = data_dir or DATA_DIR
        text = TextProcessor.from_files(root / USERDICT_FILE, root / SYNONYMS_FILE)
        entries = load_knowledge(root / KNOWLEDGE_FILE)
        return cls(entries, StatuteIndex.read(root / STATUTES_FILE), text, thresholds)

    def _build_entry_corpus(self, entries: list[KnowledgeEntry]) -> Bm25Corpus:
        owners: list[str] = []
        docs: list[list[str]] = []
        for entry in entries:
            for question in entry.questions:
                owners.append(entry.id)
                docs.append(self.text.tokens(question))
            owners.append(entry.id)
            docs.append(self.text.tokens(" ".join((entry.topic, *entry.keywords))))
        return Bm25Corpus(owners, docs)

    def _search(self, question: str, k: int) -> tuple[list[Scored], list[Scored]]:
        query = self.text.query_groups(question)
        return self._entry_corpus.search(query, k), self._article_corpus.search(query, k)

    def ranked(self, question: str, k: int = 3) -> list[Hit]:
        """Candidates in the order ``answer`` would use them (passing ones first)."""
        entries, articles = self._search(check_question(question).text, k)
        th = self.thresholds
        hits = [Hit("entry", s.owner, s.score, s.confidence, s.confidence >= th.entry) for s in entries]
        hits += [
            Hit("article", s.owner, s.score, s.confidence, s.confidence >= th.article)
            for s in articles
        ]

        def order(hit: Hit) -> tuple[int, float]:
            limit = th.entry if hit.kind == "entry" else th.article
            first = 0 if hit.passes and hit.kind == "entry" else 1 if hit.passes else 2
            return (first, -hit.confidence / limit)

        return sorted(hits, key=order)[:k]

    def answer(self, question: str) -> LegalAnswer:
        """The best answer for a citizen's question; never raises on odd input."""
        checked = check_question(question)
        if checked.problem == "empty":
            return render.abstain("empty", render.EMPTY_TEXT, render.EMPTY_TEXT)
        if checked.problem == "not_chinese":
            return render.abstain("not_chinese", render.NOT_CHINESE_TEXT, render.ABSTAIN_SPOKEN)
        entries, articles = self._search(checked.text, self.thresholds.max_articles)
        best = entries[0] if entries and entries[0].confidence >= self.thresholds.entry else None
        if checked.prediction:
            entry = self.entries[best.owner] if best else None
            return render.prediction(entry, best.confidence if best else 0.0)
        if best is not None:
            return render.curated(self.entries[best.owner], best.confidence)
        passing = [s for s in articles if s.confidence >= self.thresholds.article]
        if passing:
            found = [self._articles[s.owner] for s in passing]
            return render.articles(found, passing[0].confidence)
        return render.abstain("low_confidence")
