"""Request helpers shared by the blueprints: body parsing, auth, thread offloading."""

from __future__ import annotations

import asyncio
import json as jsonlib
import re
from collections.abc import AsyncIterable, Callable
from typing import Any, TypeVar, cast

from sanic import Request
from sanic.exceptions import BadRequest
from sanic.response import HTTPResponse, json

from integration.service.api.errors import ApiError
from integration.service.domain.errors import Forbidden, ValidationFailed
from integration.service.domain.roles import PERMISSION_NAMES, Principal
from integration.service.services.context import ServiceContext
from integration.service.services.idempotency import Result

T = TypeVar("T")
_LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")


def body(request: Request) -> dict[str, Any]:
    try:
        data = request.json
    except BadRequest as exc:
        raise ValidationFailed("malformed_json", "请求内容不是有效的 JSON") from exc
    if not isinstance(data, dict):
        raise ValidationFailed("malformed_json", "请求内容必须是 JSON 对象")
    return encodable(data)


def _has_lone_surrogate(value: object) -> bool:
    """JSON's "\\ud800" decodes to a string no database can store as UTF-8."""
    if isinstance(value, str):
        return _LONE_SURROGATE.search(value) is not None
    if isinstance(value, dict):
        return any(_has_lone_surrogate(k) or _has_lone_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_lone_surrogate(v) for v in value)
    return False


def encodable(data: dict[str, Any]) -> dict[str, Any]:
    """``data`` unchanged when every string in it (keys too) is valid Unicode; else 422."""
    try:
        bad = _has_lone_surrogate(data)
    except RecursionError as exc:
        raise ValidationFailed("malformed_json", "请求内容不是有效的 JSON") from exc
    if bad:
        raise ValidationFailed("invalid_text", "请求内容含有无法识别的字符")
    return data


async def capped_body(request: Request, limit: int) -> dict[str, Any]:
    """The JSON object body of a `stream=True` route, which may be larger than the app-wide
    REQUEST_MAX_SIZE but not than `limit` bytes: 413 as soon as the declared length or the bytes
    read so far exceed it, without buffering the rest. NaN and Infinity are not JSON."""
    declared = request.headers.get("content-length", "")
    if declared.isascii() and declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)
    chunks: list[bytes] = []
    size = 0
    # Sanic's HTTP/1 and ASGI streams both yield body chunks; its Stream type does not say so.
    async for chunk in cast(AsyncIterable[bytes], request.stream):
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        chunks.append(chunk)
    try:
        data = jsonlib.loads(b"".join(chunks), parse_constant=_no_constant)
    except (ValueError, RecursionError) as exc:
        raise ValidationFailed("malformed_json", "请求内容不是有效的 JSON") from exc
    if not isinstance(data, dict):
        raise ValidationFailed("malformed_json", "请求内容必须是 JSON 对象")
    return encodable(data)


def _too_large(limit: int) -> ApiError:
    return ApiError(413, "payload_too_large", f"请求内容过大（最多 {limit / 1_000_000:g} MB）")


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def actor(request: Request) -> str:
    return str(request.ctx.actor)


def require_staff(request: Request) -> str:
    if not request.ctx.is_staff:
        raise ApiError(403, "forbidden", "仅工作人员可以执行该操作")
    return actor(request)


def principal(request: Request) -> Principal:
    who: Principal | None = request.ctx.principal
    if who is None:
        raise ApiError(401, "unauthorized", "缺少访问令牌")
    return who


def require(request: Request, permission: str) -> Principal:
    """The caller, if their role has ``permission``; else 403 (audited by the app's response hook)."""
    who = principal(request)
    if not who.may(permission):
        request.ctx.refused_permission = permission
        raise Forbidden(f"您的账号无权{PERMISSION_NAMES[permission]}")
    return who


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
