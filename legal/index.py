"""The shipped statute index (statutes.jsonl): serialisation and lookup."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path

from legal.model import Article


def dumps(articles: Iterable[Article]) -> str:
    """Deterministic JSON Lines: one article per line, keys sorted, UTF-8 text."""
    lines = (json.dumps(a.to_json(), ensure_ascii=False, sort_keys=True) for a in articles)
    return "".join(line + "\n" for line in lines)


class StatuteIndex:
    """Articles keyed by (law title, version date, article number)."""

    def __init__(self, articles: Iterable[Article]) -> None:
        self.articles: list[Article] = list(articles)
        self._by_key = {(a.law, a.version_date, a.article): a for a in self.articles}

    @classmethod
    def read(cls, path: Path) -> StatuteIndex:
        with path.open(encoding="utf-8") as handle:
            return cls(Article.from_json(json.loads(line)) for line in handle if line.strip())

    def get(self, law: str, article: int, version_date: str) -> Article | None:
        return self._by_key.get((law, version_date, article))

    def versions(self, law: str) -> list[str]:
        """Version dates held for a law title."""
        return sorted({a.version_date for a in self.articles if a.law == law})

    def __iter__(self) -> Iterator[Article]:
        return iter(self.articles)

    def __len__(self) -> int:
        return len(self.articles)
