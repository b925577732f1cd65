"""The staff desk in real headless Chromium, against a real web service and a real case service
(SQLite) in this process, Rasa faked: log in, see a hand-off arrive live, filter, take over, tag,
pass on, make a case from it, move it through its states, see it on the dashboard, export CSV;
a citizen uploads evidence and staff see it; every refusal (wrong role, missing CSRF token,
expired session). Screenshots go to var/test-artifacts/desk/ (BROWSER_ARTIFACTS).

Selenium blocks, the servers run on this test's event loop: the browser is driven from a thread.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import Select, WebDriverWait
from sqlalchemy import update

from integration.service.adapters import orm
from tests.e2e.web.browser import chromium, console
from tests.integration.web.desk import PASSWORD, Desk, desk  # noqa: F401 (fixture)

pytestmark = [pytest.mark.e2e, pytest.mark.browser, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[3]
ARTIFACTS = Path(os.environ.get("BROWSER_ARTIFACTS", ROOT / "var" / "test-artifacts" / "desk"))
BOT = {"Authorization": "Bearer dev-bot-token"}


def texts(chrome: WebDriver, selector: str) -> list[str]:
    found: list[str] = chrome.execute_script(
        f"return [...document.querySelectorAll({selector!r})].filter((e) => e.offsetParent !== null)"
        ".map((e) => e.textContent);"
    )
    return found


def until(chrome: WebDriver, what: str, check: Callable[[WebDriver], object], timeout_s: float = 20) -> Any:
    try:
        return WebDriverWait(
            chrome, timeout_s, poll_frequency=0.1, ignored_exceptions=[StaleElementReferenceException]
        ).until(check)
    except Exception as exc:  # TimeoutException: say what the page showed instead
        shot(chrome, f"failed-{what[:30]}")
        raise AssertionError(
            f"waiting for {what}: page shows {texts(chrome, 'li, p.error, #login-error')[:40]}"
            f"\nconsole:\n{console(chrome)}"
        ) from exc


def shot(chrome: WebDriver, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    chrome.save_screenshot(str(ARTIFACTS / f"{name}.png"))


def css(chrome: WebDriver, selector: str) -> Any:
    return chrome.find_element(By.CSS_SELECTOR, selector)


def click(chrome: WebDriver, selector: str) -> None:
    """Click what the selector finds now (a live page re-renders lists as changes arrive)."""

    def clicked(c: WebDriver) -> bool:
        css(c, selector).click()
        return True

    until(chrome, f"clicking {selector}", clicked)


def choose(chrome: WebDriver, selector: str, value: str | None = None, text: str | None = None) -> None:
    """Pick an option of what the selector finds now (see ``click``)."""

    def chosen(c: WebDriver) -> bool:
        box = Select(css(c, selector))
        if value is not None:
            box.select_by_value(value)
        else:
            box.select_by_visible_text(str(text))
        return True

    until(chrome, f"choosing in {selector}", chosen)


def login(chrome: WebDriver, web: str, username: str) -> None:
    chrome.get(f"{web}/staff/")
    until(chrome, "the login form", lambda c: css(c, "#login").is_displayed())
    css(chrome, "#username").send_keys(username)
    css(chrome, "#password").send_keys(PASSWORD)
    css(chrome, "#login button").click()
    until(chrome, f"{username} logged in", lambda c: css(c, "#logout").is_displayed())


def logout(chrome: WebDriver) -> None:
    css(chrome, "#logout").click()
    until(chrome, "the login form again", lambda c: css(c, "#login").is_displayed())


def fetch(chrome: WebDriver, path: str, method: str = "GET", csrf: bool = True) -> dict[str, Any]:
    """A request from inside the page, as its own scripts would send it (or without the token)."""
    script = """
      const [path, method, csrf, done] = arguments;
      const headers = {"Content-Type": "application/json"};
      if (csrf) headers["X-CSRF-Token"] = window.__csrf;
      fetch(path, {method, headers, body: method === "GET" ? undefined : "{}"})
        .then(async (r) => done({status: r.status, text: await r.text()}));
    """
    chrome.execute_script("window.__csrf = window.__csrf || null;")
    result: dict[str, Any] = chrome.execute_async_script(script, path, method, csrf)
    return result


def scenario(d: Desk) -> None:
    web = d.web
    cases = httpx.Client(base_url=d.cases, headers=BOT, timeout=10)
    staff, other = chromium(), chromium()
    try:
        # -- a clerk logs in; the role decides the tabs --------------------------------------
        login(staff, web, "lin")
        assert texts(staff, "#tabs button") == ["转人工会话", "案件"]
        assert "林受理（受理员）" in css(staff, "#who").text
        until(staff, "the live queue", lambda c: "实时更新中" in css(c, "#live-state").text)

        # -- a hand-off arrives while the page is open: pushed, no reload --------------------
        web_id = cases.post(
            "/api/handoffs",
            json={
                "conversation_id": "web-0123456789abcdef",
                "reason": "群众要求转人工",
                "category": "labour",
                "collected": {
                    "applicant_name": "张山",
                    "applicant_phone": "13800138000",
                    "description": "公司拖欠三个月工资",
                },
            },
        ).json()["id"]
        phone_id = cases.post(
            "/api/handoffs",
            json={
                "conversation_id": "phone-CA0001",
                "reason": "识别失败",
                "channel": "phone",
                "reason_code": "not_understood",
                "category": "family",
            },
        ).json()["id"]
        cases.put(
            "/api/conversations/phone-CA0001",
            json={
                "channel": "phone",
                "turns": [
                    {"at": "2026-12-01T10:00:00+08:00", "kind": "bot", "text": "您好，请讲。"},
                    {
                        "at": "2026-12-01T10:00:05+08:00",
                        "kind": "caller",
                        "text": "我要离婚分财产",
                        "confidence": 0.91,
                    },
                    {
                        "at": "2026-12-01T10:00:09+08:00",
                        "kind": "caller",
                        "text": "三五五八八",
                        "confidence": 0.31,
                    },
                ],
            },
        )
        until(
            staff,
            "both hand-offs live",
            lambda c: len(c.find_elements(By.CSS_SELECTOR, "#queue button")) == 2,
        )
        shot(staff, "01-queue-live")

        # -- filter by channel, then the phone call: its doubtful line is marked -------------
        choose(staff, "#f-channel", value="phone")
        until(
            staff,
            "only the call",
            lambda c: (
                [b.get_attribute("data-id") for b in c.find_elements(By.CSS_SELECTOR, "#queue button")]
                == [str(phone_id)]
            ),
        )
        click(staff, f'#queue button[data-id="{phone_id}"]')
        until(
            staff,
            "the call transcript",
            lambda c: c.find_elements(By.CSS_SELECTOR, "#detail .turns li.low-confidence"),
        )
        doubtful = texts(staff, "#detail .turns li.low-confidence")
        assert len(doubtful) == 1 and "三五五八八" in doubtful[0] and "识别存疑" in doubtful[0]
        assert "2026/12/01 10:00" in " ".join(texts(staff, "#detail .turns li"))  # the centre's local time
        shot(staff, "02-low-confidence")
        choose(staff, "#f-channel", value="")
        until(staff, "both again", lambda c: len(c.find_elements(By.CSS_SELECTOR, "#queue button")) == 2)

        # -- take over the web chat, tag it, pass it to a colleague --------------------------
        click(staff, f'#queue button[data-id="{web_id}"]')
        until(staff, "the claim button", lambda c: css(c, "#detail .claim").is_displayed())
        click(staff, "#detail .claim")
        until(staff, "the reply box", lambda c: css(c, "#detail .reply").is_displayed())
        assert any(
            "工作人员林受理已接入" in e.get("text", "") for e in d.rasa.events.get("web-0123456789abcdef", [])
        ), (d.rasa.events, id(d.rasa))
        choose(staff, "#detail .tag-add", text="识别错误")
        until(staff, "the tag", lambda c: "识别错误" in " ".join(texts(c, "#detail .tag-list .tag")))
        until(
            staff,
            "colleagues to pass to",
            lambda c: len(c.find_elements(By.CSS_SELECTOR, "#detail .pass-to option")) > 1,
        )
        choose(staff, "#detail .pass-to", value="fang")
        click(staff, "#detail .pass-button")
        until(
            staff,
            "passed on",
            lambda c: (
                "方圆" in " ".join(texts(c, "#detail .facts dd"))
                or "fang" in " ".join(texts(c, "#detail .facts dd"))
            ),
        )
        shot(staff, "03-passed")

        # -- the colleague makes a case from it after correcting the name --------------------
        login(other, web, "fang")
        until(other, "the claimed list", lambda c: css(c, "#f-status").is_displayed())
        choose(other, "#f-status", value="claimed")
        until(
            other,
            "her conversation",
            lambda c: c.find_elements(By.CSS_SELECTOR, f'#queue button[data-id="{web_id}"]'),
        )
        click(other, f'#queue button[data-id="{web_id}"]')
        until(other, "the case button", lambda c: css(c, "#detail .make-case").is_displayed())
        click(other, "#detail .make-case")
        form = css(other, "#detail .case-form")
        assert form.find_element(By.NAME, "name").get_attribute("value") == "张山"  # what the bot heard
        form.find_element(By.NAME, "name").clear()
        form.find_element(By.NAME, "name").send_keys("张三")
        form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        until(other, "the case number", lambda c: "已登记案件 JF-" in css(c, "#detail .error").text)
        case_no = css(other, "#detail .error").text.split("已登记案件 ")[1].rstrip("。")
        shot(other, "04-case-made")

        # -- the case desk: masked in the list, full when opened, through its states ---------
        click(other, '#tabs button[data-tab="cases"]')
        until(
            other,
            "the case in the list",
            lambda c: c.find_elements(By.CSS_SELECTOR, f'#cases button[data-case="{case_no}"]'),
        )
        line = css(other, f'#cases button[data-case="{case_no}"]').text
        assert "张*" in line and "138****8000" in line and "13800138000" not in line
        click(other, f'#cases button[data-case="{case_no}"]')
        until(
            other, "the opened case", lambda c: "13800138000" in " ".join(texts(c, "#case-detail .facts dd"))
        )
        for action in ("route", "contact", "start_mediation"):
            until(
                other,
                f"the {action} button",
                lambda c, a=action: css(c, f'#case-detail [data-action="{a}"]').is_displayed(),
            )
            click(other, f'#case-detail [data-action="{action}"]')
        until(other, "the close box", lambda c: css(c, "#case-detail .close-box").is_displayed())
        choose(other, "#case-detail .outcome", value="settled")
        click(other, '#case-detail [data-action="close"]')
        until(other, "closed", lambda c: "已结案" in css(c, "#case-detail .title").text)
        assert "办结" in " ".join(texts(other, "#case-detail .audit li"))  # the audit log, in Chinese
        shot(other, "05-case-closed")
        logout(other)

        # -- wrong role, missing CSRF token, expired session ---------------------------------
        login(other, web, "wang")  # a mediator of another institution (labour cases go to labour arbitration)
        assert texts(other, "#tabs button") == ["案件"]
        refused = fetch(other, "/staff/api/handoffs")
        assert refused["status"] == 403 and "无权处理转人工会话" in json.loads(refused["text"])["message"]
        no_csrf = fetch(other, f"/staff/api/desk/cases/{case_no}/notes", "POST", csrf=False)
        assert no_csrf["status"] == 403 and "刷新页面" in json.loads(no_csrf["text"])["message"]
        logout(other)
        with d.app.ctx.service.uow() as uow:  # every session of lin ends (as an idle timeout would)
            uow.session.execute(update(orm.StaffSession).values(revoked_at=orm.StaffSession.created_at))
            uow.commit()
        click(staff, '#tabs button[data-tab="cases"]')
        until(staff, "back at the login form", lambda c: css(c, "#login").is_displayed())
        assert "登录已过期" in css(staff, "#login-error").text
        shot(staff, "06-session-expired")

        # -- the supervisor's dashboard and exports ------------------------------------------
        login(staff, web, "boss")
        click(staff, '#tabs button[data-tab="stats"]')
        until(staff, "the summary", lambda c: "案件总数" in css(c, "#stats-summary").text)
        assert "1" in css(staff, "#stats-summary .stat strong").text
        drawn = staff.execute_script("return Object.keys(Chart.instances).length")
        assert drawn == 8
        shot(staff, "07-dashboard")
        href = css(staff, "#export-cases").get_attribute("href")
        exported = fetch(staff, href)
        assert exported["status"] == 200 and case_no in exported["text"] and "13800138000" in exported["text"]
        stats_csv = fetch(staff, css(staff, "#export-stats").get_attribute("href"))
        assert "纠纷类别" in stats_csv["text"] and "劳动争议" in stats_csv["text"]

        # -- a citizen attaches a photo in the chat; staff see it on the hand-off ------------
        other.get(f"{web}/")
        until(
            other,
            "the chat page",
            lambda c: c.execute_script("return !!sessionStorage.getItem('jiefen.chat')"),
        )
        click(other, "#large-text")
        assert other.execute_script("return document.documentElement.classList.contains('large')")
        other.refresh()
        until(
            other,
            "large text remembered",
            lambda c: c.execute_script("return document.documentElement.classList.contains('large')"),
        )
        photo = ARTIFACTS / "借条.jpg"  # a real JPEG, drawn by the browser itself
        drawn_url = other.execute_script(
            "const c = document.createElement('canvas'); c.width = 120; c.height = 80;"
            "const g = c.getContext('2d'); g.fillStyle = '#c33'; g.fillRect(0, 0, 120, 80);"
            "g.fillStyle = '#fff'; g.fillText('借条 5000元', 10, 40); return c.toDataURL('image/jpeg', 0.9);"
        )
        photo.write_bytes(base64.b64decode(drawn_url.split(",", 1)[1]))
        other.execute_script("document.getElementById('file').hidden = false;")
        css(other, "#file").send_keys(str(photo))
        until(
            other, "the upload notice", lambda c: any("已收到您上传的材料" in t for t in texts(c, "#log li"))
        )
        shot(other, "08-citizen-upload")
        conversation = other.execute_script(
            "return JSON.parse(sessionStorage.getItem('jiefen.chat')).ticket.split('.')[1]"
        )
        handoff = cases.post(
            "/api/handoffs", json={"conversation_id": conversation, "reason": "群众要求转人工"}
        ).json()["id"]
        click(staff, '#tabs button[data-tab="queue"]')
        until(
            staff,
            "the citizen's hand-off",
            lambda c: c.find_elements(By.CSS_SELECTOR, f'#queue button[data-id="{handoff}"]'),
        )
        click(staff, f'#queue button[data-id="{handoff}"]')
        until(staff, "the photo", lambda c: c.find_elements(By.CSS_SELECTOR, "#detail .evidence img.thumb"))
        loaded = until(
            staff,
            "the photo shown",
            lambda c: c.execute_script(
                "const i = document.querySelector('#detail .evidence img.thumb');"
                "return i.complete && i.naturalWidth === 120 && i.src;"
            ),
        )
        assert "/staff/api/desk/evidence/EV-" in loaded
        assert "借条.jpg" in " ".join(texts(staff, "#detail .evidence li"))
        shot(staff, "09-staff-sees-evidence")
    finally:
        for chrome in (staff, other):
            chrome.quit()
        cases.close()


async def test_the_staff_desk_in_a_real_browser(desk: Desk) -> None:  # noqa: F811
    desk.make_account("lin", "clerk", display_name="林受理")
    desk.make_account("fang", "clerk", display_name="方圆")
    desk.make_account("wang", "mediator", "family_mediation", display_name="王调解")
    desk.make_account("boss", "supervisor", display_name="赵主管")
    await asyncio.to_thread(scenario, desk)
