"""Unified case numbers (一案一码): ``JF-<year>-<6-digit sequence>``, sequential per year."""

from __future__ import annotations

import re

CASE_PREFIX = "JF"
APPOINTMENT_PREFIX = "YY"
_PATTERN = re.compile(r"^(JF|YY)-(\d{4})-(\d{6,})$")


def format_number(prefix: str, year: int, seq: int) -> str:
    return f"{prefix}-{year:04d}-{seq:06d}"


def looks_like(prefix: str, value: str) -> bool:
    m = _PATTERN.match(value)
    return bool(m and m.group(1) == prefix)
