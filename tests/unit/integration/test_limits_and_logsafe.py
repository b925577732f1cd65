"""Request limits, credential lock-outs and log masking shared by every process."""

from __future__ import annotations

import logging

import pytest

from integration.client import logsafe
from integration.client.limits import LockOut, LockPolicy, Rate, RateLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_sliding_window_per_key() -> None:
    clock = Clock()
    limiter = RateLimiter(Rate(3, 60.0), clock)
    assert [limiter.hit("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.hit("a") == pytest.approx(60.0)
    assert limiter.hit("b") == 0.0  # other keys are counted apart
    clock.now += 61
    assert limiter.hit("a") == 0.0
    assert RateLimiter(Rate(0)).hit("a") == 0.0  # 0 switches the limit off


def test_wrong_credentials_lock_a_source_but_not_credentials_that_worked_from_it() -> None:
    clock = Clock()
    lockout = LockOut(LockPolicy(max_failures=3, window_s=60, lock_s=300), clock)
    lockout.succeeded("127.0.0.1", "the-bots-token")
    assert [lockout.failed("127.0.0.1") for _ in range(3)] == [0.0, 0.0, 300.0]
    assert lockout.locked("127.0.0.1", "a-guess") == pytest.approx(300.0)
    assert lockout.locked("127.0.0.1", "the-bots-token") == 0.0
    lockout.succeeded("127.0.0.1", "first-seen-during-the-lock")  # earns no trust
    assert lockout.locked("127.0.0.1", "first-seen-during-the-lock") > 0
    assert lockout.locked("10.0.0.9", "a-guess") == 0.0
    clock.now += 301
    assert lockout.locked("127.0.0.1", "a-guess") == 0.0


def test_failures_outside_the_window_are_forgotten() -> None:
    clock = Clock()
    lockout = LockOut(LockPolicy(max_failures=2, window_s=10, lock_s=60), clock)
    lockout.failed("a")
    clock.now += 11
    assert lockout.failed("a") == 0.0


def test_masking_of_secrets_ids_and_personal_data() -> None:
    line = (
        "GET http://127.0.0.1:5005/conversations/web-0123456789abcdef01234567/tracker?token=dev-rasa-token "
        "Authorization: Bearer abc.def.ghi ticket v1.web-0123456789abcdef01234567.1900000000."
        + "0" * 32
        + " call CA"
        + "f" * 32
        + " phone 13800138000 id 110105199003071234"
    )
    masked = logsafe.mask(line)
    for secret in (
        "dev-rasa-token",
        "abc.def.ghi",
        "0123456789abcdef",
        "f" * 32,
        "13800138000",
        "199003071234",
    ):
        assert secret not in masked, (secret, masked)
    assert "web-0123…" in masked and "token=***" in masked and "138****8000" in masked


def test_install_masks_every_record(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(logsafe, "_installed", False)
    previous = logging.getLogRecordFactory()
    monkeypatch.setattr(logging, "_logRecordFactory", previous)  # restored after the test
    logsafe.install()
    logging.getLogger("anything").warning("sender %s said %s", "robot-0123456789abcdef", "13800138000")
    assert caplog.records[-1].getMessage() == "sender robot-0123… said 138****8000"
