"""Evidence files: the web chat's relay uploads them (bot token), staff read them."""

from __future__ import annotations

from collections.abc import AsyncIterable
from typing import cast
from urllib.parse import unquote

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json, raw

from integration.service.api.common import offload, principal, require, service
from integration.service.api.errors import ApiError
from integration.service.api.handoffs import known
from integration.service.domain.errors import UploadRefused
from integration.service.services import evidence
from integration.service.services.evidence import Upload

bp = Blueprint("evidence")


async def _read_capped(request: Request, limit: int) -> bytes:
    """The raw body of a ``stream=True`` route, refused as soon as it passes ``limit``."""
    too_big = UploadRefused(
        "file_too_large", f"文件太大了（最大 {limit // (1024 * 1024)} MB），请压缩后再上传。"
    )
    declared = request.headers.get("content-length", "")
    if declared.isascii() and declared.isdigit() and int(declared) > limit:
        raise too_big
    chunks: list[bytes] = []
    size = 0
    async for chunk in cast(AsyncIterable[bytes], request.stream):
        size += len(chunk)
        if size > limit:
            raise too_big
        chunks.append(chunk)
    return b"".join(chunks)


@bp.post("/api/conversations/<conversation_id:str>/evidence", stream=True)
async def upload(request: Request, conversation_id: str) -> HTTPResponse:
    """The file is the body; ``Content-Type`` its declared type, ``X-Filename`` its name
    (percent-encoded UTF-8). Only the chat relay (the bot's token) or queue staff upload."""
    who = principal(request)
    if who.is_staff:
        require(request, "queue")
    if not 0 < len(conversation_id) <= 128:
        raise ApiError(404, "not_found", "对话不存在")
    settings, ctx = request.app.ctx.settings, service(request)
    item = Upload(
        conversation_id=conversation_id,
        filename=unquote(request.headers.get("x-filename", ""))[:300],
        declared_type=request.headers.get("content-type", ""),
        content=b"",
    )
    try:
        content = await _read_capped(request, settings.evidence_max_bytes)
        item = Upload(item.conversation_id, item.filename, item.declared_type, content)

        def run() -> tuple[dict[str, object], dict[str, object] | None]:
            with ctx.uow() as uow:
                stored = evidence.store(
                    ctx,
                    uow,
                    item,
                    settings.evidence_dir,
                    settings.evidence_max_bytes,
                    settings.evidence_per_conversation,
                    who.actor,
                )
                uow.commit()
                return stored, evidence.waiting_handoff(uow, conversation_id)

        stored, handoff = await offload(run)
        if handoff is not None:  # consoles showing the hand-off show the new file at once
            request.app.ctx.queue_feed.publish("evidence", handoff)
        return json(stored, status=201)
    except UploadRefused as exc:
        await offload(evidence.refused, ctx, who.actor, conversation_id, exc.code)
        raise


@bp.get("/api/evidence/<ref:str>")
async def metadata(request: Request, ref: str) -> HTTPResponse:
    who = principal(request)
    meta, _ = await offload(evidence.get, service(request), ref, who, request.app.ctx.settings.evidence_dir)
    return json(meta)


@bp.get("/api/evidence/<ref:str>/file")
async def content(request: Request, ref: str) -> HTTPResponse:
    """The bytes, never rendered as a page (``sandbox``, ``nosniff``, attachment for PDFs)."""
    who = principal(request)
    meta, data = await offload(
        evidence.get, service(request), ref, who, request.app.ctx.settings.evidence_dir
    )
    disposition = "inline" if str(meta["media_type"]).startswith("image/") else "attachment"
    return raw(
        data,
        content_type=str(meta["media_type"]),
        headers={
            "Content-Disposition": f'{disposition}; filename="{ref}"',
            "Content-Security-Policy": "default-src 'none'; sandbox",
        },
    )


@bp.get("/api/handoffs/<handoff_id:int>/evidence")
async def of_handoff(request: Request, handoff_id: int) -> HTTPResponse:
    require(request, "queue")
    ctx, handoff_id = service(request), known(handoff_id)

    def run() -> list[dict[str, object]]:
        with ctx.uow() as uow:
            row = uow.repo.handoff(handoff_id)
            conversation = row.conversation_id
        return evidence.of_conversation(ctx, conversation)

    return json({"items": await offload(run)})
