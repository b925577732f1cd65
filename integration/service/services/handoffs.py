"""Hand-off use cases: the bot asks for a person (with the full packet); staff list, claim and
close. Logs carry ids, codes and flags only, never the packet (names, phones, what was said)."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from integration.service.adapters import orm
from integration.service.adapters.unit_of_work import UnitOfWork
from integration.service.domain.errors import HandoffAlreadyClaimed, HandoffClosed
from integration.service.domain.handoff import NewHandoff
from integration.service.services.cases import audit
from integration.service.services.context import ServiceContext
from integration.service.services.views import handoff_json

log = logging.getLogger(__name__)


MAX_REASON = 200  # the column's length
REASON_SEPARATOR = "；"


def request_or_merge(ctx: ServiceContext, uow: UnitOfWork, new: NewHandoff,
                     actor: str) -> tuple[int, dict[str, Any]]:
    """One open hand-off per conversation: a request for a conversation whose hand-off is still
    open or claimed is merged into it (200, the existing id); otherwise a new one (201)."""
    existing = uow.repo.open_handoff_of(new.conversation_id)
    if existing is not None:
        return 200, merge(ctx, uow, existing, new, actor)
    return 201, request(ctx, uow, new, actor)


def merge(ctx: ServiceContext, uow: UnitOfWork, row: orm.Handoff, new: NewHandoff,
          actor: str) -> dict[str, Any]:
    """Add a later request to the waiting hand-off: its reason is appended, a safety request
    makes it urgent, the newer transcript and any newly collected details replace the old."""
    row.reason = _appended(row.reason, new.reason)
    if new.reason_code == "safety" and row.reason_code != "safety":
        row.reason_code = "safety"
    row.urgent = row.urgent or new.urgent
    row.callback_requested = row.callback_requested or new.callback_requested
    row.collected = {**row.collected, **new.collected}
    if new.transcript:
        row.transcript = new.transcript
    row.summary = new.summary or row.summary
    row.phone = new.phone or row.phone
    row.category = new.category or row.category
    if row.case is None and new.case_no:
        row.case = uow.repo.find_case(new.case_no)
        row.case_no = new.case_no
    uow.session.flush()
    _audit(uow, row, actor, "handoff_merged", ctx.clock(), new.reason)
    log.info("hand-off %s: a further request merged (%s urgent=%s)", row.id, new.reason_code,
             row.urgent)
    return {**handoff_json(row, ctx.tz), "merged": True}


def _appended(reasons: str, reason: str) -> str:
    """``reasons；reason`` unless already there, cut to the column's length."""
    if reason in reasons.split(REASON_SEPARATOR):
        return reasons
    joined = f"{reasons}{REASON_SEPARATOR}{reason}"
    return joined if len(joined) <= MAX_REASON else joined[:MAX_REASON - 1] + "…"


def request(ctx: ServiceContext, uow: UnitOfWork, new: NewHandoff, actor: str) -> dict[str, Any]:
    """Store the packet; link the case when the given number exists (an unknown number is kept
    as given, unlinked: a mistyped number must not lose the hand-off)."""
    now = ctx.clock()
    case = uow.repo.find_case(new.case_no) if new.case_no else None
    row = orm.Handoff(
        conversation_id=new.conversation_id, case=case,
        case_no=new.case_no, reason=new.reason, reason_code=new.reason_code, urgent=new.urgent,
        category=new.category, channel=new.channel, summary=new.summary, phone=new.phone,
        collected=new.collected, transcript=new.transcript,
        callback_requested=new.callback_requested, status="open", created_at=now)
    uow.repo.add(row)
    uow.session.flush()
    if case is not None:
        audit(uow, case, actor, "handoff_requested", now, new.reason, handoff=row.id,
              reason_code=new.reason_code, urgent=new.urgent)
    log.info("hand-off %s requested by %s: %s urgent=%s channel=%s turns=%d case_linked=%s",
             row.id, actor, new.reason_code, new.urgent, new.channel, len(new.transcript),
             case is not None)
    return handoff_json(row, ctx.tz)


def listing(ctx: ServiceContext, status: str = "open") -> list[dict[str, Any]]:
    """Hand-offs in `status`, urgent ones first, then oldest first."""
    with ctx.uow() as uow:
        return [handoff_json(r, ctx.tz) for r in uow.repo.handoffs(status)]


def get(ctx: ServiceContext, handoff_id: int) -> dict[str, Any]:
    with ctx.uow() as uow:
        return handoff_json(uow.repo.handoff(handoff_id), ctx.tz)


def claim(ctx: ServiceContext, uow: UnitOfWork, handoff_id: int, actor: str) -> dict[str, Any]:
    """open -> claimed by `actor`; a hand-off someone already took is a 409 naming who."""
    now = ctx.clock()
    if not uow.repo.move_handoff(handoff_id, ("open",), status="claimed", claimed_by=actor,
                                 claimed_at=now):
        row = uow.repo.handoff(handoff_id)  # 404 when it does not exist
        if row.status == "closed":
            raise HandoffClosed()
        who = (row.claimed_by or "").removeprefix("staff:")
        raise HandoffAlreadyClaimed(f"该转人工请求已由工作人员 {who} 接手")
    row = uow.repo.handoff(handoff_id)
    _audit(uow, row, actor, "handoff_claimed", now)
    log.info("hand-off %s claimed by %s", handoff_id, actor)
    return handoff_json(row, ctx.tz)


def close(ctx: ServiceContext, uow: UnitOfWork, handoff_id: int, actor: str,
          note: str | None) -> dict[str, Any]:
    """open or claimed -> closed, recording who closed it and an optional note."""
    now = ctx.clock()
    if not uow.repo.move_handoff(handoff_id, ("open", "claimed"), status="closed",
                                 closed_by=actor, closed_at=now, close_note=note):
        uow.repo.handoff(handoff_id)  # 404 when it does not exist
        raise HandoffClosed()
    row = uow.repo.handoff(handoff_id)
    _audit(uow, row, actor, "handoff_closed", now, note)
    log.info("hand-off %s closed by %s", handoff_id, actor)
    return handoff_json(row, ctx.tz)


def _audit(uow: UnitOfWork, row: orm.Handoff, actor: str, action: str, at: datetime,
           reason: str | None = None) -> None:
    """Who/when is on the hand-off row itself; a linked case also gets an audit entry."""
    if row.case is not None:
        audit(uow, row.case, actor, action, at, reason, handoff=row.id)
