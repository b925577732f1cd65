"""Who is calling: the bot's token, a machine client's staff token (from Settings), or a staff
member's console session (``sess_…``, looked up in the database), with a lock-out of addresses
that present too many wrong tokens.

Sessions are exempt from the address lock-out, like the bot's token: they all arrive from the web
service's one address, which locks out the browsers' own addresses itself, and a session token is
256 random bits, which nobody guesses.
"""

from __future__ import annotations

import hmac
import math
from collections.abc import Awaitable, Callable

from sanic import Request

from integration.client.limits import LockOut
from integration.service.api.errors import ApiError
from integration.service.domain.roles import BOT, Principal, service_principal
from integration.service.services.accounts import SESSION_PREFIX
from integration.service.settings import Settings

# Twilio's SMS webhooks carry Twilio's signature instead of a token (checked in api/sms.py).
PUBLIC_PATHS = frozenset({"/health", "/api/staff/login", "/twilio/sms/status", "/twilio/sms/inbound"})
SessionLookup = Callable[[str], Awaitable[Principal | None]]


def _matches(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode("utf-8", "replace"), expected.encode())


def presented_token(request: Request) -> str:
    scheme, _, token = (request.headers.get("authorization") or "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


async def authenticate(settings: Settings, request: Request, lockout: LockOut | None = None,
                       sessions: SessionLookup | None = None) -> None:
    """Sets request.ctx.principal, .actor ("bot" or "staff:<name>") and .is_staff, or raises 401
    (429 while the address is locked out: AUTH_MAX_FAILURES wrong tokens lock it for
    AUTH_LOCKOUT_S, except for the bot's token and the tokens that already worked from it)."""
    request.ctx.principal = None
    if request.path in PUBLIC_PATHS:
        return
    source = request.remote_addr or request.ip or "?"
    token = presented_token(request)
    if not token:
        raise ApiError(401, "unauthorized", "缺少访问令牌")
    if token.startswith(SESSION_PREFIX) and sessions is not None:
        principal = await sessions(token)
        if principal is None:
            request.ctx.refused_session = True
            raise ApiError(401, "session_expired", "登录已过期或无效，请重新登录")
        _set(request, principal)
        return
    principal = _principal(settings, token)
    # The bot (action server, voice gateway) shares 127.0.0.1 with anyone on the host: its token
    # is never locked out, so a guesser cannot stop intakes.
    locked = (lockout.locked(source, token)
              if lockout is not None and principal is not BOT else 0.0)
    if locked:
        raise ApiError(429, "locked_out", f"尝试次数过多，请{math.ceil(locked / 60)}分钟后再试")
    if principal is None:
        if lockout is not None:
            lockout.failed(source)
        raise ApiError(401, "unauthorized", "访问令牌无效")
    if lockout is not None:
        lockout.succeeded(source, token)
    _set(request, principal)


def _set(request: Request, principal: Principal) -> None:
    request.ctx.principal = principal
    request.ctx.actor, request.ctx.is_staff = principal.actor, principal.is_staff


def _principal(settings: Settings, token: str) -> Principal | None:
    if _matches(token, settings.bot_token):
        return BOT
    for staff_token, name in settings.staff_tokens.items():
        if _matches(token, staff_token):
            return service_principal(name)
    return None
