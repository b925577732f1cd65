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


# Digits as citizens type or say them: full-width, read one by one (幺三八), grouped by spaces,
# dashes or commas ("138 0013 8000", "幺三八，零零幺三"). No imports: the log filter of every
# process uses this.
_DIGIT_VALUE = {
    **{str(d): str(d) for d in range(10)},
    **{chr(0xFF10 + d): str(d) for d in range(10)},
    **dict(zip("零〇洞一幺么二两三四五六七八九", "000111223456789", strict=True)),
}
_DIGITISH = f"[{''.join(_DIGIT_VALUE)}]"
_GROUPED_RUN = re.compile(rf"{_DIGITISH}(?:[ \t\-－—.、，,]{{0,2}}{_DIGITISH}){{6,}}(?:[ \-]?[xX])?")
LONG_NUMBER_DIGITS = 11  # a mobile number; ID and bank card numbers are longer; case numbers shorter


def _mask_run(match: re.Match[str]) -> str:
    """A run holding a mobile, ID or card number (11 digits or more), masked in canonical form."""
    run = match.group(0)
    digits = "".join(_DIGIT_VALUE[c] for c in run if c in _DIGIT_VALUE)
    if len(digits) < LONG_NUMBER_DIGITS:
        return run
    tail = "X" if run[-1] in "xX" else ""
    whole = digits + tail
    if len(whole) == 11:
        return mask_phone(whole)
    return mask_id(whole)


def mask_text(text: str) -> str:
    """Mask every mobile number and ID number found inside free text (for log lines), however it
    is written: plain, grouped, full-width or spoken digit by digit."""
    text = _ID_IN_TEXT.sub(lambda m: f"{m.group(1)}{'*' * 10}{m.group(2)}", text)
    text = _MOBILE_IN_TEXT.sub(lambda m: f"{m.group(1)}****{m.group(2)}", text)
    return _GROUPED_RUN.sub(_mask_run, text)
