"""Headless Chromium (Debian's chromium + chromedriver) driven by Selenium, for the web pages.

Selenium Manager is never used: it would try to download a driver. A microphone can be faked
with a WAV file, which is how the push-to-talk test speaks.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

from tests.system import missing_package

# Replaces the Web Speech API before the page's scripts run: records what would be spoken and
# ends each utterance at once (headless Chromium has no voices).
SPEECH_RECORDER = """
window.__spoken = [];
class FakeUtterance { constructor(text) { this.text = text; this.lang = ""; } }
window.SpeechSynthesisUtterance = FakeUtterance;
Object.defineProperty(window, "speechSynthesis", { value: {
  speak(u) {
    window.__spoken.push({ text: u.text, lang: u.lang });
    setTimeout(() => u.onend && u.onend(), 10);
  },
  cancel() {},
}});
"""


def chromium_paths() -> tuple[str, str]:
    """The browser and its driver; skip locally when absent, fail in CI (it installs them)."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if not (browser and driver):
        missing_package("apt-get install chromium chromium-driver for browser tests")
    return browser, driver


def chromium(fake_microphone: Path | None = None) -> webdriver.Chrome:
    """A fresh headless browser; ``fake_microphone`` plays a WAV file once as the microphone."""
    browser, driver = chromium_paths()
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for flag in (
        "--headless=new",
        "--no-sandbox",  # CI runs as root
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--window-size=1000,900",
        "--use-fake-ui-for-media-stream",  # grant the microphone without a prompt
        "--autoplay-policy=no-user-gesture-required",
    ):
        options.add_argument(flag)
    if fake_microphone is not None:
        options.add_argument("--use-fake-device-for-media-stream")
        options.add_argument(f"--use-file-for-fake-audio-capture={fake_microphone}%noloop")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    chrome = webdriver.Chrome(options=options, service=Service(executable_path=driver))
    chrome.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": SPEECH_RECORDER})
    return chrome


def console(chrome: webdriver.Chrome) -> str:
    """The page's console output, for assertion messages."""
    return "\n".join(str(entry.get("message")) for entry in chrome.get_log("browser"))
