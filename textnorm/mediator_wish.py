"""A citizen asking for a particular mediator (普陀 "点单"): by name and title ("能约王律师吗",
"我想找陈调解员") or by specialty ("我想找擅长婚姻家庭的调解员", "有没有懂劳动方面的老师").

Shared by the NLU (such a message is a request to book, not a dispute story) and the booking
action (which looks the mediator up). Plain Python 3.10, standard library only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from textnorm.name import plausible_surname

# Words for the person wanted; a name must carry one of them ("王律师"), a specialty a "的" before one.
_TITLES = "律师|调解员|调解|老师|主任|法官|仲裁员|同志|专家"
_NAME_RE = re.compile(
    rf"(?:找|约|预约|要|见|指定|安排|换成?|请|跟|和|让)?\s*(?P<name>[\u4e00-\u9fff]{{1,3}}?)(?P<title>{_TITLES})"
)
# Keywords of each category code (the codes of integration.categories), longest first when tried.
_SPECIALTY_WORDS: dict[str, tuple[str, ...]] = {
    "family": ("婚姻家庭", "婚姻", "家庭", "离婚", "抚养", "赡养", "继承", "家事"),
    "labour": ("劳动", "欠薪", "工资", "工伤", "劳务", "用工"),
    "property": ("物业", "业委会"),
    "neighbour": ("邻里", "相邻", "邻居"),
    "traffic": ("交通事故", "交通", "车祸"),
    "medical": ("医疗", "医患"),
    "consumer": ("消费", "购物", "网购"),
    "land": ("土地", "宅基地", "承包地", "征地"),
    "contract": ("合同", "借贷", "借款", "欠款", "债务"),
}
_SPECIALTY_RE = re.compile(
    rf"(?:擅长|专门|专攻|懂|熟悉|精通|负责|管)(?P<a>[\u4e00-\u9fff]{{2,8}}?)(?:方面|类|这块|纠纷|问题|案子|案件)?的"
    rf"|(?P<b>[\u4e00-\u9fff]{{2,6}}?)(?:方面|类)?的(?:{_TITLES}|人)"
)
# Surnames that are far more often a word before a title: "和调解员谈", "给律师打电话".
_NOT_A_NAME_START = set("和跟同与给让请找约的个位是有这那都要能想问向对把被")
# A request to meet someone, not a story that mentions a lawyer ("我离婚时王律师说…").
_WANT_RE = re.compile(
    rf"找|约|预约|指定|安排|换个|换成|想见|要见|有空|有时间|哪天在|什么时候在|在吗|在不在|能不能见|可以见"
    rf"|有没有.{{0,12}}(?:{_TITLES})"
)
_GENERIC = {
    "一个", "一位", "个", "位", "专业", "好", "厉害", "有经验", "女", "男", "什么", "哪个", "那个", "这个",
}


@dataclass(frozen=True)
class MediatorWish:
    """``name`` as said with its title ("王律师": the case service matches 王 + 律师), or a
    ``specialty`` category code; never both empty."""

    name: str | None = None
    specialty: str | None = None
    title: str = ""

    def names(self) -> list[str]:
        """The name as said, then shorter readings that still start with a surname: in
        "我离婚时候王律师" the name is 王, not 时候王."""
        if not self.name:
            return []
        given = self.name[: len(self.name) - len(self.title)] if self.title else self.name
        return [given[i:] + self.title for i in range(len(given)) if plausible_surname(given[i])]


def specialty_of(words: str) -> str | None:
    for code, keys in _SPECIALTY_WORDS.items():
        if any(key in words for key in keys):
            return code
    return None


def mediator_wish(text: str) -> MediatorWish | None:
    """The mediator asked for in ``text``, or None when no particular one is asked for."""
    text = (text or "").strip()
    if not text or len(text) > 80:
        return None
    for match in _SPECIALTY_RE.finditer(text):
        code = specialty_of(match.group("a") or match.group("b") or "")
        if code is not None:
            return MediatorWish(specialty=code)
    for match in _NAME_RE.finditer(text):
        name = match.group("name")
        # "找个律师", "专业的调解员": no particular person; the name must start with a surname.
        while name and (not plausible_surname(name[0]) or name[0] in _NOT_A_NAME_START):
            name = name[1:]
        if name and name not in _GENERIC and specialty_of(name) is None:
            return MediatorWish(name=name + match.group("title"), title=match.group("title"))
    return None


def asks_for_mediator(text: str) -> MediatorWish | None:
    """``mediator_wish`` in a short message that asks to meet someone: what the NLU routes to
    booking. A story that only mentions a lawyer stays a story."""
    if len(text or "") > 40 or not _WANT_RE.search(text or ""):
        return None
    return mediator_wish(text)
