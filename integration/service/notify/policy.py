"""When texts may go out: quiet hours, retry backoff, reminder time, expiry (pure functions)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from integration.envparse import SettingsError
from integration.service.notify.templates import Templates

_SPAN = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


@dataclass(frozen=True)
class QuietHours:
    """A daily span in center time when no text is sent (``start`` > ``end``: over midnight).
    Messages due in it wait until it ends; nothing is dropped."""

    start: time
    end: time
    tz: ZoneInfo

    @classmethod
    def parse(cls, name: str, spec: str, tz: ZoneInfo) -> QuietHours | None:
        """``21:00-08:00``; empty: no quiet hours."""
        if not spec.strip():
            return None
        match = _SPAN.match(spec)
        if match is None:
            raise SettingsError(f"{name}={spec!r}: use HH:MM-HH:MM, e.g. 21:00-08:00")
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        try:
            start, end = time(h1, m1), time(h2, m2)
        except ValueError as exc:
            raise SettingsError(f"{name}={spec!r}: not a time of day") from exc
        if start == end:
            raise SettingsError(f"{name}={spec!r}: start and end are the same")
        return cls(start, end, tz)

    def contains(self, moment: datetime) -> bool:
        local = moment.astimezone(self.tz).time()
        if self.start < self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end

    def ends_after(self, moment: datetime) -> datetime:
        """The first moment at or after ``moment`` outside quiet hours."""
        if not self.contains(moment):
            return moment
        local = moment.astimezone(self.tz)
        end = datetime.combine(local.date(), self.end, tzinfo=self.tz)
        return end if end > local else end + timedelta(days=1)


def backoff(attempts: int, base: timedelta, cap: timedelta) -> timedelta:
    """Wait after the ``attempts``-th failed try: base, 2×base, 4×base … never more than cap."""
    return min(cap, base * (2 ** max(attempts - 1, 0)))


def reminder_at(start: datetime, at: time, tz: ZoneInfo) -> datetime:
    """The day before the appointment (center date), at ``at`` center time."""
    day_before = start.astimezone(tz).date() - timedelta(days=1)
    return datetime.combine(day_before, at, tzinfo=tz)


@dataclass(frozen=True)
class NotifyPolicy:
    """Everything the use cases need to queue and send texts; ``ServiceContext.notify`` is None
    when no provider is configured, and then nothing is queued (and nothing says it was)."""

    templates: Templates
    provider: str
    center_address: str
    reminder_time: time = time(10, 0)
    max_age: timedelta = timedelta(hours=72)
    quiet: QuietHours | None = None
    retry_base: timedelta = timedelta(seconds=30)
    retry_max: timedelta = timedelta(minutes=30)
    country_code: str = "86"
    lease: timedelta = timedelta(minutes=5)  # a "sending" claim older than this is retried
    reminder_lead: timedelta = timedelta(hours=2)  # no reminder sooner than this after booking
