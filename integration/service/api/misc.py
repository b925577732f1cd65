"""Health, institutions and the staff work list."""

from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json
from sqlalchemy import text

from integration.service.api.common import offload, require, service
from integration.service.services import scheduler
from integration.service.services.context import ServiceContext

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


@bp.get("/api/staff/cases")
async def work_list(request: Request) -> HTTPResponse:
    """Open cases, overdue ones first, then by closing deadline."""
    require(request, "cases.read")
    return json({"items": await offload(scheduler.overdue_first, service(request), 200)})


@bp.post("/api/staff/overdue-check")
async def run_overdue_check(request: Request) -> HTTPResponse:
    require(request, "cases.read")
    found = await offload(scheduler.mark_overdue, service(request))
    return json({"escalations": found})
