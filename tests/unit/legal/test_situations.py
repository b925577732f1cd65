"""Citizens' situations (situations.yml): loaded onto their entries, and written apart from the
evaluation sets — no situation is a near-copy of a held-out question."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from legal.knowledge import KnowledgeError, load_knowledge
from legal.paths import DATA_DIR, KNOWLEDGE_FILE, SITUATIONS_FILE

ENTRY = """
entries:
- id: wage_arrears
  topic: 工资
  questions: [老板拖欠工资怎么办]
  answer: 可以申请劳动仲裁。
  spoken: 可以申请劳动仲裁。
"""


def _write(tmp_path: Path, situations: str | None) -> Path:
    (tmp_path / KNOWLEDGE_FILE).write_text(ENTRY, encoding="utf-8")
    if situations is not None:
        (tmp_path / SITUATIONS_FILE).write_text(situations, encoding="utf-8")
    return tmp_path / KNOWLEDGE_FILE


def test_situations_join_their_entry(tmp_path: Path) -> None:
    path = _write(tmp_path, "situations:\n  wage_arrears: [俺在工地干了半年老板一分钱没给咋办]\n")
    (entry,) = load_knowledge(path)
    assert entry.situations == ("俺在工地干了半年老板一分钱没给咋办",)


def test_without_a_situations_file_entries_have_none(tmp_path: Path) -> None:
    (entry,) = load_knowledge(_write(tmp_path, None))
    assert entry.situations == ()


def test_a_situation_for_no_entry_is_an_error(tmp_path: Path) -> None:
    path = _write(tmp_path, "situations:\n  no_such_entry: [随便说说]\n")
    with pytest.raises(KnowledgeError, match="no_such_entry"):
        load_knowledge(path)


def _grams(text: str) -> set[str]:
    chars = [c for c in text if "\u4e00" <= c <= "\u9fff"]
    return {"".join(chars[i : i + 3]) for i in range(len(chars) - 2)}


def _heldout_questions() -> list[str]:
    out: list[str] = []
    for name in ("heldout_citizen_questions.yml", "heldout_questions.yml"):
        data = yaml.safe_load((DATA_DIR / name).read_text(encoding="utf-8")) or {}
        out += [str(q["q"]) for q in data.get("questions") or []]
    return out


def test_no_shipped_situation_copies_a_heldout_question() -> None:
    """Situations are indexed; the held-out sets must stay unseen. A situation sharing most of
    its character trigrams with a held-out question would be a leak."""
    shipped = [s for e in load_knowledge(DATA_DIR / KNOWLEDGE_FILE) for s in e.situations]
    assert len(shipped) >= 1000
    heldout = [_grams(q) for q in _heldout_questions()]
    leaks = []
    for situation in shipped:
        mine = _grams(situation)
        if len(mine) < 6:
            continue
        overlap = max(len(mine & theirs) / len(mine) for theirs in heldout)
        if overlap > 0.5:
            leaks.append((situation, round(overlap, 2)))
    assert leaks == []
