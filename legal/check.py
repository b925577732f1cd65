"""Build-time check of the curated knowledge against the statute index.

Fails when a cited article is missing from the index (law, article number and version
date must all match), when a quote is not an exact substring of the article text, when
a legal entry cites nothing or lacks a next step or dispute category, or when a spoken
variant is too long or omits its citation.
Usage: ``python -m legal.check [--data DIR]``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from integration.categories import CATEGORY_NAMES
from legal.index import StatuteIndex
from legal.knowledge import load_knowledge
from legal.model import KnowledgeEntry
from legal.paths import DATA_DIR, KNOWLEDGE_FILE, STATUTES_FILE

MAX_SPOKEN_CHARS = 80
_MARKUP = set("《》【】[]（）()*#<>")


def check_entry(entry: KnowledgeEntry, index: StatuteIndex) -> list[str]:
    """Problems of one entry; empty when it is sound."""
    problems: list[str] = []
    if not entry.citations and not entry.center_info:
        problems.append(f"{entry.id}: legal entry cites nothing (or mark center_info)")
    if entry.citations and entry.center_info:
        problems.append(f"{entry.id}: center_info entries must not cite law")
    for cit in entry.citations:
        article = index.get(cit.law, cit.article, cit.version_date)
        if article is None:
            versions = index.versions(cit.law)
            problems.append(f"{entry.id}: {cit.label} not in index (versions held: {versions})")
        elif cit.quote is not None and cit.quote not in article.text:
            problems.append(f"{entry.id}: quote not found verbatim in {cit.label}: {cit.quote}")
    problems.extend(_check_spoken(entry))
    problems.extend(_check_actionable(entry))
    return problems


def _check_actionable(entry: KnowledgeEntry) -> list[str]:
    """A legal answer must name the next step and the dispute category it offers to register."""
    if entry.center_info:
        return []
    problems: list[str] = []
    if not entry.next_step:
        problems.append(f"{entry.id}: legal entry needs next_step (where the citizen goes next)")
    if entry.category not in CATEGORY_NAMES:
        problems.append(f"{entry.id}: category must be one of {sorted(CATEGORY_NAMES)}")
    return problems


def _check_spoken(entry: KnowledgeEntry) -> list[str]:
    problems: list[str] = []
    if len(entry.spoken) > MAX_SPOKEN_CHARS:
        problems.append(f"{entry.id}: spoken is {len(entry.spoken)} chars (> {MAX_SPOKEN_CHARS})")
    if _MARKUP & set(entry.spoken):
        problems.append(f"{entry.id}: spoken contains brackets or markup")
    if entry.citations and not any(c.spoken in entry.spoken for c in entry.citations):
        wanted = entry.citations[0].spoken
        problems.append(f"{entry.id}: spoken must say a citation plainly, e.g. {wanted}")
    return problems


def check(data_dir: Path = DATA_DIR) -> list[str]:
    """All problems of the knowledge file in ``data_dir``."""
    index = StatuteIndex.read(data_dir / STATUTES_FILE)
    entries = load_knowledge(data_dir / KNOWLEDGE_FILE)
    return [problem for entry in entries for problem in check_entry(entry, index)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=DATA_DIR)
    args = parser.parse_args(argv)
    problems = check(args.data)
    for problem in problems:
        print(problem)
    count = len(load_knowledge(args.data / KNOWLEDGE_FILE))
    print(f"{count} entries, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
