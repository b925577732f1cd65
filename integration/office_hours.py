"""Weekly office hours of the center, shared by the bot's hand-off and the phone gateway.

One format everywhere (setting CENTER_OFFICE_HOURS_SPEC): ISO weekdays and spans, e.g.
``1-5 08:30-12:00,13:30-17:30;6 09:00-12:00``. Valid Python 3.10, standard library only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, time
from zoneinfo import ZoneInfo

DEFAULT_SPEC = "1-5 08:30-12:00,13:30-17:30"


class OfficeHoursError(ValueError):
    """A malformed office-hours setting; the message names what is wrong."""


_RULE_RE = re.compile(r"^([1-7])(?:-([1-7]))?\s+(.+)$")
_SPAN_RE = re.compile(r"^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$")


@dataclass(frozen=True)
class OfficeHours:
    """Weekly opening hours, e.g. ``1-5 09:00-12:00,13:30-17:30;6 09:00-12:00`` (ISO weekdays)."""

    spans: tuple[tuple[int, time, time], ...]
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Shanghai"))

    @classmethod
    def parse(cls, raw: str, tz: str = "Asia/Shanghai") -> OfficeHours:
        spans: list[tuple[int, time, time]] = []
        for rule in filter(None, (r.strip() for r in raw.split(";"))):
            match = _RULE_RE.match(rule)
            if not match:
                raise OfficeHoursError(f"office hours rule {rule!r} is not like '1-5 09:00-17:30'")
            first, last = int(match.group(1)), int(match.group(2) or match.group(1))
            for span in match.group(3).split(","):
                times = _SPAN_RE.match(span.strip())
                if not times:
                    raise OfficeHoursError(f"office hours span {span!r} is not like 09:00-17:30")
                h1, m1, h2, m2 = (int(g) for g in times.groups())
                if not (h1 < 24 and h2 <= 24 and m1 < 60 and m2 < 60):
                    raise OfficeHoursError(f"office hours span {span!r} has an invalid time")
                start, end = time(h1, m1), time(23, 59, 59) if h2 == 24 else time(h2, m2)
                spans.extend((day, start, end) for day in range(first, last + 1))
        return cls(spans=tuple(spans), tz=ZoneInfo(tz))

    def is_open(self, at: datetime) -> bool:
        """True when ``at`` (timezone-aware) falls inside opening hours."""
        local = at.astimezone(self.tz)
        now = local.time()
        return any(day == local.isoweekday() and start <= now < end for day, start, end in self.spans)
