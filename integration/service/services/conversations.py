"""What the bot attaches to a case: the transcript, and requests for a human to take over."""

from __future__ import annotations

from typing import Any

from integration.service.adapters import orm
from integration.service.adapters.unit_of_work import UnitOfWork
from integration.service.services.cases import audit
from integration.service.services.context import ServiceContext
from integration.service.services.views import iso


def put_transcript(ctx: ServiceContext, uow: UnitOfWork, case_no: str, text: str,
                   conversation_id: str | None, actor: str) -> dict[str, Any]:
    """Replace the case's transcript (PUT semantics, so retries are harmless)."""
    case = uow.repo.get_case(case_no)
    now = ctx.clock()
    row = uow.repo.transcript_of(case.id)
    if row is None:
        uow.repo.add(orm.Transcript(case_id=case.id, conversation_id=conversation_id, text=text,
                                    updated_at=now))
    else:
        row.text, row.conversation_id, row.updated_at = text, conversation_id, now
    audit(uow, case, actor, "transcript", now, chars=len(text))
    return {"case_no": case_no, "chars": len(text), "updated_at": iso(now, ctx.tz)}


def request_handoff(ctx: ServiceContext, uow: UnitOfWork, conversation_id: str, reason: str,
                    summary: str | None, phone: str | None, case_no: str | None,
                    actor: str) -> dict[str, Any]:
    now = ctx.clock()
    case = uow.repo.get_case(case_no) if case_no else None
    row = orm.Handoff(conversation_id=conversation_id, reason=reason, summary=summary, phone=phone,
                      case_id=case.id if case else None, status="open", created_at=now)
    uow.repo.add(row)
    uow.session.flush()
    if case is not None:
        audit(uow, case, actor, "handoff_requested", now, reason)
    return handoff_json(row, case_no, ctx)


def handoff_json(row: orm.Handoff, case_no: str | None, ctx: ServiceContext) -> dict[str, Any]:
    return {"id": row.id, "conversation_id": row.conversation_id, "reason": row.reason,
            "summary": row.summary, "phone": row.phone, "case_no": case_no, "status": row.status,
            "created_at": iso(row.created_at, ctx.tz)}


def open_handoffs(ctx: ServiceContext) -> list[dict[str, Any]]:
    with ctx.uow() as uow:
        rows = uow.repo.handoffs("open")
        return [handoff_json(r, r.case.case_no if r.case else None, ctx) for r in rows]
