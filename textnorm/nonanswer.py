"""Answers that are not the detail asked for: "I'd rather not", "I don't know", "later".

A citizen asked for an optional detail (ID number, amount, place, the other party) says no
in dozens of ways; each must be recorded as not given instead of being validated as if it
were the detail and re-asked. Shared by both environments: plain Python 3.10, no imports
beyond the standard library.
"""

from __future__ import annotations

import re
from typing import Literal

from textnorm._numerals import SPOKEN_DIGIT_CHARS, to_halfwidth

NonAnswer = Literal["decline", "dont_know", "later"]

# Order matters only for the label: "不记得了，以后再说" is dont_know.
_DONT_KNOW = (
    "不知道",
    "不晓得",
    "不清楚",
    "记不清",
    "记不得",
    "不记得",
    "忘了",
    "忘记了",
    "想不起",
    "说不好",
    "说不清",
    "说不准",
    "不确定",
    "搞不清",
    "弄不清",
    "没算过",
    "没数",
    "不太清楚",
    "不大清楚",
    "不好说",
    "没印象",
    "不懂",
    "不了解",
    "不明白",
    "木有数",
    "冇知",
    "唔知",
    "不知",
    "不晓",
    "不太记得",
    "没记住",
    "记不住",
    "没注意",
    "没留意",
    "没问过",
    "不认识",
)
_DECLINE = (
    "跳过",
    "略过",
    "不提供",
    "不想",
    "不愿",
    "不方便",
    "不给",
    "不告诉",
    "不说",
    "不填",
    "不用了",
    "不用",
    "算了",
    "免了",
    "不要了",
    "不需要",
    "没必要",
    "不必",
    "拒绝",
    "保密",
    "隐私",
    "不留",
    "没带",
    "没拿",
    "不在身上",
    "没在身上",
    "没有",
    "不了",
    "别问",
    "为啥要",
    "为什么要",
    "干嘛要",
    "凭什么",
    "skip",
    "pass",
    "不行",
    "不能给",
    "就不说",
    "不必了",
    "不写",
    "不输",
    "省了",
    "下一个",
    "下一步",
    "先不",
    "暂不",
    "暂时不",
)
_DECLINE_EXACT = {"无", "没", "不", "否", "no", "n", "none", "nope", "不要", "别"}
_LATER = ("以后再说", "回头再", "下次", "之后再", "晚点", "稍后", "改天", "再说吧", "过后", "等会")

_DIGIT_RE = re.compile(rf"[0-9{SPOKEN_DIGIT_CHARS}xX]")
_PUNCT_RE = re.compile(r"[\s，,。.！!？?、~～…;；:：\"'“”‘’()（）【】\[\]]+")


def _compact(text: str) -> str:
    return _PUNCT_RE.sub("", to_halfwidth(text or "")).lower()


def classify_nonanswer(text: str) -> NonAnswer | None:
    """``decline`` / ``dont_know`` / ``later`` when the message declines to give a detail.

    Only short replies count (a long message is a story or an answer that happens to
    contain 没有); a reply holding a long digit run is an attempt at a number, never a
    refusal.
    """
    compact = _compact(text)
    if not compact or len(compact) > 30 or digit_count(compact) >= 6:
        return None
    if any(word in compact for word in _DONT_KNOW):
        return "dont_know"
    if any(word in compact for word in _LATER):
        return "later"
    if compact in _DECLINE_EXACT or any(word in compact for word in _DECLINE):
        return "decline"
    return None


def digit_count(text: str) -> int:
    """How many digit-like characters (ASCII, full-width, spoken, X) the text holds."""
    return len(_DIGIT_RE.findall(to_halfwidth(text or "")))


def looks_like_number(text: str, min_digits: int) -> bool:
    """True when the text holds at least ``min_digits`` digit-like characters: only then is
    it checked as a phone or ID number (free text is never 'a wrong ID')."""
    return digit_count(text) >= min_digits
