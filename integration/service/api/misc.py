"""Health, institutions, hand-off requests and the staff work list."""

from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json
from sqlalchemy import text

from integration.service.api.common import (
    actor,
    body,
    idempotency_key,
    offload,
    require_staff,
    result_response,
    service,
)
from integration.service.domain import validation as v
from integration.service.services import conversations, scheduler
from integration.service.services.context import ServiceContext
from integration.service.services.idempotency import run_idempotent

bp = Blueprint("misc")


def _db_ok(ctx: ServiceContext) -> bool:
    with ctx.uow() as uow:
        return uow.session.execute(text("SELECT 1")).scalar_one() == 1


@bp.get("/health")
async def health(request: Request) -> HTTPResponse:
    ok = await offload(_db_ok, service(request))
    return json({"status": "ok" if ok else "degraded", "db": "ok" if ok else "error"},
                status=200 if ok else 503)


@bp.get("/api/institutions")
async def institutions(request: Request) -> HTTPResponse:
    def load(ctx: ServiceContext) -> list[dict[str, str]]:
        with ctx.uow() as uow:
            return [{"code": i.code, "name": i.name, "kind": i.kind}
                    for i in uow.repo.institutions()]
    return json({"items": await offload(load, service(request))})


@bp.post("/api/handoffs")
async def request_handoff(request: Request) -> HTTPResponse:
    data = body(request)
    conv = v.required_text(data, "conversation_id", max_len=128)
    reason = v.required_text(data, "reason", max_len=200)
    summary = v.text(data, "summary", max_len=v.MAX_DESCRIPTION, required=False)
    phone = v.phone(data["phone"], "phone") if data.get("phone") else None
    case_no = v.text(data, "case_no", max_len=32, required=False)
    ctx, who = service(request), actor(request)
    result = await offload(run_idempotent, ctx, who, idempotency_key(request), data, lambda uow: (
        201, conversations.request_handoff(ctx, uow, conv, reason, summary, phone, case_no, who)))
    return result_response(result)


@bp.get("/api/handoffs")
async def list_handoffs(request: Request) -> HTTPResponse:
    require_staff(request)
    return json({"items": await offload(conversations.open_handoffs, service(request))})


@bp.get("/api/staff/cases")
async def work_list(request: Request) -> HTTPResponse:
    """Open cases, overdue ones first, then by closing deadline."""
    require_staff(request)
    return json({"items": await offload(scheduler.overdue_first, service(request), 200)})


@bp.post("/api/staff/overdue-check")
async def run_overdue_check(request: Request) -> HTTPResponse:
    require_staff(request)
    found = await offload(scheduler.mark_overdue, service(request))
    return json({"escalations": found})
