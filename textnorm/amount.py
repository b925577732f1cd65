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
MAX_AMOUNT = Decimal("100000000000")  # 1e11 yuan: anything larger is a typo, not a dispute


def parse_amount_yuan(text: str, money_only: bool = False) -> Decimal | None:
    """Parse the first amount in text: 两万三千块 / 2.3万 / 23,000元 → Decimal('23000').

    With `money_only` (for free narratives) a number counts only when it is marked as money:
    a currency word after it, or a 万/千 multiplier — so 三个月 or 3号楼 are not amounts.
    Returns None when no positive amount below 1e11 yuan can be read.
    """
    # Phone and ID numbers in the same message are not amounts.
    text = _NOT_MONEY_RE.sub(" ", to_halfwidth(text))
    for match in _AMOUNT_RE.finditer(text):
        raw = match.group(1).replace(",", "").rstrip(".")
        if money_only and not match.group(2) and not any(unit in raw for unit in "万千仟"):
            continue
        value = _to_decimal(raw)
        if value is not None and Decimal(0) < value < MAX_AMOUNT:
            return value.quantize(Decimal("0.01")).normalize() if value % 1 else value.quantize(Decimal(1))
    return None


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
