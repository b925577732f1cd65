"""The staff console's API: hand-offs waiting, one hand-off with its conversation, take over.

Every route needs ``Authorization: Bearer <staff token>`` (the event stream takes ``?token=``
because ``EventSource`` cannot set headers); the token is passed through to the case service.
The console is for the centre's internal network, not the public site.
"""

from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, file, json

from web.guard import Guards, client_ip, locked_out
from web.hub import staff_channel
from web.messages import error_text
from web.rasa_admin import RasaAdminUnavailable
from web.sse import stream_events
from web.staff_cases import StaffApiError
from web.takeover import Takeovers

STATUSES = ("open", "claimed", "closed")
MAX_STAFF_MESSAGE = 2000


def _token(request: Request) -> str:
    header = request.headers.get("authorization", "")
    token = header[7:].strip() if header.lower().startswith("bearer ") else ""
    if not token:
        raise StaffApiError(401, "unauthorized", "请先登录工作人员账号。")
    return token


def _takeovers(request: Request) -> Takeovers:
    takeovers: Takeovers = request.app.ctx.takeovers
    return takeovers


def _presented(request: Request) -> str:
    """The staff token a request carries (header, or ``?token=`` on the event stream)."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return request.args.get("token", "") if request.path.endswith("/events") else ""


def _guards(request: Request) -> Guards:
    guards: Guards = request.app.ctx.guards
    return guards


def staff_routes(static_dir: str) -> Blueprint:
    bp = Blueprint("staff", url_prefix="/staff")

    @bp.on_request
    async def not_locked(request: Request) -> HTTPResponse | None:
        """Too many wrong staff tokens from one address lock it (tokens that already worked
        from there keep working); the case service decides whether a token is right."""
        token = _presented(request)
        locked = _guards(request).staff.locked(client_ip(request), token) if token else 0.0
        return locked_out(locked) if locked else None

    @bp.on_response
    async def count(request: Request, response: HTTPResponse) -> None:
        token = _presented(request)
        if not token:
            return
        if response.status == 401:
            _guards(request).staff.failed(client_ip(request))
        elif response.status < 400:
            _guards(request).staff.succeeded(client_ip(request), token)

    @bp.get("/")
    async def console(request: Request) -> HTTPResponse:
        return await file(f"{static_dir}/staff.html", headers={"Cache-Control": "no-cache"})

    @bp.get("/api/me")
    async def me(request: Request) -> HTTPResponse:
        actor = await _takeovers(request).cases.whoami(_token(request))
        return json({"actor": actor, "name": actor.removeprefix("staff:")})

    @bp.get("/api/handoffs")
    async def waiting(request: Request) -> HTTPResponse:
        status = request.args.get("status", "open")
        if status not in STATUSES:
            raise StaffApiError(400, "bad_request", "状态应为 open、claimed 或 closed。")
        items = await _takeovers(request).cases.list_handoffs(_token(request), status)
        return json({"items": items})

    @bp.get("/api/handoffs/<handoff_id:int>")
    async def detail(request: Request, handoff_id: int) -> HTTPResponse:
        return json(await _takeovers(request).detail(_token(request), handoff_id))

    @bp.post("/api/handoffs/<handoff_id:int>/claim")
    async def claim(request: Request, handoff_id: int) -> HTTPResponse:
        return json(await _takeovers(request).claim(_token(request), handoff_id))

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
        token = request.args.get("token", "")
        await _takeovers(request).cases.list_handoffs(token, "claimed")  # the token must be a staff token
        await stream_events(request, request.app.ctx.hub, staff_channel(conversation_id))

    @bp.exception(StaffApiError)
    async def refused(request: Request, exc: StaffApiError) -> HTTPResponse:
        return json({"code": exc.code, "message": exc.message or error_text(exc.code)}, status=exc.status)

    @bp.exception(RasaAdminUnavailable)
    async def rasa_down(request: Request, exc: RasaAdminUnavailable) -> HTTPResponse:
        return json({"code": "rasa_unavailable", "message": error_text("rasa_unavailable")}, status=503)

    return bp
