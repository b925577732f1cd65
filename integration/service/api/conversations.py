"""Conversation records: the channel stores a whole conversation; staff read it with the cases
and hand-offs it led to."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json

from integration.conversation_vocab import MAX_BODY_BYTES
from integration.service.adapters.unit_of_work import UnitOfWork
from integration.service.api.common import (
    actor,
    capped_body,
    offload,
    require_staff,
    result_response,
    service,
)
from integration.service.domain.conversation import parse_conversation, parse_conversation_id
from integration.service.services import conversations
from integration.service.services.idempotency import run_idempotent

bp = Blueprint("conversations", url_prefix="/api/conversations")


# stream=True lifts the app-wide 1 MB body limit for this route; capped_body applies its own.
@bp.put("/<conversation_id:str>", stream=True)
async def put_conversation(request: Request, conversation_id: str) -> HTTPResponse:
    """Bot or staff; replaces the whole record, so no Idempotency-Key is needed for retries."""
    ctx, who = service(request), actor(request)
    cid = _conversation_id(conversation_id)  # before reading a body that would be refused anyway
    new = parse_conversation(cid, await capped_body(request, MAX_BODY_BYTES), ctx.tz)

    def write(uow: UnitOfWork) -> tuple[int, dict[str, Any]]:
        return 200, conversations.put_conversation(ctx, uow, new, who)

    # Without a key, run_idempotent is one committed transaction; a PUT needs no key to retry.
    return result_response(await offload(run_idempotent, ctx, who, None, None, write))


@bp.get("/<conversation_id:str>")
async def get_conversation(request: Request, conversation_id: str) -> HTTPResponse:
    require_staff(request)
    cid = _conversation_id(conversation_id)
    return json(await offload(conversations.get_conversation, service(request), cid))


def _conversation_id(raw: str) -> str:
    """Sanic hands over the path segment as sent; a client that percent-encodes ":" (as
    encodeURIComponent does) still names the same record. (The router's unquote=True is not
    applied when sibling routes already built the path's tree nodes.)"""
    return parse_conversation_id(unquote(raw))
