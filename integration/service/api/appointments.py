"""Slot and appointment endpoints."""

from __future__ import annotations

from datetime import date, datetime

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json

from integration.service.api.common import (
    actor,
    body,
    idempotency_key,
    offload,
    result_response,
    service,
)
from integration.service.domain import validation as v
from integration.service.domain.errors import ValidationFailed
from integration.service.services import appointments
from integration.service.services.context import ServiceContext
from integration.service.services.idempotency import run_idempotent

bp = Blueprint("appointments", url_prefix="/api")


def _date(raw: str | None) -> date:
    try:
        return date.fromisoformat(raw or "")
    except ValueError as exc:
        raise ValidationFailed("invalid_date", "日期格式应为 YYYY-MM-DD", field="date") from exc


def _start(ctx: ServiceContext, raw: object) -> datetime:
    try:
        value = datetime.fromisoformat(str(raw))
    except ValueError as exc:
        raise ValidationFailed("invalid_datetime", "时间格式不正确", field="start") from exc
    return value if value.tzinfo else value.replace(tzinfo=ctx.tz)


@bp.get("/slots")
async def slots(request: Request) -> HTTPResponse:
    code = request.args.get("institution")
    if not code:
        raise ValidationFailed("missing_field", "请提供调解机构", field="institution")
    day = _date(request.args.get("date"))
    return json({"items": await offload(appointments.slots, service(request), code, day)})


@bp.post("/appointments")
async def book(request: Request) -> HTTPResponse:
    data, ctx, who = body(request), service(request), actor(request)
    institution = v.required_text(data, "institution", max_len=64)
    mediator = v.required_text(data, "mediator", max_len=64)
    start = _start(ctx, data.get("start"))
    name = v.required_text(data, "name", max_len=v.MAX_NAME)
    phone = v.phone(data.get("phone"), "phone")
    case_no = v.text(data, "case_no", max_len=32, required=False)
    wants_sms = v.flag(data, "sms", default=True)
    result = await offload(run_idempotent, ctx, who, idempotency_key(request), data, lambda uow: (
        201, appointments.book(ctx, uow, institution, mediator, start, name, phone, case_no, who,
                               wants_sms)))
    return result_response(result)


@bp.get("/appointments")
async def find(request: Request) -> HTTPResponse:
    phone = v.phone(request.args.get("phone"), "phone")
    return json({"items": await offload(appointments.by_phone, service(request), phone)})


@bp.post("/appointments/<ref:str>/cancel")
async def cancel(request: Request, ref: str) -> HTTPResponse:
    data = body(request) if request.body else {}
    reason = v.text(data, "reason", max_len=v.MAX_NOTE, required=False)
    ctx, who = service(request), actor(request)
    result = await offload(run_idempotent, ctx, who, None, data, lambda uow: (
        200, appointments.cancel(ctx, uow, ref, who, reason)))
    return result_response(result)


@bp.post("/appointments/<ref:str>/reschedule")
async def reschedule(request: Request, ref: str) -> HTTPResponse:
    data, ctx, who = body(request), service(request), actor(request)
    start = _start(ctx, data.get("start"))
    mediator = v.text(data, "mediator", max_len=64, required=False)
    result = await offload(run_idempotent, ctx, who, idempotency_key(request),
                           {"ref": ref, **data}, lambda uow: (
        200, appointments.reschedule(ctx, uow, ref, start, mediator, who)))
    return result_response(result)
