"""Hand-off endpoints: the bot asks for a person; staff list, read, claim and close."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json

from integration.handoff_vocab import STATUSES
from integration.service.adapters.unit_of_work import UnitOfWork
from integration.service.api.common import (
    actor,
    body,
    idempotency_key,
    offload,
    optional_body,
    require_staff,
    result_response,
    service,
)
from integration.service.domain import validation as v
from integration.service.domain.errors import HandoffNotFound
from integration.service.domain.handoff import parse_new_handoff
from integration.service.services import handoffs
from integration.service.services.idempotency import run_idempotent

bp = Blueprint("handoffs", url_prefix="/api/handoffs")
MAX_ID = 2**63 - 1


@bp.post("")
async def request_handoff(request: Request) -> HTTPResponse:
    """Idempotent: a retry with the same Idempotency-Key returns the first hand-off. One open
    hand-off per conversation: a later request is merged into it (200, same id, `merged`)."""
    data = body(request)
    new = parse_new_handoff(data)
    ctx, who = service(request), actor(request)
    result = await offload(run_idempotent, ctx, who, idempotency_key(request), data,
                           lambda uow: handoffs.request_or_merge(ctx, uow, new, who))
    return result_response(result)


@bp.get("")
async def list_handoffs(request: Request) -> HTTPResponse:
    """`?status=open` (default) / claimed / closed; urgent first, then oldest first."""
    require_staff(request)
    status = v.choice(request.args.get("status", "open"), STATUSES, "unknown_status",
                      "状态应为 open、claimed 或 closed", "status")
    return json({"items": await offload(handoffs.listing, service(request), status)})


def _known(handoff_id: int) -> int:
    """Ids are positive 64-bit integers; any other number names no hand-off (404, not an
    overflow in the database driver)."""
    if not 0 < handoff_id <= MAX_ID:
        raise HandoffNotFound()
    return handoff_id


@bp.get("/<handoff_id:int>")
async def get_handoff(request: Request, handoff_id: int) -> HTTPResponse:
    require_staff(request)
    return json(await offload(handoffs.get, service(request), _known(handoff_id)))


@bp.post("/<handoff_id:int>/claim")
async def claim(request: Request, handoff_id: int) -> HTTPResponse:
    handoff_id = _known(handoff_id)
    who, data, ctx = require_staff(request), optional_body(request), service(request)
    return await _write(request, {"handoff_id": handoff_id, "action": "claim", **data},
                        lambda uow: handoffs.claim(ctx, uow, handoff_id, who))


@bp.post("/<handoff_id:int>/close")
async def close(request: Request, handoff_id: int) -> HTTPResponse:
    handoff_id = _known(handoff_id)
    who, data, ctx = require_staff(request), optional_body(request), service(request)
    note = v.text(data, "note", max_len=v.MAX_NOTE, required=False)
    return await _write(request, {"handoff_id": handoff_id, "action": "close", **data},
                        lambda uow: handoffs.close(ctx, uow, handoff_id, who, note))


async def _write(request: Request, payload: dict[str, Any],
                 op: Callable[[UnitOfWork], dict[str, Any]]) -> HTTPResponse:
    """One transaction; idempotent when the caller sends an Idempotency-Key."""
    result = await offload(run_idempotent, service(request), actor(request),
                           idempotency_key(request), payload, lambda uow: (200, op(uow)))
    return result_response(result)
