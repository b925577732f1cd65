"""The staff desk over real HTTP: the web service in front of a real case service (SQLite).
Login cookie, CSRF, forged and expired sessions, the live queue, passing a conversation on."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from sqlalchemy import select

from integration.service.adapters import orm
from tests.integration.web.desk import Desk, desk  # noqa: F401 (fixture)
from tests.integration.web.sse import events

BOT = {"Authorization": "Bearer dev-bot-token"}


def staff_audit(d: Desk) -> list[tuple[str, str, dict[str, Any]]]:
    with d.app.ctx.service.uow() as uow:
        rows = uow.session.scalars(select(orm.StaffAudit).order_by(orm.StaffAudit.id)).all()
        return [(r.actor, r.action, dict(r.detail)) for r in rows]


async def new_handoff(d: Desk, conversation: str, **extra: Any) -> int:
    async with httpx.AsyncClient(base_url=d.cases) as bot:
        response = await bot.post(
            "/api/handoffs",
            headers=BOT,
            json={"conversation_id": conversation, "reason": "群众要求转人工", **extra},
        )
        assert response.status_code == 201, response.text
        return int(response.json()["id"])




async def test_login_sets_a_strict_http_only_cookie_and_logout_ends_it(desk: Desk) -> None:  # noqa: F811
    desk.make_account("lin", "clerk", display_name="林芳")
    async with httpx.AsyncClient(base_url=desk.web) as client:
        wrong = await client.post("/staff/api/login", json={"username": "lin", "password": "nope-nope-nope"})
        assert wrong.status_code == 401 and wrong.json()["message"] == "用户名或密码错误"
        response = await client.post(
            "/staff/api/login", json={"username": "lin", "password": "desk-password-2026!"}
        )
        assert response.status_code == 200
        cookie = response.headers["set-cookie"]
        assert "jiefen_staff=sess_" in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie
        assert "Path=/staff" in cookie
        assert response.json()["me"]["role_name"] == "受理员" and response.json()["csrf"]
        assert "token" not in response.json()  # the session token is only ever in the cookie
        me = await client.get("/staff/api/me")
        assert me.status_code == 200 and me.json()["display_name"] == "林芳"
        assert response.headers["content-security-policy"].startswith("default-src 'self'")
        csrf = me.json()["csrf"]
        out = await client.post("/staff/api/logout", headers={"X-CSRF-Token": csrf})
        assert out.status_code == 200
        client.cookies.clear()
        client.cookies.set("jiefen_staff", cookie.split(";")[0].split("=", 1)[1], path="/staff")
        again = await client.get("/staff/api/me")  # the old cookie, replayed after logout
        assert again.status_code == 401 and "重新登录" in again.json()["message"]


async def test_a_state_change_without_its_csrf_token_changes_nothing_and_is_audited(desk: Desk) -> None:  # noqa: F811
    desk.make_account("lin", "clerk")
    handoff = await new_handoff(desk, "phone-CA01", channel="phone")
    async with httpx.AsyncClient(base_url=desk.web) as client:
        csrf = await desk.login(client, "lin")
        missing = await client.post(f"/staff/api/handoffs/{handoff}/claim")
        assert missing.status_code == 403 and "刷新页面" in missing.json()["message"]
        wrong = await client.post(f"/staff/api/handoffs/{handoff}/claim", headers={"X-CSRF-Token": "0" * 40})
        assert wrong.status_code == 403
        cross = await client.post(
            f"/staff/api/handoffs/{handoff}/claim",
            headers={"X-CSRF-Token": csrf, "Origin": "https://evil.example"},
        )
        assert cross.status_code == 403
        still = await client.get(f"/staff/api/handoffs/{handoff}")
        assert still.json()["status"] == "open"  # nothing changed
        ok = await client.post(f"/staff/api/handoffs/{handoff}/claim", headers={"X-CSRF-Token": csrf})
        assert ok.status_code == 200 and ok.json()["claimed_by"] == "staff:lin"
    refused = [(a, d.get("path")) for _, a, d in staff_audit(desk) if a.startswith("csrf")]
    assert refused == [
        ("csrf_missing", f"/staff/api/handoffs/{handoff}/claim"),
        ("csrf_wrong", f"/staff/api/handoffs/{handoff}/claim"),
        ("csrf_cross_site", f"/staff/api/handoffs/{handoff}/claim"),
    ]


async def test_a_forged_cookie_is_refused_cleared_and_audited(desk: Desk) -> None:  # noqa: F811
    async with httpx.AsyncClient(base_url=desk.web) as client:
        client.cookies.set("jiefen_staff", "sess_forged-forged-forged", path="/staff")
        response = await client.get("/staff/api/handoffs")
        assert response.status_code == 401
        assert (
            'jiefen_staff=""' in response.headers["set-cookie"]
            or "Max-Age=0" in response.headers["set-cookie"]
        )
    [(actor, action, detail)] = staff_audit(desk)
    assert (actor, action, detail["cause"]) == ("anonymous", "refused", "session")


async def test_wrong_role_is_refused_in_chinese(desk: Desk) -> None:  # noqa: F811
    desk.make_account("wang", "mediator", "labour_arbitration")
    async with httpx.AsyncClient(base_url=desk.web) as client:
        await desk.login(client, "wang")
        queue = await client.get("/staff/api/handoffs")
        assert queue.status_code == 403 and queue.json()["message"] == "您的账号无权处理转人工会话"
        accounts_page = await client.get("/staff/api/desk/staff/accounts")
        assert accounts_page.status_code == 403
        unknown = await client.get("/staff/api/desk/conversations/x")  # not a desk path at all
        assert unknown.status_code == 404


async def test_repeated_wrong_passwords_lock_the_browser_out(desk: Desk) -> None:  # noqa: F811
    desk.make_account("lin", "clerk")
    async with httpx.AsyncClient(base_url=desk.web) as client:
        statuses = [
            (
                await client.post("/staff/api/login", json={"username": f"u{i}", "password": "x" * 12})
            ).status_code
            for i in range(11)
        ]
        assert statuses[:10] == [401] * 10 and statuses[10] == 429
        locked = await client.post(
            "/staff/api/login", json={"username": "lin", "password": "desk-password-2026!"}
        )
        assert locked.status_code == 429 and "分钟后再试" in locked.json()["message"]


async def test_hand_offs_are_pushed_to_the_console_and_passed_on(desk: Desk) -> None:  # noqa: F811
    desk.make_account("lin", "clerk", display_name="林芳")
    desk.make_account("fang", "clerk", display_name="方圆")
    async with (
        httpx.AsyncClient(base_url=desk.web, timeout=10) as lin,
        httpx.AsyncClient(base_url=desk.web, timeout=10) as fang,
    ):
        csrf = await desk.login(lin, "lin")
        await desk.login(fang, "fang")
        async with events(fang, "/staff/api/queue/events") as pushed:
            handoff = await new_handoff(desk, "web-0123456789abcdef", category="labour")
            event = await asyncio.wait_for(pushed.get(), 5)
            assert (event["change"], event["id"], event["status"]) == ("created", handoff, "open")
            claimed = await lin.post(f"/staff/api/handoffs/{handoff}/claim", headers={"X-CSRF-Token": csrf})
            assert claimed.status_code == 200
            assert (await asyncio.wait_for(pushed.get(), 5))["change"] == "claimed"
            colleagues = await lin.get("/staff/api/desk/staff/colleagues")
            assert {c["username"] for c in colleagues.json()["items"]} == {"lin", "fang"}
            passed = await lin.post(
                f"/staff/api/handoffs/{handoff}/pass",
                headers={"X-CSRF-Token": csrf},
                json={"to": "fang", "note": "请方老师跟进"},
            )
            assert passed.status_code == 200, passed.text
            event = await asyncio.wait_for(pushed.get(), 5)
            assert (event["change"], event["claimed_by"]) == ("passed", "staff:fang")
        said = [e["text"] for e in desk.rasa.events["web-0123456789abcdef"] if e["event"] == "bot"]
        assert said[0].startswith("工作人员林芳已接入") and said[-1].startswith("工作人员方圆已接替")
        mine = await fang.get("/staff/api/handoffs?status=claimed")
        assert [h["claimed_by"] for h in mine.json()["items"]] == ["staff:fang"]


JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 800 + b"\xff\xd9"  # ~200 KB


async def test_a_citizen_uploads_evidence_and_staff_see_it_on_the_hand_off(desk: Desk) -> None:  # noqa: F811
    desk.make_account("lin", "clerk")
    async with httpx.AsyncClient(base_url=desk.web, timeout=20) as citizen:
        session = (await citizen.post("/api/session", json={})).json()
        conversation, ticket = session["conversation_id"], session["ticket"]

        def send(
            content: bytes, media_type: str, name: str = "%E5%80%9F%E6%9D%A1.jpg", t: str = ticket
        ) -> Any:
            return citizen.post(
                "/api/evidence",
                content=content,
                headers={"Authorization": f"Bearer {t}", "Content-Type": media_type, "X-Filename": name},
            )

        early = await send(JPEG, "image/jpeg")  # before any hand-off: kept with the conversation
        assert early.status_code == 201, early.text
        handoff = await new_handoff(desk, conversation)
        async with httpx.AsyncClient(base_url=desk.web) as staff:
            await desk.login(staff, "lin")
            async with events(staff, "/staff/api/queue/events") as pushed:
                stored = await send(JPEG, "image/jpeg")
                assert stored.status_code == 201, stored.text
                event = await asyncio.wait_for(pushed.get(), 5)
                assert (event["change"], event["id"]) == ("evidence", handoff)
        assert stored.json()["filename"] == "借条.jpg" and "已收到您上传的材料" in stored.json()["notice"]
        disguised = await send(b"MZ\x90\x00" + b"\x00" * 500, "image/jpeg", "photo.jpg")
        assert disguised.status_code == 415 and "不安全" in disguised.json()["message"]
        svg = await send(b"<svg onload=alert(1)>", "image/svg+xml", "x.svg")
        assert svg.status_code == 415 and "只能上传" in svg.json()["message"]
        huge = await send(JPEG * 20, "image/jpeg")  # 4 MB against a 3 MB limit: read, dropped, told
        assert huge.status_code == 413 and "文件太大" in huge.json()["message"]
        assert (await send(JPEG, "image/jpeg", t="forged.ticket")).status_code == 401
    async with httpx.AsyncClient(base_url=desk.web) as staff:
        await desk.login(staff, "lin")
        listed = (await staff.get(f"/staff/api/desk/handoffs/{handoff}/evidence")).json()["items"]
        assert [e["filename"] for e in listed] == ["借条.jpg", "借条.jpg"]
        served = await staff.get(f"/staff/api/desk/evidence/{listed[0]['ref']}/file")
        assert served.status_code == 200 and served.content == JPEG
        assert served.headers["content-type"] == "image/jpeg"
        assert "sandbox" in served.headers["content-security-policy"]
        assert served.headers["x-content-type-options"] == "nosniff"
    async with httpx.AsyncClient(base_url=desk.web) as stranger:
        assert (await stranger.get(f"/staff/api/desk/evidence/{listed[0]['ref']}/file")).status_code == 401
    refused = [d.get("reason") or d.get("path", "").split(":")[1] for _, a, d in staff_audit(desk)
               if a == "upload_refused"]
    assert refused == ["dangerous_file", "unsupported_type", "file_too_large"]  # the last two: the web's
