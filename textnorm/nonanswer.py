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
from textnorm.speech_act import about_the_center, message_kind

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


_DIGIT_RUN_RE = re.compile(rf"[0-9{SPOKEN_DIGIT_CHARS}xX](?:[\s\-—－–,，.、]*[0-9{SPOKEN_DIGIT_CHARS}xX])*")


def digit_run(text: str) -> int:
    """The longest run of digit-like characters (spaces, dashes and commas between them allowed):
    "幺三八 零零幺三 八零零零" is one run of 11; a story's "二十万 … 十万" are short runs."""
    runs = _DIGIT_RUN_RE.findall(to_halfwidth(text or ""))
    return max((len(_DIGIT_RE.findall(run)) for run in runs), default=0)


def looks_like_number(text: str, min_digits: int) -> bool:
    """True when the text holds at least ``min_digits`` digit-like characters: only then is
    it checked as a phone or ID number (free text is never 'a wrong ID')."""
    return digit_count(text) >= min_digits


FormRemark = Literal["declines_id", "about_form"]
_ID_WORDS = ("身份证", "证件", "身份号")
# What is left of a remark about the form once refusals are taken out: verbs of telling and
# filling, modal words, pronouns and particles. A story always leaves more ("他不给钱" → 他钱).
_FORM_WORDS_RE = re.compile(
    r"一定|必须|非得|非要|需要|得要|能不能|可不可以|可以|能|要|一下|怎么|什么|这个|那个|这些|都|也|先|还|就|再"
    r"|说|讲|写|填|描述|告诉|提供|回答|交代|你们|你|我|的|了|吧|啊|呀|呢|吗|嘛|么|哦|嗯|好|太|很|不"
)


def form_remark(text: str) -> FormRemark | None:
    """A reply to the question about the dispute that is about the form instead: "一定要填吗",
    "不想说", a short question about the centre ("需要我本人去现场吗"), or a refusal of the ID
    number given early ("身份证号不想给"). Such a reply must not become the description, nor be
    kept as the start of one."""
    remark = _refusal_or_form_question(text)
    if remark is None and len(text) <= 15 and message_kind(text) == "question" and about_the_center(text):
        return "about_form"
    return remark


def _refusal_or_form_question(text: str) -> FormRemark | None:
    compact = _compact(text)
    if not compact or len(compact) > 14 or digit_count(compact) >= 6:
        return None
    refusal = classify_nonanswer(compact) is not None
    if refusal and any(word in compact for word in _ID_WORDS):
        return "declines_id"
    rest = compact
    for word in (*_DONT_KNOW, *_LATER, *_DECLINE):
        rest = rest.replace(word, "")
    rest = _FORM_WORDS_RE.sub("", rest)
    asks = compact.endswith(("吗", "么", "嘛")) or "能不能" in compact or "可不可以" in compact
    return "about_form" if not rest and (refusal or asks) else None
