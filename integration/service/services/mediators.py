"""Mediator profiles a citizen can choose by (普陀 "点单"): name, institution, title,
specialties (category codes: 婚姻家庭 = family, 劳动 = labour, 物业 = property …), languages or
dialects, weekly hours and days off; and one mediator's free slots, or an honest empty list.
"""

from __future__ import annotations

from datetime import date, time, timedelta
from typing import Any

from sqlalchemy import select

from integration.categories import CATEGORY_NAMES
from integration.service.adapters import orm
from integration.service.adapters.unit_of_work import UnitOfWork
from integration.service.domain import validation as v
from integration.service.domain.errors import MediatorNotFound, ValidationFailed
from integration.service.services.accounts import record
from integration.service.services.appointments import slots
from integration.service.services.context import ServiceContext

WEEKDAYS = "一二三四五六日"
MAX_SLOT_DAYS = 14


def profile(m: orm.Mediator) -> dict[str, Any]:
    return {
        "code": m.code,
        "name": m.name,
        "title": m.title,
        "active": m.active,
        "institution": {"code": m.institution.code, "name": m.institution.name},
        "specialties": list(m.specialties or []),
        "specialty_names": [CATEGORY_NAMES.get(s, s) for s in m.specialties or []],
        "languages": list(m.languages or []),
        "bio": m.bio,
        "hours": [
            {
                "weekday": h.weekday,
                "weekday_name": f"周{WEEKDAYS[h.weekday]}",
                "start": h.start.strftime("%H:%M"),
                "end": h.end.strftime("%H:%M"),
            }
            for h in sorted(m.hours, key=lambda h: (h.weekday, h.start))
        ],
        "days_off": [
            {"day": d.day.isoformat(), "reason": d.reason} for d in sorted(m.days_off, key=lambda d: d.day)
        ],
    }


def search(
    ctx: ServiceContext,
    *,
    name: str | None = None,
    specialty: str | None = None,
    institution: str | None = None,
    include_inactive: bool = False,
) -> list[dict[str, Any]]:
    """``name`` matches a name or title fragment ("王", "陈律师" → 陈 + 律师), ``specialty`` a
    category code."""
    with ctx.uow() as uow:
        rows = uow.session.scalars(select(orm.Mediator).order_by(orm.Mediator.code)).unique().all()
        out = []
        for m in rows:
            if not (include_inactive or m.active):
                continue
            if specialty and specialty not in (m.specialties or []):
                continue
            if institution and m.institution.code != institution:
                continue
            if name and not _name_matches(name, m):
                continue
            out.append(profile(m))
        return out


def _name_matches(wanted: str, m: orm.Mediator) -> bool:
    wanted = wanted.strip()
    if wanted in m.name or (m.title and wanted in m.title):
        return True
    for title in ("律师", "调解员", "调解", "仲裁员", "法官"):  # 王律师 = surname 王 + title 律师
        if wanted.endswith(title) and len(wanted) > len(title):
            surname = wanted[: -len(title)]
            return m.name.startswith(surname) and title in f"{m.name}{m.title or ''}"
    for honorific in _HONORIFICS:  # 李老师, 郭主任: what citizens call anyone, the surname decides
        if wanted.endswith(honorific) and len(wanted) > len(honorific):
            return m.name.startswith(wanted[: -len(honorific)])
    return False


_HONORIFICS = ("老师", "主任", "同志", "专家", "大姐", "师傅")


def free_slots(ctx: ServiceContext, code: str, first: date, days: int) -> dict[str, Any]:
    """The mediator's free slots over ``days`` days from ``first``; ``none_reason`` says why
    there are none (away, no hours, fully booked) so the citizen is told honestly."""
    days = max(1, min(days, MAX_SLOT_DAYS))
    with ctx.uow() as uow:
        m = _find(uow, code)
        info, inst = profile(m), m.institution.code
    items = [
        s
        for d in range(days)
        for s in slots(ctx, inst, first + timedelta(days=d))
        if s["mediator"]["code"] == code
    ]
    reason = None
    if not items:
        reason = (
            "该调解员暂停接待"
            if not info["active"]
            else "该调解员没有设置接待时间"
            if not info["hours"]
            else f"{info['name']}在{first.isoformat()}起{days}天内没有空闲时段"
        )
    return {"mediator": info, "items": items, "none_reason": reason}


def _find(uow: UnitOfWork, code: str) -> orm.Mediator:
    """Active or not (a profile on leave is still edited and shown to staff)."""
    found = uow.session.scalars(select(orm.Mediator).where(orm.Mediator.code == code)).first()
    if found is None:
        raise MediatorNotFound()
    return found


def _hours(raw: object) -> list[orm.WorkingHoursRow]:
    if not isinstance(raw, list) or len(raw) > 28:
        raise ValidationFailed("invalid_hours", "接待时间格式不正确", field="hours")
    rows = []
    for block in raw:
        try:
            weekday = int(block["weekday"])
            start, end = time.fromisoformat(block["start"]), time.fromisoformat(block["end"])
        except (KeyError, TypeError, ValueError) as exc:
            raise ValidationFailed(
                "invalid_hours", "接待时间应为 {weekday, start, end}", field="hours"
            ) from exc
        if not 0 <= weekday <= 6 or start >= end:
            raise ValidationFailed("invalid_hours", "接待时间的星期或起止时间不正确", field="hours")
        rows.append(orm.WorkingHoursRow(weekday=weekday, start=start, end=end))
    return rows


def _days_off(raw: object) -> list[orm.DayOff]:
    if not isinstance(raw, list) or len(raw) > 366:
        raise ValidationFailed("invalid_days_off", "休息日格式不正确", field="days_off")
    out: dict[date, orm.DayOff] = {}
    for item in raw:
        try:
            day = date.fromisoformat(item["day"] if isinstance(item, dict) else item)
        except (KeyError, TypeError, ValueError) as exc:
            raise ValidationFailed("invalid_days_off", "休息日应为 YYYY-MM-DD", field="days_off") from exc
        reason = item.get("reason") if isinstance(item, dict) else None
        out[day] = orm.DayOff(day=day, reason=str(reason)[:200] if reason else None)
    return list(out.values())


def _strings(raw: object, field: str, allowed: dict[str, str] | None = None) -> list[str]:
    if (
        not isinstance(raw, list)
        or len(raw) > 12
        or not all(isinstance(x, str) and 0 < len(x) <= 20 for x in raw)
    ):
        raise ValidationFailed("invalid_list", "列表格式不正确（最多12项，每项不超过20字）", field=field)
    if allowed is not None and any(x not in allowed for x in raw):
        raise ValidationFailed("unknown_category", "擅长领域应为纠纷类别代码", field=field)
    return list(dict.fromkeys(raw))


def save(
    ctx: ServiceContext, uow: UnitOfWork, code: str, data: dict[str, Any], actor: str, create: bool
) -> dict[str, Any]:
    """Create or update a profile; hours and days off are replaced when given."""
    if create:
        if not code or len(code) > 64 or not code.replace("_", "").replace("-", "").isalnum():
            raise ValidationFailed("invalid_code", "编号只能包含字母、数字、下划线和连字符", field="code")
        if uow.session.scalars(select(orm.Mediator.id).where(orm.Mediator.code == code)).first():
            raise ValidationFailed("code_taken", "该编号已存在", field="code")
        m = orm.Mediator(
            code=code,
            name=v.required_text(data, "name", max_len=50),
            institution=uow.repo.institution(v.required_text(data, "institution", max_len=64)),
            active=True,
            specialties=[],
            languages=[],
        )
        uow.repo.add(m)
    else:
        m = _find(uow, code)
        if "name" in data:
            m.name = v.required_text(data, "name", max_len=50)
        if "institution" in data:
            m.institution = uow.repo.institution(v.required_text(data, "institution", max_len=64))
    if "title" in data:
        m.title = v.text(data, "title", max_len=50, required=False)
    if "bio" in data:
        m.bio = v.text(data, "bio", max_len=1000, required=False)
    if "active" in data:
        if not isinstance(data["active"], bool):
            raise ValidationFailed("invalid_type", "active 必须是 true 或 false", field="active")
        m.active = data["active"]
    if "specialties" in data:
        m.specialties = _strings(data["specialties"], "specialties", CATEGORY_NAMES)
    if "languages" in data:
        m.languages = _strings(data["languages"], "languages")
    if "hours" in data:
        m.hours = _hours(data["hours"])
    if "days_off" in data:
        m.days_off = _days_off(data["days_off"])
    uow.session.flush()
    record(uow, ctx.clock(), actor, "mediator_created" if create else "mediator_updated", code=code)
    return profile(m)
