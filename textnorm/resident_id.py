"""Resident identity card numbers (GB 11643-1999): 17 digits and a checksum character."""

from __future__ import annotations

import re
from datetime import date

from textnorm._numerals import to_halfwidth

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"
_ID_RE = re.compile(r"(?<!\d)(\d{17}[\dXx])(?!\d)")


def checksum_char(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character for the first 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def is_valid_resident_id(number: str) -> bool:
    """True when the 18-character number has a valid birth date and checksum."""
    number = number.upper()
    if not re.fullmatch(r"\d{17}[\dX]", number):
        return False
    try:
        date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    return checksum_char(number[:17]) == number[17]


def normalize_resident_id(text: str) -> str | None:
    """Find a valid resident ID number in free text (spaces allowed), upper-casing the X."""
    compact = re.sub(r"[\s\-]", "", to_halfwidth(text))
    for match in _ID_RE.finditer(compact):
        candidate = match.group(1).upper()
        if is_valid_resident_id(candidate):
            return candidate
    return None
