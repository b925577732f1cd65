from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from legal import check
from legal.paths import DATA_DIR, KNOWLEDGE_FILE, STATUTES_FILE

BAD_KNOWLEDGE = """
entries:
- id: wrong_quote
  questions: [人民调解收费吗]
  answer: 不收费。
  spoken: 不收费，依据人民调解法第四条。
  citations:
  - {law: 中华人民共和国人民调解法, article: 4, version_date: "2010-08-28", quote: 调解收费五十元}
- id: missing_article
  questions: [第九十九条说了什么]
  answer: 不存在。
  spoken: 依据人民调解法第九十九条。
  citations:
  - {law: 中华人民共和国人民调解法, article: 99, version_date: "2010-08-28"}
- id: wrong_version
  questions: [仲裁法]
  answer: 版本不对。
  spoken: 依据仲裁法第四条。
  citations:
  - {law: 中华人民共和国仲裁法, article: 4, version_date: "2025-09-12"}
- id: uncited
  questions: [没有依据]
  answer: 没有依据的法律回答。
  spoken: 没有依据。
  citations: []
"""


def test_shipped_knowledge_passes() -> None:
    assert check.check(DATA_DIR) == []
    assert check.main([]) == 0


@pytest.fixture
def bad_data(tmp_path: Path) -> Path:
    shutil.copy(DATA_DIR / STATUTES_FILE, tmp_path / STATUTES_FILE)
    (tmp_path / KNOWLEDGE_FILE).write_text(BAD_KNOWLEDGE, encoding="utf-8")
    return tmp_path


def test_wrong_citations_fail(bad_data: Path) -> None:
    problems = "\n".join(check.check(bad_data))
    assert "wrong_quote: quote not found verbatim" in problems
    assert "missing_article: 《中华人民共和国人民调解法》第九十九条" in problems
    assert "wrong_version" in problems and "2017-09-01" in problems
    assert "uncited: legal entry cites nothing" in problems
    assert check.main(["--data", str(bad_data)]) == 1


def test_enough_entries() -> None:
    from legal.knowledge import load_knowledge

    entries = load_knowledge(DATA_DIR / KNOWLEDGE_FILE)
    assert len(entries) >= 60
    assert all(len(e.questions) >= 2 for e in entries)
