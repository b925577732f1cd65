"""Statistics for the centre's leaders, over a date range of registration (local dates): intakes
per day and channel, the share completed without a person, hand-off reasons, cases by category,
institution and outcome, time to first contact and to closure against the deadlines, overdue
counts, and applicants by gender and age band where the resident ID was given (槐荫: 性别、年龄、
事件的性质类型、时间节点). Computed in Python over the range's rows: a centre registers hundreds
of cases a month, not millions.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from datetime import date, datetime, time, timedelta
from statistics import median
from typing import Any

from sqlalchemy import select

from integration.categories import CATEGORY_NAMES
from integration.handoff_vocab import REASON_NAMES
from integration.service.adapters import orm
from integration.service.domain.errors import ValidationFailed
from integration.service.domain.status import OUTCOME_NAMES, Outcome
from integration.service.services.context import ServiceContext

CHANNEL_NAMES = {"web": "网页", "phone": "电话", "robot": "自助机", "walk-in": "窗口"}
AGE_BANDS = (
    (0, 18, "18岁以下"),
    (18, 30, "18-29岁"),
    (30, 40, "30-39岁"),
    (40, 50, "40-49岁"),
    (50, 60, "50-59岁"),
    (60, 200, "60岁及以上"),
)
MAX_DAYS = 366


def date_range(ctx: ServiceContext, start: str | None, end: str | None) -> tuple[date, date]:
    """``from``/``to`` as local dates (inclusive); the last 30 days by default."""
    today = ctx.clock().astimezone(ctx.tz).date()
    try:
        last = date.fromisoformat(end) if end else today
        first = date.fromisoformat(start) if start else last - timedelta(days=29)
    except ValueError as exc:
        raise ValidationFailed("invalid_date", "日期格式应为 YYYY-MM-DD", field="from") from exc
    if not (date(2000, 1, 1) <= first and last <= date(2100, 12, 31)):
        raise ValidationFailed("invalid_range", "日期应在2000年至2100年之间", field="from")
    if first > last or (last - first).days >= MAX_DAYS:
        raise ValidationFailed(
            "invalid_range", f"开始日期不能晚于结束日期，且范围不超过{MAX_DAYS}天", field="from"
        )
    return first, last


def _bounds(ctx: ServiceContext, first: date, last: date) -> tuple[datetime, datetime]:
    return (
        datetime.combine(first, time(0), ctx.tz),
        datetime.combine(last + timedelta(days=1), time(0), ctx.tz),
    )


def gender_and_age(id_number: str | None, on: date) -> tuple[str, str] | None:
    """From an 18-digit resident ID: the 17th digit is odd for men; digits 7–14 the birth date."""
    if not id_number or len(id_number) != 18 or not id_number[:17].isdigit():
        return None
    try:
        born = date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
    except ValueError:
        return None
    age = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    band = next(name for low, high, name in AGE_BANDS if low <= age < high)
    return ("男" if int(id_number[16]) % 2 else "女"), band


def kept_profile(party: orm.Party) -> tuple[str, str] | None:
    """Gender and age band the retention job kept when it removed the resident ID."""
    return (party.gender, party.age_band) if party.gender and party.age_band else None


def _hours(delta: timedelta) -> float:
    return round(delta.total_seconds() / 3600, 1)


def compute(ctx: ServiceContext, first: date, last: date) -> dict[str, Any]:
    lo, hi = _bounds(ctx, first, last)
    with ctx.uow() as uow:
        case_rows = (
            uow.session.scalars(select(orm.Case).where(orm.Case.created_at >= lo, orm.Case.created_at < hi))
            .unique()
            .all()
        )
        handoff_rows = (
            uow.session.scalars(
                select(orm.Handoff).where(orm.Handoff.created_at >= lo, orm.Handoff.created_at < hi)
            )
            .unique()
            .all()
        )
        conversations = [c.conversation_id for c in case_rows if c.conversation_id]
        handed_conversations = (
            set(
                uow.session.scalars(
                    select(orm.Handoff.conversation_id).where(orm.Handoff.conversation_id.in_(conversations))
                )
            )
            if conversations
            else set()
        )
        days = [(first + timedelta(days=i)).isoformat() for i in range((last - first).days + 1)]
        per_day: dict[str, Counter[str]] = {d: Counter() for d in days}
        by_category: Counter[str] = Counter()
        by_institution: Counter[str] = Counter()
        by_outcome: Counter[str] = Counter()
        by_gender: Counter[str] = Counter()
        by_age: Counter[str] = Counter()
        overdue: Counter[str] = Counter()
        contact_h: list[float] = []
        close_h: list[float] = []
        contact_in_time = close_in_time = 0
        without_person = 0
        for case in case_rows:
            local = case.created_at.astimezone(ctx.tz).date()
            per_day[local.isoformat()][case.channel] += 1
            by_category[CATEGORY_NAMES.get(case.category, case.category)] += 1
            by_institution[case.institution.name if case.institution else "未分派"] += 1
            if case.outcome:
                by_outcome[OUTCOME_NAMES[Outcome(case.outcome)]] += 1
            for e in case.escalations:
                overdue[e.kind] += 1
            if case.first_contact_at is not None:
                contact_h.append(_hours(case.first_contact_at - case.created_at))
                contact_in_time += case.first_contact_at <= case.contact_by
            if case.closed_at is not None:
                close_h.append(_hours(case.closed_at - case.created_at))
                close_in_time += case.closed_at <= case.close_by
            if case.conversation_id and case.conversation_id not in handed_conversations:
                without_person += 1
            applicant = next(p for p in case.parties if p.role == "applicant")
            party = gender_and_age(applicant.id_number, local) or kept_profile(applicant)
            by_gender[party[0] if party else "未提供身份证号"] += 1
            by_age[party[1] if party else "未提供身份证号"] += 1
        total = len(case_rows)
        bot_intakes = sum(1 for c in case_rows if c.conversation_id)
        return {
            "from": first.isoformat(),
            "to": last.isoformat(),
            "cases": total,
            "handoffs": len(handoff_rows),
            "intakes_per_day": [
                {"day": d, **{CHANNEL_NAMES[c]: per_day[d][c] for c in CHANNEL_NAMES}} for d in days
            ],
            "without_person": {
                "intakes_by_assistant": bot_intakes,
                "completed": without_person,
                "share": round(without_person / bot_intakes, 3) if bot_intakes else None,
            },
            "handoff_reasons": _pairs(
                Counter(REASON_NAMES.get(h.reason_code, h.reason_code) for h in handoff_rows)
            ),
            "by_category": _pairs(by_category),
            "by_institution": _pairs(by_institution),
            "by_outcome": _pairs(by_outcome),
            "first_contact": _timing(contact_h, contact_in_time, ctx.policy.contact),
            "closure": _timing(close_h, close_in_time, ctx.policy.close),
            "overdue": _pairs(
                Counter(
                    {
                        {
                            "route": "分派逾期",
                            "contact": "联系逾期",
                            "close": "办结逾期",
                            "follow_up": "回访逾期",
                        }.get(k, k): v
                        for k, v in overdue.items()
                    }
                )
            ),
            "by_gender": _pairs(by_gender),
            "by_age_band": _pairs(by_age),
        }


def _pairs(counts: Counter[str]) -> list[dict[str, Any]]:
    return [{"name": k, "count": v} for k, v in counts.most_common()]


def _timing(hours: list[float], in_time: int, deadline: timedelta) -> dict[str, Any]:
    return {
        "count": len(hours),
        "median_hours": median(hours) if hours else None,
        "within_deadline": in_time,
        "deadline_hours": _hours(deadline),
        "share_within": round(in_time / len(hours), 3) if hours else None,
    }


def stats_csv(data: dict[str, Any]) -> str:
    """The statistics as one CSV (section, item, value); Excel opens it thanks to the BOM."""
    out = io.StringIO()
    out.write("\ufeff")
    w = csv.writer(out)
    w.writerow(["统计项", "名称", "数量"])
    w.writerow(["统计区间", f"{data['from']} 至 {data['to']}", ""])
    w.writerow(["案件总数", "", data["cases"]])
    w.writerow(["转人工总数", "", data["handoffs"]])
    for day in data["intakes_per_day"]:
        for channel in CHANNEL_NAMES.values():
            w.writerow([f"每日受理（{channel}）", day["day"], day[channel]])
    share = data["without_person"]["share"]
    w.writerow(["智能助手独立完成比例", "", "" if share is None else f"{share:.1%}"])
    sections = (
        ("handoff_reasons", "转人工原因"),
        ("by_category", "纠纷类别"),
        ("by_institution", "承办机构"),
        ("by_outcome", "办理结果"),
        ("overdue", "逾期"),
        ("by_gender", "申请人性别"),
        ("by_age_band", "申请人年龄段"),
    )
    for key, title in sections:
        for row in data[key]:
            w.writerow([title, row["name"], row["count"]])
    for key, title in (("first_contact", "首次联系"), ("closure", "办结")):
        t = data[key]
        w.writerow([f"{title}用时中位数（小时）", "", "" if t["median_hours"] is None else t["median_hours"]])
        w.writerow([f"{title}在时限内", f"时限{t['deadline_hours']}小时", t["within_deadline"]])
    return out.getvalue()
