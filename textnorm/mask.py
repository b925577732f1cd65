"""Masking of personal data for logs and for screens that do not need the full value."""

from __future__ import annotations

import re


def mask_phone(phone: str) -> str:
    """138****8000; anything that is not 11 digits is masked but for its last two characters."""
    if re.fullmatch(r"\d{11}", phone):
        return f"{phone[:3]}****{phone[7:]}"
    return "*" * max(len(phone) - 2, 0) + phone[-2:]


def mask_id(number: str) -> str:
    """110105**********1X: region prefix and last two characters only."""
    if len(number) < 8:
        return "*" * len(number)
    return f"{number[:6]}{'*' * (len(number) - 8)}{number[-2:]}"


def mask_name(name: str) -> str:
    """张* / 欧阳** : keep the first character only."""
    if not name:
        return name
    return name[0] + "*" * (len(name) - 1)


_MOBILE_IN_TEXT = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")
_ID_IN_TEXT = re.compile(r"(?<!\d)(\d{6})\d{10}([\dXx]{2})(?!\d)")


def mask_text(text: str) -> str:
    """Mask every mobile number and ID number found inside free text (for log lines)."""
    text = _ID_IN_TEXT.sub(lambda m: f"{m.group(1)}{'*' * 10}{m.group(2)}", text)
    return _MOBILE_IN_TEXT.sub(lambda m: f"{m.group(1)}****{m.group(2)}", text)
