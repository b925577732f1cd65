"""Case use cases: register, look up, transitions, re-routing, contact, notes, follow-up."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy import update

from integration.service.adapters import orm
from integration.service.adapters.unit_of_work import UnitOfWork
from integration.service.domain import deadlines
from integration.service.domain.case_number import CASE_PREFIX, format_number
from integration.service.domain.errors import Forbidden, InstitutionNotFound, ValidationFailed
from integration.service.domain.intake import NewCase
from integration.service.domain.roles import Principal
from integration.service.domain.status import Outcome, Status, next_status
from integration.service.services import notifications
from integration.service.services.audit import audit
from integration.service.services.context import ServiceContext
from integration.service.services.views import audit_json, case_json
from textnorm.mask import mask_phone

log = logging.getLogger(__name__)


def register(ctx: ServiceContext, uow: UnitOfWork, new: NewCase, actor: str) -> dict[str, Any]:
    """Allocate the case number, route by the table, set deadlines — one transaction."""
    now = ctx.clock()
    year = now.astimezone(ctx.tz).year
    case_no = format_number(CASE_PREFIX, year, uow.repo.next_number(CASE_PREFIX, year))
    due = deadlines.at_registration(ctx.policy, now)
    institution_code = ctx.router.route(new.category, new.location)
    try:
        institution: orm.Institution | None = uow.repo.institution(institution_code)
    except InstitutionNotFound:
        log.warning("routing table names unknown institution %s; case left unrouted",
                    institution_code)
        institution = None
    case = orm.Case(
        case_no=case_no, status=next_status(Status.RECEIVED, "register").value,
        category=new.category, description=new.description, location=new.location,
        amount_yuan=new.amount_yuan, channel=new.channel, conversation_id=new.conversation_id,
        institution=institution, created_at=now, updated_at=now, route_by=due.route_by,
        contact_by=due.contact_by, close_by=due.close_by, follow_up_by=due.follow_up_by,
        intake_receipt=new.intake_receipt,
        parties=[_party(new.applicant, "applicant", 0)]
        + [_party(p, "respondent", i + 1) for i, p in enumerate(new.respondents)],
    )
    uow.repo.add(case)
    uow.session.flush()
    if new.conversation_id:  # files the citizen sent before the case existed now belong to it
        uow.session.execute(update(orm.Evidence).where(
            orm.Evidence.conversation_id == new.conversation_id, orm.Evidence.case_id.is_(None))
            .values(case_id=case.id))
    audit(uow, case, actor, "register", now, channel=new.channel,
          institution=institution.code if institution else None)
    log.info("registered %s for %s via %s", case_no, mask_phone(new.applicant.phone or ""),
             new.channel)
    sms_queued = notifications.on_registered(ctx, uow, case, new.notify_sms)
    return {**case_json(case, ctx.tz), "sms_queued": sms_queued}


def _party(p: Any, role: str, position: int) -> orm.Party:
    return orm.Party(role=role, position=position, name=p.name, phone=p.phone,
                     id_number=p.id_number)


def get(ctx: ServiceContext, case_no: str) -> dict[str, Any]:
    with ctx.uow() as uow:
        return case_json(uow.repo.get_case(case_no), ctx.tz)


def find_by_receipt(ctx: ServiceContext, receipt: str) -> list[dict[str, Any]]:
    """The case registered from an intake that was kept in the bot's outbox under ``receipt``."""
    with ctx.uow() as uow:
        return [case_json(c, ctx.tz) for c in uow.repo.cases_by_receipt(receipt)]


def find_by_phone(ctx: ServiceContext, phone: str) -> list[dict[str, Any]]:
    with ctx.uow() as uow:
        return [case_json(c, ctx.tz) for c in uow.repo.cases_by_phone(phone)]


def transition(ctx: ServiceContext, uow: UnitOfWork, case_no: str, action: str, actor: str,
               reason: str | None, outcome: Outcome | None = None) -> dict[str, Any]:
    """Apply a state-machine action and its side effects (deadlines, follow-up task)."""
    if action in ("reroute", "record_follow_up"):
        raise ValidationFailed("unknown_action", "该操作请使用专门的接口", field="action")
    case = uow.repo.get_case(case_no)
    now = ctx.clock()
    target = next_status(Status(case.status), action, outcome)
    before = case.status
    case.status, case.updated_at = target.value, now
    if action == "route":
        _mark_routed(ctx, case, now)
    elif action == "close":
        assert outcome is not None  # next_status rejects close without outcome
        case.outcome, case.closed_at = outcome.value, now
        case.follow_up_by = deadlines.follow_up_after_closure(ctx.policy, now)
        uow.repo.add(orm.FollowUpTask(case_id=case.id, due_at=case.follow_up_by, created_at=now))
    entry = audit(uow, case, actor, action, now, reason, before=before, after=target.value,
                  outcome=case.outcome)
    if action == "route":
        uow.session.flush()  # the audit entry's id names the routing event
        notifications.on_routed(ctx, uow, case, entry.id)
    elif action == "close":
        notifications.on_closed(ctx, uow, case)
    return case_json(case, ctx.tz)


def _mark_routed(ctx: ServiceContext, case: orm.Case, now: datetime) -> None:
    if case.routed_at is None:
        case.routed_at = now
        case.contact_by = deadlines.contact_after_routing(ctx.policy, now)


def reroute(ctx: ServiceContext, uow: UnitOfWork, case_no: str, institution_code: str,
            actor: str, reason: str) -> dict[str, Any]:
    case = uow.repo.get_case(case_no)
    institution = uow.repo.institution(institution_code)
    now = ctx.clock()
    target = next_status(Status(case.status), "reroute")
    before = {"status": case.status, "institution": case.institution.code
              if case.institution else None}
    case.institution, case.status, case.updated_at = institution, target.value, now
    _mark_routed(ctx, case, now)
    entry = audit(uow, case, actor, "reroute", now, reason, before=before,
                  after={"status": target.value, "institution": institution.code})
    uow.session.flush()
    notifications.on_routed(ctx, uow, case, entry.id)
    return case_json(case, ctx.tz)


def record_contact(ctx: ServiceContext, uow: UnitOfWork, case_no: str, actor: str,
                   note: str | None) -> dict[str, Any]:
    case = uow.repo.get_case(case_no)
    now = ctx.clock()
    if case.first_contact_at is None:
        case.first_contact_at = now
    case.updated_at = now
    audit(uow, case, actor, "contact", now, note)
    return case_json(case, ctx.tz)


def add_note(ctx: ServiceContext, uow: UnitOfWork, case_no: str, actor: str,
             text: str) -> dict[str, Any]:
    case = uow.repo.get_case(case_no)
    audit(uow, case, actor, "note", ctx.clock(), text)
    return case_json(case, ctx.tz)


def record_follow_up(ctx: ServiceContext, uow: UnitOfWork, case_no: str, actor: str,
                     result: str, satisfied: bool | None) -> dict[str, Any]:
    """Completing the follow-up task moves the case to followed_up."""
    case = uow.repo.get_case(case_no)
    now = ctx.clock()
    target = next_status(Status(case.status), "record_follow_up")
    task = case.follow_up
    assert task is not None, "closing a case always creates its follow-up task"
    task.completed_at, task.completed_by = now, actor
    task.result, task.satisfied = result, satisfied
    case.status, case.followed_up_at, case.updated_at = target.value, now, now
    audit(uow, case, actor, "record_follow_up", now, result, satisfied=satisfied)
    return case_json(case, ctx.tz)


def audit_log(ctx: ServiceContext, case_no: str) -> list[dict[str, Any]]:
    with ctx.uow() as uow:
        case = uow.repo.get_case(case_no)
        return [audit_json(e, ctx.tz) for e in uow.repo.audit_of(case.id)]


def check_scope(ctx: ServiceContext, case_no: str, who: Principal) -> None:
    """404 for an unknown case; 403 for a mediator asking about another institution's case."""
    with ctx.uow() as uow:
        case = uow.repo.get_case(case_no)
        code = case.institution.code if case.institution else None
        if not who.sees_institution(code):
            raise Forbidden("该案件不属于您所在的机构，您无权查看或办理")
