"""The staff console's API: the hand-off queue (pushed live), one hand-off with its conversation,
take over, pass on, tag; and the staff desk's other pages through ``/staff/api/desk/…``.

A person logs in with a user name and password (``web/staff_auth.py``: a session cookie and a
CSRF token); a machine client sends ``Authorization: Bearer <staff token>``. Either credential is
passed through to the case service, which decides what the role may do. The console is for the
centre's internal network, not the public site.
"""

from __future__ import annotations

import contextlib
import logging
import re

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, file, json, raw

from web.guard import Guards, client_ip, locked_out
from web.hub import staff_channel
from web.messages import error_text
from web.rasa_admin import RasaAdminUnavailable
from web.sse import stream_events
from web.staff_auth import (
    COOKIE,
    add_auth_routes,
    clear_session_cookie,
    credential,
    csrf_refusal,
    from_cookie,
)
from web.staff_cases import Credential, StaffApiError
from web.takeover import Takeovers

log = logging.getLogger(__name__)
STATUSES = ("open", "claimed", "closed")
FILTERS = ("category", "institution", "channel")
MAX_STAFF_MESSAGE = 2000
# What the desk pages may reach in the case service, by path under /api/ (the case service
# checks the role on each; anything else is not forwarded at all).
DESK_PATHS = re.compile(
    r"^(cases/[A-Za-z0-9-]{1,32}(/(desk|audit|transitions|reroute|contact|notes|follow-up))?"
    r"|desk/(cases|stats|stats\.csv|cases\.csv|transcripts\.(json|csv)|from-handoff/\d{1,18}|attach/\d{1,18})"
    r"|evidence/[A-Za-z0-9-]{1,32}(/file)?|handoffs/\d{1,18}/(evidence|tags)"
    r"|institutions|mediators(/[A-Za-z0-9_-]{1,64}(/slots)?)?|specialties"
    r"|staff/(accounts(/[a-z0-9_.-]{1,32}/(disable|enable|password))?|colleagues|audit|password))$"
)


def _token(request: Request) -> Credential:
    token = credential(request)
    if token is None:
        raise StaffApiError(401, "unauthorized", "请先登录工作人员账号。")
    return token


def _takeovers(request: Request) -> Takeovers:
    takeovers: Takeovers = request.app.ctx.takeovers
    return takeovers


def _presented(request: Request) -> str:
    """The credential a request carries (header, cookie, or ``?token=`` on an event stream)."""
    token = credential(request)
    if token:
        return str(token)
    return request.args.get("token", "") if request.path.endswith("/events") else ""


def _guards(request: Request) -> Guards:
    guards: Guards = request.app.ctx.guards
    return guards


def staff_routes(static_dir: str, secret: str, cookie_secure: bool = False) -> Blueprint:
    bp = Blueprint("staff", url_prefix="/staff")
    add_auth_routes(bp, secret, cookie_secure)

    @bp.on_request
    async def checks(request: Request) -> HTTPResponse | None:
        """Too many wrong credentials from one address lock it (credentials that already worked
        from there keep working); a cookie-authenticated state change needs its CSRF token."""
        token = _presented(request)
        locked = _guards(request).staff.locked(client_ip(request), token) if token else 0.0
        if locked:
            return locked_out(locked)
        refusal = csrf_refusal(request, secret)
        if refusal is None:
            return None
        log.warning("refused %s %s: %s", request.method, request.path, refusal)
        with contextlib.suppress(StaffApiError):  # a dead session: the case service audited it already
            await _takeovers(request).cases.report(_token(request), refusal, request.path)
        return json({"code": "csrf", "message": error_text("csrf")}, status=403)

    @bp.on_response
    async def count(request: Request, response: HTTPResponse) -> None:
        token = _presented(request)
        if not token:
            return
        if response.status == 401:
            _guards(request).staff.failed(client_ip(request))
            if from_cookie(request):
                clear_session_cookie(response, cookie_secure)
        elif response.status < 400 and not request.path.endswith("/api/logout"):
            _guards(request).staff.succeeded(client_ip(request), token)

    @bp.get("/")
    async def console(request: Request) -> HTTPResponse:
        return await file(f"{static_dir}/staff.html", headers={"Cache-Control": "no-cache"})

    @bp.get("/api/handoffs")
    async def waiting(request: Request) -> HTTPResponse:
        status = request.args.get("status", "open")
        if status not in STATUSES:
            raise StaffApiError(400, "bad_request", "状态应为 open、claimed 或 closed。")
        filters = {k: v for k in FILTERS if (v := request.args.get(k, "")) and len(v) <= 64}
        items = await _takeovers(request).cases.list_handoffs(_token(request), status, filters)
        return json({"items": items})

    @bp.get("/api/queue/events")
    async def queue_events(request: Request) -> None:
        """Every change of the queue, pushed as it happens (relayed from the case service)."""
        token = _token(request)
        async with _takeovers(request).cases.stream(token, "/api/handoffs/events") as lines:
            response = await request.respond(
                content_type="text/event-stream; charset=utf-8",
                headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
            )
            async for line in lines:
                await response.send(line + "\n")

    @bp.get("/api/handoffs/<handoff_id:int>")
    async def detail(request: Request, handoff_id: int) -> HTTPResponse:
        return json(await _takeovers(request).detail(_token(request), handoff_id))

    @bp.post("/api/handoffs/<handoff_id:int>/claim")
    async def claim(request: Request, handoff_id: int) -> HTTPResponse:
        return json(await _takeovers(request).claim(_token(request), handoff_id))

    @bp.post("/api/handoffs/<handoff_id:int>/pass")
    async def pass_on(request: Request, handoff_id: int) -> HTTPResponse:
        data = request.json if request.body else {}
        to = data.get("to") if isinstance(data, dict) else None
        note = data.get("note") if isinstance(data, dict) else None
        if not isinstance(to, str) or not to.strip():
            raise StaffApiError(400, "bad_request", "请选择接手的同事。")
        note = note if isinstance(note, str) and note.strip() else None
        return json(await _takeovers(request).pass_on(_token(request), handoff_id, to.strip(), note))

    @bp.post("/api/handoffs/<handoff_id:int>/messages")
    async def say(request: Request, handoff_id: int) -> HTTPResponse:
        token, data = _token(request), request.json
        text = data.get("text") if isinstance(data, dict) else None
        if not isinstance(text, str) or not text.strip() or len(text) > MAX_STAFF_MESSAGE:
            raise StaffApiError(400, "bad_request", "消息不能为空，且不超过2000字。")
        await _takeovers(request).say(token, handoff_id, text.strip())
        return json({"sent": True})

    @bp.post("/api/handoffs/<handoff_id:int>/close")
    async def release(request: Request, handoff_id: int) -> HTTPResponse:
        token, data = _token(request), request.json if request.body else {}
        note = data.get("note") if isinstance(data, dict) else None
        return json(
            await _takeovers(request).release(token, handoff_id, note if isinstance(note, str) else None)
        )

    @bp.get("/api/conversations/<conversation_id:str>/events")
    async def events(request: Request, conversation_id: str) -> None:
        token = credential(request) or Credential(request.args.get("token", ""), client_ip(request))
        await _takeovers(request).cases.list_handoffs(token, "claimed")  # someone who works the queue
        await stream_events(request, request.app.ctx.hub, staff_channel(conversation_id))

    @bp.route("/api/desk/<path:path>", methods=["GET", "POST", "PUT"])
    async def desk(request: Request, path: str) -> HTTPResponse:
        """The case desk, statistics, exports, evidence, mediators and accounts: passed to the
        case service as they are (it checks the role), only for the paths in DESK_PATHS."""
        if not DESK_PATHS.match(path):
            raise StaffApiError(404, "not_found", "页面不存在。")
        answer = await _takeovers(request).cases.forward(
            _token(request), request.method, f"/api/{path}", params=request.query_string or None,
            content=request.body or None, content_type=request.headers.get("content-type"),
        )
        headers = {k: v for k, v in answer.headers.items() if k.lower() != "content-length"}
        if path.startswith("evidence/"):  # a citizen's file: never run as a page, never cached
            headers["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
            headers["Cache-Control"] = "private, no-store"
        return raw(answer.body, status=answer.status, headers=headers,
                   content_type=answer.headers.get("content-type", "application/json"))

    @bp.exception(StaffApiError)
    async def refused(request: Request, exc: StaffApiError) -> HTTPResponse:
        response = json({"code": exc.code, "message": exc.message or error_text(exc.code)}, status=exc.status)
        if exc.status == 401 and request.cookies.get(COOKIE):
            clear_session_cookie(response, cookie_secure)
        return response

    @bp.exception(RasaAdminUnavailable)
    async def rasa_down(request: Request, exc: RasaAdminUnavailable) -> HTTPResponse:
        return json({"code": "rasa_unavailable", "message": error_text("rasa_unavailable")}, status=503)

    return bp
