"""Load the curated knowledge file (knowledge.yml) into typed entries."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

import yaml

from legal.model import Citation, KnowledgeEntry
from legal.paths import SITUATIONS_FILE


class KnowledgeError(ValueError):
    """The knowledge file is malformed."""


def _date_str(value: Any) -> str:
    """YAML may parse 2010-08-28 as a date; citations carry ISO strings."""
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def _citation(raw: Any, entry_id: str) -> Citation:
    if not isinstance(raw, dict) or not {"law", "article", "version_date"} <= raw.keys():
        raise KnowledgeError(f"{entry_id}: citation needs law, article, version_date: {raw!r}")
    quote = raw.get("quote")
    return Citation(
        law=str(raw["law"]),
        article=int(raw["article"]),
        version_date=_date_str(raw["version_date"]),
        quote=str(quote) if quote is not None else None,
    )


def _strings(raw: Any, entry_id: str, name: str) -> tuple[str, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise KnowledgeError(f"{entry_id}: {name} must be a list")
    return tuple(str(item).strip() for item in raw if str(item).strip())


def parse_entry(raw: dict[str, Any]) -> KnowledgeEntry:
    """One YAML mapping -> :class:`KnowledgeEntry` (shape checks only)."""
    entry_id = str(raw.get("id", "")).strip()
    if not entry_id:
        raise KnowledgeError(f"entry without id: {raw!r}")
    questions = _strings(raw.get("questions"), entry_id, "questions")
    answer = str(raw.get("answer", "")).strip()
    spoken = str(raw.get("spoken", "")).strip()
    if not questions or not answer or not spoken:
        raise KnowledgeError(f"{entry_id}: questions, answer and spoken are required")
    citations = tuple(_citation(c, entry_id) for c in raw.get("citations") or [])
    return KnowledgeEntry(
        id=entry_id,
        topic=str(raw.get("topic", "")),
        questions=questions,
        answer=answer,
        spoken=spoken,
        citations=citations,
        keywords=_strings(raw.get("keywords"), entry_id, "keywords"),
        center_info=bool(raw.get("center_info", False)),
        category=str(raw.get("category") or "").strip(),
        next_step=str(raw.get("next_step") or "").strip(),
        deadline=str(raw.get("deadline") or "").strip(),
    )


def _read_yaml(path: Path) -> Any:
    # The C loader (libyaml) parses the same safe subset about five times faster.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(path.read_text(encoding="utf-8"), Loader=loader) or {}


def load_situations(path: Path) -> dict[str, tuple[str, ...]]:
    """Entry id -> the citizens' situations of ``situations.yml`` (missing file: none)."""
    if not path.is_file():
        return {}
    raw = _read_yaml(path).get("situations") or {}
    if not isinstance(raw, dict):
        raise KnowledgeError(f"{path.name}: situations must map entry ids to lists")
    return {str(key): _strings(value, str(key), "situations") for key, value in raw.items()}


def load_knowledge(path: Path) -> list[KnowledgeEntry]:
    """All entries of a knowledge file, each with its situations from ``situations.yml`` beside
    it; ids must be unique and every situation must belong to an entry."""
    data = _read_yaml(path)
    entries = [parse_entry(raw) for raw in data.get("entries") or []]
    ids = [e.id for e in entries]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise KnowledgeError(f"duplicate entry ids: {duplicates}")
    situations = load_situations(path.with_name(SITUATIONS_FILE))
    orphans = sorted(set(situations) - set(ids))
    if orphans:
        raise KnowledgeError(f"{SITUATIONS_FILE}: no entry with id {orphans}")
    return [
        dataclasses.replace(e, situations=situations[e.id]) if e.id in situations else e
        for e in entries
    ]
