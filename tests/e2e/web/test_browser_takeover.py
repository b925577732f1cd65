"""Live takeover in two real browsers against the real stack: a citizen asks for a person, a staff
member claims the conversation in the console, they talk, and the bot takes over again."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait

from launcher.settings import StackSettings
from tests.e2e.web.browser import chromium, console

pytestmark = [pytest.mark.e2e, pytest.mark.browser, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[3]
STAFF_TOKEN = "dev-staff-token"  # CENTER_STAFF_TOKENS' development default (console:dev-staff-token)
CLERK, CLERK_PASSWORD = "takeover-clerk", "console-pass-2026-desk"


def _clerk_account(stack: StackSettings) -> None:
    """A clerk in the stack's database, made the way an administrator would from the shell."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CASE_DB_URL": f"sqlite:///{stack.var_dir / 'cases.db'}"}
    made = subprocess.run(
        [sys.executable, "-m", "integration.service.manage", "create-account", CLERK, "--role", "clerk",
         "--display-name", "林受理", "--password-stdin"],
        input=CLERK_PASSWORD + "\n", text=True, capture_output=True, env=env, cwd=ROOT, timeout=60,
    )
    assert made.returncode == 0 or "已存在" in made.stderr, made.stderr


@pytest.fixture
def two_browsers() -> Iterator[tuple[WebDriver, WebDriver]]:
    citizen, staff = chromium(), chromium()
    yield citizen, staff
    citizen.quit()
    staff.quit()


def _texts(chrome: WebDriver, selector: str) -> list[str]:
    texts: list[str] = chrome.execute_script(
        f"return [...document.querySelectorAll({selector!r})].map((e) => e.textContent);"
    )
    return texts


def _until(chrome: WebDriver, what: str, check: Callable[[WebDriver], object], timeout_s: float = 60) -> None:
    try:
        WebDriverWait(chrome, timeout_s, poll_frequency=0.2).until(check)
    except Exception as exc:  # TimeoutException: say what the page showed instead
        raise AssertionError(
            f"waiting for {what}: page shows {_texts(chrome, 'li')}\nconsole:\n{console(chrome)}"
        ) from exc


def _click(chrome: WebDriver, selector: str) -> None:
    """Click what the selector names now: the console rebuilds its lists when a push arrives (another
    test's hand-off), so an element found a moment ago may have been replaced; find it again."""

    def clicked(c: WebDriver) -> bool:
        c.find_element(By.CSS_SELECTOR, selector).click()
        return True

    WebDriverWait(chrome, 10, poll_frequency=0.1, ignored_exceptions=[StaleElementReferenceException]).until(
        clicked
    )


def test_staff_take_over_a_web_conversation_and_give_it_back(
    stack: StackSettings, two_browsers: tuple[WebDriver, WebDriver]
) -> None:
    citizen, staff = two_browsers
    web = stack.url(stack.web_port)
    citizen.get(f"{web}/")
    _until(citizen, "the greeting", lambda c: _texts(c, "#log li.bot"))
    citizen.find_element(By.ID, "text").send_keys("我要转人工" + Keys.ENTER)
    _until(citizen, "the hand-off reply", lambda c: len(_texts(c, "#log li.bot")) >= 2)
    assert "人工" in _texts(citizen, "#log li.bot")[-1]
    conversation = citizen.execute_script("return JSON.parse(sessionStorage.getItem('jiefen.chat')).ticket;")
    conversation = conversation.split(".")[1]

    # Other tests of this session leave hand-offs behind (an urgent one sorts first): pick ours.
    waiting = httpx.get(
        f"{stack.url(stack.case_port)}/api/handoffs",
        headers={"Authorization": f"Bearer {STAFF_TOKEN}"},
        timeout=10,
    ).json()["items"]
    [handoff_id] = [h["id"] for h in waiting if h["conversation_id"] == conversation]
    ours = f'#queue button[data-id="{handoff_id}"]'
    _clerk_account(stack)
    staff.get(f"{web}/staff/")
    staff.find_element(By.ID, "username").send_keys(CLERK)
    staff.find_element(By.ID, "password").send_keys(CLERK_PASSWORD + Keys.ENTER)
    _until(staff, "our hand-off in the waiting list", lambda c: c.find_elements(By.CSS_SELECTOR, ours))
    _click(staff, ours)
    _until(
        staff, "the claim button", lambda c: c.find_element(By.CSS_SELECTOR, "#detail .claim").is_displayed()
    )
    assert "我要转人工" in " ".join(_texts(staff, "#detail .turns li"))  # the transcript so far
    _click(staff, "#detail .claim")
    _until(staff, "the reply box", lambda c: c.find_element(By.CSS_SELECTOR, "#detail .reply").is_displayed())
    _until(citizen, "the takeover notice", lambda c: any("已接入" in t for t in _texts(c, "#log li.notice")))

    bot_lines_before = len(_texts(citizen, "#log li.bot:not(.notice)"))
    citizen.find_element(By.ID, "text").send_keys("我还在，想问一下多久能处理" + Keys.ENTER)
    _until(
        staff, "the citizen's line", lambda c: any("多久能处理" in t for t in _texts(c, "#detail .turns li"))
    )
    assert len(_texts(citizen, "#log li.bot:not(.notice)")) == bot_lines_before  # the bot stayed silent

    staff.find_element(By.ID, "reply-text").send_keys("您好，我是调解员，一般三个工作日内处理。" + Keys.ENTER)
    _until(citizen, "the staff line", lambda c: any("三个工作日" in t for t in _texts(c, "#log li.staff")))

    _click(staff, "#detail .close")
    _until(
        citizen,
        "the released notice",
        lambda c: any("人工服务已结束" in t for t in _texts(c, "#log li.notice")),
    )
    citizen.find_element(By.ID, "text").send_keys("你好" + Keys.ENTER)
    _until(citizen, "the bot again", lambda c: len(_texts(c, "#log li.bot:not(.notice)")) > bot_lines_before)

    tracker = httpx.get(
        f"{stack.url(stack.rasa_port)}/conversations/{conversation}/tracker",
        params={"token": stack.rasa_auth_token},
        timeout=30,
    ).json()
    kinds = [e["event"] for e in tracker["events"]]
    assert "pause" in kinds and "resume" in kinds and tracker["paused"] is False
    staff_lines = [
        e["text"] for e in tracker["events"] if e["event"] == "bot" and (e.get("metadata") or {}).get("staff")
    ]
    assert any("三个工作日" in line for line in staff_lines)  # one transcript: the staff line is in it
