"""Staff accounts over HTTP: login (the only route without a token), logout, who am I, the
administrator's account list, and the staff audit log."""

from __future__ import annotations

from functools import partial

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json

from integration.service.api.auth import presented_token
from integration.service.api.common import body, offload, principal, require, service
from integration.service.domain import validation as v
from integration.service.domain.errors import Forbidden, ValidationFailed
from integration.service.domain.roles import ROLE_NAMES, Principal
from integration.service.services import accounts

bp = Blueprint("staff_accounts", url_prefix="/api/staff")
MAX_PASSWORD = 256


def client_source(request: Request) -> str:
    """The browser's address as the web service reports it (``X-Staff-Client``), else the peer.
    Used for the audit log only: it is not trusted for anything else."""
    reported = (request.headers.get("x-staff-client") or "").strip()[:64]
    peer = request.remote_addr or request.ip or "?"
    return f"{reported} via {peer}" if reported else peer


def me_json(who: Principal) -> dict[str, object]:
    return {
        "actor": who.actor,
        "name": who.username,
        "display_name": who.display_name or who.username,
        "kind": who.kind,
        "role": who.role.value if who.role else None,
        "role_name": ROLE_NAMES[who.role] if who.role else None,
        "institution": who.institution,
        "permissions": who.permissions(),
    }


@bp.post("/login")
async def login(request: Request) -> HTTPResponse:
    data = body(request)
    username = v.required_text(data, "username", max_len=64)
    password = data.get("password")
    if not isinstance(password, str) or not password or len(password) > MAX_PASSWORD:
        raise ValidationFailed("missing_field", "请输入密码", field="password")
    ctx, settings = service(request), request.app.ctx.settings
    result = await offload(
        accounts.login, ctx, settings.login_policy, username, password, client_source(request)
    )
    return json(result)


@bp.post("/logout")
async def logout(request: Request) -> HTTPResponse:
    who = principal(request)
    if who.kind == "session":
        await offload(
            accounts.logout, service(request), presented_token(request), who.actor, client_source(request)
        )
    return json({"logged_out": True})


@bp.get("/me")
async def whoami(request: Request) -> HTTPResponse:
    """Who a staff token or session belongs to, with the role's permissions (the console shows
    only what the role may use; the API refuses the rest anyway)."""
    who = principal(request)
    if not who.is_staff:
        raise Forbidden("仅工作人员可以执行该操作")
    return json(me_json(who))


@bp.get("/accounts")
async def list_accounts(request: Request) -> HTTPResponse:
    require(request, "accounts")
    return json({"items": await offload(accounts.list_accounts, service(request))})


@bp.post("/accounts")
async def create_account(request: Request) -> HTTPResponse:
    who, data, ctx = require(request, "accounts"), body(request), service(request)
    password = data.get("password")
    if not isinstance(password, str) or len(password) > MAX_PASSWORD:
        raise ValidationFailed("missing_field", "请设置初始密码", field="password")
    username = v.required_text(data, "username", max_len=32)
    display_name = v.text(data, "display_name", max_len=50, required=False) or ""
    role = v.required_text(data, "role", max_len=16)
    institution = v.text(data, "institution", max_len=64, required=False)

    def run() -> dict[str, object]:
        with ctx.uow() as uow:
            made = accounts.create_account(
                ctx,
                uow,
                username=username,
                display_name=display_name,
                role=role,
                password=password,
                institution=institution,
                actor=who.actor,
            )
            uow.commit()
            return made

    return json(await offload(run), status=201)


@bp.post("/accounts/<username:str>/<action:str>")
async def change_account(request: Request, username: str, action: str) -> HTTPResponse:
    """``disable`` / ``enable`` / ``password`` (a new password set by the administrator)."""
    who, ctx = require(request, "accounts"), service(request)
    data = body(request) if request.body else {}
    if action not in ("disable", "enable", "password"):
        raise ValidationFailed("unknown_action", "操作应为 disable、enable 或 password")
    password = data.get("password")
    if action == "password" and (not isinstance(password, str) or len(password) > MAX_PASSWORD):
        raise ValidationFailed("missing_field", "请输入新密码", field="password")

    def run() -> dict[str, object]:
        with ctx.uow() as uow:
            if action == "password":
                assert isinstance(password, str)
                done = accounts.reset_password(ctx, uow, username, password, who.actor)
            else:
                done = accounts.set_active(ctx, uow, username, action == "enable", who.actor)
            uow.commit()
            return done

    return json(await offload(run))


@bp.post("/password")
async def change_password(request: Request) -> HTTPResponse:
    """``{current, password}``: a console user replaces their own password."""
    who, data, ctx = principal(request), body(request), service(request)
    current, new = data.get("current"), data.get("password")
    if who.kind != "session" or who.account_id is None:
        raise Forbidden("只有登录的工作人员账号可以修改自己的密码")
    if not (isinstance(current, str) and isinstance(new, str)) or max(len(current), len(new)) > MAX_PASSWORD:
        raise ValidationFailed("missing_field", "请输入当前密码和新密码", field="password")
    token, account_id = presented_token(request), who.account_id

    def run() -> dict[str, object]:
        with ctx.uow() as uow:
            changed = accounts.change_own_password(ctx, uow, account_id, current, new, token)
            uow.commit()
            return changed

    return json(await offload(run))


@bp.get("/colleagues")
async def colleagues(request: Request) -> HTTPResponse:
    """Whom a claimed conversation may be passed to."""
    require(request, "queue")
    return json({"items": await offload(accounts.queue_staff, service(request))})


@bp.get("/audit")
async def audit_log(request: Request) -> HTTPResponse:
    require(request, "accounts")
    return json({"items": await offload(accounts.audit_entries, service(request))})


@bp.post("/audit")
async def report_refusal(request: Request) -> HTTPResponse:
    """The web service reports what it refused on its own (a request without its CSRF token), so
    that the refusal is in the same audit log as the others."""
    who, data = principal(request), body(request)
    action = v.required_text(data, "action", max_len=32)
    path = v.text(data, "path", max_len=200, required=False)
    await offload(
        partial(
            accounts.record_now,
            service(request),
            who.actor,
            action,
            "refused",
            client_source(request),
            path=path,
        )
    )
    return json({"recorded": True}, status=201)
