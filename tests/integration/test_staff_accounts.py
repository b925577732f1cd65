"""Staff accounts against real SQLite and PostgreSQL: first administrator by command, login,
sessions, lock-out, disabling, roles deciding what an account may do, every refusal audited."""

from __future__ import annotations

from typing import Any

import pytest
from sanic import Sanic
from sqlalchemy import select

from integration.service import manage
from integration.service.adapters import orm
from integration.service.domain.errors import ValidationFailed
from integration.service.services import accounts
from integration.service.services.context import ServiceContext
from integration.service.settings import Settings
from tests.integration.conftest import Clock
from tests.integration.helpers import BOT, STAFF, call, case_body

ADMIN_PW = "correct horse battery 9"
PW = "mediation-desk-2026!"


def make(ctx: ServiceContext, username: str, role: str, institution: str | None = None) -> None:
    with ctx.uow() as uow:
        accounts.create_account(
            ctx,
            uow,
            username=username,
            display_name=username.upper(),
            role=role,
            password=PW,
            institution=institution,
            actor="test",
        )
        uow.commit()


async def login(app: Sanic, username: str, password: str = PW) -> Any:
    return await call(
        app, "post", "/api/staff/login", headers={}, json={"username": username, "password": password}
    )


async def session(app: Sanic, username: str) -> dict[str, str]:
    response = await login(app, username)
    assert response.status == 200, response.json
    return {"Authorization": f"Bearer {response.json['token']}"}


def audit(ctx: ServiceContext) -> list[orm.StaffAudit]:
    with ctx.uow() as uow:
        rows = list(uow.session.scalars(select(orm.StaffAudit).order_by(orm.StaffAudit.id)))
        uow.session.expunge_all()
        return rows


def test_first_admin_is_created_by_the_command_never_by_default(
    settings: Settings,
    ctx: ServiceContext,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert accounts.list_accounts(ctx) == []  # a fresh database has no account at all
    monkeypatch.setenv("CASE_DB_URL", settings.db_url)
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("short\n"))
    assert manage.main(["create-admin", "root", "--password-stdin"]) == 1
    assert "至少需要12个字符" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO(ADMIN_PW + "\n"))
    assert manage.main(["create-admin", "root", "--password-stdin"]) == 0
    [admin] = accounts.list_accounts(ctx)
    assert admin["role"] == "admin" and admin["username"] == "root"
    with ctx.uow() as uow:
        stored = uow.session.scalars(select(orm.StaffAccount.password_hash)).one()
    assert stored.startswith("$argon2id$") and ADMIN_PW not in stored


async def test_login_me_logout(app: Sanic, ctx: ServiceContext) -> None:
    make(ctx, "lin", "clerk")
    auth = await session(app, "lin")
    me = await call(app, "get", "/api/staff/me", headers=auth)
    assert me.status == 200
    assert me.json["actor"] == "staff:lin" and me.json["kind"] == "session"
    assert me.json["role_name"] == "受理员" and "queue" in me.json["permissions"]
    assert "accounts" not in me.json["permissions"]
    assert (await call(app, "post", "/api/staff/logout", headers=auth)).status == 200
    gone = await call(app, "get", "/api/staff/me", headers=auth)
    assert gone.status == 401 and gone.json["error"]["code"] == "session_expired"
    assert "重新登录" in gone.json["error"]["message"]
    assert [e.action for e in audit(ctx)][-3:] == ["login", "logout", "refused"]


async def test_wrong_password_is_one_message_and_locks_the_account(
    app: Sanic, ctx: ServiceContext, clock: Clock
) -> None:
    make(ctx, "lin", "clerk")
    unknown = await login(app, "nobody", "whatever-password")
    wrong = await login(app, "lin", "not-the-password")
    assert unknown.status == wrong.status == 401
    assert unknown.json["error"]["message"] == wrong.json["error"]["message"] == "用户名或密码错误"
    for _ in range(3):
        assert (await login(app, "lin", "still-wrong-pass")).status == 401
    locked = await login(app, "lin", "fifth-wrong-pass")
    assert locked.status == 429 and "锁定" in locked.json["error"]["message"]
    assert (await login(app, "lin")).status == 429  # even the right password, while locked
    clock.advance(minutes=16)
    assert (await login(app, "lin")).status == 200
    causes = [e.detail.get("cause") for e in audit(ctx) if e.action == "login"]
    assert causes[:2] == ["unknown_user", "wrong_password"] and "locked" in causes
    unknown = next(e for e in audit(ctx) if e.detail.get("cause") == "unknown_user")
    assert unknown.actor == "anonymous" and "nobody" not in str(unknown.detail)  # never the typed name


async def test_sessions_end_when_idle_or_old(app: Sanic, ctx: ServiceContext, clock: Clock) -> None:
    make(ctx, "lin", "clerk")
    auth = await session(app, "lin")
    for _ in range(4):  # in use: the idle clock keeps moving
        clock.advance(minutes=20)
        assert (await call(app, "get", "/api/staff/me", headers=auth)).status == 200
    clock.advance(minutes=31)
    assert (await call(app, "get", "/api/staff/me", headers=auth)).status == 401
    auth = await session(app, "lin")
    for _ in range(49):  # 12 h 15 min of constant use: the absolute limit ends it
        clock.advance(minutes=15)
        last = await call(app, "get", "/api/staff/me", headers=auth)
    assert last.status == 401


async def test_forged_session_is_refused_and_audited(app: Sanic, ctx: ServiceContext) -> None:
    forged = {"Authorization": "Bearer sess_" + "A" * 43, "X-Staff-Client": "203.0.113.9"}
    response = await call(app, "get", "/api/handoffs", headers=forged)
    assert response.status == 401
    [entry] = audit(ctx)
    assert entry.action == "refused" and entry.detail["cause"] == "session"
    assert entry.source is not None and entry.source.startswith("203.0.113.9")


async def test_admin_creates_and_disables_accounts(app: Sanic, ctx: ServiceContext) -> None:
    make(ctx, "root", "admin")
    admin = await session(app, "root")
    created = await call(
        app,
        "post",
        "/api/staff/accounts",
        headers=admin,
        json={
            "username": "wang",
            "display_name": "王调解",
            "role": "mediator",
            "institution": "labour_arbitration",
            "password": PW,
        },
    )
    assert created.status == 201 and created.json["institution"]["code"] == "labour_arbitration"
    no_inst = await call(
        app,
        "post",
        "/api/staff/accounts",
        headers=admin,
        json={"username": "zhao", "role": "mediator", "password": PW},
    )
    assert no_inst.status == 422 and "所属机构" in no_inst.json["error"]["message"]
    weak = await call(
        app,
        "post",
        "/api/staff/accounts",
        headers=admin,
        json={"username": "zhao", "role": "clerk", "password": "zhao12345678"},
    )
    assert weak.status == 422 and weak.json["error"]["code"] == "weak_password"
    wang = await session(app, "wang")
    disabled = await call(app, "post", "/api/staff/accounts/wang/disable", headers=admin)
    assert disabled.status == 200 and disabled.json["active"] is False
    assert (await call(app, "get", "/api/staff/me", headers=wang)).status == 401  # ended at once
    assert (await login(app, "wang")).status == 401
    self_off = await call(app, "post", "/api/staff/accounts/root/disable", headers=admin)
    assert self_off.status == 422
    listing = await call(app, "get", "/api/staff/accounts", headers=admin)
    assert [a["username"] for a in listing.json["items"]] == ["root", "wang"]
    reset = await call(
        app,
        "post",
        "/api/staff/accounts/wang/password",
        headers=admin,
        json={"password": "a-new-long-password"},
    )
    assert reset.status == 200


async def test_roles_decide_what_an_account_may_do(app: Sanic, ctx: ServiceContext) -> None:
    make(ctx, "clerk1", "clerk")
    make(ctx, "med1", "mediator", "labour_arbitration")
    make(ctx, "med2", "mediator", "family_mediation")
    make(ctx, "root", "admin")
    labour = (await call(app, "post", "/api/cases", json=case_body(category="labour"))).json
    clerk, med1, med2 = [await session(app, n) for n in ("clerk1", "med1", "med2")]
    admin = await session(app, "root")
    path = f"/api/cases/{labour['case_no']}"
    assert (await call(app, "get", path, headers=med1)).status == 200
    other = await call(app, "get", path, headers=med2)
    assert other.status == 403 and "不属于您所在的机构" in other.json["error"]["message"]
    note = await call(app, "post", f"{path}/notes", headers=med2, json={"text": "越权"})
    assert note.status == 403
    assert (await call(app, "post", f"{path}/notes", headers=med1, json={"text": "已电话联系"})).status == 201
    assert (await call(app, "get", "/api/handoffs", headers=med1)).status == 403
    assert (await call(app, "get", "/api/handoffs", headers=clerk)).status == 200
    assert (await call(app, "get", "/api/staff/accounts", headers=clerk)).status == 403
    assert (await call(app, "get", "/api/staff/accounts", headers=admin)).status == 200
    reroute = await call(
        app, "post", f"{path}/reroute", headers=med1, json={"institution": "center_window", "reason": "试试"}
    )
    assert reroute.status == 403 and "改派" in reroute.json["error"]["message"]
    # Machine clients keep their tokens: the staff token can still do what it could before.
    assert (await call(app, "get", "/api/handoffs", headers=STAFF)).status == 200
    assert (await call(app, "get", "/api/handoffs", headers=BOT)).status == 403
    refused = [e for e in audit(ctx) if e.action == "refused"]
    assert {(e.actor, e.detail["path"]) for e in refused} >= {
        ("staff:med2", path),
        ("staff:med1", "/api/handoffs"),
        ("staff:clerk1", "/api/staff/accounts"),
        ("bot", "/api/handoffs"),
    }
    with ctx.uow() as uow:
        notes = uow.session.scalars(
            select(orm.AuditEntry.reason).where(orm.AuditEntry.action == "note")
        ).all()
    assert notes == ["已电话联系"]  # the refused note changed nothing


def test_usernames_and_passwords_are_checked(ctx: ServiceContext) -> None:
    with pytest.raises(ValidationFailed):
        accounts.validate_username("1abc")
    with pytest.raises(ValidationFailed):
        accounts.validate_password("aaaaaaaaaaaaaaaa", "someone")
    assert accounts.validate_username(" Lin.Fang ") == "lin.fang"


async def test_queue_order_filters_pass_and_tags(app: Sanic, ctx: ServiceContext, clock: Clock) -> None:
    make(ctx, "lin", "clerk")
    make(ctx, "fang", "clerk")
    make(ctx, "wang", "mediator", "labour_arbitration")

    async def handoff(conversation: str, **extra: Any) -> int:
        response = await call(
            app, "post", "/api/handoffs", json={"conversation_id": conversation, "reason": "转人工", **extra}
        )
        assert response.status == 201, response.json
        return int(response.json["id"])

    old = await handoff("web-old", category="labour", channel="web")
    clock.advance(minutes=11)
    fresh = await handoff("phone-new", category="family", channel="phone")
    clock.advance(minutes=1)
    safety = await handoff("web-safety", reason_code="safety", urgent=True, category="family")
    lin, fang = await session(app, "lin"), await session(app, "fang")
    listed = (await call(app, "get", "/api/handoffs", headers=lin)).json["items"]
    assert [i["id"] for i in listed] == [safety, old, fresh]  # safety, overdue, then waiting
    assert [i["overdue"] for i in listed] == [False, True, False]
    phone = await call(app, "get", "/api/handoffs?channel=phone", headers=lin)
    assert [i["id"] for i in phone.json["items"]] == [fresh]
    labour = await call(app, "get", "/api/handoffs?institution=labour_arbitration", headers=lin)
    assert [i["id"] for i in labour.json["items"]] == [old]
    family = await call(app, "get", "/api/handoffs?category=family", headers=lin)
    assert [i["id"] for i in family.json["items"]] == [safety, fresh]

    assert (await call(app, "post", f"/api/handoffs/{old}/claim", headers=lin)).status == 200
    stolen = await call(app, "post", f"/api/handoffs/{old}/pass", headers=fang, json={"to": "fang"})
    assert stolen.status == 403
    to_mediator = await call(app, "post", f"/api/handoffs/{old}/pass", headers=lin, json={"to": "wang"})
    assert to_mediator.status == 422 and "找不到可以接手的同事" in to_mediator.json["error"]["message"]
    passed = await call(
        app,
        "post",
        f"/api/handoffs/{old}/pass",
        headers=lin,
        json={"to": "fang", "note": "劳动争议请方老师跟进"},
    )
    assert passed.status == 200 and passed.json["claimed_by"] == "staff:fang"
    tagged = await call(
        app, "put", f"/api/handoffs/{old}/tags", headers=fang, json={"tags": ["识别错误", "投诉", "识别错误"]}
    )
    assert tagged.status == 200 and tagged.json["tags"] == ["识别错误", "投诉"]
    too_long = await call(
        app, "put", f"/api/handoffs/{old}/tags", headers=fang, json={"tags": ["这是一个非常非常非常长的标签"]}
    )
    assert too_long.status == 422
    detail = await call(app, "get", f"/api/handoffs/{old}", headers=fang)
    assert detail.json["tags"] == ["识别错误", "投诉"] and detail.json["institution"] == "labour_arbitration"


async def test_staff_change_their_own_password(app: Sanic, ctx: ServiceContext) -> None:
    make(ctx, "lin", "clerk")
    here, elsewhere = await session(app, "lin"), await session(app, "lin")
    wrong = await call(
        app,
        "post",
        "/api/staff/password",
        headers=here,
        json={"current": "not-it-at-all", "password": "a-brand-new-password"},
    )
    assert wrong.status == 422 and wrong.json["error"]["message"] == "当前密码不正确"
    weak = await call(
        app, "post", "/api/staff/password", headers=here, json={"current": PW, "password": "short"}
    )
    assert weak.status == 422
    changed = await call(
        app,
        "post",
        "/api/staff/password",
        headers=here,
        json={"current": PW, "password": "a-brand-new-password"},
    )
    assert changed.status == 200
    assert (await call(app, "get", "/api/staff/me", headers=here)).status == 200  # this session stays
    assert (await call(app, "get", "/api/staff/me", headers=elsewhere)).status == 401  # the others end
    assert (await login(app, "lin")).status == 401
    assert (await login(app, "lin", "a-brand-new-password")).status == 200
    machine = await call(
        app, "post", "/api/staff/password", headers=STAFF, json={"current": "x", "password": "y"}
    )
    assert machine.status == 403
