"""CSV export of cases (names, phones and ID numbers only for roles allowed personal data) and
transcript export (JSON or CSV) for retraining the assistant. Every export is audited."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from typing import Any

from sqlalchemy import select

from integration.categories import CATEGORY_NAMES
from integration.service.adapters import orm
from integration.service.domain.retention import masked_name
from integration.service.domain.roles import Principal
from integration.service.domain.status import OUTCOME_NAMES, STATUS_NAMES, Outcome, Status
from integration.service.services.accounts import record
from integration.service.services.context import ServiceContext
from integration.service.services.stats import _bounds
from integration.service.services.views import iso
from textnorm.mask import mask_id, mask_name, mask_phone, mask_text

CASE_COLUMNS = (
    "案件编号",
    "状态",
    "类别",
    "渠道",
    "承办机构",
    "登记时间",
    "首次联系",
    "办结时间",
    "办理结果",
    "申请人",
    "手机",
    "身份证号",
    "被申请人",
    "金额（元）",
    "地点",
    "事由",
)


def cases_csv(ctx: ServiceContext, who: Principal, first: date, last: date) -> str:
    personal = who.may("export.personal")
    lo, hi = _bounds(ctx, first, last)
    out = io.StringIO()
    out.write("\ufeff")
    w = csv.writer(out)
    w.writerow(CASE_COLUMNS)
    with ctx.uow() as uow:
        rows = (
            uow.session.scalars(
                select(orm.Case)
                .where(orm.Case.created_at >= lo, orm.Case.created_at < hi)
                .order_by(orm.Case.id)
            )
            .unique()
            .all()
        )
        for c in rows:
            applicant = next(p for p in c.parties if p.role == "applicant")
            others = "、".join(
                p.name if personal else masked_name(p.name, mask_name)
                for p in c.parties
                if p.role == "respondent"
            )
            w.writerow(
                [
                    c.case_no,
                    STATUS_NAMES[Status(c.status)],
                    CATEGORY_NAMES.get(c.category, c.category),
                    c.channel,
                    c.institution.name if c.institution else "",
                    iso(c.created_at, ctx.tz),
                    iso(c.first_contact_at, ctx.tz) or "",
                    iso(c.closed_at, ctx.tz) or "",
                    OUTCOME_NAMES[Outcome(c.outcome)] if c.outcome else "",
                    applicant.name if personal else masked_name(applicant.name, mask_name),
                    (applicant.phone if personal else mask_phone(applicant.phone)) if applicant.phone else "",
                    (applicant.id_number if personal else mask_id(applicant.id_number))
                    if applicant.id_number
                    else "",
                    others,
                    str(c.amount_yuan) if c.amount_yuan is not None else "",
                    c.location or "",
                    c.description if personal else mask_text(c.description),
                ]
            )
        record(
            uow,
            ctx.clock(),
            who.actor,
            "export_cases",
            "ok",
            None,
            personal=personal,
            rows=len(rows),
            range=f"{first}..{last}",
        )
        uow.commit()
    return out.getvalue()


def transcripts(ctx: ServiceContext, who: Principal, first: date, last: date) -> list[dict[str, Any]]:
    """Conversations of the range with their tags (识别错误, 需补充训练 …) for retraining: call
    records as recorded, else the hand-off's transcript. Phones and ID numbers in the text are
    masked unless the role may export personal data."""
    personal = who.may("export.personal")
    lo, hi = _bounds(ctx, first, last)
    out: list[dict[str, Any]] = []
    with ctx.uow() as uow:
        handoffs = (
            uow.session.scalars(
                select(orm.Handoff)
                .where(orm.Handoff.created_at >= lo, orm.Handoff.created_at < hi)
                .order_by(orm.Handoff.id)
            )
            .unique()
            .all()
        )
        seen: set[str] = set()
        for h in handoffs:
            conversation = uow.session.scalars(
                select(orm.Conversation).where(orm.Conversation.conversation_id == h.conversation_id)
            ).first()
            turns = list(conversation.turns) if conversation else list(h.transcript)
            seen.add(h.conversation_id)
            out.append(_conversation(h.conversation_id, h.channel, turns, h, personal))
        calls = uow.session.scalars(
            select(orm.Conversation).where(
                orm.Conversation.updated_at >= lo, orm.Conversation.updated_at < hi
            )
        ).all()
        for c in calls:
            if c.conversation_id not in seen:
                out.append(_conversation(c.conversation_id, c.channel, list(c.turns), None, personal))
        record(
            uow,
            ctx.clock(),
            who.actor,
            "export_transcripts",
            "ok",
            None,
            personal=personal,
            conversations=len(out),
            range=f"{first}..{last}",
        )
        uow.commit()
    return out


def _conversation(
    conversation_id: str,
    channel: str,
    turns: list[dict[str, Any]],
    handoff: orm.Handoff | None,
    personal: bool,
) -> dict[str, Any]:
    def clean(text: object) -> str:
        value = str(text or "")
        return value if personal else mask_text(value)

    lines = []
    for t in turns:
        speaker = t.get("speaker") or {"caller": "citizen", "dtmf": "citizen"}.get(
            t.get("kind", ""), t.get("kind")
        )
        text = t.get("text") if t.get("kind") != "dtmf" else f"按键 {t.get('digits', '')}"
        if text:
            lines.append({"speaker": speaker, "text": clean(text), "confidence": t.get("confidence")})
    return {
        "conversation_id": conversation_id,
        "channel": channel,
        "tags": list(handoff.tags) if handoff else [],
        "category": handoff.category if handoff else None,
        "handoff_reason": handoff.reason_code if handoff else None,
        "turns": lines,
    }


def transcripts_csv(items: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    out.write("\ufeff")
    w = csv.writer(out)
    w.writerow(
        [
            "conversation_id",
            "channel",
            "tags",
            "category",
            "handoff_reason",
            "turn",
            "speaker",
            "text",
            "confidence",
        ]
    )
    for item in items:
        for i, t in enumerate(item["turns"]):
            w.writerow(
                [
                    item["conversation_id"],
                    item["channel"],
                    "|".join(item["tags"]),
                    item["category"] or "",
                    item["handoff_reason"] or "",
                    i,
                    t["speaker"],
                    t["text"],
                    "" if t["confidence"] is None else t["confidence"],
                ]
            )
    return out.getvalue()


def transcripts_json(items: list[dict[str, Any]]) -> str:
    return json.dumps({"conversations": items}, ensure_ascii=False, indent=1)
