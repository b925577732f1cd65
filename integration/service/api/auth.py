"""Bearer-token authentication: one token for the bot, one per staff tool (from Settings), with a
lock-out of addresses that present too many wrong tokens."""

from __future__ import annotations

import hmac
import math

from sanic import Request

from integration.client.limits import LockOut
from integration.service.api.errors import ApiError
from integration.service.settings import Settings

PUBLIC_PATHS = frozenset({"/health"})


def _matches(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode("utf-8", "replace"), expected.encode())


def authenticate(settings: Settings, request: Request, lockout: LockOut | None = None) -> None:
    """Sets request.ctx.actor ("bot" or "staff:<name>") and request.ctx.is_staff, or raises 401
    (429 while the address is locked out: AUTH_MAX_FAILURES wrong tokens lock it for
    AUTH_LOCKOUT_S, except for the bot's token and the tokens that already worked from it)."""
    if request.path in PUBLIC_PATHS:
        return
    source = request.remote_addr or request.ip or "?"
    scheme, _, token = (request.headers.get("authorization") or "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise ApiError(401, "unauthorized", "缺少访问令牌")
    actor = _actor(settings, token)
    # The bot (action server, voice gateway) shares 127.0.0.1 with anyone on the host: its token
    # is never locked out, so a guesser cannot stop intakes.
    locked = lockout.locked(source, token) if lockout is not None and actor != "bot" else 0.0
    if locked:
        raise ApiError(429, "locked_out", f"尝试次数过多，请{math.ceil(locked / 60)}分钟后再试")
    if actor is None:
        if lockout is not None:
            lockout.failed(source)
        raise ApiError(401, "unauthorized", "访问令牌无效")
    if lockout is not None:
        lockout.succeeded(source, token)
    request.ctx.actor, request.ctx.is_staff = actor, actor != "bot"


def _actor(settings: Settings, token: str) -> str | None:
    if _matches(token, settings.bot_token):
        return "bot"
    for staff_token, name in settings.staff_tokens.items():
        if _matches(token, staff_token):
            return f"staff:{name}"
    return None
