"""Amounts of money in yuan, as citizens write or say them."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from textnorm._numerals import chinese_number, to_halfwidth

_NUMERAL = "零〇一二两三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟点"
# A number (Arabic, Chinese or mixed, with 万/千 multipliers) followed by an optional currency word.
_AMOUNT_RE = re.compile(
    rf"((?:\d[\d,]*(?:\.\d+)?|[{_NUMERAL}])[\d{_NUMERAL}.]*)\s*(?:元|块钱|块|圆|人民币|rmb|RMB)?"
)
MAX_AMOUNT = Decimal("100000000000")  # 1e11 yuan: anything larger is a typo, not a dispute


def parse_amount_yuan(text: str) -> Decimal | None:
    """Parse the first amount in text: 两万三千块 / 2.3万 / 23,000元 → Decimal('23000').

    Returns None when no positive amount below 1e11 yuan can be read.
    """
    text = to_halfwidth(text)
    for match in _AMOUNT_RE.finditer(text):
        raw = match.group(1).replace(",", "").rstrip(".")
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
