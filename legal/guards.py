"""Input checks done before retrieval: empty, too long, not Chinese, outcome prediction."""

from __future__ import annotations

import re
from dataclasses import dataclass

from legal.textproc import cjk_count
from textnorm.script import to_simplified

MAX_QUERY_CHARS = 200
HEAD_CHARS = 60  # a long story keeps its opening (the topic) and its end (the question)
MIN_CJK_CHARS = 2

_PREDICTION_RE = re.compile(
    r"(能|会|可以|打)赢|赢吗|输吗|胜诉|败诉|胜算|把握|概率|几成"
    r"|判.{0,6}(多少|几年|几个月|多久)|(能|会|可以).{0,4}(拿到|拿回|赔|要到|要回|判).{0,4}多少"
)


@dataclass(frozen=True)
class Checked:
    """The cleaned question and what the guard found."""

    text: str
    problem: str | None  # "empty" | "not_chinese" | None
    prediction: bool


def check_question(question: str) -> Checked:
    """Normalise whitespace, truncate safely, and classify the question."""
    text = to_simplified(" ".join((question or "").split()))
    if len(text) > MAX_QUERY_CHARS:
        text = f"{text[:HEAD_CHARS]}，{text[-(MAX_QUERY_CHARS - HEAD_CHARS):]}"
    if not text:
        return Checked("", "empty", False)
    if cjk_count(text) < MIN_CJK_CHARS:
        return Checked(text, "not_chinese", False)
    return Checked(text, None, bool(_PREDICTION_RE.search(text)))
