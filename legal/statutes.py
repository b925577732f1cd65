"""Parse the Markdown statute copies in shared/laws into :class:`Article` records.

File format (see the laws README): ``# title`` (民法典 parts add ``# 合同编``), header
lines, ``<!-- INFO END -->``, then ``##``/``###``/``####`` headings and paragraphs; an
article starts with a paragraph ``第X条 `` and runs until the next article or heading.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from legal.model import Article
from legal.numerals import cn_to_int

INFO_END = "<!-- INFO END -->"
_ARTICLE_RE = re.compile(r"^第([零〇一二三四五六七八九十百千]+)条[ \u3000]+(.*)$")
_HEADING_RE = re.compile(r"^(#{2,4})\s*(.*)$")
_FILE_DATE_RE = re.compile(r"\((\d{4}-\d{2}-\d{2})\)$")
_CN_DATE_RE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")
_INVISIBLE = str.maketrans("", "", "\u200b\ufeff")  # zero-width space, BOM


@dataclass(frozen=True)
class LawHeader:
    """Title, part and version of one file."""

    law: str
    part: str
    version_date: str
    version_source: str


def _normalise_heading(text: str) -> str:
    """'第四章  肖 像 权' -> '第四章 肖像权'."""
    words = text.split()
    if not words:
        return ""
    head, rest = words[0], "".join(words[1:])
    return f"{head} {rest}" if rest else head


def _header_date(lines: list[str]) -> str | None:
    """First YYYY年M月D日 in the header (adoption/publication of the version)."""
    for line in lines:
        match = _CN_DATE_RE.search(line)
        if match:
            year, month, day = (int(g) for g in match.groups())
            return f"{year:04d}-{month:02d}-{day:02d}"
    return None


def parse_header(path: Path, header: list[str]) -> LawHeader:
    """Title and part from '#' lines; version from the file name, else the header."""
    titles = [line[2:].strip() for line in header if line.startswith("# ")]
    if not titles:
        raise ValueError(f"{path.name}: no '# title' line")
    part = titles[1] if len(titles) > 1 else ""
    match = _FILE_DATE_RE.search(path.stem)
    if match:
        return LawHeader(titles[0], part, match.group(1), "filename")
    date = _header_date(header)
    if date is None:
        raise ValueError(f"{path.name}: no version date in name or header")
    return LawHeader(titles[0], part, date, "header")


def parse_file(path: Path) -> list[Article]:
    """All articles of one statute file, in document order."""
    lines = path.read_text(encoding="utf-8").splitlines()
    if INFO_END not in lines:
        raise ValueError(f"{path.name}: missing {INFO_END}")
    split = lines.index(INFO_END)
    header = parse_header(path, lines[:split])
    headings: dict[int, str] = {}
    articles: list[Article] = []
    current: tuple[str, list[str], str] | None = None  # (numeral, paragraphs, chapter)

    def flush() -> None:
        if current is not None:
            numeral, paragraphs, chapter = current
            articles.append(_make_article(path, header, numeral, paragraphs, chapter))

    for raw in lines[split + 1:]:
        line = raw.translate(_INVISIBLE).strip()
        if not line:
            continue
        heading = _HEADING_RE.match(line)
        if heading:
            flush()
            current = None
            level = len(heading.group(1))
            headings = {k: v for k, v in headings.items() if k < level}
            if heading.group(2).strip():
                headings[level] = _normalise_heading(heading.group(2))
            continue
        article = _ARTICLE_RE.match(line)
        if article:
            flush()
            chapter = " / ".join(headings[k] for k in sorted(headings))
            current = (article.group(1), [article.group(2).strip()], chapter)
        elif current is not None:
            current[1].append(line)
        # paragraphs before the first article (preambles) are not articles: skipped
    flush()
    return articles


def _make_article(
    path: Path, header: LawHeader, numeral: str, paragraphs: list[str], chapter: str
) -> Article:
    return Article(
        law=header.law,
        short=_FILE_DATE_RE.sub("", path.stem),
        part=header.part,
        version_date=header.version_date,
        version_source=header.version_source,
        chapter=chapter,
        article_cn=f"第{numeral}条",
        article=cn_to_int(numeral),
        text="\n".join(p for p in paragraphs if p),
        source_file=path.name,
    )


def parse_dir(laws_dir: Path) -> list[Article]:
    """Every article of every statute file, sorted by (law, version, article)."""
    files = sorted(p for p in laws_dir.glob("*.md") if p.name.lower() != "readme.md")
    if not files:
        raise FileNotFoundError(f"no statute files in {laws_dir}")
    articles = [a for path in files for a in parse_file(path)]
    articles.sort(key=lambda a: (a.law, a.version_date, a.article))
    _check_unique(articles)
    return articles


def _check_unique(articles: list[Article]) -> None:
    seen: set[tuple[str, str, int]] = set()
    for art in articles:
        key = (art.law, art.version_date, art.article)
        if key in seen:
            raise ValueError(f"duplicate article {key}")
        seen.add(key)
