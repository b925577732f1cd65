"""Personal names in what citizens type or say."""

from __future__ import annotations

import re

from textnorm._numerals import to_halfwidth

# Phrases people put around their name: 我叫张三 / 我是李四 / 姓名：王五 / 免贵姓林，叫林小梅.
_INTRO_RE = re.compile(
    r"(?:我的?(?:名字|姓名)(?:是|叫)?|(?:姓名|名字)(?:是|叫|:)?|我叫|我是|叫我|本人)\s*"
    r"(?P<name>[\u4e00-\u9fff·]{2,6}|[A-Za-z][A-Za-z .'-]{1,40})"
)
_SURNAME_ONLY_RE = re.compile(
    r"(?:免贵)?姓(?P<surname>[\u4e00-\u9fff]{1,2})(?:[,，。\s]*(?:叫|名叫)(?P<name>[\u4e00-\u9fff]{1,4}))?"
)
_BARE_NAME_RE = re.compile(r"^(?P<name>[\u4e00-\u9fff·]{2,6}|[A-Za-z][A-Za-z .'-]{1,40})$")
_TRAILING_NOISE_RE = re.compile(r"(?:吧|啊|呀|哦|呢|的|就行|即可|谢谢)+$")
_NOT_NAMES = {
    "不知道",
    "不想说",
    "不告诉你",
    "没有",
    "算了",
    "同意",
    "不同意",
    "可以",
    "好的",
    "是的",
    "不是",
    "你好",
}


def extract_person_name(text: str) -> str | None:
    """Return the citizen's name from a short answer, or None if no plausible name is there."""
    text = to_halfwidth(text).strip().strip("。.!！?？,，~")
    if not text or len(text) > 40:
        return None
    match = _INTRO_RE.search(text)
    if match:
        return _clean(match.group("name"))
    match = _SURNAME_ONLY_RE.search(text)
    if match:
        given = match.group("name")
        surname = match.group("surname")
        if given:
            return _clean(given if given.startswith(surname) else surname + given)
        return None  # a surname alone is not enough to register a case
    match = _BARE_NAME_RE.match(text)
    if match:
        return _clean(match.group("name"))
    return None


def _clean(name: str) -> str | None:
    name = _TRAILING_NOISE_RE.sub("", name.strip())
    if len(name) < 2 or name in _NOT_NAMES:
        return None
    return name
