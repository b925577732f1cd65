from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from textnorm.datetime_zh import (
    ResolvedTime,
    format_day,
    format_time,
    in_part_of_day,
    resolve,
    target_phrase,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Thursday 26 November 2026, 20:00 in Shanghai.
NOW = datetime(2026, 11, 26, 20, 0, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("今天", date(2026, 11, 26)),
        ("明天", date(2026, 11, 27)),
        ("后天", date(2026, 11, 28)),
        ("大后天", date(2026, 11, 29)),
        ("周五", date(2026, 11, 27)),
        ("周四", date(2026, 11, 26)),  # a bare weekday includes today
        ("周三", date(2026, 12, 2)),  # already past this week → next Wednesday
        ("星期一", date(2026, 11, 30)),
        ("礼拜天", date(2026, 11, 29)),
        ("星期日", date(2026, 11, 29)),
        ("周末", date(2026, 11, 28)),
        ("这周三", date(2026, 11, 25)),  # this week's Wednesday, even though it has passed
        ("本周五", date(2026, 11, 27)),
        ("下周三", date(2026, 12, 2)),
        ("下个星期三", date(2026, 12, 2)),
        ("下礼拜一", date(2026, 11, 30)),
        ("下下周一", date(2026, 12, 7)),
        ("上周六", date(2026, 11, 21)),
        ("12月3日", date(2026, 12, 3)),
        ("十二月三号", date(2026, 12, 3)),
        ("12月3", date(2026, 12, 3)),
        ("12.3", date(2026, 12, 3)),
        ("12/3", date(2026, 12, 3)),
        ("3月12号", date(2027, 3, 12)),  # past this year → next year
        ("11月26日", date(2026, 11, 26)),  # today is not in the past
        ("今年3月12号", date(2026, 3, 12)),  # an explicit year is never moved
        ("明年1月5日", date(2027, 1, 5)),
        ("2026-12-03", date(2026, 12, 3)),
        ("2026年12月3日", date(2026, 12, 3)),
        ("2025-01-01", date(2025, 1, 1)),
        ("３０号", date(2026, 11, 30)),
        ("十二号", date(2026, 12, 12)),  # day of month already past → next month
        ("下个月5号", date(2026, 12, 5)),
        ("二十八号", date(2026, 11, 28)),
    ],
)
def test_dates(text: str, expected: date) -> None:
    resolved = resolve(text, NOW)
    assert resolved is not None
    assert resolved.date == expected
    assert resolved.date_explicit
    assert resolved.start is None and not resolved.time_explicit


@pytest.mark.parametrize(
    ("text", "day", "start", "part"),
    [
        ("下周三上午", date(2026, 12, 2), None, "morning"),
        ("明天下午两点", date(2026, 11, 27), time(14, 0), "afternoon"),
        ("明天两点", date(2026, 11, 27), time(14, 0), "afternoon"),  # office-hours reading
        ("后天上午十点半", date(2026, 11, 28), time(10, 30), "morning"),
        ("周五下午三点一刻", date(2026, 11, 27), time(15, 15), "afternoon"),
        ("周五三点三刻", date(2026, 11, 27), time(15, 45), "afternoon"),
        ("十二号上午九点", date(2026, 12, 12), time(9, 0), "morning"),
        ("12月3日 9:30", date(2026, 12, 3), time(9, 30), "morning"),
        ("12月3日 14：30", date(2026, 12, 3), time(14, 30), "afternoon"),
        ("2026-12-03 15:00", date(2026, 12, 3), time(15, 0), "afternoon"),
        ("明天中午12点", date(2026, 11, 27), time(12, 0), "noon"),
        ("明天中午一点", date(2026, 11, 27), time(13, 0), "noon"),
        ("明晚七点", date(2026, 11, 27), time(19, 0), "evening"),
        ("明天晚上8点", date(2026, 11, 27), time(20, 0), "evening"),
        ("下周一上午9点15分", date(2026, 11, 30), time(9, 15), "morning"),
        ("下周一两点十分", date(2026, 11, 30), time(14, 10), "afternoon"),
        ("明天九点钟", date(2026, 11, 27), time(9, 0), "morning"),
        ("明天下午", date(2026, 11, 27), None, "afternoon"),
        ("明早", date(2026, 11, 27), None, "morning"),
    ],
)
def test_dates_with_times(text: str, day: date, start: time | None, part: str) -> None:
    resolved = resolve(text, NOW)
    assert resolved == ResolvedTime(
        date=day, start=start, part_of_day=part, time_explicit=start is not None, date_explicit=True
    )


def test_a_time_alone_is_today_and_says_so() -> None:
    resolved = resolve("上午十点", NOW)
    assert resolved == ResolvedTime(
        date=date(2026, 11, 26),
        start=time(10, 0),
        part_of_day="morning",
        time_explicit=True,
        date_explicit=False,
    )


@pytest.mark.parametrize(
    "text", ["", "我想预约", "好的", "能不能早一点", "2月30日", "13月5日", "拖欠三个月工资", "25点"]
)
def test_no_date_or_time(text: str) -> None:
    assert resolve(text, NOW) is None


def test_impossible_date_with_a_time_keeps_only_the_time() -> None:
    resolved = resolve("2月30日上午", NOW)
    assert resolved is not None and not resolved.date_explicit


def test_year_end_rolls_over() -> None:
    december = datetime(2026, 12, 30, 9, 0, tzinfo=SHANGHAI)
    assert resolve("1月4日", december) == ResolvedTime(date=date(2027, 1, 4))
    assert resolve("3号", december) == ResolvedTime(date=date(2027, 1, 3))
    assert resolve("下周一", december) == ResolvedTime(date=date(2027, 1, 4))


def test_sentences_around_the_expression() -> None:
    resolved = resolve("我想约下周三上午去调解，可以吗", NOW)
    assert resolved is not None and resolved.date == date(2026, 12, 2) and resolved.part_of_day == "morning"
    resolved = resolve("帮我订一个明天下午两点的调解", NOW)
    assert resolved is not None and resolved.start == time(14, 0)


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (time(9, 0), "上午9:00"),
        (time(14, 30), "下午2:30"),
        (time(12, 0), "中午12:00"),
        (time(19, 5), "晚上7:05"),
    ],
)
def test_format_time(moment: time, expected: str) -> None:
    assert format_time(moment) == expected


def test_format_day_and_parts() -> None:
    assert format_day(date(2026, 12, 3)) == "12月3日（周四）"
    assert format_day(date(2026, 11, 29)) == "11月29日（周日）"
    assert in_part_of_day(time(9, 0), "morning") and not in_part_of_day(time(14, 0), "morning")
    assert in_part_of_day(time(12, 0), "afternoon") and in_part_of_day(time(11, 0), "noon")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("把周三的预约改到周五", "周五"),
        ("明天去不了了，能改到后天吗", "后天吗"),
        ("下周一", "下周一"),
        ("改到", "改到"),
    ],
)
def test_target_phrase_of_a_move(text: str, expected: str) -> None:
    assert target_phrase(text) == expected
    assert resolve(target_phrase("把周三的预约改到周五"), NOW) == ResolvedTime(date=date(2026, 11, 27))
