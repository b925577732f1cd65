"""Unified case numbers (一案一码) as citizens type or say them: JF-2026-000123."""

from __future__ import annotations

import re

from textnorm._numerals import to_halfwidth

CASE_NO_RE = re.compile(r"JF[\s\-_—]*(\d{4})[\s\-_—]*(\d{1,6})(?!\d)", re.IGNORECASE)


def find_case_no(text: str) -> str | None:
    """The first case number in text, in canonical form (JF-YYYY-NNNNNN), or None."""
    match = CASE_NO_RE.search(to_halfwidth(text))
    if not match:
        return None
    return f"JF-{match.group(1)}-{int(match.group(2)):06d}"
