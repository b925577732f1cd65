"""Typed records shared by the index, the knowledge base and the answerer."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from legal.numerals import article_label

AnswerKind = Literal["curated", "articles", "abstain", "clarify"]
HitKind = Literal["entry", "article"]


@dataclass(frozen=True)
class Article:
    """One article of one version of a statute."""

    law: str  # full title, e.g. 中华人民共和国人民调解法
    short: str  # file stem, e.g. 人民调解法 or 民法典-合同编
    part: str  # 民法典 part (合同编 …) or ""
    version_date: str  # YYYY-MM-DD
    version_source: str  # "filename" | "header"
    chapter: str  # heading path, e.g. "第三章 工伤认定"
    article_cn: str  # 第四条
    article: int  # 4
    text: str  # body without the 第X条 label; paragraphs joined by "\n"
    source_file: str

    @property
    def key(self) -> tuple[str, int]:
        return (self.law, self.article)

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Article:
        return cls(**data)


@dataclass(frozen=True)
class Citation:
    """A pointer to one article of one version, optionally with an exact quotation."""

    law: str
    article: int
    version_date: str
    quote: str | None = None

    @property
    def label(self) -> str:
        """《中华人民共和国人民调解法》第四条（2010-08-28版）."""
        return f"《{self.law}》{article_label(self.article)}（{self.version_date}版）"

    @property
    def spoken(self) -> str:
        """人民调解法第四条 — said plainly, without brackets or dates."""
        return f"{spoken_law_name(self.law)}{article_label(self.article)}"


# Long judicial-interpretation titles get a plain spoken name.
_SPOKEN_NAMES = {
    "最高人民法院关于人民调解协议司法确认程序的若干规定": "最高法院司法确认程序规定",
    "最高人民法院关于审理劳动争议案件适用法律问题的解释（一）": "最高法院劳动争议司法解释一",
    "最高人民法院关于审理涉及农村土地承包经营纠纷调解仲裁案件适用法律若干问题的解释":
        "最高法院农村土地承包纠纷调解仲裁司法解释",
    # Titles holding 《》 (which nobody reads aloud) or too long to say.
    "最高人民法院关于适用《中华人民共和国民法典》总则编若干问题的解释": "最高法院民法典总则编解释",
    "最高人民法院关于适用《中华人民共和国民法典》合同编通则若干问题的解释": "最高法院民法典合同编通则解释",
    "最高人民法院关于适用《中华人民共和国民法典》婚姻家庭编的解释（一）": "最高法院民法典婚姻家庭编解释一",
}


def spoken_law_name(law: str) -> str:
    """Drop the 中华人民共和国 prefix nobody says on the phone; shorten long titles."""
    return _SPOKEN_NAMES.get(law, law.removeprefix("中华人民共和国"))


@dataclass(frozen=True)
class KnowledgeEntry:
    """One curated question/answer with its supporting citations."""

    id: str
    topic: str
    questions: tuple[str, ...]
    answer: str
    spoken: str
    citations: tuple[Citation, ...]
    keywords: tuple[str, ...] = ()
    center_info: bool = False  # about the center itself, not the law
    category: str = ""  # dispute category code (integration.categories) for the mediation offer
    next_step: str = ""  # where the citizen goes next (mediation here, arbitration, 12315, court …)
    deadline: str = ""  # a time limit that applies (arbitration one year …), or ""
    # how citizens tell their own case when they ask this (situations.yml, written apart from the
    # entries): embedded beside the questions, so a long story finds the entry its words do not name
    situations: tuple[str, ...] = ()


@dataclass(frozen=True)
class Hit:
    """One ranked candidate: a curated entry or a statute article."""

    kind: HitKind
    id: str  # entry id, or "<law>#<article>"
    score: float  # raw BM25
    confidence: float  # normalised to [0, 1]
    passes: bool = False  # above the threshold for its kind


@dataclass
class LegalAnswer:
    """What the dialogue shows (text) or speaks (spoken)."""

    kind: AnswerKind
    text: str
    spoken: str
    citations: list[Citation] = field(default_factory=list)
    score: float = 0.0
    entry_id: str | None = None
    reason: str = ""  # why: "curated", "articles", "low_confidence", "prediction", ...
    category: str = ""  # dispute category the answer is about ("" when unknown), for the offer
    # kind "clarify": the curated questions the citizen chooses from, as (entry id, question)
    options: list[tuple[str, str]] = field(default_factory=list)
