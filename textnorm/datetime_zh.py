"""Chinese date and time expressions (下周三上午, 明天下午两点, 12月3日 9:30) resolved against "now".

Pure and Python 3.10 compatible: standard library and cn2an only, nothing done at import time.
`now` should be timezone-aware in the center's zone (Asia/Shanghai); only its date and time are used.

Conventions (documented because Chinese leaves them open):
- a bare weekday (周三) is the next such day on or after today; 这周/本周 X is the day of the current
  Monday–Sunday week even if it has passed; 下周 X / 下下周 X are in the next / second-next week;
- a month/day (12月3日, 12.3) already past this year means next year; a bare day (15号) already past
  this month means next month; an explicit year (2026-12-03) is never moved;
- an hour without a part of day is read in office hours: 1–6 点 is the afternoon, 7–11 点 the morning;
- a time without any date means today.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal

from textnorm._numerals import chinese_number, to_halfwidth

PartOfDay = Literal["morning", "noon", "afternoon", "evening"]

# Longest words first so that 下午 is not read as 下 + 午.
_PARTS: tuple[tuple[str, PartOfDay], ...] = (
    ("上午", "morning"),
    ("早上", "morning"),
    ("早晨", "morning"),
    ("清早", "morning"),
    ("凌晨", "morning"),
    ("中午", "noon"),
    ("午间", "noon"),
    ("下午", "afternoon"),
    ("午后", "afternoon"),
    ("傍晚", "evening"),
    ("晚上", "evening"),
    ("夜里", "evening"),
    ("夜间", "evening"),
    ("今早", "morning"),
    ("明早", "morning"),
    ("今晚", "evening"),
    ("明晚", "evening"),
)
_PART_NAMES: dict[PartOfDay, str] = {
    "morning": "上午",
    "noon": "中午",
    "afternoon": "下午",
    "evening": "晚上",
}
_WEEKDAY_NAMES = "一二三四五六日"
_WEEKDAY_CHARS = {
    "一": 0,
    "二": 1,
    "三": 2,
    "四": 3,
    "五": 4,
    "六": 5,
    "日": 6,
    "天": 6,
    "末": 5,
    "1": 0,
    "2": 1,
    "3": 2,
    "4": 3,
    "5": 4,
    "6": 5,
    "7": 6,
}
_RELATIVE_DAYS = (
    ("大后天", 3),
    ("后天", 2),
    ("明天", 1),
    ("明日", 1),
    ("明儿", 1),
    ("明早", 1),
    ("明晚", 1),
    ("今天", 0),
    ("今日", 0),
    ("今儿", 0),
    ("今早", 0),
    ("今晚", 0),
)

_NUM = r"[0-9零〇一二两三四五六七八九十廿]{1,3}"
_ISO_RE = re.compile(r"(?<!\d)(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?")
_MONTH_DAY_RE = re.compile(rf"(今年|明年)?({_NUM})\s*月\s*({_NUM})\s*[日号]?")
_DOTTED_RE = re.compile(r"(?<![\d.:])(\d{1,2})[./](\d{1,2})(?![\d.:点时])")
_DAY_OF_MONTH_RE = re.compile(rf"(下个?月)?({_NUM})\s*[日号]")
_WEEKDAY_RE = re.compile(r"(下下个?|下个?|这个?|本|上个?)?(?:周|星期|礼拜)([一二三四五六日天末1-7])")
_CHANGE_TO_RE = re.compile(r"(?:改到|改成|改为|换到|换成|调到|挪到|推到|延到)")
_A_LITTLE_BEFORE = "快早晚慢多少好大小差再稍"
_CLOCK_RE = re.compile(r"(?<!\d)([01]?\d|2[0-3])\s*:\s*([0-5]\d)(?!\d)")
_HOUR_RE = re.compile(rf"(?<![周期拜])({_NUM})\s*[点點时](钟)?\s*(半|一刻|三刻|({_NUM})\s*分?)?")


@dataclass(frozen=True)
class ResolvedTime:
    """A day, and what the citizen said about the time on that day."""

    date: date
    start: time | None = None  # an explicit clock time (下午两点 → 14:00)
    part_of_day: PartOfDay | None = None
    time_explicit: bool = False  # True when the citizen named a clock time
    date_explicit: bool = True  # False when only a time was said (the date is today)


def resolve(text: str, now: datetime) -> ResolvedTime | None:
    """Resolve the first date/time expression in `text` relative to `now`; None if there is none."""
    text = to_halfwidth(text or "")
    today = now.date()
    part = _part_of_day(text)
    day = _date(text, today)
    clock = _clock(text, part)
    if day is None and clock is None and part is None:
        return None
    if clock is not None and part is None:
        part = _part_of(clock)
    return ResolvedTime(
        date=day or today,
        start=clock,
        part_of_day=part,
        time_explicit=clock is not None,
        date_explicit=day is not None,
    )


def target_phrase(text: str) -> str:
    """The part naming the new time in a request to move one (把周三的改到周五 → 周五), else the text."""
    parts = _CHANGE_TO_RE.split(text or "")
    return parts[-1] if len(parts) > 1 and parts[-1].strip() else text


def format_day(day: date) -> str:
    """12月3日（周四）"""
    return f"{day.month}月{day.day}日（周{_WEEKDAY_NAMES[day.weekday()]}）"


def format_moment(moment: datetime) -> str:
    """12月3日 上午9:00 (the local date and time of `moment`, without the weekday)."""
    return f"{moment.month}月{moment.day}日 {format_time(moment.time())}"


def format_time(moment: time) -> str:
    """上午9:00 / 下午2:30 (12-hour clock with the part of day, as said aloud)."""
    part = _PART_NAMES[_part_of(moment)]
    hour = moment.hour - 12 if moment.hour > 12 else moment.hour
    return f"{part}{hour}:{moment.minute:02d}"


def part_name(part: PartOfDay) -> str:
    """上午 / 中午 / 下午 / 晚上"""
    return _PART_NAMES[part]


def in_part_of_day(moment: time, part: PartOfDay) -> bool:
    """Whether a slot starting at `moment` belongs to the part of day (中午 is 11:00–13:59)."""
    if part == "noon":
        return 11 <= moment.hour < 14
    return _part_of(moment) == part or (part == "afternoon" and moment.hour == 12)


def _part_of(moment: time) -> PartOfDay:
    if moment.hour < 12:
        return "morning"
    if moment.hour < 13:
        return "noon"
    return "afternoon" if moment.hour < 18 else "evening"


def _part_of_day(text: str) -> PartOfDay | None:
    for word, part in _PARTS:
        if word in text:
            return part
    return None


def _number(raw: str) -> int | None:
    if raw.isdigit():
        return int(raw)
    value = chinese_number(raw.replace("〇", "零"))
    return None if value is None or value != int(value) else int(value)


def _safe_date(year: int, month: int | None, day: int | None) -> date | None:
    if month is None or day is None:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _date(text: str, today: date) -> date | None:
    match = _ISO_RE.search(text)
    if match:
        return _safe_date(int(match[1]), int(match[2]), int(match[3]))
    match = _MONTH_DAY_RE.search(text) or _DOTTED_RE.search(text)
    if match:
        return _month_day(match, today)
    for word, offset in _RELATIVE_DAYS:
        if word in text:
            return today + timedelta(days=offset)
    match = _WEEKDAY_RE.search(text)
    if match:
        return _weekday(match[1] or "", _WEEKDAY_CHARS[match[2]], today)
    match = _DAY_OF_MONTH_RE.search(text)
    if match:
        return _day_of_month(bool(match[1]), _number(match[2]), today)
    return None


def _month_day(match: re.Match[str], today: date) -> date | None:
    groups = match.groups()
    year_word = groups[0] if len(groups) == 3 else None
    month, day = _number(groups[-2]), _number(groups[-1])
    year = today.year + (1 if year_word == "明年" else 0)
    found = _safe_date(year, month, day)
    if found is not None and found < today and year_word is None:
        found = _safe_date(year + 1, month, day)
    return found


def _day_of_month(next_month: bool, day: int | None, today: date) -> date | None:
    year, month = today.year, today.month
    if next_month:
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    found = _safe_date(year, month, day)
    if found is not None and found < today and not next_month:
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        found = _safe_date(year, month, day)
    return found


def _weekday(prefix: str, weekday: int, today: date) -> date:
    monday = today - timedelta(days=today.weekday())
    if prefix.startswith("下下"):
        return monday + timedelta(weeks=2, days=weekday)
    if prefix.startswith("下"):
        return monday + timedelta(weeks=1, days=weekday)
    if prefix.startswith("上"):
        return monday - timedelta(weeks=1) + timedelta(days=weekday)
    if prefix:  # 这周 / 本周
        return monday + timedelta(days=weekday)
    return today + timedelta(days=(weekday - today.weekday()) % 7)


def _clock(text: str, part: PartOfDay | None) -> time | None:
    match = _CLOCK_RE.search(text)
    if match:
        hour, minute = int(match[1]), int(match[2])
    else:
        match = next((m for m in _HOUR_RE.finditer(text) if not _is_a_little(text, m)), None)
        if not match:
            return None
        parsed_hour, minute_word = _number(match[1]), match[3] or ""
        if parsed_hour is None or parsed_hour > 24:
            return None
        hour = parsed_hour
        minutes: int | None = {"半": 30, "一刻": 15, "三刻": 45, "": 0}.get(minute_word)
        if minutes is None:
            minutes = _number(match[4]) if match[4] else None
        if minutes is None or minutes > 59:
            return None
        minute = minutes
    hour = _with_part_of_day(hour, part)
    return time(hour % 24, minute)


def _is_a_little(text: str, match: re.Match[str]) -> bool:
    """早一点 / 快一点 mean "a little", not one o'clock."""
    return match[1] == "一" and match.start() > 0 and text[match.start() - 1] in _A_LITTLE_BEFORE


def _with_part_of_day(hour: int, part: PartOfDay | None) -> int:
    if part in ("afternoon", "evening") and hour < 12:
        return hour + 12
    if part == "noon" and hour <= 2:
        return hour + 12
    if part is None and 1 <= hour <= 6:
        return hour + 12  # office-hours reading: 两点 is 14:00
    return hour
