"""Amounts of money in yuan, as citizens write or say them."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from textnorm._numerals import chinese_number, to_halfwidth

_NUMERAL = "零〇一二两三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟点"
# A number (Arabic, Chinese or mixed, with 万/千 multipliers) followed by an optional currency word.
_AMOUNT_RE = re.compile(
    rf"((?:\d[\d,]*(?:\.\d+)?|[{_NUMERAL}])[\d{_NUMERAL}.]*)\s*(元|块钱|块|圆|人民币|rmb|RMB)?"
)
_NOT_MONEY_RE = re.compile(r"(?<!\d)(?:1[3-9]\d{9}|\d{17}[\dXx]|\d{15})(?!\d)")
# "一分钱都不给" / "一毛钱也没有" say "nothing at all", never a sum of one fen or one yuan.
_NOTHING_RE = re.compile(r"一\s*(?:分|毛|角|块)钱?\s*(?:都|也)")
# A number counted in something other than money: 六年, 三个月, 3号楼, 两次.
_NOT_MONEY_UNIT_RE = re.compile(
    r"\s*(?:年|个|月|天|日|号|楼|层|岁|次|回|人|口|平|米|小时|点钟|分钟|家|栋|幢|室|单元|亩|斤|公里|周|星期|遍|趟|间|套|条|辆|台|样|定|直|下|些|起|点儿)"
)
# A price per unit ("物业费从一块二涨到一块八一平", "每平米2.5元", "3块钱一斤") says what something
# costs, not the sum at stake in the dispute.
_PER_UNIT_AFTER_RE = re.compile(
    rf"\s*[{_NUMERAL}\d]?\s*(?:毛|角)?钱?\s*(?:一|每|/|／)\s*"
    r"(?:平方米|平方|平米|平|斤|公斤|千克|度|吨|立方|方|亩|公里)"
)
_PER_UNIT_BEFORE_RE = re.compile(
    r"(?:每|一)(?:平方米|平方|平米|平|斤|公斤|度|吨|立方|方)(?:是|要|收|按)?\s*$"
)
MIN_NARRATIVE_AMOUNT = Decimal(10)  # read from a story, smaller sums are prices, not the dispute
MAX_AMOUNT = Decimal("100000000000")  # 1e11 yuan: anything larger is a typo, not a dispute


def parse_amount_yuan(text: str, money_only: bool = False) -> Decimal | None:
    """Parse the first amount in text: 两万三千块 / 2.3万 / 23,000元 → Decimal('23000').

    With `money_only` (for free narratives) a number counts only when it is marked as money:
    a currency word after it, or a 万/千 multiplier — so 三个月 or 3号楼 are not amounts.
    Returns None when no positive amount below 1e11 yuan can be read.
    """
    # Phone and ID numbers in the same message are not amounts.
    text = _NOTHING_RE.sub(" ", _NOT_MONEY_RE.sub(" ", to_halfwidth(text)))
    for match in _AMOUNT_RE.finditer(text):
        raw = match.group(1).replace(",", "").rstrip(".")
        marked = bool(match.group(2)) or any(unit in raw for unit in "万千仟")
        if money_only and not marked:
            continue
        if not marked and _counts_something_else(text, match):
            continue
        if _per_unit_price(text, match):
            continue
        value = _to_decimal(raw)
        if money_only and value is not None and value < MIN_NARRATIVE_AMOUNT:
            continue  # "从一块二涨到一块八": in a story, a few yuan is a price; the citizen is asked
        if value is not None and Decimal(0) < value < MAX_AMOUNT:
            return value.quantize(Decimal("0.01")).normalize() if value % 1 else value.quantize(Decimal(1))
    return None


def _per_unit_price(text: str, match: re.Match[str]) -> bool:
    """一块八一平 / 每平米2.5元: what a unit costs, not the sum at stake."""
    after = _PER_UNIT_AFTER_RE.match(text, match.end())
    return bool(after or _PER_UNIT_BEFORE_RE.search(text[: match.start()]))


def _counts_something_else(text: str, match: re.Match[str]) -> bool:
    """An unmarked number that is not the answer "how much": a count of years, floors or times
    (六年, 3号楼), or one numeral inside a word (一定, 一直) of a longer sentence."""
    if _NOT_MONEY_UNIT_RE.match(text, match.end()):
        return True
    lone_numeral = len(match.group(1)) == 1 and not match.group(1).isdigit()
    return lone_numeral and len(text.strip()) > 2


def _to_decimal(raw: str) -> Decimal | None:
    if not raw:
        return None
    try:
        return Decimal(raw)
    except InvalidOperation:
        pass
    number = chinese_number(raw)
    if number is None:
        return None
    return Decimal(str(number))
