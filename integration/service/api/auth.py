"""Bearer-token authentication: one token for the bot, one per staff tool (from Settings)."""

from __future__ import annotations

import hmac

from sanic import Request

from integration.service.api.errors import ApiError
from integration.service.settings import Settings

PUBLIC_PATHS = frozenset({"/health"})


def _matches(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode(), expected.encode())


def authenticate(settings: Settings, request: Request) -> None:
    """Sets request.ctx.actor ("bot" or "staff:<name>") and request.ctx.is_staff, or raises 401."""
    if request.path in PUBLIC_PATHS:
        return
    scheme, _, token = (request.headers.get("authorization") or "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise ApiError(401, "unauthorized", "缺少访问令牌")
    if _matches(token, settings.bot_token):
        request.ctx.actor, request.ctx.is_staff = "bot", False
        return
    for staff_token, name in settings.staff_tokens.items():
        if _matches(token, staff_token):
            request.ctx.actor, request.ctx.is_staff = f"staff:{name}", True
            return
    raise ApiError(401, "unauthorized", "访问令牌无效")
