"""Request helpers shared by the blueprints: body parsing, auth, thread offloading."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar

from sanic import Request
from sanic.exceptions import BadRequest
from sanic.response import HTTPResponse, json

from integration.service.api.errors import ApiError
from integration.service.domain.errors import ValidationFailed
from integration.service.services.context import ServiceContext
from integration.service.services.idempotency import Result

T = TypeVar("T")


def body(request: Request) -> dict[str, Any]:
    try:
        data = request.json
    except BadRequest as exc:
        raise ValidationFailed("malformed_json", "请求内容不是有效的 JSON") from exc
    if not isinstance(data, dict):
        raise ValidationFailed("malformed_json", "请求内容必须是 JSON 对象")
    return data


def actor(request: Request) -> str:
    return str(request.ctx.actor)


def require_staff(request: Request) -> str:
    if not request.ctx.is_staff:
        raise ApiError(403, "forbidden", "仅工作人员可以执行该操作")
    return actor(request)


def service(request: Request) -> ServiceContext:
    ctx: ServiceContext = request.app.ctx.service
    return ctx


async def offload(fn: Callable[..., T], *args: Any) -> T:
    """Database work is synchronous SQLAlchemy; keep it off the event loop."""
    return await asyncio.to_thread(fn, *args)


def idempotency_key(request: Request) -> str | None:
    return request.headers.get("idempotency-key")


def result_response(result: Result) -> HTTPResponse:
    headers = {"Idempotent-Replayed": "true"} if result.replayed else None
    return json(result.body, status=result.status, headers=headers)


def optional_body(request: Request) -> dict[str, Any]:
    """Like `body`, but an empty request body is an empty object (actions without parameters)."""
    return body(request) if request.body else {}
