"""What the bot attaches to a case: the conversation transcript (hand-offs: services/handoffs.py)."""

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
