"""Case endpoints: creation (idempotent), look-up, and staff actions."""

from __future__ import annotations

from typing import Any

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json

from integration.service.api.common import (
    actor,
    body,
    idempotency_key,
    offload,
    principal,
    require,
    result_response,
    service,
)
from integration.service.domain import validation as v
from integration.service.domain.errors import ValidationFailed
from integration.service.domain.intake import parse_new_case
from integration.service.domain.status import parse_outcome
from integration.service.services import cases, conversations
from integration.service.services.idempotency import run_idempotent

bp = Blueprint("cases", url_prefix="/api/cases")


@bp.post("")
async def create_case(request: Request) -> HTTPResponse:
    data = body(request)
    if principal(request).is_staff:  # a walk-in registered at the desk; the bot always may
        require(request, "cases.create")
    new = parse_new_case(data)
    ctx, who = service(request), actor(request)
    result = await offload(run_idempotent, ctx, who, idempotency_key(request), data,
                           lambda uow: (201, cases.register(ctx, uow, new, who)))
    return result_response(result)


@bp.get("")
async def find_cases(request: Request) -> HTTPResponse:
    receipt = request.args.get("receipt")
    if receipt:
        if len(receipt) > 32 or not receipt.isprintable():
            raise ValidationFailed("invalid_receipt", "回执号格式不正确", field="receipt")
        return json({"items": await offload(cases.find_by_receipt, service(request), receipt)})
    raw = request.args.get("phone")
    if not raw:
        raise ValidationFailed("missing_field", "请提供手机号码", field="phone")
    phone = v.phone(raw, "phone")
    who = principal(request)
    if who.is_staff:
        require(request, "cases.read")
    items = await offload(cases.find_by_phone, service(request), phone)
    return json({"items": [c for c in items if who.sees_institution(
        (c.get("institution") or {}).get("code"))]})


@bp.get("/<case_no:str>")
async def get_case(request: Request, case_no: str) -> HTTPResponse:
    """The bot reads a case for a citizen's progress question; staff within their scope."""
    who = principal(request)
    if who.is_staff:
        await _in_scope(request, case_no, "cases.read")
    return json(await offload(cases.get, service(request), case_no))


@bp.get("/<case_no:str>/audit")
async def get_audit(request: Request, case_no: str) -> HTTPResponse:
    await _in_scope(request, case_no, "cases.read")
    return json({"items": await offload(cases.audit_log, service(request), case_no)})


async def _in_scope(request: Request, case_no: str, permission: str) -> str:
    """The caller's actor, if their role has ``permission`` and they may see this case (a
    mediator: their institution's cases only)."""
    who = require(request, permission)
    await offload(cases.check_scope, service(request), case_no, who)
    return who.actor


async def _write(request: Request, payload: dict[str, Any], op: Any, status: int = 200
                 ) -> HTTPResponse:
    """Run a staff/bot write in one transaction, idempotent when a key is sent."""
    ctx = service(request)
    result = await offload(run_idempotent, ctx, actor(request), idempotency_key(request),
                           payload, lambda uow: (status, op(ctx, uow)))
    return result_response(result)


@bp.post("/<case_no:str>/transitions")
async def transition(request: Request, case_no: str) -> HTTPResponse:
    who, data = await _in_scope(request, case_no, "cases.write"), body(request)
    action = v.required_text(data, "action", max_len=32)
    reason = v.text(data, "reason", max_len=v.MAX_NOTE, required=False)
    outcome = parse_outcome(data["outcome"]) if data.get("outcome") else None
    return await _write(request, {"case_no": case_no, **data}, lambda ctx, uow: cases.transition(
        ctx, uow, case_no, action, who, reason, outcome))


@bp.post("/<case_no:str>/reroute")
async def reroute(request: Request, case_no: str) -> HTTPResponse:
    who, data = await _in_scope(request, case_no, "cases.reroute"), body(request)
    code = v.required_text(data, "institution", max_len=64)
    reason = v.required_text(data, "reason", max_len=v.MAX_NOTE)
    return await _write(request, {"case_no": case_no, **data}, lambda ctx, uow: cases.reroute(
        ctx, uow, case_no, code, who, reason))


@bp.post("/<case_no:str>/contact")
async def contact(request: Request, case_no: str) -> HTTPResponse:
    who, data = await _in_scope(request, case_no, "cases.write"), body(request)
    note = v.text(data, "note", max_len=v.MAX_NOTE, required=False)
    return await _write(request, {"case_no": case_no, **data}, lambda ctx, uow:
                        cases.record_contact(ctx, uow, case_no, who, note))


@bp.post("/<case_no:str>/notes")
async def note(request: Request, case_no: str) -> HTTPResponse:
    who, data = await _in_scope(request, case_no, "cases.write"), body(request)
    text = v.required_text(data, "text", max_len=v.MAX_NOTE)
    return await _write(request, {"case_no": case_no, **data}, lambda ctx, uow: cases.add_note(
        ctx, uow, case_no, who, text), status=201)


@bp.post("/<case_no:str>/follow-up")
async def follow_up(request: Request, case_no: str) -> HTTPResponse:
    who, data = await _in_scope(request, case_no, "cases.write"), body(request)
    result = v.required_text(data, "result", max_len=v.MAX_NOTE)
    satisfied = data.get("satisfied")
    if satisfied is not None and not isinstance(satisfied, bool):
        raise ValidationFailed("invalid_type", "satisfied 必须是 true 或 false", field="satisfied")
    return await _write(request, {"case_no": case_no, **data}, lambda ctx, uow:
                        cases.record_follow_up(ctx, uow, case_no, who, result, satisfied))


@bp.put("/<case_no:str>/transcript")
async def transcript(request: Request, case_no: str) -> HTTPResponse:
    data = body(request)
    text = v.required_text(data, "text", max_len=200_000)
    conv = v.text(data, "conversation_id", max_len=128, required=False)
    who = actor(request)
    return await _write(request, {"case_no": case_no, **data}, lambda ctx, uow:
                        conversations.put_transcript(ctx, uow, case_no, text, conv, who))
