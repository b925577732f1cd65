"""The case desk: the case list with its clock (overdue first, then the next deadline), search
by number, phone or name with personal data masked until a case is opened; the opened case with
everything around it; and cases made from a hand-off after staff corrected what the bot heard.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select

from integration.service.adapters import orm
from integration.service.adapters.unit_of_work import UnitOfWork
from integration.service.domain.errors import Forbidden, HandoffConflict, ValidationFailed
from integration.service.domain.intake import parse_new_case
from integration.service.domain.retention import masked_name
from integration.service.domain.roles import Principal, Role
from integration.service.domain.status import STATUS_NAMES, Status
from integration.service.services import cases
from integration.service.services.context import ServiceContext
from integration.service.services.views import appointment_json, audit_json, case_json, iso
from textnorm.mask import mask_name, mask_phone

OPEN = ("received", "registered", "routed", "in_mediation", "closed")
CASE_NO_RE = re.compile(r"^JF-?\d{0,4}-?\d{0,8}$", re.I)
PHONE_RE = re.compile(r"^1[3-9]\d{9}$")
MAX_LIST = 300  # lines shown
MAX_SCAN = 5000  # cases ordered by their clock before the list is cut


@dataclass(frozen=True)
class CaseQuery:
    status: str | None = None  # a status code, "open" (not followed up) or None (all)
    category: str | None = None
    institution: str | None = None
    overdue_only: bool = False
    q: str | None = None  # case number (or its start), full phone, or exact name


def next_due(case: orm.Case) -> tuple[str | None, datetime | None]:
    """The deadline the case is running against now, by its status."""
    status = Status(case.status)
    if status in (Status.RECEIVED, Status.REGISTERED):
        return "route_by", case.route_by
    if status is Status.ROUTED and case.first_contact_at is None:
        return "contact_by", case.contact_by
    if status in (Status.ROUTED, Status.IN_MEDIATION):
        return "close_by", case.close_by
    if status is Status.CLOSED:
        return "follow_up_by", case.follow_up_by
    return None, None


def list_row(case: orm.Case, ctx: ServiceContext) -> dict[str, Any]:
    """One line of the list: no full name or phone (they are shown when the case is opened)."""
    applicant = next(p for p in case.parties if p.role == "applicant")
    kind, due = next_due(case)
    return {
        "case_no": case.case_no,
        "status": case.status,
        "status_name": STATUS_NAMES[Status(case.status)],
        "category": case.category,
        "category_name": case_json(case, ctx.tz)["category_name"],
        "channel": case.channel,
        "institution": case.institution.code if case.institution else None,
        "institution_name": case.institution.name if case.institution else None,
        "applicant_masked": masked_name(applicant.name, mask_name),
        "phone_masked": mask_phone(applicant.phone) if applicant.phone else None,
        "created_at": iso(case.created_at, ctx.tz),
        "next_due": kind,
        "next_due_at": iso(due, ctx.tz),
        "overdue": sorted(e.kind for e in case.escalations)
        or ([kind] if due is not None and due < ctx.clock() else []),
    }


def case_list(ctx: ServiceContext, who: Principal, query: CaseQuery) -> list[dict[str, Any]]:
    with ctx.uow() as uow:
        stmt = select(orm.Case)
        if query.status == "open":
            stmt = stmt.where(orm.Case.status.in_(OPEN))
        elif query.status:
            stmt = stmt.where(orm.Case.status == query.status)
        if query.category:
            stmt = stmt.where(orm.Case.category == query.category)
        institution = query.institution
        if who.role is Role.MEDIATOR:
            institution = who.institution  # a mediator's list is their institution's
        if institution:
            stmt = stmt.join(orm.Institution, orm.Case.institution_id == orm.Institution.id).where(
                orm.Institution.code == institution
            )
        if query.q:
            stmt = stmt.where(_search(query.q.strip()))
        rows = uow.session.scalars(stmt.order_by(orm.Case.id.desc()).limit(MAX_SCAN)).unique().all()
        items = [list_row(c, ctx) for c in rows]
    if query.overdue_only:
        items = [i for i in items if i["overdue"]]
    items.sort(key=lambda i: (not i["overdue"], i["next_due_at"] or "9999", i["case_no"]))
    return items[:MAX_LIST]


def _search(q: str) -> Any:
    """A case number (or its beginning), a full mobile number, or an applicant's exact name."""
    parties = select(orm.Party.case_id)
    if PHONE_RE.match(q):
        return orm.Case.id.in_(parties.where(orm.Party.phone == q))
    if CASE_NO_RE.match(q) and any(ch.isdigit() for ch in q):
        return orm.Case.case_no.like(q.upper().replace("%", "") + "%")
    return or_(orm.Case.id.in_(parties.where(orm.Party.name == q[:50])), orm.Case.case_no == q.upper())


def case_desk(ctx: ServiceContext, case_no: str, who: Principal) -> dict[str, Any]:
    """The opened case: applicant and other party in full, the description, the conversation it
    came from, hand-offs, appointments, notes, evidence and the audit log."""
    with ctx.uow() as uow:
        case = uow.repo.get_case(case_no)
        if not who.sees_institution(case.institution.code if case.institution else None):
            raise Forbidden("该案件不属于您所在的机构，您无权查看或办理")
        entries = uow.repo.audit_of(case.id)
        handoffs = (
            uow.session.scalars(
                select(orm.Handoff)
                .where(
                    or_(
                        orm.Handoff.case_id == case.id,
                        orm.Handoff.conversation_id == (case.conversation_id or "\x00"),
                    )
                )
                .order_by(orm.Handoff.id)
            )
            .unique()
            .all()
        )
        appointments = (
            uow.session.scalars(
                select(orm.Appointment)
                .where(orm.Appointment.case_id == case.id)
                .order_by(orm.Appointment.start_at)
            )
            .unique()
            .all()
        )
        conversation = None
        if case.conversation_id:
            conversation = uow.session.scalars(
                select(orm.Conversation).where(orm.Conversation.conversation_id == case.conversation_id)
            ).first()
        turns: list[dict[str, Any]] = list(conversation.turns) if conversation else []
        if not turns and handoffs:
            turns = list(handoffs[-1].transcript)
        evidence = uow.session.scalars(
            select(orm.Evidence)
            .where(
                or_(
                    orm.Evidence.case_id == case.id,
                    orm.Evidence.conversation_id == (case.conversation_id or "\x00"),
                )
            )
            .order_by(orm.Evidence.id)
        ).all()
        detail = case_json(case, ctx.tz)
        respondents = [{"name": p.name, "phone": p.phone} for p in case.parties if p.role == "respondent"]
        kind, due = next_due(case)
        return {
            **detail,
            "respondents": respondents,
            "next_due": kind,
            "next_due_at": iso(due, ctx.tz),
            "first_contact_at": iso(case.first_contact_at, ctx.tz),
            "closed_at": iso(case.closed_at, ctx.tz),
            "follow_up": None
            if case.follow_up is None
            else {
                "due_at": iso(case.follow_up.due_at, ctx.tz),
                "completed_at": iso(case.follow_up.completed_at, ctx.tz),
                "result": case.follow_up.result,
                "satisfied": case.follow_up.satisfied,
            },
            "audit": [audit_json(e, ctx.tz) for e in entries],
            "notes": [audit_json(e, ctx.tz) for e in entries if e.action == "note"],
            "handoffs": [
                {
                    "id": h.id,
                    "status": h.status,
                    "reason": h.reason,
                    "tags": h.tags,
                    "created_at": iso(h.created_at, ctx.tz),
                }
                for h in handoffs
            ],
            "appointments": [appointment_json(a, ctx.tz) for a in appointments],
            "conversation": {
                "conversation_id": case.conversation_id,
                "channel": conversation.channel if conversation else case.channel,
                "turns": turns,
            },
            "evidence": [evidence_json(e, ctx) for e in evidence],
        }


def evidence_json(e: orm.Evidence, ctx: ServiceContext) -> dict[str, Any]:
    return {
        "ref": e.ref,
        "filename": e.filename,
        "media_type": e.media_type,
        "size": e.size,
        "sha256": e.sha256,
        "uploaded_at": iso(e.uploaded_at, ctx.tz),
        "conversation_id": e.conversation_id,
    }


def from_handoff(
    ctx: ServiceContext, uow: UnitOfWork, handoff_id: int, data: dict[str, Any], who: Principal
) -> dict[str, Any]:
    """Register a case from a hand-off with the details staff corrected (the same validation as
    the bot's intake), link the hand-off, its conversation and evidence to it."""
    row = uow.repo.handoff(handoff_id)
    if row.case is not None:
        raise HandoffConflict(f"该会话已关联案件 {row.case.case_no}")
    body = {**data, "channel": row.channel, "conversation_id": row.conversation_id}
    new = parse_new_case(body)
    made = cases.register(ctx, uow, new, who.actor)
    case = uow.repo.get_case(made["case_no"])
    _link(ctx, uow, row, case, who, "case_from_handoff")
    return {**case_json(case, ctx.tz), "handoff": row.id, "registered": made["case_no"]}


def attach(
    ctx: ServiceContext, uow: UnitOfWork, handoff_id: int, case_no: str, who: Principal
) -> dict[str, Any]:
    """Attach a hand-off (a citizen calling again about the same dispute) to an existing case."""
    row = uow.repo.handoff(handoff_id)
    case = uow.repo.get_case(case_no)
    if not who.sees_institution(case.institution.code if case.institution else None):
        raise Forbidden("该案件不属于您所在的机构，您无权查看或办理")
    if row.case is not None and row.case.id != case.id:
        raise HandoffConflict(f"该会话已关联案件 {row.case.case_no}")
    _link(ctx, uow, row, case, who, "handoff_attached")
    return case_json(case, ctx.tz)


def _link(
    ctx: ServiceContext, uow: UnitOfWork, row: orm.Handoff, case: orm.Case, who: Principal, action: str
) -> None:
    now = ctx.clock()
    row.case, row.case_no = case, case.case_no
    for e in uow.session.scalars(
        select(orm.Evidence).where(
            orm.Evidence.conversation_id == row.conversation_id, orm.Evidence.case_id.is_(None)
        )
    ):
        e.case_id = case.id
    uow.session.flush()
    cases.audit(
        uow, case, who.actor, action, now, None, handoff=row.id, conversation=row.conversation_id[:12]
    )


def validate_query(args: Any) -> CaseQuery:
    status = args.get("status") or None
    if status not in (None, "open", *[s.value for s in Status]):
        raise ValidationFailed("unknown_status", "未知的案件状态", field="status")
    q = args.get("q") or None
    if q is not None and len(q) > 50:
        raise ValidationFailed("too_long", "搜索内容过长", field="q")
    return CaseQuery(
        status=status,
        category=args.get("category") or None,
        institution=args.get("institution") or None,
        overdue_only=args.get("overdue") in ("1", "true"),
        q=q,
    )
