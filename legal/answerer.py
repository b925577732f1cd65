"""LegalAnswerer: curated answer, else quoted articles, else an honest abstention.

Nothing is built at import time. ``LegalAnswerer.load()`` reads the shipped data and the
article tokens precomputed by ``python -m legal.build`` and builds the article BM25 index
(well under a second); the jieba dictionary and the small curated-entry index are prepared
in a background thread that the first question waits for if it is not done yet.
``answer()`` is then a few milliseconds.

Decision (all thresholds tuned on dev_questions.yml + dev_colloquial.yml together):
answer with the best curated entry when its confidence (weighted share of the question's
informative words it covers) reaches ``entry`` AND it is clearly ahead of the runner-up
entry (no other candidate has a higher confidence, and the confidence lead is at least
``margin`` or the ranking-score lead at least ``rank_margin``); else, if no
entry matches at all, quote articles whose confidence reaches ``article``; else abstain and
offer a person / 12348.
"""

from __future__ import annotations

import contextlib
import threading
from dataclasses import dataclass
from pathlib import Path

from legal import render
from legal.dense import DenseIndex, article_passage, embed_passages, embed_queries, load_vectors, save_vectors
from legal.guards import check_question
from legal.hybrid import Candidate, Fusion, query_texts, rank_articles, rank_entries
from legal.index import StatuteIndex
from legal.knowledge import load_knowledge
from legal.model import Article, Hit, KnowledgeEntry, LegalAnswer
from legal.paths import (
    ARTICLE_VECTORS_FILE,
    DATA_DIR,
    ENTRY_VECTORS_FILE,
    FILLERS_FILE,
    KNOWLEDGE_FILE,
    STATUTES_FILE,
    SYNONYMS_FILE,
    TOKENS_FILE,
    USERDICT_FILE,
)
from legal.retrieval import Bm25Corpus, EntryCorpus, EntryDoc, EntryScoring, Scored
from legal.settings import LegalSettings
from legal.textproc import TextProcessor
from legal.tokens import article_text, fingerprint, read_tokens


@dataclass(frozen=True)
class Thresholds:
    """Minimum confidence to answer; tuned on dev_questions.yml + dev_colloquial.yml."""

    entry: float = 0.35  # confidence of the best curated entry
    article: float = 0.9  # confidence of a quoted article (only when no entry matches)
    max_articles: int = 2
    margin: float = 0.1  # the best entry must lead the runner-up's confidence by this …
    rank_margin: float = 0.3  # … or its ranking score (confidence + relative BM25) by this


CANDIDATES = 3  # entries compared for the margin (same in ``answer`` and ``ranked``)


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
        article_tokens: list[list[str]] | None = None,
        background: bool = False,
        data_dir: Path | None = None,
        dense: bool | None = None,
    ) -> None:
        self.entries = {e.id: e for e in entries}
        self.index = index
        self.text = text
        self.thresholds = thresholds or Thresholds()
        self.scoring = EntryScoring()
        self._articles = {article_id(a): a for a in index}
        docs = article_tokens or [text.tokens(article_text(a)) for a in index]
        self._article_corpus = Bm25Corpus(list(self._articles), docs)
        self._entry_list = list(entries)
        self._entry_index: EntryCorpus | None = None
        self._data_dir = data_dir
        # dense retrieval (e5) unless LEGAL_DENSE=false (e.g. a CPU without AVX2): lexical only then
        self.dense = dense if dense is not None else LegalSettings.from_env().dense
        self.fusion = Fusion()
        self._entry_dense: DenseIndex | None = None
        self._article_dense: DenseIndex | None = None
        self._lock = threading.Lock()
        if background:
            threading.Thread(target=self._prepare_quietly, name="legal-warmup", daemon=True).start()
        else:
            self._prepare()

    @classmethod
    def load(
        cls, data_dir: Path | None = None, thresholds: Thresholds | None = None, dense: bool | None = None
    ) -> LegalAnswerer:
        """Read the shipped data (default ``legal/data``) and build the indexes (``dense=False``:
        the lexical ranking alone, as on a CPU without AVX2 or with ``LEGAL_DENSE=false``)."""
        root = data_dir or DATA_DIR
        text = TextProcessor.from_files(
            root / USERDICT_FILE, root / SYNONYMS_FILE, root / FILLERS_FILE
        )
        entries = load_knowledge(root / KNOWLEDGE_FILE)
        index = StatuteIndex.read(root / STATUTES_FILE)
        header = fingerprint(root / STATUTES_FILE, root / USERDICT_FILE)
        tokens = read_tokens(root / TOKENS_FILE, index.articles, header)
        return cls(
            entries, index, text, thresholds,
            article_tokens=tokens, background=True, data_dir=root, dense=dense,
        )

    def _prepare(self) -> EntryCorpus:
        """Load jieba and index the curated entries (once; later callers wait for it)."""
        with self._lock:
            if self._entry_index is None:
                self.text.prepare()
                docs = [self._entry_doc(e) for e in self._entry_list]
                self._entry_index = EntryCorpus(
                    docs, self.scoring, statute_words=self._article_corpus.vocabulary
                )
                if self.dense:
                    self._entry_dense, self._article_dense = self._dense_indexes()
            return self._entry_index

    def _dense_indexes(self) -> tuple[DenseIndex, DenseIndex]:
        """Vectors of the curated questions and the articles: shipped, else computed now."""
        owners, texts = entry_texts(self._entry_list)
        root = self._data_dir
        entry_vectors = load_vectors(root / ENTRY_VECTORS_FILE, texts) if root else None
        if entry_vectors is None:
            entry_vectors = embed_queries(texts)
        ids, passages = article_passages(self.index)
        article_vectors = load_vectors(root / ARTICLE_VECTORS_FILE, passages) if root else None
        if article_vectors is None:
            article_vectors = embed_passages(passages)
        return DenseIndex(owners, entry_vectors), DenseIndex(ids, article_vectors)

    def _prepare_quietly(self) -> None:
        # A failure here is not lost: the first question calls _prepare again and raises.
        with contextlib.suppress(Exception):
            self._prepare()

    def _entry_doc(self, entry: KnowledgeEntry) -> EntryDoc:
        questions = [self.text.tokens(q) for q in entry.questions]
        questions.append(self.text.tokens(" ".join((entry.topic, *entry.keywords))))
        keywords = []
        for keyword in (entry.topic, *entry.keywords):
            words = self.text.words(keyword)
            keywords.append((words, [t for w in words for t in self.text.subwords(w)]))
        return EntryDoc(entry.id, tuple(questions), self.text.tokens(entry.answer), tuple(keywords))

    @property
    def entry_index(self) -> EntryCorpus:
        return self._entry_index or self._prepare()

    def _search(self, question: str, k: int) -> tuple[list[Scored], list[Scored]]:
        entry_index = self.entry_index
        query = self.text.query_groups(question)
        return entry_index.search(query, k), self._article_corpus.search(query, k)

    def _confident_entry(self, entries: list[Scored]) -> Scored | None:
        """The best entry if it is confident and clearly ahead of the runner-up."""
        th = self.thresholds
        if not entries or entries[0].confidence < th.entry:
            return None
        best, others = entries[0], entries[1:CANDIDATES]
        lead = best.confidence - max((s.confidence for s in others), default=0.0)
        rank_lead = best.rank - max((s.rank for s in others), default=0.0)
        if lead < 0:  # another candidate covers more of the question: too close to call
            return None
        return best if lead >= th.margin or rank_lead >= th.rank_margin else None

    def ranked(self, question: str, k: int = 3) -> list[Hit]:
        """Candidates in the order ``answer`` would use them (passing ones first)."""
        entries, articles = self._search(check_question(question).text, max(k, CANDIDATES))
        th = self.thresholds
        confident = self._confident_entry(entries)
        quotable = not entries or entries[0].confidence < th.entry  # as in ``answer``
        hits = [Hit("entry", s.owner, s.score, s.confidence, s is confident) for s in entries[:k]]
        hits += [
            Hit("article", s.owner, s.score, s.confidence, quotable and s.confidence >= th.article)
            for s in articles[:k]
        ]

        def order(hit: Hit) -> tuple[int, float]:
            limit = th.entry if hit.kind == "entry" else th.article
            first = 0 if hit.passes and hit.kind == "entry" else 1 if hit.passes else 2
            return (first, -hit.confidence / limit)

        return sorted(hits, key=order)[:k]

    def hybrid(self, question: str, k: int = 3) -> tuple[list[Candidate], list[Candidate]]:
        """Entries and articles by fused (dense + lexical) score, best first."""
        self.entry_index  # noqa: B018 - waits for the background preparation
        assert self._entry_dense is not None and self._article_dense is not None
        query = self.text.query_groups(question)
        vector = embed_queries(query_texts(question, self.text.legal_terms(question)))
        entries = rank_entries(vector, query, self._entry_dense, self.entry_index, self.fusion, k)
        articles = rank_articles(
            vector, query, self._article_dense, self._article_corpus, self._articles, self.fusion, k
        )
        return entries, articles

    def answer(self, question: str) -> LegalAnswer:
        """The best answer for a citizen's question; never raises on odd input."""
        checked = check_question(question)
        if checked.problem == "empty":
            return render.abstain("empty", render.EMPTY_TEXT, render.EMPTY_TEXT)
        if checked.problem == "not_chinese":
            return render.abstain("not_chinese", render.NOT_CHINESE_TEXT, render.ABSTAIN_SPOKEN)
        if self.dense:
            return self._answer_hybrid(checked.text, checked.prediction)
        th = self.thresholds
        entries, articles = self._search(checked.text, max(th.max_articles, CANDIDATES))
        best = self._confident_entry(entries)
        if checked.prediction:
            entry = self.entries[best.owner] if best else None
            return render.prediction(entry, best.confidence if best else 0.0)
        if best is not None:
            return render.curated(self.entries[best.owner], best.confidence)
        # Articles only for questions no curated topic matches: when entries match but are
        # too close to call, a person is better than a possibly off-target quotation.
        entry_matched = bool(entries) and entries[0].confidence >= th.entry
        passing = [] if entry_matched else [
            s for s in articles[: th.max_articles] if s.confidence >= th.article
        ]
        if passing:
            found = [self._articles[s.owner] for s in passing]
            return render.articles(found, passing[0].confidence)
        return render.abstain("low_confidence")

    def _answer_hybrid(self, text: str, prediction: bool) -> LegalAnswer:
        fusion = self.fusion
        entries, articles = self.hybrid(text, max(CANDIDATES, fusion.agreement_articles))
        top = entries[0] if entries else None
        accepted = top is not None and self._accept(top, articles)
        best = top if accepted and not self._close_call(entries) else None
        if prediction:
            entry = self.entries[top.owner] if top and accepted else None
            return render.prediction(entry, top.fused if top and accepted else 0.0)
        if best is not None:
            return render.curated(self.entries[best.owner], best.fused)
        options = [
            self.entries[c.owner] for c in entries[: fusion.clarify_options]
            if c.fused >= fusion.clarify_threshold and c.cosine >= fusion.clarify_cosine_min
        ]
        if options:
            return render.clarify(options, options[0].category)
        quotable = [
            a for a in articles[: self.thresholds.max_articles]
            if a.fused >= fusion.article_threshold and a.lexical >= fusion.article_lexical_min
        ]
        if quotable:
            return render.articles([self._articles[a.owner] for a in quotable], quotable[0].fused)
        near = self.entries[entries[0].owner].category if entries else ""
        return render.abstain("low_confidence", category=near)

    def answer_entry(self, entry_id: str) -> LegalAnswer:
        """The curated answer the citizen chose after a clarification (unknown id: abstain)."""
        entry = self.entries.get(entry_id)
        if entry is None:
            return render.abstain("unknown_choice")
        return render.curated(entry, 1.0)

    def _close_call(self, entries: list[Candidate]) -> bool:
        """The runner-up is about as likely as the best and rests on other articles."""
        if len(entries) < 2:
            return False
        first, second = entries[0], entries[1]
        if first.fused - second.fused >= self.fusion.margin:
            return False
        cites = [{f"{c.law}#{c.article}" for c in self.entries[e.owner].citations} for e in (first, second)]
        return not (cites[0] & cites[1])

    def _accept(self, entry: Candidate, articles: list[Candidate]) -> bool:
        """The best entry answers when it is sure, or nearly sure and the independent article
        search finds one of the articles the entry cites (two retrievals agree)."""
        fusion = self.fusion
        if entry.fused >= fusion.entry_threshold:
            return True
        if entry.fused < fusion.agreement_threshold:
            return False
        cites = {f"{c.law}#{c.article}" for c in self.entries[entry.owner].citations}
        return any(a.owner in cites for a in articles[: fusion.agreement_articles])


def entry_texts(entries: list[KnowledgeEntry]) -> tuple[list[str], list[str]]:
    """(owner, text) rows embedded for the curated entries: each question, topic + keywords, and
    each situation a citizen tells."""
    owners: list[str] = []
    texts: list[str] = []
    for entry in entries:
        for text in (*entry.questions, " ".join((entry.topic, *entry.keywords)), *entry.situations):
            owners.append(entry.id)
            texts.append(text)
    return owners, texts


def article_passages(index: StatuteIndex) -> tuple[list[str], list[str]]:
    """(article id, passage) rows embedded for the statute articles."""
    ids = [article_id(a) for a in index]
    return ids, [article_passage(a.short, a.chapter, a.text) for a in index]


def write_vectors(data_dir: Path) -> None:
    """Compute and ship the entry and article vectors of ``data_dir`` (``python -m legal.build``)."""
    entries = load_knowledge(data_dir / KNOWLEDGE_FILE)
    _, texts = entry_texts(entries)
    if load_vectors(data_dir / ENTRY_VECTORS_FILE, texts) is None:  # unchanged inputs: kept
        save_vectors(data_dir / ENTRY_VECTORS_FILE, embed_queries(texts), texts)
    _, passages = article_passages(StatuteIndex.read(data_dir / STATUTES_FILE))
    if load_vectors(data_dir / ARTICLE_VECTORS_FILE, passages) is None:
        save_vectors(data_dir / ARTICLE_VECTORS_FILE, embed_passages(passages), passages)
