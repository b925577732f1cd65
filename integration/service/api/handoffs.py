"""Hand-off endpoints: the bot asks for a person; staff list, read, claim and close."""

from __future__ import annotations

import asyncio
import json as jsonlib
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
    require,
    result_response,
    service,
)
from integration.service.domain import validation as v
from integration.service.domain.errors import HandoffNotFound
from integration.service.domain.handoff import parse_new_handoff
from integration.service.services import handoffs, queue
from integration.service.services.idempotency import run_idempotent
from integration.service.services.queue import QueueFeed, QueueFilter

bp = Blueprint("handoffs", url_prefix="/api/handoffs")
MAX_ID = 2**63 - 1
KEEP_ALIVE_S = 15.0


@bp.post("")
async def request_handoff(request: Request) -> HTTPResponse:
    """Idempotent: a retry with the same Idempotency-Key returns the first hand-off. One open
    hand-off per conversation: a later request is merged into it (200, same id, `merged`)."""
    data = body(request)
    new = parse_new_handoff(data)
    ctx, who = service(request), actor(request)
    result = await offload(run_idempotent, ctx, who, idempotency_key(request), data,
                           lambda uow: handoffs.request_or_merge(ctx, uow, new, who))
    if not result.replayed:
        _feed(request).publish("merged" if result.status == 200 else "created", result.body)
    return result_response(result)


def _feed(request: Request) -> QueueFeed:
    feed: QueueFeed = request.app.ctx.queue_feed
    return feed


@bp.get("")
async def list_handoffs(request: Request) -> HTTPResponse:
    """`?status=open` (default) / claimed / closed, and `category`, `institution`, `channel`;
    safety first, then overdue (waiting longer than HANDOFF_OVERDUE_MIN), then oldest first."""
    require(request, "queue")
    args = request.args
    status = v.choice(args.get("status", "open"), STATUSES, "unknown_status",
                      "状态应为 open、claimed 或 closed", "status")
    filters = QueueFilter(status=status, category=args.get("category") or None,
                          institution=args.get("institution") or None,
                          channel=args.get("channel") or None)
    overdue = request.app.ctx.settings.handoff_overdue
    return json({"items": await offload(queue.listing, service(request), filters, overdue)})


@bp.get("/events")
async def events(request: Request) -> None:
    """Server-sent events: one per hand-off change (created, merged, claimed, passed, tagged,
    closed); the console reloads its list on each, so it never polls."""
    require(request, "queue")
    response = await request.respond(content_type="text/event-stream; charset=utf-8",
                                     headers={"Cache-Control": "no-cache",
                                              "X-Accel-Buffering": "no"})
    async with _feed(request).subscribe() as changes:
        await response.send(": connected\n\n")
        while True:
            try:
                event = await asyncio.wait_for(changes.get(), timeout=KEEP_ALIVE_S)
            except TimeoutError:
                await response.send(": keep-alive\n\n")
                continue
            await response.send(f"data: {jsonlib.dumps(event, ensure_ascii=False)}\n\n")


def known(handoff_id: int) -> int:
    """Ids are positive 64-bit integers; any other number names no hand-off (404, not an
    overflow in the database driver)."""
    if not 0 < handoff_id <= MAX_ID:
        raise HandoffNotFound()
    return handoff_id


@bp.get("/<handoff_id:int>")
async def get_handoff(request: Request, handoff_id: int) -> HTTPResponse:
    require(request, "queue")
    overdue = request.app.ctx.settings.handoff_overdue
    return json(await offload(queue.detail, service(request), known(handoff_id), overdue))


@bp.post("/<handoff_id:int>/claim")
async def claim(request: Request, handoff_id: int) -> HTTPResponse:
    handoff_id = known(handoff_id)
    who, data, ctx = require(request, "queue").actor, optional_body(request), service(request)
    return await _write(request, {"handoff_id": handoff_id, "action": "claim", **data},
                        lambda uow: handoffs.claim(ctx, uow, handoff_id, who), "claimed")


@bp.post("/<handoff_id:int>/pass")
async def pass_on(request: Request, handoff_id: int) -> HTTPResponse:
    """A claimed conversation to a colleague (``{"to": username, "note"?}``)."""
    handoff_id = known(handoff_id)
    who, data, ctx = require(request, "queue"), body(request), service(request)
    to = v.required_text(data, "to", max_len=32)
    note = v.text(data, "note", max_len=v.MAX_NOTE, required=False)
    return await _write(request, {"handoff_id": handoff_id, "action": "pass", **data},
                        lambda uow: queue.pass_to(ctx, uow, handoff_id, who, to, note), "passed")


@bp.put("/<handoff_id:int>/tags")
async def tags(request: Request, handoff_id: int) -> HTTPResponse:
    """Replace the conversation's tags (识别错误, 需补充训练, 投诉 …)."""
    handoff_id = known(handoff_id)
    who, data, ctx = require(request, "queue"), body(request), service(request)
    return await _write(request, {"handoff_id": handoff_id, "action": "tags", **data},
                        lambda uow: queue.set_tags(ctx, uow, handoff_id, data.get("tags"),
                                                   who.actor), "tagged")


@bp.post("/<handoff_id:int>/close")
async def close(request: Request, handoff_id: int) -> HTTPResponse:
    handoff_id = known(handoff_id)
    who, data, ctx = require(request, "queue").actor, optional_body(request), service(request)
    note = v.text(data, "note", max_len=v.MAX_NOTE, required=False)
    return await _write(request, {"handoff_id": handoff_id, "action": "close", **data},
                        lambda uow: handoffs.close(ctx, uow, handoff_id, who, note), "closed")


async def _write(request: Request, payload: dict[str, Any],
                 op: Callable[[UnitOfWork], dict[str, Any]], change: str) -> HTTPResponse:
    """One transaction; idempotent when the caller sends an Idempotency-Key; consoles hear of
    the change at once."""
    result = await offload(run_idempotent, service(request), actor(request),
                           idempotency_key(request), payload, lambda uow: (200, op(uow)))
    if not result.replayed:
        _feed(request).publish(change, result.body)
    return result_response(result)
