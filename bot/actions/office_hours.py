"""Office hours of the center, parsed from a compact setting, for hand-off decisions."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time

_DAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
_SPEC_RE = re.compile(r"^\s*(\w{3})-(\w{3})\s+(.+)$")


@dataclass(frozen=True)
class OfficeHours:
    """Working days (0 = Monday) and the day's open intervals in the center's local time."""

    days: frozenset[int]
    intervals: tuple[tuple[time, time], ...]

    @classmethod
    def parse(cls, spec: str) -> OfficeHours:
        """'mon-fri 08:30-12:00,13:30-17:30' → OfficeHours; ValueError names what is wrong."""
        match = _SPEC_RE.match(spec.lower())
        if not match or match.group(1) not in _DAYS or match.group(2) not in _DAYS:
            raise ValueError(f"office hours {spec!r}: expected e.g. 'mon-fri 08:30-12:00,13:30-17:30'")
        first, last = _DAYS[match.group(1)], _DAYS[match.group(2)]
        days = (
            frozenset(range(first, last + 1))
            if first <= last
            else frozenset([*range(first, 7), *range(0, last + 1)])
        )
        intervals = []
        for part in match.group(3).split(","):
            start, _, end = part.strip().partition("-")
            intervals.append((time.fromisoformat(start), time.fromisoformat(end)))
        return cls(days=days, intervals=tuple(intervals))

    def is_open(self, moment: datetime) -> bool:
        """True when `moment` (already in local time) falls inside working hours."""
        if moment.weekday() not in self.days:
            return False
        now = moment.time()
        return any(start <= now < end for start, end in self.intervals)
