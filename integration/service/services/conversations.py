"""Conversations: the transcript the bot attaches to a case, and whole conversation records
(every turn of a call or chat, keyed by conversation id) for staff review. Hand-offs:
services/handoffs.py. Logs carry ids and counts only, never what was said."""

from __future__ import annotations

import logging
from typing import Any

from integration.service.adapters import orm
from integration.service.adapters.unit_of_work import UnitOfWork
from integration.service.domain.conversation import NewConversation
from integration.service.services.cases import audit
from integration.service.services.context import ServiceContext
from integration.service.services.views import conversation_json, iso

log = logging.getLogger(__name__)


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


def put_conversation(ctx: ServiceContext, uow: UnitOfWork, new: NewConversation,
                     actor: str) -> dict[str, Any]:
    """Create or replace the whole record (PUT semantics, so retries are harmless).

    No audit entry: the case audit log is per case, and a conversation may have no case."""
    now = ctx.clock()
    uow.repo.put_conversation(new.conversation_id, channel=new.channel,
                              started_at=new.started_at, ended_at=new.ended_at,
                              turns=new.turns, updated_at=now)
    log.info("conversation %s stored by %s: channel=%s turns=%d", new.conversation_id, actor,
             new.channel, len(new.turns))
    return {"conversation_id": new.conversation_id, "turns": len(new.turns),
            "updated_at": iso(now, ctx.tz)}


def get_conversation(ctx: ServiceContext, conversation_id: str) -> dict[str, Any]:
    """The record with the case numbers and hand-off ids of the same conversation."""
    with ctx.uow() as uow:
        row = uow.repo.conversation(conversation_id)
        return conversation_json(row, ctx.tz,
                                 cases=uow.repo.case_numbers_of_conversation(conversation_id),
                                 handoffs=uow.repo.handoff_ids_of_conversation(conversation_id))
