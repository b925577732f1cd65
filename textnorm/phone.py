"""Mainland China mobile numbers."""

from __future__ import annotations

import re

from textnorm._numerals import SPOKEN_DIGIT_CHARS, spoken_digits_to_ascii, to_halfwidth

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
# A run of digit-like characters, allowing the separators people type or say between groups.
_RUN_RE = re.compile(rf"[0-9{SPOKEN_DIGIT_CHARS}][0-9{SPOKEN_DIGIT_CHARS}\s\-—–·.()（）]*")
_SEPARATORS_RE = re.compile(r"[\s\-—–·.()（）]")


_COUNTRY_PREFIX_RE = re.compile(r"(?<!\d)(?:\+\s*86|0086)(?=[\s\-]*1[3-9])")


def is_mobile(number: str) -> bool:
    """True for an 11-digit mainland mobile number (13x–19x)."""
    return bool(MOBILE_RE.match(number))


def normalize_mobile(text: str) -> str | None:
    """Find one mainland mobile number in free text and return its 11 digits.

    Handles spaces, dashes, full-width digits, a +86/0086 prefix and digits read
    aloud (幺三八…). Returns None when the text holds no valid mobile number.
    """
    # Only a prefix: "0086" inside a number (130 0000 8600) is part of it.
    text = _COUNTRY_PREFIX_RE.sub(" ", to_halfwidth(text))
    for match in _RUN_RE.finditer(text):
        run = _SEPARATORS_RE.sub("", match.group())
        if not run:
            continue
        digits = run if run.isdigit() else spoken_digits_to_ascii(run)
        if digits is None:
            continue
        if len(digits) == 13 and digits.startswith("86"):
            digits = digits[2:]
        if is_mobile(digits):
            return digits
    return None
