"""The chat page as `make run` serves it, in headless Chromium, against the real trained bot."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait

from launcher.settings import StackSettings
from tests.e2e.web.browser import chromium, console

pytestmark = [pytest.mark.e2e, pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def browser() -> Iterator[WebDriver]:
    chrome = chromium()
    yield chrome
    chrome.quit()


def _bot_texts(chrome: WebDriver) -> list[str]:
    texts: list[str] = chrome.execute_script(
        "return [...document.querySelectorAll('#log li.bot')].map((li) => li.textContent);"
    )
    return texts


def _wait_for_bot(chrome: WebDriver, count: int, timeout_s: float = 60) -> list[str]:
    try:
        WebDriverWait(chrome, timeout_s).until(lambda c: len(_bot_texts(c)) >= count)
    except Exception as exc:  # TimeoutException: show what the page had instead
        raise AssertionError(f"bot bubbles: {_bot_texts(chrome)}\nconsole:\n{console(chrome)}") from exc
    return _bot_texts(chrome)


def test_citizen_reports_a_wage_dispute_on_the_page(stack: StackSettings, browser: WebDriver) -> None:
    browser.get(f"{stack.url(stack.web_port)}/")
    assert "解纷助手" in _wait_for_bot(browser, 1)[0]  # the real bot's greeting
    browser.find_element(By.ID, "text").send_keys("公司拖欠我三个月工资，一共两万三千块" + Keys.ENTER)
    replies = _wait_for_bot(browser, 2)
    assert "同意" in replies[-1]
    options = [b.text for b in browser.find_elements(By.CSS_SELECTOR, "#options button")]
    assert "同意" in options
    browser.find_element(By.XPATH, "//div[@id='options']/button[text()='同意']").click()
    after_consent = _wait_for_bot(browser, 3)[-1]
    assert after_consent and "同意" not in after_consent  # the form moved on to its next question
    shown = browser.execute_script(
        "return [...document.querySelectorAll('#log li.me')].map((li) => li.textContent);"
    )
    assert shown == ["公司拖欠我三个月工资，一共两万三千块", "同意"]


def test_push_to_talk_reaches_the_gateway_with_the_pages_ticket(
    stack: StackSettings, browser: WebDriver
) -> None:
    """The launcher shares one session secret: the gateway accepts the page and, without a Vosk
    model in this stack, says speech is unavailable (not that the ticket is bad)."""
    browser.get(f"{stack.url(stack.web_port)}/")
    _wait_for_bot(browser, 1)
    browser.find_element(By.ID, "talk").click()
    deadline = time.monotonic() + 15
    status = ""
    while time.monotonic() < deadline and "语音识别暂不可用" not in status:
        status = browser.find_element(By.ID, "status").text
        time.sleep(0.1)
    assert "语音识别暂不可用" in status, (status, console(browser))
    assert not browser.find_element(By.ID, "talk").is_displayed()
