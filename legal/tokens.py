"""Precomputed article tokens (statute_tokens.txt), so loading needs no segmentation.

Segmenting 3,289 articles with jieba takes seconds; ``python -m legal.build`` does it once
and writes one line per article (``law#version#article<TAB>space-separated tokens``) after
a header that fingerprints its inputs: the statute index, the legal user dictionary, the
document-side stopwords and the jieba version. :func:`read_tokens` returns ``None`` when
the fingerprint does not match (then the answerer segments at load time, slower but
correct).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from pathlib import Path

import jieba

from legal.model import Article
from legal.textproc import STOPWORDS

FORMAT = "legal-statute-tokens/1"


def article_text(article: Article) -> str:
    """The text of an article that is indexed for retrieval."""
    return f"{article.short} {article.chapter} {article.text}"


def token_key(article: Article) -> str:
    return f"{article.law}#{article.version_date}#{article.article}"


def fingerprint(statutes: Path, userdict: Path) -> dict[str, str]:
    """What the tokens depend on: inputs, document-side stopwords and the jieba version."""

    def digest(path: Path) -> str:
        return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else "-"

    stopwords = " ".join(sorted(STOPWORDS)).encode("utf-8")
    return {
        "format": FORMAT,
        "jieba": str(jieba.__version__),
        "stopwords_sha256": hashlib.sha256(stopwords).hexdigest(),
        "statutes_sha256": digest(statutes),
        "userdict_sha256": digest(userdict),
    }


def dumps_tokens(
    articles: Iterable[Article], tokenize: Callable[[str], list[str]], header: dict[str, str]
) -> str:
    """Deterministic text: a JSON header line, then one line per article."""
    lines = [json.dumps(header, ensure_ascii=False, sort_keys=True)]
    for art in articles:
        lines.append(f"{token_key(art)}\t{' '.join(tokenize(article_text(art)))}")
    return "".join(line + "\n" for line in lines)


def read_tokens(
    path: Path, articles: list[Article], header: dict[str, str]
) -> list[list[str]] | None:
    """Tokens aligned with ``articles``, or ``None`` if missing, stale or misaligned."""
    if not path.exists():
        return None
    with path.open(encoding="utf-8") as handle:
        try:
            stored = json.loads(handle.readline())
        except ValueError:
            return None
        if stored != header:
            return None
        rows = [line.rstrip("\n").split("\t", 1) for line in handle]
    if len(rows) != len(articles):
        return None
    docs: list[list[str]] = []
    for art, row in zip(articles, rows, strict=True):
        if len(row) != 2 or row[0] != token_key(art):
            return None
        docs.append(row[1].split())
    return docs
