from __future__ import annotations

from pathlib import Path

import pytest

from legal.build import build_text
from legal.index import StatuteIndex
from legal.paths import DATA_DIR, STATUTES_FILE, default_laws_dir
from legal.statutes import parse_dir, parse_file

LAWS = default_laws_dir()
needs_laws = pytest.mark.skipif(not LAWS.is_dir(), reason=f"{LAWS} not present")


@needs_laws
def test_people_mediation_law() -> None:
    articles = parse_file(LAWS / "人民调解法(2010-08-28).md")
    assert [a.article for a in articles] == list(range(1, 36))
    fourth = articles[3]
    assert fourth.law == "中华人民共和国人民调解法"
    assert fourth.article_cn == "第四条"
    assert fourth.version_date == "2010-08-28"
    assert fourth.version_source == "filename"
    assert fourth.chapter == "第一章 总则"
    assert fourth.text == "人民调解委员会调解民间纠纷，不收取任何费用。"


@needs_laws
def test_civil_code_part_takes_date_from_header() -> None:
    articles = parse_file(LAWS / "民法典-合同编.md")
    first = articles[0]
    assert first.law == "中华人民共和国民法典"
    assert first.part == "合同编"
    assert first.version_date == "2020-05-28"
    assert first.version_source == "header"
    assert first.chapter.startswith("第一分编 通则 / 第一章")


@needs_laws
def test_multi_paragraph_article_and_invisible_characters() -> None:
    articles = {a.article: a for a in parse_file(LAWS / "民事诉讼法(2023-09-01).md")}
    assert "\u200b" not in articles[206].text
    assert articles[205].text.count("\n") == 2  # intro + two numbered items


@needs_laws
def test_every_law_is_numbered_without_gaps() -> None:
    index = StatuteIndex(parse_dir(LAWS))
    by_law: dict[tuple[str, str], list[int]] = {}
    for art in index:
        by_law.setdefault((art.law, art.version_date), []).append(art.article)
    for numbers in by_law.values():
        assert numbers == list(range(1, len(numbers) + 1))
    assert len(by_law[("中华人民共和国民法典", "2020-05-28")]) == 1260


@needs_laws
def test_committed_index_is_exactly_the_build_output() -> None:
    committed = (DATA_DIR / STATUTES_FILE).read_text(encoding="utf-8")
    assert committed == build_text(LAWS), "run: python -m legal.build"


def test_index_lookup_from_shipped_file() -> None:
    index = StatuteIndex.read(DATA_DIR / STATUTES_FILE)
    art = index.get("中华人民共和国劳动争议调解仲裁法", 53, "2007-12-29")
    assert art is not None and art.text.startswith("劳动争议仲裁不收费")
    assert index.get("中华人民共和国劳动争议调解仲裁法", 53, "2008-01-01") is None


def test_missing_dir_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        parse_dir(tmp_path)
