"""Staff login on the console: a session in an HttpOnly, SameSite=Strict cookie, a CSRF token on
every state-changing request, logout, and the browser-side half of the lock-out.

The case service holds the accounts, checks the password (argon2id), locks an account after
repeated failures and issues the session token; this module only keeps that token in the cookie.
The CSRF token is an HMAC of the session token under the web service's secret: the page reads it
from ``/staff/api/me`` (a cross-site page cannot read that answer) and sends it back in
``X-CSRF-Token``; nothing needs storing. Machine clients send ``Authorization: Bearer`` instead of
a cookie and need no CSRF token (a browser never adds that header by itself).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from typing import Any
from urllib.parse import urlsplit

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json

from web.guard import Guards, client_ip, locked_out
from web.staff_cases import Credential, StaffApiError, StaffCases

log = logging.getLogger(__name__)
COOKIE = "jiefen_staff"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
MAX_LOGIN_FIELD = 256


def csrf_token(secret: str, session_token: str) -> str:
    return hmac.new(secret.encode(), f"staff-csrf:{session_token}".encode(), hashlib.sha256).hexdigest()[:40]


def bearer(request: Request) -> str:
    header = request.headers.get("authorization", "")
    return header[7:].strip() if header.lower().startswith("bearer ") else ""


def credential(request: Request) -> Credential | None:
    """The caller's token: a machine client's Bearer header, else the console's cookie."""
    token = bearer(request) or request.cookies.get(COOKIE, "")
    return Credential(token, client_ip(request)) if token else None


def from_cookie(request: Request) -> bool:
    return not bearer(request) and bool(request.cookies.get(COOKIE))


def same_origin(request: Request) -> bool:
    """A browser says where a request comes from (``Sec-Fetch-Site``, ``Origin``); a state change
    from another site is refused even before the CSRF token is looked at."""
    if request.headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
        return False
    origin = request.headers.get("origin")
    if not origin or origin == "null":
        return origin is None
    return urlsplit(origin).netloc == request.host


def csrf_refusal(request: Request, secret: str) -> str | None:
    """Why a cookie-authenticated state change is refused, or None when it may go on."""
    if request.method in SAFE_METHODS or not from_cookie(request):
        return None
    if request.path.endswith("/api/login"):
        # A stale cookie must not stop a new login; there is no token yet, the site is checked.
        return None if same_origin(request) else "csrf_cross_site"
    if not same_origin(request):
        return "csrf_cross_site"
    given = request.headers.get(CSRF_HEADER, "")
    expected = csrf_token(secret, str(request.cookies.get(COOKIE, "")))
    if not given or not hmac.compare_digest(given.encode("utf-8", "replace"), expected.encode()):
        return "csrf_missing" if not given else "csrf_wrong"
    return None


def set_session_cookie(response: HTTPResponse, token: str, max_age: int, secure: bool) -> None:
    response.add_cookie(
        COOKIE, token, path="/staff", max_age=max_age, httponly=True, samesite="Strict", secure=secure
    )


def clear_session_cookie(response: HTTPResponse, secure: bool) -> None:
    response.add_cookie(COOKIE, "", path="/staff", max_age=0, httponly=True, samesite="Strict", secure=secure)


def add_auth_routes(bp: Blueprint, secret: str, cookie_secure: bool) -> None:
    def cases(request: Request) -> StaffCases:
        staff_cases: StaffCases = request.app.ctx.takeovers.cases
        return staff_cases

    def guards(request: Request) -> Guards:
        found: Guards = request.app.ctx.guards
        return found

    @bp.post("/api/login")
    async def login(request: Request) -> HTTPResponse:
        """User name and password → the session cookie; the same refusal for every wrong pair."""
        ip = client_ip(request)
        if not same_origin(request):
            raise StaffApiError(403, "csrf_cross_site", "")
        locked = guards(request).staff.locked(ip)
        if locked:
            return locked_out(locked)
        data: Any = request.json if request.body else None
        username = data.get("username") if isinstance(data, dict) else None
        password = data.get("password") if isinstance(data, dict) else None
        if (
            not (isinstance(username, str) and isinstance(password, str))
            or not username.strip()
            or not password
        ):
            raise StaffApiError(400, "bad_request", "请输入用户名和密码。")
        if len(username) > MAX_LOGIN_FIELD or len(password) > MAX_LOGIN_FIELD:
            raise StaffApiError(400, "bad_request", "用户名或密码过长。")
        try:
            session = await cases(request).login(username, password, ip)
        except StaffApiError as exc:
            if exc.status in (401, 429):
                guards(request).staff.failed(ip)
            raise
        token = str(session["token"])
        account = session["account"]
        me = await cases(request).me(Credential(token, ip))
        response = json(
            {
                "me": me,
                "account": account,
                "csrf": csrf_token(secret, token),
                "idle_timeout": session.get("idle_timeout"),
            }
        )
        set_session_cookie(response, token, int(session["expires_in"]), cookie_secure)
        return response

    @bp.post("/api/logout")
    async def logout(request: Request) -> HTTPResponse:
        token = credential(request)
        if token is not None:
            try:
                await cases(request).logout(token)
            except StaffApiError as exc:
                if exc.status != 401:  # an expired session is logged out already
                    raise
        response = json({"logged_out": True})
        clear_session_cookie(response, cookie_secure)
        return response

    @bp.get("/api/me")
    async def me(request: Request) -> HTTPResponse:
        token = credential(request)
        if token is None:
            raise StaffApiError(401, "unauthorized", "请先登录工作人员账号。")
        account = await cases(request).me(token)
        body = {**account, "csrf": csrf_token(secret, token) if from_cookie(request) else None}
        return json(body)
