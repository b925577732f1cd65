"""Chinese article numerals (第一千二百六十条) <-> int, for the range used by statutes."""

from __future__ import annotations

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
           "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000}
_CN = "零一二三四五六七八九"


def cn_to_int(text: str) -> int:
    """Parse a Chinese numeral such as ``一百零五`` or ``十二`` (1..9999)."""
    if not text:
        raise ValueError("empty numeral")
    total, pending = 0, 0
    last_unit = 10_000
    for ch in text:
        if ch in _DIGITS:
            pending = _DIGITS[ch]
        elif ch in _UNITS:
            unit = _UNITS[ch]
            if unit >= last_unit:
                raise ValueError(f"malformed numeral: {text!r}")
            total += (pending or 1) * unit
            pending, last_unit = 0, unit
        else:
            raise ValueError(f"not a Chinese numeral: {text!r}")
    return total + pending


def int_to_cn(number: int) -> str:
    """Render 1..9999 the way statutes number articles (十, 一百一十, 一百零五)."""
    if not 0 < number < 10_000:
        raise ValueError(f"out of range: {number}")
    parts: list[str] = []
    zero_pending = False
    for unit, name in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = number // unit % 10
        if digit == 0:
            zero_pending = bool(parts)
            continue
        if zero_pending:
            parts.append("零")
            zero_pending = False
        parts.append(_CN[digit] + name)
    text = "".join(parts)
    return text[1:] if text.startswith("一十") else text


def article_label(number: int) -> str:
    """``4`` -> ``第四条``."""
    return f"第{int_to_cn(number)}条"
